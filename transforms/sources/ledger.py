"""The durable record of processed arrivals: `<state-dir>/processed.jsonl`.

An arrival is one unit of input the watch sources hand to the pipeline: a file (keyed by path,
size and modification time, so a replaced file counts as new) or one feed item (keyed by feed URL
and item guid). It rides along on every record made from it as the internal field `arrival`:
`{"key", "items", "arrived_at"}`, `items` being how many articles or dead-letters it yields.

A key is appended to the ledger once all `items` records of the arrival are written by the sinks.
The sources consult the ledger when they start: a key in it is never emitted again, a key not in
it is (again). So a restart loses nothing and repeats only arrivals that were still in flight
when the previous run died (at-least-once; `newsmon watch` drains them on a clean stop).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

LEDGER_NAME = "processed.jsonl"


def arrival(key: str, items: int, arrived_at: float) -> dict:
    return {"key": key, "items": items, "arrived_at": arrived_at}


def file_key(path: str, size: int, mtime_ns: int) -> str:
    return f"file:{path}:{size}:{mtime_ns}"


def feed_item_key(url: str, guid: str) -> str:
    return f"feed:{url}#{guid}"


def ledger_path(state_dir: str) -> Path:
    return Path(state_dir) / LEDGER_NAME


def load_processed(state_dir: str) -> set[str]:
    """Keys of every arrival a previous run finished; a torn last line (crash) is ignored."""
    path = ledger_path(state_dir)
    if not path.exists():
        return set()
    keys = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                keys.add(json.loads(line)["key"])
            except (ValueError, KeyError, TypeError):
                continue
    return keys


def append_processed(state_dir: str, key: str) -> None:
    """One line per finished arrival, in a single O_APPEND write so concurrent writers never interleave."""
    os.makedirs(state_dir, exist_ok=True)
    line = json.dumps({"key": key, "processed_at": round(time.time(), 3)}, ensure_ascii=False) + "\n"
    fd = os.open(ledger_path(state_dir), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
