"""Which resolved entity mentions (`transforms/entities/`) can act in an event or place it."""
from __future__ import annotations

PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
ACTOR_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP"})
