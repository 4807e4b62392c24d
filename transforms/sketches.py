"""Text sketches for near-duplicate detection: word shingles, MinHash signatures, LSH band keys.

Copies of an article go through cosmetic changes (spacing, punctuation, case), gain lines
("join our channel"), lose their tail ("read more"), get another headline or a reworded
sentence. Word shingles over normalised words ignore the cosmetic part; MinHash bands over the
whole text find copies whose shingle sets mostly agree, and bands over the *lead* (the first
words) find truncated copies, whose overlap with the full text is too small for whole-text bands
but whose opening is the same. Candidates are then verified on the shingles themselves with
containment (shared shingles over the smaller set), which a truncated copy scores near 1.

The MinHash is datasketch's default scheme ("affine32", datasketch >= 2.0) written out in numpy:
the same permutations (drawn from `numpy.random.RandomState(seed)` as datasketch draws them),
the same MurmurHash3 pre-mix and 32-bit affine arithmetic, so the same signatures and band keys
(tests/test_sketches.py checks them against datasketch on real text). Importing datasketch
pulls in scipy (about a second in every worker process) and builds two objects per signature;
the whole computation is four numpy operations.

Words are found and hashed without a Python object per word: a byte table turns every non-word
character of the UTF-8 text into a space, and the hashes of all words come from prefix sums
over the bytes (`word_hashes`). A regex match, a string and a dictionary lookup per word cost
more than the MinHash itself.
"""
from __future__ import annotations

import operator
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MINHASH_SEED = 20201001
# Odd 64-bit multiplier for combining word hashes into shingle hashes (wraps modulo 2**64).
_MIX = np.uint64(0x9E3779B97F4A7C15)
# Odd 64-bit base of the polynomial hash of a word's bytes, and its inverse modulo 2**64.
_BASE = 0x100000001B3
_BASE_INVERSE = pow(_BASE, -1, 1 << 64)
# The 64-bit MurmurHash3 finalizer: (shift, multiplier, multiplier), shifts all by 33.
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
# The 32-bit MurmurHash3 finalizer: (shift, multiplier, shift, multiplier, shift).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_EMPTY_HASH = np.uint32(0xFFFFFFFF)
_SPACE = ord(" ")
# Byte table: ASCII word characters (what `\w` matches: letters, digits, underscore) stay, other
# ASCII bytes become spaces, bytes of multi-byte UTF-8 characters stay.
_SEPARATE = bytes(c if chr(c).isalnum() or chr(c) == "_" else _SPACE for c in range(128)) + bytes(range(128, 256))
_ASCII = bytes(range(128))


@dataclass(frozen=True)
class SketchParams:
    """How articles are sketched; every worker must use the same values."""

    shingle_words: int = 4
    num_perm: int = 64
    rows_per_band: int = 4
    lead_words: int = 60

    @property
    def bands(self) -> int:
        return self.num_perm // self.rows_per_band


@dataclass(frozen=True)
class Sketch:
    """What near-duplicate detection keeps of an article: sorted unique shingle hashes and
    the LSH band keys of the whole text and of its lead."""

    shingles: np.ndarray
    band_keys: tuple[str, ...]


