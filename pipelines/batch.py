"""The batch pipeline of `newsmon run`: inputs -> articles, events, stories, alerts, dead-letter."""
from __future__ import annotations

from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from newsmon.transforms import records
from newsmon.transforms.alerts import DetectAlerts, RuleSet
from newsmon.transforms.alerts.deliver import DeliverAlerts
from newsmon.transforms.dedup import MarkExactDuplicates
from newsmon.transforms.es_connection import EsSettings
from newsmon.transforms.es_spool import spool_dir
from newsmon.transforms.es_writer import BulkOptions, WriteToElasticsearch
from newsmon.transforms.nlp import ExtractEntities
from newsmon.transforms.normalise import normalise_item
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import Settings
from newsmon.transforms.sinks import CountAs, WriteJsonl, WriteSummary

# Summary count of documents Elasticsearch did not take (see `index_all`).
INDEX_FAILURES = "index_failures"


@dataclass
class RunOptions:
    """What `newsmon run` was asked to do, after argument checks."""

    inputs: list[str]
    output_dir: str
    settings: Settings
    watch: list[str] = field(default_factory=list)
    alert_rules: RuleSet = field(default_factory=lambda: RuleSet(()))
    deliver_alerts: bool = True
    es: EsSettings | None = None  # None: --no-es
    beam_args: list[str] = field(default_factory=list)


def split_deadletter(record: dict):
    return beam.pvalue.TaggedOutput(records.DEADLETTER, record) if records.is_deadletter(record) else record


def beam_options(run: RunOptions) -> PipelineOptions:
    workers = run.settings.get("runner.workers")
    extra = ["--direct_num_workers", str(workers)]
    if workers > 1:
        extra += ["--direct_running_mode", "multi_processing"]
    return PipelineOptions(extra + run.beam_args)


def index_all(pipeline: beam.Pipeline, outputs: dict, run: RunOptions):
    """Write every output to its index; the dead-letters of documents Elasticsearch did not take.

    These records are not lost (they are in the JSONL files, and those the node could not take for the
    moment are in the spool for `newsmon replay`), so they are reported as `index_failures` and listed in
    deadletter.jsonl with stage `index`, but not counted in `deadletter`, which with `articles` adds up
    to `inputs`."""
    if run.es is None:
        return pipeline | "NoIndexFailures" >> beam.Create([])
    options = BulkOptions.from_settings(run.settings)
    spool = spool_dir(run.settings, run.output_dir)
    failures = [
        pcoll | f"Index{name.title()}" >> WriteToElasticsearch(run.es, run.es.index(name), options, spool)
        for name, pcoll in outputs.items()
    ]
    failures = failures | "IndexFailures" >> beam.Flatten()
    # Also index the failures themselves (e.g. a mapping conflict) so analysts see them in Kibana; if that
    # fails too, the failure is still in deadletter.jsonl, so its own failures are not collected again.
    failures | "IndexIndexFailures" >> WriteToElasticsearch(run.es, run.es.index(records.DEADLETTER), options)
    return failures


def build(pipeline: beam.Pipeline, run: RunOptions) -> None:
    """Compose the stages onto `pipeline`."""
    settings = run.settings
    items = (
        pipeline
        | "ListInputs" >> beam.Create(run.inputs)
        | "Read" >> beam.FlatMap(read_input, settings)
    )
    parsed = items | "SplitReadFailures" >> beam.Map(split_deadletter).with_outputs(records.DEADLETTER, main="items")
    normalised = (
        parsed.items
        | "Normalise" >> beam.Map(normalise_item, settings.get("limits.max_text_chars"))
        | "SplitNormaliseFailures" >> beam.Map(split_deadletter).with_outputs(records.DEADLETTER, main="articles")
    )
    articles = (
        normalised.articles
        | "ExactDuplicates" >> MarkExactDuplicates()
        | "Entities" >> ExtractEntities(settings)
    )
    deadletter = (parsed[records.DEADLETTER], normalised[records.DEADLETTER]) | "InputDeadletter" >> beam.Flatten()
    events = pipeline | "NoEvents" >> beam.Create([])
    alerts = (articles, events) | "Alerts" >> DetectAlerts(run.alert_rules)
    undelivered = (alerts | "DeliverAlerts" >> DeliverAlerts(run.alert_rules) if run.deliver_alerts
                   else pipeline | "NoDelivery" >> beam.Create([]))

    out = run.output_dir
    outputs = {
        records.ARTICLES: articles,
        records.EVENTS: events,
        records.STORIES: pipeline | "NoStories" >> beam.Create([]),
        records.ALERTS: alerts,
        records.DEADLETTER: (deadletter, undelivered) | "RunDeadletters" >> beam.Flatten(),
    }
    index_failures = index_all(pipeline, outputs, run)
    for name, pcoll in outputs.items():
        if name != records.DEADLETTER:
            pcoll | f"Write{name.title()}" >> WriteJsonl(out, name)
    (
        (outputs[records.DEADLETTER], index_failures)
        | "AllDeadletters" >> beam.Flatten()
        | "WriteDeadletter" >> WriteJsonl(out, records.DEADLETTER)
    )

    counts = [
        items | "CountInputs" >> CountAs("inputs"),
        articles | "CountArticles" >> CountAs(records.ARTICLES),
        deadletter | "CountDeadletter" >> CountAs(records.DEADLETTER),
        alerts | "CountAlerts" >> CountAs(records.ALERTS),
        undelivered | "CountUndelivered" >> CountAs("undelivered_alerts"),
        index_failures | "CountIndexFailures" >> CountAs(INDEX_FAILURES),
        articles
        | "ExactCopies" >> beam.Filter(lambda a: a.get("duplicate_kind") == "exact")
        | "CountExact" >> CountAs("exact_duplicates"),
    ]
    counts | "AllCounts" >> beam.Flatten() | "Summary" >> WriteSummary(out)


def run_pipeline(run: RunOptions) -> None:
    with beam.Pipeline(options=beam_options(run)) as pipeline:
        build(pipeline, run)
