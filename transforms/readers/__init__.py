"""Readers: bytes of one input (file or URL) -> raw items, or dead-letter records.

A raw item is a dict with: `input` (the reference, plus `#N` for the Nth item of a feed or
archive), `origin` (what identifies it across runs), `order_key` (input order, for ties),
`format`, `title`, `text`, and where known `path`, `url`, `source`, `author`, `published`
(a date string as the input gave it) and `dateline`. `transforms.normalise` turns raw items
into article records.
"""
from __future__ import annotations

from typing import Iterator

from newsmon.transforms.readers.dispatch import read_input

__all__ = ["read_input", "Iterator"]
