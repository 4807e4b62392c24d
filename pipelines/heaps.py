"""Fewer malloc heaps in newsmon's processes: the memory one stage frees is reused by the next.

glibc gives threads heaps of their own ("arenas", up to eight per core), and memory freed on one
heap is reused only by the threads allocating from it. Beam's runner and its worker processes run
bundles and move data on thread pools, so each heap kept the high-water mark of whatever had run
on its threads: the model stage over 2,000 articles on a pool thread grew a process from 438 to
627 MB, on two heaps it stayed at 458 MB; at N = 10,000 a run's peak fell from 3.0 to 2.4 GB
(`benchmarks/README.md`, Profiling). Python holds the GIL while it allocates, so threads sharing
two heaps seldom wait for each other.
"""
from __future__ import annotations

import ctypes
import os
from typing import MutableMapping

# Heaps per process; glibc reads the variable when a process starts (the worker processes).
ARENAS = 2
ARENAS_VARIABLE = "MALLOC_ARENA_MAX"
# mallopt's parameter number for the same limit (glibc's malloc.h), for this running process.
_M_ARENA_MAX = -8


def limit_malloc_arenas(environ: MutableMapping[str, str] = os.environ) -> None:
    """At most `ARENAS` heaps in this process and in the processes it starts (Beam's workers),
    unless the user set MALLOC_ARENA_MAX, which glibc then already applies. Without glibc (macOS,
    musl) there is nothing to set. Call it before threads start allocating: a thread keeps the
    heap it got."""
    if ARENAS_VARIABLE in environ:
        return
    environ[ARENAS_VARIABLE] = str(ARENAS)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_ARENA_MAX, ARENAS)
