"""Agency datelines that open news copy: "BRUSSELS, October 1. /TASS/.", "BAKU, Azerbaijan,
November 11", "KYIV, Ukraine (AP) -". They give the place of filing, a day without a year and
often the agency, and must not stay in front of the lead (they would become its first words).
"""
from __future__ import annotations

import re

MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
         r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
DAY_MONTH = rf"(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{MONTH}(?:\s+\d{{4}})?)"

_PLACE = r"[A-Z][A-Z'’.-]+(?:[ -][A-Z][A-Z'’.-]+){0,3}"
_REGION = r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"
_AGENCY = r"[A-Za-z][\w&.-]*(?: [A-Z][\w&.-]*){0,3}"
_DATELINE = re.compile(
    rf"^(?P<place>{_PLACE})(?:,\s*(?P<region>{_REGION}))?"
    rf"(?:,\s*(?P<date>{DAY_MONTH}))?"
    rf"\s*[.,]?\s*(?:/(?P<slash_agency>{_AGENCY})/\.?|\((?P<paren_agency>{_AGENCY})\))?"
    r"\s*(?:(?:--|[-–—:])\s+|[-–—]$|$|(?<=[./)])\s+)"
)


def split_dateline(paragraph: str) -> tuple[dict | None, str]:
    """(dateline, rest of the paragraph); a dateline needs a day or an agency besides the place."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None, paragraph
    agency = match.group("slash_agency") or match.group("paren_agency")
    if not (match.group("date") or agency):
        return None, paragraph
    dateline = {
        "text": match.group(0).strip(),
        "place": match.group("place").title(),
        "region": match.group("region"),
        "date": match.group("date"),
        "agency": agency.strip() if agency else None,
    }
    return dateline, paragraph[match.end():].strip()
