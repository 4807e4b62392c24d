"""Latency of `newsmon watch`: seconds from a file's rename into the inbox to its article being
written (and, with --es-url, searchable in Elasticsearch), and to the first alert on it being
written (one `new_entity` rule: the first article naming a person or organisation alerts, which
on a fresh run is most articles).
Goals: p95 <= 5 s to the article, <= 10 s to the alert.

    .venv/bin/python benchmarks/watch_latency.py [--articles 50] [--gap 0.5] [--es-url URL]

Drops BBC articles (../shared/corpora/bbc, dated today with the archive's ` date` header so that
time-windowed rules see them) one by one, as writers do (copy to a dot-file, rename),
while a reader polls the output every 10 ms; prints p50/p95/max. One warm-up article goes first
and is waited for: its time includes the runner's cold start (the workers' set-up and the spaCy
model load, paid once per run) and is printed on its own, so that the figures are steady-state ones
rather than fifty articles queued behind one model load.
"""
from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from watchproc import WatchProcess, drop_file, read_records, wait_for  # noqa: E402

BBC = REPO.parent / "shared" / "corpora" / "bbc"
RULES = """targets: {}
rules:
  - name: bench-new-actor
    type: new_entity
    entity_types: [PERSON, ORG]
    severity: info
    key: [entity]
"""


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Seen:
    """First time each dropped file name shows up in the output (file, and Elasticsearch if given)."""

    def __init__(self, out: Path, es_url: str | None, index: str):
        self.out, self.es_url, self.index = out, es_url, index
        self.in_file: dict[str, float] = {}
        self.in_es: dict[str, float] = {}
        self.ids: dict[str, str] = {}
        self.alerted: dict[str, float] = {}
        self.expected: list[str] = []
        self.done = threading.Event()
        threading.Thread(target=self._poll_file, daemon=True).start()
        if es_url:
            threading.Thread(target=self._poll_es, daemon=True).start()

    def _poll_file(self) -> None:
        while not self.done.is_set():
            now = time.time()
            for record in read_records(self.out / "articles.jsonl"):
                name = Path(record.get("path") or "").name
                self.in_file.setdefault(name, now)
                self.ids[record["id"]] = name
            for alert in read_records(self.out / "alerts.jsonl"):
                for article_id in alert["article_ids"]:
                    if article_id in self.ids:
                        self.alerted.setdefault(self.ids[article_id], now)
            time.sleep(0.01)

    def _searchable(self, name: str) -> bool:
        query = json.dumps({"query": {"wildcard": {"path": f"*/{name}"}}}).encode()
        request = urllib.request.Request(f"{self.es_url}/{self.index}/_count", data=query,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.load(response)["count"] > 0
        except OSError:
            return False

    def _poll_es(self) -> None:
        while not self.done.is_set():
            for name in [n for n in self.expected if n not in self.in_es]:
                if self._searchable(name):
                    self.in_es[name] = time.time()
            time.sleep(0.05)


def drop_indices(es_url: str, prefix: str) -> None:
    """Start from empty indices: documents of an earlier run would count as searchable at once."""
    names = ",".join(f"{prefix}-{output}" for output in ("articles", "events", "stories", "alerts", "deadletter"))
    request = urllib.request.Request(f"{es_url}/{names}?ignore_unavailable=true", method="DELETE")
    with urllib.request.urlopen(request, timeout=30):
        pass


def dated(source: Path) -> str:
    """The article dated today (the archive's ` date` header), so that time-windowed rules see it."""
    return f"date {time.strftime('%Y-%m-%d')}\n" + source.read_text(encoding="utf-8", errors="replace")


def report(label: str, latencies: list[float]) -> None:
    print(f"{label}: n={len(latencies)} p50={statistics.median(latencies):.2f}s "
          f"p95={percentile(latencies, 0.95):.2f}s max={max(latencies):.2f}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between two drops")
    parser.add_argument("--es-url", help="also time searchability in this Elasticsearch")
    parser.add_argument("--index-prefix", default="newsmon-bench")
    args = parser.parse_args()

    warmup, *sources = sorted(BBC.glob("*/*.txt"))[: args.articles + 1]
    if args.es_url:
        drop_indices(args.es_url, args.index_prefix)
    with tempfile.TemporaryDirectory(prefix="newsmon-watch-bench-") as work:
        inbox, out = Path(work) / "inbox", Path(work) / "out"
        inbox.mkdir()
        (Path(work) / "rules.yaml").write_text(RULES)
        (Path(work) / "config.yaml").write_text(f"alerts:\n  rules: {Path(work) / 'rules.yaml'}\n")
        extra = ["--config", str(Path(work) / "config.yaml")]
        extra += ["--es-url", args.es_url, "--index-prefix", args.index_prefix] if args.es_url else []
        started = time.time()
        watch = WatchProcess("--dir", str(inbox), "--output", str(out), "--status-interval", "5", *extra)
        try:
            watch.wait_ready()
            print(f"ready after {time.time() - started:.1f} s")
            seen = Seen(out, args.es_url, f"{args.index_prefix}-articles")
            seen.expected.append("warmup.txt")
            warm = drop_file(warmup, inbox, "warmup.txt", text=dated(warmup))
            wait_for(lambda: {"warmup.txt"} <= set(seen.in_es if args.es_url else seen.in_file), 300,
                     "the warm-up article", watch)
            print(f"cold start (warm-up article, rename -> {'searchable' if args.es_url else 'written'}): "
                  f"{(seen.in_es if args.es_url else seen.in_file)['warmup.txt'] - warm:.1f} s")
            dropped: dict[str, float] = {}
            for index, source in enumerate(sources):
                name = f"{index:03d}-{source.parent.name}-{source.name}"
                seen.expected.append(name)
                dropped[name] = drop_file(source, inbox, name, text=dated(source))
                time.sleep(args.gap)
            wait_for(lambda: set(dropped) <= set(seen.in_file), 120, "every article in the output", watch)
            if args.es_url:
                wait_for(lambda: set(dropped) <= set(seen.in_es), 120, "every article searchable", watch)
            time.sleep(15)  # alerts wait for the watermark; give the last ones time to land
            seen.done.set()
            print(f"{len(dropped)} articles dropped every {args.gap} s")
            report("rename -> written to articles.jsonl", [seen.in_file[n] - dropped[n] for n in dropped])
            if args.es_url:
                report("rename -> searchable in Elasticsearch", [seen.in_es[n] - dropped[n] for n in dropped])
            alerted = [n for n in dropped if n in seen.alerted]
            if alerted:
                report("rename -> first alert on it written", [seen.alerted[n] - dropped[n] for n in alerted])
            code = watch.stop()
            print(f"stopped with exit code {code}")
        finally:
            watch.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
