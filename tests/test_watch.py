"""`newsmon watch` end to end on Prism: files dropped in the inbox and a feed served over HTTP
become articles within seconds, in JSONL files and in a real Elasticsearch node; SIGTERM stops it
with exit 0; a restart takes the files that arrived meanwhile and repeats nothing."""
from __future__ import annotations

import functools
import http.server
import re
import signal
import subprocess
import threading
from collections import Counter
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from conftest import REPO, SEEDS, SHARED, read_jsonl, run_newsmon
from reading import loopback_config
from watchproc import WatchProcess, drop_file, read_records, wait_for

FEED = SHARED / "eval" / "feeds" / "realworld" / "input" / "guardian.rss"
FEED_ITEMS = 55
SMALL_FEED = SHARED / "eval" / "feeds" / "realworld" / "input" / "content-encoded.rss"
SMALL_FEED_ITEMS = 7
# The Elasticsearch node of these tests (other test modules use other ports).
ES_PORT = 9253
SEED_FILES = sorted(SEEDS.iterdir())
# Seconds within which an arrival must be written: a deadline, not a speed goal (61 items go through
# one streaming worker, slower on a loaded 2-core machine); the
# benchmark (benchmarks/watch_latency.py) measures the real figure.
WITHIN_S = 120


class FeedServer:
    """A local feed publisher (127.0.0.1) that answers conditional GETs and logs the statuses it sent."""

    def __init__(self, root: Path):
        statuses = self.statuses = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-"):
                statuses.append(int(code))

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve_feed(tmp_path: Path, feed: Path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "feed.xml").write_bytes(feed.read_bytes())
    server = FeedServer(root)
    yield server, root / "feed.xml"
    server.close()


@pytest.fixture
def feed_server(tmp_path):
    yield from serve_feed(tmp_path, FEED)


@pytest.fixture
def small_feed_server(tmp_path):
    yield from serve_feed(tmp_path, SMALL_FEED)


