"""Elasticsearch, against the real node that deploy/elasticsearch/es.sh runs (started here, stopped at the end).

The node listens on port 9250 (9251 for the node these tests stop on purpose), see es_node.py.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPO, SEEDS, read_jsonl, run_newsmon
from es_node import es_sh, index_counts, node_fixtures, running_node
from local_http import EsStandIn, serving
from newsmon.transforms import records
from newsmon.transforms.es_connection import EsSettings, es_settings, make_client, redact_url
from newsmon.transforms.es_documents import to_document
from newsmon.transforms.es_spool import Spool
from newsmon.transforms.es_templates import install_templates, load_templates
from newsmon.transforms.es_writer import BulkOptions, BulkWriter
from newsmon.transforms.settings import ConfigError, load_settings

PORT = 9250
SPARE_PORT = 9251

es_url, es = node_fixtures(PORT)


def field_type(mapping: dict, dotted: str) -> str:
    node = {"properties": mapping["mappings"]["properties"]}
    *parents, leaf = dotted.split(".")
    for part in parents:
        node = node["properties"][part] if part in node.get("properties", {}) else node["fields"][part]
    return (node.get("properties", {}).get(leaf) or node["fields"][leaf])["type"]


@pytest.fixture(scope="module")
def seed_es_run(es_url, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("seed-es-run")
    result = run_newsmon("run", str(SEEDS), "--output", str(out), "--es-url", es_url, "--index-prefix", "seeds")
    return out, result.stdout


def test_node_start_is_idempotent_and_prints_url_last(es_url):
    assert es_url == f"http://localhost:{PORT}"
    result = run_newsmon("es", "start", "--port", str(PORT))  # already running: answers at once
    assert result.stdout.strip().splitlines()[-1] == es_url
    assert run_newsmon("es", "status", "--port", str(PORT)).stdout.startswith("running")


def test_seed_run_lands_every_record_with_the_right_types(es, seed_es_run):
    out, stdout = seed_es_run
    counts = index_counts(es, "seeds")
    assert counts["articles"] == 5
    for name in (records.EVENTS, records.STORIES, records.ALERTS):
        assert counts[name] == len(read_jsonl(out / f"{name}.jsonl"))
    assert counts["deadletter"] == 0
    assert re.search(r"^\s+seeds-articles\s+5$", stdout, re.MULTILINE)  # per-index counts printed after the run
    summary = json.loads((out / "summary.json").read_text())
    assert summary["index_failures"] == 0

    articles = es.indices.get_mapping(index="seeds-articles")["seeds-articles"]
    expected = {"id": "keyword", "path": "keyword", "url": "keyword", "source": "keyword", "language": "keyword",
                "story_id": "keyword", "published_at": "date", "title": "text", "title.keyword": "keyword",
                "text": "text", "entities.name": "keyword", "entities.id": "keyword", "entities.type": "keyword",
                "persons": "keyword", "orgs": "keyword", "places": "keyword", "norps": "keyword",
                "locations.geo": "geo_point", "geo": "geo_point"}
    assert {field: field_type(articles, field) for field in expected} == expected
    events = es.indices.get_mapping(index="seeds-events")["seeds-events"]
    expected = {"id": "keyword", "article_id": "keyword", "story_id": "keyword", "type": "keyword",
                "actors": "keyword", "date": "date", "killed": "integer", "wounded": "integer",
                "location.geo": "geo_point"}
    assert {field: field_type(events, field) for field in expected} == expected
    for index, field in (("seeds-stories", "first_seen"), ("seeds-alerts", "triggered_at")):
        assert field_type(es.indices.get_mapping(index=index)[index], field) == "date"

    line = read_jsonl(out / "articles.jsonl")[0]
    assert es.get(index="seeds-articles", id=line["id"])["_source"] == to_document(line)  # the JSONL line + geo


def test_second_run_changes_no_count(es, es_url, seed_es_run, tmp_path):
    before = index_counts(es, "seeds")
    run_newsmon("run", str(SEEDS), "--output", str(tmp_path), "--es-url", es_url, "--index-prefix", "seeds")
    assert index_counts(es, "seeds") == before


def test_query_by_entity_name_returns_the_articles_naming_it(es, seed_es_run):
    out, _ = seed_es_run
    articles = read_jsonl(out / "articles.jsonl")
    by_name: dict[str, set[str]] = {}
    for article in articles:
        for entity in article["entities"]:
            by_name.setdefault(entity["name"], set()).add(article["id"])
    shared = [name for name, ids in by_name.items() if 1 < len(ids) < len(articles)]
    name = sorted(shared or by_name, key=lambda n: (-len(by_name[n]), n))[0]
    hits = es.search(index="seeds-articles", query={"term": {"entities.name": name}}, size=10)["hits"]["hits"]
    assert {hit["_id"] for hit in hits} == by_name[name]
    aggs = es.search(index="seeds-articles", size=0,
                     aggs={"names": {"terms": {"field": "entities.name", "size": 500}}})["aggregations"]
    assert {b["key"]: b["doc_count"] for b in aggs["names"]["buckets"]}[name] == len(by_name[name])


def place_article(article: dict) -> dict:
    """A seed article with places, as the entities stage will produce them."""
    return dict(article, id=f"geo-{article['id']}", locations=[
        {"name": "Kyiv", "lat": 50.4501, "lon": 30.5234, "country_code": "UA"},
        {"name": "Paris", "lat": 48.8566, "lon": 2.3522, "country_code": "FR"}], places=["Kyiv", "Paris"])


def test_every_lat_lon_pair_is_a_searchable_geo_point(es, es_url, seed_es_run):
    out, _ = seed_es_run
    article = place_article(read_jsonl(out / "articles.jsonl")[0])
    event = {"id": "geo-event", "article_id": article["id"], "type": "ASSAULT", "date": "2024-03-01",
             "location": {"name": "Kyiv", "lat": 50.4501, "lon": 30.5234}, "killed": 2, "wounded": None}
    client = make_client(EsSettings(url=es_url, index_prefix="seeds"))
    for index, record in (("seeds-articles", article), ("seeds-events", event)):
        writer = BulkWriter(client, index)
        assert writer.add(record) == [] and writer.flush() == []
    es.indices.refresh(index="seeds-*")
    near_kyiv = {"geo_distance": {"distance": "20km", "geo": {"lat": 50.45, "lon": 30.52}}}
    assert [h["_id"] for h in es.search(index="seeds-articles", query=near_kyiv)["hits"]["hits"]] == [article["id"]]
    near_kyiv["geo_distance"]["location.geo"] = near_kyiv["geo_distance"].pop("geo")
    assert [h["_id"] for h in es.search(index="seeds-events", query=near_kyiv)["hits"]["hits"]] == ["geo-event"]
    assert "geo" not in article["locations"][0]  # the record itself (also written to JSONL) is unchanged


def test_refused_documents_become_deadletters_with_the_es_error(es_url):
    client = make_client(EsSettings(url=es_url))
    install_templates(client, "refused")
    writer = BulkWriter(client, "refused-articles")
    good = {"id": "ok-1", "title": "fine", "published_at": "2024-05-01T10:00:00Z", "input": "a.txt"}
    bad = {"id": "bad-1", "title": "broken date", "published_at": "the day after", "input": "b.txt"}
    failures = writer.add(good) + writer.add(bad) + writer.flush()
    assert writer.stats.indexed == 1
    (failure,) = failures
    assert failure["stage"] == "index" and failure["input"] == "b.txt" and failure["record_id"] == "bad-1"
    assert failure["error"] == "document_parsing_exception" and "published_at" in failure["reason"]
    assert records.is_deadletter(failure)


def test_documents_refused_during_a_run_are_reported_and_indexed_as_deadletters(es, es_url, tmp_path):
    # An index created by hand with a clashing mapping (title as a number) refuses every article.
    es.indices.create(index="clash-articles", mappings={"properties": {"title": {"type": "long"}}})
    run_newsmon("run", str(SEEDS), "--output", str(tmp_path), "--es-url", es_url, "--index-prefix", "clash")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["articles"] == 5 and summary["inputs"] == summary["articles"] + summary["deadletter"]
    failures = [d for d in read_jsonl(tmp_path / "deadletter.jsonl") if d["stage"] == "index"]
    assert summary["index_failures"] == len(failures) == 5
    assert {f["record_id"] for f in failures} == {a["id"] for a in read_jsonl(tmp_path / "articles.jsonl")}
    assert all(f["error"] == "document_parsing_exception" and "title" in f["reason"] for f in failures)
    es.indices.refresh(index="clash-deadletter")
    hits = es.search(index="clash-deadletter", query={"term": {"stage": "index"}}, size=10)["hits"]["hits"]
    assert sorted(h["_id"] for h in hits) == sorted(f["id"] for f in failures)


def test_bulk_requests_are_bounded_by_count_and_bytes(es, es_url):
    client = make_client(EsSettings(url=es_url))
    docs = [{"id": f"doc-{i}", "title": f"article {i}", "text": "word " * (50 + i % 7)} for i in range(120)]
    by_count = BulkWriter(client, "bounded-count", BulkOptions(max_docs=25, max_bytes=10_000_000))
    by_bytes = BulkWriter(client, "bounded-bytes", BulkOptions(max_docs=10_000, max_bytes=4_000))
    for writer in (by_count, by_bytes):
        assert [f for doc in docs for f in writer.add(doc)] + writer.flush() == []
    assert by_count.stats.requests == 5  # 120 docs in requests of at most 25
    assert by_bytes.stats.requests >= 120 * 300 // 4_000  # every doc is > 300 bytes
    es.indices.refresh(index="bounded-*")
    assert es.count(index="bounded-count")["count"] == es.count(index="bounded-bytes")["count"] == 120


def test_writer_survives_the_node_going_away(tmp_path):
    docs = [{"id": f"d{i}", "title": f"t{i}", "input": f"in-{i}"} for i in range(40)]
    with running_node(SPARE_PORT, tmp_path / "node") as url:
        client = make_client(EsSettings(url=url, request_timeout_s=5))
        writer = BulkWriter(client, "survive", BulkOptions(max_docs=20, max_retries=2, initial_backoff_s=0.05))
        assert [f for doc in docs[:20] for f in writer.add(doc)] == []
        es_sh("stop", SPARE_PORT, tmp_path / "node")
        failures = [f for doc in docs[20:] for f in writer.add(doc)] + writer.flush()
    assert writer.stats.indexed == 20
    assert sorted(f["record_id"] for f in failures) == sorted(d["id"] for d in docs[20:])
    assert all(f["error"] == "connection_error" and "gave up after 2 retries" in f["reason"] for f in failures)


def test_stopping_the_node_during_a_run_loses_nothing(tmp_path):
    config = tmp_path / "quick-retries.yaml"
    config.write_text("elasticsearch:\n  max_retries: 2\n  initial_backoff_s: 0.1\n  request_timeout_s: 5\n")
    out = tmp_path / "out"
    with running_node(SPARE_PORT, tmp_path / "node") as url:
        run = subprocess.Popen([sys.executable, "-m", "newsmon.pipelines.cli", "run", str(SEEDS), "--output",
                                str(out), "--es-url", url, "--config", str(config)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The run prints "N input(s)" once it checked that the node answers; stop the node then,
        # while the pipeline loads its model and before it writes anything.
        seen = [run.stderr.readline() for _ in range(1)]
        while "input(s)" not in seen[-1] and seen[-1] and len(seen) < 50:
            seen.append(run.stderr.readline())
        assert "input(s)" in seen[-1], seen
        es_sh("stop", SPARE_PORT, tmp_path / "node")
        stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["articles"] == 5 and len(read_jsonl(out / "articles.jsonl")) == 5
    assert summary["inputs"] == summary["articles"] + summary["deadletter"]
    failures = [d for d in read_jsonl(out / "deadletter.jsonl") if d["stage"] == "index"]
    assert summary["index_failures"] == len(failures) >= 5
    article_ids = {a["id"] for a in read_jsonl(out / "articles.jsonl")}
    assert article_ids <= {f["record_id"] for f in failures if f["index"] == "newsmon-articles"}
    assert all(f["reason"] for f in failures) and any("unreachable" in f["reason"] for f in failures)
    assert "index failures" in stdout


class FlakyBulkServer(EsStandIn):
    """A stand-in for a busy cluster: rejects the first request (429), then one document (429), then takes all."""

    bodies: list[bytes] = []

    def do_POST(self):  # noqa: N802  (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.bodies.append(body)
        docs = body.count(b"\n") // 2
        if len(self.bodies) == 1:
            status, answer = 429, {"error": {"type": "es_rejected_execution_exception", "reason": "queue full"},
                                   "status": 429}
        elif len(self.bodies) == 2:
            items = [{"index": {"_id": str(i), "status": 201}} for i in range(docs)]
            items[1] = {"index": {"_id": "1", "status": 429, "error": {"type": "es_rejected_execution_exception",
                                                                      "reason": "queue full"}}}
            status, answer = 200, {"took": 1, "errors": True, "items": items}
        else:
            status, answer = 200, {"took": 1, "errors": False,
                                   "items": [{"index": {"status": 201}} for _ in range(docs)]}
        self.answer_json(status, answer)

    do_PUT = do_POST  # the client sends _bulk as PUT


@contextmanager
def flaky_server():
    FlakyBulkServer.bodies = []
    with serving(FlakyBulkServer) as url:
        yield url


def test_rejections_are_retried_with_exponential_backoff():
    waits: list[float] = []
    with flaky_server() as url:
        client = make_client(EsSettings(url=url))
        writer = BulkWriter(client, "flaky", BulkOptions(max_docs=100, initial_backoff_s=0.5), sleep=waits.append)
        docs = [{"id": f"d{i}", "title": "t"} for i in range(3)]
        failures = [f for doc in docs for f in writer.add(doc)] + writer.flush()
    assert failures == []
    assert waits == [0.5, 1.0]
    assert writer.stats.requests == 3 and writer.stats.retries == 2 and writer.stats.indexed == 3
    assert FlakyBulkServer.bodies[0] == FlakyBulkServer.bodies[1]  # whole request resent after the 429
    assert FlakyBulkServer.bodies[2].count(b"\n") == 2 and b'"d1"' in FlakyBulkServer.bodies[2]  # only the rejected doc


def test_retries_end_in_deadletters_not_exceptions():
    with flaky_server() as url:
        client = make_client(EsSettings(url=url))
        writer = BulkWriter(client, "flaky", BulkOptions(max_retries=0), sleep=lambda s: None)
        failures = writer.add({"id": "x", "title": "t", "input": "feed.xml#3"}) + writer.flush()
    (failure,) = failures
    assert failure["error"] == "http_429" and failure["input"] == "feed.xml#3"
    assert "es_rejected_execution_exception" in failure["reason"] and "gave up after 0 retries" in failure["reason"]


def test_unreachable_elasticsearch_fails_fast_with_one_line_and_no_secret(tmp_path):
    start = time.monotonic()
    result = run_newsmon("run", str(SEEDS), "--output", str(tmp_path), "--es-url",
                         "http://analyst:s3cret@127.0.0.1:9", check=False)
    assert result.returncode == 2 and time.monotonic() - start < 60
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    assert "newsmon es start" in line and "--no-es" in line and "s3cret" not in line
    assert not (tmp_path / "articles.jsonl").exists()


class RefusingCluster(EsStandIn):
    """A cluster that answers every request with 401, as a secured one does to wrong credentials."""

    def do_GET(self):  # noqa: N802  (http.server's naming)
        self.answer_json(401, {"error": {"type": "security_exception", "reason": "unable to authenticate"},
                               "status": 401})


def test_every_command_says_how_to_reach_elasticsearch(tmp_path):
    """es setup, report, replay and run share one check: one line, the URL, and the fix for a node that
    does not answer (start it, or another --es-url) or for credentials it refuses (which variables)."""
    spool = Spool(str(tmp_path / "spool"), "news-articles")
    spool.add("news-articles", {"id": "a1", "title": "t"}, {"id": "d1"}, "news-deadletter")
    spool.close()
    commands = {"es": ["es", "setup"], "report": ["report", "--output", str(tmp_path / "r.html")],
                "replay": ["replay", "--spool", str(tmp_path / "spool")],
                "run": ["run", str(SEEDS), "--output", str(tmp_path / "out")]}
    with serving(RefusingCluster) as refusing:
        for name, args in commands.items():
            down = run_newsmon(*args, "--es-url", "http://127.0.0.1:9", check=False)
            refused = run_newsmon(*args, "--es-url", refusing, check=False)
            for result in (down, refused):
                (line,) = result.stderr.strip().splitlines()
                assert result.returncode == 2 and line.startswith(f"newsmon {name}: error: Elasticsearch"), line
            assert "not reachable at http://127.0.0.1:9 " in down.stderr
            assert "`newsmon es start`" in down.stderr and "--es-url" in down.stderr
            assert "refused the credentials (HTTP 401)" in refused.stderr and "NEWSMON_ES_API_KEY" in refused.stderr
            assert "es start" not in refused.stderr
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "out" / "articles.jsonl").exists()


def test_setup_installs_templates_idempotently(es, es_url):
    for _ in range(2):
        result = run_newsmon("es", "setup", "--es-url", es_url, "--index-prefix", "setup")
        assert "setup-*" in result.stdout
    templates = es.indices.get_index_template(name="setup-*")["index_templates"]
    assert sorted(t["name"] for t in templates) == sorted(f"setup-{name}" for name in records.OUTPUTS)
    assert all(t["index_template"]["_meta"]["managed_by"] == "newsmon" for t in templates)
    assert all(es.indices.exists(index=f"setup-{name}") for name in records.OUTPUTS)


def test_connection_settings_from_environment_never_show_secrets():
    settings = load_settings()
    env = {"NEWSMON_ES_URL": "https://es.example:9243", "NEWSMON_ES_USER": "analyst", "NEWSMON_ES_PASSWORD": "pw1"}
    es = es_settings(settings, env=env)
    assert (es.url, es.username, es.password, es.index_prefix) == ("https://es.example:9243", "analyst", "pw1", "newsmon")
    assert es_settings(settings, url="http://localhost:9999", env=env).url == "http://localhost:9999"
    assert "pw1" not in repr(es)
    assert redact_url("https://analyst:pw1@es.example:9243/x") == "https://***@es.example:9243/x"
    with pytest.raises(ConfigError, match="NEWSMON_ES_PASSWORD"):
        es_settings(settings, env={"NEWSMON_ES_USER": "analyst"})
    with pytest.raises(ConfigError, match="index-prefix"):
        es_settings(settings, index_prefix="News Mon", env={})


def test_templates_file_is_validated_with_one_line_errors():
    assert set(load_templates()["indices"]) == set(records.OUTPUTS)
    text = Path(REPO / "config" / "es_templates.yaml").read_text()
    broken = text.replace("        geo: {type: geo_point", "        geo: {type: geopoint", 1)
    assert broken != text
    with pytest.raises(ConfigError, match=r"indices\.articles\.locations\.geo.*geopoint"):
        load_templates(broken)


def test_documents_get_geo_points_and_keep_the_record_intact():
    record = {"id": "a", "order_key": "x", "locations": [{"name": "Kyiv", "lat": 50.45, "lon": 30.52},
                                                          {"name": "Nowhere", "lat": None, "lon": None}]}
    document = to_document(record)
    assert document["locations"][0]["geo"] == {"lat": 50.45, "lon": 30.52}
    assert "geo" not in document["locations"][1]
    assert document["geo"] == [{"lat": 50.45, "lon": 30.52}]
    assert "order_key" not in document and "geo" not in record["locations"][0]
