"""Whether an event is negated ("neither confirmed nor rejected", "denied attacking") or only
reported ("X said that ...", "according to ..."): analysts filter on both."""
from __future__ import annotations

from typing import TYPE_CHECKING

from newsmon.transforms.events.lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NEGATORS = frozenset({"not", "n't", "never", "no", "neither", "nor", "without"})
# Dependencies along which a governing verb's negation reaches the trigger ("does not plan to
# participate in military operations").
NEGATION_PATH = frozenset({"xcomp", "ccomp", "pcomp", "dobj", "pobj", "prep"})
HEDGES = frozenset({"reportedly", "allegedly", "purportedly", "apparently"})
# Dependencies along which a governing verb's negation or reporting reaches the trigger.
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "conj", "dobj", "pobj", "prep", "pcomp", "acl", "advcl", "relcl", "compound"})


def _negated_here(token: Token) -> bool:
    return any(c.lower_ in NEGATORS and c.dep_ in ("neg", "preconj", "cc", "det") for c in token.children)


def is_negated(head: Token, lexicon: Lexicon, carrier: Token | None = None) -> bool:
    """Negated on the trigger, on the verb carrying it, or under a negating verb ("deny")."""
    if _negated_here(head) or (carrier is not None and _negated_here(carrier)):
        return True
    if head.dep_ == "conj" and any(c.lower_ == "neither" for c in head.head.children):
        return True
    token = head
    while token.dep_ in NEGATION_PATH and token.head.i != token.i:
        token = token.head
        if token.lemma_.lower() in lexicon.reporting_verbs:
            return False
        if token.lemma_.lower() in lexicon.negating_verbs or (token.pos_ in ("VERB", "AUX") and _negated_here(token)):
            return True
    return False


def is_reported(head: Token, sent: Span, lexicon: Lexicon, quoted: bool) -> bool:
    """True when the event is told by a source rather than stated by the article."""
    if quoted:
        return True
    lowered = sent.text.lower()
    if "according to" in lowered or any(t.lower_ in HEDGES for t in sent):
        return True
    token = head
    while token.head.i != token.i:
        previous, token = token, token.head
        if token.lemma_.lower() in lexicon.reporting_verbs and previous.dep_ in CLAUSE_DEPS:
            return True
    return False


MODALS = frozenset({"will", "would", "'ll", "shall"})
INTENT_HEADS = frozenset({"prepare", "ready", "willing", "plan", "vow", "pledge", "promise", "intend",
                          "decide", "swear", "threaten", "offer", "prepared"})


def is_intent(head: Token) -> bool:
    """An act announced for the future ("will withdraw", "is prepared to impose", "plans to")."""
    if any(c.lower_ in MODALS and c.dep_ == "aux" for c in head.children):
        return True
    governor = head.head
    return head.dep_ == "xcomp" and governor.lemma_.lower() in INTENT_HEADS
