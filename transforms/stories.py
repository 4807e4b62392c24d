"""Story clustering: articles about the same event within a time window share a `story_id`.

Incremental single-pass clustering, the way news trackers (EMM, TDT systems) do it: each article,
taken in original order (earliest published first, undated last, ties by input order), joins the
most similar open story or starts a new one. Similarity mixes the TF-IDF cosine between the
article (title words count twice) and the story's centroid with the share of the article's
canonical entities the story already has. A dated article only joins a story whose dated
articles lie within `stories.window_days`; an undated article is judged on content alone.
A near copy joins its original's story. A story's id derives from its first article's id, so
ids are stable across re-runs.

`StoryIndex` is plain Python (testable without Beam) and works on `StoryFeatures`, the few fields
clustering needs. `AssignStories` runs it in a stateful DoFn that buffers articles and clusters
them in order when they settle (see transforms/dedup.py for why decisions wait for an event-time
timer), or in batch on features alone; `CollectStories` turns articles into story records.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import apache_beam as beam
import numpy as np
from apache_beam.coders import PickleCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.window import TimestampedValue
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Duration, Timestamp

from newsmon.transforms import records
from newsmon.transforms.dedup import days_apart, original_rank
from newsmon.transforms.eventtime import KEYED, Group, StatefulStage, is_streaming, settle_time
from newsmon.transforms.packing import pack, unpack
from newsmon.transforms.settings import Settings
from newsmon.transforms.sketches import words

# Terms kept per story centroid: bounds state whatever the story's size.
CENTROID_TERMS = 300
TOP_ENTITIES = 10
# Added to every IDF so that words all articles share still count a little (small collections).
IDF_SMOOTHING = 0.3


@dataclass(frozen=True)
class StoryParams:
    window_days: float = 3.0
    threshold: float = 0.12
    entity_weight: float = 0.3


def article_terms(article: dict) -> Counter:
    """Content words of title (counted twice) and text."""
    # Imported here, in the worker that computes terms: composing a pipeline needs no spaCy.
    from spacy.lang.en.stop_words import STOP_WORDS

    def content(text: str) -> list[str]:
        return [w for w in words(text) if len(w) > 2 and not w.isdigit() and w not in STOP_WORDS]
    terms = Counter(content(article["text"]))
    terms.update(content(article["title"]) * 2)
    return terms


def entity_keys(article: dict) -> set[str]:
    """Canonical entity ids (type:name when an entity has no id yet)."""
    return {e.get("id") or f"{e['type']}:{e['name'].casefold()}" for e in article.get("entities", [])}


@dataclass(frozen=True)
class StoryFeatures:
    """What clustering needs of an article: a few kilobytes instead of the enriched article (text,
    entities, locations), so a batch run can hand a language's whole archive to one worker."""
    id: str
    rank: tuple
    published_at: str | None
    duplicate_of: str | None
    terms: dict[str, int]
    entities: frozenset[str]


def story_features(article: dict) -> StoryFeatures:
    return StoryFeatures(id=article["id"], rank=original_rank(article), published_at=article.get("published_at"),
                         duplicate_of=article.get("duplicate_of"), terms=dict(article_terms(article)),
                         entities=frozenset(entity_keys(article)))


def _summed(centroid: dict[str, float], vector: dict[str, float]) -> dict[str, float]:
    merged = Counter(centroid)
    merged.update(vector)
    return dict(merged.most_common(CENTROID_TERMS))


