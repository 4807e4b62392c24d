"""The malloc heaps of newsmon's processes (`transforms.heaps`): few of them, and freed memory given back."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from newsmon.transforms.heaps import ARENAS, ARENAS_VARIABLE, limit_malloc_arenas

GLIBC = platform.libc_ver()[0] == "glibc"

# The process's resident memory in MB, for the scripts below.
RSS_MB = """
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
"""
# Six long-lived threads take turns: each allocates 40 MB in 2 kB blocks and frees all but one
# block in fifty, as a stage on a pool thread leaves a few records behind. Prints the growth of
# the process's resident memory in MB.
THREADS_TAKING_TURNS = RSS_MB + """
import sys, threading
from newsmon.transforms.heaps import limit_malloc_arenas
if sys.argv[1] == "limit":
    limit_malloc_arenas()
kept, turns, done = [], [threading.Event() for _ in range(6)], [threading.Event() for _ in range(6)]
def stage(i):
    turns[i].wait()
    blocks = [bytes(2000) for _ in range(20000)]
    kept.extend(blocks[::50])
    del blocks
    done[i].set()
threads = [threading.Thread(target=stage, args=(i,)) for i in range(6)]
for thread in threads:
    thread.start()
start = rss_mb()
for i in range(6):
    turns[i].set()
    done[i].wait()
print(rss_mb() - start)
"""


def test_worker_processes_inherit_the_limit_unless_the_user_set_one():
    environ: dict[str, str] = {}
    limit_malloc_arenas(environ)
    assert environ == {ARENAS_VARIABLE: str(ARENAS)}
    users = {ARENAS_VARIABLE: "4"}
    limit_malloc_arenas(users)
    assert users == {ARENAS_VARIABLE: "4"}


# A batch of 200 MB in 4 kB blocks (malloc's, not Python's small-object allocator) freed but for one
# block in fifty, as the model stage's arrays are freed around records that stay. Prints the MB the
# process gave back to the system after the batch was freed.
HOLES_IN_THE_HEAP = RSS_MB + """
import sys
from newsmon.transforms.heaps import release_free_memory
blocks = [bytes(4000) for _ in range(50000)]
kept = blocks[::50]
del blocks
freed = rss_mb()
if sys.argv[1] == "release":
    release_free_memory()
print(freed - rss_mb())
"""

# Buffers of 2 MB, each followed by a small block that stays, freed after glibc saw a 20 MB block
# freed (which raises the size from which it maps blocks to 20 MB). Modes: glibc's defaults ("heap"),
# `map_large_blocks` ("map"), the buffers made within `large_blocks_on_heap` ("within", as the
# model's arrays) or after it ("after", as the data a worker moves). Prints the MB given back.
BUFFERS_BETWEEN_RECORDS = RSS_MB + """
import sys
from contextlib import nullcontext
from newsmon.transforms.heaps import large_blocks_on_heap, map_large_blocks
mode = sys.argv[1]
if mode != "heap":
    map_large_blocks()
if mode == "after":
    with large_blocks_on_heap():
        pass
big = b"x" * 20_000_000
del big
buffers, kept = [], []
with large_blocks_on_heap() if mode == "within" else nullcontext():
    for _ in range(50):
        buffers.append(b"x" * 2_000_000)
        kept.append(bytes(600))
held = rss_mb()
del buffers
print(held - rss_mb())
"""


def run_mb(script: str, mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != ARENAS_VARIABLE}
    done = subprocess.run([sys.executable, "-c", script, mode], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return int(done.stdout.strip())


@pytest.mark.skipif(not GLIBC, reason="the heap limit is glibc's")
def test_memory_freed_on_one_thread_is_reused_by_the_next():
    unlimited, limited = run_mb(THREADS_TAKING_TURNS, "none"), run_mb(THREADS_TAKING_TURNS, "limit")
    # Unlimited, each thread's heap keeps its pages (about 6 x 40 MB); limited, the next thread
    # reuses them.
    assert unlimited > 150
    assert limited < unlimited / 2


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_freed_holes_in_the_heap_go_back_to_the_system():
    kept, released = run_mb(HOLES_IN_THE_HEAP, "keep"), run_mb(HOLES_IN_THE_HEAP, "release")
    # Freed blocks between kept ones stay resident until released; released, the free pages
    # between the kept blocks (about 190 MB) go back.
    assert kept < 20
    assert released > 150


@pytest.mark.skipif(not GLIBC, reason="the mapping threshold is glibc's")
def test_large_blocks_mapped_go_back_to_the_system_when_freed():
    given_back = {mode: run_mb(BUFFERS_BETWEEN_RECORDS, mode) for mode in ("heap", "map", "within", "after")}
    # On the heap, freed buffers between kept records stay resident; mapped, all 100 MB
    # (95 MiB) go back. The model's blocks come from the heap, and only while it runs.
    assert given_back["heap"] < 20 and given_back["within"] < 20, given_back
    assert given_back["map"] > 80 and given_back["after"] > 80, given_back
