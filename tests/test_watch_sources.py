"""The watch sources and sinks as plain code: directory listing, ledger, feed config, conditional
GET with backoff against a local publisher, de-duplication across polls, whole-line appends."""
from __future__ import annotations

import functools
import http.server
import json
import logging
import os

import pytest

from conftest import SEEDS, SHARED
from local_http import serving
from reading import settings_with
from newsmon.transforms.settings import ConfigError, load_settings
from newsmon.transforms.sources import ledger
from newsmon.transforms.sources.directory import new_files, scan_directory
from newsmon.transforms.sources.feeds import FeedPollState, FeedSource, backoff_s, load_feeds, poll_once
from newsmon.transforms.sources.reading import read_arrived_file, read_feed_body
from newsmon.transforms.streaming_sinks import append_lines

FEEDS = SHARED / "eval" / "feeds" / "realworld" / "input"
SETTINGS = load_settings()


def test_scan_skips_dot_files_and_dot_directories_and_sees_replacements(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".state").mkdir()
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / "sub" / "b.txt").write_text("two")
    (tmp_path / ".c.txt.part").write_text("half")
    (tmp_path / ".state" / "d.txt").write_text("private")
    listing = scan_directory(str(tmp_path))
    assert [os.path.relpath(seen.path, tmp_path) for seen in listing] == ["a.txt", os.path.join("sub", "b.txt")]

    known = {seen.key for seen in listing}
    assert new_files(scan_directory(str(tmp_path)), known) == []
    (tmp_path / "a.txt").write_text("one, corrected")
    assert [os.path.basename(seen.path) for seen in new_files(scan_directory(str(tmp_path)), known)] == ["a.txt"]


def test_ledger_round_trip_ignores_a_torn_last_line(tmp_path):
    ledger.append_processed(str(tmp_path), "file:/x:1:2")
    ledger.append_processed(str(tmp_path), "feed:http://h/rss#g1")
    with open(ledger.ledger_path(str(tmp_path)), "a", encoding="utf-8") as handle:
        handle.write('{"key": "file:/y:')
    assert ledger.load_processed(str(tmp_path)) == {"file:/x:1:2", "feed:http://h/rss#g1"}
    assert ledger.load_processed(str(tmp_path / "missing")) == set()


def test_arrived_file_records_carry_the_arrival(tmp_path):
    seed = sorted(SEEDS.iterdir())[0]
    items = read_arrived_file(str(seed), "file:k", 12.5, SETTINGS)
    assert len(items) == 1 and items[0]["arrival"] == {"key": "file:k", "items": 1, "arrived_at": 12.5}
    missing = read_arrived_file(str(tmp_path / "gone.txt"), "file:g", 1.0, SETTINGS)
    assert missing[0]["stage"] == "read" and missing[0]["arrival"]["items"] == 1


@pytest.mark.parametrize("text, fragment", [
    ("- url: ftp://x/rss\n", "feed 1: 'url'"),
    ("- url: http://x/rss\n  interval_s: 0\n", "feed 1: 'interval_s'"),
    ("- url: http://x/rss\n  every: 5\n", "unknown key 'every'"),
    ("- url: http://x/rss\n  headers: [a]\n", "'headers'"),
    ("- http://x/rss\n- http://x/rss\n", "listed twice"),
    ("url: http://x/rss\n", "non-empty YAML list"),
    ("- url: [\n", "invalid YAML at line"),
])
def test_feed_config_errors_are_one_line(tmp_path, text, fragment):
    path = tmp_path / "feeds.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_feeds(str(path))
    assert fragment in str(error.value) and "\n" not in str(error.value) and str(path) in str(error.value)