@dataclass
class Story:
    story_id: str
    centroid: dict[str, float] = field(default_factory=dict)
    entities: dict[str, float] = field(default_factory=dict)
    first_date: str | None = None
    last_date: str | None = None
    last_event_us: int = 0
    members: set[str] = field(default_factory=set)
    # L2 norms of centroid and entities, kept with them: every score divides by them.
    centroid_norm: float = 0.0
    entities_norm: float = 0.0

    def __setstate__(self, state: dict) -> None:
        """Norms are recomputed, so state pickled before they were kept still scores right."""
        self.__dict__.update(state)
        self.centroid_norm, self.entities_norm = _norm(self.centroid), _norm(self.entities)

    def gap_days(self, published: str | None) -> float:
        """Days from `published` to the story's dated span (0 inside it or when unknown)."""
        if not published or not self.first_date:
            return 0.0
        if self.first_date <= published[:10] <= self.last_date:
            return 0.0
        return min(days_apart(published, self.first_date), days_apart(published, self.last_date))

    def add(self, article_id: str, vector: dict[str, float], entities: dict[str, float], published: str | None,
            event_us: int) -> None:
        self.members.add(article_id)
        self.centroid = _summed(self.centroid, vector)
        self.entities = _summed(self.entities, entities)
        self.centroid_norm, self.entities_norm = _norm(self.centroid), _norm(self.entities)
        if published:
            day = published[:10]
            self.first_date = min(self.first_date or day, day)
            self.last_date = max(self.last_date or day, day)
        self.last_event_us = max(self.last_event_us, event_us)


def _norm(vector: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in vector.values()))


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = _norm(vector) or 1.0
    return {t: w / norm for t, w in vector.items() if w > 0}


def cosine(a: dict[str, float], b: dict[str, float], norms: float) -> float:
    """`norms`: the product of both vectors' L2 norms, which callers keep rather than recompute."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    return dot / norms if norms else 0.0


class _Holders:
    """The open stories holding one term, as parallel arrays of story slot and the term's weight
    in the story's L2-normalised vector, so that a query adds a whole list up in one numpy
    operation; `at` is each slot's position, for updates."""

    __slots__ = ("slots", "weights", "at")

    def __init__(self) -> None:
        self.slots = np.empty(4, dtype=np.intp)
        self.weights = np.empty(4)
        self.at: dict[int, int] = {}

    def put(self, slot: int, weight: float) -> None:
        position = self.at.setdefault(slot, len(self.at))
        if position == len(self.slots):
            self.slots = np.resize(self.slots, 2 * position)
            self.weights = np.resize(self.weights, 2 * position)
        self.slots[position] = slot
        self.weights[position] = weight

    def remove(self, slot: int) -> None:
        """The last entry moves into the freed position."""
        position = self.at.pop(slot)
        last = len(self.at)
        if position != last:
            moved = int(self.slots[last])
            self.slots[position], self.weights[position] = moved, self.weights[last]
            self.at[moved] = position

    def add_to(self, sums: np.ndarray, value: float) -> None:
        """sums[slot] += value * weight for every story holding the term."""
        count = len(self.at)
        sums[self.slots[:count]] += value * self.weights[:count]


class _Postings:
    """Term -> its `_Holders`: the inverted index that finds the open stories sharing a term with
    an article without visiting the rest."""

    def __init__(self) -> None:
        self.by_term: dict[str, _Holders] = {}

    def put(self, slot: int, old: dict[str, float], new: dict[str, float], norm: float) -> None:
        """The story's vector went from `old` to `new` (raw weights, L2 norm `norm`; stored normalised)."""
        self.remove(slot, [term for term in old if term not in new])
        norm = norm or 1.0
        for term, weight in new.items():
            holders = self.by_term.get(term)
            if holders is None:
                holders = self.by_term[term] = _Holders()
            holders.put(slot, weight / norm)

    def remove(self, slot: int, terms: Iterable[str]) -> None:
        for term in terms:
            holders = self.by_term[term]
            holders.remove(slot)
            if not holders.at:
                del self.by_term[term]


# Candidate estimates and `cosine` sum in different orders; this margin keeps any story whose
# exact score could reach the threshold a candidate whatever either rounds.
_ROUNDING_MARGIN = 1e-9
# StoryIndex attributes rebuilt from the stories on unpickling.
_DERIVED = ("_postings", "_slot", "_story_at")


