"""`newsmon watch`: continuous run over a directory that keeps receiving files, and feeds.

The command owns the run's life: it starts the streaming pipeline, prints `ready` once a source
has polled (input is accepted from then on), prints a status line every few seconds, and on
SIGINT/SIGTERM stops taking new arrivals, lets those in flight reach the sinks and the ledger
(at most `--drain-timeout` seconds), cancels the pipeline and exits 0.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

from apache_beam.metrics.metric import MetricResults, MetricsFilter
from apache_beam.portability.api import beam_job_api_pb2
from apache_beam.runners.portability import portable_runner
from apache_beam.runners.runner import PipelineResult, PipelineState

from newsmon.pipelines.cli_common import (add_config_argument, add_es_url_argument, add_index_prefix_argument, connect_es,
                                           fail)
from newsmon.pipelines.streaming import RunnerUnavailable, WatchOptions, start
from newsmon.transforms.alerts import rules_for_run
from newsmon.transforms.es_connection import make_client, redact_url
from newsmon.transforms.es_templates import install_templates
from newsmon.transforms.settings import ConfigError, load_settings
from newsmon.transforms.sources import control
from newsmon.transforms.sources.feeds import load_feeds

STATUS_COUNTERS = ("articles", "events", "stories", "alerts", "deadletter", "indexed", "index_failures")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Continuous run on a streaming runner (Prism): every file that appears in DIR under "
                          "its final name (writers copy to a dot-file and rename) and every new item of the "
                          "feeds is analysed as in `newsmon run` and written within seconds. "
                          "Prints a line with `ready` once it accepts input; stops cleanly on SIGINT/SIGTERM.")
    parser.add_argument("--dir", required=True, metavar="DIR", help="directory to watch (recursively)")
    parser.add_argument("--feeds", metavar="FILE",
                        help="YAML list of feeds to poll: {url, interval_s (default 300), headers}")
    parser.add_argument("--output", metavar="DIR", help="append the JSONL files here as records arrive")
    add_es_url_argument(parser, "index into this Elasticsearch as records arrive (bulks sent at least every "
                                "elasticsearch.flush_interval_s, 1 s); credentials from NEWSMON_ES_API_KEY or "
                                "NEWSMON_ES_USER/NEWSMON_ES_PASSWORD, CA from NEWSMON_ES_CA_CERT")
    add_index_prefix_argument(parser, "indices are P-articles, P-events, ... (default newsmon)")
    add_config_argument(parser)
    parser.add_argument("--watch", action="append", default=[], metavar="NAME",
                        help="alert on articles naming this entity (any spelling); repeatable")
    parser.add_argument("--state-dir", metavar="DIR",
                        help="where the record of processed arrivals lives (default: DIR/.newsmon)")
    parser.add_argument("--poll-interval", type=float, default=0.5, metavar="S",
                        help="seconds between directory polls (default 0.5)")
    parser.add_argument("--status-interval", type=float, default=10.0, metavar="S",
                        help="seconds between status lines on stderr (default 10)")
    parser.add_argument("--drain-timeout", type=float, default=30.0, metavar="S",
                        help="on stop, seconds to let in-flight arrivals finish (default 30)")
    parser.add_argument("--start-timeout", type=float, default=300.0, metavar="S",
                        help="seconds to wait for the runner to start polling (default 300)")
    parser.add_argument("--beam-option", action="append", default=[], metavar="OPT",
                        help="Beam pipeline option passed as is, e.g. --beam-option=--runner=FlinkRunner")
    parser.set_defaults(handler=handle)


def watch_options(args: argparse.Namespace) -> WatchOptions:
    """Checked options; ConfigError carries the one-line fix."""
    if not os.path.isdir(args.dir):
        raise ConfigError(f"--dir {args.dir}: no such directory; create it or fix the path")
    if not args.output and not args.es_url:
        raise ConfigError("nothing to write to; add --output DIR and/or --es-url URL")
    for name in ("poll_interval", "status_interval", "drain_timeout", "start_timeout"):
        if getattr(args, name) <= 0:
            raise ConfigError(f"--{name.replace('_', '-')} must be a positive number of seconds")
    inbox = os.path.abspath(args.dir)
    settings = load_settings(args.config)
    es = connect_es(settings, args, "run `newsmon es start` or drop --es-url") if args.es_url else None
    return WatchOptions(
        inbox=inbox,
        state_dir=os.path.abspath(args.state_dir or os.path.join(inbox, ".newsmon")),
        settings=settings,
        output_dir=os.path.abspath(args.output) if args.output else None,
        es=es,
        feeds=load_feeds(args.feeds) if args.feeds else [],
        alert_rules=rules_for_run(settings.get("alerts.rules"), args.watch),
        deliver_alerts=settings.get("alerts.deliver"),
        poll_interval_s=args.poll_interval,
        beam_args=args.beam_option,
    )


def current_metrics(result: PipelineResult) -> MetricResults:
    """The run's metrics as of now. Beam's portable result (Prism, Flink) keeps the job service's
    first answer for good (`portable_runner.PipelineResult.metrics` caches it), which froze every
    status line at the values of the first one and let `drain` see nothing in flight; so the job
    service is asked again each time."""
    if isinstance(result, portable_runner.PipelineResult):
        request = beam_job_api_pb2.GetJobMetricsRequest(job_id=result._job_id)
        return portable_runner.PortableMetrics(result._job_service.GetJobMetrics(request))
    return result.metrics()


def read_metrics(result: PipelineResult) -> dict:
    """The run's newsmon counters and the arrival-to-written lag, as far as the runner reports them."""
    try:
        found = current_metrics(result).query(MetricsFilter().with_namespace("newsmon"))
    except Exception:  # a runner without live metrics: the status shows zeros rather than stopping the run
        return {}
    values = {}
    for counter in found.get("counters", []):
        value = max(counter.committed or 0, counter.attempted or 0)
        values[counter.key.metric.name] = values.get(counter.key.metric.name, 0) + value
    for dist in found.get("distributions", []):
        data = dist.committed if dist.committed is not None else dist.attempted
        if data is not None and data.count:
            values["lag_ms_mean"] = int(data.sum / data.count)
            values["lag_ms_max"] = data.max
    return values


