"""Casualty figures of a sentence: killed, wounded, arrested.

Read from the parse around a cue lemma (config `casualties`): the victims of "killed"/"wounded"
are its object, or its subject when passive or intransitive ("died"); "dead" counts the number it
qualifies ("nearly 130 dead"). The figure is the number in the victims' own phrase ("more than 100
people, including many civilians" gives 100), summed over coordinated victims, or 1 for a single
person ("a journalist was killed"). Vague amounts ("dozens") give no figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsmon.transforms.events.arguments import PHRASE_EXITS, is_passive, phrase_tokens
from newsmon.transforms.events.lexicon import CASUALTY_KINDS, Lexicon
from newsmon.transforms.events.numbers import is_number_word, parse_number

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

INTRANSITIVE = frozenset({"die", "perish"})
# Cues that also take things as objects ("vehicles were hit"): they count people only.
PEOPLE_ONLY_CUES = frozenset({"hit"})
PEOPLE_WORDS = frozenset({"people", "person", "other", "national", "civilian", "victim", "passenger"})
NUMBER_JOINERS = frozenset({"-", "and"})
# A victim phrase without its coordinated members, which are counted on their own.
OWN_PHRASE_EXITS = PHRASE_EXITS | {"conj", "cc", "appos"}


@dataclass(frozen=True)
class Casualty:
    kind: str
    count: int
    cue: Token


def _number_in(tokens: list[Token]) -> int | None:
    """The first written number among the tokens (contiguous number words joined)."""
    ordered = sorted(tokens, key=lambda t: t.i)
    for start, token in enumerate(ordered):
        if not (token.like_num or token.pos_ == "NUM") or not is_number_word(token.text):
            continue
        words = [token.text]
        for follower in ordered[start + 1:]:
            if follower.i != token.i + len(words) or not (is_number_word(follower.text) or follower.text in NUMBER_JOINERS):
                break
            words.append(follower.text)
        while words and words[-1] in NUMBER_JOINERS:
            words.pop()
        value = parse_number(" ".join(words))
        if value is not None:
            return value
    return None


def _victim_count(victim: Token, lexicon: Lexicon) -> int | None:
    if victim.like_num or victim.pos_ == "NUM":
        value = _number_in([victim] + [c for c in victim.children if c.dep_ in ("compound", "nummod", "quantmod")])
        if value is not None:
            return value
    value = _number_in(phrase_tokens(victim, keep_of=False, exits=OWN_PHRASE_EXITS))
    if value is not None:
        return value
    if victim.tag_ in ("NN", "NNP") and (victim.lemma_.lower() in lexicon.person_nouns or victim.ent_type_ == "PERSON"):
        return 1
    return None


def _victims(cue: Token) -> list[Token]:
    if cue.pos_ in ("VERB", "AUX"):
        deps = ("nsubjpass", "nsubj") if (is_passive(cue) or cue.lemma_.lower() in INTRANSITIVE) else ("dobj",)
        victims = [c for c in cue.children if c.dep_ in deps]
        if not victims and cue.dep_ in ("acl", "amod", "relcl") and cue.head.pos_ in ("NOUN", "NUM", "PROPN"):
            victims = [cue.head]
        return victims
    if cue.lemma_.lower() == "dead" and cue.dep_ in ("amod", "acomp", "oprd") and cue.head.pos_ in ("NUM", "NOUN"):
        return [cue.head]
    numbers = [c for c in cue.children if c.dep_ in ("nummod", "quantmod") or c.like_num]
    return [cue] if numbers else []


def _is_people(victim: Token, lexicon: Lexicon) -> bool:
    lemma = victim.lemma_.lower()
    return (victim.ent_type_ in ("PERSON", "NORP") or lemma in PEOPLE_WORDS
            or lemma in lexicon.person_nouns or lemma in lexicon.agent_nouns)


def _count(victims: list[Token], lexicon: Lexicon) -> int | None:
    total, seen = 0, False
    for victim in victims:
        for member in [victim, *victim.conjuncts]:
            value = _victim_count(member, lexicon)
            if value is not None:
                total += value
                seen = True
    return total if seen else None


def find_casualties(sent: Span, lexicon: Lexicon) -> list[Casualty]:
    """Every casualty figure the sentence states, with the cue token it hangs on."""
    cues = {" ".join(words): kind for kind in CASUALTY_KINDS for words in lexicon.casualties[kind]}
    found = []
    for token in sent:
        kind = cues.get(token.lemma_.lower()) or cues.get(token.lower_)
        if kind is None:
            continue
        victims = _victims(token)
        if token.lemma_.lower() in PEOPLE_ONLY_CUES:
            victims = [v for v in victims if _is_people(v, lexicon)]
        count = _count(victims, lexicon)
        if count is not None and count > 0:
            found.append(Casualty(kind, count, token))
    return found
