"""What every `newsmon` subcommand shares: the one-line error, the common arguments' wording and the
Elasticsearch a command talks to."""
from __future__ import annotations

import argparse
import sys

from newsmon.transforms.es_connection import (ENV_API_KEY, ENV_PASSWORD, ENV_USER, EsSettings, es_settings,
                                              redact_url, unreachable)
from newsmon.transforms.settings import ConfigError, Settings

ES_URL_HELP = "Elasticsearch URL (default $NEWSMON_ES_URL or the config)"
CONFIG_HELP = "YAML settings overriding config/newsmon.yaml"
# How to get an Elasticsearch that answers; each command adds what else its user can do.
START_NODE = "start the local node with `newsmon es start`, or pass --es-url of a running one"


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


def connect_es(settings: Settings, args: argparse.Namespace, advice: str) -> EsSettings:
    """The Elasticsearch of `--es-url`/`--index-prefix`, the environment and the config, checked to answer.

    Raises ConfigError with the one-line message: a bad URL, prefix or credentials variable, credentials
    the cluster refuses, or a node that does not answer; `advice` says what this command's user can do then."""
    es = es_settings(settings, args.es_url, getattr(args, "index_prefix", None))
    problem = unreachable(es)
    if problem is None:
        return es
    if problem.refused_credentials:
        raise ConfigError(f"Elasticsearch at {redact_url(es.url)} refused the credentials ({problem.reason}); "
                          f"set {ENV_API_KEY}, or {ENV_USER} and {ENV_PASSWORD}, to an account it accepts")
    raise ConfigError(f"Elasticsearch is not reachable at {redact_url(es.url)} ({problem.reason}); {advice}")
