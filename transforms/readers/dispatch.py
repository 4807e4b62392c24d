"""Which reader handles an input, decided from its bytes (and name as a hint)."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from newsmon.transforms import records
from newsmon.transforms.inputs import is_url, origin_of
from newsmon.transforms.readers.text import parse_text
from newsmon.transforms.settings import Settings


def load_bytes(ref: str, settings: Settings) -> bytes:
    """The input's bytes, refusing anything over the configured size."""
    limit = settings.get("limits.max_input_bytes")
    with open(ref, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"input is larger than limits.max_input_bytes ({limit} bytes)")
    return data


def read_input(ref: str, settings: Settings) -> Iterator[dict]:
    """Raw items or dead-letter records for one input reference."""
    if is_url(ref):
        yield records.deadletter(ref, "read", "unsupported", "feed URLs are not read yet")
        return
    try:
        data = load_bytes(ref, settings)
    except (OSError, ValueError) as exc:
        yield records.deadletter(ref, "read", type(exc).__name__, str(exc))
        return
    base = {"input": ref, "origin": origin_of(ref), "order_key": ref, "path": ref, "url": None}
    yield from parse_text(data, base, Path(ref).name)
