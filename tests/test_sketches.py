"""The numpy MinHash gives datasketch's signatures, so band keys are what they were with datasketch."""
from __future__ import annotations

import re
import unicodedata

import numpy as np
from datasketch import MinHash

from benchmarks.corpus import bbc_articles
from conftest import SEEDS
from newsmon.transforms import sketches
from newsmon.transforms.sketches import MINHASH_SEED, SketchParams, shingle_hashes, signature, sketch, word_hashes, words
from reading import read_article

PARAMS = SketchParams()


def real_texts() -> list[tuple[str, str]]:
    """(title, text) of the seeds and of every seventh BBC article (all five categories)."""
    seeds = [read_article(path) for path in sorted(SEEDS.glob("*.txt"))]
    bbc = bbc_articles()[::7]
    return [(a["title"], a["text"]) for a in seeds] + [(a.title, "\n\n".join(a.paragraphs)) for a in bbc]


def datasketch_signature(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    minhash = MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=int, scheme="affine32")
    minhash.update_batch(hashes.tolist())
    return minhash.hashvalues


def test_signatures_equal_datasketch_on_real_text():
    texts = real_texts()
    assert len(texts) > 300
    for title, text in texts:
        shingles = shingle_hashes(word_hashes(f"{title}\n{text}"), PARAMS.shingle_words)
        for num_perm in (PARAMS.num_perm, 128):
            ours = signature(shingles, num_perm)
            assert ours.dtype == np.uint32
            np.testing.assert_array_equal(ours, datasketch_signature(shingles, num_perm))


def test_band_keys_equal_those_made_with_datasketch(monkeypatch):
    texts = real_texts() + [("Short", "Too few words for a lead of their own.")]
    ours = [sketch(title, text, PARAMS) for title, text in texts]
    monkeypatch.setattr(sketches, "signature", datasketch_signature)
    theirs = [sketch(title, text, PARAMS) for title, text in texts]
    assert [s.band_keys for s in ours] == [s.band_keys for s in theirs]
    assert all(len(s.band_keys) == 2 * PARAMS.bands for s in ours)


def test_empty_and_repeated_shingles():
    empty = np.empty(0, dtype=np.uint32)
    np.testing.assert_array_equal(signature(empty, 64), datasketch_signature(empty, 64))
    shingles = shingle_hashes(word_hashes(real_texts()[0][1]), 4)
    np.testing.assert_array_equal(signature(np.concatenate([shingles, shingles[::-1]]), 64),
                                  signature(shingles, 64))


# Characters around which tokenising goes wrong: non-ASCII letters, digits and marks (words),
# typographic punctuation and spaces (separators), compatibility forms NFKC rewrites.
UNICODE_LINE = ("Ça coûte 5€ — «naïve» “café” ½ x² ① über\u00a0straße ﬁn ŉ tab\there_under 12abc\u2028next "
                "\x1cfs \u0660\u0661 日本語。句読点、 𝔘𝔫𝔦 ǅemal İstanbul ΣΑΣ")


def test_words_are_what_the_word_regex_finds_in_the_folded_text():
    texts = [f"{title}\n{text}" for title, text in real_texts()] + [UNICODE_LINE, "", " -- "]
    for text in texts:
        assert words(text) == re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def test_word_hashes_one_per_word_equal_only_for_equal_words():
    text = " ".join(f"{title}\n{text}" for title, text in real_texts()[:40]) + UNICODE_LINE
    tokens, hashes = words(text), word_hashes(text)
    assert hashes.dtype == np.uint64 and len(hashes) == len(tokens)
    by_word = {}
    for token, value in zip(tokens, hashes.tolist()):
        assert by_word.setdefault(token, value) == value
    assert len(set(by_word.values())) == len(by_word) > 2000
    np.testing.assert_array_equal(word_hashes("Le café, le CAFÉ!"), word_hashes("le café le café"))
