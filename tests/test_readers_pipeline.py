"""Every reader inside the real batch run: mixed inputs, a feed URL, and the summary invariant."""
from __future__ import annotations

import json
import shutil

from conftest import read_jsonl, run_newsmon
from reading import DATA, feed_server, loopback_config  # noqa: F401 - the local HTTP server fixture


def test_mixed_inputs_end_as_articles_or_dead_letters(tmp_path, feed_server):  # noqa: F811
    inbox = tmp_path / "inbox"
    shutil.copytree(DATA, inbox, ignore=shutil.ignore_patterns("bad"))  # the bad corpus has its own run
    (inbox / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (inbox / "promo.txt").write_text("Join our brand new verified AMN Telegram channel and get important news uncensored!\n")
    out = tmp_path / "out"
    run_newsmon("run", str(inbox), f"{feed_server}/guardian.rss", "--output", str(out), "--no-es",
                "--config", str(loopback_config(tmp_path)))

    summary = json.loads((out / "summary.json").read_text())
    articles = read_jsonl(out / "articles.jsonl")
    dead = read_jsonl(out / "deadletter.jsonl")
    assert summary["inputs"] == summary["articles"] + summary["deadletter"] == 72
    assert (summary["articles"], summary["deadletter"]) == (len(articles), len(dead)) == (64, 8)
    assert sum(a["input"].startswith(f"{feed_server}/guardian.rss#") for a in articles) == 55
    stages = {(d["input"].rsplit("/", 1)[1], d["stage"], d["error"]) for d in dead}
    assert ("photo.txt", "read", "not_text") in stages
    assert ("promo.txt", "normalise", "empty") in stages
    assert ("nav_only.html", "parse", "no_main_text") in stages
    assert all(d["reason"] for d in dead)
