"""Peak memory of a process and all its descendants, sampled from /proc.

`getrusage(RUSAGE_CHILDREN)` reports only the largest single child, while a Beam run on two
workers holds several processes at once (the runner and its SDK workers): what a machine must
have is their sum at the worst moment, so a thread sums the tree's memory a few times a second.
Two sums are kept: RSS (an upper bound: pages shared between processes, such as a model in
forked spaCy workers, count once per process) and PSS (shared pages split between their users,
so the sum is the physical memory the tree holds).
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


def _rss_pss_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; zeros once it has exited."""
    values = {"Rss:": 0, "Pss:": 0}
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            key = line.split(":", 1)[0] + ":"
            if key in values:
                values[key] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return values["Rss:"], values["Pss:"]


def tree_memory_mb(root: int) -> tuple[float, float]:
    """(RSS sum, PSS sum) of `root` and every process below it, in MB."""
    children = _children_map()
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        one_rss, one_pss = _rss_pss_kb(pid)
        rss, pss = rss + one_rss, pss + one_pss
        stack.extend(children.get(pid, ()))
    return rss / 1024, pss / 1024


class PeakTreeMemory:
    """Context manager: samples `tree_memory_mb` until exit; keeps the peaks of both sums."""

    def __init__(self, root: int | None = None, interval_s: float = 0.2):
        self._root = root if root is not None else os.getpid()
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak_rss_mb = 0.0
        self.peak_pss_mb = 0.0

    def watch(self, root: int) -> None:
        """Follow another process tree from now on (e.g. a subprocess once started)."""
        self._root = root

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory_mb(self._root)
            self.peak_rss_mb = max(self.peak_rss_mb, rss)
            self.peak_pss_mb = max(self.peak_pss_mb, pss)
            self._stop.wait(self._interval_s)

    def __enter__(self) -> "PeakTreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