class StoryIndex:
    """Open stories, the document frequencies their TF-IDF weights come from, and an inverted
    index from terms and entities to the stories holding them.

    An article's score against a story is a weighted sum, over the terms and entities both hold,
    of article weight times story weight (both vectors normalised), so a story sharing nothing
    scores 0. `candidates` adds up the postings of the article's terms and entities per story
    slot (a story's place in numpy arrays, given in creation order) and keeps the stories whose
    sum reaches the threshold; `assign` scores those exactly as a scan of every open story would,
    in creation order (ties to the later story, as the scan), so the result is the scan's while
    the work per article is a few array operations, not a score per story. The index derives
    from the stories: it is rebuilt on unpickling, not kept in Beam state, and when expired
    stories leave more free slots than open ones."""

    def __init__(self, params: StoryParams):
        self.params = params
        self.stories: dict[str, Story] = {}
        self.story_of: dict[str, str] = {}
        self.doc_freq: Counter = Counter()
        self.docs = 0
        self._build_postings()

    def _build_postings(self) -> None:
        self._postings = (_Postings(), _Postings())
        self._slot: dict[str, int] = {}
        self._story_at: list[str] = []
        for story in self.stories.values():
            self._index(story, {}, {})

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in _DERIVED}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._build_postings()

    def _index(self, story: Story, old_centroid: dict[str, float], old_entities: dict[str, float]) -> None:
        slot = self._slot.setdefault(story.story_id, len(self._story_at))
        if slot == len(self._story_at):
            self._story_at.append(story.story_id)
        self._postings[0].put(slot, old_centroid, story.centroid, story.centroid_norm)
        self._postings[1].put(slot, old_entities, story.entities, story.entities_norm)

    def observe(self, articles: Iterable[StoryFeatures]) -> None:
        """Count document frequencies first, so a batch's weights do not depend on its order."""
        for article in articles:
            self.doc_freq.update(article.terms.keys())
            self.doc_freq.update(article.entities)
            self.docs += 1

    def _idf(self, term: str) -> float:
        return math.log((self.docs + 1) / (self.doc_freq[term] + 1)) + IDF_SMOOTHING

    def vectors(self, article: StoryFeatures) -> tuple[dict[str, float], dict[str, float]]:
        """L2-normalised TF-IDF vectors of the article's words and of its canonical entities."""
        text = {t: (1 + math.log(n)) * self._idf(t) for t, n in article.terms.items()}
        entities = {e: self._idf(e) for e in article.entities}
        return _normalised(text), _normalised(entities)

    def score(self, story: Story, text: dict[str, float], entities: dict[str, float],
              norms: tuple[float, float]) -> float:
        """`norms`: those of `text` and `entities`, computed once per article."""
        weight = self.params.entity_weight
        return ((1 - weight) * cosine(text, story.centroid, norms[0] * story.centroid_norm)
                + weight * cosine(entities, story.entities, norms[1] * story.entities_norm))

    def candidates(self, text: dict[str, float], entities: dict[str, float]) -> list[Story]:
        """The open stories whose score reaches the threshold (give or take rounding), in creation order."""
        weight = self.params.entity_weight
        sums = np.zeros(len(self._story_at))
        for postings, vector, scale in ((self._postings[0], text, 1 - weight), (self._postings[1], entities, weight)):
            scale /= _norm(vector) or 1.0
            for term, value in vector.items():
                holders = postings.by_term.get(term)
                if holders:
                    holders.add_to(sums, scale * value)
        floor = self.params.threshold * (1 - _ROUNDING_MARGIN) - _ROUNDING_MARGIN
        return [self.stories[self._story_at[slot]] for slot in np.flatnonzero(sums >= floor)]

    def best_match(self, stories: Iterable[Story], text: dict[str, float], entities: dict[str, float],
                   published: str | None) -> Story | None:
        """The highest-scoring of `stories` within the window and at the threshold (on a tie the
        later one), or None."""
        best, best_score = None, self.params.threshold
        norms = (_norm(text), _norm(entities))
        for story in stories:
            if story.gap_days(published) > self.params.window_days:
                continue
            score = self.score(story, text, entities, norms)
            if score >= best_score:
                best, best_score = story, score
        return best

    def assign(self, article: StoryFeatures, event_us: int = 0) -> str:
        """The story the article joins (or starts); articles must come in original order."""
        vector, entities = self.vectors(article)
        story = self.stories.get(self.story_of.get(article.duplicate_of or "", ""))
        if story is None:
            story = self.best_match(self.candidates(vector, entities), vector, entities, article.published_at)
        if story is None:
            story = Story(story_id=records.stable_id("story", article.id))
            self.stories[story.story_id] = story
        old_centroid, old_entities = story.centroid, story.entities
        story.add(article.id, vector, entities, article.published_at, event_us)
        self._index(story, old_centroid, old_entities)
        self.story_of[article.id] = story.story_id
        return story.story_id

    def expire(self, before_us: int) -> None:
        """Forget stories with no article since `before_us` (event time)."""
        for story_id in [s for s, story in self.stories.items() if story.last_event_us < before_us]:
            story = self.stories.pop(story_id)
            slot = self._slot.pop(story_id)
            self._postings[0].remove(slot, story.centroid)
            self._postings[1].remove(slot, story.entities)
            for member in story.members:
                self.story_of.pop(member, None)
        if len(self._story_at) > 2 * len(self.stories):
            self._build_postings()


