"""Date expressions of news text -> `YYYY-MM-DD`, relative to the article's publication date.

A small resolver rather than a general parser: news dates are few shapes ("on Sunday",
"September 27", "Sept. 27, 2020", "10 November 2020", "yesterday", "the day before"), and a
missing year must come from the publication date (the latest such date not after it), which is
what an analyst reading the article would assume. Anything vaguer (a year, "the summer of 2014")
gives None: an event date is a day or nothing.
"""
from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}
RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": -1, "overnight": 0, "last night": -1,
    "the day before": -1, "the previous day": -1, "a day earlier": -1, "the day before yesterday": -2,
    "tomorrow": 1, "the following day": 1, "the next day": 1,
}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH_DAY = re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4}))?", re.I)
_DAY_MONTH = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+(?P<year>\d{4}))?", re.I)
_ISO = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_WEEKDAY = re.compile(r"\b(?P<last>last\s+|next\s+)?(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.I)


def parse_published(published_at: str | None) -> dt.date | None:
    """The publication day of an ISO date or datetime string, or None."""
    if not published_at:
        return None
    try:
        return dt.date.fromisoformat(str(published_at)[:10])
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_day(match: re.Match, base: dt.date | None) -> dt.date | None:
    month = MONTHS[match.group("month").lower()]
    day = int(match.group("day"))
    if match.group("year"):
        return _safe_date(int(match.group("year")), month, day)
    if base is None:
        return None
    candidate = _safe_date(base.year, month, day)
    if candidate and candidate > base + dt.timedelta(days=7):
        candidate = _safe_date(base.year - 1, month, day)
    return candidate


def _weekday(match: re.Match, base: dt.date | None) -> dt.date | None:
    if base is None:
        return None
    target = WEEKDAYS[match.group("weekday").lower()]
    back = (base.weekday() - target) % 7
    modifier = (match.group("last") or "").strip().lower()
    if modifier == "next":
        return base + dt.timedelta(days=(target - base.weekday()) % 7 or 7)
    if modifier == "last" and back == 0:
        back = 7
    return base - dt.timedelta(days=back)


def resolve_date(expression: str, published_at: str | dt.date | None) -> str | None:
    """`YYYY-MM-DD` for a date expression, or None when it names no single day.

    A weekday is the latest such day on or before publication ("on Sunday" in a Thursday article
    is four days earlier); a month and day without a year takes the publication year unless that
    would put it more than a week after publication, then the year before.
    """
    base = published_at if isinstance(published_at, dt.date) else parse_published(published_at)
    text = " ".join(expression.split())
    for pattern, resolve in ((_ISO, None), (_MONTH_DAY, _month_day), (_DAY_MONTH, _month_day)):
        match = pattern.search(text)
        if match:
            if resolve is None:
                found = _safe_date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
            else:
                found = resolve(match, base)
            return found.isoformat() if found else None
    match = _WEEKDAY.search(text)
    if match:
        found = _weekday(match, base)
        return found.isoformat() if found else None
    lowered = text.lower().strip(" .,")
    for phrase in sorted(RELATIVE_DAYS, key=len, reverse=True):
        if re.search(rf"\b{phrase}\b", lowered):
            return (base + dt.timedelta(days=RELATIVE_DAYS[phrase])).isoformat() if base else None
    return None


_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")


def reference_date(published_at: str | None, text: str) -> dt.date | None:
    """The day relative expressions count from: the publication date, else the latest fully
    written date in the text ("October 1, 2020" in a caption) when no later year is mentioned
    (a later year means the article was written after it, so that date anchors nothing)."""
    published = parse_published(published_at)
    if published is not None:
        return published
    explicit = []
    for pattern in (_ISO, _MONTH_DAY, _DAY_MONTH):
        for match in pattern.finditer(text):
            if match.group("year"):
                found = resolve_date(match.group(0), None)
                if found:
                    explicit.append(dt.date.fromisoformat(found))
    if not explicit:
        return None
    anchor = max(explicit)
    latest_year = max((int(y) for y in _YEAR.findall(text)), default=anchor.year)
    return anchor if latest_year <= anchor.year else None
