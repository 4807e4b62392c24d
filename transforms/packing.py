"""Values through the batch runner's groupings as compressed bytes.

Python's in-process batch runner (FnApiRunner) decodes every value it groups into Python objects
in the runner process and holds them there until the group is read: an enriched article takes
about 23 KB as objects against 5 KB encoded (BBC articles). A value encoded before a grouping and
decoded after it stays one bytes object in the runner. The workers encode and decode each value
once either way; the coder is Beam's default one, so values come back as Beam would give them.
Compressed (zlib, fastest level): 2,000 articles as written took 10.7 MB encoded and 4.3 MB
compressed, their 5,270 events 3.0 and 2.2 MB, for 0.17 s of CPU to compress and 0.09 s to
decompress; at 10,000 articles the runner holds the groups after the model stage and, while a
stage reads one, a second copy of it.
"""
from __future__ import annotations

import zlib
from typing import Any

from apache_beam.coders import FastPrimitivesCoder

_CODER = FastPrimitivesCoder()


def pack(value: Any) -> bytes:
    return zlib.compress(_CODER.encode(value), 1)


def unpack(data: bytes) -> Any:
    return _CODER.decode(zlib.decompress(data))
