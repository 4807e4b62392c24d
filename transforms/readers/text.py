"""Plain-text articles as archives keep them: optional ` date YYYY-MM-DD` header line."""
from __future__ import annotations

import re
from typing import Iterator

from newsmon.transforms import records

_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s*")


def parse_text(data: bytes, base: dict, name: str) -> Iterator[dict]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield records.deadletter(base["input"], "parse", "UnicodeDecodeError", str(exc))
        return
    published = None
    match = _DATE_HEADER.match(text)
    if match:
        published = match.group(1)
        text = text[match.end():]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        yield records.deadletter(base["input"], "parse", "empty", "the file holds no text")
        return
    yield {**base, "format": "text", "title": lines[0], "text": "\n\n".join(lines[1:]) or lines[0],
           "published": published, "source": None}
