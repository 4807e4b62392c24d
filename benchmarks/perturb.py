"""What real copies of an article go through, as deterministic functions of (title, text).

Shared by the dedup evaluation and the tests, so both measure the same perturbations.
"""
from __future__ import annotations

import re
from typing import Callable

Article = tuple[str, str]

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SYNONYMS = {
    "said": "stated", "says": "states", "called": "urged", "agreed": "consented", "end": "halt",
    "conflict": "war", "situation": "state of affairs", "president": "leader", "President": "Leader",
    "talks": "negotiations", "fighting": "combat", "announced": "declared", "government": "administration",
    "new": "fresh", "people": "residents", "company": "firm", "year": "twelve months", "also": "too",
}


def spacing_and_punctuation(title: str, text: str) -> Article:
    """Re-typed copy: other spacing, quotes, dashes and line breaks, some commas dropped."""
    text = text.replace("“", '"').replace("”", '"').replace("’", "'").replace(" - ", " -- ")
    text = text.replace(", ", " , ").replace("\n\n", "\n")
    text = re.sub(r"\s+", lambda m: "  " if len(m.group()) == 1 and "\n" not in m.group() else m.group(), text)
    return title.upper().replace(",", ""), text.replace(";", ",")


def channel_line(title: str, text: str) -> Article:
    """Re-post with a channel invitation on top and a newsletter line at the end."""
    return ("Join our Telegram channel for uncensored news as it happens!",
            f"{title}\n\n{text}\n\nSubscribe to our daily newsletter and never miss a story. Share this article.")


def html_headline(title: str, text: str) -> Article:
    """Syndicated into another site's HTML page under that site's own headline."""
    return ("Breaking: what you need to know today", f"<p>{text}</p>".replace("\n\n", "</p>\n<p>"))


def truncated(title: str, text: str) -> Article:
    """Teaser copy: the first part of the text, then a "read more" link."""
    words = text.split(" ")
    return title, " ".join(words[: max(40, int(len(words) * 0.45))]) + " ... Read more"


def reworded(title: str, text: str) -> Article:
    """An editor rewrote two sentences (synonyms, one clause dropped)."""
    sentences = _SENTENCE.split(text)
    for index in (len(sentences) // 3, (2 * len(sentences)) // 3):
        words = [_SYNONYMS.get(w, w) for w in sentences[index].split(" ")]
        sentences[index] = " ".join(words[: max(4, len(words) - 3)]) + "."
    return title, " ".join(sentences)


PERTURBATIONS: dict[str, Callable[[str, str], Article]] = {
    "spacing_punctuation": spacing_and_punctuation,
    "channel_line": channel_line,
    "html_headline": html_headline,
    "truncated": truncated,
    "reworded": reworded,
}
