"""No reader raises on arbitrary bytes: every input becomes raw items or dead-letters."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings, strategies as st

from newsmon.transforms import records
from newsmon.transforms.normalise import normalise_item
from newsmon.transforms.readers.dispatch import parse_bytes
from newsmon.transforms.settings import load_settings

SETTINGS = load_settings()
NAMES = st.sampled_from(["a.txt", "a.json", "a.jsonl", "a.rss", "a.atom", "a.html", "a", "feed.xml"])
# Openings that steer the bytes into each reader, followed by arbitrary bytes.
PREFIXES = st.sampled_from([
    b"", b" date 2020-10-01 ", b"{", b"[", b'{"title": ', b"<rss><channel><item><title>", b"<?xml version='1.0'?>",
    b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", b"<html><body><p>", b"\xff\xfe", b"\xef\xbb\xbf",
    b"BRUSSELS, October 1. /TASS/. ",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIXES, data=st.binary(max_size=600), name=NAMES)
def test_no_reader_raises_on_arbitrary_bytes(prefix, data, name):
    base = {"input": name, "origin": f"/x/{name}", "order_key": name, "path": name, "url": None}
    for item in parse_bytes(prefix + data, base, name, SETTINGS):
        assert isinstance(item, dict)
        if records.is_deadletter(item):
            assert item["reason"] and item["input"].startswith(name)
            continue
        assert isinstance(item["text"], str)
        assert item["title"] is None or isinstance(item["title"], str)
        article = normalise_item(item)
        assert records.is_deadletter(article) or isinstance(article["id"], str)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), name=NAMES)
def test_no_reader_raises_on_arbitrary_text(text, name):
    base = {"input": name, "origin": f"/x/{name}", "order_key": name, "path": name, "url": None}
    for item in parse_bytes(text.encode("utf-8"), base, name, SETTINGS):
        if not records.is_deadletter(item):
            normalise_item(item)


# Fragments of real news furniture, shuffled into article-like text.
FRAGMENTS = st.sampled_from([
    "BRUSSELS,", "BAKU,", "Azerbaijan,", "October", "1.", "1", "/TASS/.", "(Reuters)", "—", "-", "–", ":", ",", ".",
    "\n", "\n\n", " date", "2020-10-01", "By", "Jeila", "Aliyeva", "Trend:", "Hayk", "/", "PHOTOLURE", "AFP",
    "Join", "our", "Telegram", "channel", "In", "a", "statement", "Macron", "said", "“", "”", "?", "Tags:", "•",
    "This", "article", "was", "originally", "published", "by", "Radio", "Liberty", "Mr.", "U.S.", "2019", "…",
])


@settings(max_examples=300, deadline=None)
@given(words=st.lists(FRAGMENTS, max_size=60))
def test_no_reader_raises_on_article_like_text(words):
    name = "article.txt"
    base = {"input": name, "origin": f"/x/{name}", "order_key": name, "path": name, "url": None}
    for item in parse_bytes(" ".join(words).encode("utf-8"), base, name, SETTINGS):
        if not records.is_deadletter(item):
            article = normalise_item(item)
            if not records.is_deadletter(article):
                assert article["title"] or article["text"]
