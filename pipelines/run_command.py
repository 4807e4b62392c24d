"""`newsmon run`: the batch pipeline over files, directories, globs and feed URLs."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from newsmon.pipelines.batch import RunOptions, run_pipeline
from newsmon.transforms.alerts import rules_for_run
from newsmon.transforms.inputs import InputError, expand_inputs
from newsmon.transforms.nlp import ModelNotInstalled
from newsmon.transforms.settings import ConfigError, load_settings

SUMMARY_ORDER = ("inputs", "articles", "exact_duplicates", "near_duplicates", "stories",
                 "events", "alerts", "deadletter")


def add_parser(sub) -> None:
    parser = sub.add_parser("run", help="batch run over files, directories, globs and feed URLs",
                            description="Batch run: read news, enrich it, write JSONL and/or Elasticsearch.")
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory (recursive), glob or feed URL")
    parser.add_argument("--output", metavar="DIR", help="write the JSONL files and summary.json here")
    parser.add_argument("--no-es", action="store_true", help="do not write to Elasticsearch")
    parser.add_argument("--config", metavar="FILE", help="YAML settings overriding config/newsmon.yaml")
    parser.add_argument("--watch", action="append", default=[], metavar="NAME",
                        help="alert on articles naming this entity (any spelling); repeatable")
    parser.set_defaults(handler=handle)


def fail(message: str) -> int:
    print(f"newsmon run: error: {message}", file=sys.stderr)
    return 2


def print_summary(summary: dict, output_dir: str | None) -> None:
    width = max(len(name) for name in SUMMARY_ORDER)
    print("newsmon run summary")
    for name in SUMMARY_ORDER:
        print(f"  {name.replace('_', ' '):<{width}}  {summary.get(name, 0):>7}")
    status = "ok" if summary["inputs"] == summary["articles"] + summary["deadletter"] else "MISMATCH"
    print(f"  inputs = articles + deadletter: {status}")
    if output_dir:
        print(f"  files written to {output_dir}/")


def handle(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        inputs = expand_inputs(args.inputs)
        alert_rules = rules_for_run(settings.get("alerts.rules"), args.watch)
    except (ConfigError, InputError) as exc:
        return fail(str(exc))
    if args.no_es and not args.output:
        return fail("--no-es without --output writes nothing; add --output DIR")
    output_dir = args.output or tempfile.mkdtemp(prefix="newsmon-run-")
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    print(f"newsmon run: {len(inputs)} input(s)", file=sys.stderr)
    try:
        run_pipeline(RunOptions(inputs=inputs, output_dir=output_dir, settings=settings, watch=args.watch,
                                alert_rules=alert_rules, deliver_alerts=settings.get("alerts.deliver")))
    except ModelNotInstalled as exc:
        return fail(str(exc))
    with open(os.path.join(output_dir, "summary.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    print_summary(summary, args.output)
    return 0
