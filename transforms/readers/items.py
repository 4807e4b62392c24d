"""What every multi-item reader shares: item references and the per-input item cap."""
from __future__ import annotations

from typing import Iterator

from newsmon.transforms import records


class ItemKeys:
    """Keys already used in one input: a repeated key (feeds do repeat guids) would give two
    different items one origin, so the repeat falls back to its position."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def claim(self, key: object) -> str | None:
        if isinstance(key, bool) or not isinstance(key, (str, int)) or str(key) in self._seen:
            return None
        self._seen.add(str(key))
        return str(key)


def numbered(base: dict, index: int, key: str | None = None) -> dict:
    """Fields of the `index`th item (0-based) of an input.

    `input` points at the item (`<path or URL>#<index>`). `origin` uses the item's own key
    (entry id, link) when it has one, so that an item keeps its article id when a feed is
    fetched again with new items in front of it.
    """
    return {
        **base,
        "input": f"{base['input']}#{index}",
        "origin": f"{base['origin']}#{key or index}",
        "order_key": f"{base['order_key']}#{index:09d}",
    }


def over_limit(base: dict, total: int, limit: int) -> Iterator[dict]:
    """One dead-letter per item beyond `limits.max_items_per_input`, so the summary counts them."""
    for index in range(limit, total):
        yield records.deadletter(
            f"{base['input']}#{index}", "read", "too_many_items",
            f"item {index + 1} of {total}: the input holds more than limits.max_items_per_input ({limit}) items",
        )


def deadletter_item(base: dict, index: int, error: str, reason: str) -> dict:
    return records.deadletter(f"{base['input']}#{index}", "parse", error, reason)
