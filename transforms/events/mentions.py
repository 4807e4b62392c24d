"""Entity mentions as the events code consumes them.

The entities work (`transforms/entities/`) provides `resolve_entities(article, doc)` returning
mentions with canonical names, ids and coordinates. `mentions_from_model` is the stand-in built
from the model's own `doc.ents` with the same shape; it is replaced by that call at merge.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Doc

from newsmon.transforms.records import stable_id

PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
ACTOR_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP"})


class MentionLike(Protocol):
    start_char: int
    end_char: int
    name: str
    type: str
    id: str | None


@dataclass(frozen=True)
class Mention:
    start_char: int
    end_char: int
    name: str
    type: str
    id: str | None
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None


def _clean_name(text: str) -> str:
    name = " ".join(text.split()).strip(" \"'“”‘’")
    for suffix in ("'s", "’s"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.lower().startswith("the "):
        name = name[4:]
    return name


def mentions_from_model(doc: Doc) -> list[Mention]:
    """Stand-in for the entities work: one mention per model entity, named by its surface form."""
    found = []
    for ent in doc.ents:
        if ent.label_ not in ACTOR_TYPES | PLACE_TYPES:
            continue
        name = _clean_name(ent.text)
        if name:
            found.append(Mention(ent.start_char, ent.end_char, name, ent.label_,
                                 stable_id("entity", ent.label_, name.lower())))
    return found
