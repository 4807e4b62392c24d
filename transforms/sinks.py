"""Where records go: JSON Lines files under `--output DIR`, and the run summary."""
from __future__ import annotations

import json
import os
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


class WriteJsonl(beam.PTransform):
    """One `NAME.jsonl` file (a single shard) in the output directory."""

    def __init__(self, output_dir: str, name: str):
        super().__init__()
        self._path = os.path.join(output_dir, f"{name}.jsonl")

    def expand(self, pcoll):
        return (
            pcoll
            | "ToJson" >> beam.Map(to_json_line)
            | "Write" >> beam.io.WriteToText(self._path, shard_name_template="", num_shards=1)
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


class CountAs(beam.PTransform):
    """(name, number of elements), also 0 for an empty collection."""

    def __init__(self, name: str):
        super().__init__()
        self._name = name

    def expand(self, pcoll):
        name = self._name
        return pcoll | "Count" >> beam.combiners.Count.Globally() | "Name" >> beam.Map(lambda n: (name, n))


class WriteSummary(beam.PTransform):
    """Collect (name, count) pairs from every output and write `summary.json`."""

    def __init__(self, output_dir: str):
        super().__init__()
        self._output_dir = output_dir

    def expand(self, counts):
        output_dir = self._output_dir
        return (
            counts
            | "AllCounts" >> beam.combiners.ToList()
            | "Write" >> beam.Map(lambda pairs: write_summary(summarise(pairs), output_dir))
        )