def test_feed_config_defaults(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text("- http://127.0.0.1:1/a.xml\n- url: http://127.0.0.1:1/b.xml\n  interval_s: 60\n"
                    "  headers: {Authorization: Bearer x}\n")
    assert load_feeds(str(path)) == [
        FeedSource("http://127.0.0.1:1/a.xml", 300.0, {}),
        FeedSource("http://127.0.0.1:1/b.xml", 60.0, {"Authorization": "Bearer x"}),
    ]


def test_backoff_doubles_and_is_capped():
    assert backoff_s(60, 0) == 60
    assert [backoff_s(60, n) for n in (1, 2, 3)] == [120, 240, 480]
    assert backoff_s(60, 30) == 3600


@pytest.fixture
def publisher(tmp_path):
    """A local feed publisher answering conditional GETs, with the requests' headers logged."""
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_request(self, code="-", size="-"):
            requests.append((int(code), dict(self.headers)))

    (tmp_path / "guardian.rss").write_bytes((FEEDS / "guardian.rss").read_bytes())
    with serving(functools.partial(Handler, directory=str(tmp_path))) as url:
        yield url, requests


def test_conditional_polls_dedup_and_backoff(publisher, tmp_path):
    base, requests = publisher
    loopback = settings_with(tmp_path)
    feed = FeedSource(f"{base}/guardian.rss", 10.0, {"X-Token": "t"})
    state = FeedPollState()
    first = poll_once(feed, state, loopback, now=1000.0, timeout_s=5)
    assert len(first) == 55 and state.last_modified and state.next_poll_at == 1010.0
    assert requests[-1][1]["X-Token"] == "t"
    assert poll_once(feed, state, loopback, now=1005.0, timeout_s=5) == [] and len(requests) == 1  # not due
    assert poll_once(feed, state, loopback, now=1010.0, timeout_s=5) == []
    assert requests[-1][0] == 304 and requests[-1][1]["If-Modified-Since"] == state.last_modified

    state.last_modified = None  # a publisher without validators: the full feed again, nothing new
    assert poll_once(feed, state, loopback, now=1020.0, timeout_s=5) == [] and requests[-1][0] == 200

    missing = FeedSource(f"{base}/gone.rss", 10.0)
    failing = FeedPollState()
    assert poll_once(missing, failing, loopback, now=0.0, timeout_s=5) == []
    assert failing.failures == 1 and failing.next_poll_at == 20.0
    poll_once(missing, failing, loopback, now=20.0, timeout_s=5)
    assert failing.failures == 2 and failing.next_poll_at == 60.0


def test_a_feed_on_a_loopback_address_is_refused_without_a_request(publisher, caplog):
    base, requests = publisher
    feed = FeedSource(f"{base}/guardian.rss", 10.0)
    state = FeedPollState()
    with caplog.at_level(logging.WARNING, logger="newsmon.transforms.sources.feeds"):
        assert poll_once(feed, state, SETTINGS, now=0.0, timeout_s=5) == []
    assert requests == [] and state.failures == 1 and state.next_poll_at == 20.0
    assert "127.0.0.1 is a loopback address" in caplog.text and "fetch.allow_private: true" in caplog.text


def test_feed_items_are_tagged_and_not_repeated():
    body = (FEEDS / "guardian.rss").read_bytes()
    fresh = read_feed_body("http://127.0.0.1/g.rss", body, set(), 5.0, SETTINGS)
    assert len(fresh) == 55 and len({key for key, _ in fresh}) == 55
    key, item = fresh[0]
    assert item["arrival"] == {"key": key, "items": 1, "arrived_at": 5.0}
    assert item["title"] and item["url"].startswith("https://www.theguardian.com/") and "<" not in item["text"]
    seen = {key for key, _ in fresh[:50]}
    assert [k for k, _ in read_feed_body("http://127.0.0.1/g.rss", body, seen, 6.0, SETTINGS)] == \
        [k for k, _ in fresh[50:]]


def test_a_page_that_is_not_a_feed_is_one_dead_letter():
    body = (FEEDS / "unrecognized.rss").read_bytes()
    fresh = read_feed_body("http://127.0.0.1/u.rss", body, set(), 1.0, SETTINGS)
    assert len(fresh) == 1 and fresh[0][1]["stage"] == "parse" and fresh[0][1]["reason"]
    again = read_feed_body("http://127.0.0.1/u.rss", body, {fresh[0][0]}, 2.0, SETTINGS)
    assert again == []


def test_append_lines_writes_whole_lines(tmp_path):
    path = str(tmp_path / "articles.jsonl")
    append_lines(path, [json.dumps({"id": "a"}), json.dumps({"id": "b", "title": "é"})])
    append_lines(path, [json.dumps({"id": "c"})])
    with open(path, encoding="utf-8") as handle:
        assert [json.loads(line)["id"] for line in handle] == ["a", "b", "c"]


def test_watch_names_prism_explicitly_and_refuses_to_run_without_it(monkeypatch, tmp_path):
    from newsmon.pipelines import streaming

    watch = streaming.WatchOptions(inbox=str(tmp_path), state_dir=str(tmp_path / ".newsmon"), settings=SETTINGS,
                                   output_dir=str(tmp_path / "out"))
    options = streaming.beam_options(watch).get_all_options()
    assert options["runner"] == "PrismRunner" and options["streaming"]
    assert options["prism_location"] == streaming.prism_binary() and os.access(options["prism_location"], os.X_OK)

    monkeypatch.setattr(streaming, "prism_binary", lambda: str(tmp_path / "no-prism"))
    with pytest.raises(streaming.RunnerUnavailable, match="deploy/prism/install.sh"):
        streaming.beam_options(watch)
    watch.beam_args = ["--runner=FlinkRunner", "--flink_master=[local]"]
    assert streaming.beam_options(watch).get_all_options()["runner"] == "FlinkRunner"
