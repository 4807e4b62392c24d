"""The batch run over the five seed articles, end to end through the CLI."""
from __future__ import annotations

import json

from conftest import SEEDS, read_jsonl, run_newsmon


def test_every_seed_becomes_an_article(seed_run):
    articles = read_jsonl(seed_run / "articles.jsonl")
    assert len(articles) == 5
    assert {a["path"].split("/")[-1] for a in articles} == {p.name for p in SEEDS.iterdir()}


def test_summary_adds_up(seed_run):
    summary = json.loads((seed_run / "summary.json").read_text())
    for key in ("inputs", "articles", "exact_duplicates", "near_duplicates", "stories", "events", "alerts", "deadletter"):
        assert key in summary
    assert summary["inputs"] == 5
    assert summary["inputs"] == summary["articles"] + summary["deadletter"]


def test_ids_are_identical_across_runs(seed_run, tmp_path):
    run_newsmon("run", str(SEEDS), "--output", str(tmp_path), "--no-es")
    first = {a["path"]: a["id"] for a in read_jsonl(seed_run / "articles.jsonl")}
    second = {a["path"]: a["id"] for a in read_jsonl(tmp_path / "articles.jsonl")}
    assert first == second
    assert len(set(first.values())) == 5
