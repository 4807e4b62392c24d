"""`newsmon run`: the batch pipeline over files, directories, globs and feed URLs."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from newsmon.pipelines.batch import INDEX_FAILURES, RunOptions, run_pipeline
from newsmon.pipelines.cli_common import (START_NODE, add_config_argument, add_es_url_argument,
                                          add_index_prefix_argument, connect_es, fail)
from newsmon.transforms.alerts import rules_for_run
from newsmon.transforms.es_connection import EsSettings, make_client, redact_url, refresh_and_count
from newsmon.transforms.es_spool import count_spooled, spool_dir
from newsmon.transforms.es_templates import install_templates
from newsmon.transforms.inputs import InputError, expand_inputs
from newsmon.transforms.nlp import ModelNotInstalled
from newsmon.transforms.settings import ConfigError, load_settings
from newsmon.transforms.sinks import write_summary

SUMMARY_ORDER = ("inputs", "articles", "exact_duplicates", "near_duplicates", "stories",
                 "events", "alerts", "deadletter")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Batch run: read news, enrich it, write JSONL and/or Elasticsearch."
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory (recursive), glob or feed URL")
    parser.add_argument("--output", metavar="DIR", help="write the JSONL files and summary.json here")
    target = parser.add_mutually_exclusive_group()
    add_es_url_argument(target, "Elasticsearch to write to (default: $NEWSMON_ES_URL or elasticsearch.url in the "
                                "config, http://localhost:9200); credentials from NEWSMON_ES_API_KEY or "
                                "NEWSMON_ES_USER/NEWSMON_ES_PASSWORD, CA from NEWSMON_ES_CA_CERT")
    target.add_argument("--no-es", action="store_true", help="do not write to Elasticsearch")
    add_index_prefix_argument(parser, "indices are P-articles, P-events, ... (default newsmon)")
    add_config_argument(parser)
    parser.add_argument("--watch", action="append", default=[], metavar="NAME",
                        help="alert on articles naming this entity (any spelling); repeatable")
    parser.set_defaults(handler=handle)


def print_summary(summary: dict, output_dir: str | None, es: EsSettings | None) -> None:
    width = max(len(name) for name in SUMMARY_ORDER)
    print("newsmon run summary")
    for name in SUMMARY_ORDER:
        print(f"  {name.replace('_', ' '):<{width}}  {summary.get(name, 0):>7}")
    if es is not None:
        print(f"  {'index failures':<{width}}  {summary.get(INDEX_FAILURES, 0):>7}  (in deadletter.jsonl, stage index)")
    status = "ok" if summary["inputs"] == summary["articles"] + summary["deadletter"] else "MISMATCH"
    print(f"  inputs = articles + deadletter: {status}")
    if output_dir:
        print(f"  files written to {output_dir.rstrip('/')}/")


def handle(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        inputs = expand_inputs(args.inputs)
        alert_rules = rules_for_run(settings.get("alerts.rules"), args.watch)
    except (ConfigError, InputError) as exc:
        return fail("run", str(exc))
    if args.no_es and not args.output:
        return fail("run", "--no-es without --output writes nothing; add --output DIR")
    try:
        es = None if args.no_es else connect_es(settings, args, f"{START_NODE}, or pass --no-es")
    except ConfigError as exc:
        return fail("run", str(exc))
    if es is not None:
        with make_client(es) as client:
            install_templates(client, es.index_prefix)
    output_dir = args.output or tempfile.mkdtemp(prefix="newsmon-run-")
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    print(f"newsmon run: {len(inputs)} input(s)", file=sys.stderr)
    try:
        run_pipeline(RunOptions(inputs=inputs, output_dir=output_dir, settings=settings, watch=args.watch, es=es,
                                alert_rules=alert_rules, deliver_alerts=settings.get("alerts.deliver")))
    except ModelNotInstalled as exc:
        return fail("run", str(exc))
    with open(os.path.join(output_dir, "summary.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    spool = spool_dir(settings, output_dir)
    if es is not None:
        summary["spooled"] = count_spooled(spool)
        write_summary(summary, output_dir)
    print_summary(summary, args.output, es)
    if es is not None:
        print_index_counts(es)
    if summary.get("spooled"):
        print(f"{summary['spooled']} document(s) Elasticsearch could not take are spooled in {spool}; "
              f"once it answers again, run: newsmon replay --spool {spool}")
    return 0


def print_index_counts(es: EsSettings) -> None:
    """Per-index counts after the run; a node that went away during the run is reported, not fatal
    (what could not be indexed is in deadletter.jsonl)."""
    from elasticsearch import ApiError, TransportError  # here: runs with --no-es do not import the client

    try:
        with make_client(es) as client:
            counts = refresh_and_count(client, es)
    except (ApiError, TransportError) as exc:
        print(f"Elasticsearch {redact_url(es.url)} did not answer after the run ({type(exc).__name__}); "
              "documents it did not take are in deadletter.jsonl (stage index)")
        return
    width = max(len(index) for index in counts)
    print(f"Elasticsearch {redact_url(es.url)}: documents per index")
    for index, count in counts.items():
        print(f"  {index:<{width}}  {count:>7}")
