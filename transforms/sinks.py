"""Where records go: JSON Lines files under `--output DIR`, and the run summary."""
from __future__ import annotations

import json
import os
import shutil
import uuid
from typing import Iterable

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue

from newsmon.transforms import records
from newsmon.transforms.eventtime import EVENT_TIME

# Fields that only steer the pipeline and are not part of the published record.
INTERNAL_FIELDS = ("order_key", records.ARRIVAL, EVENT_TIME)


def public_fields(record: dict) -> dict:
    """The record as published (JSONL and Elasticsearch), without the pipeline's internal fields."""
    return {k: v for k, v in record.items() if k not in INTERNAL_FIELDS}


def to_json_line(record: dict) -> str:
    return json.dumps(public_fields(record), ensure_ascii=False, sort_keys=False)


class _WriteParts(beam.DoFn):
    """Each bundle's lines into a part file of its own; the part's path goes out when the bundle ends."""

    def __init__(self, parts_dir: str):
        self._parts_dir = parts_dir
        self._part: str | None = None
        self._handle = None

    def start_bundle(self) -> None:
        self._part, self._handle = None, None

    def process(self, line: str) -> None:
        if self._handle is None:
            os.makedirs(self._parts_dir, exist_ok=True)
            self._part = os.path.join(self._parts_dir, f"{uuid.uuid4().hex}.jsonl")
            self._handle = open(self._part, "w", encoding="utf-8")
        self._handle.write(line)
        self._handle.write("\n")

    def finish_bundle(self):
        if self._handle is not None:
            self._handle.close()
            yield WindowedValue(self._part, MIN_TIMESTAMP, [GlobalWindow()])


def join_parts(parts: list[str], path: str, parts_dir: str) -> None:
    """Concatenate the written parts into `path` (empty when there are none), then drop the parts.
    Parts of bundles that failed and were retried are not listed, so they are never joined."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    partial = f"{path}.partial"
    with open(partial, "wb") as out:
        for part in sorted(parts):
            with open(part, "rb") as handle:
                shutil.copyfileobj(handle, out)
    os.replace(partial, path)
    shutil.rmtree(parts_dir, ignore_errors=True)


class WriteJsonl(beam.PTransform):
    """One `NAME.jsonl` file in the output directory.

    Each bundle writes its own part where it runs and the parts are joined at the end: a
    single-shard text sink would first group every line on one worker, so the runner would
    hold the whole output in memory."""

    def __init__(self, output_dir: str, name: str):
        super().__init__()
        self._path = os.path.join(output_dir, f"{name}.jsonl")
        self._parts_dir = os.path.join(output_dir, f".{name}.parts")

    def expand(self, pcoll):
        path, parts_dir = self._path, self._parts_dir
        return (
            pcoll
            | "ToJson" >> beam.Map(to_json_line)
            | "WriteParts" >> beam.ParDo(_WriteParts(parts_dir))
            | "AllParts" >> beam.combiners.ToList()
            | "JoinParts" >> beam.Map(join_parts, path, parts_dir)
        )


def summarise(names: Iterable[str], counts: Iterable[tuple[str, int]]) -> dict:
    """The run's counts, 0 for each of `names` nothing was counted for. `inputs` is counted where
    inputs are read, `articles` and `deadletter` where records are written, so
    `inputs == articles + deadletter` checks that nothing was lost."""
    summary = dict.fromkeys(names, 0)
    for name, count in counts:
        summary[name] = summary.get(name, 0) + count
    return summary


def write_summary(summary: dict, output_dir: str) -> None:
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2, sort_keys=True)
        handle.write("\n")


class WriteSummary(beam.PTransform):
    """{count name: PCollection} -> `summary.json`: the number of elements of each collection.

    Every element becomes its collection's name and the names are counted in one combine (each
    bundle counts its own first), instead of one combine stage per collection."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, counted: dict):
        output_dir, names = self._output_dir, tuple(counted)
        named = [pcoll | f"Name{name.title()}" >> beam.Map(lambda _, name=name: name)
                 for name, pcoll in counted.items()]
        return (
            named
            | "AllNames" >> beam.Flatten()
            | "CountPerName" >> beam.combiners.Count.PerElement()
            | "AllCounts" >> beam.combiners.ToList()
            | "Write" >> beam.Map(lambda pairs: write_summary(summarise(names, pairs), output_dir))
        )
