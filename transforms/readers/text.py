"""Plain-text articles as archives keep them.

An optional first line ` date YYYY-MM-DD` (the article may continue on the same line), an
optional headline, an agency dateline ("BRUSSELS, October 1. /TASS/.") in front of the lead,
and promo lines, photo credits and bylines around the story. The reader splits off the header,
the dateline and a real headline; boilerplate stays in `text` for `transforms.normalise` to
remove, since feeds and records carry the same furniture.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from newsmon.transforms.boilerplate import default_boilerplate
from newsmon.transforms.dateline import split_dateline

_DATE_HEADER = re.compile(r"^[ \t]*date:?[ \t]+(\d{4}-\d{2}-\d{2})\b[ \t]*", re.IGNORECASE)
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30
# A line that ends like a sentence or a clause is the lead, not a headline.
_CLAUSE_END = re.compile(r"[.,;:\-–—][\"'”’)]*$")
# Hard-wrapped text: most lines of a block are this long and none much longer.
_WRAP_MIN, _WRAP_MAX = 50, 100


def _header_date(text: str) -> tuple[str | None, str]:
    """(date of the ` date YYYY-MM-DD` header if valid, text without the header)."""
    match = _DATE_HEADER.match(text)
    if not match:
        return None, text
    try:
        published = date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        published = None
    return published, text[match.end():]


def _is_wrapped(lines: list[str]) -> bool:
    if len(lines) < 3:
        return False
    lengths = sorted(len(line) for line in lines[:-1])
    return _WRAP_MIN <= lengths[len(lengths) // 2] and lengths[-1] <= _WRAP_MAX


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs: blocks between blank lines; inside a block, one per line unless hard-wrapped."""
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if _is_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


def _is_headline(paragraph: str, following: list[str]) -> bool:
    return (
        bool(following)
        and len(paragraph) <= _HEADLINE_MAX_CHARS
        and len(paragraph.split()) <= _HEADLINE_MAX_WORDS
        and not paragraph[0].islower()
        and not _CLAUSE_END.search(paragraph)
    )


def parse_text(text: str, base: dict) -> Iterator[dict]:
    """One raw item for a decoded plain-text article (empty files are the caller's dead-letter)."""
    published, body = _header_date(text)
    paragraphs = paragraphs_of(body)
    boilerplate = default_boilerplate()
    title = None
    dateline = None
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        if boilerplate.is_boilerplate(paragraph):
            index += 1
            continue
        dateline, rest = split_dateline(paragraph)
        if dateline:
            paragraphs[index:index + 1] = [rest] if rest else []
            break
        if title is None and _is_headline(paragraph, paragraphs[index + 1:]):
            title = paragraphs.pop(index)
            continue
        break
    yield {**base, "format": "text", "title": title, "text": "\n\n".join(paragraphs),
           "published": published, "dateline": dateline, "source": None, "author": None}
