"""The middle of every newsmon pipeline, batch or streaming: raw items -> the outputs.

`newsmon run` and `newsmon watch` differ only in where items come from and where records go;
everything between (normalise, exact duplicates, NLP, alerts and their delivery, and at merge
stories, near duplicates and events) is this one composite, so both modes run the same analysis.
"""
from __future__ import annotations

import apache_beam as beam

from newsmon.transforms import records
from newsmon.transforms.alerts import DetectAlerts, RuleSet
from newsmon.transforms.alerts.deliver import DeliverAlerts
from newsmon.transforms.enrich import ARTICLES, EVENTS, EXACT_COPIES, ORIGINALS, STORIES, EnrichArticles
from newsmon.transforms.eventtime import is_streaming
from newsmon.transforms.normalise import NormaliseItems
from newsmon.transforms.settings import Settings

# Dead-letters of alerts whose delivery failed: written with the others, counted apart, since
# `inputs == articles + deadletter` is about inputs.
UNDELIVERED = "undelivered_alerts"


def split_deadletter(record: dict):
    return beam.pvalue.TaggedOutput(records.DEADLETTER, record) if records.is_deadletter(record) else record


class AnalyseNews(beam.PTransform):
    """Raw items and read dead-letters -> {name: PCollection} for `records.OUTPUTS`, UNDELIVERED,
    and the exact copies and originals the summary counts."""

    def __init__(self, settings: Settings, alert_rules: RuleSet, deliver_alerts: bool = True):
        super().__init__()
        self._settings = settings
        self._alert_rules = alert_rules
        self._deliver_alerts = deliver_alerts

    def expand(self, items) -> dict:
        parsed = items | "SplitReadFailures" >> beam.Map(split_deadletter).with_outputs(
            records.DEADLETTER, main="items")
        normalised = (
            parsed.items
            | "Normalise" >> beam.ParDo(NormaliseItems(self._settings.get("limits.max_text_chars"),
                                                      free_after_bundle=not is_streaming(items)))
            | "SplitNormaliseFailures" >> beam.Map(split_deadletter).with_outputs(records.DEADLETTER, main="articles")
        )
        deadletter = ((parsed[records.DEADLETTER], normalised[records.DEADLETTER])
                      | "InputDeadletter" >> beam.Flatten())
        enriched = normalised.articles | "Enrich" >> EnrichArticles(self._settings)
        articles, events, stories = enriched[ARTICLES], enriched[EVENTS], enriched[STORIES]
        alerts = (articles, events) | "Alerts" >> DetectAlerts(self._alert_rules)
        if self._deliver_alerts:
            undelivered = alerts | "DeliverAlerts" >> DeliverAlerts(self._alert_rules)
        else:
            undelivered = items | "NoDelivery" >> beam.FlatMap(lambda item: ())
        return {records.ARTICLES: articles, records.EVENTS: events, records.STORIES: stories,
                records.ALERTS: alerts, records.DEADLETTER: deadletter, UNDELIVERED: undelivered,
                EXACT_COPIES: enriched[EXACT_COPIES], ORIGINALS: enriched[ORIGINALS]}


def records_to_write(outputs: dict) -> dict:
    """{output name: records} as the sinks write them: undelivered alerts among the dead-letters."""
    written = {name: outputs[name] for name in records.OUTPUTS if name != records.DEADLETTER}
    written[records.DEADLETTER] = ((outputs[records.DEADLETTER], outputs[UNDELIVERED])
                                   | "AllDeadletter" >> beam.Flatten())
    return written
