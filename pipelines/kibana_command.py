"""`newsmon kibana import|export|build`: the "News monitor" dashboard's saved objects and Kibana."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsmon.pipelines.cli_common import add_index_prefix_argument, fail
from newsmon.transforms.es_connection import redact_url
from newsmon.transforms.kibana_api import KibanaError, export_objects, import_objects, kibana_settings
from newsmon.transforms.kibana_objects import dashboard_id, saved_objects, to_ndjson
from newsmon.transforms.settings import ConfigError

# The generated objects for the default prefix, committed beside docker-compose.yml.
COMMITTED_NDJSON = Path(__file__).resolve().parents[1] / "deploy" / "kibana" / "newsmon.ndjson"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Kibana 8 saved objects for newsmon's indices: data views, visualizations, map, alerts "
                          "search and the 'News monitor' dashboard. Credentials from NEWSMON_KIBANA_API_KEY or "
                          "NEWSMON_KIBANA_USER/NEWSMON_KIBANA_PASSWORD (else the NEWSMON_ES_* ones).")
    actions = parser.add_subparsers(dest="kibana_action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    url_help = "Kibana URL, e.g. http://localhost:5601 (default $NEWSMON_KIBANA_URL)"
    prefix_help = "index prefix the data views point at (default newsmon)"

    load = actions.add_parser("import", help="import the saved objects, replacing earlier versions",
                              description="Import the dashboard's saved objects (overwrite=true).")
    load.add_argument("--kibana-url", metavar="URL", help=url_help)
    add_index_prefix_argument(load, prefix_help, default="newsmon")
    load.add_argument("--file", metavar="FILE",
                      help="an NDJSON export to import instead (e.g. one written by `newsmon kibana export`)")
    load.set_defaults(handler=handle_import)

    save = actions.add_parser("export", help="export the dashboard and the objects it uses as NDJSON",
                              description="Export the 'News monitor' dashboard and every object it references.")
    save.add_argument("--kibana-url", metavar="URL", help=url_help)
    add_index_prefix_argument(save, prefix_help, default="newsmon")
    save.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    save.add_argument("--all", action="store_true", help="export every data view, visualization, map, search "
                                                         "and dashboard, not only newsmon's")
    save.set_defaults(handler=handle_export)

    build = actions.add_parser("build", help="write the saved objects as NDJSON without Kibana",
                               description="Write the saved objects (what `import` sends) as NDJSON.")
    add_index_prefix_argument(build, prefix_help, default="newsmon")
    build.add_argument("--output", metavar="FILE",
                       help=f"write here instead of standard output (the committed file is {COMMITTED_NDJSON.name} "
                            "in deploy/kibana/)")
    build.set_defaults(handler=handle_build)


def write_text(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def handle_build(args: argparse.Namespace) -> int:
    write_text(to_ndjson(saved_objects(args.index_prefix)), args.output)
    return 0


def handle_import(args: argparse.Namespace) -> int:
    try:
        kibana = kibana_settings(args.kibana_url)
        if args.file:
            result = import_objects(kibana, Path(args.file).read_text(encoding="utf-8"), Path(args.file).name)
        else:
            result = import_objects(kibana, to_ndjson(saved_objects(args.index_prefix)))
    except ConfigError as exc:
        return fail("kibana", str(exc))
    except OSError as exc:
        return fail("kibana",
                    f"cannot read {args.file} ({exc.strerror}); pass an NDJSON file written by Kibana's export")
    except KibanaError as exc:
        return fail("kibana", str(exc))
    for error in result.errors:
        print(f"newsmon kibana import: not imported: {error}", file=sys.stderr)
    print(f"newsmon kibana import: {result.imported} saved object(s) imported into {redact_url(kibana.url)}"
          f"{'' if args.file else '; open the dashboard News monitor'}")
    return 1 if result.errors else 0


def handle_export(args: argparse.Namespace) -> int:
    try:
        kibana = kibana_settings(args.kibana_url)
        ndjson = export_objects(kibana, None if args.all else dashboard_id(args.index_prefix))
    except (ConfigError, KibanaError) as exc:
        return fail("kibana", str(exc))
    write_text(ndjson, args.output)
    count = sum(1 for line in ndjson.splitlines() if line.strip()) - 1  # the last line is the export summary
    print(f"newsmon kibana export: {count} saved object(s) from {redact_url(kibana.url)}"
          f"{' to ' + args.output if args.output else ''}", file=sys.stderr)
    return 0
