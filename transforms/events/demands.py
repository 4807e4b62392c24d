"""Demands worded as obligations: "X said (that) Y must / should do Z" is a REQUEST by X of Y.

PLOVER's REQUEST covers demands however they are phrased; news often words them as a statement
of what another party must do, with no "demand" or "urge" in the sentence.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

OBLIGATION_MODALS = frozenset({"must", "should"})
# How a stated obligation hangs under the verb of the one stating it.
CLAUSE_LINKS = frozenset({"ccomp", "acl", "relcl", "conj", "pobj", "dobj", "advcl", "xcomp"})


@dataclass(frozen=True)
class Obligation:
    modal: Token
    speaker_verb: Token
    obliged: list[Token]

    def covers(self, token: Token) -> bool:
        """True for a token inside the demanded act (coded as the demand, not as an event)."""
        return token in self.modal.head.subtree and token.i != self.speaker_verb.i


def find_obligations(sent: Span) -> list[Obligation]:
    """Each "must"/"should" clause whose subject differs from the subject of a governing verb."""
    found = []
    for modal in sent:
        if modal.lower_ not in OBLIGATION_MODALS or modal.dep_ != "aux":
            continue
        clause = modal.head
        obliged = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
        token = clause
        while token.dep_ in CLAUSE_LINKS and token.head.i != token.i:
            via_conj = token.dep_ == "conj"
            token = token.head
            if via_conj:
                continue
            subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
            if token.pos_ in ("VERB", "AUX") and subjects:
                if not obliged or subjects[0].lower_ != obliged[0].lower_:
                    found.append(Obligation(modal, token, obliged))
                break
    return found
