"""`newsmon replay`: index what a run spooled because Elasticsearch could not take it at the time."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsmon.pipelines.cli_common import START_NODE, add_config_argument, add_es_url_argument, connect_es, fail
from newsmon.transforms.es_connection import make_client, redact_url
from newsmon.transforms.es_spool import count_spooled, replay, spooled_entries
from newsmon.transforms.es_templates import install_templates
from newsmon.transforms.es_writer import BulkOptions, BulkWriter
from newsmon.transforms.settings import ConfigError, load_settings

DEFAULT_SPOOL = "out/spool"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Index the documents a run spooled while Elasticsearch was down or overloaded, with their "
                          "own ids (replaying twice changes no count), and drop their stage-index dead-letters from "
                          "the dead-letter index. Replayed files are removed; documents still failing stay in the spool.")
    parser.add_argument("--spool", metavar="DIR",
                        help=f"the spool directory (default elasticsearch.spool_dir in the config, else {DEFAULT_SPOOL}, "
                             "the spool of `newsmon run --output out/`)")
    add_es_url_argument(parser)
    add_config_argument(parser)
    parser.set_defaults(handler=handle)


def _prefixes(directory: Path) -> set[str]:
    """Index prefixes of the spooled documents' indices (`P-articles` -> `P`): their templates must be
    in place before replaying, in case the indices were deleted since the run."""
    return {entry["index"].rsplit("-", 1)[0] for entry in spooled_entries(directory)}


def handle(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return fail("replay", str(exc))
    directory = Path(args.spool or settings.get("elasticsearch.spool_dir") or DEFAULT_SPOOL)
    if not directory.is_dir():
        return fail("replay",
                    f"no spool directory at {directory}; pass --spool OUTPUT/spool of the run that spooled documents")
    waiting = count_spooled(directory)
    if not waiting:
        print(f"newsmon replay: nothing spooled in {directory}")
        return 0
    try:
        es = connect_es(settings, args, f"{START_NODE}, then replay again")
    except ConfigError as exc:
        return fail("replay", f"{exc}; the {waiting} spooled document(s) stay in {directory}")
    options = BulkOptions.from_settings(settings)
    with make_client(es) as client:
        for prefix in sorted(_prefixes(directory)):
            install_templates(client, prefix)
        result = replay(client, directory, lambda index: BulkWriter(client, index, options))
    print(f"newsmon replay: {sum(result.indexed.values())} of {waiting} spooled document(s) indexed "
          f"at {redact_url(es.url)}")
    for index, count in sorted(result.indexed.items()):
        print(f"  {index}  {count}")
    if result.remaining:
        print(f"newsmon replay: {result.remaining} document(s) still failing stay in {directory} "
              f"(first reason: {result.reasons[0]})", file=sys.stderr)
        return 1
    return 0