@pytest.fixture(scope="module")
def es_node(tmp_path_factory):
    """A real node from deploy/elasticsearch/es.sh, with its data in a temporary directory."""
    home = tmp_path_factory.mktemp("es-node")

    def es_sh(action: str) -> str:
        result = subprocess.run(["bash", str(REPO / "deploy" / "elasticsearch" / "es.sh"), action,
                                 "--port", str(ES_PORT), "--home", str(home)],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"es.sh {action} failed:\n{result.stderr[-3000:]}"
        return result.stdout

    url = es_sh("start").strip().splitlines()[-1]
    client = Elasticsearch(url)
    try:
        yield url, client
    finally:
        client.close()
        es_sh("stop")


def paths_written(out: Path) -> Counter:
    return Counter(Path(a["path"]).name for a in read_records(out / "articles.jsonl") if a.get("path"))


def feed_articles(out: Path, url: str) -> list[dict]:
    return [a for a in read_records(out / "articles.jsonl") if str(a.get("input", "")).startswith(url)]


def with_new_item(feed: bytes) -> bytes:
    """The feed as its publisher would serve it later: one more item at the top."""
    item = (b"<item><title>Storm floods coastal towns in Portugal</title>"
            b"<link>https://www.theguardian.com/world/2018/feb/01/storm-portugal</link>"
            b"<guid>https://www.theguardian.com/world/2018/feb/01/storm-portugal</guid>"
            b"<description>Heavy rain flooded Porto and Aveiro on Thursday, officials said.</description>"
            b"<pubDate>Thu, 01 Feb 2018 09:00:00 GMT</pubDate></item>")
    return feed.replace(b"<item>", item + b"<item>", 1)


def analysis_of(article: dict) -> tuple:
    """What the analysis made of an article, apart from where it came from."""
    entities = sorted((e["name"], e["type"], e["count"]) for e in article["entities"])
    return article["title"], article["text"], article["published_at"], article["language"], entities


def perturbed(seed: Path, marker: str) -> str:
    """A seed article as a later edition of it: the same story with one more paragraph."""
    return seed.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{marker}: officials confirmed the report on Friday.\n"


def test_watch_streams_files_and_feed_and_restarts_without_repeats(tmp_path, feed_server, seed_run):
    server, served = feed_server
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"- url: {server.url}\n  interval_s: 1\n  headers: {{Accept: application/rss+xml}}\n")
    args = ("--dir", str(inbox), "--output", str(out), "--feeds", str(feeds), "--status-interval", "1",
            "--watch", "Putin", "--config", str(loopback_config(tmp_path)))

    watch = WatchProcess(*args)
    try:
        watch.wait_ready()
        for seed in SEED_FILES:
            drop_file(seed, inbox, seed.name)
        (inbox / ".still-copying.txt").write_text("a half-written file is never read\n")
        drop_file(SEED_FILES[0], inbox, "empty.txt", text="\n\n")
        wait_for(lambda: {seed.name for seed in SEED_FILES} <= set(paths_written(out)), WITHIN_S,
                 "the dropped files", watch)
        wait_for(lambda: any(d["input"].endswith("empty.txt") for d in read_records(out / "deadletter.jsonl")),
                 WITHIN_S, "the empty file's dead-letter", watch)
        wait_for(lambda: len(feed_articles(out, server.url)) >= FEED_ITEMS, WITHIN_S, "the feed's items", watch)
        putin_seed = next(a["id"] for a in read_records(out / "articles.jsonl")
                          if (a.get("path") or "").endswith(SEED_FILES[0].name))
        wait_for(lambda: [a for a in read_records(out / "alerts.jsonl")
                          if a["rule"] == "watch:Vladimir Putin" and putin_seed in a["article_ids"]],
                 WITHIN_S, "the watchlist alert on the first seed", watch)
        assert 304 in wait_for(lambda: server.statuses if 304 in server.statuses else None, WITHIN_S,
                               "a conditional GET answered 304", watch)

        served.write_bytes(with_new_item(FEED.read_bytes()))
        wait_for(lambda: len(feed_articles(out, server.url)) >= FEED_ITEMS + 1, WITHIN_S, "the new feed item", watch)
        assert watch.stop() == 0, watch.log()
    finally:
        watch.kill()
    assert any("ready" in line for line in watch.stdout)
    statuses = [line for line in watch.stderr if "status" in line and "lag" in line]
    written = re.search(r"\barticles=(\d+)", statuses[-1]) if statuses else None
    assert written and int(written.group(1)) >= len(SEED_FILES) + FEED_ITEMS, watch.log()
    assert "still-copying.txt" not in paths_written(out)
    streamed = {Path(a["path"]).name: analysis_of(a) for a in read_records(out / "articles.jsonl") if a.get("path")}
    batch = {Path(a["path"]).name: analysis_of(a) for a in read_jsonl(seed_run / "articles.jsonl")}
    assert streamed == batch, "watch (Prism, streaming) and run (batch) must analyse the seeds alike"
    storm = [a for a in feed_articles(out, server.url) if a["title"].startswith("Storm floods")]
    assert len(storm) == 1 and storm[0]["url"].endswith("storm-portugal")
    assert storm[0]["source"] and "arrival" not in storm[0]

    alerts_before = read_records(out / "alerts.jsonl")
    drop_file(SEED_FILES[2], inbox, "while-stopped.txt", text=perturbed(SEED_FILES[2], "UPDATE"))
    watch = WatchProcess(*args)
    try:
        watch.wait_ready()
        wait_for(lambda: "while-stopped.txt" in paths_written(out), WITHIN_S, "the file dropped while stopped", watch)
        drop_file(SEED_FILES[3], inbox, "after-restart.txt", text=perturbed(SEED_FILES[3], "LATEST"))
        wait_for(lambda: "after-restart.txt" in paths_written(out), WITHIN_S, "the file dropped after restart", watch)
        assert watch.stop(signal.SIGINT) == 0, watch.log()
    finally:
        watch.kill()

    written = paths_written(out)
    assert set(written) == {seed.name for seed in SEED_FILES} | {"while-stopped.txt", "after-restart.txt"}
    assert set(written.values()) == {1}, f"a file was written twice: {written}"
    feed_ids = Counter(a["id"] for a in feed_articles(out, server.url))
    assert len(feed_ids) == FEED_ITEMS + 1 and set(feed_ids.values()) == {1}
    alerts = read_records(out / "alerts.jsonl")
    assert alerts[:len(alerts_before)] == alerts_before
    restart_articles = {a["id"] for a in read_records(out / "articles.jsonl")
                        if (a.get("path") or "").endswith(("while-stopped.txt", "after-restart.txt"))}
    assert all(set(a["article_ids"]) & restart_articles for a in alerts[len(alerts_before):]), "re-alerted"
    assert set(Counter(a["id"] for a in alerts).values()) == {1}
    deadletters = [d for d in read_records(out / "deadletter.jsonl") if d["input"].endswith("empty.txt")]
    assert len(deadletters) == 1 and deadletters[0]["reason"]


