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


def strip_accents(text: str) -> str:
    """"Brasília" -> "Brasilia": how names are often typed in English text."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold(text: str) -> str:
    """Compatibility-normalised, accent-free, case-folded text."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_key(text: str) -> str:
    """The lookup key of a name: folded, without a leading article, letters and digits only."""
    folded = _LEADING_ARTICLE.sub("", fold(text).strip())
    return _NOT_ALNUM.sub("", folded)


def slug(text: str) -> str:
    """A readable, stable id fragment; names without Latin letters fall back to a digest."""
    readable = _SLUG_SEP.sub("-", fold(text)).strip("-")
    return readable or stable_id("name", name_key(text), length=12)


def derived_id(entity_type: str, name: str) -> str:
    """The id of an entity outside the tables: its type and normalised name."""
    return f"{entity_type.lower()}:{slug(name)}"
