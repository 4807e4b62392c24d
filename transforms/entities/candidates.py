"""Candidate name spans of one document: the model's entities, cleaned, plus catalog matches.

The model misses names it has not seen in that context (an agency in a credit line, a
country in a title, "Minsk group" in lower case); a PhraseMatcher over the catalog's
matchable aliases recovers them. To avoid flooding, a match counts only where it reads as a
name: capitalised like the alias (acronyms exactly), and a one-word match must be a proper noun.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.lang.en import English
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from newsmon.transforms.entities.catalog import Catalog, Entity
from newsmon.transforms.entities.cleanup import clean_span
from newsmon.transforms.entities.tables import ENTITY_TYPES


@dataclass
class Candidate:
    """A cleaned span with the model's label, or the catalog entity a matcher hit stands for."""

    start: int
    end: int
    text: str
    label: str | None
    titled: bool = False
    credited: bool = False
    matched: Entity | None = None


class AliasMatcher:
    """A PhraseMatcher over the catalog's matchable aliases, keyed by entity id."""

    def __init__(self, vocab: Vocab, catalog: Catalog):
        self._catalog = catalog
        self._matcher = PhraseMatcher(vocab, attr="LOWER")
        tokenizer = English(vocab=vocab).tokenizer
        for entity_id, forms in catalog.match_forms.items():
            self._matcher.add(entity_id, [tokenizer(form) for form in sorted(forms)])
        self._forms = {entity_id: frozenset(forms) for entity_id, forms in catalog.match_forms.items()}
        self._lower_forms = {
            entity_id: frozenset(f.lower() for f in forms if not f.isupper()) for entity_id, forms in catalog.match_forms.items()
        }

    def _reads_as_name(self, entity_id: str, span) -> bool:
        text = span.text
        if text in self._forms[entity_id]:
            exact = True
        elif text[:1].isupper() and text.lower() in self._lower_forms[entity_id]:
            exact = False
        else:
            return text.isupper() and len(text) >= 4
        if len(span) == 1 and not text.isupper():
            return span[0].pos_ == "PROPN" or (exact and span[0].tag_ == "NNP")
        return True

    def candidates(self, doc: Doc) -> list[Candidate]:
        found = []
        strings = doc.vocab.strings
        for match_id, start, end in self._matcher(doc):
            span = doc[start:end]
            entity_id = strings[match_id]
            if self._reads_as_name(entity_id, span):
                entity = self._catalog.by_id[entity_id]
                found.append(Candidate(span.start_char, span.end_char, span.text, None, matched=entity))
        return found


def model_candidates(doc: Doc) -> list[Candidate]:
    """The model's entities of the contract's types, cleaned; one span may yield several names."""
    found = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_TYPES:
            continue
        for span in clean_span(doc.text, ent.start_char, ent.end_char, person=ent.label_ == "PERSON"):
            found.append(Candidate(span.start, span.end, span.text, ent.label_, span.titled, span.credited))
    return found


def without_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Longest span wins where spans overlap; on equal spans the model's label is kept."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.label is None, c.start))
    taken: list[Candidate] = []
    occupied: list[tuple[int, int]] = []
    for cand in ordered:
        if any(cand.start < end and start < cand.end for start, end in occupied):
            continue
        taken.append(cand)
        occupied.append((cand.start, cand.end))
    return sorted(taken, key=lambda c: c.start)
