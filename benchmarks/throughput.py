"""Throughput of the full batch pipeline against bare spaCy on the same texts, in one run.

    python -m benchmarks.throughput --docs 1000 [--workers 2] [--corpus bbc|generated]

1. Writes N real news articles (see `benchmarks.corpus`) to a temporary folder.
2. Runs `newsmon run DIR --no-es --output OUT` as a user would (a subprocess, whatever stages
   are on the branch), with `runner.workers = W`, and samples the memory of its process tree.
3. Runs bare `nlp.pipe` in this process over the same texts with the same model and the same
   number of processes: first with the components newsmon runs (loaded by newsmon's own
   `load_model`, so the baseline follows the pipeline), then with the model's full pipeline.

The ratio compares the pipeline's wall time (start-up, model loads, reading, writing: all a
user waits for) with spaCy's (model load plus `nlp.pipe`). Other work on the machine makes
absolute figures noisy; the ratio is measured within one run. The last line printed is one JSON
object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import spacy

from benchmarks.corpus import BBC_DIR, DEFAULT_SEED, Article, corpus, write_corpus
from benchmarks.memory import PeakTreeMemory
from newsmon.transforms.nlp import load_model
from newsmon.transforms.settings import load_settings

# Documents per nlp.pipe batch in the baseline: small enough that a few hundred documents
# still spread over every process (spaCy hands out whole batches).
BASELINE_BATCH = 32


@dataclass
class Measure:
    """One timed run over the corpus."""

    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    peak_pss_mb: float
    load_s: float = 0.0
    components: tuple[str, ...] = ()

    def docs_per_s(self, docs: int) -> float:
        return docs / self.wall_s

    def words_per_s(self, words: int) -> float:
        return words / self.wall_s


def cpu_seconds(include_self: bool = True) -> float:
    """User + system CPU time of the child processes waited for, and of this one if asked."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = children.ru_utime + children.ru_stime
    if include_self:
        own = resource.getrusage(resource.RUSAGE_SELF)
        total += own.ru_utime + own.ru_stime
    return total


def time_newsmon_run(corpus_dir: Path, workdir: Path, workers: int) -> Measure:
    """`newsmon run` as a subprocess; fails loudly if it does not complete."""
    config = workdir / "bench-config.yaml"
    config.write_text(f"runner:\n  workers: {workers}\n", encoding="utf-8")
    output = workdir / "out"
    command = [sys.executable, "-m", "newsmon.pipelines.cli", "run", str(corpus_dir),
               "--no-es", "--output", str(output), "--config", str(config)]
    log = workdir / "pipeline.log"
    cpu = cpu_seconds(include_self=False)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as stderr, PeakTreeMemory() as memory:
        process = subprocess.Popen(command, stdout=stderr, stderr=subprocess.STDOUT)
        memory.watch(process.pid)
        code = process.wait()
    wall = time.perf_counter() - start
    cpu = cpu_seconds(include_self=False) - cpu
    if code != 0:
        raise SystemExit(f"newsmon run failed (exit {code}):\n{log.read_text()[-3000:]}")
    return Measure("newsmon run (full pipeline)", wall, cpu, memory.peak_rss_mb, memory.peak_pss_mb)


def time_spacy(name: str, load, texts: list[str], workers: int) -> Measure:
    """Model load plus one `nlp.pipe` over every text, docs consumed as they come."""
    with PeakTreeMemory() as memory:
        cpu = cpu_seconds()
        start = time.perf_counter()
        nlp = load()
        loaded = time.perf_counter()
        for _ in nlp.pipe(texts, n_process=workers, batch_size=BASELINE_BATCH):
            pass
        wall = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
    return Measure(name, wall, cpu, memory.peak_rss_mb, memory.peak_pss_mb, load_s=loaded - start, components=tuple(nlp.pipe_names))


def check_summary(output: Path, docs: int) -> dict:
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    if summary["articles"] != docs:
        raise SystemExit(f"newsmon run wrote {summary['articles']} articles for {docs} inputs: {summary}")
    return summary


