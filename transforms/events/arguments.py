"""Who acted and on whom: the trigger's arguments from the dependency parse, linked to mentions.

Actors are the subject (with its coordinated members: "France, Russia, and the United States"),
the passive agent ("wounded ... by Azerbaijan forces"), or for a noun trigger the parties
"between" whom it happens, its "by"/"from" phrase, its possessor, or the subject of the light
verb that carries it ("held a phone call"). Targets are objects and prepositional objects.
Each argument phrase becomes the canonical names of the mentions inside it.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsmon.transforms.events.lexicon import Lexicon
from newsmon.transforms.entities.mention import Mention
from newsmon.transforms.events.mentions import ACTOR_TYPES, PLACE_TYPES
from newsmon.transforms.events.triggers import TriggerMatch

if TYPE_CHECKING:
    from spacy.tokens import Token

SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = frozenset({"dobj", "dative", "iobj"})
TARGET_PREPS = frozenset({"against", "on", "upon", "with", "to", "at", "into", "toward", "towards"})
NOUN_ACTOR_PREPS = frozenset({"by", "from", "between", "among"})
# Branches that leave the argument's own phrase.
PHRASE_EXITS = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "parataxis", "prep"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
REPORTING_LEMMAS = frozenset({"say", "announce", "state", "declare", "tell", "add", "claim", "insist", "confirm"})
RELATIVE_PRONOUNS = frozenset({"which", "who", "that", "whom"})
# Prepositions that place a noun trigger inside the act of a verb ("announced ... in a phone call");
# "with" too after an active verb ("responded with a counter-offensive").
FRAME_PREPS = frozenset({"in", "during", "at"})
MAX_NAMES = 6


@dataclass(frozen=True)
class Party:
    """One side of an event: canonical name and entity id (None for a generic noun)."""

    name: str
    id: str | None
    agent: bool = False


class MentionIndex:
    """Mentions sorted by position, for phrase lookup and pronoun resolution."""

    def __init__(self, mentions: list[Mention]):
        self.mentions = sorted(mentions, key=lambda m: m.start_char)
        self._starts = [m.start_char for m in self.mentions]

    def within(self, spans: list[tuple[int, int]]) -> list[Mention]:
        found = []
        for mention in self.mentions:
            if any(mention.start_char < end and mention.end_char > start for start, end in spans):
                found.append(mention)
        return found

    def person_before(self, char: int) -> Mention | None:
        for mention in reversed(self.mentions[: bisect_right(self._starts, char)]):
            if mention.type == "PERSON" and mention.end_char <= char:
                return mention
        return None


def phrase_tokens(head: Token, keep_of: bool = True, exits: frozenset[str] = PHRASE_EXITS) -> list[Token]:
    """The head's own phrase: its subtree without clauses and prepositions other than "of"."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in exits and not (keep_of and child.dep_ == "prep" and child.lower_ == "of"):
            continue
        tokens.extend(phrase_tokens(child, keep_of, exits))
    return tokens


def own_phrase(head: Token) -> list[Token]:
    """The head's phrase without its coordinated members, which are arguments of their own."""
    tokens = [head]
    for child in head.children:
        if child.dep_ not in ("conj", "cc", "appos"):
            tokens.extend(phrase_tokens(child) if child.dep_ not in PHRASE_EXITS or (
                child.dep_ == "prep" and child.lower_ == "of") else [])
    return tokens