def cluster(articles: Iterable[dict], params: StoryParams) -> dict[str, str]:
    """article id -> story id for a whole collection (the batch result, in plain Python)."""
    ordered = sorted((story_features(a) for a in articles), key=lambda features: features.rank)
    index = StoryIndex(params)
    index.observe(ordered)
    return {features.id: index.assign(features) for features in ordered}


def story_record(story_id: str, members: list[dict]) -> dict:
    """The story document: its articles, title (earliest original's), time span, top entities."""
    ordered = sorted(members, key=original_rank)
    originals = [m for m in ordered if m.get("duplicate_kind") != "exact"] or ordered
    dates = sorted(m["published_at"] for m in ordered if m.get("published_at"))
    entity_articles: Counter = Counter()
    names: dict[str, dict] = {}
    for member in originals:
        for entity in member.get("entities", []):
            key = entity.get("id") or f"{entity['type']}:{entity['name']}"
            entity_articles[key] += 1
            names.setdefault(key, entity)
    top = sorted(entity_articles.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ENTITIES]
    sources = sorted({m["source"] for m in ordered if m.get("source")})
    return {
        "id": story_id,
        "story_id": story_id,
        "article_ids": [m["id"] for m in ordered],
        "title": originals[0]["title"],
        "first_seen": dates[0] if dates else None,
        "last_seen": dates[-1] if dates else None,
        "top_entities": [names[key]["name"] for key, _ in top],
        "article_count": len(ordered),
        "unique_article_count": len(originals),
        "source_count": len(sources),
        "sources": sources,
    }


def story_member(article: dict) -> dict:
    """What a story record needs of an article."""
    keep = ("id", "title", "published_at", "source", "duplicate_kind", "order_key")
    member = {k: article.get(k) for k in keep}
    member["entities"] = [{k: e.get(k) for k in ("name", "type", "id")} for e in article.get("entities", [])]
    return member


def story_params(settings: Settings) -> StoryParams:
    return StoryParams(window_days=settings.get("stories.window_days"), threshold=settings.get("stories.threshold"),
                       entity_weight=settings.get("stories.entity_weight"))


