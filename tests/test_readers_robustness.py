"""No reader raises on arbitrary bytes: every input becomes raw items or dead-letters; nothing that a
browser would run survives into an article."""
from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings, strategies as st

from newsmon.transforms import records
from newsmon.transforms.normalise import cut_text, normalise_item
from newsmon.transforms.readers.decode import NotText, decode_bytes
from newsmon.transforms.readers.dispatch import parse_bytes
from newsmon.transforms.readers.feed import entity_problem, parse_feed
from newsmon.transforms.readers.jsonrecords import parse_json
from newsmon.transforms.readers.markup import plain_text
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


# Pieces of hostile markup, raw and escaped once or twice, mixed with words.
HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">', "</a>", "javascript:", "JaVaScRiPt :", "onload=", "ONMOUSEOVER =", "<svg/onload=x>",
    "&lt;script&gt;", "&amp;lt;script&amp;gt;", "&lt;img src=x onerror=alert(2)&gt;", "<", ">", "&", "&#60;script&#62;",
    "<scr<script>ipt>", "<!--", "-->", "<![CDATA[", "]]>", "vbscript:", "<iframe src=javascript:x>", "\n\n",
    "Storm", "hits", "the", "coast", "officials", "said", "on", "=", "(", ")", "'", '"',
])
ACTIVE = re.compile(r"<[a-z!/?]|\bon[a-z]+\s*=|(?:java|vb)script\s*:", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(HOSTILE, max_size=40), noise=st.text(max_size=40))
def test_plain_text_leaves_nothing_a_browser_would_run(pieces, noise):
    cleaned = plain_text(" ".join(pieces) + noise)
    assert not ACTIVE.search(cleaned), cleaned


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(HOSTILE, max_size=30), field=st.sampled_from(["title", "text", "author", "source"]))
def test_normalised_articles_are_plain_text_whatever_the_reader_passed(pieces, field):
    item = {"input": "x", "origin": "x", "order_key": "x", "title": "Storm hits coast",
            "text": "Officials said the storm hit the coast on Sunday.", "url": "javascript:alert(1)"}
    item[field] = " ".join(pieces)
    article = normalise_item(item)
    if not records.is_deadletter(article):
        for name in ("title", "text", "author", "source", "url"):
            assert not ACTIVE.search(article.get(name) or ""), (name, article.get(name))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "text", "body", "url", "date", "published", "source", "author", "articles", "x"]),
        children, max_size=6),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(document=JSON_VALUES, lines=st.booleans())
def test_json_reader_takes_any_json_shape(document, lines):
    name = "a.jsonl" if lines else "a.json"
    base = {"input": name, "origin": f"/x/{name}", "order_key": name, "path": name, "url": None}
    text = json.dumps(document) + ("\n" + json.dumps(document) if lines else "")
    for item in parse_json(text, base, 100, lines):
        assert records.is_deadletter(item) or isinstance(item["text"], str)


@settings(max_examples=200, deadline=None)
@given(subset=st.text(max_size=200), body=st.text(max_size=100))
def test_entity_check_and_feed_reader_take_any_doctype(subset, body):
    text = f"<?xml version='1.0'?><!DOCTYPE rss [{subset}]><rss><channel><item><title>{body}</title></item></channel></rss>"
    assert entity_problem(text) is None or entity_problem(text)[0].startswith("xml_")
    for item in parse_feed(text, {"input": "f.rss", "origin": "/x/f.rss", "order_key": "f.rss"}, 10):
        assert records.is_deadletter(item) or isinstance(item["text"], str)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2000))
def test_decoding_gives_text_or_says_why_not(data):
    try:
        text, encoding = decode_bytes(data)
    except NotText as exc:
        assert str(exc)
        return
    assert isinstance(text, str) and encoding and "\x00" not in text


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), limit=st.integers(min_value=1, max_value=300))
def test_cut_text_is_a_prefix_within_the_limit(text, limit):
    cut = cut_text(text, limit)
    assert len(cut) <= limit and text.startswith(cut)
