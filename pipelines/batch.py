"""The batch pipeline of `newsmon run`: inputs -> articles, events, stories, alerts, dead-letter."""
from __future__ import annotations

from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from newsmon.pipelines.analysis import UNDELIVERED, AnalyseNews, records_to_write
from newsmon.pipelines.runner import direct_runner_args
from newsmon.transforms import records
from newsmon.transforms.alerts import RuleSet
from newsmon.transforms.es_connection import EsSettings
from newsmon.transforms.enrich import EXACT_COPIES, ORIGINALS
from newsmon.transforms.es_spool import spool_dir
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


def beam_options(run: RunOptions) -> PipelineOptions:
    return PipelineOptions(direct_runner_args(run.settings, run.inputs) + run.beam_args)


def index_all(pipeline: beam.Pipeline, outputs: dict, run: RunOptions):
    """Write every output to its index; the dead-letters of documents Elasticsearch did not take.

    These records are not lost (they are in the JSONL files, and those the node could not take for the
    moment are in the spool for `newsmon replay`), so they are reported as `index_failures` and listed in
    deadletter.jsonl with stage `index`, but not counted in `deadletter`, which with `articles` adds up
    to `inputs`."""
    if run.es is None:
        return pipeline | "NoIndexFailures" >> beam.Create([])
    # The writer (and the Elasticsearch client library it imports) only for runs that index.
    from newsmon.transforms.es_writer import BulkOptions, WriteToElasticsearch

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
    items = (
        pipeline
        | "ListInputs" >> beam.Create(run.inputs)
        | "Read" >> beam.FlatMap(read_input, run.settings)
    )
    outputs = items | "Analyse" >> AnalyseNews(run.settings, run.alert_rules, run.deliver_alerts)
    written = records_to_write(outputs)
    index_failures = index_all(pipeline, written, run)

    out = run.output_dir
    for name, pcoll in written.items():
        if name != records.DEADLETTER:
            pcoll | f"Write{name.title()}" >> WriteJsonl(out, name)
    (
        (written[records.DEADLETTER], index_failures)
        | "AllDeadletters" >> beam.Flatten()
        | "WriteDeadletter" >> WriteJsonl(out, records.DEADLETTER)
    )

    articles = outputs[records.ARTICLES]
    counts = [
        items | "CountInputs" >> CountAs("inputs"),
        articles | "CountArticles" >> CountAs(records.ARTICLES),
        outputs[records.DEADLETTER] | "CountDeadletter" >> CountAs(records.DEADLETTER),
        outputs[records.ALERTS] | "CountAlerts" >> CountAs(records.ALERTS),
        outputs[UNDELIVERED] | "CountUndelivered" >> CountAs(UNDELIVERED),
        index_failures | "CountIndexFailures" >> CountAs(INDEX_FAILURES),
        outputs[records.EVENTS] | "CountEvents" >> CountAs(records.EVENTS),
        outputs[EXACT_COPIES] | "CountExact" >> CountAs("exact_duplicates"),
        outputs[ORIGINALS]
        | "NearCopies" >> beam.Filter(lambda a: a["duplicate_kind"] == "near")
        | "CountNear" >> CountAs("near_duplicates"),
        outputs[records.STORIES] | "CountStories" >> CountAs(records.STORIES),
    ]
    counts | "AllCounts" >> beam.Flatten() | "Summary" >> WriteSummary(out)


def run_pipeline(run: RunOptions) -> None:
    with beam.Pipeline(options=beam_options(run)) as pipeline:
        build(pipeline, run)
