"""The spool: documents Elasticsearch could not take during a run, kept on disk for `newsmon replay`.

When the cluster is down or overloaded past the writer's retries, the documents are not only reported
(dead-letters with stage `index`, the reason trail) but also appended here, one JSON line per document
with its index, so nothing has to be re-read or re-analysed to fill the gap. Replaying indexes them
with their own `_id`s (idempotent: replaying twice changes no count) and removes the stage-`index`
dead-letters of the replayed documents from the dead-letter index, so that once the spool is empty the
indices hold exactly what a run without the outage would have written.
"""
from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from newsmon.transforms.settings import Settings
from newsmon.transforms.sinks import public_fields

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

SPOOL_SUFFIX = ".jsonl"


def spool_dir(settings: Settings, output_dir: str) -> str:
    """`elasticsearch.spool_dir`, or `spool/` in the run's output directory."""
    return settings.get("elasticsearch.spool_dir") or os.path.join(output_dir, "spool")


class Spool:
    """Appends spooled documents to a file of its own (one per writer, so parallel workers never share one)."""

    def __init__(self, directory: str, name: str):
        self._path = Path(directory) / f"{name}-{uuid.uuid4().hex[:12]}{SPOOL_SUFFIX}"
        self._handle: IO[str] | None = None

    def add(self, index: str, record: dict, deadletter: dict, deadletter_index: str | None) -> None:
        if self._handle is None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self._path, "a", encoding="utf-8")
        entry = {"index": index, "id": str(record["id"]), "record": public_fields(record),
                 "deadletter_index": deadletter_index, "deadletter_id": deadletter["id"]}
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def spool_files(directory: str | Path) -> list[Path]:
    return sorted(Path(directory).glob(f"*{SPOOL_SUFFIX}"))


def count_spooled(directory: str | Path) -> int:
    """Documents waiting in the spool (0 when there is none)."""
    return sum(1 for _ in spooled_entries(directory)) if Path(directory).is_dir() else 0


def _entries(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def spooled_entries(directory: str | Path) -> Iterator[dict]:
    """Every spooled entry: `index`, `id`, `record`, and the `deadletter_index`/`deadletter_id` it left."""
    for path in spool_files(directory):
        yield from _entries(path)


@dataclass
class ReplayResult:
    indexed: dict[str, int] = field(default_factory=dict)
    remaining: int = 0
    reasons: list[str] = field(default_factory=list)


def replay(client: Elasticsearch, directory: str | Path, writer_factory) -> ReplayResult:
    """Index every spooled document; a file is removed once all its documents are in, otherwise
    rewritten with the ones still failing. `writer_factory(index)` gives a BulkWriter (no spool)."""
    result = ReplayResult()
    for path in spool_files(directory):
        entries = list(_entries(path))
        failed_ids: set[tuple[str, str]] = set()
        by_index: dict[str, list[dict]] = {}
        for entry in entries:
            by_index.setdefault(entry["index"], []).append(entry)
        for index, group in by_index.items():
            writer = writer_factory(index)
            failures = [f for entry in group for f in writer.add(entry["record"])] + writer.flush()
            failed_ids |= {(index, f["record_id"]) for f in failures}
            result.reasons += [f["reason"] for f in failures]
        done = [e for e in entries if (e["index"], e["id"]) not in failed_ids]
        for entry in done:
            result.indexed[entry["index"]] = result.indexed.get(entry["index"], 0) + 1
        _forget_deadletters(client, done)
        left = [e for e in entries if (e["index"], e["id"]) in failed_ids]
        result.remaining += len(left)
        if left:
            path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in left), encoding="utf-8")
        else:
            path.unlink()
    return result


def _forget_deadletters(client: Elasticsearch, entries: list[dict]) -> None:
    """Remove the stage-`index` dead-letters of documents now indexed (they stay in deadletter.jsonl)."""
    operations = [{"delete": {"_index": e["deadletter_index"], "_id": e["deadletter_id"]}}
                  for e in entries if e.get("deadletter_index")]
    if operations:
        client.bulk(operations=operations)
