"""JSON and JSON Lines article records, one article per object.

Accepted shapes: one object, an array of objects, an object holding such an array under a
usual key (`articles`, `items` ... as news APIs return them), or one object per line.
Field names vary by exporter, so each field is looked up under its common spellings
(case-insensitive). A record without text, or with a field of the wrong type, becomes a
dead-letter of its own; the other records of the input are still read.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator

from newsmon.transforms import records
from newsmon.transforms.readers.items import ItemKeys, deadletter_item, numbered, over_limit
from newsmon.transforms.readers.markup import html_to_text
from newsmon.transforms.readers.text import paragraphs_of

FIELDS = {
    "title": ("title", "headline", "heading"),
    "text": ("text", "body", "content", "article", "articlebody", "article_body", "full_text", "fulltext",
             "maintext", "description", "summary"),
    "url": ("url", "link", "href", "uri", "permalink"),
    "published": ("published", "published_at", "publishedat", "date", "pubdate", "pub_date", "datepublished",
                  "date_publish", "publication_date", "datetime", "created_at", "timestamp", "time"),
    "source": ("source", "publisher", "site", "site_name", "sitename", "outlet", "source_name", "domain"),
    "author": ("author", "authors", "byline", "creator"),
}
# Keys under which exports and news APIs put their list of articles.
LIST_KEYS = ("articles", "items", "entries", "data", "results", "documents", "docs", "news", "posts", "records")
# Epoch numbers above this are milliseconds.
_EPOCH_MS = 10 ** 11


class RecordError(ValueError):
    """A record that cannot become an article; the message is the dead-letter reason."""


def _lookup(record: dict, field: str) -> tuple[str, Any] | None:
    lowered = {str(key).lower(): key for key in record}
    for name in FIELDS[field]:
        if name in lowered and record[lowered[name]] not in (None, "", []):
            return lowered[name], record[lowered[name]]
    return None


def _string(record: dict, field: str, allow: tuple[type, ...] = ()) -> Any:
    found = _lookup(record, field)
    if found is None:
        return None
    key, value = found
    if isinstance(value, str) or (allow and isinstance(value, allow) and not isinstance(value, bool)):
        return value
    raise RecordError(f"field '{key}' is {type(value).__name__}, expected a string")


def _named(record: dict, field: str) -> str | None:
    """Source or author: a string, a list of strings, or an object with a `name`."""
    found = _lookup(record, field)
    if found is None:
        return None
    key, value = found
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("name") or value.get("title"), str):
        return value.get("name") or value.get("title")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, list) and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value):
        return ", ".join(v["name"] for v in value)
    raise RecordError(f"field '{key}' is {type(value).__name__}, expected a name")


def _published(record: dict) -> str | None:
    value = _string(record, "published", allow=(int, float))
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > _EPOCH_MS else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()
        except (OverflowError, OSError, ValueError):
            raise RecordError(f"date {value!r} is not a valid epoch timestamp") from None
    return value


def record_item(record: Any, fields: dict) -> dict:
    """Raw-item fields of one record, or RecordError saying what is wrong with it."""
    if not isinstance(record, dict):
        raise RecordError(f"record is a JSON {type(record).__name__}, expected an object")
    text = _string(record, "text")
    title = _string(record, "title")
    if not text:
        names = ", ".join(FIELDS["text"][:4])
        raise RecordError(f"record has no article text (no non-empty field among {names}, ...)")
    return {
        **fields,
        "format": "json",
        "title": html_to_text(title) if title else None,
        "text": "\n\n".join(paragraphs_of(html_to_text(text))),
        "url": _string(record, "url"),
        "published": _published(record),
        "source": _named(record, "source"),
        "author": _named(record, "author"),
        "dateline": None,
    }


def _records_of(document: Any) -> list | None:
    """The list of records a parsed JSON document holds, or None for a single record."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and _lookup(document, "text") is None:
        for key in LIST_KEYS:
            for name, value in document.items():
                if str(name).lower() == key and isinstance(value, list):
                    return value
    return None


@dataclass(frozen=True)
class _InvalidLine:
    """A JSON Lines line that did not parse."""

    reason: str


def _parse_line(line: str) -> Any:
    try:
        return json.loads(line)
    except ValueError as exc:
        return _InvalidLine(f"line is not valid JSON: {exc}")


def _item_key(record: Any) -> Any:
    """What identifies a record across re-exports: its URL or id, when it has one."""
    if not isinstance(record, dict):
        return None
    found = _lookup(record, "url")
    return found[1] if found else record.get("id")


def _read_records(listed: list, base: dict, limit: int) -> Iterator[dict]:
    keys = ItemKeys()
    for index, record in enumerate(listed[:limit]):
        if isinstance(record, _InvalidLine):
            yield deadletter_item(base, index, "invalid_json", record.reason)
            continue
        try:
            yield record_item(record, numbered(base, index, keys.claim(_item_key(record))))
        except RecordError as exc:
            yield deadletter_item(base, index, "bad_record", str(exc))
    yield from over_limit(base, len(listed), limit)


def parse_json_lines(text: str, base: dict, limit: int) -> Iterator[dict]:
    """One record per non-empty line; a line that is not JSON is its own dead-letter."""
    lines = [line for line in text.splitlines() if line.strip()]
    yield from _read_records([_parse_line(line) for line in lines[:limit]] + lines[limit:], base, limit)


def parse_json(text: str, base: dict, limit: int, lines_hint: bool = False) -> Iterator[dict]:
    """Raw items and dead-letters for a JSON or JSON Lines document."""
    if lines_hint:
        yield from parse_json_lines(text, base, limit)
        return
    try:
        document = json.loads(text)
    except ValueError as exc:
        if "Extra data" in str(exc):
            yield from parse_json_lines(text, base, limit)
        else:
            yield records.deadletter(base["input"], "parse", "invalid_json", f"not valid JSON: {exc}")
        return
    listed = _records_of(document)
    if listed is not None:
        if not listed:
            yield records.deadletter(base["input"], "parse", "empty", "the JSON document holds no records")
            return
        yield from _read_records(listed, base, limit)
        return
    try:
        yield record_item(document, {**base})
    except RecordError as exc:
        yield records.deadletter(base["input"], "parse", "bad_record", str(exc))
