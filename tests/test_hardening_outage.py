"""Elasticsearch outages lose nothing: what the node could not take is spooled, and `newsmon replay`
indexes it so that the indices end exactly as after a run without the outage (real nodes, real runs)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from elasticsearch import Elasticsearch

from conftest import SEEDS, read_jsonl, run_newsmon
from es_node import es_sh, index_counts, running_node
from newsmon.transforms.es_connection import EsSettings, make_client
from newsmon.transforms.es_spool import Spool, count_spooled, spooled_entries
from newsmon.transforms.es_writer import BulkOptions, BulkWriter

OUTAGE_PORT = 9252
QUICK_RETRIES = "elasticsearch:\n  max_retries: 2\n  initial_backoff_s: 0.1\n  request_timeout_s: 5\n"


def test_writer_spools_what_an_unreachable_node_cannot_take(tmp_path):
    client = make_client(EsSettings(url="http://127.0.0.1:9", request_timeout_s=2))
    spool = Spool(str(tmp_path), "news-articles")
    writer = BulkWriter(client, "news-articles", BulkOptions(max_retries=1, initial_backoff_s=0.01),
                        spool=spool, deadletter_index="news-deadletter")
    docs = [{"id": f"a{i}", "title": f"t{i}", "input": "feed.xml#1", "order_key": "k"} for i in range(3)]
    failures = [f for doc in docs for f in writer.add(doc)] + writer.flush()
    spool.close()
    assert len(failures) == writer.stats.spooled == count_spooled(tmp_path) == 3
    assert len({f["id"] for f in failures}) == 3  # same input, three documents: three dead-letters
    assert all(f["stage"] == "index" and f["spooled"] and "newsmon replay" in f["reason"] for f in failures)
    entries = list(spooled_entries(tmp_path))
    assert [e["record"] for e in entries] == [{k: v for k, v in d.items() if k != "order_key"} for d in docs]
    assert {(e["index"], e["deadletter_index"]) for e in entries} == {("news-articles", "news-deadletter")}
    assert [e["deadletter_id"] for e in entries] == [f["id"] for f in failures]


def _spool_appears(run: subprocess.Popen, spool: Path, timeout_s: float = 600) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if count_spooled(spool):
            return True
        if run.poll() is not None:
            return bool(count_spooled(spool))
        time.sleep(0.2)
    return False


def test_outage_mid_run_is_spooled_and_replay_ends_equal_to_a_clean_run(tmp_path):
    config = tmp_path / "quick-retries.yaml"
    config.write_text(QUICK_RETRIES)
    out, home = tmp_path / "out", tmp_path / "node"
    spool = out / "spool"
    with running_node(OUTAGE_PORT, home) as url:
        run_newsmon("run", str(SEEDS), "--output", str(tmp_path / "clean"), "--es-url", url,
                    "--index-prefix", "clean")
        run = subprocess.Popen([sys.executable, "-m", "newsmon.pipelines.cli", "run", str(SEEDS), "--output",
                                str(out), "--es-url", url, "--index-prefix", "outage", "--config", str(config)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = run.stderr.readline()
        while line and "input(s)" not in line:  # the run checked the node and installed the templates
            line = run.stderr.readline()
        es_sh("stop", OUTAGE_PORT, home)
        spooled_during_run = _spool_appears(run, spool)
        es_sh("start", OUTAGE_PORT, home)  # back while the run may still be writing
        stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stderr[-3000:]
        assert spooled_during_run

        summary = json.loads((out / "summary.json").read_text())
        assert summary["inputs"] == summary["articles"] + summary["deadletter"] == 5
        index_failures = [d for d in read_jsonl(out / "deadletter.jsonl") if d["stage"] == "index"]
        assert summary["spooled"] == count_spooled(spool) == len([d for d in index_failures if d.get("spooled")]) > 0
        assert f"newsmon replay --spool {spool}" in stdout
        spool_copy = tmp_path / "spool-copy"
        shutil.copytree(spool, spool_copy)

        replayed = run_newsmon("replay", "--spool", str(spool), "--es-url", url)
        assert f"{summary['spooled']} of {summary['spooled']} spooled document(s) indexed" in replayed.stdout
        assert count_spooled(spool) == 0
        es = Elasticsearch(url)
        clean = index_counts(es, "clean")
        assert index_counts(es, "outage") == clean and clean["articles"] == 5
        article_ids = {a["id"] for a in read_jsonl(out / "articles.jsonl")}
        es.indices.refresh(index="outage-articles")
        hits = es.search(index="outage-articles", size=20, source=False)["hits"]["hits"]
        assert {h["_id"] for h in hits} == article_ids  # the same _ids as the JSONL records: nothing lost

        again = run_newsmon("replay", "--spool", str(spool_copy), "--es-url", url)  # replaying twice is harmless
        assert again.returncode == 0 and index_counts(es, "outage") == clean
        es.close()
    assert "nothing spooled" in run_newsmon("replay", "--spool", str(spool)).stdout


def test_replay_keeps_the_spool_while_the_node_is_down(tmp_path):
    spool = Spool(str(tmp_path), "news-articles")
    spool.add("news-articles", {"id": "a1", "title": "t"}, {"id": "d1"}, "news-deadletter")
    spool.close()
    result = run_newsmon("replay", "--spool", str(tmp_path), "--es-url", "http://127.0.0.1:9", check=False)
    assert result.returncode == 2 and "the 1 spooled document(s) stay in" in result.stderr
    assert count_spooled(tmp_path) == 1
