"""The batch pipeline of `newsmon run`: inputs -> articles, events, stories, alerts, dead-letter."""
from __future__ import annotations

from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from newsmon.pipelines.analysis import UNDELIVERED, AnalyseNews, records_to_write
from newsmon.transforms import records
from newsmon.transforms.alerts import RuleSet
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import Settings
from newsmon.transforms.sinks import CountAs, WriteJsonl, WriteSummary


@dataclass
class RunOptions:
    """What `newsmon run` was asked to do, after argument checks."""

    inputs: list[str]
    output_dir: str
    settings: Settings
    watch: list[str] = field(default_factory=list)
    alert_rules: RuleSet = field(default_factory=lambda: RuleSet(()))
    deliver_alerts: bool = True
    beam_args: list[str] = field(default_factory=list)


def beam_options(run: RunOptions) -> PipelineOptions:
    workers = run.settings.get("runner.workers")
    extra = ["--direct_num_workers", str(workers)]
    if workers > 1:
        extra += ["--direct_running_mode", "multi_processing"]
    return PipelineOptions(extra + run.beam_args)


def build(pipeline: beam.Pipeline, run: RunOptions) -> None:
    """Compose the stages onto `pipeline`."""
    items = (
        pipeline
        | "ListInputs" >> beam.Create(run.inputs)
        | "Read" >> beam.FlatMap(read_input, run.settings)
    )
    outputs = items | "Analyse" >> AnalyseNews(run.settings, run.alert_rules, run.deliver_alerts)

    out = run.output_dir
    for name, pcoll in records_to_write(outputs).items():
        pcoll | f"Write{name.title()}" >> WriteJsonl(out, name)

    articles = outputs[records.ARTICLES]
    counts = [
        items | "CountInputs" >> CountAs("inputs"),
        articles | "CountArticles" >> CountAs(records.ARTICLES),
        outputs[records.DEADLETTER] | "CountDeadletter" >> CountAs(records.DEADLETTER),
        outputs[records.ALERTS] | "CountAlerts" >> CountAs(records.ALERTS),
        outputs[UNDELIVERED] | "CountUndelivered" >> CountAs(UNDELIVERED),
        articles
        | "ExactCopies" >> beam.Filter(lambda a: a.get("duplicate_kind") == "exact")
        | "CountExact" >> CountAs("exact_duplicates"),
    ]
    counts | "AllCounts" >> beam.Flatten() | "Summary" >> WriteSummary(out)


def run_pipeline(run: RunOptions) -> None:
    with beam.Pipeline(options=beam_options(run)) as pipeline:
        build(pipeline, run)
