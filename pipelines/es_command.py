"""`newsmon es start|stop|status|setup`: the local Elasticsearch node and the index templates."""
from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from newsmon.pipelines.cli_common import (START_NODE, add_config_argument, add_es_url_argument,
                                          add_index_prefix_argument, connect_es, fail)
from newsmon.transforms.es_connection import make_client, redact_url
from newsmon.transforms.es_templates import install_templates
from newsmon.transforms.settings import ConfigError, load_settings

# The launcher lives in the repository (it builds and runs the node from Maven jars), beside the packages.
LAUNCHER = Path(__file__).resolve().parents[1] / "deploy" / "elasticsearch" / "es.sh"
NODE_ACTIONS = ("start", "stop", "status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("The local Elasticsearch 8 node (deploy/elasticsearch/, 127.0.0.1 only, no security) "
                          "and newsmon's index templates.")
    actions = parser.add_subparsers(dest="es_action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    for action, text in (("start", "start the node (no-op if it runs) and print its URL on the last line"),
                         ("stop", "stop the node cleanly"),
                         ("status", "say whether the node runs (exit 0) or not (exit 3)")):
        node = actions.add_parser(action, help=text, description=text)
        node.add_argument("--port", type=int, default=9200, help="HTTP port of the node (default 9200)")
        node.set_defaults(handler=handle_node)
    setup = actions.add_parser("setup", help="install the index templates (idempotent) and create the indices",
                               description="Install newsmon's index templates and create missing indices.")
    add_es_url_argument(setup)
    add_index_prefix_argument(setup, "index prefix (default newsmon)")
    add_config_argument(setup)
    setup.set_defaults(handler=handle_setup)


def handle_node(args: argparse.Namespace) -> int:
    if not LAUNCHER.is_file():
        return fail("es", f"{LAUNCHER} is missing; run newsmon from its repository checkout (editable install)")
    return subprocess.run(["bash", str(LAUNCHER), args.es_action, "--port", str(args.port)]).returncode


def handle_setup(args: argparse.Namespace) -> int:
    try:
        es = connect_es(load_settings(args.config), args, START_NODE)
    except ConfigError as exc:
        return fail("es", str(exc))
    with make_client(es) as client:
        created = install_templates(client, es.index_prefix)
    print(f"newsmon es setup: index templates {es.index_prefix}-* installed at {redact_url(es.url)}"
          f"{'; created ' + ', '.join(created) if created else ''}")
    return 0
