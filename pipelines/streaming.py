"""The streaming pipeline of `newsmon watch`: a watched directory and feeds -> the same analysis
as `newsmon run` -> sinks that write as records arrive -> the processed-arrivals ledger.

Runner: Prism (Beam's portable local runner, built by deploy/prism/install.sh) unless Beam
options name another. The runner is always named explicitly: left to choose, Beam would try to
download Prism and, failing that, fall back to a batch runner that never emits on unbounded input.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any, Tuple

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.transforms import trigger, window
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.utils.timestamp import Timestamp

from newsmon.pipelines.analysis import AnalyseNews, records_to_write
from newsmon.transforms import records
from newsmon.transforms.alerts import RuleSet
from newsmon.transforms.es_connection import EsSettings
from newsmon.transforms.es_live import INDEX_FAILURES, WriteElasticsearchLive
from newsmon.transforms.es_spool import spool_dir
from newsmon.transforms.es_writer import BulkOptions
from newsmon.transforms.settings import Settings
from newsmon.transforms.sources.directory import WatchDirectory
from newsmon.transforms.sources.feeds import FeedSource, WatchFeeds
from newsmon.transforms.streaming_sinks import PER_INPUT_OUTPUTS, NameRecords, RecordProcessed, WriteJsonlLive


class RunnerUnavailable(RuntimeError):
    """The streaming runner cannot be used; the message says how to install it."""


@dataclass
class WatchOptions:
    """What `newsmon watch` was asked to do, after argument checks."""

    inbox: str
    state_dir: str
    settings: Settings
    output_dir: str | None = None
    es: EsSettings | None = None
    feeds: list[FeedSource] = field(default_factory=list)
    alert_rules: RuleSet = field(default_factory=lambda: RuleSet(()))
    deliver_alerts: bool = True
    poll_interval_s: float = 0.5
    beam_args: list[str] = field(default_factory=list)


def prism_binary() -> str:
    """The Prism binary the set-up built next to the Python interpreter of the virtual environment."""
    return os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "prism")


def beam_options(watch: WatchOptions) -> PipelineOptions:
    """Streaming options; Prism with the local binary unless `beam_args` choose a runner."""
    runner_args = []
    if not any(arg.startswith("--runner") for arg in watch.beam_args):
        binary = prism_binary()
        if not os.access(binary, os.X_OK):
            raise RunnerUnavailable(
                f"the Prism runner is not installed at {binary}; run `bash deploy/prism/install.sh` (needs Go)")
        runner_args = ["--runner=PrismRunner", f"--prism_location={binary}", "--prism_log_level=warn"]
    return PipelineOptions(["--streaming", *runner_args, *watch.beam_args])


def live_window(items):
    """Fire every grouping step per element: an unbounded input has no end to wait for. Grouped
    output keeps its elements' arrival time (not the end of the global window), so that event-time
    stages downstream (alert windows and timers) fire as the watermark moves."""
    return items | "FireEachElement" >> beam.WindowInto(
        window.GlobalWindows(),
        trigger=trigger.Repeatedly(trigger.AfterCount(1)),
        accumulation_mode=trigger.AccumulationMode.DISCARDING,
        timestamp_combiner=window.TimestampCombiner.OUTPUT_AT_EARLIEST,
    )


def watch_spool_dir(watch: WatchOptions) -> str:
    """`elasticsearch.spool_dir`, or `spool/` in the output directory, else in the state directory."""
    return spool_dir(watch.settings, watch.output_dir or watch.state_dir)


def build_sinks(outputs: dict, watch: WatchOptions) -> list:
    """Every sink of the watch run, each giving the arrivals of the records it has written.

    An arrival counts as processed when every sink has acknowledged every per-input record of it.
    Documents Elasticsearch did not take also go to deadletter.jsonl (stage `index`).
    """
    named = outputs | "NameRecords" >> NameRecords()
    sinks = []
    index_failures = []
    if watch.es is not None:
        indexed = named | "WriteElasticsearch" >> WriteElasticsearchLive(
            watch.es, BulkOptions.from_settings(watch.settings), watch_spool_dir(watch), PER_INPUT_OUTPUTS)
        sinks.append(indexed.acks)
        index_failures.append(indexed[INDEX_FAILURES] | "NameIndexFailures" >> beam.Map(
            lambda failure: (records.DEADLETTER, failure)).with_output_types(Tuple[str, Any]))
    if watch.output_dir:
        to_file = (named, *index_failures) | "WithIndexFailures" >> beam.Flatten() if index_failures else named
        sinks.append(to_file | "WriteJsonl" >> WriteJsonlLive(watch.output_dir))
    return sinks


def build(pipeline: beam.Pipeline, watch: WatchOptions) -> None:
    """Compose the sources, the shared analysis and the sinks onto `pipeline`."""
    ticks = pipeline | "Tick" >> PeriodicImpulse(start_timestamp=Timestamp.now(),
                                                 fire_interval=watch.poll_interval_s)
    sources = [ticks | "WatchDirectory" >> WatchDirectory(watch.inbox, watch.state_dir, watch.settings)]
    if watch.feeds:
        sources.append(ticks | "WatchFeeds" >> WatchFeeds(watch.feeds, watch.state_dir, watch.settings))
    items = live_window(sources | "AllSources" >> beam.Flatten())
    outputs = items | "Analyse" >> AnalyseNews(watch.settings, watch.alert_rules, watch.deliver_alerts)
    acks = build_sinks(records_to_write(outputs), watch)
    acks | "AllAcks" >> beam.Flatten() | "RecordProcessed" >> RecordProcessed(watch.state_dir, len(acks))


def start(watch: WatchOptions) -> beam.runners.runner.PipelineResult:
    """Start the streaming pipeline and return at once; the caller waits and cancels."""
    pipeline = beam.Pipeline(options=beam_options(watch))
    build(pipeline, watch)
    return pipeline.run()
