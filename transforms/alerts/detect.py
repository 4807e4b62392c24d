"""Alerts in Beam: articles + events -> observations keyed by rule and key -> alert records.

The decision per key runs in a stateful DoFn: observations are buffered until the watermark
passes their arrival (a `flush` timer), then decided in the order of their articles' publication
times, so batch runs, streaming runs and replays take the same decisions; an `expire` timer drops a key's state once its throttle
period and windows are over. Alert ids hash rule, key, window start and the record that opened
the window: the same trigger always gives the same id.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms import window
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Timestamp

from newsmon.transforms import records
from newsmon.transforms.alerts.rules import RuleSet
from newsmon.transforms.alerts.ruletypes import (MAX_ALERT_ARTICLES, KeyState, Observation, RuleType, Trigger,
                                                 fields_read, iso_time, rule_type)
from newsmon.transforms.alerts.templates import render
from newsmon.transforms.eventtime import Group, StatefulStage
from newsmon.transforms.packing import pack, unpack

# Articles and their events leave the NLP stage together, with the same element timestamp, so
# any window joins them; a short one keeps a streaming run's alerts seconds behind its articles
# (a window's join waits for the watermark to pass its end).
JOIN_WINDOW_S = 2
# Observations keyed by (rule name, key).
RULE_KEYED = beam.typehints.Tuple[beam.typehints.Tuple[str, str], beam.typehints.Any]


def only_fields(record: dict, fields: frozenset[str]) -> dict:
    """`record` with only `fields` (those it has)."""
    return {name: value for name, value in record.items() if name in fields}


def observations(types: Iterable[RuleType], article: dict, events: list[dict]) -> Iterator[Observation]:
    """Everything every rule sees in one article. Exact duplicates are never alerted on."""
    if article.get("duplicate_kind") == "exact":
        return
    for kind in types:
        yield from kind.observe(article, events)


def alert_record(kind: RuleType, key: str, trigger: Trigger) -> dict:
    """The contract's alert record for one trigger, message rendered."""
    rule = kind.rule
    last = trigger.observations[-1]
    articles = []
    for obs in trigger.observations:
        if obs.article["id"] not in {a["id"] for a in articles}:
            articles.append(obs.article)
    articles = articles[-MAX_ALERT_ARTICLES:]
    context = {
        "rule": rule.name, "rule_type": rule.type, "severity": trigger.level, "key": key,
        "value": trigger.value if trigger.value is not None else len(articles), "unit": kind.unit(),
        "matched": list(trigger.matched), "triggered_at": iso_time(last.time),
        "window_start": iso_time(trigger.window_start), "story_id": last.article.get("story_id"),
        "articles": articles,
    }
    return {
        "id": records.stable_id("alert", rule.name, key, context["window_start"] or "undated", trigger.anchor),
        "rule": rule.name,
        "rule_type": rule.type,
        "severity": trigger.level,
        "triggered_at": context["triggered_at"],
        "key": key,
        "article_ids": [article["id"] for article in articles],
        "story_id": context["story_id"],
        "message": render(rule.message, context),
        "value": trigger.value,
        "matched": list(trigger.matched),
        "window_start": context["window_start"],
        "titles": [article["title"] for article in articles],
        "targets": list(rule.targets),
    }


def decide(kind: RuleType, state: KeyState, ordered: Iterable[Observation]) -> Iterator[dict]:
    """Feed one key's observations, in event-time order, to its rule; alert records out."""
    for obs in ordered:
        trigger = kind.step(state, obs)
        if trigger is not None:
            yield alert_record(kind, obs.key, trigger)