def parties_of(heads: list[Token], index: MentionIndex, lexicon: Lexicon, types: frozenset[str]) -> list[Party]:
    parties: list[Party] = []
    for head in heads:
        if head.pos_ == "PRON":
            speaker = reporting_subject(head)
            if speaker is not None:
                head = speaker
            elif head.lower_ in PERSON_PRONOUNS:
                person = index.person_before(head.idx)
                if person is not None:
                    parties.append(Party(person.name, person.id))
                continue
            else:
                continue
        covering = [m for m in index.within([(head.idx, head.idx + len(head.text))]) if m.type in types]
        tokens = own_phrase(head)
        named = covering or [m for m in index.within([(t.idx, t.idx + len(t.text)) for t in tokens])
                             if m.type in types]
        if named:
            parties.extend(Party(m.name, m.id) for m in named)
        elif head.pos_ == "PROPN" or head.lemma_.lower() in lexicon.agent_nouns | lexicon.person_nouns:
            modifiers = [t for t in sorted(tokens, key=lambda t: t.i)
                         if t.i <= head.i and t.dep_ in ("compound", "amod", "nmod") or t.i == head.i]
            parties.append(Party(" ".join(t.text for t in modifiers), None, head.lemma_.lower() in lexicon.agent_nouns))
    unique: dict[str, Party] = {}
    for party in parties:
        unique.setdefault(party.name.lower(), party)
    return list(unique.values())[:MAX_NAMES]


def reporting_subject(pronoun: Token) -> Token | None:
    """"Switzerland said it had expelled ...": the pronoun stands for the reporting verb's subject."""
    for ancestor in pronoun.ancestors:
        if ancestor.lemma_.lower() in REPORTING_LEMMAS:
            subjects = [c for c in ancestor.children if c.dep_ in SUBJECT_DEPS and c.pos_ != "PRON"]
            return subjects[0] if subjects else None
    return None


def _children(token: Token, deps: frozenset[str]) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps]


def _prep_objects(token: Token, preps: frozenset[str]) -> list[Token]:
    return [obj for prep in token.children if prep.dep_ == "prep" and prep.lower_ in preps
            for obj in prep.children if obj.dep_ == "pobj"]


def _agent_objects(verb: Token) -> list[Token]:
    return [obj for agent in verb.children if agent.dep_ == "agent" for obj in agent.children if obj.dep_ == "pobj"]


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod"))


def _antecedent(pronoun: Token) -> Token | None:
    """The noun a relative pronoun stands for: the one right before it ("Azerbaijan, which ...")."""
    index = pronoun.i - 1
    while index >= 0 and pronoun.doc[index].is_punct:
        index -= 1
    if index >= 0 and pronoun.doc[index].pos_ in ("NOUN", "PROPN"):
        return pronoun.doc[index]
    return None


def verb_subjects(verb: Token) -> list[Token]:
    """The verb's acting subject, inherited along coordination and control."""
    subjects = _children(verb, SUBJECT_DEPS)
    if subjects and subjects[0].lower_ in RELATIVE_PRONOUNS:
        antecedent = _antecedent(subjects[0])
        return [antecedent] if antecedent is not None else []
    if subjects:
        return subjects
    if is_passive(verb):
        return _agent_objects(verb) or _prep_objects(verb, frozenset({"by"}))
    if verb.tag_ == "VBG" and _prep_objects(verb, frozenset({"by"})):
        return _prep_objects(verb, frozenset({"by"}))
    head = verb.head
    if head.i == verb.i:
        return []
    if verb.dep_ == "conj":
        return verb_subjects(head)
    if verb.dep_ == "xcomp":
        objects = _children(head, OBJECT_DEPS)
        return objects or verb_subjects(head)
    if verb.dep_ in ("relcl", "acl") and head.pos_ in ("NOUN", "PROPN"):
        return [head]
    if verb.dep_ == "advcl" and verb.tag_ == "VBG":
        return verb_subjects(head)
    if verb.dep_ in ("acomp", "xcomp") or head.dep_ == "acomp":
        return verb_subjects(head.head if head.dep_ == "acomp" else head)
    return []


def left_named_block(verb: Token) -> list[Token]:
    """Proper nouns right before a subjectless verb ("..., France, Russia, and the United States
    called"): the parser sometimes attaches such a subject elsewhere; word order still tells."""
    block: list[Token] = []
    token_i = verb.i - 1
    doc = verb.doc
    while token_i >= 0 and doc[token_i].pos_ in ("ADV", "AUX", "PART"):
        token_i -= 1
    while token_i >= 0 and (doc[token_i].pos_ == "PROPN" or doc[token_i].lower_ in (",", "and", "the")):
        if doc[token_i].pos_ == "PROPN":
            block.append(doc[token_i])
        token_i -= 1
    return block[::-1]


