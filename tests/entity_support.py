"""Shared by the entity tests: the model and resolver, loaded once per test session."""
from __future__ import annotations

from functools import lru_cache

from newsmon.transforms.entities import resolve_entities
from newsmon.transforms.nlp import load_model
from newsmon.transforms.settings import load_settings


@lru_cache(maxsize=1)
def nlp():
    return load_model(load_settings().get("nlp.model"))


def analyse(text: str) -> tuple[dict, list]:
    """An article enriched from `text`, and the mentions the stage returned."""
    article: dict = {"title": "", "text": text}
    mentions = resolve_entities(article, nlp()(text))
    return article, mentions


def by_name(article: dict) -> dict[str, dict]:
    return {entity["name"]: entity for entity in article["entities"]}
