"""RSS and Atom feeds via feedparser: one raw item per entry.

feedparser copes with ill-formed XML ("bozo" feeds) and odd encodings; entries it still
recovers are read, and the feed is dead-lettered only when nothing usable comes out of it.
Entry content is HTML and becomes plain text; the feed's title is the entries' source.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Iterator

import feedparser

from newsmon.transforms import records
from newsmon.transforms.readers.items import deadletter_item, numbered, over_limit
from newsmon.transforms.readers.markup import html_to_text


def _iso_utc(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


def _entry_text(entry) -> str:
    """The richest body an entry has: the longest `content` value, else the summary."""
    bodies = [c.get("value") or "" for c in entry.get("content") or [] if isinstance(c, dict)]
    bodies.append(entry.get("summary") or "")
    return html_to_text(max(bodies, key=len))


def _entry_item(entry, fields: dict, source: str | None) -> dict:
    published = (_iso_utc(entry.get("published_parsed")) or entry.get("published")
                 or _iso_utc(entry.get("updated_parsed")) or entry.get("updated"))
    entry_source = entry.get("source") or {}
    return {
        **fields,
        "format": "feed",
        "title": html_to_text(entry.get("title") or "") or None,
        "text": _entry_text(entry),
        "url": entry.get("link") or fields.get("url"),
        "published": published,
        "source": source or html_to_text(entry_source.get("title") or "") or None,
        "author": entry.get("author"),
        "dateline": None,
    }


def parse_feed(data: bytes, base: dict, limit: int, content_type: str | None = None) -> Iterator[dict]:
    """Raw items and dead-letters for the bytes of an RSS/Atom document."""
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            yield records.deadletter(base["input"], "parse", "not_a_feed",
                                     f"not a usable RSS/Atom feed ({type(problem).__name__}: {problem}) and no entries recovered")
        else:
            yield records.deadletter(base["input"], "parse", "empty_feed", "the feed has no entries")
        return
    source = html_to_text(parsed.get("feed", {}).get("title") or "") or None
    for index, entry in enumerate(entries[:limit]):
        key = entry.get("id") or entry.get("link")
        item = _entry_item(entry, numbered(base, index, key if isinstance(key, str) else None), source)
        if item["title"] or item["text"]:
            yield item
        else:
            yield deadletter_item(base, index, "empty_entry", "the feed entry has neither a title nor any text")
    yield from over_limit(base, len(entries), limit)