def indexed(client: Elasticsearch, index: str) -> dict[str, dict]:
    """Every document of `index` now searchable: id -> source, with its `_version` (1 = written once)."""
    client.indices.refresh(index=index, ignore_unavailable=True)
    response = client.options(ignore_status=404).search(index=index, size=1000, version=True,
                                                        query={"match_all": {}})
    if response.meta.status == 404:
        return {}
    return {hit["_id"]: {**hit["_source"], "_version": hit["_version"]} for hit in response["hits"]["hits"]}


def indexed_paths(client: Elasticsearch, prefix: str) -> Counter:
    return Counter(Path(a["path"]).name for a in indexed(client, f"{prefix}-articles").values() if a.get("path"))


def test_watch_indexes_files_and_feed_into_elasticsearch_and_restarts_without_repeats(
        tmp_path, small_feed_server, es_node):
    url, client = es_node
    server, _ = small_feed_server
    prefix = "watchtest"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"- url: {server.url}\n  interval_s: 1\n")
    config = loopback_config(tmp_path)
    args = ("--dir", str(inbox), "--es-url", url, "--index-prefix", prefix, "--feeds", str(feeds),
            "--status-interval", "1", "--watch", "Putin", "--config", str(config))
    articles_index, alerts_index = f"{prefix}-articles", f"{prefix}-alerts"

    def feed_items() -> dict:
        return {i: a for i, a in indexed(client, articles_index).items() if a.get("url") and not a.get("path")}

    def putin_alerts() -> dict:
        return {i: a for i, a in indexed(client, alerts_index).items() if a["rule"] == "watch:Vladimir Putin"}

    watch = WatchProcess(*args)
    try:
        watch.wait_ready()
        for seed in SEED_FILES:
            drop_file(seed, inbox, seed.name)
        drop_file(SEED_FILES[0], inbox, "empty.txt", text="\n\n")
        wait_for(lambda: {seed.name for seed in SEED_FILES} <= set(indexed_paths(client, prefix)), WITHIN_S,
                 "the dropped files in the articles index", watch, poll_s=0.5)
        wait_for(lambda: len(feed_items()) >= SMALL_FEED_ITEMS, WITHIN_S, "the feed's items in the index", watch,
                 poll_s=0.5)
        wait_for(lambda: [d for d in indexed(client, f"{prefix}-deadletter").values()
                          if d["input"].endswith("empty.txt")], WITHIN_S, "the empty file's dead-letter", watch,
                 poll_s=0.5)
        wait_for(putin_alerts, WITHIN_S, "the watchlist alert in the alerts index", watch, poll_s=0.5)
        assert watch.stop() == 0, watch.log()
    finally:
        watch.kill()
    assert any("ready" in line and url in line for line in watch.stdout), watch.log()

    articles = indexed(client, articles_index)
    alerts = indexed(client, alerts_index)
    events = indexed(client, f"{prefix}-events")
    assert events and all(e["article_id"] in articles for e in events.values())
    assert all("arrival" not in a for a in articles.values())
    # The same documents and ids as a batch run over the same files and feed.
    batch_out = tmp_path / "batch"
    run_newsmon("run", *(str(inbox / seed.name) for seed in SEED_FILES), server.url, "--no-es",
                "--output", str(batch_out), "--watch", "Putin", "--config", str(config))
    batch_articles = {a["id"]: a for a in read_jsonl(batch_out / "articles.jsonl")}
    assert set(articles) == set(batch_articles)
    assert {i: analysis_of(a) for i, a in articles.items()} == {i: analysis_of(a) for i, a in batch_articles.items()}
    batch_putin = {a["id"] for a in read_jsonl(batch_out / "alerts.jsonl") if a["rule"] == "watch:Vladimir Putin"}
    assert set(putin_alerts()) == batch_putin

    drop_file(SEED_FILES[2], inbox, "while-stopped.txt", text=perturbed(SEED_FILES[2], "UPDATE"))
    watch = WatchProcess(*args)
    try:
        watch.wait_ready()
        wait_for(lambda: "while-stopped.txt" in indexed_paths(client, prefix), WITHIN_S,
                 "the file dropped while stopped", watch, poll_s=0.5)
        drop_file(SEED_FILES[3], inbox, "after-restart.txt", text=perturbed(SEED_FILES[3], "LATEST"))
        wait_for(lambda: "after-restart.txt" in indexed_paths(client, prefix), WITHIN_S,
                 "the file dropped after restart", watch, poll_s=0.5)
        assert watch.stop(signal.SIGINT) == 0, watch.log()
    finally:
        watch.kill()

    after = indexed(client, articles_index)
    new = set(after) - set(articles)
    assert {Path(after[i]["path"]).name for i in new} == {"while-stopped.txt", "after-restart.txt"}
    # Nothing written before the restart was indexed again: every earlier document keeps its version.
    assert {i: after[i]["_version"] for i in articles} == {i: a["_version"] for i, a in articles.items()}
    alerts_after = indexed(client, alerts_index)
    assert {i: alerts_after[i]["_version"] for i in alerts} == {i: a["_version"] for i, a in alerts.items()}
    assert all(set(a["article_ids"]) & new for i, a in alerts_after.items() if i not in alerts), "re-alerted"
    assert len(feed_items()) == SMALL_FEED_ITEMS
    assert len([d for d in indexed(client, f"{prefix}-deadletter").values() if d["input"].endswith("empty.txt")]) == 1


def test_watch_refuses_unusable_arguments(tmp_path):
    missing = run_newsmon("watch", "--dir", str(tmp_path / "nope"), "--output", str(tmp_path), check=False)
    assert missing.returncode == 2 and "no such directory" in missing.stderr
    nowhere = run_newsmon("watch", "--dir", str(tmp_path), check=False)
    assert nowhere.returncode == 2 and "--output" in nowhere.stderr
    no_node = run_newsmon("watch", "--dir", str(tmp_path), "--es-url", "http://127.0.0.1:9", check=False)
    assert no_node.returncode == 2 and "not reachable" in no_node.stderr and "newsmon es start" in no_node.stderr
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("- url: ftp://example.org/rss\n")
    bad_feed = run_newsmon("watch", "--dir", str(tmp_path), "--output", str(tmp_path), "--feeds", str(feeds),
                           check=False)
    assert bad_feed.returncode == 2 and "feed 1" in bad_feed.stderr and len(bad_feed.stderr.strip().splitlines()) == 1
