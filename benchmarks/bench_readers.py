"""Reader + normalisation throughput on the BBC corpus and the real-world feeds.

Prints items per second for `read_input` + `normalise_item` (no Beam, no spaCy), and the ratio
to a baseline measured in the same run: reading the same files' bytes and decoding them as
UTF-8. Run: `.venv/bin/python benchmarks/bench_readers.py`.
"""
from __future__ import annotations

import time
from pathlib import Path

from newsmon.transforms import records
from newsmon.transforms.normalise import normalise_item
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import load_settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPORA = {
    "bbc text files": sorted((SHARED / "corpora" / "bbc").rglob("*.txt")),
    "real-world feeds": sorted((SHARED / "eval" / "feeds" / "realworld" / "input").iterdir()),
}


def baseline(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        path.read_bytes().decode("utf-8", errors="replace")
    return time.perf_counter() - start


def read_and_normalise(paths: list[Path]) -> tuple[float, int, int]:
    settings = load_settings()
    articles = dead = 0
    start = time.perf_counter()
    for path in paths:
        for item in read_input(str(path), settings):
            record = item if records.is_deadletter(item) else normalise_item(item)
            if records.is_deadletter(record):
                dead += 1
            else:
                articles += 1
    return time.perf_counter() - start, articles, dead


def main() -> None:
    read_and_normalise(CORPORA["real-world feeds"][:2])  # warm up: imports, language model
    print(f"{'corpus':<18} {'inputs':>6} {'articles':>8} {'dead':>5} {'seconds':>8} {'items/s':>8} {'x baseline':>10}")
    for name, paths in CORPORA.items():
        base = baseline(paths)
        seconds, articles, dead = read_and_normalise(paths)
        items = articles + dead
        print(f"{name:<18} {len(paths):>6} {articles:>8} {dead:>5} {seconds:>8.2f} {items / seconds:>8.0f} "
              f"{seconds / base:>10.0f}")


if __name__ == "__main__":
    main()
