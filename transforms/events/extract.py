"""Events of one analysed article: triggers -> parties, polarity, casualties, place, date -> records.

Per sentence, every trigger becomes a candidate; candidates of the same category merge (one
sentence, one ASSAULT however many words describe it); a candidate is kept only with an actor or
a casualty figure and enough confidence, and each paragraph keeps its most confident few. That is
what keeps the output readable: a handful of events per paragraph, not one per verb.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsmon.transforms.events.arguments import MentionIndex, Party, event_parties, light_verb, parties_of, verb_subjects
from newsmon.transforms.events.demands import find_obligations
from newsmon.transforms.events.casualties import Casualty, find_casualties
from newsmon.transforms.events.dates import reference_date, resolve_date
from newsmon.transforms.events.descriptors import event_descriptors
from newsmon.transforms.events.lexicon import Lexicon, Trigger, default_lexicon
from newsmon.transforms.entities.mention import Mention
from newsmon.transforms.events.mentions import ACTOR_TYPES, PLACE_TYPES
from newsmon.transforms.events.places import dateline_place, event_location
from newsmon.transforms.events.polarity import is_intent, is_negated, is_reported
from newsmon.transforms.events.quotations import find_quotations, quote_spans
from newsmon.transforms.events.triggers import VERB_TAGS, TriggerMatch, find_triggers
from newsmon.transforms.records import stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
CASUALTY_CATEGORY = {"killed": "ASSAULT", "wounded": "ASSAULT", "arrested": "COERCE"}


@dataclass(frozen=True)
class EventOptions:
    """Noise controls (config `events.*`)."""

    min_confidence: float = 0.5
    max_per_paragraph: int = 4


@dataclass
class Candidate:
    match: TriggerMatch
    actors: list[Party]
    targets: list[Party]
    negated: bool
    reported: bool
    figures: dict[str, int] = field(default_factory=dict)
    category: str = ""
    intent: bool = False

    def __post_init__(self) -> None:
        self.category = self.category or self.match.trigger.category

    def compatible(self, other: Candidate) -> bool:
        """Two triggers describe one event unless both name their actors and none is shared."""
        mine, theirs = {p.name.lower() for p in self.actors}, {p.name.lower() for p in other.actors}
        return not mine or not theirs or bool(mine & theirs)

    def absorb(self, other: Candidate) -> None:
        """Merge another trigger of the same category in the same sentence; polarity stays the
        first trigger's, which is the main clause's."""
        names = {p.name.lower() for p in self.actors}
        self.actors += [p for p in other.actors if p.name.lower() not in names]
        names = {p.name.lower() for p in self.actors + self.targets}
        self.targets += [p for p in other.targets if p.name.lower() not in names]
        for kind, count in other.figures.items():
            self.figures[kind] = max(count, self.figures.get(kind, 0))

    def confidence(self) -> float:
        trigger = self.match.trigger
        score = 0.45 if trigger.verbal else 0.4
        score += 0.1 if len(trigger.words) > 1 else 0.0
        if any(p.id for p in self.actors):
            score += 0.25
        elif self.actors:
            score += 0.15 if any(p.agent for p in self.actors) else 0.05
        score += 0.1 if self.targets else 0.0
        score += 0.15 if self.figures else 0.0
        return round(min(score, 0.95), 2)


def _within_quote(token: Token, quotes: list[tuple[int, int]]) -> bool:
    return any(start <= token.idx < end for start, end in quotes)


def _recode(candidate: Candidate, head: Token, lexicon: Lexicon) -> Candidate:
    """PLOVER codes intentions and refusals by what they announce: a promise to cooperate is
    AGREE, an announced act of force THREATEN, and a cooperation that did not happen REJECT."""
    quad = lexicon.quad_class.get(candidate.category, "")
    cooperative = quad.endswith("cooperation")
    if candidate.negated and cooperative:
        candidate.category, candidate.negated = "REJECT", False
    elif is_intent(head) and candidate.category not in ("AGREE", "THREATEN", "REQUEST"):
        if cooperative:
            candidate.category, candidate.intent = "AGREE", True
        elif quad == "material_conflict":
            candidate.category, candidate.intent = "THREATEN", True
    return candidate


def _candidate(match: TriggerMatch, sent: Span, index: MentionIndex, lexicon: Lexicon,
               quotes: list[tuple[int, int]]) -> Candidate:
    actors, targets = event_parties(match, index, lexicon)
    carrier = None if match.trigger.verbal else light_verb(match, lexicon)
    head = carrier or match.head
    candidate = Candidate(match, actors, targets,
                          negated=is_negated(match.head, lexicon, carrier),
                          reported=is_reported(head, sent, lexicon, _within_quote(match.head, quotes)))
    return _recode(candidate, head, lexicon)


def _attach(casualty: Casualty, candidates: list[Candidate], sent: Span, lexicon: Lexicon,
            quotes: list[tuple[int, int]]) -> None:
    """Give the figure to the nearest event of its category, or make one on the cue word."""
    category = CASUALTY_CATEGORY[casualty.kind]
    fitting = [c for c in candidates if c.category == category]
    if not fitting:
        trigger = Trigger(category, (casualty.cue.lemma_.lower(),), casualty.cue.pos_ in VERB_TAGS)
        fitting = [Candidate(TriggerMatch(trigger, casualty.cue, (casualty.cue,)), [], [],
                             negated=is_negated(casualty.cue, lexicon),
                             reported=is_reported(casualty.cue, sent, lexicon, _within_quote(casualty.cue, quotes)))]
        candidates.extend(fitting)
    nearest = min(fitting, key=lambda c: abs(c.match.head.i - casualty.cue.i))
    nearest.figures[casualty.kind] = max(casualty.count, nearest.figures.get(casualty.kind, 0))


def sentence_candidates(sent: Span, index: MentionIndex, lexicon: Lexicon,
                        quotes: list[tuple[int, int]]) -> list[Candidate]:
    """The sentence's events, one per category and set of actors, before the noise filters."""
    candidates = [_candidate(m, sent, index, lexicon, quotes) for m in find_triggers(sent, lexicon)]
    obligations = find_obligations(sent)
    candidates = [c for c in candidates if not any(o.covers(c.match.head) for o in obligations)]
    for obligation in obligations:
        trigger = Trigger("REQUEST", (obligation.modal.lower_,), True)
        match = TriggerMatch(trigger, obligation.speaker_verb, (obligation.modal,))
        candidates.append(Candidate(
            match, parties_of(verb_subjects(obligation.speaker_verb), index, lexicon, ACTOR_TYPES),
            parties_of(obligation.obliged, index, lexicon, ACTOR_TYPES | PLACE_TYPES),
            negated=False, reported=is_reported(obligation.speaker_verb, sent, lexicon, False)))
    for casualty in find_casualties(sent, lexicon):
        _attach(casualty, candidates, sent, lexicon, quotes)
    merged: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.match.head.i):
        same = next((m for m in merged if m.category == candidate.category and m.compatible(candidate)), None)
        if same is None:
            merged.append(candidate)
        else:
            same.absorb(candidate)
    return merged