class AssignStoryState(beam.DoFn):
    """Keyed by language: buffers articles, clusters them in original order once they settle.

    One key per language: story clustering compares an article with every open story, so it
    parallelises across languages; state holds story centroids (bounded terms), not articles,
    and forgets stories idle for the horizon."""

    PENDING = BagStateSpec("pending", PickleCoder())
    INDEX = ReadModifyWriteStateSpec("index", PickleCoder())
    DUE = ReadModifyWriteStateSpec("due", PickleCoder())
    SETTLE = TimerSpec("settle", TimeDomain.WATERMARK)

    def __init__(self, params: StoryParams, settle: Duration, horizon: Duration):
        self._params = params
        self._settle = settle
        self._horizon = horizon

    def process(self, keyed, ts=beam.DoFn.TimestampParam, pending=beam.DoFn.StateParam(PENDING),
                due=beam.DoFn.StateParam(DUE), settle=beam.DoFn.TimerParam(SETTLE)):
        # The timer stays at the earliest pending article's settle time: one key per language
        # takes articles all the time, and moving the timer on with each would starve the earlier.
        at = settle_time(keyed[1], ts, self._settle).micros
        pending.add((ts.micros, at, keyed[1]))
        earliest = due.read()
        if earliest is None or at < earliest:
            due.write(at)
            settle.set(Timestamp(micros=at))

    @on_timer(SETTLE)
    def decide(self, ts=beam.DoFn.TimestampParam, pending=beam.DoFn.StateParam(PENDING),
               index_state=beam.DoFn.StateParam(INDEX), due=beam.DoFn.StateParam(DUE),
               settle=beam.DoFn.TimerParam(SETTLE)) -> Iterator[dict]:
        waiting = list(pending.read())
        batch = sorted((item for item in waiting if item[1] <= ts.micros), key=lambda item: original_rank(item[2]))
        later = [item for item in waiting if item[1] > ts.micros]
        pending.clear()
        due.clear()
        for item in later:
            pending.add(item)
        if later:
            next_at = min(at for _, at, _ in later)
            due.write(next_at)
            settle.set(Timestamp(micros=next_at))
        index = index_state.read() or StoryIndex(self._params)
        story_ids = assign_settled(index, [(event_us, story_features(article)) for event_us, _, article in batch],
                                   (ts - self._horizon).micros)
        for (_, _, article), story_id in zip(batch, story_ids):
            yield {**article, "story_id": story_id}
        index_state.write(index)


def assign_settled(index: StoryIndex, batch: Iterable[tuple[int, StoryFeatures]], expired_before_us: int) -> list[str]:
    """(event time, features) of articles settled together, in original order (walked twice) ->
    their story ids; stories idle since `expired_before_us` are closed first."""
    index.expire(expired_before_us)
    index.observe(features for _, features in batch)
    return [index.assign(features, event_us) for event_us, features in batch]


def assign_by_settle_time(packed: Iterable[bytes], params: StoryParams,
                          horizon: Duration) -> Iterator[tuple[str, tuple[str, int]]]:
    """Packed (settle time, event time, rank, id, packed features) of all of a language's articles
    in a batch run -> (article id, (story id, settle time)), decided as `AssignStoryState`'s settle
    timer decides them: the articles due at each settle time together, earliest time first. Through state,
    every firing would read and rewrite all articles still pending: quadratic in a dated archive,
    where nearly every article has a settle time of its own. Features stay packed until their
    turn and are decoded on each walk (`_Unpacked`): decoded, 10,000 BBC articles' features take
    120 MB, packed 33 MB; what orders them is packed beside them, so sorting decodes none."""
    due: dict[int, list[tuple[tuple, str, int, bytes]]] = defaultdict(list)
    for value in packed:
        at_us, event_us, rank, article_id, features = unpack(value)
        due[at_us].append((rank, article_id, event_us, features))
    index = StoryIndex(params)
    for at_us in sorted(due):
        batch = sorted(due.pop(at_us), key=lambda entry: entry[0])
        story_ids = assign_settled(index, _Unpacked(batch), at_us - horizon.micros)
        for (_, article_id, _, _), story_id in zip(batch, story_ids):
            yield article_id, (story_id, at_us)


