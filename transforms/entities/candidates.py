"""Candidate name spans of one document: the model's entities, cleaned, plus catalog matches.

The model misses names it has not seen in that context (an agency in a credit line, a
country in a title, "Minsk group" in lower case); a PhraseMatcher over the catalog's
matchable aliases recovers them. To avoid flooding, a match counts only where it reads as a
name: capitalised like the alias (acronyms exactly), and a one-word match must be a proper noun.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsmon.transforms.entities.catalog import Catalog, Entity
from newsmon.transforms.entities.cleanup import clean_span
from newsmon.transforms.entities.tables import ENTITY_TYPES
from newsmon.transforms.entities.type_rules import has_acronym, is_generic_institution

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab


@dataclass
class Candidate:
    """A cleaned span with the model's label, or the catalog entity a matcher hit stands for."""

    start: int
    end: int
    text: str
    label: str | None
    titled: bool = False
    credited: bool = False
    tail: bool = False
    matched: Entity | None = None


_SLASHED_ACRONYM = re.compile(r"(?<=/)[A-Z]{2,}(?=/)")


class AliasMatcher:
    """A PhraseMatcher over the catalog's matchable aliases, keyed by entity id."""

    def __init__(self, vocab: Vocab, catalog: Catalog):
        # Imported here, in the worker that matches: composing a pipeline needs no spaCy.
        from spacy.lang.en import English
        from spacy.matcher import PhraseMatcher

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
        """Written as the alias is (acronyms exactly), capitalised, or in a capitalised dateline;
        one word must be a proper noun, or a demonym inside a sentence ("said Ukrainian officials")."""
        text = span.text
        if text in self._forms[entity_id]:
            exact = True
        elif text[:1].isupper() and text.lower() in self._lower_forms[entity_id]:
            exact = False
        else:
            return text.isupper() and len(text) >= 4
        if len(span) == 1 and not text.isupper():
            token = span[0]
            if self._catalog.by_id[entity_id].kind == "demonym":
                return exact and not token.is_sent_start and token.tag_ in ("JJ", "NNP", "NNPS", "NNS")
            return token.pos_ == "PROPN" or (exact and token.tag_ == "NNP")
        return True

    def _acronyms_between_slashes(self, text: str) -> list[Candidate]:
        """Acronyms the tokenizer leaves glued to slashes, as in the dateline "/TASS/."."""
        found = []
        for match in _SLASHED_ACRONYM.finditer(text):
            entity = next((e for e in self._catalog.lookup(match.group()) if match.group() in self._forms.get(e.id, ())), None)
            if entity is not None:
                found.append(Candidate(match.start(), match.end(), match.group(), None, matched=entity))
        return found

    def candidates(self, doc: Doc, text: str) -> list[Candidate]:
        """Catalog names in `doc` that read as names; `text` is `doc.text`, read once by the caller."""
        found = self._acronyms_between_slashes(text)
        strings = doc.vocab.strings
        for match_id, start, end in self._matcher(doc):
            span = doc[start:end]
            entity_id = strings[match_id]
            if self._reads_as_name(entity_id, span):
                entity = self._catalog.by_id[entity_id]
                found.append(Candidate(span.start_char, span.end_char, span.text, None, matched=entity))
        return found


def _person_end(doc: Doc, ent) -> int:
    """A person span cut short ("Maria Corina" of "Maria Corina Machado") takes the capitalised
    proper nouns outside any entity that directly follow it."""
    end = ent.end
    while end < len(doc) and end - ent.end < 2:
        token = doc[end]
        if (token.pos_ != "PROPN" or not token.is_title or token.ent_type_ or token.is_sent_start
                or doc[end - 1].tag_ == "POS"):
            break
        end += 1
    return doc[end - 1].idx + len(doc[end - 1]) if end > ent.end else ent.end_char


def model_candidates(doc: Doc, text: str) -> list[Candidate]:
    """The model's entities of the contract's types, cleaned; one span may yield several names.
    `text` is `doc.text`, which spaCy rebuilds from the tokens on every access: read it once."""
    found = []
    for ent in doc.ents:
        if ent.label_ not in ENTITY_TYPES:
            continue
        person = ent.label_ == "PERSON"
        end = _person_end(doc, ent) if person else ent.end_char
        for span in clean_span(text, ent.start_char, end, person=person):
            found.append(Candidate(span.start, span.end, span.text, ent.label_, span.titled, span.credited, span.tail))
    return found


def _person_with_known_acronym(cand: Candidate, candidates: list[Candidate]) -> bool:
    """A model "person" holding a catalog acronym ("AMN Telegram"): people's names hold no
    acronyms, so the catalog's reading of the span wins."""
    return cand.label == "PERSON" and has_acronym(cand.text) and any(
        other.matched is not None and other.text.isupper() and cand.start <= other.start and other.end <= cand.end
        for other in candidates
    )


def without_overlaps(candidates: list[Candidate]) -> list[Candidate]:
    """Longest span wins where spans overlap; on equal spans the model's label is kept."""
    candidates = [c for c in candidates if not _person_with_known_acronym(c, candidates)]
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.label is None, c.start))
    taken: list[Candidate] = []
    occupied: list[tuple[int, int]] = []
    for cand in ordered:
        if any(cand.start < end and start < cand.end for start, end in occupied):
            continue
        taken.append(cand)
        occupied.append((cand.start, cand.end))
    return sorted(taken, key=lambda c: c.start)


_POSSESSIVE_GAP = re.compile(r"^['’ʼ]s\s+$")


def with_possessors(candidates: list[Candidate], text: str) -> list[Candidate]:
    """ "Russia’s" + "Foreign Ministry" -> one ORG "Russia’s Foreign Ministry": a bare
    "Foreign Ministry" would give every country's ministry the same id."""
    merged: list[Candidate] = []
    for cand in candidates:
        previous = merged[-1] if merged else None
        if (previous is not None and cand.label == "ORG" and cand.text[0].isupper() and is_generic_institution(cand.text)
                and _POSSESSIVE_GAP.match(text[previous.end:cand.start])):
            merged[-1] = Candidate(previous.start, cand.end, text[previous.start:cand.end], "ORG")
        else:
            merged.append(cand)
    return merged


def with_split_names_joined(candidates: list[Candidate], text: str) -> list[Candidate]:
    """A full name the model tags as a person in one place but splits in another ("Basel Haj" + "Jasem"
    where the title cuts the sentence short): the adjacent pieces, one space apart, become that person
    again, so that neither piece stands as a person or a place of its own."""
    people = {c.text for c in candidates if c.label == "PERSON" and len(c.text.split()) >= 2}
    joined: list[Candidate] = []
    for cand in candidates:
        previous = joined[-1] if joined else None
        if previous is not None and text[previous.end:cand.start] == " " and text[previous.start:cand.end] in people:
            joined[-1] = Candidate(previous.start, cand.end, text[previous.start:cand.end], "PERSON",
                                   previous.titled, previous.credited)
        else:
            joined.append(cand)
    return joined
