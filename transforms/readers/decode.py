"""Bytes -> text: byte-order marks, UTF-16/32 without BOM, legacy 8-bit charsets, and refusal.

Archives and feeds arrive in every encoding, often mislabelled. Decoding picks the first of:
a byte-order mark, UTF-16/32 recognised from the pattern of NUL bytes, strict UTF-8, the
charset the input declares (HTTP header, XML declaration, HTML meta), then charset-normalizer's
guess (Windows-1252, Latin-1, Windows-1251 ...). Data that is not text at all (images, archives,
NUL-laden or control-character noise) raises `NotText`, so that it becomes a dead-letter with a
reason instead of an article full of garbage.
"""
from __future__ import annotations

import codecs
import re

import charset_normalizer

# Leading bytes of binary formats people drop into news folders, and what to call them.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "a RIFF media file (WebP/WAV/AVI)"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document"),
    (b"ID3", "an MP3 audio file"),
)

# BOMs, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_DECLARED = re.compile(
    rb"""(?:<\?xml[^>]{0,200}?encoding\s*=\s*["']|<meta[^>]{0,200}?charset\s*=\s*["']?)([A-Za-z0-9._:-]{2,40})""",
    re.IGNORECASE,
)
# Control characters that never occur in text (tab, newlines, form feed and escape excepted).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# Share of control characters above which decoded "text" is treated as binary noise.
_MAX_CONTROL_SHARE = 0.01
# Share of U+FFFD replacement characters above which a decode is not trusted.
_MAX_REPLACEMENT_SHARE = 0.02


# Well-formed UTF-8 multi-byte sequences; legacy 8-bit text almost never forms them by chance.
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# UTF-8 with a few broken sequences (a cut multi-byte character, a stray byte) is still UTF-8 when
# well-formed multi-byte sequences outnumber the broken ones this many times (legacy charsets
# such as EUC-KR or TIS-620 form fewer well-formed sequences than broken ones).
_UTF8_DAMAGE_RATIO = 4


# Windows-1252 wins among guesses whose chaos (share of odd characters) is this close to the best.
_PREFERRED = "cp1252"
_CHAOS_TOLERANCE = 0.01


class NotText(ValueError):
    """The bytes are not text in any encoding newsmon can trust; the message says what they are."""


def binary_kind(data: bytes) -> str | None:
    """What binary format the bytes start with, if any."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return None


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16/32 without a BOM, told by where the NULs of ASCII characters fall."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    size = len(sample) - len(sample) % 4
    quads = [sample[i:i + 4] for i in range(0, size, 4)]
    ascii_like = len(quads) * 0.8
    if sum(1 for q in quads if q[1:] == b"\0\0\0" and q[0]) >= ascii_like:
        return "utf-32-le"
    if sum(1 for q in quads if q[:3] == b"\0\0\0" and q[3]) >= ascii_like:
        return "utf-32-be"
    even_nul = sample[0:size:2].count(0)
    odd_nul = sample[1:size:2].count(0)
    half = size / 2
    if odd_nul >= half * 0.8 and even_nul <= half * 0.05:
        return "utf-16-le"
    if even_nul >= half * 0.8 and odd_nul <= half * 0.05:
        return "utf-16-be"
    return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """The charset an HTTP header, XML declaration or HTML meta tag claims, if Python knows it."""
    candidates = []
    if content_type:
        match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
        if match:
            candidates.append(match.group(1))
    match = _DECLARED.search(data[:2048])
    if match:
        candidates.append(match.group(1).decode("ascii"))
    for name in candidates:
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return None


def _check_text(text: str, encoding: str) -> str:
    """The decoded text without stray control characters, or NotText when it is mostly noise."""
    sample = text[:20000]
    if not sample:
        return text
    controls = len(_CONTROL.findall(sample))
    if controls / len(sample) > _MAX_CONTROL_SHARE:
        raise NotText(f"binary data: {controls} control characters after decoding as {encoding}")
    if sample.count("\ufffd") / len(sample) > _MAX_REPLACEMENT_SHARE:
        raise NotText(f"undecodable bytes: too many invalid sequences for {encoding}")
    return _CONTROL.sub("", text)


def _guess_encoding(data: bytes) -> str:
    """charset-normalizer's guess, preferring Windows-1252 among equally clean decodings:
    Western European text decodes cleanly as several Baltic/Central European code pages too,
    and Windows-1252 is by far the most common of them in news archives and feeds."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise NotText("undecodable bytes: no text encoding fits this input")
    cleanest = min(match.chaos for match in matches)
    for match in matches:
        if match.chaos <= cleanest + _CHAOS_TOLERANCE and _PREFERRED in match.could_be_from_charset:
            return _PREFERRED
    return matches[0].encoding


def _damaged_utf8(data: bytes) -> str | None:
    """The text of UTF-8 with a few invalid bytes, the invalid bytes dropped; None if it is not UTF-8."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if broken * _UTF8_DAMAGE_RATIO > len(_UTF8_MULTIBYTE.findall(data)):
        return None
    return text.replace("\ufffd", "")


def decode_bytes(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding name) for the bytes of one input, or NotText saying why not."""
    kind = binary_kind(data)
    if kind:
        raise NotText(f"binary file: {kind}, not a text, HTML, JSON or feed document")
    bom = _bom_encoding(data)
    if bom:
        encoding, skip = bom
        return _check_text(data[skip:].decode(encoding, errors="replace"), encoding), encoding
    wide = _wide_encoding(data)
    if wide:
        return _check_text(data.decode(wide, errors="replace"), wide), wide
    nuls = data[:65536].count(0)
    if nuls > len(data[:65536]) * _MAX_CONTROL_SHARE:  # a stray NUL or two is dropped with the controls
        raise NotText(f"binary data: {nuls} NUL bytes in what should be text")
    try:
        return _check_text(data.decode("utf-8"), "utf-8"), "utf-8"
    except UnicodeDecodeError:
        damaged = _damaged_utf8(data)
        if damaged is not None:
            return _check_text(damaged, "utf-8"), "utf-8"
    declared = declared_charset(data, content_type)
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            return _check_text(data.decode(declared), declared), declared
        except UnicodeDecodeError:
            pass
    encoding = _guess_encoding(data[:200000])
    return _check_text(data.decode(encoding, errors="replace"), encoding), encoding
