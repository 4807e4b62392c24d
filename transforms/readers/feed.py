"""RSS and Atom feeds via feedparser: one raw item per entry.

feedparser copes with ill-formed XML ("bozo" feeds) and odd encodings; entries it still
recovers are read, and the feed is dead-lettered only when nothing usable comes out of it.
Entry content is HTML and becomes plain text; the feed's title is the entries' source.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Iterator

import feedparser

from newsmon.transforms import records
from newsmon.transforms.dates import parse_date
from newsmon.transforms.readers.items import ItemKeys, deadletter_item, numbered, over_limit
from newsmon.transforms.readers.markup import html_to_text


_XML_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
# Entities can only be declared in the DOCTYPE's internal subset, which comes before the root element.
_INTERNAL_SUBSET = re.compile(r"<!DOCTYPE[^\[>]{0,500}\[")
_ENTITY = re.compile(r"""<!ENTITY\s+(%\s*)?([^\s"']+)\s+(?:(SYSTEM|PUBLIC)\b|["']([^"']*)["'])""")
_ENTITY_REF = re.compile(r"&[A-Za-z_][\w.-]*;|%[A-Za-z_][\w.-]*;")
_PROLOGUE_CHARS = 8192


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


def _published(entry) -> str | None:
    """The entry's date with the publisher's own UTC offset where it parses, else feedparser's
    UTC reading of it, else the raw string (Portuguese "Seg, 24 Set 2018" and the like)."""
    for raw, parsed in (("published", "published_parsed"), ("updated", "updated_parsed")):
        value = parse_date(entry.get(raw)) or _iso_utc(entry.get(parsed)) or entry.get(raw)
        if value:
            return value
    return None


def _entry_item(entry, fields: dict, feed: dict) -> dict:
    entry_source = entry.get("source") or {}
    source = html_to_text(feed.get("title") or "") or html_to_text(entry_source.get("title") or "") or None
    return {
        **fields,
        "format": "feed",
        "title": html_to_text(entry.get("title") or "") or None,
        "text": _entry_text(entry),
        "url": entry.get("link") or fields.get("url"),
        "published": _published(entry),
        "source": source,
        "author": entry.get("author"),
        "language": feed.get("language") or None,
        "dateline": None,
    }


def _as_utf8(text: str) -> bytes:
    """The decoded feed as UTF-8 bytes that say so, whatever the original declaration claimed."""
    head, rest = text[:500], text[500:]
    head = _XML_ENCODING.sub(r"\g<1>utf-8\g<2>", head, count=1)
    return (head + rest).encode("utf-8")


def entity_problem(text: str) -> tuple[str, str] | None:
    """(error, reason) when the document declares entities that XML attacks use: external entities
    (`<!ENTITY x SYSTEM "file:///etc/passwd">`, XXE), parameter entities, or entities that expand into
    other entities (the "billion laughs" bomb). No news feed needs them. feedparser neither resolves
    external entities nor expands the bomb, but would still turn such a feed into junk articles."""
    opening = _INTERNAL_SUBSET.search(text[:_PROLOGUE_CHARS])
    if not opening:
        return None
    end = text.find("]", opening.end())
    subset = text[opening.end():end if end >= 0 else len(text)]
    for parameter, name, external, value in _ENTITY.findall(subset):
        if external or parameter:
            return ("xml_external_entity", f"the document declares the external XML entity '{name}'; "
                    "external entities are never resolved, so the feed is refused")
        if _ENTITY_REF.search(value):
            return ("xml_entity_expansion", f"the document declares the XML entity '{name}' that expands "
                    "into other entities (an entity-expansion bomb such as 'billion laughs'); refused")
    return None


def parse_feed(text: str, base: dict, limit: int) -> Iterator[dict]:
    """Raw items and dead-letters for a decoded RSS/Atom document.

    Decoding is done once for every format (`readers.decode`), which also guesses the charset
    of feeds that declare none (windows-1252, EUC-KR ...) where feedparser would fall back to
    Latin-1 and produce mojibake.
    """
    problem = entity_problem(text)
    if problem:
        yield records.deadletter(base["input"], "parse", *problem)
        return
    parsed = feedparser.parse(_as_utf8(text), sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            yield records.deadletter(base["input"], "parse", "not_a_feed",
                                     f"not a usable RSS/Atom feed ({type(problem).__name__}: {problem}) and no entries recovered")
        else:
            yield records.deadletter(base["input"], "parse", "empty_feed", "the feed has no entries")
        return
    feed = parsed.get("feed") or {}
    keys = ItemKeys()
    for index, entry in enumerate(entries[:limit]):
        item = _entry_item(entry, numbered(base, index, keys.claim(entry.get("id") or entry.get("link"))), feed)
        if item["title"] or item["text"]:
            yield item
        else:
            yield deadletter_item(base, index, "empty_entry", "the feed entry has neither a title nor any text")
    yield from over_limit(base, len(entries), limit)