def _event_date(head: Token, sent: Span, published: dt.date | None) -> tuple[str | None, str | None]:
    """The event's day from the nearest date of its clause or sentence; the publication day when
    the sentence names no time at all (news reports what just happened)."""
    expressions = [e for e in sent.ents if e.label_ in ("DATE", "TIME")]
    if not expressions:
        return (published.isoformat(), "published") if published else (None, None)
    clause = {t.i for t in head.subtree}
    expressions.sort(key=lambda e: (e.root.i not in clause, abs(e.root.i - head.i)))
    for expression in expressions:
        resolved = resolve_date(expression.text, published)
        if resolved:
            return resolved, "text"
    return None, None


def _paragraph_of(char: int, breaks: list[int]) -> int:
    return bisect_right(breaks, char)


def extract_events(article: dict, doc: Doc, mentions: list[Mention],
                   options: EventOptions | None = None, lexicon: Lexicon | None = None) -> list[dict]:
    """Event records of the article (contract fields plus PLOVER detail); sets `quotations`."""
    options = options or EventOptions()
    lexicon = lexicon or default_lexicon()
    index = MentionIndex(mentions)
    text = doc.text
    quotes = quote_spans(text)
    article["quotations"] = find_quotations(doc, index, lexicon)
    # The readers split the dateline and photo captions off the text; they still place and date it.
    published = reference_date(article.get("published_at"), "\n\n".join([text, *article.get("captions", [])]))
    dateline = article.get("place") or dateline_place(text)
    breaks = [match.start() for match in PARAGRAPH_BREAK.finditer(text)]
    by_paragraph: dict[int, list[dict]] = {}
    for sent_index, sent in enumerate(doc.sents):
        for candidate in sentence_candidates(sent, index, lexicon, quotes):
            confidence = candidate.confidence()
            if not (candidate.actors or candidate.figures) or confidence < options.min_confidence:
                continue
            record = _record(article, sent, sent_index, candidate, confidence, index, lexicon, published, dateline)
            by_paragraph.setdefault(_paragraph_of(sent.start_char, breaks), []).append(record)
    events = []
    for records in by_paragraph.values():
        best = sorted(records, key=lambda r: -r["confidence"])[: options.max_per_paragraph]
        events.extend(sorted(best, key=lambda r: (r["sentence_index"], r["trigger_start"])))
    return events


def _record(article: dict, sent: Span, sent_index: int, candidate: Candidate, confidence: float,
            index: MentionIndex, lexicon: Lexicon, published: dt.date | None, dateline: str | None) -> dict:
    match = candidate.match
    excluded = {p.name.lower() for p in candidate.actors}
    date, date_source = _event_date(match.head, sent, published)
    mode, context = event_descriptors(sent, candidate.category, lexicon)
    return {
        "id": stable_id("event", article["id"], str(sent_index), candidate.category, match.lemma),
        "article_id": article["id"],
        "story_id": None,
        "type": candidate.category,
        "quad_class": lexicon.quad_class.get(candidate.category),
        "mode": mode,
        "context": context,
        "trigger": match.text,
        "trigger_start": match.head.idx,
        "actors": [p.name for p in candidate.actors],
        "actor_ids": [p.id for p in candidate.actors],
        "targets": [p.name for p in candidate.targets],
        "target_ids": [p.id for p in candidate.targets],
        "location": event_location(match.head, sent, index, excluded, dateline),
        "date": date,
        "date_source": date_source,
        "killed": candidate.figures.get("killed"),
        "wounded": candidate.figures.get("wounded"),
        "arrested": candidate.figures.get("arrested"),
        "negated": candidate.negated,
        "intent": candidate.intent,
        "reported": candidate.reported,
        "sentence": sent.text.strip(),
        "sentence_index": sent_index,
        "confidence": confidence,
    }
