"""Publication dates as inputs give them -> ISO 8601 date or datetime strings.

Feeds and records write dates in every style (RFC 822, ISO 8601, "Seg, 24 Set 2018 19:42:40
-0300" in Portuguese). Parsing is deterministic: relative expressions ("yesterday") and dates
without a year are refused rather than resolved against the clock, so a re-run gives the same
record.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

from dateparser.date import DateDataParser

from newsmon.transforms.dateline import DAY_MONTH

_MIN_YEAR = 1900
_MAX_YEAR = 2100
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_DATEPARSER_SETTINGS = {
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
}
_FULL_DATE = re.compile(rf"\b{DAY_MONTH}", re.IGNORECASE)
# A leading weekday in any language ("Seg, 24 Set 2018"): it adds nothing to the date and makes
# dateparser's language detection a hundred times slower.
_WEEKDAY = re.compile(r"^[^\W\d]{2,12}\.?,\s*(?=\d)")


@lru_cache(maxsize=1)
def _dateparser() -> DateDataParser:
    """One parser per process: it caches the locales it has seen, which makes repeats cheap."""
    return DateDataParser(settings=_DATEPARSER_SETTINGS, try_previous_locales=True)


def _iso(moment: datetime, with_time: bool) -> str | None:
    if not _MIN_YEAR <= moment.year <= _MAX_YEAR:
        return None
    if not with_time:
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat()


def parse_date(value: str | None) -> str | None:
    """ISO 8601 form of a date string, or None when it holds no complete date."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()[:100]
    if not value:
        return None
    with_time = bool(_HAS_TIME.search(value))
    try:
        return _iso(datetime.fromisoformat(value.replace("Z", "+00:00")), with_time)
    except ValueError:
        pass
    try:
        return _iso(parsedate_to_datetime(value), True)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        parsed = _dateparser().get_date_data(_WEEKDAY.sub("", value)).date_obj
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None
    return _iso(parsed, with_time) if parsed else None


def _full_dates(text: str) -> list[date]:
    """Complete dates (day, month and year) written in the text."""
    found = []
    for match in _FULL_DATE.finditer(text):
        parsed = parse_date(match.group(0)) if re.search(r"\d{4}$", match.group(0)) else None
        if parsed:
            found.append(date.fromisoformat(parsed[:10]))
    return found


def date_with_inferred_year(day_month: str | None, text: str) -> str | None:
    """A dateline day such as "November 11" as a full date, or None without evidence of the year.

    The dateline gives no year. News reports events up to the day they are filed, so the
    year is the first one that puts the dateline on or after the latest full date the text
    mentions ("10 November 2020" -> "November 11" is 2020-11-11). Without such a date the
    year is unknown and the date stays null.
    """
    if not day_month:
        return None
    explicit = parse_date(day_month) if re.search(r"\d{4}$", day_month) else None
    if explicit:
        return explicit
    mentioned = _full_dates(text)
    if not mentioned:
        return None
    latest = max(mentioned)
    for year in (latest.year, latest.year + 1):
        candidate = parse_date(f"{day_month} {year}")
        if candidate and date.fromisoformat(candidate) >= latest:
            return candidate
    return None
