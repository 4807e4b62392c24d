"""Text sketches for near-duplicate detection: word shingles, MinHash signatures, LSH band keys.

Copies of an article go through cosmetic changes (spacing, punctuation, case), gain lines
("join our channel"), lose their tail ("read more"), get another headline or a reworded
sentence. Word shingles over normalised words ignore the cosmetic part; MinHash bands over the
whole text find copies whose shingle sets mostly agree, and bands over the *lead* (the first
words) find truncated copies, whose overlap with the full text is too small for whole-text bands
but whose opening is the same. Candidates are then verified on the shingles themselves with
containment (shared shingles over the smaller set), which a truncated copy scores near 1.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

_WORD = re.compile(r"\w+")
_SEED = 20201001
# Odd 64-bit multiplier for combining word hashes into shingle hashes (wraps modulo 2**64).
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_HASHES: dict[str, int] = {}
_WORD_CACHE_LIMIT = 500_000


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
    """Stable 32-bit hashes of words (crc32: the same in every worker, unlike `hash`), cached
    because news vocabulary repeats from one article to the next."""
    cache = _WORD_HASHES
    if len(cache) > _WORD_CACHE_LIMIT:
        cache.clear()
    hashes = list(map(cache.get, tokens))
    if None in hashes:
        for token in set(tokens) - cache.keys():
            cache[token] = zlib.crc32(token.encode("utf-8"))
        hashes = list(map(cache.__getitem__, tokens))
    return np.array(hashes, dtype=np.uint64)


def shingle_hashes(hashed: np.ndarray, size: int) -> np.ndarray:
    """Sorted unique 32-bit hashes of the `size`-word shingles of hashed words (one shingle for
    texts shorter than that): a polynomial over the word hashes, computed for all windows at once."""
    if len(hashed) == 0:
        return np.empty(0, dtype=np.uint32)
    size = min(size, len(hashed))
    windows = len(hashed) - size + 1
    combined = np.zeros(windows, dtype=np.uint64)
    for offset in range(size):
        combined = combined * _MIX + hashed[offset:offset + windows]
    return np.unique((combined >> np.uint64(32)).astype(np.uint32))


@lru_cache(maxsize=8)
def _permutations(num_perm: int):
    template = MinHash(num_perm=num_perm, seed=_SEED, hashfunc=int)
    return template.permutations, template.scheme


def signature(hashes: np.ndarray, num_perm: int) -> LeanMinHash:
    """MinHash signature of a set of shingle hashes (datasketch, fixed seed: same on every worker)."""
    permutations, scheme = _permutations(num_perm)
    minhash = MinHash(num_perm=num_perm, hashfunc=int, permutations=permutations, scheme=scheme)
    minhash.update_batch(hashes.tolist())
    return LeanMinHash(minhash)


def band_keys(sig: LeanMinHash, rows: int, prefix: str) -> list[str]:
    """One key per LSH band: two texts share a key when their signatures agree on that band."""
    values = sig.hashvalues.astype(np.uint64)
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
        lead = shingle_hashes(hashed[:params.lead_words], params.shingle_words)
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
