"""Values through the batch runner's groupings as bytes.

Python's in-process batch runner (FnApiRunner) decodes every value it groups into Python objects
in the runner process and holds them there until the group is read: an enriched article takes
about 23 KB as objects against 5 KB encoded (BBC articles). A value encoded before a grouping and
decoded after it stays one bytes object in the runner. The workers encode and decode each value
once either way; the coder is Beam's default one, so values come back as Beam would give them.
"""
from __future__ import annotations

from typing import Any

from apache_beam.coders import FastPrimitivesCoder

_CODER = FastPrimitivesCoder()


def pack(value: Any) -> bytes:
    return _CODER.encode(value)


def unpack(data: bytes) -> Any:
    return _CODER.decode(data)
