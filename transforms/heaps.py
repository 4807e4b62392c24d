"""The malloc heaps of newsmon's processes: few of them, and freed memory given back.

glibc gives threads heaps of their own ("arenas", up to eight per core), and memory freed on one
heap is reused only by the threads allocating from it. Beam's runner and its worker processes run
bundles and move data on thread pools, so each heap kept the high-water mark of whatever had run
on its threads: the model stage over 2,000 articles on a pool thread grew a process from 438 to
627 MB, on two heaps it stayed at 458 MB; at N = 10,000 a run's peak fell from 3.0 to 2.4 GB
(`benchmarks/README.md`, Profiling). Python holds the GIL while it allocates, so threads sharing
two heaps seldom wait for each other.

Within a heap, glibc returns freed memory to the system only from the heap's top, so memory
freed between blocks still in use stays resident:
- a model worker 3,300 articles into the model stage of a 10,000-article run held 230 MB free in
  its heap (795 MB resident; 611 MB after `malloc_trim`): `release_free_memory`, at the end of
  the model stage, hands such pages back before the lighter stages that follow;
- Beam moves the data between stages in buffers of up to 10 MB (the runner holds them, a worker
  encodes and decodes them; `newsmon`'s entry point and the model stage's set-up map them), and glibc raises the size from which a block gets a mapping of its
  own as such blocks are freed (up to 32 MB), after which they too are carved from the heap and
  leave holes there: `map_large_blocks` keeps blocks from 1 MB on in mappings of their own, given
  back when freed. The model's arrays are the exception: allocated and freed for every batch,
  they are cheaper to reuse from the heap (mapped anew for every batch they took 10-20 % more
  time at 2,000 articles), so the model runs its batches within `large_blocks_on_heap`. At 5,000
  articles the stages after the model then peaked at 1,629 MB for the run instead of 1,749.
"""
from __future__ import annotations

import ctypes
import os
from contextlib import contextmanager
from typing import Iterator, MutableMapping

# Heaps per process; glibc reads the variable when a process starts (the worker processes).
ARENAS = 2
ARENAS_VARIABLE = "MALLOC_ARENA_MAX"
# mallopt's parameter numbers (glibc's malloc.h), for this running process: the heap limit, and
# the size from which a block gets a memory mapping of its own.
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3
MAPPED_BLOCK_BYTES = 1 << 20
# glibc's own ceiling for the size from which it maps a block (64-bit).
HEAP_BLOCK_BYTES = 32 << 20


try:
    _C_LIBRARY: ctypes.CDLL | None = ctypes.CDLL(None)
except OSError:
    _C_LIBRARY = None
# glibc's functions; None where the C library has none (macOS, musl).
_MALLOPT = getattr(_C_LIBRARY, "mallopt", None)
_MALLOC_TRIM = getattr(_C_LIBRARY, "malloc_trim", None)


def limit_malloc_arenas(environ: MutableMapping[str, str] = os.environ) -> None:
    """At most `ARENAS` heaps in this process and in the processes it starts (Beam's workers),
    unless the user set MALLOC_ARENA_MAX, which glibc then already applies. Without glibc there
    is nothing to set. Call it before threads start allocating: a thread keeps the heap it got."""
    if ARENAS_VARIABLE in environ:
        return
    environ[ARENAS_VARIABLE] = str(ARENAS)
    if _MALLOPT is not None:
        _MALLOPT(_M_ARENA_MAX, ARENAS)


def map_large_blocks() -> None:
    """Blocks from `MAPPED_BLOCK_BYTES` on in mappings of their own in this process (see above)."""
    if _MALLOPT is not None:
        _MALLOPT(_M_MMAP_THRESHOLD, MAPPED_BLOCK_BYTES)


@contextmanager
def large_blocks_on_heap() -> Iterator[None]:
    """Within: blocks up to `HEAP_BLOCK_BYTES` come from the heap; after: `map_large_blocks`.
    Not reentrant: callers hold one lock around it (see above)."""
    if _MALLOPT is not None:
        _MALLOPT(_M_MMAP_THRESHOLD, HEAP_BLOCK_BYTES)
    try:
        yield
    finally:
        map_large_blocks()


def release_free_memory() -> None:
    """Give the whole free pages of every heap back to the system (`malloc_trim`, about 2 ms on
    a model worker's heap); without glibc, nothing to do."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
