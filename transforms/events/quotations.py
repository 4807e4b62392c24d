"""Who said what: quoted passages and their speakers.

A quotation is text in quotation marks of at least MIN_WORDS words (shorter ones are scare
quotes: "tense", "warlike"). Its speaker is the subject of a speech verb outside the quote in
the sentences it touches ("..., he said", "Macron added, '...'"), a "he"/"she" resolved to the
nearest person named before, or the "according to" source.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsmon.transforms.events.arguments import MentionIndex, phrase_tokens
from newsmon.transforms.events.lexicon import Lexicon
from newsmon.transforms.events.mentions import ACTOR_TYPES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

MIN_WORDS = 4
_QUOTE = re.compile(r"“([^”]+)”|\"([^\"]+)\"|«([^»]+)»")


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (inside the marks) of the quoted passages long enough to be quotations."""
    spans = []
    for match in _QUOTE.finditer(text):
        group = next(i for i in (1, 2, 3) if match.group(i) is not None)
        if len(match.group(group).split()) >= MIN_WORDS:
            spans.append((match.start(group), match.end(group)))
    return spans


def _speaker_token(sent: Span, start: int, end: int, lexicon: Lexicon) -> Token | None:
    outside = [t for t in sent if not (start - 1 <= t.idx < end + 1)]
    for token in outside:
        if token.lemma_.lower() in lexicon.reporting_verbs and token.pos_ in ("VERB", "AUX"):
            subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass") and c in outside]
            if subjects:
                return subjects[0]
    for token in outside:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.nbor(1).lower_ == "to":
            objects = [c for c in token.nbor(1).children if c.dep_ == "pobj"]
            if objects:
                return objects[0]
    return None


def _speaker(token: Token, index: MentionIndex) -> tuple[str, str | None]:
    if token.lower_ in ("he", "she", "him"):
        person = index.person_before(token.idx)
        return (person.name, person.id) if person else (token.text, None)
    tokens = phrase_tokens(token)
    named = [m for m in index.within([(t.idx, t.idx + len(t.text)) for t in tokens]) if m.type in ACTOR_TYPES]
    people = [m for m in named if m.type == "PERSON"] or named
    if people:
        return people[0].name, people[0].id
    return " ".join(t.text for t in sorted(tokens, key=lambda t: t.i)), None


def find_quotations(doc: Doc, index: MentionIndex, lexicon: Lexicon) -> list[dict]:
    """[{speaker, speaker_id, text}] in order of appearance; speaker None when nobody is named."""
    quotations = []
    sents = list(doc.sents)
    text = doc.text
    for start, end in quote_spans(text):
        touching = [s for s in sents if s.start_char < end + 2 and s.end_char > start - 2]
        speaker = None
        for sent in touching:
            token = _speaker_token(sent, start, end, lexicon)
            if token is not None:
                speaker = _speaker(token, index)
                break
        name, entity_id = speaker if speaker else (None, None)
        quotations.append({"speaker": name, "speaker_id": entity_id, "text": text[start:end].strip()})
    return quotations
