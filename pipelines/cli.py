"""`newsmon` command line: one subcommand per module, each with its own `--help`."""
from __future__ import annotations

import argparse
import importlib
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


from newsmon.transforms.heaps import limit_malloc_arenas, map_large_blocks  # noqa: E402
from newsmon.transforms.secrets import RedactingFilter, redact, secret_values  # noqa: E402

_REDACTION = RedactingFilter()
_configure_logging()

# Each command's module provides `add_arguments(parser)`, which also sets the parser's `handler`.
# Only the module of the command given is imported: `newsmon run --no-es` then never imports the
# Elasticsearch client, nor `newsmon es status` Beam and spaCy (seconds of start-up each).
COMMANDS = {
    "run": ("run_command", "batch run over files, directories, globs and feed URLs"),
    "watch": ("watch_command", "continuous run over a directory that keeps receiving files, and feeds"),
    "rules": ("rules_command", "check alert rules, or show what they would fire on some input"),
    "es": ("es_command", "run the local Elasticsearch node, install the index templates"),
    "replay": ("replay_command", "index the documents a run spooled while Elasticsearch was unavailable"),
    "kibana": ("kibana_command", "import/export the News monitor dashboard (Kibana 8 saved objects)"),
    "report": ("report_command", "write a self-contained HTML report (timeline, entities, events, map, alerts)"),
}


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse that ends bad usage with one line saying how to fix it."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def chosen_command(argv: list[str]) -> str | None:
    """The command `argv` names: its first word that is not an option (`newsmon` itself has none
    taking a value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """Every command listed with its help; the arguments of the one `argv` names."""
    parser = OneLineErrorParser(
        prog="newsmon",
        description="News monitoring: entities, events, stories, duplicates and alerts into Elasticsearch.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineErrorParser)
    sub.required = True
    command = chosen_command(argv)
    for name, (module, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text)
        if name == command:
            importlib.import_module(f"newsmon.pipelines.{module}").add_arguments(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Before the command's module is imported and Beam or gRPC start their threads.
    limit_malloc_arenas()
    map_large_blocks()
    arguments = sys.argv[1:] if argv is None else argv
    args = build_parser(arguments).parse_args(arguments)
    _REDACTION.secrets = secret_values(os.environ, arguments)
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
