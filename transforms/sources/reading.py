"""The one adapter between the watch sources and `transforms.readers`.

The sources hand over what arrived (a file path, or the body of a feed they fetched themselves
with a conditional GET) and get back raw items or dead-letters, each tagged with its `arrival`
(see `ledger`). Whatever the readers become, only this module calls them.
"""
from __future__ import annotations

from typing import Iterator
from urllib.parse import urlparse

from newsmon.transforms import records
from newsmon.transforms.inputs import origin_of
from newsmon.transforms.readers import read_input
from newsmon.transforms.readers.dispatch import parse_bytes
from newsmon.transforms.settings import Settings
from newsmon.transforms.sources import ledger

def _tagged(record: dict, key: str, items: int, arrived_at: float) -> dict:
    record[records.ARRIVAL] = ledger.arrival(key, items, arrived_at)
    return record


def read_arrived_file(path: str, key: str, arrived_at: float, settings: Settings) -> list[dict]:
    """Raw items or dead-letters of one arrived file, all tagged with its arrival."""
    read = list(read_input(path, settings))
    return [_tagged(record, key, len(read), arrived_at) for record in read]


def feed_items(url: str, body: bytes, settings: Settings, final_url: str | None = None,
               content_type: str | None = None) -> Iterator[tuple[str, dict]]:
    """(guid, raw item or dead-letter) for each entry of a fetched feed body.

    The body is read as `newsmon run URL` reads it (`readers.parse_bytes`), so an item gets the same
    fields and the same article id in both modes. The guid is the item's `origin` (the feed URL and
    the entry's id or link), which stays put when the publisher adds items in front; a dead-letter's
    guid also names the body, so a feed that is fixed later is read again."""
    base = {"input": url, "origin": origin_of(url), "order_key": url, "path": None, "url": final_url or url}
    body_id = records.stable_id(body.decode("latin-1"))
    for record in parse_bytes(body, base, urlparse(final_url or url).path, settings, content_type):
        if records.is_deadletter(record):
            yield f"deadletter:{record['id']}:{body_id}", record
        else:
            yield record["origin"], record


def read_feed_body(url: str, body: bytes, seen: set[str], arrived_at: float, settings: Settings,
                   final_url: str | None = None, content_type: str | None = None) -> list[tuple[str, dict]]:
    """(arrival key, tagged raw item or dead-letter) for the entries of a feed not in `seen`."""
    fresh = []
    taken = set(seen)
    for guid, record in feed_items(url, body, settings, final_url, content_type):
        key = ledger.feed_item_key(url, guid)
        if key not in taken:
            taken.add(key)
            fresh.append((key, _tagged(record, key, 1, arrived_at)))
    return fresh
