"""Alert rules files: loading and validation.

A rules file has `targets` (webhooks, by name) and `rules` (a list). Every problem stops the load
with one line naming the file, the rule and the key, because a rule that silently never fires is
worse than no rule. Rule-type specific keys are checked by the rule type classes (`ruletypes`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from newsmon.transforms.alerts.templates import check_template
from newsmon.transforms.settings import ConfigError, load_yaml_mapping

# Severity levels, lowest first. A measured rule maps levels to the value that reaches them.
LEVELS = ("info", "warning", "critical")
# Fields an alert key may combine; see `ruletypes.key_values` for what each one reads.
KEY_FIELDS = ("entity", "story_id", "event_type", "country", "source", "article_id")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
COMMON_KEYS = ("name", "type", "enabled", "severity", "key", "throttle", "message", "targets", "description")
TARGET_FORMATS = ("json", "slack")
DEFAULT_RULES = "alerts.yaml"


def parse_duration(value: Any) -> float | None:
    """Seconds in "90s", "30m", "24h", "7d" or a plain number of seconds; None if malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    match = _DURATION.match(str(value))
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else None


@dataclass(frozen=True)
class Target:
    """A webhook: where alerts are POSTed and how hard to try."""

    name: str
    url: str
    format: str = "json"
    timeout_s: float = 5.0
    retries: int = 3
    backoff_s: float = 1.0


@dataclass(frozen=True)
class Rule:
    """One validated rule. `options` holds the type-specific keys as checked by the rule type."""

    name: str
    type: str
    severity: tuple[tuple[str, float], ...]  # (level, minimum value), lowest level first
    key: tuple[str, ...]
    throttle_s: float
    message: str
    targets: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)

    def level_for(self, value: float | None) -> str | None:
        """The highest level whose minimum `value` reaches; unmeasured rules have one level."""
        reached = None
        for level, minimum in self.severity:
            if value is None or value >= minimum:
                reached = level
        return reached


@dataclass(frozen=True)
class RuleSet:
    """The rules of a run and the webhooks they deliver to."""

    rules: tuple[Rule, ...]
    targets: dict[str, Target] = field(default_factory=dict)

    def by_name(self) -> dict[str, Rule]:
        return {rule.name: rule for rule in self.rules}

    def plus(self, extra: list[Rule]) -> "RuleSet":
        return RuleSet(self.rules + tuple(extra), self.targets)


class _Where:
    """Builds the one-line errors: file, rule, key, what is wrong and how to fix it."""

    def __init__(self, origin: str, rule: str | None = None):
        self.origin, self.rule = origin, rule

    def error(self, key: str | None, problem: str) -> ConfigError:
        parts = [self.origin]
        if self.rule is not None:
            parts.append(f"rule '{self.rule}'")
        if key is not None:
            parts.append(f"key '{key}'")
        return ConfigError(f"{': '.join(parts)}: {problem}")


def _severity(where: _Where, value: Any, measured: bool) -> tuple[tuple[str, float], ...]:
    levels = ", ".join(LEVELS)
    if not measured:
        if value not in LEVELS:
            raise where.error("severity", f"is {value!r}; set one level of {levels}")
        return ((value, 0.0),)
    if not isinstance(value, dict) or not value:
        raise where.error("severity", f"is {value!r}; map levels to minimum values, e.g. {{warning: 10, critical: 100}}")
    tiers = []
    for level, minimum in value.items():
        if level not in LEVELS:
            raise where.error("severity", f"level '{level}' is unknown; use {levels}")
        if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or minimum <= 0:
            raise where.error("severity", f"level '{level}' needs a positive number, got {minimum!r}")
        tiers.append((level, float(minimum)))
    tiers.sort(key=lambda tier: LEVELS.index(tier[0]))
    minimums = [minimum for _, minimum in tiers]
    if minimums != sorted(set(minimums)) or len(set(minimums)) != len(minimums):
        raise where.error("severity", f"minimums must rise with the level ({levels}), got {dict(tiers)}")
    return tuple(tiers)