def verb_targets(verb: Token) -> list[Token]:
    targets = _children(verb, OBJECT_DEPS) + _prep_objects(verb, TARGET_PREPS)
    if is_passive(verb):
        targets += _children(verb, PASSIVE_SUBJECT_DEPS)
        if verb.dep_ in ("acl", "amod"):
            targets.append(verb.head)
    return targets


def _expand(heads: list[Token]) -> list[Token]:
    """Each argument head with its coordinated members."""
    found: list[Token] = []
    for head in heads:
        found.append(head)
        found.extend(c for c in head.conjuncts if c not in found)
    return found


def _phrase_head(noun: Token) -> Token:
    while noun.dep_ in ("compound", "amod") and noun.head.i != noun.i:
        noun = noun.head
    return noun


def light_verb(match: TriggerMatch, lexicon: Lexicon) -> Token | None:
    """The verb that performs a noun trigger ("held a phone call", "renewed negotiations"): any
    verb taking it as object, except those that stop or merely witness it ("ended the clashes")."""
    phrase_head = _phrase_head(match.head)
    verb = phrase_head.head
    if (phrase_head.dep_ in ("dobj", "attr") and verb.pos_ in ("VERB", "AUX")
            and verb.lemma_.lower() not in lexicon.non_performing_verbs):
        return verb
    return None


def noun_actors(match: TriggerMatch, lexicon: Lexicon) -> list[Token]:
    noun = match.head
    heads = _prep_objects(noun, NOUN_ACTOR_PREPS) + [
        c for c in noun.children if c.dep_ == "poss" and c.pos_ != "PRON"]
    if heads:
        return heads
    carrier = light_verb(match, lexicon)
    if carrier is not None:
        return verb_subjects(carrier)
    phrase_head = _phrase_head(noun)
    if phrase_head.dep_ == "nsubjpass" and _agent_objects(phrase_head.head):
        return _agent_objects(phrase_head.head)
    prep = phrase_head.head
    if phrase_head.dep_ == "pobj" and prep.head.pos_ in ("VERB", "AUX") and (
            prep.lower_ in FRAME_PREPS or (prep.lower_ == "with" and not is_passive(prep.head))):
        return verb_subjects(prep.head)
    for clause in noun.children:
        if clause.dep_ in ("relcl", "acl") and is_passive(clause):
            origin = _agent_objects(clause) or _prep_objects(clause, frozenset({"by", "from"}))
            if origin:
                return origin
    return [c for c in noun.children if c.dep_ in ("compound", "amod")]


def event_parties(match: TriggerMatch, index: MentionIndex, lexicon: Lexicon) -> tuple[list[Party], list[Party]]:
    """(actors, targets) of a trigger; a party never counts on both sides."""
    head = match.head
    if match.trigger.verbal:
        actor_heads, target_heads = verb_subjects(head), verb_targets(head)
    else:
        actor_heads = noun_actors(match, lexicon)
        target_heads = _prep_objects(head, TARGET_PREPS)
        carrier = light_verb(match, lexicon)
        if carrier is not None:
            target_heads += _prep_objects(carrier, TARGET_PREPS)
    actor_heads = [t for t in _expand(actor_heads) if t not in match.tokens]
    target_heads = [t for t in _expand(target_heads) if t not in match.tokens]
    actors = parties_of(actor_heads, index, lexicon, ACTOR_TYPES)
    if not actors and match.trigger.verbal:
        actors = parties_of(left_named_block(head), index, lexicon, ACTOR_TYPES)
    targets = parties_of(target_heads, index, lexicon, ACTOR_TYPES | PLACE_TYPES)
    actor_names = {a.name.lower() for a in actors}
    targets = [t for t in targets if t.name.lower() not in actor_names]
    return actors, targets
