"""Numbers as news writes them: digits ("1,960", "2.5"), words ("seven thousand", "twenty-one"),
mixed ("2.5 million"), and a few counting nouns ("a dozen"). Casualty figures need exact integers."""
from __future__ import annotations

import re

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}

_DIGITS = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+(\.\d+)?$")


def _digit_value(word: str) -> float | None:
    if _DIGITS.match(word):
        return float(word.replace(",", ""))
    return None


def is_number_word(word: str) -> bool:
    """True for a token that can be part of a written number."""
    lowered = word.lower()
    return (_digit_value(lowered) is not None or lowered in UNITS or lowered in TENS
            or lowered in SCALES or lowered in ("and", "dozen"))


def parse_number(text: str) -> int | None:
    """The integer a number phrase denotes, or None when it is not a number.

    "seven thousand" -> 7000, "1,960" -> 1960, "2.5 million" -> 2500000, "twenty-one" -> 21,
    "a dozen" -> 12, "one hundred and five" -> 105.
    """
    words = [w for w in re.split(r"[\s\-]+", text.strip().lower()) if w]
    if not words:
        return None
    total, current, seen = 0.0, 0.0, False
    for index, word in enumerate(words):
        digits = _digit_value(word)
        if digits is not None:
            current += digits
        elif word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word in SCALES:
            scale = SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0.0
        elif word in ("a", "an") and index == 0 and len(words) > 1:
            continue
        elif word == "and" and seen:
            continue
        else:
            return None
        seen = True
    if not seen:
        return None
    return int(round(total + current))
