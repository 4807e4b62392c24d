"""The one adapter between the watch sources and `transforms.readers`.

The sources hand over what arrived (a file path, or the body of a feed they fetched themselves
with a conditional GET) and get back raw items or dead-letters, each tagged with its `arrival`
(see `ledger`). Whatever the readers become, only this module calls them.
"""
from __future__ import annotations

import html
import re
from typing import Iterator

import feedparser

from newsmon.transforms import records
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import Settings
from newsmon.transforms.sources import ledger

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v]+")


def _tagged(record: dict, key: str, items: int, arrived_at: float) -> dict:
    record[records.ARRIVAL] = ledger.arrival(key, items, arrived_at)
    return record


def read_arrived_file(path: str, key: str, arrived_at: float, settings: Settings) -> list[dict]:
    """Raw items or dead-letters of one arrived file, all tagged with its arrival."""
    read = list(read_input(path, settings))
    return [_tagged(record, key, len(read), arrived_at) for record in read]


def _plain_text(markup: str) -> str:
    lines = (_SPACE.sub(" ", line).strip() for line in html.unescape(_TAG.sub(" ", markup)).splitlines())
    return "\n".join(line for line in lines if line)


def item_guid(entry) -> str | None:
    """What identifies a feed item across polls: its guid, else its link, else its title."""
    return entry.get("id") or entry.get("link") or entry.get("title") or None


def feed_items(url: str, body: bytes, settings: Settings) -> Iterator[tuple[str, dict]]:
    """(guid, raw item or dead-letter) for each entry of a fetched feed body."""
    parsed = feedparser.parse(body)
    if not parsed.entries:
        reason = str(parsed.get("bozo_exception") or "the document holds no feed entries")
        yield f"unreadable:{records.stable_id(body.decode('latin-1'))}", records.deadletter(
            url, "parse", "not_a_feed", reason)
        return
    source = parsed.feed.get("title")
    limit = settings.get("limits.max_items_per_input")
    for index, entry in enumerate(parsed.entries[:limit]):
        ref = f"{url}#{index}"
        guid = item_guid(entry) or ref
        content = entry.get("content") or [{}]
        body_text = _plain_text(content[0].get("value") or entry.get("summary") or "")
        title = _plain_text(entry.get("title") or "")
        if not title and not body_text:
            yield guid, records.deadletter(ref, "parse", "empty", "the feed item has neither title nor text")
            continue
        yield guid, {
            "input": ref, "origin": entry.get("link") or f"{url}#{guid}", "order_key": guid,
            "format": "feed", "title": title or body_text.split("\n")[0], "text": body_text or title,
            "path": None, "url": entry.get("link"), "source": source,
            "published": entry.get("published") or entry.get("updated"),
        }


def read_feed_body(url: str, body: bytes, seen: set[str], arrived_at: float,
                   settings: Settings) -> list[tuple[str, dict]]:
    """(arrival key, tagged raw item or dead-letter) for the entries of a feed not in `seen`."""
    fresh = []
    taken = set(seen)
    for guid, record in feed_items(url, body, settings):
        key = ledger.feed_item_key(url, guid)
        if key not in taken:
            taken.add(key)
            fresh.append((key, _tagged(record, key, 1, arrived_at)))
    return fresh
