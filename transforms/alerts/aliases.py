"""Which names count as the same entity, for watchlists.

`canonical_names(name)` is the one lookup alert rules use. It reads the alias table through
`alias_table()` (one place to point at the entities work's table) and, for names the table does
not know, falls back to the name itself; `names_match` then compares whole tokens so that
"Putin" also catches "Vladimir Putin" and "President Putin" in the model's own entity names.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from newsmon.transforms.settings import ConfigError, load_yaml_mapping

# The packaged alias table (under config/). Entries: {canonical, type, aliases: [...]}.
ALIAS_TABLE = "alert_aliases.yaml"


def fold(name: str) -> str:
    """Case- and accent-insensitive form of a name, with single spaces."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace(".", " ").split())


@dataclass(frozen=True)
class Entity:
    """One row of the alias table: the canonical name and every spelling of it."""

    canonical: str
    names: frozenset[str]


@lru_cache(maxsize=1)
def alias_table() -> dict[str, Entity]:
    """Folded spelling -> its entity, from the packaged table `ALIAS_TABLE`."""
    origin = f"config/{ALIAS_TABLE}"
    text = resources.files("newsmon.config").joinpath(ALIAS_TABLE).read_text(encoding="utf-8")
    entries = load_yaml_mapping(origin, text).get("entities") or []
    table: dict[str, Entity] = {}
    for position, entry in enumerate(entries):
        canonical = entry.get("canonical") if isinstance(entry, dict) else None
        aliases = entry.get("aliases", []) if isinstance(entry, dict) else None
        if not isinstance(canonical, str) or not isinstance(aliases, list):
            raise ConfigError(f"{origin}: entry {position + 1} needs 'canonical' (a name) and 'aliases' (a list)")
        entity = Entity(canonical, frozenset([canonical, *map(str, aliases)]))
        for name in entity.names:
            table[fold(name)] = entity
    return table


def canonical_of(name: str) -> str:
    """The table's canonical name for `name`, or `name` itself when the table does not know it."""
    entity = alias_table().get(fold(name))
    return entity.canonical if entity else name


def canonical_names(name: str) -> set[str]:
    """Every spelling that means the entity `name` names: its canonical name and aliases."""
    entity = alias_table().get(fold(name))
    return set(entity.names) if entity else {name}


def names_match(watched: set[str], candidate: str) -> bool:
    """True when one of the watched spellings occurs as whole tokens inside `candidate`."""
    padded = f" {fold(candidate)} "
    return any(f" {fold(name)} " in padded for name in watched if fold(name))
