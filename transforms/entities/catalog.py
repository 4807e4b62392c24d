"""The catalog: every known entity with its aliases, indexed by normalised name.

One index serves gazetteer places, demonyms and the people/organisation table, so a span
is looked up once whatever it turns out to be. It is built once per worker and only read.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from newsmon.transforms.entities.normalise import name_key, strip_accents

# Kinds, strongest claim on a shared name first: a curated or country entry beats a city,
# and a city beats the region named after it (news means the city).
KIND_PRIORITY = {"person": 0, "org": 0, "place": 1, "country": 2, "demonym": 3, "city": 4, "region": 5}
BIG_CITY = 500_000
PLACE_KINDS = frozenset({"place", "country", "region", "city"})


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity; places carry coordinates, demonyms the country they name."""

    id: str
    name: str
    type: str
    kind: str
    country_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    country: str | None = None

    def rank(self) -> tuple[int, int]:
        return (KIND_PRIORITY[self.kind], -self.population)


def _append_new(entries: list[Entity], entity: Entity) -> None:
    if entity not in entries:
        entries.append(entity)


@dataclass
class Catalog:
    """Normalised alias -> entities sharing it (best first), plus the surface forms to match.

    Alternate names from GeoNames are "weak": they count only where no entity has the name as
    its own or as a curated alias ("Islamabad" is also an old name of Chattogram, "Lula" of Luleå).
    """

    by_key: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    weak_by_key: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    match_forms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_id: dict[str, Entity] = field(default_factory=dict)

    def add(self, entity: Entity, aliases: list[str], matchable: bool = False) -> None:
        """Index `entity` under its name and aliases; `matchable` ones are also searched for in text."""
        known = self.by_id.setdefault(entity.id, entity)
        for alias in (entity.name, *aliases):
            key = name_key(alias)
            if not key:
                continue
            _append_new(self.by_key[key], known)
            if matchable:
                self.match_forms[known.id].update({alias, strip_accents(alias)})

    def add_weak(self, entity: Entity, keys: list[str]) -> None:
        """Index `entity` under the keys (see `name_key`; empty ones are skipped) of its weak
        alternate names; the caller computes them, as it folds each name once anyway."""
        known = self.by_id.setdefault(entity.id, entity)
        for key in keys:
            if key:
                _append_new(self.weak_by_key[key], known)

    def finish(self) -> "Catalog":
        """Order each key's entities by rank once, so lookups stay cheap. Where a region's name is
        also the short name of a big city in it ("New York", whose city GeoNames calls "New York
        City"), the news means the city."""
        for index in (self.by_key, self.weak_by_key):
            for entries in index.values():
                entries.sort(key=Entity.rank)
        for key, entries in self.by_key.items():
            if entries[0].kind != "region":
                continue
            big_city = next((e for e in self.weak_by_key.get(key, ()) if e.kind == "city"
                             and e.population >= BIG_CITY and e.country_code == entries[0].country_code), None)
            if big_city is not None:
                entries.insert(0, big_city)
        self.by_key, self.weak_by_key = dict(self.by_key), dict(self.weak_by_key)
        return self

    def lookup_key(self, key: str) -> list[Entity]:
        return self.by_key.get(key) or self.weak_by_key.get(key, [])

    def lookup(self, name: str) -> list[Entity]:
        return self.lookup_key(name_key(name))
