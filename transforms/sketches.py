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
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+")
MINHASH_SEED = 20201001
# Odd 64-bit multiplier for combining word hashes into shingle hashes (wraps modulo 2**64).
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_CACHE_LIMIT = 500_000
# The 32-bit MurmurHash3 finalizer: (shift, multiplier, shift, multiplier, shift).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_EMPTY_HASH = np.uint32(0xFFFFFFFF)


class _WordHashes(dict):
    """word -> stable 32-bit hash (crc32: the same in every worker, unlike `hash`), computed on
    first sight: cached because news vocabulary repeats from one article to the next."""

    def __missing__(self, token: str) -> int:
        value = self[token] = zlib.crc32(token.encode("utf-8"))
        return value


_WORD_HASHES = _WordHashes()


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


def words(text: str) -> list[str]:
    """Case-folded word tokens: punctuation and spacing changes vanish here."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def word_hashes(tokens: list[str]) -> np.ndarray:
    """Stable 32-bit hashes of words (see `_WordHashes`)."""
    if len(_WORD_HASHES) > _WORD_CACHE_LIMIT:
        _WORD_HASHES.clear()
    return np.fromiter(map(_WORD_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


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
    return (hv[:, None] * a + b).min(axis=0)


def band_keys(sig: np.ndarray, rows: int, prefix: str) -> list[str]:
    """One key per LSH band: two texts share a key when their signatures agree on that band."""
    values = sig.astype(np.uint64)
    bands = len(values) // rows
    combined = np.zeros(bands, dtype=np.uint64)
    for row in values[: bands * rows].reshape(bands, rows).T:
        combined = combined * _MIX + row
    return [f"{prefix}{band}:{value:x}" for band, value in enumerate(combined.tolist())]


def sketch(title: str, text: str, params: SketchParams) -> Sketch:
    """Shingles and band keys of an article (title and body read as one text)."""
    hashed = word_hashes(words(f"{title}\n{text}"))
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
