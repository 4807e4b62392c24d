"""Which names count as the same entity, for watchlists.

`canonical_names(name)` is the one lookup alert rules use. It reads the entity stage's own
people and organisations table (`config/entity_aliases.yaml`), so a watchlist and the articles'
canonical names always agree; for names the table does not know, it falls back to the name itself; `names_match` then compares whole tokens so that
"Putin" also catches "Vladimir Putin" and "President Putin" in the model's own entity names.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from newsmon.transforms.entities.tables import ALIASES_FILE, load_people_and_orgs, read_config


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
    """Folded spelling -> its entity, from the entity stage's people and organisations table."""
    table: dict[str, Entity] = {}
    for entry in load_people_and_orgs(*read_config(ALIASES_FILE)):
        entity = Entity(entry.name, frozenset([entry.name, *entry.aliases]))
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


def token_forms(names: Iterable[str]) -> frozenset[str]:
    """The names folded and between spaces (those with anything left), so that `in` finds a watched
    name only as whole tokens of a mentioned one. Folding is most of a watchlist's cost: a rule
    folds its names once, an article each name it mentions once."""
    return frozenset(f" {folded} " for folded in map(fold, names) if folded)


def names_match(watched: frozenset[str], mentioned: Iterable[str]) -> bool:
    """True when one of the watched `token_forms` occurs as whole tokens inside one of the
    mentioned `token_forms`."""
    return any(form in name for name in mentioned for form in watched)
