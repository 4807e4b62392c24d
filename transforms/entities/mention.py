"""What the entity stage hands to later stages: one resolved mention per span of the text."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    """A span of `doc.text` resolved to a canonical entity; places carry coordinates."""

    start_char: int
    end_char: int
    text: str
    name: str
    type: str
    id: str
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None
