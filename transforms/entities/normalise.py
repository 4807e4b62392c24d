"""Name normalisation shared by every table: one key for all spellings of the same name.

Lookups must not depend on accents, apostrophe and dash code points, dots in acronyms,
spacing or a leading article, because news text varies on all of them ("U.S." / "US",
"Nagorno-Karabakh" / "Nagorno Karabakh", "Erdoğan" / "Erdogan", "Co-operation" / "Cooperation").
"""
from __future__ import annotations

import re
import unicodedata

from newsmon.transforms.records import stable_id

_LEADING_ARTICLE = re.compile(r"^the\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_SLUG_SEP = re.compile(r"[^a-z0-9]+")


class _WithoutCombiningMarks(dict):
    """A `str.translate` table deleting combining marks, filled one code point at a time: the
    catalog folds hundreds of thousands of GeoNames names per build, and a C-level translate
    is several times faster than testing each character in Python."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_DROP_COMBINING = _WithoutCombiningMarks()


def strip_accents(text: str) -> str:
    """"Brasília" -> "Brasilia": how names are often typed in English text."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text).translate(_DROP_COMBINING))


def fold(text: str) -> str:
    """Compatibility-normalised, accent-free, case-folded text (NFKD alone suffices: it is the
    same for a string and its NFKC form)."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_DROP_COMBINING).casefold()


def fold_all(texts: list[str]) -> list[str]:
    """`fold` of each text, in one pass over their concatenation (the catalog folds 350,000
    GeoNames names per build). Exact: folding works character by character, and the line break
    joining the texts starts anew the reordering of combining marks; a text holding a line break
    itself is caught by the count and folded alone."""
    folded = fold("\n".join(texts)).split("\n")
    return folded if len(folded) == len(texts) else [fold(text) for text in texts]


def folded_key(folded: str) -> str:
    """`name_key` of text already folded, for callers that need the folded form too."""
    stripped = folded.strip()
    if stripped.startswith("the"):
        stripped = _LEADING_ARTICLE.sub("", stripped)
    return _NOT_ALNUM.sub("", stripped)


def name_key(text: str) -> str:
    """The lookup key of a name: folded, without a leading article, letters and digits only."""
    return folded_key(fold(text))


def slug(text: str) -> str:
    """A readable, stable id fragment; names without Latin letters fall back to a digest."""
    readable = _SLUG_SEP.sub("-", fold(text)).strip("-")
    return readable or stable_id("name", name_key(text), length=12)


def derived_id(entity_type: str, name: str) -> str:
    """The id of an entity outside the tables: its type and normalised name."""
    return f"{entity_type.lower()}:{slug(name)}"
