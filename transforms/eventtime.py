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
    return {**article, EVENT_TIME: ts.micros}


class _Restore(beam.DoFn):
    def get_allowed_timestamp_skew(self) -> Duration:
        # Moving an element back to its own earlier event time is the whole point here.
        return Duration(micros=MAX_TIMESTAMP.micros)

    def process(self, article: dict):
        yield TimestampedValue(article, Timestamp(micros=article[EVENT_TIME]))


class PreservingEventTime(beam.PTransform):
    """Apply `inner` to articles; its article outputs get their original timestamps back."""

    def __init__(self, inner: beam.PTransform):
        super().__init__()
        self._inner = inner

    def expand(self, articles):
        return (
            articles
            | "Stamp" >> beam.Map(stamp)
            | "Inner" >> self._inner
            | "Restore" >> beam.ParDo(_Restore())
        )


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
