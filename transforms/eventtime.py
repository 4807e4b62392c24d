"""Keep an article's event time across stages that re-stamp elements.

Batching stages (`BatchElements` before the spaCy model) emit their batches at the end of the
window, which would push every downstream event-time timer (dedup settle, state expiry) to the
end of time and stall streaming runs. The article's timestamp is written into the record before
such a stage and put back after it.
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam.options.pipeline_options import StandardOptions
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Duration, Timestamp

EVENT_TIME = "event_time_us"


def stamp(article: dict, ts=beam.DoFn.TimestampParam) -> dict:
    """The article with its element timestamp written in (kept if it already has one)."""
    return article if EVENT_TIME in article else {**article, EVENT_TIME: ts.micros}


def at_event_time(record: dict, article: dict) -> TimestampedValue:
    """`record` (the article or one of its events) at the article's event time."""
    return TimestampedValue(record, Timestamp(micros=article[EVENT_TIME]))


class _Restore(beam.DoFn):
    def get_allowed_timestamp_skew(self) -> Duration:
        # Moving an element back to its own earlier event time is the whole point here.
        return Duration(micros=MAX_TIMESTAMP.micros)

    def process(self, article: dict):
        yield at_event_time(article, article)


class RestoreEventTime(beam.PTransform):
    """Put stamped articles back at their own event time after stages that re-stamp them."""

    def expand(self, articles):
        return articles | "Restore" >> beam.ParDo(_Restore())


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
