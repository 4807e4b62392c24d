"""Where records go: JSON Lines files under `--output DIR`, and the run summary."""
from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import Counter
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
    """Lines of one file -> each bundle's lines in a part file of its own, written where the bundle
    runs; (file name, part path) goes out when the bundle ends."""

    def __init__(self, parts_dir: str, name: str):
        self._parts_dir = parts_dir
        self._name = name
        self._handle = None

    def start_bundle(self) -> None:
        self._handle = None

    def process(self, line: str) -> None:
        if self._handle is None:
            os.makedirs(self._parts_dir, exist_ok=True)
            self._handle = open(os.path.join(self._parts_dir, f"{self._name}.{uuid.uuid4().hex}"), "w",
                                encoding="utf-8")
        self._handle.write(line)
        self._handle.write("\n")

    def finish_bundle(self):
        if self._handle is not None:
            self._handle.close()
            yield WindowedValue((self._name, self._handle.name), MIN_TIMESTAMP, [GlobalWindow()])


def join_parts(parts: list[tuple[str, str]], names: tuple[str, ...], output_dir: str, parts_dir: str) -> None:
    """`NAME.jsonl` for every name: its parts concatenated (empty when there are none), written
    through a temporary file; then the parts go. Parts of bundles that failed and were retried
    are not listed, so they are never joined."""
    os.makedirs(output_dir, exist_ok=True)
    for name in names:
        path = os.path.join(output_dir, f"{name}.jsonl")
        with open(f"{path}.tmp", "wb") as out:
            for part in sorted(part for part_name, part in parts if part_name == name):
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out)
        os.replace(f"{path}.tmp", path)
    shutil.rmtree(parts_dir, ignore_errors=True)


class WriteJsonl(beam.PTransform):
    """{name: PCollection} -> one `NAME.jsonl` file per name in the output directory, empty for an
    empty collection.

    Each bundle writes its lines to parts where it runs, and the parts are joined at the end:
    grouping the lines by file first (a single-shard `WriteToText` does) makes the runner hold
    every output in memory and one worker write it all. One transform for every file: a
    `WriteToText` per file cost 17 transforms and three stages, each paid for at start-up
    (composing, translating and fusing the graph) and as a round trip of the runner."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, collections: dict):
        output_dir, names = self._output_dir, tuple(collections)
        parts_dir = os.path.join(output_dir, ".parts")
        # Parts are written by the stage that makes the records (a Flatten of the lines first
        # would have the runner buffer them all); only the parts' paths are brought together.
        parts = [pcoll | f"ToJson{name.title()}" >> beam.Map(to_json_line)
                 | f"WriteParts{name.title()}" >> beam.ParDo(_WriteParts(parts_dir, name))
                 for name, pcoll in collections.items()]
        return (
            parts
            | "AllParts" >> beam.Flatten()
            | "PartList" >> beam.combiners.ToList()
            | "JoinParts" >> beam.Map(join_parts, names, output_dir, parts_dir)
        )


def write_summary(summary: dict, output_dir: str) -> None:
    os.makedirs(output_dir, exist_ok=True)
    with open(os.path.join(output_dir, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2, sort_keys=True)
        handle.write("\n")


class CountNames(beam.CombineFn):
    """{name: occurrences} of the names combined; every name of `names` is there, 0 if absent."""

    def __init__(self, names: tuple[str, ...]):
        super().__init__()
        self._names = names

    def create_accumulator(self) -> Counter:
        return Counter()

    def add_input(self, counts: Counter, name: str) -> Counter:
        counts[name] += 1
        return counts

    def merge_accumulators(self, accumulators: Iterable[Counter]) -> Counter:
        merged = Counter()
        for counts in accumulators:
            merged.update(counts)
        return merged

    def extract_output(self, counts: Counter) -> dict[str, int]:
        return {name: counts[name] for name in self._names}


class WriteSummary(beam.PTransform):
    """{count name: PCollection} -> `summary.json` with each collection's size (0 when empty).
    `inputs` is counted where inputs are read, `articles` and `deadletter` where records are
    written, so `inputs == articles + deadletter` checks that nothing was lost.

    One combine for all counts: a `Count.Globally` per count costs 14 transforms each, and every
    transform is paid for at start-up (composing, translating and fusing the graph) and as a stage."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, collections: dict):
        output_dir = self._output_dir
        names = [pcoll | f"Name{label.title()}" >> beam.Map(lambda _, label=label: label)
                 for label, pcoll in collections.items()]
        return (
            names
            | "AllCounts" >> beam.Flatten()
            | "Count" >> beam.CombineGlobally(CountNames(tuple(collections)))
            | "Write" >> beam.Map(write_summary, output_dir)
        )

