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
from newsmon.transforms.sinks import WriteJsonl, WriteSummary

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

    files = dict(written)
    files[records.DEADLETTER] = (written[records.DEADLETTER], index_failures) | "AllDeadletters" >> beam.Flatten()
    files | "WriteFiles" >> WriteJsonl(run.output_dir)

    counted = {
        "inputs": items,
        records.ARTICLES: outputs[records.ARTICLES],
        records.DEADLETTER: outputs[records.DEADLETTER],
        records.ALERTS: outputs[records.ALERTS],
        UNDELIVERED: outputs[UNDELIVERED],
        INDEX_FAILURES: index_failures,
        records.EVENTS: outputs[records.EVENTS],
        "exact_duplicates": outputs[EXACT_COPIES],
        "near_duplicates": outputs[ORIGINALS] | "NearCopies" >> beam.Filter(lambda a: a["duplicate_kind"] == "near"),
        records.STORIES: outputs[records.STORIES],
    }
    counted | "Summary" >> WriteSummary(run.output_dir)


def run_pipeline(run: RunOptions) -> None:
    with beam.Pipeline(options=beam_options(run)) as pipeline:
        build(pipeline, run)
