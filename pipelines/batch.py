"""The batch pipeline of `newsmon run`: inputs -> articles, events, stories, alerts, dead-letter."""
from __future__ import annotations

from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from newsmon.pipelines.runner import direct_runner_args
from newsmon.transforms import records
from newsmon.transforms.dedup import MarkExactDuplicates
from newsmon.transforms.nlp import ExtractEntities
from newsmon.transforms.normalise import normalise_item
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
    beam_args: list[str] = field(default_factory=list)


def split_deadletter(record: dict):
    return beam.pvalue.TaggedOutput(records.DEADLETTER, record) if records.is_deadletter(record) else record


def beam_options(run: RunOptions) -> PipelineOptions:
    return PipelineOptions(direct_runner_args(run.settings, run.inputs) + run.beam_args)


def build(pipeline: beam.Pipeline, run: RunOptions) -> None:
    """Compose the stages onto `pipeline`."""
    settings = run.settings
    items = (
        pipeline
        | "ListInputs" >> beam.Create(run.inputs)
        | "Read" >> beam.FlatMap(read_input, settings)
    )
    parsed = items | "SplitReadFailures" >> beam.Map(split_deadletter).with_outputs(records.DEADLETTER, main="items")
    articles = (
        parsed.items
        | "Normalise" >> beam.Map(normalise_item)
        | "ExactDuplicates" >> MarkExactDuplicates()
        | "Entities" >> ExtractEntities(settings)
    )
    deadletter = parsed[records.DEADLETTER]

    out = run.output_dir
    articles | "WriteArticles" >> WriteJsonl(out, records.ARTICLES)
    deadletter | "WriteDeadletter" >> WriteJsonl(out, records.DEADLETTER)
    for name in (records.EVENTS, records.STORIES, records.ALERTS):
        (pipeline | f"No{name.title()}" >> beam.Create([])) | f"Write{name.title()}" >> WriteJsonl(out, name)

    counts = [
        items | "CountInputs" >> CountAs("inputs"),
        articles | "CountArticles" >> CountAs(records.ARTICLES),
        deadletter | "CountDeadletter" >> CountAs(records.DEADLETTER),
        articles
        | "ExactCopies" >> beam.Filter(lambda a: a.get("duplicate_kind") == "exact")
        | "CountExact" >> CountAs("exact_duplicates"),
    ]
    counts | "AllCounts" >> beam.Flatten() | "Summary" >> WriteSummary(out)


def run_pipeline(run: RunOptions) -> None:
    with beam.Pipeline(options=beam_options(run)) as pipeline:
        build(pipeline, run)
