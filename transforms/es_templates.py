"""Index templates for the outputs, from `config/es_templates.yaml`, validated on load and installed idempotently.

Templates (rather than creating indices with mappings) let an operator delete an index and have the next run
recreate it with the right types, and let rolled-over indices (`PREFIX-articles-*`) share them.
"""
from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from newsmon.transforms import records
from newsmon.transforms.settings import ConfigError, load_yaml_mapping

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

TEMPLATES_FILE = "config/es_templates.yaml"
# Field types the templates may use; anything else is most likely a typo.
FIELD_TYPES = {"keyword", "text", "date", "geo_point", "integer", "long", "float", "double", "boolean",
               "object", "nested", "flattened"}
# Templates newsmon installs win over generic ones (e.g. a cluster-wide `*` template).
TEMPLATE_PRIORITY = 200
TEMPLATE_VERSION = 1


def _check_field(path: str, spec: Any) -> None:
    if not isinstance(spec, dict):
        raise ConfigError(f"{TEMPLATES_FILE}: field '{path}' must be a mapping with 'type' or 'properties'")
    if "properties" in spec:
        if not isinstance(spec["properties"], dict) or not spec["properties"]:
            raise ConfigError(f"{TEMPLATES_FILE}: '{path}.properties' must map field names to field mappings")
        for name, child in spec["properties"].items():
            _check_field(f"{path}.{name}", child)
        return
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise ConfigError(f"{TEMPLATES_FILE}: field '{path}' has type {kind!r}; use one of {', '.join(sorted(FIELD_TYPES))}")
    for name, sub in (spec.get("fields") or {}).items():
        _check_field(f"{path}.fields.{name}", sub)


def validate(data: dict) -> dict:
    """The parsed templates file, checked; ConfigError names the key and the fix."""
    for key in ("settings", "dynamic_templates", "indices"):
        if key not in data:
            raise ConfigError(f"{TEMPLATES_FILE}: missing top-level key '{key}'")
    if not isinstance(data["settings"], dict):
        raise ConfigError(f"{TEMPLATES_FILE}: 'settings' must be a mapping of index settings")
    dynamic = data["dynamic_templates"]
    if not isinstance(dynamic, list) or not all(isinstance(t, dict) and len(t) == 1 for t in dynamic):
        raise ConfigError(f"{TEMPLATES_FILE}: 'dynamic_templates' must be a list of one-key mappings (name: rule)")
    for entry in dynamic:
        (name, rule), = entry.items()
        if not isinstance(rule, dict) or not isinstance(rule.get("mapping"), dict):
            raise ConfigError(f"{TEMPLATES_FILE}: dynamic template '{name}' needs a 'mapping'")
    indices = data["indices"]
    if not isinstance(indices, dict) or set(indices) != set(records.OUTPUTS):
        found = ", ".join(sorted(indices)) if isinstance(indices, dict) else type(indices).__name__
        raise ConfigError(f"{TEMPLATES_FILE}: 'indices' must list exactly {', '.join(records.OUTPUTS)}; found {found}")
    for output, fields in indices.items():
        if not isinstance(fields, dict) or "id" not in fields:
            raise ConfigError(f"{TEMPLATES_FILE}: 'indices.{output}' must map fields, 'id' included")
        for name, spec in fields.items():
            _check_field(f"indices.{output}.{name}", spec)
    return data


def load_templates(text: str | None = None) -> dict:
    """The packaged templates file (or `text`), validated."""
    if text is None:
        text = resources.files("newsmon.config").joinpath("es_templates.yaml").read_text(encoding="utf-8")
    return validate(load_yaml_mapping(TEMPLATES_FILE, text))


def index_templates(prefix: str, templates: dict | None = None) -> dict[str, dict]:
    """Template name -> body of the composable index template, for every output."""
    templates = templates or load_templates()
    bodies = {}
    for output, fields in templates["indices"].items():
        index = f"{prefix}-{output}"
        bodies[index] = {
            "index_patterns": [index, f"{index}-*"],
            "priority": TEMPLATE_PRIORITY,
            "version": TEMPLATE_VERSION,
            "_meta": {"managed_by": "newsmon", "output": output},
            "template": {
                "settings": templates["settings"],
                "mappings": {"dynamic_templates": templates["dynamic_templates"], "properties": fields},
            },
        }
    return bodies


def install_templates(client: Elasticsearch, prefix: str) -> list[str]:
    """Put every template and create the missing indices (so Kibana can see them before the first run).

    Idempotent: putting the same template again changes nothing; existing indices keep their data. An index
    that exists with other mappings keeps them; delete it to have it recreated from the template."""
    created = []
    for name, body in index_templates(prefix).items():
        client.indices.put_index_template(name=name, **body)
        if not client.indices.exists(index=name):
            client.options(ignore_status=400).indices.create(index=name)
            created.append(name)
    return created
