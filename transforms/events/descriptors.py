"""PLOVER `mode` (how: aerial, heavy-weapons, phone, ...) and `context` (what about: military,
diplomatic, ...) from cue lemmas in the event's sentence. Only what the text says: no cue, no mode."""
from __future__ import annotations

from typing import TYPE_CHECKING

from newsmon.transforms.events.lexicon import Lexicon, Phrase

if TYPE_CHECKING:
    from spacy.tokens import Span


_SKIPPED = ("-", "\u2013")


def _word_runs(sent: Span, sizes: frozenset[int]) -> set[Phrase]:
    """Every run of `sizes` consecutive words of the sentence, once as lemmas and once as lower-case
    text (hyphens and dashes skipped), so that each cue phrase is one set lookup."""
    words = [t for t in sent if t.text not in _SKIPPED]
    spellings = ([t.lemma_.lower() for t in words], [t.lower_ for t in words])
    return {tuple(seq[start:start + size]) for seq in spellings for size in sizes
            for start in range(len(seq) - size + 1)}


def _matching(runs: set[Phrase], table: dict[str, list[Phrase]]) -> list[str]:
    return [name for name, phrases in table.items() if any(p in runs for p in phrases)]


def event_descriptors(sent: Span, category: str, lexicon: Lexicon) -> tuple[str | None, list[str]]:
    """(mode, contexts): the first mode of the category whose cue the sentence contains, and every
    context whose cue it contains."""
    runs = _word_runs(sent, lexicon.cue_sizes)
    modes = _matching(runs, lexicon.modes.get(category, {}))
    return (modes[0] if modes else None), _matching(runs, lexicon.contexts)
