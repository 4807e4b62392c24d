"""Where an event happened: a place named in its clause, else in its sentence, else the dateline.

Places that are the event's actors ("Azerbaijan attacked") are not its location; a place after a
locative preposition ("in the town of Martuni") is the best evidence.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsmon.transforms.events.arguments import MentionIndex
from newsmon.transforms.entities.mention import Mention
from newsmon.transforms.events.mentions import PLACE_TYPES

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

LOCATIVE_PREPS = frozenset({"in", "near", "at", "around", "outside", "along", "across", "inside", "into", "of"})
# "BRUSSELS, October 1. /TASS/." or "BAKU, Azerbaijan, November 11": an upper-case place first.
_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][A-Z.'\- ]{2,}[A-Z])(?:\s*\([^)]*\))?\s*[,\-—–]")


def dateline_place(text: str) -> str | None:
    """The dateline city of an article's opening, title-cased, or None."""
    match = _DATELINE.match(text)
    if not match:
        return None
    return " ".join(word.capitalize() for word in match.group("place").split())


def _location(mention: Mention) -> dict:
    return {"name": mention.name, "lat": getattr(mention, "lat", None), "lon": getattr(mention, "lon", None)}


def _is_locative(mention: Mention, sent: Span) -> bool:
    for token in sent:
        if token.idx >= mention.start_char and token.idx < mention.end_char:
            ancestor: Token = token
            while ancestor.dep_ in ("compound", "pobj", "appos", "conj") and ancestor.head.i != ancestor.i:
                ancestor = ancestor.head
                if ancestor.dep_ == "prep" and ancestor.lower_ in LOCATIVE_PREPS:
                    return True
            return False
    return False


def event_location(head: Token, sent: Span, index: MentionIndex, excluded: set[str],
                   dateline: str | None) -> dict | None:
    """{name, lat, lon} of the event's place, or None when neither text nor dateline names one."""
    clause = list(head.subtree) if head.pos_ in ("VERB", "AUX") else list(head.head.subtree)
    places = [m for m in index.within([(sent.start_char, sent.end_char)])
              if m.type in PLACE_TYPES and m.name.lower() not in excluded]
    clause_spans = [(t.idx, t.idx + len(t.text)) for t in clause]
    in_clause = {id(m) for m in index.within(clause_spans)}
    ranked = sorted(places, key=lambda m: (not _is_locative(m, sent), id(m) not in in_clause,
                                           abs(m.start_char - head.idx)))
    if ranked:
        return _location(ranked[0])
    if dateline:
        for mention in index.mentions:
            if mention.name.lower() == dateline.lower() and mention.type in PLACE_TYPES:
                return _location(mention)
        return {"name": dateline, "lat": None, "lon": None}
    return None
