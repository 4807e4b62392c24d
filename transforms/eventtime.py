"""Keep an article's event time across stages that re-stamp elements.

Batching stages (`BatchElements` before the spaCy model) emit their batches at the end of the
window, which would push every downstream event-time timer (dedup settle, state expiry) to the
end of time and stall streaming runs. The article's timestamp is written into the record before
such a stage and put back after it.

Timestamps only ever move forward past a settle timer: records leave the settled stages at the
settle time (their event time + `dedup.settle_seconds`), not back at their event time, since by
then the watermark has passed it and windowed stages downstream would drop them as late.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp

from newsmon.transforms.packing import pack, unpack

EVENT_TIME = "event_time_us"
# Keyed elements: the input type a stateful DoFn needs.
KEYED = beam.typehints.Tuple[str, beam.typehints.Any]


def stamp(article: dict, ts=beam.DoFn.TimestampParam) -> dict:
    """The article with its element timestamp written in (kept if it already has one)."""
    return article if EVENT_TIME in article else {**article, EVENT_TIME: ts.micros}


def at_event_time(record: dict, article: dict) -> TimestampedValue:
    """`record` (the article or one of its events) at the article's event time."""
    return TimestampedValue(record, Timestamp(micros=article[EVENT_TIME]))


def settle_time(article: dict, ts: Timestamp, settle: Duration) -> Timestamp:
    """When a decision on `article` is due: `settle` after its event time (the element's timestamp
    where it was not stamped), and never before the element that asks (an event-time timer holds
    the watermark at its time, so outputs at that time are never late for windowed stages
    downstream). Stages behind a settled one thus decide as soon as their input has caught up,
    instead of adding a settle each."""
    event_time = Timestamp(micros=article[EVENT_TIME]) if EVENT_TIME in article else ts
    return max(ts, event_time + settle)


def is_streaming(pcoll: beam.PCollection) -> bool:
    """Whether `pcoll`'s pipeline runs streaming: batch runs take shortcuts that only hold when
    every key's input is known before anything is decided."""
    return pcoll.pipeline.options.view_as(StandardOptions).streaming


# A batch group's elements as `StatefulStage` hands them to `decide`: (value, event time) pairs.
Group = list[tuple[Any, Timestamp]]
# Output of `StatefulStage`'s split for the single-element groups decided without state.
_DECIDED = "decided"


def _unpacked(values: Iterable[bytes]) -> Group:
    return [(value, Timestamp(micros=micros)) for value, micros in map(unpack, values)]


class _UngroupOrDecideAlone(beam.DoFn):
    """(key, [packed (value, event time)]) -> `decide_alone(key, value, ts)`'s records for a key
    holding a single element (tagged output), else the group's elements back as timestamped
    (key, value) pairs (main output) for the stateful DoFn."""

    def __init__(self, decide_alone: Callable[[Any, Any, Timestamp], Iterable] | None):
        self._decide_alone = decide_alone

    def process(self, grouped) -> Iterator:
        key, values = grouped
        group = _unpacked(values)
        if self._decide_alone is not None and len(group) == 1:
            value, ts = group[0]
            for record in self._decide_alone(key, value, ts):
                yield beam.pvalue.TaggedOutput(_DECIDED, record)
            return
        for value, ts in group:
            yield TimestampedValue((key, value), ts)


class StatefulStage(beam.PTransform):
    """(key, value) elements -> the outputs of the stateful `dofn` (one PCollection).

    Batch runs group the elements by key first (timestamps kept). The grouping is the stage
    boundary Python's in-process batch runner needs in front of a DoFn with event-time timers
    (fused behind another stateful stage's timer output, its timers are dropped), and it hands all
    of a key's elements to one bundle. With bounded input and state empty at the start, a group
    is all the key will ever see, so a stage may decide without touching state:
    - `decide(key, group)` gives every group's records, as the DoFn's timers would (joins, story
      records, near-duplicate bands, alert decisions): batch runs then have no stateful step;
    - `decide_alone(key, value, ts)` gives the records of a key holding a single element, which
      can never meet another (exact copies: nearly every content hash); other groups go through
      the DoFn.
    A state request costs about a millisecond on the batch runner (a gRPC round trip to the
    runner process, or the state cache weighing the value by walking every loaded module), and
    that runner runs a stateful step, and what is fused behind it, on a single worker: a heavy
    stage that follows spreads its input again itself (the model: `ExtractEntities`), light ones
    do not pay a reshuffle of every record. Values are grouped packed as bytes
    (`transforms.packing`): that runner holds every group in its own process until it is read.
    Streaming runners hand elements straight to the DoFn: any key may still receive a later element."""

    def __init__(self, dofn: beam.DoFn, decide: Callable[[Any, Group], Iterable] | None = None,
                 decide_alone: Callable[[Any, Any, Timestamp], Iterable] | None = None, keyed_type=KEYED):
        super().__init__()
        self._dofn = dofn
        self._decide = decide
        self._decide_alone = decide_alone
        # The (key, value) type: its key part gives the deterministic key coder state needs.
        self._keyed_type = keyed_type

    def expand(self, keyed):
        stateful = beam.ParDo(self._dofn)
        if is_streaming(keyed):
            return keyed | "State" >> stateful
        grouped = (
            keyed
            | "KeepEventTime" >> beam.MapTuple(lambda key, value, ts=beam.DoFn.TimestampParam:
                                               (key, pack((value, ts.micros))))
            | "GroupByKey" >> beam.GroupByKey()
        )
        if self._decide is not None:
            decide = self._decide
            return grouped | "DecideGroups" >> beam.FlatMapTuple(lambda key, values: decide(key, _unpacked(values)))
        parts = grouped | "DecideAlone" >> beam.ParDo(_UngroupOrDecideAlone(self._decide_alone)).with_outputs(
            _DECIDED, main="undecided")
        outputs = (parts.undecided | "Ungrouped" >> beam.Map(lambda kv: kv).with_output_types(self._keyed_type)
                   | "State" >> stateful)
        if self._decide_alone is not None:
            outputs = (outputs, parts[_DECIDED]) | "WithDecided" >> beam.Flatten()
        return outputs
