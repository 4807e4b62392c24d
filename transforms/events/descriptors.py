"""PLOVER `mode` (how: aerial, heavy-weapons, phone, ...) and `context` (what about: military,
diplomatic, ...) from cue lemmas in the event's sentence. Only what the text says: no cue, no mode."""
from __future__ import annotations

from typing import TYPE_CHECKING

from newsmon.transforms.events.lexicon import Lexicon, Phrase

if TYPE_CHECKING:
    from spacy.tokens import Span


def _lemmas(sent: Span) -> list[str]:
    return [t.lemma_.lower() for t in sent if t.text not in ("-", "–")] + [""]


def _contains(lemmas: list[str], texts: list[str], phrase: Phrase) -> bool:
    size = len(phrase)
    for start in range(len(lemmas) - size):
        window = tuple(lemmas[start:start + size])
        if window == phrase or tuple(texts[start:start + size]) == phrase:
            return True
    return False


def _matching(sent: Span, table: dict[str, list[Phrase]]) -> list[str]:
    lemmas = _lemmas(sent)
    texts = [t.lower_ for t in sent if t.text not in ("-", "–")] + [""]
    return [name for name, phrases in table.items() if any(_contains(lemmas, texts, p) for p in phrases)]


def event_mode(sent: Span, category: str, lexicon: Lexicon) -> str | None:
    """The first mode of the category whose cue the sentence contains."""
    modes = _matching(sent, lexicon.modes.get(category, {}))
    return modes[0] if modes else None


def event_context(sent: Span, lexicon: Lexicon) -> list[str]:
    return _matching(sent, lexicon.contexts)
