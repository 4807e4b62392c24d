"""Type evidence the small model misses: head nouns, acronyms, locative context, votes.

These rules decide the type of names outside the catalog, and whether a city or region name
the model called ORG is used as a place ("through Gaziantep", "Tovuz district") or as an
organisation named after one ("Liverpool beat Arsenal").
"""
from __future__ import annotations

import re
from collections import Counter

_ORG_HEADS = frozenset(
    "ministry ministries forces army navy air council committee party agency bank university college school "
    "group court parliament assembly office service services police guard brigade battalion regiment front "
    "movement coalition alliance company corporation corp inc ltd plc association federation organization "
    "organisation commission fund institute foundation department union club fc team league network "
    "newspaper channel radio television tv press times post news agency authority board bureau cabinet "
    "government administration secretariat delegation mission embassy consulate church".split()
)
_GPE_HEADS = frozenset(
    "region province district oblast krai republic governorate county prefecture territory territories "
    "municipality canton emirate state kingdom city town village rayon".split()
)
_LOC_HEADS = frozenset(
    "valley island islands mountains mountain hills river sea lake desert peninsula gulf bay strait straits "
    "ocean coast plain plateau basin corridor".split()
)
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|into|from|to|at|near|through|via|across|around|outside|inside|toward|towards|over|"
    r"within|throughout|visited|visit|reach|reached|entered|left|capital|city|town|village|"
    r"(?:state|province|region|city|town|village|district|county|republic|capital) of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_PLACE_AFTER = re.compile(r"^[\s-]*(?:%s)\b" % "|".join(sorted(_GPE_HEADS | _LOC_HEADS)), re.IGNORECASE)
_ACRONYM = re.compile(r"^[A-Z]{2,}$")
_DATELINE_AFTER = re.compile(r"^\s*(?:,|\(|-|–|—)")
# Modifiers of generic institution names ("Foreign Ministry", "Supreme Court"), which need
# their country to name one institution.
_GENERIC_ORG_WORDS = _ORG_HEADS | frozenset(
    "foreign defence defense interior justice finance economy economic health education emergency emergencies "
    "armed supreme constitutional central national border security intelligence state federal presidential "
    "military general prosecutor prosecutor's prosecutors high appeals electoral election ground special "
    "affairs of the and for".split()
)
_ROMAN = re.compile(r"^[IVXLC]+$")


def head_type(name: str) -> str | None:
    """The type implied by a name's last word ("Armed Forces" -> ORG, "Tovuz district" -> GPE)."""
    last = name.rsplit(None, 1)[-1].lower().strip(".")
    if " " not in name.strip():
        return None
    if last in _ORG_HEADS:
        return "ORG"
    if last in _GPE_HEADS:
        return "GPE"
    if last in _LOC_HEADS:
        return "LOC"
    return None


def has_acronym(name: str) -> bool:
    """A word in capitals ("AMN Telegram"): people's names do not contain acronyms."""
    return any(_ACRONYM.match(word) and not _ROMAN.match(word) for word in name.split())


def is_dateline(text: str, start: int, end: int) -> bool:
    """A capitalised place opening a line before a comma or dash: "BERLIN, Jan 15", "CAIRO -"."""
    name = text[start:end]
    line_start = text.rfind("\n", 0, start) + 1
    return name.isupper() and not text[line_start:start].strip() and bool(_DATELINE_AFTER.match(text[end:end + 4]))


def used_as_place(text: str, start: int, end: int) -> bool:
    """A locative preposition before the name, a place noun after it, or a dateline."""
    return bool(
        _LOCATIVE_BEFORE.search(text[max(0, start - 30):start])
        or _PLACE_AFTER.match(text[end:end + 20])
        or is_dateline(text, start, end)
    )


def vote(labels: list[str]) -> str:
    """The label the model gave most often to one name in one document (first seen on ties)."""
    counts = Counter(labels)
    best = max(counts.values())
    return next(label for label in labels if counts[label] == best)


_BYLINE_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:By|BY|Text by|Photo by|Photo:)[ \t]+$")
_PERSON_NAME = re.compile(r"^[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}$")
_LIST_GLUE = re.compile(r"^\s*(?:,|,?\s+(?:and|or))\s*$")
_DOCUMENT_TITLE_BEFORE = re.compile(
    r"\b(?:Protocol|Treaty|Agreement|Accords?|Convention|Declaration|Charter|Memorandum|Act|Resolution)"
    r"\s+(?:on|of|for|to)\s+(?:(?:[A-Z][\w-]*|and|of|the|on|for)\s+)*$"
)


def credited_person(text: str, start: int, credited: bool, name: str) -> bool:
    """A byline or photo credit names a person: "By Jeila Aliyeva", "Hayk Baghdasaryan / AGENCY"."""
    if not _PERSON_NAME.match(name) or head_type(name) or has_acronym(name):
        return False
    return credited or bool(_BYLINE_BEFORE.search(text[max(0, start - 20):start]))


def listed_together(text: str, left_end: int, right_start: int) -> bool:
    """Two names joined only by a comma or "and"/"or": items of one list, hence of one kind."""
    return 0 <= right_start - left_end <= 8 and bool(_LIST_GLUE.match(text[left_end:right_start]))


def inside_document_title(text: str, start: int) -> bool:
    """A word inside a treaty's or law's title ("Protocol on Armistice and Ceasefire") names no entity."""
    return bool(_DOCUMENT_TITLE_BEFORE.search(text[max(0, start - 80):start]))


def is_generic_institution(name: str) -> bool:
    """Every word is generic ("Foreign Ministry", "Armed Forces"): the name needs its country."""
    return all(word.lower() in _GENERIC_ORG_WORDS for word in name.split())


def inside_title_phrase(text: str, start: int, end: int, titles: list[str]) -> bool:
    """A word that belongs to a multi-word title around it: "State" in "Secretary of State"."""
    word = text[start:end]
    for title in titles:
        if " " not in title or word not in title.split():
            continue
        offset = title.split().index(word)
        left = sum(len(w) + 1 for w in title.split()[:offset])
        if text[start - left:start - left + len(title)] == title:
            return True
    return False


_ACRONYM_AFTER_NAME = re.compile(r"^\s*\(([A-Z][A-Z-]{1,9})\)")


def acronym_after(text: str, name_end: int) -> str | None:
    """The acronym a name defines in brackets right after it: "Long Name (ACR)"."""
    match = _ACRONYM_AFTER_NAME.match(text[name_end:name_end + 14])
    return match.group(1) if match else None


_FACILITY_AFTER = re.compile(
    r"^ (?:border crossing|crossing|checkpoint|airport|air base|airbase|naval base|military base|base|hospital|"
    r"nuclear power plant|nuclear plant|power plant|power station|dam|bridge|port|refinery|prison|stadium|"
    r"pipeline|mine|mosque|cathedral|church|temple|palace|embassy)\b"
)


def facility_head_after(text: str, end: int) -> str | None:
    """A facility noun right after a name ("Kerem Shalom crossing", "al-Shifa hospital"): the
    name with it is a facility."""
    match = _FACILITY_AFTER.match(text[end:end + 24])
    return match.group() if match else None


_NAME_PARTICLE = re.compile(r"^(?:al|el|ad|an|as|ash|at|az|bin|ibn|de|da|di|du|van|von|der|le|la)[- ]\w*[A-Z]")


def is_lower_case_word(name: str) -> bool:
    """Lower-case text is no name, except after a particle ("al-Shifa", "van Gogh", "de Gaulle")."""
    return name[0].islower() and not _NAME_PARTICLE.match(name)
