"""`newsmon report`: the dashboard's picture as one HTML page that opens without Kibana or a network."""
from __future__ import annotations

import argparse
from pathlib import Path

from elasticsearch import ApiError, TransportError

from newsmon.pipelines.cli_common import (START_NODE, add_config_argument, add_es_url_argument,
                                          add_index_prefix_argument, connect_es, fail)
from newsmon.transforms.es_connection import make_client, redact_url
from newsmon.transforms.report import render_report, report_data
from newsmon.transforms.settings import ConfigError, load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Query Elasticsearch and write one HTML page with the News monitor dashboard's picture: "
                          "articles over time, top entities, event categories, casualties, a map of events, the "
                          "biggest stories and the latest alerts. The page needs no network to open.")
    add_es_url_argument(parser)
    parser.add_argument("--output", metavar="FILE", required=True, help="the HTML file to write, e.g. report.html")
    add_index_prefix_argument(parser, "read the indices P-articles, P-events, ... (default newsmon)")
    add_config_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        es = connect_es(load_settings(args.config), args, f"{START_NODE}; `make run` starts it and indexes the seeds")
    except ConfigError as exc:
        return fail("report", str(exc))
    try:
        with make_client(es) as client:
            data = report_data(client, es.index_prefix)
    except (ApiError, TransportError) as exc:
        return fail("report", f"Elasticsearch {redact_url(es.url)} refused a report query ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:200]})")
    output = Path(args.output)
    try:
        output.write_text(render_report(data), encoding="utf-8")
    except OSError as exc:
        return fail("report", f"cannot write {output} ({exc.strerror}); pass --output with a writable path")
    counts = ", ".join(f"{count} {name.lower()}" for name, count in data["counts"].items())
    print(f"newsmon report: {output} written ({counts})")
    return 0
