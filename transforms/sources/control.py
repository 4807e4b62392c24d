"""Files in the state directory through which the `watch` process and its sources talk.

The sources run on Beam workers, possibly in other processes; a file is the one channel that works
for every local runner: the source touches `heartbeat` after each poll (so the command knows input
is accepted and can print `ready`), and stops taking new arrivals while `draining` exists (so a clean
stop can let in-flight arrivals finish before the pipeline is cancelled).
"""
from __future__ import annotations

import os
from pathlib import Path

HEARTBEAT = "heartbeat"
DRAINING = "draining"


def beat(state_dir: str) -> None:
    """Mark that a source has just polled."""
    path = Path(state_dir) / HEARTBEAT
    path.touch()


def last_beat(state_dir: str) -> float | None:
    """Wall-clock time of the last poll, or None before the first."""
    try:
        return os.stat(Path(state_dir) / HEARTBEAT).st_mtime
    except FileNotFoundError:
        return None


def is_draining(state_dir: str) -> bool:
    return (Path(state_dir) / DRAINING).exists()


def start_draining(state_dir: str) -> None:
    (Path(state_dir) / DRAINING).touch()


def reset(state_dir: str) -> None:
    """A fresh run: no drain request and no heartbeat from a previous run."""
    os.makedirs(state_dir, exist_ok=True)
    for name in (DRAINING, HEARTBEAT):
        (Path(state_dir) / name).unlink(missing_ok=True)
