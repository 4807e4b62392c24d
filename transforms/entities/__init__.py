"""Entities analysts can trust: canonical names, right types, stable ids, places on the map.

`resolve_entities(article, doc)` is the stage's entry point (see BRIEF "Interfaces"); the
catalog and matcher behind it are built once per worker by `resolver_for` (call it before the
first document) and reused for every document.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from newsmon.transforms.entities.gazetteer import load_catalog
from newsmon.transforms.entities.mention import Mention
from newsmon.transforms.entities.output import enrich
from newsmon.transforms.entities.resolve import EntityResolver

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

__all__ = ["Mention", "EntityResolver", "forget_resolvers", "resolve_entities", "resolver_for"]

# Defaults of the `entities.*` settings in config/newsmon.yaml.
MIN_CITY_POPULATION = 15000
MATCH_CITY_POPULATION = 1000000
_RESOLVERS: dict[int, tuple[Vocab, EntityResolver]] = {}


def resolver_for(vocab: Vocab, min_city_population: int = MIN_CITY_POPULATION,
                 match_city_population: int = MATCH_CITY_POPULATION) -> EntityResolver:
    """The resolver for a model's vocabulary, built on first use and kept for the worker's life:
    cities from `min_city_population` are known, from `match_city_population` also searched for."""
    known = _RESOLVERS.get(id(vocab))
    if known is None or known[0] is not vocab:
        catalog = load_catalog(min_city_population, match_city_population)
        known = _RESOLVERS[id(vocab)] = (vocab, EntityResolver(vocab, catalog))
    return known[1]


def forget_resolvers() -> None:
    """Drop the resolvers and the catalog behind them; `resolver_for` builds them again if asked."""
    _RESOLVERS.clear()
    load_catalog.cache_clear()


def resolve_entities(article: dict, doc: Doc) -> list[Mention]:
    """Resolve `doc`'s entities, set the article's entity fields, return the mentions."""
    mentions = resolver_for(doc.vocab).resolve(doc)
    enrich(article, mentions)
    return mentions
