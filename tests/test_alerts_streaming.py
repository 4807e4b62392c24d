"""Windowed alert rules on an unbounded input (TestStream): the same alerts as in batch,
decided in event-time order even when articles arrive out of order."""
from __future__ import annotations

import apache_beam as beam
import yaml
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing import test_stream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from alerts_support import joint_statement_coverage, run_rules
from newsmon.transforms.alerts import DetectAlerts
from newsmon.transforms.alerts.detect import JOIN_WINDOW_S
from newsmon.transforms.alerts.rules import parse_rules
from newsmon.transforms.alerts.ruletypes import event_time

RULES = [
    {"name": "breaking", "type": "frequency", "count": "sources", "window": "24h",
     "severity": {"warning": 2, "critical": 3}, "key": ["story_id"], "throttle": "1d"},
    {"name": "putin", "type": "watchlist", "entities": ["Putin"], "severity": "warning", "key": ["entity"],
     "throttle": "12h"},
]


def streamed(articles: list[dict], order: list[int]):
    """TestStream delivering the articles in `order`, the watermark following each arrival."""
    stream = test_stream.TestStream()
    for index in order:
        article = articles[index]
        stream = stream.add_elements([TimestampedValue(article, event_time(article["published_at"]))])
        stream = stream.advance_watermark_to(event_time(article["published_at"]) + 2 * JOIN_WINDOW_S)
    return stream.advance_watermark_to_infinity()


def summary(alert: dict) -> tuple:
    return alert["id"], alert["rule"], alert["severity"], alert["triggered_at"]


def test_streaming_matches_batch(seed_run, tmp_path):
    articles = joint_statement_coverage(seed_run)
    batch = sorted(summary(alert) for alert in run_rules(RULES, articles, [], tmp_path))
    # frequency: warning at the 2nd source, critical within the day is throttled; watchlist: 000, then 004
    assert sorted((rule, severity) for _, rule, severity, _ in batch) == [
        ("breaking", "warning"), ("putin", "warning"), ("putin", "warning")]
    ruleset = parse_rules("streaming-rules.yaml", yaml.safe_load(yaml.safe_dump({"rules": RULES})))
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(options=options) as pipeline:
        stream = pipeline | "Articles" >> streamed(articles, [0, 1, 2])
        events = pipeline | "Events" >> beam.Create([])
        alerts = (stream, events) | DetectAlerts(ruleset) | beam.Map(summary)
        assert_that(alerts, equal_to(batch))


def test_late_arrival_within_the_watermark_is_ordered(seed_run):
    """004 (2 Oct) is read before 001 (1 Oct) while the watermark still holds: 001 opens the throttle."""
    articles = joint_statement_coverage(seed_run)
    ruleset = parse_rules("streaming-rules.yaml", yaml.safe_load(yaml.safe_dump({"rules": RULES[1:]})))
    stream = (test_stream.TestStream()
              .add_elements([TimestampedValue(articles[2], event_time(articles[2]["published_at"]))])
              .add_elements([TimestampedValue(articles[1], event_time(articles[1]["published_at"]))])
              .advance_watermark_to(event_time(articles[2]["published_at"]) + 2 * JOIN_WINDOW_S)
              .advance_watermark_to_infinity())
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    with TestPipeline(options=options) as pipeline:
        alerts = ((pipeline | "Articles" >> stream, pipeline | "Events" >> beam.Create([]))
                  | DetectAlerts(ruleset) | beam.Map(lambda a: (a["triggered_at"], a["article_ids"][0])))
        # 001 at 14:00 on 1 Oct fires; 004 is 18 hours later, past the 12-hour throttle, and fires too.
        assert_that(alerts, equal_to([("2020-10-01T14:00:00Z", articles[1]["id"]),
                                      ("2020-10-02T08:00:00Z", articles[2]["id"])]))
