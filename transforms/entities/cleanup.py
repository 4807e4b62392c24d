"""Span clean-up: cut a model span down to the name it contains, or reject it as junk.

The small model's spans carry layout and attribution around names: bullets and quotes,
possessives ("Azerbaijan’s"), leading articles, titles ("President Trump"), photo credits and
bylines ("Hayk Baghdasaryan / PHOTOLURE", "Jeila Aliyeva - Trend:"), line breaks, or are no
names at all (dates, numbers, single letters). Every rule only moves the span's offsets, so a
cleaned span still points into `doc.text`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Titles and roles that precede a person's name; removed from PERSON spans only
# ("General Motors" must stay whole). Longest first so "Prime Minister" wins over "Minister".
# Royal and religious styles ("King Charles", "Pope Francis") stay: they are part of the name.
PERSON_TITLES = sorted(
    (
        "President", "Vice President", "Vice-President", "Prime Minister", "PM", "Premier", "Chancellor",
        "Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Dame", "Lord", "Lady", "Prof", "Professor", "Rev",
        "Minister", "Foreign Minister", "Defence Minister", "Defense Minister", "Interior Minister",
        "Finance Minister", "Health Minister", "Secretary", "Secretary-General", "Secretary General",
        "Secretary of State", "Senator", "Sen", "Rep", "Representative", "Congressman", "Congresswoman",
        "Governor", "Gov", "Mayor", "General", "Gen", "Colonel", "Col", "Lieutenant", "Major", "Admiral",
        "Captain", "Capt", "Commander", "Marshal", "Ambassador", "Judge", "Justice", "Chief Justice",
        "Spokesman", "Spokeswoman", "Spokesperson", "Speaker", "Chairman", "Chairwoman", "Chair",
        "Chief Executive", "CEO", "Director", "Commissioner", "Archbishop", "Bishop", "Cardinal",
        "Coach", "Manager", "Editor", "Chief Editor", "Editor-in-Chief", "Leader",
        "Opposition Leader", "Deputy", "Deputy Prime Minister", "MP", "MEP", "Chief Cabinet Secretary",
        "Cabinet Secretary", "Attorney General", "Foreign Secretary", "Home Secretary", "Defence Secretary",
    ),
    key=len,
    reverse=True,
)
_TITLE = re.compile(r"^(?:(?:%s)\.?\s+)+" % "|".join(re.escape(t) for t in PERSON_TITLES))

# Credits, bylines and asides: the name is what comes before the first separator.
_SEPARATOR = re.compile(r"\s+[/|]\s*|\s*[/|]\s+|\s+[-–—]\s*|\s*[-–—]\s+|\s*:|\s*\(|\s*\[")
_EDGE_JUNK = "\u2022\u00b7\u2023\u25aa\u25e6\u2043*#\"'“”„‟«»‹›‘’‚`´ʼ()[]{}<>-–—_~,;:!?/\\|"
_POSSESSIVE = re.compile(r"(?:['’ʼ`´]s|(?<=s)['’ʼ])$")
_ABBREVIATION_END = re.compile(r"(?:\b[A-Za-z]\.){2,}$|\b(?:Jr|Sr|Inc|Co|Ltd|Corp|St)\.$")
_LEADING_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")
_LEADING_PREFIX = re.compile(r"^(?:ex|pro|anti|non|post|pre|neo)-(?=[A-Z])")
_TRAILING_FUNCTION_WORD = re.compile(r"\s+(?:of|and|the|in|for|on|at|to|de|du)$")
_MONTHS_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday today yesterday tomorrow".split()
)
_MAX_WORDS = 10


@dataclass(frozen=True)
class CleanSpan:
    """Offsets of a cleaned name inside the document text; `titled` if a person title preceded it,
    `credited` if a credit or byline followed it ("Name / AGENCY", "Name - Agency:")."""

    start: int
    end: int
    text: str
    titled: bool = False
    credited: bool = False
    tail: bool = False


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _EDGE_JUNK):
        start += 1
    while end > start:
        ch = text[end - 1]
        if ch.isspace() or ch in _EDGE_JUNK:
            end -= 1
        elif ch == "." and not _ABBREVIATION_END.search(text[start:end]):
            end -= 1
        else:
            break
    return start, end


def _strip_once(text: str, start: int, end: int, person: bool) -> tuple[int, int, bool]:
    """One round of every rule; returns the new offsets and whether a title was removed."""
    start, end = _strip_edges(text, start, end)
    possessive = _POSSESSIVE.search(text[start:end])
    if possessive:
        end -= len(possessive.group())
    for pattern in (_LEADING_ARTICLE, _LEADING_PREFIX):
        lead = pattern.match(text[start:end])
        if lead:
            start += lead.end()
    titled = False
    if person:
        title = _TITLE.match(text[start:end])
        if title and title.end() < end - start:
            start += title.end()
            titled = True
    trailing = _TRAILING_FUNCTION_WORD.search(text[start:end])
    if trailing:
        end -= len(trailing.group())
    return start, end, titled


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Offsets of the pieces of a span between credit/byline separators."""
    parts, cursor = [], start
    for match in _SEPARATOR.finditer(text, start, end):
        if match.start() > cursor:
            parts.append((cursor, match.start()))
        cursor = max(cursor, match.end())
    if cursor < end:
        parts.append((cursor, end))
    return parts


def is_junk(name: str) -> bool:
    """No name at all: numbers, dates, single letters, over-long runs. (Lower-case words are
    judged later: the catalog knows a few, such as the agency "dpa".)"""
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) < 2:
        return True
    words = name.split()
    if len(words) > _MAX_WORDS:
        return True
    return all(word.lower().strip(".,") in _MONTHS_DAYS or not any(c.isalpha() for c in word) for word in words)


def clean_span(text: str, start: int, end: int, person: bool = False) -> list[CleanSpan]:
    """The names inside `text[start:end]`: one per line of the span, junk removed. A piece after
    a credit or byline separator ("/ PHOTOLURE", "- Trend:") comes back as a `tail`, which
    callers keep only if they know the name."""
    spans: list[CleanSpan] = []
    line_start = start
    for line in text[start:end].split("\n"):
        line_end = line_start + len(line)
        parts = _parts(text, line_start, line_end)
        for index, (s, e) in enumerate(parts):
            titled = False
            while True:
                ns, ne, removed = _strip_once(text, s, e, person)
                titled = titled or removed
                if (ns, ne) == (s, e):
                    break
                s, e = ns, ne
            name = text[s:e]
            if e > s and not is_junk(name):
                spans.append(CleanSpan(s, e, name, titled, credited=index == 0 and len(parts) > 1, tail=index > 0))
        line_start = line_end + 1
    return spans
