"""What every `newsmon` subcommand shares: the one-line error and the common arguments' wording."""
from __future__ import annotations

import argparse
import sys

ES_URL_HELP = "Elasticsearch URL (default $NEWSMON_ES_URL or the config)"
CONFIG_HELP = "YAML settings overriding config/newsmon.yaml"


def fail(command: str, message: str, code: int = 2) -> int:
    """Print `newsmon COMMAND: error: MESSAGE` on stderr and return the exit code, so errors read alike."""
    print(f"newsmon {command}: error: {message}", file=sys.stderr)
    return code


def add_es_url_argument(parser: argparse._ActionsContainer,
                        help_text: str = ES_URL_HELP) -> None:
    """`--es-url URL`; a mutually exclusive group is accepted as the container too."""
    parser.add_argument("--es-url", metavar="URL", help=help_text)


def add_index_prefix_argument(parser: argparse.ArgumentParser, help_text: str, default: str | None = None) -> None:
    """`--index-prefix P`; without a default the settings decide the prefix."""
    parser.add_argument("--index-prefix", metavar="P", default=default, help=help_text)


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """`--config FILE`, the settings file every pipeline command reads."""
    parser.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
