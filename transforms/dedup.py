"""Exact and near duplicates as Beam keyed state, so they run alike in batch, streaming and on a cluster.

Exact copies are keyed by the hash of their normalised content; near copies meet under the LSH
band keys of their MinHash signatures (transforms/sketches.py) and are verified on shingles.
The original of a group is the earliest published article (undated last, ties: input order).

Determinism. Runners deliver a key's elements in any order, so no decision is taken when an
element arrives: each stateful DoFn buffers and decides in an event-time timer set `settle`
after the element's timestamp. In batch the watermark only moves (to the end of time) once all
input is in, so every timer fires after the whole group is known and the result is the same
for every delivery order; a later-arriving earlier original simply wins.

Streaming (`watch`). A decision is taken once the watermark passes an article's timestamp plus
`dedup.settle_seconds` and is final afterwards: an exact copy arriving later is marked as a copy
of the published original, and a near link found later is not applied (a record is never
re-marked after it went out). State for a key expires `dedup.horizon_days` of event time after
the last article that touched it, and two dated articles further apart than the horizon are
never linked, so batch and streaming agree on what counts as a copy.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable, Iterator

import apache_beam as beam
import numpy as np
from apache_beam.coders import PickleCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp

from newsmon.transforms import records
from newsmon.transforms.eventtime import KEYED, Group, StatefulStage, is_streaming, settle_time
from newsmon.transforms.settings import Settings
from newsmon.transforms.sketches import SketchParams, containment, sketch

COPIES = "exact_copies"
# An article's own fields; everything else on an enriched original (entities, locations,
# keyword arrays, story_id, ...) is enrichment that exact copies inherit.
OWN_FIELDS = frozenset(("id", "title", "text", "url", "path", "source", "published_at", "language",
                        "input", "order_key", "duplicate_of", "duplicate_kind"))
# Fewer shared shingles than this cannot tell a copy from a shared phrase.
MIN_SHINGLES = 8


def original_rank(article: dict) -> tuple:
    """Sort key: published first (undated last), then input order."""
    published = article.get("published_at")
    return (published is None, published or "", article["order_key"])


def content_hash(article: dict) -> str:
    return records.stable_id(records.content_key(article["title"], article["text"]))


def mark_copy(article: dict, original_id: str, kind: str) -> dict:
    return {**article, "duplicate_of": original_id, "duplicate_kind": kind}


def split_exact_copies(group: Iterable[dict], original: tuple | None = None) -> tuple[tuple, list[dict]]:
    """(original's (rank, id), articles marked) for articles of the same content; `original` is
    an already published original of the group, which stays the original."""
    ordered = sorted(group, key=original_rank)
    if original is None:
        original = (original_rank(ordered[0]), ordered[0]["id"])
    marked = [a if a["id"] == original[1] else mark_copy(a, original[1], "exact") for a in ordered]
    return original, marked


def enrichment_of(original: dict) -> dict:
    return {k: v for k, v in original.items() if k not in OWN_FIELDS}


def days_apart(a: str | None, b: str | None) -> float | None:
    """Days between two ISO dates/datetimes, None when either is unknown."""
    if not a or not b:
        return None
    try:
        first, second = (datetime.fromisoformat(x[:19]) for x in (a, b))
    except ValueError:
        return None
    return abs((first - second).total_seconds()) / 86400


def is_near_copy(a: dict, b: dict, threshold: float, horizon_days: float) -> bool:
    """Verify an LSH candidate pair: enough shingles, high containment, not too far apart in time."""
    apart = days_apart(a["published_at"], b["published_at"])
    if apart is not None and apart > horizon_days:
        return False
    shingles_a, shingles_b = entry_shingles(a), entry_shingles(b)
    if min(len(shingles_a), len(shingles_b)) < MIN_SHINGLES:
        return False
    return containment(shingles_a, shingles_b) >= threshold


def near_entry(article: dict, shingles: np.ndarray) -> dict:
    """What a band keeps of an article: enough to verify and rank, not the article itself. The
    shingles are kept as bytes, which Beam's coders write as they are (a numpy array is pickled)."""
    return {"id": article["id"], "rank": original_rank(article), "published_at": article["published_at"],
            "shingles": shingles.astype(np.uint32).tobytes()}


def entry_shingles(entry: dict) -> np.ndarray:
    """An entry's sorted unique shingle hashes (uint32), read in place from its bytes."""
    return np.frombuffer(entry["shingles"], dtype=np.uint32)


def sketched_entry(article: dict, params: SketchParams) -> tuple[dict, tuple[str, ...]]:
    """(the article's band entry, its band keys)."""
    sk = sketch(article["title"], article["text"], params)
    return near_entry(article, sk.shingles), sk.band_keys


def link_for_later(a: dict, b: dict) -> tuple[str, tuple]:
    """(later article id, (earlier rank, earlier id)) for a verified pair."""
    earlier, later = sorted((a, b), key=lambda e: (e["rank"], e["id"]))
    return later["id"], (earlier["rank"], earlier["id"])


def verified_links(entry: dict, others: Iterable[dict], threshold: float, horizon_days: float) -> Iterator[tuple]:
    """A link (`link_for_later`) between `entry` and each other article of `others` it verifies with."""
    for other in others:
        if other["id"] != entry["id"] and is_near_copy(entry, other, threshold, horizon_days):
            yield link_for_later(entry, other)


def band_links(entries: list[dict], threshold: float, horizon_days: float) -> list[tuple]:
    """Every verified link among a band's entries: what `NearDuplicateBand` gives for them, in
    whatever order they arrive (each pair is compared once, when the later one comes)."""
    return [link for i, entry in enumerate(entries) for link in verified_links(entry, entries[:i], threshold, horizon_days)]


def resolved(article: dict, links: list[tuple]) -> dict:
    """The article, marked as a near copy of the earliest original among its links, if any."""
    return mark_copy(article, min(links)[1], "near") if links else article


def find_near_duplicates(articles: Iterable[dict], params: SketchParams, threshold: float,
                         horizon_days: float) -> dict[str, str]:
    """article id -> id of its earliest verified near original, for a whole collection.

    The same band keys, verification and choice as the Beam stage (`LinkNearDuplicates`),
    without a runner: the reference the tests and the benchmark compare the stage against."""
    bands: dict[str, list[dict]] = {}
    best: dict[str, tuple] = {}
    for article in articles:
        entry, keys = sketched_entry(article, params)
        for key in keys:
            members = bands.setdefault(key, [])
            for later, earlier in verified_links(entry, members, threshold, horizon_days):
                if later not in best or earlier < best[later]:
                    best[later] = earlier
            members.append(entry)
    return {later: earlier[1] for later, earlier in best.items()}


class _Horizon:
    """Expiry bookkeeping shared by the stateful DoFns: latest event time seen for the key."""

    LATEST = ReadModifyWriteStateSpec("latest", PickleCoder())

    @staticmethod
    def extend(latest_state, expiry_timer, ts: Timestamp, horizon: Duration) -> None:
        latest = latest_state.read()
        if latest is None or ts > latest:
            latest_state.write(ts)
            expiry_timer.set(ts + horizon)


class ExactDuplicateState(beam.DoFn):
    """Keyed by content hash: picks the original of identical articles, marks the rest as copies."""

    PENDING = BagStateSpec("pending", PickleCoder())
    ORIGINAL = ReadModifyWriteStateSpec("original", PickleCoder())
    SETTLE = TimerSpec("settle", TimeDomain.WATERMARK)
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, settle: Duration, horizon: Duration):
        self._settle = settle
        self._horizon = horizon

    def process(self, keyed, ts=beam.DoFn.TimestampParam, pending=beam.DoFn.StateParam(PENDING),
                latest=beam.DoFn.StateParam(_Horizon.LATEST), settle=beam.DoFn.TimerParam(SETTLE),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        pending.add(keyed[1])
        settle.set(settle_time(keyed[1], ts, self._settle))
        _Horizon.extend(latest, expiry, ts, self._horizon)

    @on_timer(SETTLE)
    def decide(self, pending=beam.DoFn.StateParam(PENDING), original=beam.DoFn.StateParam(ORIGINAL)):
        yield from self._flush(pending, original)

    @on_timer(EXPIRY)
    def expire(self, pending=beam.DoFn.StateParam(PENDING), original=beam.DoFn.StateParam(ORIGINAL),
               latest=beam.DoFn.StateParam(_Horizon.LATEST)):
        yield from self._flush(pending, original)
        original.clear()
        latest.clear()

    @staticmethod
    def _flush(pending, original_state) -> Iterator:
        group = list(pending.read())
        pending.clear()
        if not group:
            return
        original, marked = split_exact_copies(group, original_state.read())
        original_state.write(original)
        yield from marked


class TakeFromOriginal(beam.DoFn):
    """Keyed by original id: dependent records (exact copies, events) wait for the fields taken
    from their original ("original" elements), then carry them.

    A dependent record goes out no earlier than its original did: the original may have left a
    settle timer later than the dependent's own time, and a record moved back behind the watermark
    would be dropped as late by windowed stages downstream (the alert join)."""

    TAKEN = ReadModifyWriteStateSpec("taken", PickleCoder())
    PENDING = BagStateSpec("pending", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, horizon: Duration):
        self._horizon = horizon

    def process(self, keyed, ts=beam.DoFn.TimestampParam, taken=beam.DoFn.StateParam(TAKEN),
                pending=beam.DoFn.StateParam(PENDING), latest=beam.DoFn.StateParam(_Horizon.LATEST),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        kind, record = keyed[1]
        _Horizon.extend(latest, expiry, ts, self._horizon)
        if kind == "original":
            taken.write((ts, record))
            for waited_ts, dependent in pending.read():
                yield TimestampedValue({**dependent, **record}, max(ts, waited_ts))
            pending.clear()
            return
        known = taken.read()
        if known is None:
            pending.add((ts, record))
        else:
            original_ts, fields = known
            yield TimestampedValue({**record, **fields}, max(ts, original_ts))

    @on_timer(EXPIRY)
    def expire(self, taken=beam.DoFn.StateParam(TAKEN), pending=beam.DoFn.StateParam(PENDING),
               latest=beam.DoFn.StateParam(_Horizon.LATEST)):
        # Records whose original never came (it was dead-lettered downstream) still go out, as they are.
        for _, dependent in pending.read():
            yield dependent
        pending.clear()
        taken.clear()
        latest.clear()


class AttachToOriginals(beam.PTransform):
    """(originals, dependent records) -> the dependent records with `take(original)` merged in;
    `original_id(record)` names a dependent record's original. Only what `take` gives of an
    original is shuffled, not the whole record; in batch only for the originals a dependent names
    (every dependent is known first): exact copies name a few percent of the articles."""

    def __init__(self, take: Callable[[dict], dict], original_id: Callable[[dict], str], horizon: Duration):
        super().__init__()
        self._take = take
        self._original_id = original_id
        self._horizon = horizon

    def _attach_group(self, key: str, group: Group) -> list:
        """A whole batch group at once, as `TakeFromOriginal` would give it: each dependent record
        with the original's fields, no earlier than the original; without an original, as it is."""
        originals = [(ts, fields) for (kind, fields), ts in group if kind == "original"]
        dependents = [(ts, record) for (kind, record), ts in group if kind == "dependent"]
        if not originals:
            return [record for _, record in dependents]
        original_ts, fields = originals[0]
        return [TimestampedValue({**record, **fields}, max(ts, original_ts)) for ts, record in dependents]

    def expand(self, pcolls):
        originals, dependents = pcolls
        original_id, take = self._original_id, self._take
        if not is_streaming(originals):
            named = dependents | "NamedOriginals" >> beam.Map(lambda r: (original_id(r), None))
            originals = originals | "OnlyNamed" >> beam.Filter(lambda a, named: a["id"] in named,
                                                               beam.pvalue.AsDict(named))
        return (
            (
                originals | "KeyOriginals" >> beam.Map(lambda a: (a["id"], ("original", take(a)))),
                dependents | "KeyDependents" >> beam.Map(lambda r: (original_id(r), ("dependent", r))),
            )
            | "OriginalsAndDependents" >> beam.Flatten().with_output_types(KEYED)
            | "Attach" >> StatefulStage(TakeFromOriginal(self._horizon), decide=self._attach_group)
        )


class NearDuplicateBand(beam.DoFn):
    """Keyed by LSH band: compares each article with the band's earlier members and emits
    verified links (later id, (earlier rank, earlier id)), whichever of the two came first."""

    ENTRIES = BagStateSpec("entries", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, threshold: float, horizon_days: float):
        self._threshold = threshold
        self._horizon_days = horizon_days
        self._horizon = Duration(seconds=horizon_days * 86400)

    def process(self, keyed, ts=beam.DoFn.TimestampParam, entries=beam.DoFn.StateParam(ENTRIES),
                latest=beam.DoFn.StateParam(_Horizon.LATEST), expiry=beam.DoFn.TimerParam(EXPIRY)):
        entry = keyed[1]
        yield from verified_links(entry, entries.read(), self._threshold, self._horizon_days)
        entries.add(entry)
        _Horizon.extend(latest, expiry, ts, self._horizon)

    @on_timer(EXPIRY)
    def expire(self, entries=beam.DoFn.StateParam(ENTRIES), latest=beam.DoFn.StateParam(_Horizon.LATEST)):
        entries.clear()
        latest.clear()


class ResolveNearDuplicates(beam.DoFn):
    """Keyed by article id: holds the article until it settles, then links it to the earliest
    verified earlier article, if any."""

    ARTICLE = ReadModifyWriteStateSpec("article", PickleCoder())
    BEST = ReadModifyWriteStateSpec("best", PickleCoder())
    SETTLE = TimerSpec("settle", TimeDomain.WATERMARK)

    def __init__(self, settle: Duration):
        self._settle = settle

    def process(self, keyed, ts=beam.DoFn.TimestampParam, article=beam.DoFn.StateParam(ARTICLE),
                best=beam.DoFn.StateParam(BEST), settle=beam.DoFn.TimerParam(SETTLE)):
        kind, value = keyed[1]
        if kind == "article":
            article.write(value)
            settle.set(settle_time(value, ts, self._settle))
            return
        current = best.read()
        if current is None or value < current:
            best.write(value)

    @on_timer(SETTLE)
    def decide(self, article=beam.DoFn.StateParam(ARTICLE), best=beam.DoFn.StateParam(BEST)):
        record, link = article.read(), best.read()
        article.clear()
        best.clear()
        if record is not None:
            yield resolved(record, [link] if link else [])


def dedup_params(settings: Settings) -> tuple[SketchParams, Duration, Duration]:
    sketch_params = SketchParams(
        shingle_words=settings.get("dedup.shingle_words"),
        num_perm=settings.get("dedup.num_perm"),
        rows_per_band=settings.get("dedup.rows_per_band"),
        lead_words=settings.get("dedup.lead_words"),
    )
    settle = Duration(seconds=settings.get("dedup.settle_seconds"))
    horizon = Duration(seconds=settings.get("dedup.horizon_days") * 86400)
    return sketch_params, settle, horizon


class MarkExactDuplicates(beam.PTransform):
    """Articles -> originals (main output) and exact copies (tagged COPIES), marked."""

    def __init__(self, settings: Settings):
        super().__init__()
        _, self._settle, self._horizon = dedup_params(settings)

    def expand(self, articles):
        settle = self._settle

        def only_copy(key: str, article: dict, ts: Timestamp) -> list:
            return [TimestampedValue(article, settle_time(article, ts, settle))]

        def split(article: dict):
            return beam.pvalue.TaggedOutput(COPIES, article) if article["duplicate_of"] else article

        return (
            articles
            | "KeyByContent" >> beam.Map(lambda a: (content_hash(a), a)).with_output_types(KEYED)
            | "PickOriginal" >> StatefulStage(ExactDuplicateState(settle, self._horizon), decide_alone=only_copy)
            | "SplitCopies" >> beam.Map(split).with_outputs(COPIES, main="originals")
        )


def meetings_in_shard(members: Iterable[tuple[str, list[str]]]) -> Iterable[tuple[str, dict[str, str]]]:
    """(article id, {other article id: the smallest key the two share here}) for each article that
    shares a key with another, from a shard's (article id, its keys in the shard) pairs."""
    holders: dict[str, list[str]] = {}
    for article_id, keys in members:
        for key in keys:
            holders.setdefault(key, []).append(article_id)
    meetings: dict[str, dict[str, str]] = {}
    for key, ids in holders.items():
        if len(ids) < 2:
            continue
        for article_id in ids:
            met = meetings.setdefault(article_id, {})
            for other in ids:
                if other != article_id and (other not in met or key < met[other]):
                    met[other] = key
    return meetings.items()


def meeting_keys(meetings: Iterable[dict[str, str]]) -> list[str]:
    """The band keys an article needs in a batch run, from its `meetings_in_shard` of every shard:
    for each other article, the smallest key they share. Both articles of a pair pick the same
    key, so every pair that shares a key is compared, and only once (a copy shares most of its
    32 keys with its original)."""
    first: dict[str, str] = {}
    for met in meetings:
        for other, key in met.items():
            if other not in first or key < first[other]:
                first[other] = key
    return list(set(first.values()))


class KeyByBand(beam.PTransform):
    """(band entry, band keys) of each article -> (band key, entry) elements for `NearDuplicateBand`.

    Streaming: every key of every article (a later article may share any of them). Batch: each
    pair of articles that share a key meets in one key (`meeting_keys`), and keys held by one
    article are dropped (it can never meet another there: nearly all keys). An entry carries
    the article's shingles (about 2 kB), so the keys are grouped first without them: in `SHARDS`
    shards, an article's keys of a shard in one element (a Beam element per (key, article) pair
    costs more than finding the shared keys of a shard in a dict). A key's band is its position
    in the article's keys (`sketch` gives them in band order), so shard = position modulo
    `SHARDS` puts a shared key in the same shard for every article holding it. The few articles
    that meet another get their meeting keys by id, and their entries are sent there through a
    side input of those keys: entries are neither grouped nor joined by id."""

    SHARDS = 4

    def expand(self, sketched):
        if is_streaming(sketched):
            return sketched | "AllKeys" >> beam.FlatMap(lambda s: [(key, s[0]) for key in s[1]]).with_output_types(KEYED)
        shards = self.SHARDS

        def by_shard(sketch: tuple[dict, tuple[str, ...]]) -> list:
            entry, keys = sketch
            return [(shard, (entry["id"], keys[shard::shards])) for shard in range(min(shards, len(keys)))]

        def to_keys(entry: dict, meeting: dict[str, list[str]]) -> list:
            return [(key, entry) for key in meeting.get(entry["id"], ())]

        meeting = (sketched
                   | "KeysByShard" >> beam.FlatMap(by_shard)
                   | "GroupShards" >> beam.GroupByKey()
                   | "MeetingsInShard" >> beam.FlatMapTuple(lambda shard, members: meetings_in_shard(members))
                   | "MeetingsById" >> beam.GroupByKey()
                   | "MeetingKeys" >> beam.MapTuple(lambda article_id, meetings: (article_id, meeting_keys(meetings))))
        return (sketched
                | "Entries" >> beam.Map(lambda s: s[0])
                | "ToMeetingKeys" >> beam.FlatMap(to_keys, beam.pvalue.AsDict(meeting)).with_output_types(KEYED))


class ResolveLinks(beam.PTransform):
    """(articles, links (later id, (earlier rank, earlier id))) -> the articles, each near copy
    marked with the earliest of its originals, at its settle time.

    Streaming: `ResolveNearDuplicates` holds each article until it settles. Batch: all links are
    known before any article is decided, and only near copies have any, so the earliest link of
    each copy is found without the articles and handed to every worker; the articles themselves
    are neither grouped nor moved (which their settle timers decide in the same way)."""

    def __init__(self, settle: Duration):
        super().__init__()
        self._settle = settle

    def expand(self, pcolls):
        articles, links = pcolls
        if is_streaming(articles):
            keyed = articles | "KeyById" >> beam.Map(lambda a: (a["id"], ("article", a)))
            tagged = links | "AsLink" >> beam.MapTuple(lambda later, earlier: (later, ("link", earlier)))
            return ((keyed, tagged) | "ArticlesAndLinks" >> beam.Flatten().with_output_types(KEYED)
                    | "Resolve" >> StatefulStage(ResolveNearDuplicates(self._settle)))
        settle = self._settle

        def mark(article: dict, earliest: dict, ts=beam.DoFn.TimestampParam) -> TimestampedValue:
            link = earliest.get(article["id"])
            return TimestampedValue(resolved(article, [link] if link else []), settle_time(article, ts, settle))

        earliest = links | "Earliest" >> beam.CombinePerKey(min)
        return articles | "Mark" >> beam.Map(mark, beam.pvalue.AsDict(earliest))


class LinkNearDuplicates(beam.PTransform):
    """Articles -> the same articles, near copies marked with their earliest verified original."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._params, self._settle, _ = dedup_params(settings)
        self._threshold = settings.get("dedup.near_threshold")
        self._horizon_days = settings.get("dedup.horizon_days")

    def expand(self, articles):
        threshold, horizon_days = self._threshold, self._horizon_days

        def compare_band(key: str, group: Group) -> list:
            return band_links([entry for entry, _ in group], threshold, horizon_days)

        links = (
            articles
            | "Sketch" >> beam.Map(sketched_entry, self._params)
            | "KeyByBand" >> KeyByBand()
            | "CompareInBand" >> StatefulStage(NearDuplicateBand(threshold, horizon_days), decide=compare_band)
        )
        return (articles, links) | "Resolve" >> ResolveLinks(self._settle)


class JoinExactCopies(beam.PTransform):
    """(enriched originals, exact copies) -> the copies with their original's enrichment."""

    def __init__(self, settings: Settings):
        super().__init__()
        _, _, self._horizon = dedup_params(settings)

    def expand(self, pcolls):
        return pcolls | "ToOriginals" >> AttachToOriginals(enrichment_of, lambda copy: copy["duplicate_of"],
                                                            self._horizon)
