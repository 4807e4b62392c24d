"""The dashboards: Kibana saved objects checked against the real indices of a seed run, the import/export
commands against a local stand-in for Kibana's API, and the offline report rendered in headless Chromium.

The node runs on port 9252 for this module only (stopped at its end, before test_elasticsearch.py starts its own;
see es_node.py).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import pytest

from conftest import REPO, SEEDS, read_jsonl, run_newsmon
from dashboards_support import (chart_states, console_errors, data_view_indices, equivalent_request, field_uses,
                                hand_made_documents, has_data, page_errors, parse_ndjson, render_dom)
from es_node import node_fixtures
from local_http import StandIn, serving
from newsmon.transforms import records
from newsmon.transforms.dashboard import CHARTS, USABLE_TYPES
from newsmon.transforms.es_connection import EsSettings, make_client
from newsmon.transforms.es_templates import install_templates
from newsmon.transforms.es_writer import BulkWriter
from newsmon.transforms.kibana_objects import saved_objects, to_ndjson
from newsmon.transforms.report import render_report

PORT = 9252
PREFIX = "dash"          # the real seed run
SCRATCH = "dashscratch"  # the seed run's articles plus hand-made entity fields, events and a story
NDJSON = REPO / "deploy" / "kibana" / "newsmon.ndjson"
VISUALIZATION_TYPES = ("lens", "map", "search")


es_url, es = node_fixtures(PORT)


@pytest.fixture(scope="module")
def seed_run(es_url, es, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dash-seed-run")
    run_newsmon("run", str(SEEDS), "--output", str(out), "--es-url", es_url, "--index-prefix", PREFIX)
    return out


@pytest.fixture(scope="module")
def scratch(es_url, es, seed_run) -> str:
    """Hand-made documents from the seed sentences in their own indices: exercises every chart today."""
    client = make_client(EsSettings(url=es_url, index_prefix=SCRATCH))
    install_templates(client, SCRATCH)
    documents = hand_made_documents(read_jsonl(seed_run / "articles.jsonl"))
    documents[records.ALERTS] = read_jsonl(seed_run / "alerts.jsonl")
    for output, docs in documents.items():
        writer = BulkWriter(client, f"{SCRATCH}-{output}")
        assert [f for doc in docs for f in writer.add(doc)] + writer.flush() == []
    es.indices.refresh(index=f"{SCRATCH}-*")
    return SCRATCH


def objects_for(prefix: str) -> list[dict]:
    objects, _ = parse_ndjson(to_ndjson(saved_objects(prefix)))
    return objects


def visualizations(prefix: str) -> list[dict]:
    return [o for o in objects_for(prefix) if o["type"] in VISUALIZATION_TYPES]


# The saved objects file ---------------------------------------------------------------------------------

def test_committed_saved_objects_are_up_to_date():
    assert NDJSON.read_text(encoding="utf-8") == to_ndjson(saved_objects("newsmon")), \
        "regenerate: .venv/bin/newsmon kibana build --output deploy/kibana/newsmon.ndjson"
    assert run_newsmon("kibana", "build").stdout == NDJSON.read_text(encoding="utf-8")


def test_saved_objects_have_the_shape_kibana_exports():
    objects, summary = parse_ndjson(NDJSON.read_text(encoding="utf-8"))
    assert summary == {"excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": len(objects),
                       "missingRefCount": 0, "missingReferences": []}
    assert len({(o["type"], o["id"]) for o in objects}) == len(objects)
    known = {(o["type"], o["id"]) for o in objects}
    for obj in objects:
        assert set(obj) == {"attributes", "coreMigrationVersion", "id", "managed", "references", "type",
                            "typeMigrationVersion"}
        assert re.fullmatch(r"8\.\d+\.\d+", obj["coreMigrationVersion"]) and obj["attributes"]["title"]
        assert re.fullmatch(r"8\.\d+\.\d+", obj["typeMigrationVersion"])
        assert all((ref["type"], ref["id"]) in known for ref in obj["references"]), obj["id"]  # no missing refs

    views = {o["attributes"]["title"]: o["attributes"]["timeFieldName"] for o in objects if o["type"] == "index-pattern"}
    assert views == {"newsmon-articles": "published_at", "newsmon-events": "date", "newsmon-stories": "first_seen",
                     "newsmon-alerts": "triggered_at"}
    for lens in (o for o in objects if o["type"] == "lens"):
        layers = lens["attributes"]["state"]["datasourceStates"]["formBased"]["layers"]
        assert {r["name"] for r in lens["references"]} == {f"indexpattern-datasource-layer-{i}" for i in layers}
        visualization = lens["attributes"]["state"]["visualization"]
        accessors = {a for layer in visualization.get("layers", []) for a in
                     [*layer["accessors"], layer["xAccessor"], layer.get("splitAccessor")] if a}
        accessors |= {c["columnId"] for c in visualization.get("columns", [])}
        assert accessors == {c for layer in layers.values() for c in layer["columnOrder"]}, lens["id"]
    (dashboard,) = [o for o in objects if o["type"] == "dashboard"]
    assert dashboard["attributes"]["title"] == "News monitor"
    panels = json.loads(dashboard["attributes"]["panelsJSON"])
    refs = {r["name"]: (r["type"], r["id"]) for r in dashboard["references"]}
    assert [refs[f"{p['panelIndex']}:{p['panelRefName']}"] for p in panels] == \
        [(o["type"], o["id"]) for o in objects if o["type"] in VISUALIZATION_TYPES]
    assert {p["type"] for p in panels} == {"lens", "map", "search"}
    assert sorted(o["attributes"]["title"] for o in objects if o["type"] in VISUALIZATION_TYPES) == sorted(
        ["Articles over time by source", "Top persons", "Top organisations", "Top places",
         "Event categories over time", "Killed and wounded over time", "Map of events", "Latest alerts",
         "Biggest stories"])
    for panel in panels:  # panels on the 48-column grid, none overlapping
        grid = panel["gridData"]
        assert grid["x"] + grid["w"] <= 48
    cells = [(p["gridData"]["x"] + dx, p["gridData"]["y"] + dy) for p in panels
             for dx in range(p["gridData"]["w"]) for dy in range(p["gridData"]["h"])]
    assert len(cells) == len(set(cells))


# Against the real indices of the seed run --------------------------------------------------------------

def test_every_field_a_saved_object_reads_exists_with_a_usable_type(es, seed_run):
    objects = objects_for(PREFIX)
    views = data_view_indices(objects)
    uses = [use for obj in objects for use in field_uses(obj, views)]
    assert {index for index, _, _ in uses} == set(views.values())
    assert {use for _, _, use in uses} == set(USABLE_TYPES)
    for index, field, use in uses:
        caps = es.field_caps(index=index, fields=field)["fields"].get(field)
        assert caps, f"{index} has no field {field}"
        (kind,) = caps
        assert kind in USABLE_TYPES[use], f"{index}.{field} is {kind}, which a {use} cannot use"
        if use != "column":
            assert caps[kind]["aggregatable"], f"{index}.{field} cannot be aggregated"


@pytest.mark.parametrize("title", [chart.title for chart in CHARTS])
def test_each_visualization_returns_data_from_the_seed_run(es, seed_run, title):
    """Needs the entities (top persons/organisations/places), events (event charts, map) and dedup
    (biggest stories) branches merged: on main those indices are empty or those fields unset."""
    objects = objects_for(PREFIX)
    (obj,) = [o for o in objects if o["type"] in VISUALIZATION_TYPES and o["attributes"]["title"] == title]
    index, body = equivalent_request(obj, data_view_indices(objects))
    assert has_data(es.search(index=index, **body).body), f"{title}: {body} on {index} found nothing"


@pytest.mark.parametrize("title", [chart.title for chart in CHARTS])
def test_each_visualization_reads_hand_made_entities_and_events(es, scratch, title):
    objects = objects_for(scratch)
    (obj,) = [o for o in objects if o["type"] in VISUALIZATION_TYPES and o["attributes"]["title"] == title]
    index, body = equivalent_request(obj, data_view_indices(objects))
    assert has_data(es.search(index=index, **body).body), f"{title}: {body} on {index} found nothing"


def test_equivalent_requests_read_what_the_documents_say(es, scratch):
    objects = objects_for(scratch)
    views = data_view_indices(objects)
    answers = {}
    for obj in objects:
        if obj["type"] in VISUALIZATION_TYPES:
            index, body = equivalent_request(obj, views)
            answers[obj["attributes"]["title"]] = es.search(index=index, **body).body
    persons = answers["Top persons"]["aggregations"]["value"]["buckets"]
    assert (persons[0]["key"], persons[0]["doc_count"]) == ("Emmanuel Macron", 5)
    (year,) = answers["Killed and wounded over time"]["aggregations"]["time"]["buckets"][:1]
    assert (year["key_as_string"][:4], year["killed"]["value"], year["wounded"]["value"]) == ("2020", 128, 2)
    (story,) = answers["Biggest stories"]["aggregations"]["value"]["buckets"]
    assert story["rank"]["value"] == 3
    times = [h["_source"].get("triggered_at") for h in answers["Latest alerts"]["hits"]["hits"]]
    dated = [t for t in times if t]
    assert dated and times == sorted(dated, reverse=True) + [None] * (len(times) - len(dated))  # newest first


# The report ------------------------------------------------------------------------------------------

def write_report(es_url: str, prefix: str, path: Path) -> str:
    result = run_newsmon("report", "--es-url", es_url, "--index-prefix", prefix, "--output", str(path))
    assert result.stdout.startswith(f"newsmon report: {path} written")
    return path.read_text(encoding="utf-8")


def assert_self_contained(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"<(link|img|iframe)\b|@import|url\(", html, re.IGNORECASE)


def test_report_of_the_seed_run_renders_without_errors(es_url, seed_run, tmp_path):
    html = write_report(es_url, PREFIX, tmp_path / "report.html")
    assert_self_contained(html)
    dom, log = render_dom(tmp_path / "report.html", tmp_path / "profile")
    assert '<body data-rendered="true"' in dom and page_errors(dom) == []
    assert console_errors(log) == []
    states = chart_states(dom)
    assert set(states) == {c.key for c in CHARTS if c.kind not in ("latest", "ranking")}
    assert states["articles-over-time"] == "true" and "<rect" in dom
    alerts = read_jsonl(seed_run / "alerts.jsonl")
    table = re.search(r'<table class="latest">.*?</table>', dom, re.DOTALL).group(0)
    assert table.count("<tr>") == min(len(alerts), 50) + 1  # the heading row, then one per alert
    assert all(alert["rule"] in table for alert in alerts)


def test_report_of_the_seed_run_draws_every_chart(es_url, seed_run, tmp_path):
    """Needs the entities, events and dedup branches merged (see the visualization test above)."""
    write_report(es_url, PREFIX, tmp_path / "report.html")
    dom, _ = render_dom(tmp_path / "report.html", tmp_path / "profile")
    assert chart_states(dom) == {key: "true" for key in chart_states(dom)}
    assert '<table class="ranking">' in dom and 'class="event"' in dom


def test_report_draws_hand_made_entities_events_and_stories(es_url, scratch, tmp_path):
    html = write_report(es_url, scratch, tmp_path / "report.html")
    assert_self_contained(html)
    dom, log = render_dom(tmp_path / "report.html", tmp_path / "profile")
    assert console_errors(log) == [] and page_errors(dom) == []
    assert chart_states(dom) == {key: "true" for key in chart_states(dom)} and len(chart_states(dom)) == 7
    assert dom.count('class="event"') == 6 and ">Martuni<" in dom  # every event on the map, places labelled
    assert re.search(r"<td>[^<]*Nagorno-Karabakh[^<]*</td><td class=\"num\">3</td>", dom)  # the 3-article story
    for person in ("Emmanuel Macron", "Nikol Pashinyan"):
        assert f">{person}<" in dom


def test_report_escapes_text_from_the_indices(tmp_path):
    hostile = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
    charts = [{"key": c.key, "title": c.title, "kind": c.kind,
               "data": {"timeline": {"buckets": [], "series": []}, "sums": {"buckets": [], "series": []},
                        "top": {"rows": [{"name": hostile, "value": 1}]}, "ranking": {"rows": [{"name": hostile,
                                                                                                 "value": 2}],
                                                                                      "labels": ["Story", "n"]},
                        "map": {"points": [{"lat": 40.0, "lon": 47.0, "about": [["Place", hostile]]}]},
                        "latest": {"columns": ["Rule"], "rows": [[hostile]]}}[c.kind]} for c in CHARTS]
    html = render_report({"prefix": "x</title><script>", "counts": {"Articles": 1}, "charts": charts})
    assert "<script>document" not in html and "<img" not in html and "</title><script>" not in html
    (tmp_path / "hostile.html").write_text(html, encoding="utf-8")
    dom, log = render_dom(tmp_path / "hostile.html", tmp_path / "profile")
    assert "<title>News monitor" in dom and "owned" not in dom.split("</title>")[0]
    assert console_errors(log) == [] and page_errors(dom) == []
    assert dom.count("&lt;script&gt;document.title") >= 4  # shown as text in the top list, map, tables


def test_report_without_a_node_fails_with_one_line(tmp_path):
    result = run_newsmon("report", "--es-url", "http://127.0.0.1:9", "--output", str(tmp_path / "r.html"),
                         check=False)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "newsmon es start" in result.stderr and not (tmp_path / "r.html").exists()


# Import and export against a stand-in for Kibana's saved objects API ----------------------------------

class KibanaStandIn(StandIn):
    """Records every request; answers like Kibana 8 (import summary, export NDJSON, or a configured error)."""

    requests: list[dict] = []
    status = 200
    refused: list[dict] = []  # import errors to answer with (Kibana answers 200 and lists them)

    def do_POST(self):  # noqa: N802  (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append({"path": self.path, "headers": self.headers, "body": body})  # names case-insensitive
        if self.status != 200:
            payload = json.dumps({"statusCode": self.status, "error": "Bad Request",
                                  "message": "Invalid file extension .txt"}).encode()
            kind = "application/json"
        elif self.path.startswith("/api/saved_objects/_import"):
            objects, _ = parse_ndjson(multipart_file(self.headers, body)[1].decode())
            refused = {(e["type"], e["id"]) for e in self.refused}
            taken = [o for o in objects if (o["type"], o["id"]) not in refused]
            payload = json.dumps({"success": not refused, "successCount": len(taken), "errors": self.refused,
                                  "successResults": [{"type": o["type"], "id": o["id"]} for o in taken]}).encode()
            kind = "application/json"
        else:
            payload, kind = NDJSON.read_bytes(), "application/ndjson"
        self.answer(self.status, payload, kind)


def multipart_file(headers, body: bytes) -> tuple[str, bytes]:
    """(filename, content) of the single file part of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body)
    (part,) = message.iter_parts()
    assert part.get_param("name", header="content-disposition") == "file"
    return part.get_filename(), part.get_payload(decode=True)


