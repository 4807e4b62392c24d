"""Which reader handles an input, decided from its bytes (and name as a hint).

Names lie (an HTML "Document Moved" page saved as `feed.rss`, JSON exported as `.txt`), so the
bytes decide: the first markup element, or a JSON bracket. The name only breaks ties: a `.json`
file that does not parse is reported as broken JSON rather than read as prose, and an HTML page
where a feed was expected is refused rather than read as an article.
"""
from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Iterator
from urllib.parse import urlparse

from newsmon.transforms import records
from newsmon.transforms.inputs import is_url, origin_of
from newsmon.transforms.readers.decode import NotText, decode_bytes
from newsmon.transforms.readers.feed import parse_feed
from newsmon.transforms.readers.fetch import FetchError, FetchPolicy, fetch
from newsmon.transforms.readers.jsonrecords import parse_json
from newsmon.transforms.readers.text import parse_text
from newsmon.transforms.readers.webpage import parse_html
from newsmon.transforms.settings import Settings

FEED_SUFFIXES = (".rss", ".atom", ".rdf", ".xml")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
_FEED_ROOTS = ("rss", "feed", "rdf:rdf", "rdf", "channel")
_HTML_ROOTS = ("html", "head", "body", "meta", "title", "div", "p", "article", "main", "link", "script", "h1", "table")
# The first element, after XML declarations, comments, doctypes and processing instructions.
_PROLOGUE = re.compile(r"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!(?!doctype\s+html)[^>]*>)*", re.DOTALL | re.IGNORECASE)
_FIRST_TAG = re.compile(r"<(!doctype\s+html|[A-Za-z][\w:.-]*)", re.IGNORECASE)
_FEED_LINK = re.compile(
    r"<link[^>]+type=[\"']application/(?:rss|atom)\+xml[\"'][^>]*>", re.IGNORECASE)
_HREF = re.compile(r"href=[\"']([^\"']+)[\"']", re.IGNORECASE)
_FEED_PATH = re.compile(r"(?:^|[/._-])(?:rss|atom|feeds?)(?:$|[/._-])")
_PAGE_TITLE = re.compile(r"<title[^>]*>([^<]{1,200})</title>", re.IGNORECASE)


class InputTooLarge(ValueError):
    """An input over `limits.max_input_bytes`; the message is the dead-letter reason."""


def load_bytes(ref: str, settings: Settings) -> bytes:
    """The input's bytes, refusing anything over the configured size (without reading all of it)."""
    limit = settings.get("limits.max_input_bytes")
    with open(ref, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(f"input is larger than limits.max_input_bytes ({limit} bytes)")
    return data


def detect_format(text: str, name: str = "") -> str:
    """'feed', 'html', 'json' or 'text' for decoded content; `name` (file name or URL path) is a hint."""
    suffix = PurePosixPath(name.lower()).suffix
    head = text[:4096].lstrip("\ufeff \t\r\n")
    if head and head[0] in "{[":
        return "json"
    if suffix in JSON_SUFFIXES:
        return "json"
    if head.startswith("<"):
        match = _FIRST_TAG.match(head[_PROLOGUE.match(head).end():])
        root = match.group(1).lower() if match else ""
        if root.startswith("!doctype") or root in _HTML_ROOTS:
            return "html"
        if root in _FEED_ROOTS or root.endswith(":rss") or suffix in FEED_SUFFIXES:
            return "feed"
        if root:
            return "feed" if "<item" in text or "<entry" in text else "html"
    return "text"


def _expects_feed(name: str, content_type: str | None) -> bool:
    """Whether the name or content type promised a feed ("/rss/", "news.xml", application/rss+xml)."""
    media = (content_type or "").lower()
    feed_type = "rss" in media or "atom" in media or ("xml" in media and "html" not in media)
    feed_name = PurePosixPath(name.lower()).suffix in FEED_SUFFIXES or bool(_FEED_PATH.search(name.lower()))
    return feed_type or feed_name


def _is_json(text: str) -> bool:
    """Whether text that opens with a bracket really is JSON or JSON Lines, not prose."""
    for candidate in (text, text.lstrip().split("\n", 1)[0]):
        try:
            json.loads(candidate)
            return True
        except ValueError as exc:
            if "Extra data" in str(exc):
                return True
    return False


def _html_instead_of_feed(ref: str, html: str) -> dict:
    title = _PAGE_TITLE.search(html)
    what = f"an HTML page ('{title.group(1).strip()}')" if title else "an HTML page"
    reason = f"expected an RSS/Atom feed but got {what}"
    link = _FEED_LINK.search(html)
    href = _HREF.search(link.group(0)) if link else None
    if href:
        reason += f"; the page names a feed at {href.group(1)}: give that URL instead"
    return records.deadletter(ref, "parse", "html_not_feed", reason)


def parse_bytes(data: bytes, base: dict, name: str, settings: Settings,
                content_type: str | None = None) -> Iterator[dict]:
    """Raw items or dead-letters for the bytes of one input."""
    ref = base["input"]
    limit = settings.get("limits.max_items_per_input")
    if not data.strip():
        yield records.deadletter(ref, "read", "empty", "the input is empty")
        return
    try:
        text, _encoding = decode_bytes(data, content_type)
    except NotText as exc:
        yield records.deadletter(ref, "read", "not_text", str(exc))
        return
    kind = detect_format(text, name)
    if kind == "json" and PurePosixPath(name.lower()).suffix not in JSON_SUFFIXES and not _is_json(text):
        kind = "text"
    if kind == "feed":
        yield from parse_feed(text, base, limit)
    elif kind == "html" and _expects_feed(name, content_type):
        yield _html_instead_of_feed(ref, text)
    elif kind == "html":
        yield from parse_html(text, base)
    elif kind == "json":
        yield from parse_json(text, base, limit, PurePosixPath(name.lower()).suffix in JSON_LINES_SUFFIXES)
    elif text.strip():
        yield from parse_text(text, base)
    else:
        yield records.deadletter(ref, "read", "empty", "the input holds only white space")


def _guarded(ref: str, items: Iterator[dict]) -> Iterator[dict]:
    """A reader bug on one odd input must not end the run: it becomes that input's dead-letter."""
    try:
        yield from items
    except Exception as exc:  # noqa: BLE001 - the boundary where bad input turns into a record
        yield records.deadletter(ref, "parse", type(exc).__name__, f"the reader failed on this input: {exc}")


def read_input(ref: str, settings: Settings) -> Iterator[dict]:
    """Raw items or dead-letter records for one input reference (file path or http(s) URL)."""
    base = {"input": ref, "origin": origin_of(ref), "order_key": ref}
    if is_url(ref):
        try:
            fetched = fetch(ref, FetchPolicy.from_settings(settings))
        except FetchError as exc:
            yield records.deadletter(ref, "fetch", "fetch_failed", str(exc))
            return
        base.update(path=None, url=fetched.url)
        name = urlparse(fetched.url).path
        yield from _guarded(ref, parse_bytes(fetched.data, base, name, settings, fetched.content_type))
        return
    try:
        data = load_bytes(ref, settings)
    except InputTooLarge as exc:
        yield records.deadletter(ref, "read", "too_large", str(exc))
        return
    except OSError as exc:
        yield records.deadletter(ref, "read", type(exc).__name__, str(exc))
        return
    base.update(path=ref, url=None)
    yield from _guarded(ref, parse_bytes(data, base, PurePosixPath(ref).name, settings))