class _Unpacked:
    """(event time, features) of packed entries, decoded each time it is walked (`assign_settled`
    walks a batch twice: document frequencies, then assignment)."""

    def __init__(self, entries: list[tuple[tuple, str, int, bytes]]):
        self._entries = entries

    def __iter__(self) -> Iterator[tuple[int, StoryFeatures]]:
        for _, _, event_us, features in self._entries:
            yield event_us, unpack(features)


class CollectStoryState(beam.DoFn):
    """Keyed by story id: emits the story record once its articles settle (again on updates in
    streaming; same id, so Elasticsearch keeps the latest)."""

    MEMBERS = BagStateSpec("members", PickleCoder())
    SETTLE = TimerSpec("settle", TimeDomain.WATERMARK)

    def __init__(self, settle: Duration, horizon: Duration):
        self._settle = settle
        self._horizon = horizon

    def process(self, keyed, ts=beam.DoFn.TimestampParam, members=beam.DoFn.StateParam(MEMBERS),
                settle=beam.DoFn.TimerParam(SETTLE)):
        members.add(keyed[1])
        settle.set(ts + self._settle)

    @on_timer(SETTLE)
    def emit(self, key=beam.DoFn.KeyParam, members=beam.DoFn.StateParam(MEMBERS)):
        yield story_record(key, list(members.read()))

    def decide_group(self, story_id: str, group: Group) -> list[TimestampedValue]:
        """A whole batch group at once: the story record, once its last article settled."""
        return [TimestampedValue(story_record(story_id, [member for member, _ in group]),
                                 max(ts for _, ts in group) + self._settle)]


def _durations(settings: Settings) -> tuple[Duration, Duration]:
    return (Duration(seconds=settings.get("dedup.settle_seconds")),
            Duration(seconds=settings.get("dedup.horizon_days") * 86400))


def _language(article: dict) -> str:
    return article.get("language") or "und"


def _with_story(article: dict, assigned: dict[str, tuple[str, int]]) -> TimestampedValue:
    story_id, at_us = assigned[article["id"]]
    return TimestampedValue({**article, "story_id": story_id}, Timestamp(micros=at_us))


class AssignStories(beam.PTransform):
    """Articles -> the same articles with `story_id`, each at its settle time.

    Streaming: `AssignStoryState` holds each language's articles until they settle. Batch: each
    language's features (not its articles; packed, see `transforms.packing`) go to one worker,
    which decides them all (`assign_by_settle_time`), and the story ids reach every worker as a
    side input; the articles themselves are neither grouped nor moved."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._params = story_params(settings)
        self._settle, self._horizon = _durations(settings)

    def expand(self, articles):
        params, settle, horizon = self._params, self._settle, self._horizon
        if is_streaming(articles):
            return (articles
                    | "KeyByLanguage" >> beam.Map(lambda a: (_language(a), a)).with_output_types(KEYED)
                    | "Cluster" >> StatefulStage(AssignStoryState(params, settle, horizon)))

        def features_at(article: dict, ts=beam.DoFn.TimestampParam) -> tuple:
            features = story_features(article)
            return _language(article), pack((settle_time(article, ts, settle).micros, ts.micros, features.rank,
                                             features.id, pack(features)))

        assigned = (articles
                    | "Features" >> beam.Map(features_at)
                    | "ByLanguage" >> beam.GroupByKey()
                    | "Cluster" >> beam.FlatMapTuple(
                        lambda _, packed: assign_by_settle_time(packed, params, horizon)))
        return articles | "WithStory" >> beam.Map(_with_story, beam.pvalue.AsDict(assigned))


class CollectStories(beam.PTransform):
    """Articles (with story ids) -> story records."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._settle, self._horizon = _durations(settings)

    def expand(self, articles):
        collecting = CollectStoryState(self._settle, self._horizon)
        return (
            articles
            | "WithStory" >> beam.Filter(lambda a: a.get("story_id"))
            | "KeyByStory" >> beam.Map(lambda a: (a["story_id"], story_member(a))).with_output_types(KEYED)
            | "Collect" >> StatefulStage(collecting, decide=collecting.decide_group)
        )
