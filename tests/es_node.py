"""A real Elasticsearch node for tests, run by deploy/elasticsearch/es.sh with its data in a temporary directory
(counts start at zero).

Each module has its own port, so that a node a developer runs on the default 9200 is left alone: 9250
test_elasticsearch.py, 9251 the node it stops on purpose, 9252 test_dashboards.py and test_hardening_outage.py
(one module after the other), 9253 test_watch.py.
"""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from elasticsearch import Elasticsearch

from conftest import REPO
from newsmon.transforms import records

ES_SH = REPO / "deploy" / "elasticsearch" / "es.sh"


def es_sh(action: str, port: int, home: Path) -> str:
    """`es.sh ACTION` for the node on `port` kept in `home`; its standard output."""
    result = subprocess.run(["bash", str(ES_SH), action, "--port", str(port), "--home", str(home)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"es.sh {action} failed:\n{result.stderr[-3000:]}"
    return result.stdout


@contextmanager
def running_node(port: int, home: Path) -> Iterator[str]:
    """A node started on `port` (its URL yielded once it answers), stopped on exit."""
    url = es_sh("start", port, home).strip().splitlines()[-1]
    try:
        yield url
    finally:
        es_sh("stop", port, home)


def node_fixtures(port: int):
    """The `es_url` and `es` (client) fixtures of a module whose tests share one node on `port`,
    started before its first test and stopped after its last: `es_url, es = node_fixtures(PORT)`."""

    @pytest.fixture(scope="module", name="es_url")
    def url_fixture(tmp_path_factory) -> Iterator[str]:
        with running_node(port, tmp_path_factory.mktemp(f"es-node-{port}")) as url:
            yield url

    @pytest.fixture(scope="module", name="es")
    def client_fixture(es_url: str) -> Iterator[Elasticsearch]:
        with Elasticsearch(es_url) as client:
            yield client

    return url_fixture, client_fixture


def index_counts(es: Elasticsearch, prefix: str) -> dict[str, int]:
    """Documents per output in the indices `PREFIX-*`, after a refresh."""
    es.indices.refresh(index=f"{prefix}-*")
    return {name: es.count(index=f"{prefix}-{name}")["count"] for name in records.OUTPUTS}