class EvaluateRules(beam.DoFn):
    """Keyed by (rule, key): buffers observations, decides in event-time order, throttles."""

    BUFFER = BagStateSpec("buffer", PickleCoder())
    STATE = ReadModifyWriteStateSpec("state", PickleCoder())
    FLUSH_AT = ReadModifyWriteStateSpec("flush_at", PickleCoder())
    FLUSH = TimerSpec("flush", TimeDomain.WATERMARK)
    EXPIRE = TimerSpec("expire", TimeDomain.WATERMARK)

    def __init__(self, ruleset: RuleSet):
        self._ruleset = ruleset
        self._types: dict[str, RuleType] = {}

    def setup(self) -> None:
        self._types = {rule.name: rule_type(rule) for rule in self._ruleset.rules}

    def process(self, element: tuple[tuple[str, str], Observation],
                timestamp=beam.DoFn.TimestampParam,
                buffer=beam.DoFn.StateParam(BUFFER),
                flush_at=beam.DoFn.StateParam(FLUSH_AT),
                flush=beam.DoFn.TimerParam(FLUSH)) -> None:
        _, obs = element
        buffer.add((timestamp, obs))
        pending = flush_at.read()
        if pending is None or timestamp < pending:
            flush_at.write(timestamp)
            flush.set(timestamp)

    @on_timer(FLUSH)
    def on_flush(self, key=beam.DoFn.KeyParam, fire_at=beam.DoFn.TimestampParam,
                 buffer=beam.DoFn.StateParam(BUFFER),
                 state_cell=beam.DoFn.StateParam(STATE),
                 flush_at=beam.DoFn.StateParam(FLUSH_AT),
                 flush=beam.DoFn.TimerParam(FLUSH),
                 expire=beam.DoFn.TimerParam(EXPIRE)) -> Iterator[dict]:
        buffered = list(buffer.read())
        ready = sorted((obs for arrived, obs in buffered if arrived <= fire_at), key=Observation.order)
        later = [(arrived, obs) for arrived, obs in buffered if arrived > fire_at]
        buffer.clear()
        flush_at.clear()
        for pending in later:
            buffer.add(pending)
        if later:
            next_at = min(arrived for arrived, _ in later)
            flush_at.write(next_at)
            flush.set(next_at)
        kind = self._types[key[0]]
        state = state_cell.read() or KeyState()
        yield from decide(kind, state, ready)
        state_cell.write(state)
        until = kind.retain_until(state)
        if until is not None:
            expire.set(Timestamp(until))

    @on_timer(EXPIRE)
    def on_expire(self, key=beam.DoFn.KeyParam, fire_at=beam.DoFn.TimestampParam,
                  buffer=beam.DoFn.StateParam(BUFFER),
                  state_cell=beam.DoFn.StateParam(STATE)) -> None:
        # Timers of different families may fire in any order once the watermark passes both:
        # while observations wait for their flush, the state they will be decided on stays.
        if next(iter(buffer.read()), None) is not None:
            return
        state = state_cell.read()
        until = self._types[key[0]].retain_until(state) if state else None
        if state is not None and until is not None and Timestamp(until) <= fire_at:
            state_cell.clear()


class DecideObservations:
    """`EvaluateRules` for a whole batch group of one (rule, key): observations decided arrival time
    by arrival time, as its flush timer takes them (its expiry waits for an empty buffer, so
    within a batch run one key state carries through), alerts at the arrival time that fired them."""

    def __init__(self, ruleset: RuleSet):
        self._ruleset = ruleset
        self._types: dict[str, RuleType] | None = None

    def __call__(self, key: tuple[str, str], group: Group) -> list[TimestampedValue]:
        if self._types is None:
            self._types = {rule.name: rule_type(rule) for rule in self._ruleset.rules}
        by_arrival: dict[Timestamp, list[Observation]] = defaultdict(list)
        for obs, arrived in group:
            by_arrival[arrived].append(obs)
        kind, state, alerts = self._types[key[0]], KeyState(), []
        for arrived in sorted(by_arrival):
            ready = sorted(by_arrival[arrived], key=Observation.order)
            alerts += [TimestampedValue(alert, arrived) for alert in decide(kind, state, ready)]
        return alerts


class ObserveArticles(beam.DoFn):
    """(article id, {articles, events}, each packed) -> ((rule, key), observation)."""

    def __init__(self, ruleset: RuleSet):
        self._ruleset = ruleset
        self._types: list[RuleType] = []

    def setup(self) -> None:
        self._types = [rule_type(rule) for rule in self._ruleset.rules]

    def process(self, joined: tuple[str, dict]) -> Iterator:
        _, grouped = joined
        events = [unpack(event) for event in grouped["events"]]
        for article in map(unpack, grouped["articles"]):
            for obs in observations(self._types, article, events):
                yield (obs.rule, obs.key), obs


class DetectAlerts(beam.PTransform):
    """(articles, events) -> alert records, the same in batch and streaming pipelines.

    Articles and events are joined with only the fields the rules read, packed as bytes
    (`transforms.packing`): the batch runner holds every record of the join in its own process."""

    def __init__(self, ruleset: RuleSet):
        super().__init__()
        self._ruleset = ruleset

    def expand(self, inputs):
        articles, events = inputs
        article_fields, event_fields = fields_read(self._ruleset.rules)
        keyed_articles = (articles | "JoinWindowArticles" >> beam.WindowInto(window.FixedWindows(JOIN_WINDOW_S))
                          | "ArticleById" >> beam.Map(lambda a: (a["id"], pack(only_fields(a, article_fields)))))
        keyed_events = (events | "JoinWindowEvents" >> beam.WindowInto(window.FixedWindows(JOIN_WINDOW_S))
                        | "EventByArticle" >> beam.Map(lambda e: (e["article_id"], pack(only_fields(e, event_fields)))))
        return (
            {"articles": keyed_articles, "events": keyed_events}
            | "JoinEvents" >> beam.CoGroupByKey()
            | "Observe" >> beam.ParDo(ObserveArticles(self._ruleset))
            | "OneTimeline" >> beam.WindowInto(window.GlobalWindows())
            | "Decide" >> StatefulStage(EvaluateRules(self._ruleset), decide=DecideObservations(self._ruleset),
                                        keyed_type=RULE_KEYED)
        )
