"""How many worker processes a batch run gets on Beam's local batch runner, and the options that say so.

spaCy holds the GIL for most of its work, so a second core only helps as a second process
(`multi_processing`: SDK worker processes fed over gRPC, each loading the model once). Starting
a worker and its model costs a few seconds, which a handful of articles never pays back: `auto`
gives one worker per CPU, but only as many as the input size justifies.
"""
from __future__ import annotations

import os

from newsmon.transforms.inputs import is_url
from newsmon.transforms.settings import Settings

# A feed URL's size is unknown before it is fetched: count it as a typical feed document.
URL_BYTES_GUESS = 100_000


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, which containers narrow)."""
    return len(os.sched_getaffinity(0))


def input_bytes(inputs: list[str]) -> int:
    """Total size of the inputs: local files by their size, URLs by a typical feed size."""
    total = 0
    for ref in inputs:
        if is_url(ref):
            total += URL_BYTES_GUESS
            continue
        try:
            total += os.path.getsize(ref)
        except OSError:
            continue
    return total


def batch_workers(configured: int | str, inputs: list[str], bytes_per_worker: int, cpus: int) -> int:
    """The configured number, or for `auto` one per CPU, at most one per `bytes_per_worker`."""
    if configured != "auto":
        return configured
    return max(1, min(cpus, input_bytes(inputs) // bytes_per_worker))


def direct_runner_args(settings: Settings, inputs: list[str]) -> list[str]:
    """DirectRunner flags: in-process for one worker, worker processes for more."""
    workers = batch_workers(settings.get("runner.workers"), inputs,
                            settings.get("runner.auto_bytes_per_worker"), available_cpus())
    # The runner is named: left to choose, Beam's DirectRunner first tries Prism, fails to download
    # it (seconds lost on every run, and a web request an air-gapped server should not see), and
    # only then falls back to this one.
    args = ["--runner", "FnApiRunner", "--direct_num_workers", str(workers)]
    if workers > 1:
        # Worker processes with the state cache off: the cache weighs every value it stores by
        # walking the interpreter's modules (milliseconds each with spaCy loaded), and dedup and
        # story state is written dozens of times per article; reads come from the runner instead.
        args += ["--direct_running_mode", "multi_processing", "--max_cache_memory_usage_mb=0"]
    return args
