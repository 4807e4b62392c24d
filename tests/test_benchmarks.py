"""The benchmark corpus is deterministic real news, and the throughput benchmark reports its figures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from benchmarks.corpus import BBC_DIR, MAX_WORDS, MIN_WORDS, bbc_articles, corpus, generated_articles, write_corpus
from benchmarks.memory import tree_memory_mb
from conftest import REPO, SHARED

REQUIRED_KEYS = {"docs", "workers", "docs_per_s", "words_per_s", "spacy_docs_per_s", "ratio_vs_spacy",
                 "peak_rss_mb", "pipeline_wall_s", "spacy_wall_s"}


def test_bbc_corpus_is_read_from_shared_with_its_latin1_file():
    assert BBC_DIR == SHARED / "corpora" / "bbc"
    articles = bbc_articles()
    assert len(articles) == 2225
    latin1 = next(a for a in articles if a.name == "bbc-sport-199")
    assert "\ufffd" not in latin1.text and latin1.title
    assert [a.name for a in articles[:5]] == [f"bbc-{c}-001" for c in
                                              ("business", "entertainment", "politics", "sport", "tech")]


def test_generator_is_deterministic_and_makes_distinct_400_to_700_word_articles():
    sources = bbc_articles()
    first = list(generated_articles(600, sources, seed=7))
    again = list(generated_articles(600, sources, seed=7))
    other = list(generated_articles(50, sources, seed=8))
    assert [a.text for a in first] == [a.text for a in again]
    assert [a.text for a in other] != [a.text for a in first[:50]]
    assert all(MIN_WORDS <= a.words <= MAX_WORDS for a in first)
    assert len({a.title for a in first}) == len(first)
    assert len({a.paragraphs for a in first}) == len(first)
    # Recombined, not copied: paragraphs are real BBC ones, but an article mixes several sources.
    real = {p for a in sources for p in a.paragraphs}
    assert all(set(a.paragraphs) <= real for a in first)
    assert all(len(a.paragraphs) >= 3 for a in first)


def test_corpus_beyond_bbc_size_extends_real_articles_with_generated_ones():
    articles = corpus(2230)
    assert len(articles) == 2230
    assert articles[2224].name.startswith("bbc-") and articles[2225].name.startswith("gen-")
    assert [a.name for a in corpus(10)] == [a.name for a in articles[:10]]


def test_written_corpus_is_what_newsmon_reads(tmp_path):
    articles = corpus(12, kind="generated")
    paths = write_corpus(articles, tmp_path)
    assert len(paths) == 12
    assert paths[0].read_text(encoding="utf-8") == articles[0].text + "\n"


def test_throughput_prints_json_figures_as_last_line():
    result = subprocess.run([sys.executable, "-m", "benchmarks.throughput", "--docs", "20", "--no-full-spacy"],
                            cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert REQUIRED_KEYS <= figures.keys()
    assert figures["docs"] == 20 and figures["summary"]["articles"] == 20
    assert figures["docs_per_s"] > 0 and figures["spacy_docs_per_s"] > 0 and figures["peak_rss_mb"] > 100
    assert any(line.startswith("newsmon run") for line in lines)


def test_tree_memory_counts_this_process_and_a_child():
    alone_rss, alone_pss = tree_memory_mb(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "import time; b = bytearray(200 * 2**20); time.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        with_child = tree_memory_mb(os.getpid())
        while with_child[0] < alone_rss + 150 and time.monotonic() < deadline:
            time.sleep(0.2)
            with_child = tree_memory_mb(os.getpid())
    finally:
        child.kill()
        child.wait()
    assert 0 < alone_pss <= alone_rss
    assert with_child[0] >= alone_rss + 150 and with_child[1] >= alone_pss + 150


def test_story_index_benchmark_times_index_and_scan_on_the_same_state():
    from benchmarks.story_index import measure
    row = measure(120, 20, "bbc")
    assert row["docs"] == 120 and 0 < row["open_stories"] <= 120
    assert row["same_choices"] is True
    assert row["probe_index_ms"] > 0 and row["probe_scan_ms"] > 0 and row["scan_over_index"] > 0
