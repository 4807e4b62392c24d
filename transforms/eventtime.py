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

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp

EVENT_TIME = "event_time_us"


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


class Rekey(beam.PTransform):
    """A fusion break in front of a stateful DoFn that reads another stateful DoFn's timer output.

    Python's in-process batch runner drops (or fails on) event-time timers of a stateful stage
    fused behind another stage's timer output; a Reshuffle keeps each stateful DoFn in a stage of
    its own. Streaming runners need no such break, and Reshuffle's once-firing trigger would drop
    later elements there, so streaming pipelines pass elements straight through."""

    def expand(self, keyed):
        if keyed.pipeline.options.view_as(StandardOptions).streaming:
            return keyed
        return keyed | "FusionBreak" >> beam.Reshuffle()
