"""Where records go: JSON Lines files under `--output DIR`, and the run summary."""
from __future__ import annotations

import json
import os
from collections import Counter
from typing import Iterable

import apache_beam as beam

from newsmon.transforms import records
from newsmon.transforms.eventtime import EVENT_TIME

# Fields that only steer the pipeline and are not part of the published record.
INTERNAL_FIELDS = ("order_key", records.ARRIVAL, EVENT_TIME)


def public_fields(record: dict) -> dict:
    """The record as published (JSONL and Elasticsearch), without the pipeline's internal fields."""
    return {k: v for k, v in record.items() if k not in INTERNAL_FIELDS}


def to_json_line(record: dict) -> str:
    return json.dumps(public_fields(record), ensure_ascii=False, sort_keys=False)


def write_lines(name: str, lines: Iterable[str | None], output_dir: str) -> str:
    """Write `NAME.jsonl` whole (through a temporary file, so a retried bundle never leaves half a
    file); `None` only marks that the file exists. Returns its path."""
    path = os.path.join(output_dir, f"{name}.jsonl")
    os.makedirs(output_dir, exist_ok=True)
    with open(f"{path}.tmp", "w", encoding="utf-8") as handle:
        for line in lines:
            if line is not None:
                handle.write(line + "\n")
    os.replace(f"{path}.tmp", path)
    return path


class WriteJsonl(beam.PTransform):
    """{name: PCollection} -> one `NAME.jsonl` file per name in the output directory, empty for an
    empty collection.

    Every file goes through one grouping and is written whole by one worker: a `WriteToText` per
    file costs 17 transforms and three stages, each paid for at start-up (composing, translating
    and fusing the graph) and as a round trip of the runner."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, collections: dict):
        output_dir = self._output_dir
        lines = [pcoll | f"ToJson{name.title()}" >> beam.Map(lambda record, name=name: (name, to_json_line(record)))
                 for name, pcoll in collections.items()]
        every_file = lines[0].pipeline | "EveryFile" >> beam.Create([(name, None) for name in collections])
        return (
            (*lines, every_file)
            | "AllLines" >> beam.Flatten()
            | "ByFile" >> beam.GroupByKey()
            | "Write" >> beam.MapTuple(lambda name, file_lines: write_lines(name, file_lines, output_dir))
        )


def summarise(counts: Iterable[tuple[str, int]]) -> dict:
    """The run's counts. `inputs` is counted where inputs are read, `articles` and `deadletter`
    where records are written, so `inputs == articles + deadletter` checks that nothing was lost."""
    summary = {"inputs": 0, "articles": 0, "exact_duplicates": 0, "near_duplicates": 0,
               "stories": 0, "events": 0, "alerts": 0, "deadletter": 0}
    for name, count in counts:
        summary[name] = summary.get(name, 0) + count
    return summary


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
            | "Write" >> beam.Map(lambda counts: write_summary(summarise(counts.items()), output_dir))
        )

