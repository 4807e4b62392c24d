"""The curated tables in `config/`: people and organisations, places, demonyms.

Each file is validated on load; an error is one line naming the file, the entry and the key,
because analysts edit these tables by hand and must know exactly what to fix.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from newsmon.transforms.entities.normalise import derived_id
from newsmon.transforms.settings import ConfigError, load_yaml_mapping

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT")
ALIASES_FILE = "entity_aliases.yaml"
PLACES_FILE = "places.yaml"
DEMONYMS_FILE = "demonyms.yaml"


@dataclass(frozen=True)
class TableEntry:
    """One validated row of a curated table."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...]
    country_code: str | None = None
    lat: float | None = None
    lon: float | None = None


def read_config(filename: str) -> tuple[str, dict]:
    """A packaged config file as (display path, mapping)."""
    text = resources.files("newsmon.config").joinpath(filename).read_text(encoding="utf-8")
    origin = f"config/{filename}"
    return origin, load_yaml_mapping(origin, text)


class _Checker:
    """Builds the one-line error for a bad key of one entry."""

    def __init__(self, origin: str, where: str):
        self.origin, self.where = origin, where

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.origin}: {self.where}: key '{key}' {problem}")

    def text(self, raw: dict, key: str, required: bool = True) -> str | None:
        value = raw.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"is {value!r}; set it to a non-empty string")
        return value.strip()

    def names(self, raw: dict, key: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def number(self, raw: dict, key: str, low: float, high: float) -> float | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise self.fail(key, f"is {value!r}; set it to a number from {low} to {high}")
        return float(value)


def _section(origin: str, data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{origin}: key '{key}' must be a list of entries")
    return value


_ENTRY_KEYS = {"name", "id", "type", "aliases", "country_code", "lat", "lon"}


def parse_entries(origin: str, data: dict, section: str, default_type: str | None) -> list[TableEntry]:
    """Validate the entries of one section (`people`, `orgs`, `places`, ...)."""
    entries = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(_section(origin, data, section)):
        where = f"{section}[{index}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{origin}: {where}: must be a mapping with at least 'name'")
        check = _Checker(origin, where)
        name = check.text(raw, "name")
        check.where = f"{where} ({name})"
        unknown = sorted(set(raw) - _ENTRY_KEYS)
        if unknown:
            raise check.fail(unknown[0], f"is not known; use {', '.join(sorted(_ENTRY_KEYS))}")
        entity_type = check.text(raw, "type", required=default_type is None) or default_type
        if entity_type not in ENTITY_TYPES:
            raise check.fail("type", f"is {entity_type!r}; set it to one of {', '.join(ENTITY_TYPES)}")
        entity_id = check.text(raw, "id", required=False) or derived_id(entity_type, name)
        if entity_id in seen:
            raise check.fail("id", f"'{entity_id}' repeats {seen[entity_id]}; give each entry its own id")
        seen[entity_id] = where
        code = check.text(raw, "country_code", required=False)
        if code is not None and not (len(code) == 2 and code.isalpha() and code.isupper()):
            raise check.fail("country_code", f"is {code!r}; set it to an ISO 3166 alpha-2 code such as AZ")
        lat, lon = check.number(raw, "lat", -90, 90), check.number(raw, "lon", -180, 180)
        if (lat is None) != (lon is None):
            raise check.fail("lat" if lat is None else "lon", "is missing; give both lat and lon or neither")
        entries.append(TableEntry(entity_id, name, entity_type, check.names(raw, "aliases"), code, lat, lon))
    return entries


def load_people_and_orgs(origin: str, data: dict) -> list[TableEntry]:
    """`people` (PERSON) and `orgs` (ORG unless an entry says otherwise)."""
    return parse_entries(origin, data, "people", "PERSON") + parse_entries(origin, data, "orgs", "ORG")


@dataclass(frozen=True)
class PlaceTables:
    """places.yaml: curated places, canonical country names and extra country names by ISO code."""

    places: list[TableEntry]
    canonical: dict[str, str]
    country_names: dict[str, tuple[str, ...]]


def _by_country(origin: str, data: dict, key: str, country_codes: set[str]) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: key '{key}' must map ISO alpha-2 country codes to values")
    for code in value:
        if code not in country_codes:
            raise ConfigError(f"{origin}: {key}: key '{code}' is not an ISO 3166 alpha-2 country code; use one such as AM")
    return value


def load_places(origin: str, data: dict, country_codes: set[str]) -> PlaceTables:
    """Curated places (disputed regions, geographic features) and country naming."""
    places = parse_entries(origin, data, "places", None)
    canonical = {}
    for code, value in _by_country(origin, data, "canonical_names", country_codes).items():
        canonical[code] = _Checker(origin, "canonical_names").text({code: value}, code)
    names = {
        code: _Checker(origin, f"country_names.{code}").names({"aliases": value}, "aliases")
        for code, value in _by_country(origin, data, "country_names", country_codes).items()
    }
    return PlaceTables(places, canonical, names)


def load_demonyms(origin: str, data: dict, targets: set[str]) -> tuple[dict[str, tuple[str, ...]], list[TableEntry]]:
    """Demonyms by country code (or curated place name), and peoples without a country."""
    by_target = data.get("countries", {})
    if not isinstance(by_target, dict):
        raise ConfigError(f"{origin}: key 'countries' must map country codes to lists of demonyms")
    demonyms: dict[str, tuple[str, ...]] = {}
    for target, value in by_target.items():
        check = _Checker(origin, f"countries.{target}")
        if target not in targets:
            raise check.fail(str(target), "is neither an ISO alpha-2 code nor a place in places.yaml")
        demonyms[target] = check.names({"aliases": value}, "aliases")
        if not demonyms[target]:
            raise check.fail(str(target), "has no demonyms; list at least one")
    return demonyms, parse_entries(origin, data, "groups", "NORP")
