"""`newsmon rules check|test`: validate a rules file, and dry-run it over some input."""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from newsmon.pipelines.batch import RunOptions, run_pipeline
from newsmon.pipelines.cli_common import add_config_argument, fail
from newsmon.transforms import records
from newsmon.transforms.alerts import load_rules
from newsmon.transforms.inputs import InputError, expand_inputs
from newsmon.transforms.nlp import ModelNotInstalled
from newsmon.transforms.settings import ConfigError, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = "Alert rules: validate a rules file, or dry-run it over input."
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    check = actions.add_parser("check", help="validate a rules file",
                               description="Validate a rules file: prints `ok: N rules` or a one-line error.")
    check.add_argument("file", metavar="FILE", help="rules file (YAML, like config/alerts.yaml)")
    check.set_defaults(handler=handle_check)
    test = actions.add_parser("test", help="run the pipeline on INPUT and print the alerts FILE would fire",
                              description="Dry run: the batch pipeline over INPUT with the rules in FILE; "
                                          "prints the alerts, writes nowhere and posts to no webhook.")
    test.add_argument("file", metavar="FILE", help="rules file (YAML, like config/alerts.yaml)")
    test.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory (recursive), glob or feed URL")
    add_config_argument(test)
    test.set_defaults(handler=handle_test)


def handle_check(args: argparse.Namespace) -> int:
    try:
        ruleset = load_rules(args.file)
    except ConfigError as exc:
        return fail("rules check", str(exc))
    print(f"ok: {len(ruleset.rules)} rules")
    return 0


def describe(alert: dict) -> str:
    """How a dry run shows one alert: rule, severity, key, message, article titles."""
    lines = [f"{alert['rule']} [{alert['severity']}] key={alert['key']} at {alert['triggered_at'] or 'undated'}"]
    lines += [f"    {line}" for line in alert["message"].splitlines()]
    lines += [f"    article: {title}" for title in alert.get("titles", [])]
    return "\n".join(lines)


def handle_test(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        ruleset = load_rules(args.file)
        inputs = expand_inputs(args.inputs)
    except (ConfigError, InputError) as exc:
        return fail("rules test", str(exc))
    with tempfile.TemporaryDirectory(prefix="newsmon-rules-test-") as scratch:
        try:
            run_pipeline(RunOptions(inputs=inputs, output_dir=scratch, settings=settings,
                                    alert_rules=ruleset, deliver_alerts=False))
        except ModelNotInstalled as exc:
            return fail("rules test", str(exc))
        path = Path(scratch) / f"{records.ALERTS}.jsonl"
        alerts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    alerts.sort(key=lambda alert: (alert["rule"], alert["triggered_at"] or "~", alert["key"]))
    for alert in alerts:
        print(describe(alert))
    fired = sorted({alert["rule"] for alert in alerts})
    print(f"{len(alerts)} alert(s) from {len(fired)} of {len(ruleset.rules)} rules"
          + (f": {', '.join(fired)}" if fired else ""))
    return 0
