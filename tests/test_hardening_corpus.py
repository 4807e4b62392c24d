"""The whole bad-input corpus in ONE `newsmon run`: no crash, every input accounted for (per file: which
items became articles, which were dead-lettered and why), and no markup or script in any record."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bad_inputs import FEED_ITEMS, build_corpus
from conftest import read_jsonl, run_newsmon
from reading import read_all

# The run caps items per input so that the full analysis (entities, events, stories) of the 10,000-item
# feed stays out of the test's time; the cap's dead-letters show it holds, and
# `test_the_big_feed_is_read_whole_within_the_default_limits` reads every item with the defaults.
ITEM_CAP = 500

# file -> articles it yields, and the (stage, error) of each dead-letter it leaves, in item order.
EXPECTED = {
    "empty.txt": (0, [("read", "empty")]),
    "whitespace.txt": (0, [("read", "empty")]),
    "binary.txt": (0, [("read", "not_text")]),
    "nul-bytes.txt": (0, [("read", "not_text")]),
    "one-nul.txt": (1, []),  # a stray NUL in real text is dropped, the article kept
    "photo.png": (0, [("read", "not_text")]),
    "photo.jpg": (0, [("read", "not_text")]),
    "image-named-article.txt": (0, [("read", "not_text")]),
    "image-named-feed.rss": (0, [("read", "not_text")]),
    "invalid-utf8.txt": (1, []),
    "latin1.txt": (1, []),
    "cp1251.txt": (1, []),
    "huge-50mb.txt": (0, [("read", "too_large")]),
    "truncated.rss": (2, []),  # feedparser recovers the entries before the cut
    "cut-in-tag.rss": (0, [("parse", "not_a_feed")]),
    "malformed.xml": (1, []),
    "billion-laughs.rss": (0, [("parse", "xml_entity_expansion")]),
    "xxe.rss": (0, [("parse", "xml_external_entity")]),
    "wrong-types.json": (1, [("parse", "bad_record")] * 9),
    "missing-fields.jsonl": (1, [("parse", "bad_record")] * 3 + [("parse", "invalid_json")] * 2),
    "hostile.html": (1, []),
    "hostile.rss": (3, []),
    "hostile.json": (1, []),
    "markup-in-text.txt": (1, []),
    "script-only.txt": (0, [("parse", "no_main_text")]),
    "ten-thousand-items.rss": (ITEM_CAP, [("read", "too_many_items")] * (FEED_ITEMS - ITEM_CAP)),
}
# What a browser would run: a script element, an event-handler attribute, a script URL.
ACTIVE_CONTENT = re.compile(r"<\s*script|<\s*[a-z]+[^>]*\bon[a-z]+\s*=|\bon[a-z]+\s*=|javascript\s*:", re.IGNORECASE)
DISPLAYED = ("title", "text", "source", "author", "dateline", "place", "url")


def _file_of(ref: str) -> str:
    return Path(ref.split("#", 1)[0]).name


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory) -> tuple[Path, Path]:
    corpus = build_corpus(tmp_path_factory.mktemp("bad-corpus"))
    out = tmp_path_factory.mktemp("bad-corpus-run")
    config = out.parent / "item-cap.yaml"
    config.write_text(f"limits:\n  max_items_per_input: {ITEM_CAP}\n")
    result = run_newsmon("run", str(corpus), "--output", str(out), "--no-es", "--config", str(config))
    assert "Traceback" not in result.stderr
    return corpus, out


def test_the_corpus_is_complete(corpus_run):
    corpus, _ = corpus_run
    assert sorted(p.name for p in corpus.iterdir()) == sorted(EXPECTED)


def test_every_input_is_accounted_for(corpus_run):
    _, out = corpus_run
    summary = json.loads((out / "summary.json").read_text())
    articles, dead = read_jsonl(out / "articles.jsonl"), read_jsonl(out / "deadletter.jsonl")
    assert summary["inputs"] == summary["articles"] + summary["deadletter"]
    assert (summary["articles"], summary["deadletter"]) == (len(articles), len(dead))
    assert summary["articles"] == sum(count for count, _ in EXPECTED.values())
    assert summary["deadletter"] == sum(len(errors) for _, errors in EXPECTED.values())
    per_file = Counter(_file_of(a["input"]) for a in articles)
    assert {name: per_file.get(name, 0) for name in EXPECTED} == {name: n for name, (n, _) in EXPECTED.items()}
    dead_per_file: dict[str, list] = {}
    for record in sorted(dead, key=lambda d: (d["input"].split("#")[0], int(d["input"].split("#")[1])
                                              if "#" in d["input"] else -1)):
        dead_per_file.setdefault(_file_of(record["input"]), []).append((record["stage"], record["error"]))
        assert record["reason"] and len(record["reason"]) > 15
    assert {name: dead_per_file.get(name, []) for name in EXPECTED} == {n: e for n, (_, e) in EXPECTED.items()}


def test_text_in_legacy_and_damaged_encodings_is_decoded(corpus_run):
    _, out = corpus_run
    by_file = {_file_of(a["input"]): a for a in read_jsonl(out / "articles.jsonl")}
    assert by_file["latin1.txt"]["title"] == "Grève générale à Paris"
    assert by_file["cp1251.txt"]["title"] == "Наводнение в Сибири"
    damaged = by_file["invalid-utf8.txt"]["title"] + by_file["invalid-utf8.txt"]["text"]
    assert "évacuations" in damaged and "préfet" in damaged and "\ufffd" not in damaged and "Ã" not in damaged
    assert "river valley" in by_file["one-nul.txt"]["text"]


def test_no_markup_or_script_reaches_any_record(corpus_run):
    _, out = corpus_run
    for name in ("articles", "deadletter"):
        for record in read_jsonl(out / f"{name}.jsonl"):
            for field, value in record.items():
                if isinstance(value, str):
                    assert not ACTIVE_CONTENT.search(value), (name, record.get("input"), field, value[:200])
                    assert "<" not in value or field not in DISPLAYED, (record["input"], field, value[:200])


def test_hostile_items_keep_their_story_and_lose_their_scripts(corpus_run):
    _, out = corpus_run
    hostile = [a for a in read_jsonl(out / "articles.jsonl") if _file_of(a["input"]).startswith("hostile")]
    by_title = {a["title"]: a for a in hostile}
    assert set(by_title) >= {"Minister resigns over contract scandal", "Storm hits coast", "Budget vote delayed"}
    assert "awarded without a tender" in by_title["Minister resigns over contract scandal"]["text"]
    storm = by_title["Storm hits coast"]
    assert storm["url"] is None and storm["source"] == "Evil Times" and storm["author"] == "Reporter"
    budget = by_title["Budget vote delayed"]
    assert (budget["url"], budget["source"], budget["author"]) == (None, "Daily Post", "Jane Doe")


def test_no_external_entity_is_ever_read(corpus_run):
    _, out = corpus_run
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    for path in out.iterdir():
        if path.is_file():
            assert passwd not in path.read_text(encoding="utf-8", errors="replace")


def test_the_big_feed_is_read_whole_within_the_default_limits(corpus_run):
    corpus, _ = corpus_run
    articles, dead = read_all(corpus / "ten-thousand-items.rss")
    assert (len(articles), dead) == (FEED_ITEMS, [])
    assert len({a["id"] for a in articles}) == FEED_ITEMS