@contextmanager
def kibana_stand_in(status: int = 200, refused: tuple[dict, ...] = ()):
    KibanaStandIn.requests, KibanaStandIn.status, KibanaStandIn.refused = [], status, list(refused)
    with serving(KibanaStandIn) as url:
        yield url


def run_with_env(env: dict, *args: str) -> subprocess.CompletedProcess:
    """The CLI with exactly `env`'s NEWSMON_* variables (none of the developer's own)."""
    return subprocess.run([sys.executable, "-m", "newsmon.pipelines.cli", *args], capture_output=True, text=True,
                          timeout=120, env={**{k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")},
                                            **env})


def test_import_posts_the_saved_objects_as_multipart_with_overwrite():
    with kibana_stand_in() as url:
        result = run_with_env({"NEWSMON_KIBANA_USER": "analyst", "NEWSMON_KIBANA_PASSWORD": "s3cret"},
                              "kibana", "import", "--kibana-url", url + "/")
    assert result.returncode == 0, result.stderr
    (request,) = KibanaStandIn.requests
    assert request["path"] == "/api/saved_objects/_import?overwrite=true"
    assert request["headers"]["kbn-xsrf"] and request["headers"]["Authorization"] == "Basic YW5hbHlzdDpzM2NyZXQ="
    assert request["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    filename, content = multipart_file(request["headers"], request["body"])
    assert filename.endswith(".ndjson") and content == NDJSON.read_bytes()
    assert f"{len(parse_ndjson(NDJSON.read_text())[0])} saved object(s) imported" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr


def test_import_for_another_prefix_and_api_key_from_the_es_settings(tmp_path):
    with kibana_stand_in() as url:
        result = run_with_env({"NEWSMON_ES_API_KEY": "a2V5", "NEWSMON_KIBANA_URL": url},
                              "kibana", "import", "--index-prefix", "field")
    assert result.returncode == 0, result.stderr
    (request,) = KibanaStandIn.requests
    assert request["headers"]["Authorization"] == "ApiKey a2V5"
    objects, _ = parse_ndjson(multipart_file(request["headers"], request["body"])[1].decode())
    assert sorted(data_view_indices(objects).values()) == ["field-alerts", "field-articles", "field-events",
                                                           "field-stories"]


def test_import_refused_by_kibana_is_one_line_and_exit_2():
    with kibana_stand_in(status=400) as url:
        result = run_with_env({}, "kibana", "import", "--kibana-url", url)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "HTTP 400" in line and "Invalid file extension" in line
    result = run_with_env({}, "kibana", "import", "--kibana-url", "http://127.0.0.1:9")
    assert result.returncode == 2 and "not reachable" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = run_with_env({}, "kibana", "import")
    assert result.returncode == 2 and "--kibana-url" in result.stderr


def test_objects_kibana_refuses_are_listed_and_the_exit_status_says_so():
    refused = {"type": "map", "id": "newsmon-events-map", "title": "Map of events",
               "error": {"type": "missing_references", "references": [{"type": "index-pattern", "id": "x"}]}}
    with kibana_stand_in(refused=(refused,)) as url:
        result = run_with_env({}, "kibana", "import", "--kibana-url", url)
    assert result.returncode == 1
    (line,) = [line for line in result.stderr.splitlines() if "not imported" in line]
    assert "map newsmon-events-map" in line and "missing_references" in line
    assert f"{len(parse_ndjson(NDJSON.read_text())[0]) - 1} saved object(s) imported" in result.stdout


def test_export_asks_for_the_dashboard_with_its_references(tmp_path):
    output = tmp_path / "exported.ndjson"
    with kibana_stand_in() as url:
        result = run_with_env({}, "kibana", "export", "--kibana-url", url, "--output", str(output))
        everything = run_with_env({}, "kibana", "export", "--kibana-url", url, "--all")
    assert result.returncode == 0 and everything.returncode == 0, result.stderr + everything.stderr
    first, second = KibanaStandIn.requests
    assert first["path"] == "/api/saved_objects/_export" and first["headers"]["kbn-xsrf"]
    assert first["headers"]["Content-Type"] == "application/json"
    assert json.loads(first["body"]) == {"objects": [{"type": "dashboard", "id": "newsmon-news-monitor"}],
                                         "includeReferencesDeep": True, "excludeExportDetails": False}
    assert set(json.loads(second["body"])["type"]) >= {"index-pattern", "lens", "map", "search", "dashboard"}
    assert output.read_bytes() == NDJSON.read_bytes() and everything.stdout == NDJSON.read_text()
    assert f"{len(parse_ndjson(NDJSON.read_text())[0])} saved object(s)" in result.stderr
