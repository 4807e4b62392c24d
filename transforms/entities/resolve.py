"""Per-document resolution: candidates -> canonical entities with types, ids and mentions.

Order of evidence, strongest first: the catalog (gazetteer, demonyms, people/organisation
table), the article itself (a surname goes to the full name the article introduced; one
name gets one type per article), lexical cues (head nouns, acronyms), and last the model's
label. The catalog and matcher are built once per worker; `resolve` only reads them.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsmon.transforms.entities.candidates import (
    AliasMatcher, Candidate, model_candidates, with_possessors, with_split_names_joined, without_overlaps,
)
from newsmon.transforms.entities.catalog import PLACE_KINDS, Catalog, Entity
from newsmon.transforms.entities.mention import Mention
from newsmon.transforms.entities.normalise import derived_id, fold, name_key
from newsmon.transforms.entities.cleanup import PERSON_TITLES, is_junk
from newsmon.transforms.entities.type_rules import (
    acronym_after, credited_person, facility_head_after, has_acronym, head_type, inside_document_title, inside_title_phrase, is_dateline, is_lower_case_word,
    listed_together, used_as_place, vote,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass
class _Decision:
    """What one candidate resolved to: a catalog entity, or a name and type of its own."""

    entity: Entity | None = None
    person_pending: bool = False
    name: str | None = None
    type: str | None = None


def _words(text: str) -> tuple[str, ...]:
    return tuple(fold(text).replace("-", " ").split())


class EntityResolver:
    """Resolves the entities of spaCy docs against one catalog."""

    def __init__(self, vocab: Vocab, catalog: Catalog):
        self._catalog = catalog
        self._matcher = AliasMatcher(vocab, catalog)

    def _choose(self, cand: Candidate, entries: list[Entity], key_labels: list[str], text: str) -> _Decision:
        """The catalog entity for a model span, where the catalog knows the name at all."""
        label = cand.label
        if label == "EVENT" or not entries:
            return _Decision()
        if label == "PERSON":
            people = [e for e in entries if e.kind == "person"]
            if people:
                return _Decision(people[0])
            if cand.titled:
                return _Decision()
            # A lone word the model calls a person is a surname only if the article introduced
            # that person in full; decided once all full names are known.
            return _Decision(person_pending=True) if len(cand.text.split()) == 1 else _Decision(entries[0])
        preferred = {
            "ORG": ("org",),
            "NORP": ("demonym",),
            "GPE": tuple(PLACE_KINDS),
            "LOC": tuple(PLACE_KINDS),
            "FAC": tuple(PLACE_KINDS),
        }[label]
        best = next((e for e in entries if e.kind in preferred), entries[0])
        if label == "ORG" and (best.kind in ("city", "region") or best.type == "LOC"):
            place_votes = any(other in PLACE_LABELS for other in key_labels)
            if not (place_votes or used_as_place(text, cand.start, cand.end)):
                return _Decision()
        return _Decision(best)

    def _full_people(self, cands: list[Candidate], decisions: list[_Decision]) -> dict[tuple[str, ...], list]:
        """Full person names the article uses: words -> [name, entity or None, mention count].
        Both the spelling in the text and a catalog person's canonical name count, except a
        regnal name ("Abdullah II of Jordan"), whose last word is a country, not a surname."""
        people: dict[tuple[str, ...], list] = {}
        for cand, decision in zip(cands, decisions):
            entity = decision.entity
            if entity is not None and entity.kind == "person":
                forms = [cand.text] + ([entity.name] if " of " not in entity.name else [])
                name = entity.name
            elif (entity is None and not decision.person_pending and cand.label == "PERSON"
                  and len(cand.text.split()) >= 2 and not has_acronym(cand.text) and head_type(cand.text) is None):
                forms = [cand.text]
                name = cand.text
            else:
                continue
            for words in {_words(form) for form in forms}:
                if len(words) >= 2:
                    people.setdefault(words, [name, entity, 0])[2] += 1
        return people

    @staticmethod
    def _fuller_name(words: tuple[str, ...], people: dict[tuple[str, ...], list]) -> list | None:
        """The most-mentioned full name that ends with `words` ("Aliyev" -> "Ilham Aliyev"); failing
        that, one that starts with them (family name first: "Kim", "Lai"; a name cut short: "Basel Haj")."""
        for matches in (lambda full: full[-len(words):] == words, lambda full: full[:len(words)] == words):
            best = None
            for full, entry in people.items():
                if len(full) > len(words) and matches(full) and (best is None or entry[2] > best[2]):
                    best = entry
            if best is not None:
                return best
        return None

    def resolve(self, doc: Doc) -> list[Mention]:
        """The document's mentions, each resolved to a canonical entity, in text order."""
        text = doc.text
        cands = without_overlaps(model_candidates(doc, text) + self._matcher.candidates(doc, text))
        cands = with_split_names_joined(with_possessors(cands, text), text)
        keys = [name_key(c.text) for c in cands]
        labels_by_key: dict[str, list[str]] = defaultdict(list)
        for cand, key in zip(cands, keys):
            if cand.label is not None:
                labels_by_key[key].append(cand.label)

        decisions = []
        for cand, key in zip(cands, keys):
            if cand.matched is not None:
                decisions.append(_Decision(cand.matched))
            else:
                decisions.append(self._choose(cand, self._catalog.lookup_key(key), labels_by_key[key], text))

        people = self._full_people(cands, decisions)
        for cand, key, decision in zip(cands, keys, decisions):
            entity = decision.entity
            may_be_surname = (
                decision.person_pending
                or (entity is None and cand.label in ("PERSON", "ORG", "GPE"))
                or (entity is not None and entity.kind == "person" and len(cand.text.split()) == 1)
            )
            fuller = self._fuller_name(_words(cand.text), people) if may_be_surname and cand.label != "NORP" else None
            if fuller is not None:
                decision.entity, decision.name, decision.type = fuller[1], fuller[0], "PERSON"
            elif decision.person_pending:
                entries = self._catalog.lookup_key(key)
                people_entries = [e for e in entries if e.kind == "person"]
                decision.entity = people_entries[0] if people_entries else entries[0]
            decision.person_pending = False

        self._type_unknown(cands, keys, decisions, doc, text)
        self._add_missed_surnames(doc, text, cands, decisions)
        return self._mentions(cands, decisions)

    @staticmethod
    def _add_missed_surnames(doc: Doc, text: str, cands: list[Candidate], decisions: list[_Decision]) -> None:
        """Later mentions of a person by surname that the model did not tag ("Bronner added"):
        a capitalised proper noun equal to the last word of a full name in the same article."""
        surnames: dict[str, _Decision] = {}
        for cand, decision in zip(cands, decisions):
            is_person = decision.type == "PERSON" or (decision.entity is not None and decision.entity.kind == "person")
            words = cand.text.split()
            if is_person and len(words) >= 2 and len(words[-1]) >= 3 and not is_junk(words[-1]):
                surnames.setdefault(words[-1], decision)
        if not surnames:
            return
        taken = sorted((c.start, c.end) for c in cands)
        pattern = re.compile(r"\b(?:%s)\b" % "|".join(re.escape(name) for name in surnames))
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            span = doc.char_span(match.start(), match.end())
            if span is None or len(span) != 1 or span[0].pos_ != "PROPN":
                continue
            cands.append(Candidate(match.start(), match.end(), match.group(), "PERSON"))
            decisions.append(surnames[match.group()])

    @staticmethod
    def _is_noise(doc: Doc, text: str, cand: Candidate) -> bool:
        """Unknown spans that name nothing: a piece after a credit separator, a lower-case word,
        a word of a treaty's title or of a person's title ("Secretary of State"), a capitalised
        common noun."""
        if cand.tail or inside_document_title(text, cand.start) or is_lower_case_word(cand.text):
            return True
        if len(cand.text.split()) != 1:
            return False
        if inside_title_phrase(text, cand.start, cand.end, PERSON_TITLES):
            return True
        span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
        return span is not None and len(span) == 1 and span[0].tag_ in ("NN", "NNS")

    @classmethod
    def _type_unknown(cls, cands: list[Candidate], keys: list[str], decisions: list[_Decision], doc: Doc,
                      text: str) -> None:
        """Names outside the catalog: layout and lexical cues first (a facility noun after the
        name joins it), then the article's majority label; a lone "person" listed among places is a place; "Long Name (ACR)" makes ACR, there
        and later, the same entity. The name shown is the spelling the article uses most; noise gets no type."""
        pending = [i for i, d in enumerate(decisions) if d.entity is None and d.type is None]
        labels: dict[str, list[str]] = defaultdict(list)
        for i in pending:
            labels[keys[i]].append(cands[i].label)
        spellings: dict[tuple[str, str], Counter] = defaultdict(Counter)
        acronyms: dict[str, _Decision] = {}
        for i in pending:
            cand = cands[i]
            if cls._is_noise(doc, text, cand):
                continue
            facility = facility_head_after(text, cand.end)
            if facility is not None:
                cand.end += len(facility)
                cand.text = text[cand.start:cand.end]
                lexical = "FAC"
            elif credited_person(text, cand.start, cand.credited, cand.text):
                lexical = "PERSON"
            elif is_dateline(text, cand.start, cand.end):
                lexical = "GPE"
            else:
                lexical = head_type(cand.text) or ("ORG" if cand.label == "PERSON" and has_acronym(cand.text) else None)
            decisions[i].type = lexical or vote(labels[keys[i]])
            if decisions[i].type == "PERSON" and not cand.titled and len(cand.text.split()) == 1:
                for j in (i - 1, i + 1):
                    if not 0 <= j < len(cands):
                        continue
                    left, right = (cands[j], cand) if j < i else (cand, cands[j])
                    kind = decisions[j].type or (decisions[j].entity.type if decisions[j].entity else None)
                    if kind in ("GPE", "LOC") and listed_together(text, left.end, right.start):
                        decisions[i].type = kind
            spellings[(decisions[i].type, keys[i])][cand.text] += 1
            acronym = acronym_after(text, cand.end)
            if acronym is not None:
                acronyms[name_key(acronym)] = decisions[i]
        for i in pending:
            if decisions[i].type is not None:
                decisions[i].name = spellings[(decisions[i].type, keys[i])].most_common(1)[0][0]
        for i in pending:
            expanded = acronyms.get(keys[i])
            if expanded is not None and (expanded.entity is not None or expanded.type is not None):
                decisions[i].entity, decisions[i].name, decisions[i].type = expanded.entity, expanded.name, expanded.type

    @staticmethod
    def _mentions(cands: list[Candidate], decisions: list[_Decision]) -> list[Mention]:
        """One mention per typed candidate, in text order."""
        mentions = []
        for cand, decision in zip(cands, decisions):
            entity = decision.entity
            if entity is not None:
                mentions.append(Mention(cand.start, cand.end, cand.text, entity.name, entity.type, entity.id,
                                        entity.lat, entity.lon, entity.country_code))
            elif decision.type is not None:
                mentions.append(Mention(cand.start, cand.end, cand.text, decision.name, decision.type,
                                        derived_id(decision.type, decision.name)))
        return sorted(mentions, key=lambda m: m.start_char)
