"""The records that flow through the pipeline and land in JSONL files and Elasticsearch.

Records are plain JSON-ready dicts (cheap to pickle between Beam workers, written as they are).
This module owns how they are built, so every stage agrees on names and on stable ids.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

# Output names, shared by the JSONL writer, the summary and the Elasticsearch indices.
ARTICLES = "articles"
EVENTS = "events"
STORIES = "stories"
ALERTS = "alerts"
DEADLETTER = "deadletter"
OUTPUTS = (ARTICLES, EVENTS, STORIES, ALERTS, DEADLETTER)
# Internal field of the records of a `newsmon watch` run: the arrival (file or feed item) they
# came from, so the sinks can record when it is fully written (see `sources.ledger`).
ARRIVAL = "arrival"

_WS = re.compile(r"\s+")


def stable_id(*parts: str, length: int = 20) -> str:
    """A short hex digest of the parts: the same parts give the same id on every run."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def content_key(title: str, text: str) -> str:
    """Normalised content for exact-duplicate detection: case, accents-as-composed, spacing."""
    joined = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return _WS.sub(" ", joined).strip()


def article_id(origin: str, title: str, text: str) -> str:
    """Stable article id from where it came from and what it says."""
    return stable_id("article", origin, content_key(title, text))


def deadletter(input_ref: str, stage: str, error: str, reason: str, **extra: Any) -> dict:
    """A dead-letter record: the input, the stage that refused it, a short error code and why."""
    record = {
        "id": stable_id("deadletter", input_ref, stage, error),
        "input": input_ref,
        "stage": stage,
        "error": error,
        "reason": reason,
    }
    record.update(extra)
    return record


def is_deadletter(record: dict) -> bool:
    return "stage" in record and "reason" in record and "input" in record


def new_article(
    *,
    origin: str,
    input_ref: str,
    order_key: str,
    title: str,
    text: str,
    path: str | None = None,
    url: str | None = None,
    source: str | None = None,
    published_at: str | None = None,
    language: str | None = None,
    **extra: Any,
) -> dict:
    """An article record with the contract's fields; enrichment stages fill the rest."""
    record = {
        "id": article_id(origin, title, text),
        "title": title,
        "text": text,
        "url": url,
        "path": path,
        "source": source,
        "published_at": published_at,
        "language": language,
        "duplicate_of": None,
        "duplicate_kind": None,
        "story_id": None,
        "entities": [],
        "locations": [],
        "input": input_ref,
        "order_key": order_key,
    }
    record.update(extra)
    return record