def _string_list(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise where.error(key, f"is {value!r}; give a name or a list of names")
    return tuple(value)


def _target(origin: str, name: str, spec: Any) -> Target:
    where = _Where(origin)
    key = f"targets.{name}"
    if not isinstance(spec, dict) or not isinstance(spec.get("url"), str):
        raise where.error(key, "needs a 'url' (http://host:port/path)")
    if not spec["url"].startswith(("http://", "https://")):
        raise where.error(f"{key}.url", f"is {spec['url']!r}; use an http:// or https:// address")
    unknown = set(spec) - {"url", "format", "timeout_s", "retries", "backoff_s"}
    if unknown:
        raise where.error(key, f"unknown option(s) {sorted(unknown)}; known: url, format, timeout_s, retries, backoff_s")
    target = Target(name=name, **spec)
    if target.format not in TARGET_FORMATS:
        raise where.error(f"{key}.format", f"is {target.format!r}; use json (the alert record) or slack ({{\"text\": ...}})")
    for option in ("timeout_s", "backoff_s"):
        value = getattr(target, option)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise where.error(f"{key}.{option}", f"is {value!r}; needs a positive number of seconds")
    if isinstance(target.retries, bool) or not isinstance(target.retries, int) or target.retries < 0:
        raise where.error(f"{key}.retries", "needs a whole number of retries (0 or more)")
    return target


def parse_rule(origin: str, spec: Any, position: int, targets: dict[str, Target]) -> Rule | None:
    """A validated Rule, or None when the rule says `enabled: false`."""
    from newsmon.transforms.alerts.ruletypes import RULE_TYPES

    if not isinstance(spec, dict):
        raise _Where(origin).error(f"rules[{position}]", "must be a mapping with name, type, severity, ...")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _Where(origin).error(f"rules[{position}].name", "is missing; give every rule a unique name")
    where = _Where(origin, name)
    kind = spec.get("type")
    if kind not in RULE_TYPES:
        raise where.error("type", f"is {kind!r}; use one of {', '.join(RULE_TYPES)}")
    rule_type = RULE_TYPES[kind]
    allowed = set(COMMON_KEYS) | set(rule_type.options)
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise where.error(unknown[0], f"is not a {kind} rule option; known: {', '.join(sorted(allowed))}")
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise where.error("enabled", f"is {enabled!r}; use true or false")
    if "severity" not in spec:
        raise where.error("severity", "is missing" + ("; map levels to minimums, e.g. {warning: 10, critical: 100}"
                                                      if rule_type.measure else "; set one of " + ", ".join(LEVELS)))
    severity = _severity(where, spec["severity"], measured=bool(rule_type.measure))
    key = _string_list(where, "key", spec.get("key", list(rule_type.default_key)))
    for part in key:
        if part not in KEY_FIELDS:
            raise where.error("key", f"field '{part}' is unknown; combine fields of {', '.join(KEY_FIELDS)}")
    throttle = parse_duration(spec.get("throttle", rule_type.default_throttle))
    if throttle is None:
        raise where.error("throttle", f"is {spec.get('throttle')!r}; use a duration such as 0, 30m, 6h or 1d")
    message = spec.get("message", rule_type.default_message)
    problem = check_template(message)
    if problem:
        raise where.error("message", f"template is not usable: {problem}")
    rule_targets = _string_list(where, "targets", spec["targets"]) if "targets" in spec else ()
    for target in rule_targets:
        if target not in targets:
            raise where.error("targets", f"names '{target}', which is not under `targets:` in this file")
    options = rule_type.check_options(where, spec)
    if not enabled:
        return None
    return Rule(name=name, type=kind, severity=severity, key=key, throttle_s=throttle, message=message,
                targets=rule_targets, options=options)


def parse_rules(origin: str, data: dict) -> RuleSet:
    """Validate a rules mapping (`targets`, `rules`) read from `origin`."""
    unknown = sorted(set(data) - {"targets", "rules"})
    if unknown:
        raise _Where(origin).error(unknown[0], "is not a rules file section; use `targets:` and `rules:`")
    raw_targets = data.get("targets") or {}
    if not isinstance(raw_targets, dict):
        raise _Where(origin).error("targets", "must map target names to {url: ...}")
    targets = {name: _target(origin, str(name), spec) for name, spec in raw_targets.items()}
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise _Where(origin).error("rules", "must be a list of rules (`rules:` then `- name: ...`)")
    rules: list[Rule] = []
    seen: set[str] = set()
    for position, spec in enumerate(raw_rules):
        rule = parse_rule(origin, spec, position, targets)
        name = spec["name"]
        if name in seen:
            raise _Where(origin, name).error("name", "is used twice; rule names must be unique")
        seen.add(name)
        if rule is not None:
            rules.append(rule)
    return RuleSet(tuple(rules), targets)


def load_rules(path: Path | str | None = None) -> RuleSet:
    """The rules in `path`, or the packaged `config/alerts.yaml` when no path is given."""
    if path is None:
        text = resources.files("newsmon.config").joinpath(DEFAULT_RULES).read_text(encoding="utf-8")
        return parse_rules(f"config/{DEFAULT_RULES}", load_yaml_mapping(f"config/{DEFAULT_RULES}", text))
    return parse_rules(str(path), load_yaml_mapping(path))
