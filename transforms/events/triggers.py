"""Trigger words and phrases of the lexicon found in a parsed sentence.

Verb phrases start at a verb and continue inside its phrase ("called ... on", "launched ...
strikes"); noun phrases are contiguous lemmas ending at a noun. Where several triggers share a
token, the longest wins, and a trigger that is only the content of another category's trigger
("called for a ceasefire", "agreed to exchange information") is dropped: PLOVER codes the
governing act.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsmon.transforms.events.lexicon import Lexicon, Trigger

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

VERB_TAGS = frozenset({"VERB", "AUX"})
NOUN_TAGS = frozenset({"NOUN", "PROPN"})
# How far (tokens) a verb phrase's next word may be from the previous one.
PHRASE_GAP = 5
# Dependencies through which a trigger is the content of the trigger above it.
CONTENT_DEPS = frozenset({"xcomp", "ccomp", "dobj", "pobj", "prep", "pcomp", "acl", "compound",
                          "amod", "nmod", "attr", "oprd", "appos", "dative"})
# Prepositions that introduce what a trigger is about ("call for a truce"), not its circumstances
# ("with both leaders calling", "in a joint statement").
CONTENT_PREPS = frozenset({"for", "to", "on", "of", "about", "over", "regarding", "upon", "into", "towards", "toward"})
# Participles used as adjectives ("Yerevan-backed separatists") describe, they do not report acts.
DESCRIPTIVE_DEPS = frozenset({"amod", "compound"})


@dataclass(frozen=True)
class TriggerMatch:
    trigger: Trigger
    head: Token
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.tokens)

    @property
    def lemma(self) -> str:
        return " ".join(self.trigger.words)


def lemma(token: Token) -> str:
    return token.lemma_.lower()


def _words(sent: Span) -> list[Token]:
    """The sentence without hyphens, so "cease-fire" reads as "cease fire"."""
    return [t for t in sent if t.text not in ("-", "–")]


def _verb_match(trigger: Trigger, verb: Token, words: list[Token], start: int) -> tuple[Token, ...] | None:
    matched = [verb]
    subtree = {t.i for t in verb.subtree}
    position = start
    for word in trigger.words[1:]:
        for next_pos in range(position + 1, min(len(words), position + 1 + PHRASE_GAP)):
            token = words[next_pos]
            if lemma(token) == word and token.i in subtree:
                matched.append(token)
                position = next_pos
                break
        else:
            return None
    return tuple(matched)


def _noun_match(trigger: Trigger, words: list[Token], end: int) -> tuple[Token, ...] | None:
    size = len(trigger.words)
    if end + 1 < size:
        return None
    window = words[end + 1 - size: end + 1]
    if tuple(lemma(t) for t in window) == trigger.words:
        return tuple(window)
    return None


def find_triggers(sent: Span, lexicon: Lexicon) -> list[TriggerMatch]:
    """Every trigger in the sentence, longest match per token, content triggers dropped."""
    words = _words(sent)
    candidates: list[TriggerMatch] = []
    for index, token in enumerate(words):
        key = lemma(token)
        if token.pos_ in VERB_TAGS and token.dep_ not in DESCRIPTIVE_DEPS:
            for trigger in lexicon.verb_triggers.get(key, ()):
                tokens = _verb_match(trigger, token, words, index)
                if tokens:
                    candidates.append(TriggerMatch(trigger, token, tokens))
                    break
        if token.pos_ in NOUN_TAGS or (token.tag_ == "VBG" and token.dep_ in ("pobj", "nsubj", "dobj")):
            for trigger in lexicon.noun_triggers.get(key, ()):
                tokens = _noun_match(trigger, words, index)
                if tokens:
                    candidates.append(TriggerMatch(trigger, token, tokens))
                    break
    return _drop_content(_longest(candidates))


def _longest(candidates: list[TriggerMatch]) -> list[TriggerMatch]:
    kept: list[TriggerMatch] = []
    used: set[int] = set()
    for match in sorted(candidates, key=lambda m: (-len(m.tokens), m.head.i)):
        indices = {t.i for t in match.tokens}
        if indices & used:
            continue
        kept.append(match)
        used |= indices
    return sorted(kept, key=lambda m: m.head.i)


def _governing(match: TriggerMatch, by_head: dict[int, TriggerMatch]) -> TriggerMatch | None:
    """The nearest trigger above `match` reached through content dependencies only."""
    own = {t.i for t in match.tokens}
    token = match.head
    while token.dep_ in CONTENT_DEPS and token.head.i != token.i:
        if token.dep_ == "prep" and token.lower_ not in CONTENT_PREPS:
            return None
        token = token.head
        above = by_head.get(token.i)
        if above is not None and token.i not in own:
            return above
    return None


def _drop_content(matches: list[TriggerMatch]) -> list[TriggerMatch]:
    by_head = {t.i: m for m in matches for t in m.tokens}
    kept = []
    for match in matches:
        above = _governing(match, by_head)
        if above is not None and above.trigger.category != match.trigger.category:
            continue
        kept.append(match)
    return kept
