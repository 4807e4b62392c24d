"""The malloc heap limit of newsmon's processes (`pipelines.heaps`)."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from newsmon.pipelines.heaps import ARENAS, ARENAS_VARIABLE, limit_malloc_arenas

# Six long-lived threads take turns: each allocates 40 MB in 2 kB blocks and frees all but one
# block in fifty, as a stage on a pool thread leaves a few records behind. Prints the growth of
# the process's resident memory in MB.
THREADS_TAKING_TURNS = """
import sys, threading
from newsmon.pipelines.heaps import limit_malloc_arenas
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
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


def growth_mb(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != ARENAS_VARIABLE}
    done = subprocess.run([sys.executable, "-c", THREADS_TAKING_TURNS, mode], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return int(done.stdout.strip())


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the heap limit is glibc's")
def test_memory_freed_on_one_thread_is_reused_by_the_next():
    unlimited, limited = growth_mb("none"), growth_mb("limit")
    # Unlimited, each thread's heap keeps its pages (about 6 x 40 MB); limited, the next thread
    # reuses them.
    assert unlimited > 150
    assert limited < unlimited / 2