def _separated_words(text: str) -> bytes:
    """The case-folded (NFKC) text as UTF-8 with every non-word character turned into a space:
    its words are what `\\w+` finds. A byte table does the ASCII characters at once; the few
    distinct other characters of a text are checked one by one (`\\w` is `isalnum` or "_")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        for char in set(folded.encode("utf-8").translate(None, _ASCII).decode("utf-8")):
            if not char.isalnum():
                folded = folded.replace(char, " ")
    return folded.encode("utf-8").translate(_SEPARATE)


def words(text: str) -> list[str]:
    """Case-folded word tokens (`\\w+` over the NFKC text): punctuation and spacing changes vanish here."""
    return _separated_words(text).decode("utf-8").split()


def _power_table(factor: int, size: int) -> np.ndarray:
    """factor**k modulo 2**64 for k in 0..size (uint64 products wrap)."""
    table = np.ones(size + 1, dtype=np.uint64)
    np.cumprod(np.full(size, factor, dtype=np.uint64), out=table[1:])
    return table


_POWERS = (_power_table(_BASE, 4096), _power_table(_BASE_INVERSE, 4096))


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """(base**k, base**-k) modulo 2**64 for k in 0..length: tables kept per process, grown by
    doubling when a longer text comes."""
    global _POWERS
    if len(_POWERS[0]) <= length:
        size = 1 << length.bit_length()
        _POWERS = (_power_table(_BASE, size), _power_table(_BASE_INVERSE, size))
    return _POWERS


def word_hashes(text: str) -> np.ndarray:
    """Stable 64-bit hashes of the text's `words`, one per word, all computed at once in numpy: a
    polynomial hash of each word's UTF-8 bytes, read off prefix sums of the whole text (the sum
    over a word, divided by the base's power for its end), then mixed (MurmurHash3's 64-bit
    finalizer) so that words differing in one letter differ in every bit."""
    data = np.frombuffer(_separated_words(text), dtype=np.uint8)
    inside = np.zeros(len(data) + 2, dtype=bool)
    np.not_equal(data, _SPACE, out=inside[1:-1])
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    if len(edges) == 0:
        return np.empty(0, dtype=np.uint64)
    starts, ends = edges[::2], edges[1::2]
    powers, inverse = _powers(len(data))
    weighted = np.zeros(len(data) + 1, dtype=np.uint64)
    np.cumsum(data * powers[len(data) - 1::-1], out=weighted[1:])
    hashed = (weighted[ends] - weighted[starts]) * inverse[len(data) - ends]
    shift, first, second = _FMIX64
    hashed ^= hashed >> shift
    hashed *= first
    hashed ^= hashed >> shift
    hashed *= second
    hashed ^= hashed >> shift
    return hashed


def window_hashes(hashed: np.ndarray, size: int) -> np.ndarray:
    """32-bit hashes of the `size`-word shingles of hashed words, one per position (one shingle
    for texts shorter than that): a polynomial over the word hashes, computed for all windows at once."""
    if len(hashed) == 0:
        return np.empty(0, dtype=np.uint32)
    size = min(size, len(hashed))
    windows = len(hashed) - size + 1
    combined = np.zeros(windows, dtype=np.uint64)
    for offset in range(size):
        combined = combined * _MIX + hashed[offset:offset + windows]
    return (combined >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(hashed: np.ndarray, size: int) -> np.ndarray:
    """Sorted unique shingle hashes (`window_hashes` as a set). Sorting and dropping repeats is
    what `np.unique` does, at a tenth of its cost on these short arrays (numpy 2 hashes first)."""
    ordered = np.sort(window_hashes(hashed, size))
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the permutations h -> a * h + b mod 2**32, drawn as datasketch's MinHash draws
    them for seed `MINHASH_SEED` (`a` odd: each one a bijection)."""
    gen = np.random.RandomState(MINHASH_SEED)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """MinHash signature (uint32, `num_perm` values) of a set of 32-bit shingle hashes; repeated
    hashes do not change it. All values are 2**32 - 1 for an empty set."""
    if len(hashes) == 0:
        return np.full(num_perm, _EMPTY_HASH, dtype=np.uint32)
    s1, m1, s2, m2, s3 = _FMIX32
    hv = hashes.astype(np.uint32)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    a, b = _permutations(num_perm)
    # One row per permutation: each minimum runs over contiguous memory.
    return (a[:, None] * hv + b[:, None]).min(axis=1)


@lru_cache(maxsize=8)
def _band_layout(prefix: str, bands: int, rows: int) -> tuple[tuple[str, ...], np.ndarray]:
    """(each band's key prefix, the weights MIX**(rows-1) .. MIX**0 that combine a band's rows)."""
    return tuple(f"{prefix}{band}:" for band in range(bands)), _power_table(_MIX, rows - 1)[::-1].copy()


def band_keys(sig: np.ndarray, rows: int, prefix: str) -> list[str]:
    """One key per LSH band: two texts share a key when their signatures agree on that band. A
    band's rows are combined as a polynomial in MIX (the products and sum wrap modulo 2**64)."""
    bands = len(sig) // rows
    prefixes, weights = _band_layout(prefix, bands, rows)
    combined = (sig[: bands * rows].astype(np.uint64).reshape(bands, rows) * weights).sum(axis=1)
    return list(map(operator.add, prefixes, map(hex, combined.tolist())))


def sketch(title: str, text: str, params: SketchParams) -> Sketch:
    """Shingles and band keys of an article (title and body read as one text)."""
    hashed = word_hashes(f"{title}\n{text}")
    shingles = shingle_hashes(hashed, params.shingle_words)
    keys = band_keys(signature(shingles, params.num_perm), params.rows_per_band, "t")
    if len(hashed) > params.lead_words:
        lead = window_hashes(hashed[:params.lead_words], params.shingle_words)
        keys += band_keys(signature(lead, params.num_perm), params.rows_per_band, "l")
    elif len(shingles):
        # Short texts are their own lead: the same keys, so a short copy still meets a long original.
        keys += [f"l{key[1:]}" for key in keys]
    return Sketch(shingles=shingles, band_keys=tuple(keys))


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Shared shingles over the smaller set: 1.0 when one text is contained in the other."""
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0
    return len(np.intersect1d(a, b, assume_unique=True)) / smaller
