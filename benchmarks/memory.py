"""Peak resident memory of a process and all its descendants, sampled from /proc.

`getrusage(RUSAGE_CHILDREN)` reports only the largest single child, while a Beam run on two
workers holds several processes at once (the runner and its SDK workers): what a machine must
have is their sum at the worst moment, so a thread sums the tree's VmRSS a few times a second.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _rss_kb(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    """Resident memory of `root` and every process below it, in MB."""
    children = _children_map()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(children.get(pid, ()))
    return total / 1024


class PeakTreeRss:
    """Context manager: samples `tree_rss_mb(root)` until exit; `.peak_mb` is the maximum seen."""

    def __init__(self, root: int | None = None, interval_s: float = 0.2):
        self._root = root if root is not None else os.getpid()
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak_mb = 0.0

    def watch(self, root: int) -> None:
        """Follow another process tree from now on (e.g. a subprocess once started)."""
        self._root = root

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self._root))
            self._stop.wait(self._interval_s)

    def __enter__(self) -> "PeakTreeRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
