"""The event rules of `config/events.yaml`: PLOVER categories, trigger phrases, modes, contexts,
casualty cues. Validated on load so that a typo stops a run with a one-line fix, not a silent
category with no triggers."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from newsmon.transforms.settings import ConfigError, load_yaml_mapping

CATEGORIES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
              "ACCUSE", "REJECT", "THREATEN", "SANCTION", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT")
QUAD_CLASSES = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
CASUALTY_KINDS = ("killed", "wounded", "arrested")
_TOP_KEYS = {"categories", "contexts", "casualties", "reporting_verbs", "negating_verbs", "agent_nouns", "person_nouns", "non_performing_verbs"}
_CATEGORY_KEYS = {"quad_class", "verbs", "nouns", "modes"}
DEFAULT_PATH = "config/events.yaml"

Phrase = tuple[str, ...]


def phrase_words(text: str) -> Phrase:
    """Lemmas of a phrase; hyphens separate words ("cease-fire" == "cease fire")."""
    return tuple(word for word in re.split(r"[\s\-]+", text.lower()) if word)


@dataclass(frozen=True)
class Trigger:
    category: str
    words: Phrase
    verbal: bool


@dataclass(frozen=True)
class Lexicon:
    """Triggers indexed by their first lemma (verbs) or last lemma (nouns), longest first."""

    quad_class: dict[str, str]
    verb_triggers: dict[str, list[Trigger]]
    noun_triggers: dict[str, list[Trigger]]
    modes: dict[str, dict[str, list[Phrase]]]
    contexts: dict[str, list[Phrase]]
    casualties: dict[str, list[Phrase]]
    reporting_verbs: frozenset[str]
    negating_verbs: frozenset[str]
    agent_nouns: frozenset[str]
    person_nouns: frozenset[str]
    non_performing_verbs: frozenset[str]
    # Word counts of the mode and context cues: the runs of words a sentence is looked up by.
    cue_sizes: frozenset[int]


def _fail(origin: str, key: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{origin}: key '{key}' {problem}; {fix}")


def _words_list(value: Any, origin: str, key: str) -> list[Phrase]:
    if not isinstance(value, list) or not value:
        raise _fail(origin, key, f"is {value!r}", "set it to a non-empty list of lemmas or phrases")
    phrases = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not phrase_words(item):
            raise _fail(origin, f"{key}[{index}]", f"is {item!r}", "use a non-empty lower-case lemma or phrase")
        if item != item.lower():
            raise _fail(origin, f"{key}[{index}]", f"is {item!r}", "write triggers as lower-case lemmas")
        phrases.append(phrase_words(item))
    return phrases


def _phrase_map(value: Any, origin: str, key: str) -> dict[str, list[Phrase]]:
    if not isinstance(value, dict):
        raise _fail(origin, key, "is not a mapping", "map each name to a list of lemmas")
    return {str(name): _words_list(items, origin, f"{key}.{name}") for name, items in value.items()}


def _check_unique(triggers: list[Trigger], origin: str, kind: str) -> None:
    """One phrase, one category: otherwise which one fires would depend on file order."""
    seen: dict[Phrase, str] = {}
    for trigger in triggers:
        other = seen.setdefault(trigger.words, trigger.category)
        if other != trigger.category:
            raise _fail(origin, f"categories.{trigger.category}.{kind}", f"repeats '{' '.join(trigger.words)}' of {other}",
                        "keep each trigger under one category")
    if len(seen) != len(triggers):
        words = [t.words for t in triggers]
        repeated = next(w for w in words if words.count(w) > 1)
        category = next(t.category for t in triggers if t.words == repeated)
        raise _fail(origin, f"categories.{category}.{kind}", f"lists '{' '.join(repeated)}' twice", "remove the repeat")


def _index(triggers: list[Trigger], position: int) -> dict[str, list[Trigger]]:
    index: dict[str, list[Trigger]] = {}
    for trigger in triggers:
        index.setdefault(trigger.words[position], []).append(trigger)
    for entries in index.values():
        entries.sort(key=lambda t: -len(t.words))
    return index


def parse_lexicon(data: dict, origin: str = DEFAULT_PATH) -> Lexicon:
    """A Lexicon from the YAML mapping; ConfigError (one line) on the first problem."""
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(origin, sorted(unknown)[0], "is unknown", f"use only {', '.join(sorted(_TOP_KEYS))}")
    categories = data.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise _fail(origin, "categories", "is missing or empty", "map PLOVER categories to their triggers")
    quad, verbs, nouns, modes = {}, [], [], {}
    for name, spec in categories.items():
        key = f"categories.{name}"
        if name not in CATEGORIES:
            raise _fail(origin, key, "is not a PLOVER 2.0 category", f"use one of {', '.join(CATEGORIES)}")
        if not isinstance(spec, dict):
            raise _fail(origin, key, "is not a mapping", "give quad_class, verbs, nouns (and optional modes)")
        extra = set(spec) - _CATEGORY_KEYS
        if extra:
            raise _fail(origin, f"{key}.{sorted(extra)[0]}", "is unknown", f"use only {', '.join(sorted(_CATEGORY_KEYS))}")
        if spec.get("quad_class") not in QUAD_CLASSES:
            raise _fail(origin, f"{key}.quad_class", f"is {spec.get('quad_class')!r}", f"use one of {', '.join(QUAD_CLASSES)}")
        quad[name] = spec["quad_class"]
        verbs += [Trigger(name, words, True) for words in _words_list(spec.get("verbs"), origin, f"{key}.verbs")]
        nouns += [Trigger(name, words, False) for words in _words_list(spec.get("nouns"), origin, f"{key}.nouns")]
        modes[name] = _phrase_map(spec.get("modes", {}), origin, f"{key}.modes")
    _check_unique(verbs, origin, "verbs")
    _check_unique(nouns, origin, "nouns")
    casualties = _phrase_map(data.get("casualties"), origin, "casualties")
    missing = [kind for kind in CASUALTY_KINDS if kind not in casualties]
    if missing:
        raise _fail(origin, f"casualties.{missing[0]}", "is missing", "list the lemmas that announce that figure")

    def lemmas(key: str) -> frozenset[str]:
        return frozenset(" ".join(words) for words in _words_list(data.get(key), origin, key))

    contexts = _phrase_map(data.get("contexts", {}), origin, "contexts")
    cues = [phrase for table in (*modes.values(), contexts) for phrases in table.values() for phrase in phrases]
    return Lexicon(
        quad_class=quad,
        verb_triggers=_index(verbs, 0),
        noun_triggers=_index(nouns, -1),
        modes=modes,
        contexts=contexts,
        casualties=casualties,
        reporting_verbs=lemmas("reporting_verbs"),
        negating_verbs=lemmas("negating_verbs"),
        agent_nouns=lemmas("agent_nouns"),
        person_nouns=lemmas("person_nouns"),
        non_performing_verbs=lemmas("non_performing_verbs"),
        cue_sizes=frozenset(len(phrase) for phrase in cues),
    )


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """The packaged rules, or those of `path`."""
    if path is None:
        text = resources.files("newsmon.config").joinpath("events.yaml").read_text(encoding="utf-8")
        return parse_lexicon(load_yaml_mapping(DEFAULT_PATH, text), DEFAULT_PATH)
    return parse_lexicon(load_yaml_mapping(path), str(path))


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return load_lexicon()
