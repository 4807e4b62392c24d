"""Exact duplicates: articles whose normalised title and text are the same.

The original is the earliest published copy; ties go to input order, so the choice is the
same whatever order the runner delivers articles in.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import apache_beam as beam

from newsmon.transforms import records


def original_rank(article: dict) -> tuple:
    """Sort key: published first (undated last), then input order."""
    published = article.get("published_at")
    return (published is None, published or "", article["order_key"])


def mark_exact_duplicates(group: Iterable[dict]) -> Iterator[dict]:
    """Mark every copy but the original in a group of identical articles."""
    ordered = sorted(group, key=original_rank)
    original = ordered[0]
    yield original
    for copy in ordered[1:]:
        copy["duplicate_of"] = original["id"]
        copy["duplicate_kind"] = "exact"
        yield copy


class MarkExactDuplicates(beam.PTransform):
    def expand(self, articles):
        return (
            articles
            | "KeyByContent" >> beam.Map(lambda a: (records.stable_id(records.content_key(a["title"], a["text"])), a))
            | "GroupCopies" >> beam.GroupByKey()
            | "MarkCopies" >> beam.FlatMap(lambda kv: mark_exact_duplicates(kv[1]))
        )
