"""Sinks of `newsmon watch`: JSON Lines appended as records arrive, and the processed-arrivals ledger.
(The Elasticsearch sink is `transforms.es_live`; every sink takes (output name, record) pairs.)

`WriteJsonl` (sinks.py) writes the files when its inputs end, which an unbounded input never does.
Here each output file has one writer (records are keyed by file name, and a stateful DoFn holds a
key on one worker at a time) that appends whole lines in one O_APPEND write per bundle, or sooner
once a second has passed, so readers of the file see complete lines within about a second.
"""
from __future__ import annotations

import os
import time
from typing import Any, Iterator, Tuple

import apache_beam as beam
from apache_beam.coders import VarIntCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from newsmon.transforms import records
from newsmon.transforms.sinks import to_json_line
from newsmon.transforms.sources import ledger

# The per-input outputs: every arrival ends as exactly `items` of these.
PER_INPUT_OUTPUTS = (records.ARTICLES, records.DEADLETTER)


def append_lines(path: str, lines: list[str]) -> None:
    """Append complete lines with a single write: other readers never see half a record."""
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class AppendJsonl(beam.DoFn):
    """(output name, record) -> appended to `<output_dir>/<name>.jsonl`; yields the arrivals written.

    The arrival of a per-input record goes downstream only once its line is written (outputs are
    committed with the bundle, after `finish_bundle` has written the buffer).
    """

    # Records written for this file. Being stateful is what makes this DoFn the file's only
    # writer: a runner processes one key on one worker at a time.
    WRITTEN = ReadModifyWriteStateSpec("written", VarIntCoder())

    def __init__(self, output_dir: str, flush_interval_s: float = 1.0):
        self._output_dir = output_dir
        self._flush_interval_s = flush_interval_s
        self._pending: dict[str, list[str]] = {}
        self._oldest = 0.0

    def setup(self) -> None:
        os.makedirs(self._output_dir, exist_ok=True)

    def start_bundle(self) -> None:
        self._pending = {}
        self._oldest = time.monotonic()

    def process(self, named_record, written=beam.DoFn.StateParam(WRITTEN)) -> Iterator[dict]:
        name, record = named_record
        self._pending.setdefault(name, []).append(to_json_line(record))
        written.write((written.read() or 0) + 1)
        if time.monotonic() - self._oldest >= self._flush_interval_s:
            self.flush()
        arrival = record.get(records.ARRIVAL)
        if arrival and name in PER_INPUT_OUTPUTS:
            yield arrival

    def flush(self) -> None:
        for name, lines in self._pending.items():
            if lines:
                append_lines(os.path.join(self._output_dir, f"{name}.jsonl"), lines)
        self._pending = {}
        self._oldest = time.monotonic()

    def finish_bundle(self) -> None:
        self.flush()


class NameRecords(beam.PTransform):
    """{output name: records} -> (output name, record), what every live sink takes; counts each
    output for the status line (metric `newsmon/<name>`)."""

    def expand(self, outputs: dict):
        named = [
            pcoll
            | f"Name{name.title()}" >> beam.Map(lambda record, name=name: (name, record)).with_output_types(
                Tuple[str, Any])
            for name, pcoll in outputs.items()
        ]
        merged = named | "AllOutputs" >> beam.Flatten()
        merged | "CountOutputs" >> beam.FlatMap(count_output)
        return merged


def count_output(named_record: Tuple[str, Any]) -> tuple:
    Metrics.counter("newsmon", named_record[0]).inc()
    return ()


class WriteJsonlLive(beam.PTransform):
    """(output name, record) -> arrivals whose records are written, for `RecordProcessed`."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, named):
        return named | "AppendJsonl" >> beam.ParDo(AppendJsonl(self._output_dir))


class CountWritten(beam.DoFn):
    """(arrival key, arrival) per written record and sink -> ledger line once all are written."""

    # A plain counter: a CombiningValueStateSpec over `sum` would keep a list accumulator, which
    # VarIntCoder cannot encode.
    WRITTEN = ReadModifyWriteStateSpec("written", VarIntCoder())

    def __init__(self, state_dir: str, sinks: int):
        self._state_dir = state_dir
        self._sinks = sinks
        self._processed = Metrics.counter("newsmon", "processed")
        self._lag_ms = Metrics.distribution("newsmon", "lag_ms")

    def process(self, keyed_arrival, written=beam.DoFn.StateParam(WRITTEN)) -> Iterator[str]:
        key, arrival = keyed_arrival
        count = (written.read() or 0) + 1
        written.write(count)
        if count == arrival["items"] * self._sinks:
            ledger.append_processed(self._state_dir, key)
            self._processed.inc()
            self._lag_ms.update(int((time.time() - arrival["arrived_at"]) * 1000))
            written.clear()
            yield key


class RecordProcessed(beam.PTransform):
    """Arrivals acknowledged by `sinks` sinks -> `processed.jsonl` (see `sources.ledger`)."""

    def __init__(self, state_dir: str, sinks: int = 1):
        super().__init__()
        self._state_dir = state_dir
        self._sinks = sinks

    def expand(self, acks):
        return (
            acks
            | "KeyByArrival" >> beam.Map(lambda arrival: (arrival["key"], arrival)).with_output_types(
                Tuple[str, Any])
            | "CountWritten" >> beam.ParDo(CountWritten(self._state_dir, self._sinks))
        )
