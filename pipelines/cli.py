"""`newsmon` command line: one subcommand per module, each with its own `--help`."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback


class _DropOptionalGcpNotice(logging.Filter):
    """Beam warns at import that Google Cloud client libraries are absent; newsmon never uses them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apitools not found" not in record.getMessage()


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("newsmon: %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_DropOptionalGcpNotice())
    handler.addFilter(_REDACTION)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    # The Elasticsearch transport logs every failed attempt; the bulk writer already retries and reports
    # what failed (dead-letters, summary), and one-off calls end with one clear line.
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)


from newsmon.transforms.secrets import RedactingFilter, redact, secret_values  # noqa: E402

_REDACTION = RedactingFilter()
_configure_logging()

from newsmon.pipelines import (  # noqa: E402  (after logging is set up)
    es_command,
    kibana_command,
    replay_command,
    report_command,
    rules_command,
    run_command,
    watch_command,
)

# Each command module provides `add_parser(subparsers)`; the parser's `handler` runs it.
COMMANDS = (run_command, watch_command, rules_command, es_command, replay_command, kibana_command,
            report_command)


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that ends bad usage with one line saying how to fix it."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineErrorParser(
        prog="newsmon",
        description="News monitoring: entities, events, stories, duplicates and alerts into Elasticsearch.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrorParser)
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _REDACTION.secrets = secret_values(os.environ, sys.argv[1:] if argv is None else argv)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        print("newsmon: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the last place to keep credentials out of a traceback
        print(redact(traceback.format_exc(), _REDACTION.secrets), file=sys.stderr)
        print("newsmon: error: unexpected failure (traceback above, credentials masked)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
