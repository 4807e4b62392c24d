"""A pass-through step that shows how far a run has got, at most once a second per worker."""
from __future__ import annotations

import sys
import time
from typing import Any, Iterator

import apache_beam as beam


class ShowProgress(beam.DoFn):
    """Counts elements through a stage and prints `label: N/total` to stderr."""

    def __init__(self, label: str, total: int | None = None, interval_s: float = 1.0):
        self._label = label
        self._total = total
        self._interval_s = interval_s
        self._seen = 0
        self._last = 0.0

    def start_bundle(self) -> None:
        self._last = time.monotonic()

    def process(self, element: Any) -> Iterator[Any]:
        self._seen += 1
        now = time.monotonic()
        if now - self._last >= self._interval_s or self._seen == self._total:
            self._last = now
            of_total = f"/{self._total}" if self._total else ""
            print(f"  {self._label}: {self._seen}{of_total}", file=sys.stderr, flush=True)
        yield element