def status_line(values: dict, state_dir: str) -> str:
    counts = " ".join(f"{name}={values.get(name, 0)}" for name in STATUS_COUNTERS)
    pending = values.get("arrived", 0) - values.get("processed", 0)
    lag = f"{values['lag_ms_mean']}ms/{values['lag_ms_max']}ms" if "lag_ms_mean" in values else "-"
    beat = control.last_beat(state_dir)
    polled = f"{time.time() - beat:.1f}s ago" if beat else "never"
    return f"newsmon watch: status {counts} pending={pending} lag(mean/max)={lag} last-poll={polled}"


def is_terminal(result) -> bool:
    return PipelineState.is_terminal(result.state)


def wait_until_polling(result, watch: WatchOptions, started: float, timeout_s: float, stop: threading.Event) -> bool:
    """True once a source has polled since `started`; False if the pipeline ended, stop was asked or time ran out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        beat = control.last_beat(watch.state_dir)
        if beat is not None and beat >= started:
            return True
        if is_terminal(result):
            return False
        stop.wait(0.1)
    return False


def drain(result, watch: WatchOptions, timeout_s: float) -> None:
    """Stop taking arrivals; wait until those already taken are in the ledger (or time runs out)."""
    control.start_draining(watch.state_dir)
    deadline = time.monotonic() + timeout_s
    time.sleep(min(1.0, 2 * watch.poll_interval_s))  # let a poll already under way finish emitting
    while time.monotonic() < deadline and not is_terminal(result):
        values = read_metrics(result)
        if values.get("processed", 0) >= values.get("arrived", 0):
            return
        time.sleep(0.2)
    print("newsmon watch: drain timed out; unfinished arrivals are taken again at the next start",
          file=sys.stderr)


def catch_stop_signals(stop: threading.Event) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())


def handle(args: argparse.Namespace) -> int:
    try:
        watch = watch_options(args)
    except ConfigError as exc:
        return fail("watch", str(exc))
    if watch.output_dir:
        os.makedirs(watch.output_dir, exist_ok=True)
    if watch.es is not None:
        with make_client(watch.es) as client:
            install_templates(client, watch.es.index_prefix)
    control.reset(watch.state_dir)

    stop = threading.Event()
    catch_stop_signals(stop)
    started = time.time()
    try:
        result = start(watch)
    except RunnerUnavailable as exc:
        return fail("watch", str(exc))
    except Exception as exc:  # the runner's own start-up failure: say so in one line, never fall back
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return fail("watch", f"the streaming runner did not start: {reason}", 1)
    catch_stop_signals(stop)  # Beam's job server takes SIGINT over to stop itself at once
    if not wait_until_polling(result, watch, started, args.start_timeout, stop):
        if not is_terminal(result):
            result.cancel()
        if stop.is_set():
            return 0
        return fail("watch", f"the pipeline did not start polling (runner state {result.state}); see the log above", 1)

    feeds = f", {len(watch.feeds)} feed(s)" if watch.feeds else ""
    target = " and ".join(filter(None, [watch.output_dir, watch.es and redact_url(watch.es.url)]))
    print(f"newsmon watch: ready, watching {watch.inbox}{feeds}, writing to {target}", flush=True)

    next_status = time.monotonic() + args.status_interval
    while not stop.wait(0.2):
        if is_terminal(result):
            return fail("watch", f"the pipeline stopped unexpectedly (state {result.state}); see the log above", 1)
        if time.monotonic() >= next_status:
            print(status_line(read_metrics(result), watch.state_dir), file=sys.stderr, flush=True)
            next_status = time.monotonic() + args.status_interval

    print("newsmon watch: stopping; finishing the arrivals in flight", file=sys.stderr, flush=True)
    drain(result, watch, args.drain_timeout)
    final = status_line(read_metrics(result), watch.state_dir)
    result.cancel()
    print(final, file=sys.stderr)
    print("newsmon watch: stopped", file=sys.stderr, flush=True)
    return 0
