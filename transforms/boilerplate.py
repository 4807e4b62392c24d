"""Boilerplate lines in article text: promos, photo credits and captions, bylines, reprint
notices, tag lists and trailing navigation.

They are removed from the text the NLP reads because they produce false entities and events
(a photo agency is not an actor, a Telegram promo is not news). Bylines and reprint notices are
kept as evidence for the article's author and outlet. The patterns live in
`config/boilerplate.yaml` so that analysts can add their outlets' own furniture.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from newsmon.transforms.settings import ConfigError, load_yaml_mapping

KINDS = ("promo", "photo_credit", "byline", "reprint", "tag_label")
_CONFIG_NAME = "config/boilerplate.yaml"

# One item of a tag list: "– Vladimir Poutine", "• Armenia".
_TAG_ITEM = re.compile(r"^[-–—•·*]\s*\S.{0,40}$")
_TAG_ITEM_MAX_WORDS = 5
# How a sentence or quoted sentence ends; lines without it at the very end are navigation.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_NAVIGATION_MAX_CHARS = 120
_NAVIGATION_MAX_LINES = 4
# A caption that runs into the credit on the next line ends with a dash.
_CAPTION_END = re.compile(r"\s[-–—]$")
_CAPTION_MAX_CHARS = 250


@dataclass
class Cleaned:
    """Paragraphs kept for NLP, the removed ones with their kind, and author/source evidence."""

    paragraphs: list[str]
    removed: list[tuple[str, str]] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)


class Boilerplate:
    """Classifies whole lines against the configured patterns and strips article furniture."""

    def __init__(self, patterns: dict[str, list[re.Pattern]]):
        self._patterns = patterns

    def match(self, line: str) -> tuple[str, re.Match] | None:
        """(kind, match) for a boilerplate line, or None for story text."""
        line = line.strip()
        for kind in KINDS:
            for pattern in self._patterns.get(kind, ()):
                found = pattern.fullmatch(line)
                if found:
                    return kind, found
        return None

    def is_boilerplate(self, line: str) -> bool:
        return self.match(line) is not None

    def _trailing(self, paragraphs: list[str], kinds: list[str | None]) -> None:
        """Mark the tag list that ends many web captures, and the navigation just above it
        (section name, related headlines). Without a tag list, short closing lines are kept:
        they are often line-ups, results or lists that belong to the story."""
        end = len(paragraphs)
        items = []
        while end > 0 and (kinds[end - 1] is not None or self._is_tag_item(paragraphs[end - 1])):
            end -= 1
            if kinds[end] is None:
                items.append(end)
        if len(items) < 2 and "tag_label" not in kinds[end:]:
            return
        for index in items:
            kinds[index] = "tag_list"
        story = [i for i, kind in enumerate(kinds[:end]) if kind is None]
        for _ in range(_NAVIGATION_MAX_LINES):
            if len(story) <= 1:
                break
            last = paragraphs[story[-1]]
            if len(last) > _NAVIGATION_MAX_CHARS or _SENTENCE_END.search(last):
                break
            kinds[story.pop()] = "navigation"

    @staticmethod
    def _is_tag_item(paragraph: str) -> bool:
        return bool(_TAG_ITEM.match(paragraph)) and len(paragraph.split()) <= _TAG_ITEM_MAX_WORDS + 1

    def clean(self, paragraphs: list[str]) -> Cleaned:
        """Remove boilerplate paragraphs; keep author/source found in bylines and reprint notes."""
        kinds: list[str | None] = []
        evidence: dict[str, str] = {}
        for index, paragraph in enumerate(paragraphs):
            found = self.match(paragraph)
            kind = found[0] if found else None
            if kind == "photo_credit" and index and kinds[index - 1] is None:
                previous = paragraphs[index - 1]
                if len(previous) <= _CAPTION_MAX_CHARS and _CAPTION_END.search(previous):
                    kinds[index - 1] = "caption"
            if found:
                for name, value in found[1].groupdict().items():
                    if value and name not in evidence:
                        evidence[name] = value.strip(" .:-")
            kinds.append(kind)
        self._trailing(paragraphs, kinds)
        kept = [p for p, kind in zip(paragraphs, kinds) if kind is None]
        removed = [(kind, p) for p, kind in zip(paragraphs, kinds) if kind is not None]
        return Cleaned(kept, removed, evidence)


def _compile(origin: str, data: dict) -> dict[str, list[re.Pattern]]:
    agencies = data.get("agencies", [])
    if not isinstance(agencies, list) or not all(isinstance(a, str) and a.strip() for a in agencies):
        raise ConfigError(f"{origin}: key 'agencies' must be a list of names such as [AFP, Reuters]")
    agency = "|".join(re.escape(a.strip()) for a in sorted(agencies, key=len, reverse=True)) or "(?!)"
    patterns = data.get("patterns", {})
    if not isinstance(patterns, dict):
        raise ConfigError(f"{origin}: key 'patterns' must map a kind ({', '.join(KINDS)}) to a list of regexes")
    compiled: dict[str, list[re.Pattern]] = {}
    for kind, sources in patterns.items():
        if kind not in KINDS:
            raise ConfigError(f"{origin}: unknown key 'patterns.{kind}'; known kinds: {', '.join(KINDS)}")
        if not isinstance(sources, list):
            raise ConfigError(f"{origin}: key 'patterns.{kind}' must be a list of regular expressions")
        compiled[kind] = []
        for index, source in enumerate(sources):
            if not isinstance(source, str):
                raise ConfigError(f"{origin}: key 'patterns.{kind}[{index}]' must be a quoted regular expression")
            try:
                compiled[kind].append(re.compile(source.replace("{agency}", agency), re.IGNORECASE))
            except re.error as exc:
                raise ConfigError(
                    f"{origin}: key 'patterns.{kind}[{index}]' is not a valid regular expression ({exc}); fix the pattern"
                ) from None
    return compiled


def load_boilerplate(path: Path | str | None = None) -> Boilerplate:
    """Patterns from `path`, or the packaged `config/boilerplate.yaml`."""
    if path is None:
        text = resources.files("newsmon.config").joinpath("boilerplate.yaml").read_text(encoding="utf-8")
        return Boilerplate(_compile(_CONFIG_NAME, load_yaml_mapping(_CONFIG_NAME, text)))
    return Boilerplate(_compile(str(path), load_yaml_mapping(path)))


@lru_cache(maxsize=1)
def default_boilerplate() -> Boilerplate:
    """The packaged patterns, compiled once per process."""
    return load_boilerplate()
