"""Run settings from `config/newsmon.yaml`, merged with a user file and validated on load.

Errors name the file, the key and the fix in one line, because a bad config must stop a run
before any work starts, with a message an analyst can act on.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import yaml

# libyaml's loader when PyYAML was built with it: the same documents, parsed several times faster
# (the entity tables are read at every worker's setup).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigError(ValueError):
    """A config file that cannot be used; the message is a one-line fix."""


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _fraction(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _non_negative_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
def _unit_float(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1


def _non_empty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# key path -> (check, what a valid value looks like)
_SCHEMA: dict[str, tuple[Callable[[Any], bool], str]] = {
    "nlp.model": (_non_empty_str, "an installed spaCy package name such as en_core_web_sm"),
    "nlp.batch_size": (_positive_int, "a positive integer such as 32"),
    "nlp.max_chars": (_positive_int, "a positive integer such as 100000"),
    "limits.max_input_bytes": (_positive_int, "a positive integer number of bytes"),
    "limits.max_items_per_input": (_positive_int, "a positive integer such as 10000"),
    "limits.fetch_timeout_s": (_positive_int, "a positive integer number of seconds"),
    "limits.max_text_chars": (_positive_int, "a positive integer such as 200000"),
    "fetch.deadline_s": (_positive_number, "a positive number of seconds such as 60"),
    "fetch.max_redirects": (_non_negative_int, "a whole number such as 5 (0 = follow none)"),
    "fetch.allow_private": (lambda v: isinstance(v, bool), "true or false"),
    "runner.workers": (lambda v: v == "auto" or _positive_int(v), "auto or a positive integer (1 = in-process)"),
    "runner.auto_bytes_per_worker": (_positive_int, "a positive integer number of bytes such as 150000"),
    "alerts.rules": (lambda v: v is None or _non_empty_str(v), "null (packaged rules) or the path of a rules file"),
    "alerts.deliver": (lambda v: isinstance(v, bool), "true or false"),
    "elasticsearch.url": (_non_empty_str, "an http(s) URL such as http://localhost:9200"),
    "elasticsearch.index_prefix": (_non_empty_str, "a lower-case name such as newsmon"),
    "elasticsearch.bulk_max_docs": (_positive_int, "a positive integer such as 500"),
    "elasticsearch.bulk_max_bytes": (_positive_int, "a positive integer number of bytes such as 5000000"),
    "elasticsearch.max_retries": (_non_negative_int, "a whole number of retries such as 5 (0 = no retry)"),
    "elasticsearch.initial_backoff_s": (_positive_number, "a positive number of seconds such as 0.5"),
    "elasticsearch.max_backoff_s": (_positive_number, "a positive number of seconds such as 30"),
    "elasticsearch.request_timeout_s": (_positive_number, "a positive number of seconds such as 30"),
    "elasticsearch.flush_interval_s": (_positive_number, "a positive number of seconds such as 1"),
    "elasticsearch.spool_dir": (lambda v: v is None or _non_empty_str(v), "null (OUTPUT/spool) or a directory"),
    "entities.min_city_population": (lambda v: v in (500, 1000, 5000, 15000) and not isinstance(v, bool),
                                     "one of the packaged GeoNames sets: 500, 1000, 5000 or 15000"),
    "entities.match_city_population": (_positive_int, "a positive integer such as 1000000"),
    "events.min_confidence": (_unit_float, "a number between 0 and 1 such as 0.5"),
    "events.max_per_paragraph": (_positive_int, "a positive integer such as 4"),
    "dedup.horizon_days": (_positive_number, "a positive number of days such as 7"),
    "dedup.settle_seconds": (_non_negative_int, "a number of seconds >= 0 such as 2"),
    "dedup.near_threshold": (_fraction, "a number in (0, 1] such as 0.7"),
    "dedup.shingle_words": (_positive_int, "a positive integer such as 4"),
    "dedup.num_perm": (_positive_int, "a positive integer such as 64"),
    "dedup.rows_per_band": (_positive_int, "a positive integer dividing dedup.num_perm, such as 4"),
    "dedup.lead_words": (_positive_int, "a positive integer such as 60"),
    "stories.window_days": (_positive_number, "a positive number of days such as 3"),
    "stories.threshold": (_fraction, "a number in (0, 1] such as 0.12"),
    "stories.entity_weight": (_fraction, "a number in (0, 1] such as 0.3"),
}


def load_yaml_mapping(path: Path | str, text: str | None = None) -> dict:
    """Read a YAML file that must hold a mapping; ConfigError names the file otherwise."""
    try:
        raw = Path(path).read_text(encoding="utf-8") if text is None else text
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc.strerror}); check the path") from None
    try:
        data = yaml.load(raw, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{where}; fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping of keys, got {type(data).__name__}")
    return data


def _default_text() -> str:
    return resources.files("newsmon.config").joinpath("newsmon.yaml").read_text(encoding="utf-8")


def _merge(base: dict, override: dict, origin: str, prefix: str = "") -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        dotted = f"{prefix}{key}"
        if key not in base:
            known = ", ".join(sorted(base)) or "none"
            raise ConfigError(f"{origin}: unknown key '{dotted}'; known keys here: {known}")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{origin}: key '{dotted}' must be a mapping")
            merged[key] = _merge(base[key], value, origin, dotted + ".")
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Settings:
    """Validated settings; `values` is the merged nested mapping."""

    values: dict

    def get(self, dotted: str) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            node = node[part]
        return node


def load_settings(path: Path | str | None = None) -> Settings:
    """Defaults from the packaged `newsmon.yaml`, overridden by `path` if given."""
    values = load_yaml_mapping("config/newsmon.yaml", _default_text())
    origin = "config/newsmon.yaml"
    if path is not None:
        origin = str(path)
        values = _merge(values, load_yaml_mapping(path), origin)
    settings = Settings(values)
    for key, (check, expected) in _SCHEMA.items():
        value = settings.get(key)
        if not check(value):
            raise ConfigError(f"{origin}: key '{key}' is {value!r}; set it to {expected}")
    return settings