def measure(docs: int, workers: int, kind: str = "bbc", seed: int = DEFAULT_SEED,
            bbc_dir: Path = BBC_DIR, baseline: bool = True, full_spacy: bool = True) -> dict:
    """Time the pipeline and (unless `baseline` is off) bare spaCy; print a table, return figures."""
    articles: list[Article] = corpus(docs, kind, seed, bbc_dir)
    texts = [article.text for article in articles]
    words = sum(article.words for article in articles)
    model = load_settings().get("nlp.model")
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-") as tmp:
        workdir = Path(tmp)
        write_corpus(articles, workdir / "corpus")
        pipeline = time_newsmon_run(workdir / "corpus", workdir, workers)
        summary = check_summary(workdir / "out", docs)
    measures = [pipeline]
    if baseline:
        measures.append(time_spacy("bare spaCy, newsmon's components", lambda: load_model(model), texts, workers))
        if full_spacy:
            measures.append(time_spacy("bare spaCy, full model", lambda: spacy.load(model), texts, workers))
    print_table(measures, docs, words, workers, kind)
    result = {
        "docs": docs,
        "words": words,
        "workers": workers,
        "corpus": kind,
        "model": model,
        "docs_per_s": round(pipeline.docs_per_s(docs), 2),
        "words_per_s": round(pipeline.words_per_s(words), 1),
        "pipeline_wall_s": round(pipeline.wall_s, 2),
        "pipeline_cpu_s": round(pipeline.cpu_s, 2),
        "peak_rss_mb": round(pipeline.peak_rss_mb, 1),
        "peak_pss_mb": round(pipeline.peak_pss_mb, 1),
        "summary": summary,
    }
    for key, m in zip(("spacy", "spacy_full"), measures[1:]):
        result.update({
            f"{key}_docs_per_s": round(m.docs_per_s(docs), 2),
            f"{key}_words_per_s": round(m.words_per_s(words), 1),
            f"{key}_wall_s": round(m.wall_s, 2),
            f"{key}_cpu_s": round(m.cpu_s, 2),
            f"{key}_load_s": round(m.load_s, 2),
            f"{key}_peak_rss_mb": round(m.peak_rss_mb, 1),
            f"{key}_peak_pss_mb": round(m.peak_pss_mb, 1),
            f"{key}_components": list(m.components),
        })
    if baseline:
        result["ratio_vs_spacy"] = round(measures[1].wall_s / pipeline.wall_s, 3)
        result["cpu_ratio_vs_spacy"] = round(measures[1].cpu_s / pipeline.cpu_s, 3)
    return result


def print_table(measures: list[Measure], docs: int, words: int, workers: int, kind: str) -> None:
    print(f"throughput: {docs} {kind} articles, {words} words, {workers} process(es), "
          f"{os.cpu_count()} CPUs")
    print(f"{'run':<34} {'wall s':>8} {'CPU s':>8} {'docs/s':>8} {'words/s':>9} {'peak RSS MB':>12} {'peak PSS MB':>12}")
    for m in measures:
        print(f"{m.name:<34} {m.wall_s:>8.2f} {m.cpu_s:>8.2f} {m.docs_per_s(docs):>8.1f} "
              f"{m.words_per_s(words):>9.0f} {m.peak_rss_mb:>12.0f} {m.peak_pss_mb:>12.0f}")
    for m in measures[1:]:
        print(f"  {m.name}: components {', '.join(m.components)}; model load {m.load_s:.2f} s")
    if len(measures) > 1:
        pipeline, spacy_run = measures[:2]
        print(f"ratio vs spaCy (same components): wall {spacy_run.wall_s / pipeline.wall_s:.3f}, "
              f"CPU {spacy_run.cpu_s / pipeline.cpu_s:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="number of articles N")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes for both runs (default: one per CPU)")
    parser.add_argument("--corpus", choices=("bbc", "generated"), default="bbc",
                        help="bbc: real BBC articles first, generated beyond 2,225 (default); "
                             "generated: all recombined 400-700 word articles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--bbc-dir", type=Path, default=BBC_DIR, help="BBC corpus folder")
    parser.add_argument("--no-full-spacy", action="store_true",
                        help="skip the bare full-model spaCy run")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.workers < 1:
        parser.error("--docs and --workers must be positive")
    result = measure(args.docs, args.workers, args.corpus, args.seed, args.bbc_dir,
                     full_spacy=not args.no_full_spacy)
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
