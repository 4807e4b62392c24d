"""Readers: bytes of one input (file or URL) -> raw items, or dead-letter records.

`read_input` fetches or loads the bytes, refuses binary data, decodes the text
(`decode`), picks the reader from the content (`dispatch`): plain text (`text`), JSON and
JSON Lines (`jsonrecords`), HTML pages (`webpage`), RSS/Atom feeds (`feed`).

A raw item is a dict with: `input` (the reference, plus `#N` for the Nth item, from 0, of a
feed or archive), `origin` (what identifies it across runs), `order_key` (input order, for
ties), `format` (text, json, html, feed), `title` (None when the input has no headline),
`text` (paragraphs separated by one blank line, boilerplate still in), and where known `path`,
`url`, `source`, `author`, `language` (as the input declares it), `published` (a date
string as the input gave it) and `dateline`
(`{text, place, region, date, agency}` from an agency dateline). `transforms.normalise` turns
raw items into article records.
"""
from __future__ import annotations

from newsmon.transforms.readers.dispatch import read_input

__all__ = ["read_input"]
