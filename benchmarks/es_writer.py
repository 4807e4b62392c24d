"""Throughput of newsmon's bulk writer against plain `elasticsearch.helpers.bulk`, same documents, same run.

    .venv/bin/python benchmarks/es_writer.py [--docs 5000] [--rounds 3] [--es-url URL]

Documents are article records built from the BBC corpus (`../shared/corpora/bbc`), repeated with distinct
ids up to --docs. Both sides turn records into documents with the same `to_document` and send requests of
500 documents to a fresh index; after one uncounted warm-up round (a fresh JVM is slow), rounds alternate
which side goes first and the best round of each counts (the machine is shared: best is least disturbed).
Without --es-url the script starts the local node (deploy/elasticsearch/es.sh, port 9260) and stops it.
Goal: the writer reaches at least 0.9 of helpers.bulk's docs/s.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from elasticsearch import Elasticsearch, helpers

from newsmon.transforms.es_connection import EsSettings, make_client
from newsmon.transforms.es_documents import to_document
from newsmon.transforms.es_writer import BulkOptions, BulkWriter
from newsmon.transforms.records import new_article

REPO = Path(__file__).resolve().parents[1]
BBC = REPO.parent / "shared" / "corpora" / "bbc"
ES_SH = REPO / "deploy" / "elasticsearch" / "es.sh"
CHUNK = 500


def bbc_records(count: int) -> list[dict]:
    files = sorted(BBC.glob("*/*.txt"))
    if not files:
        sys.exit(f"no BBC articles under {BBC}")
    result = []
    while len(result) < count:
        copy = len(result) // len(files)
        for path in files[: count - len(result)]:
            title, _, text = path.read_text(encoding="latin-1").partition("\n")
            ref = f"{path}#{copy}"
            result.append(new_article(origin=ref, input_ref=ref, order_key=ref, title=title.strip(),
                                      text=text.strip(), path=str(path), source="BBC", language="en"))
    return result


def fresh_index(client: Elasticsearch, name: str) -> None:
    client.options(ignore_status=404).indices.delete(index=name)
    client.indices.create(index=name, settings={"number_of_shards": 1, "number_of_replicas": 0})


def run_writer(client: Elasticsearch, index: str, docs: list[dict]) -> float:
    writer = BulkWriter(client, index, BulkOptions(max_docs=CHUNK, max_bytes=100 * 1024 * 1024))
    start = time.perf_counter()
    failures = [f for record in docs for f in writer.add(record)] + writer.flush()
    elapsed = time.perf_counter() - start
    assert not failures and writer.stats.indexed == len(docs), failures[:3]
    return elapsed


def run_helpers(client: Elasticsearch, index: str, docs: list[dict]) -> float:
    actions = ({"_index": index, "_id": record["id"], "_source": to_document(record)} for record in docs)
    start = time.perf_counter()
    indexed, errors = helpers.bulk(client, actions, chunk_size=CHUNK)
    elapsed = time.perf_counter() - start
    assert indexed == len(docs) and not errors
    return elapsed


@contextmanager
def local_node(port: int):
    home = tempfile.mkdtemp(prefix="newsmon-es-bench-")
    command = ["bash", str(ES_SH), "--port", str(port), "--home", home]
    started = subprocess.run(command[:2] + ["start"] + command[2:], capture_output=True, text=True, check=True)
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(command[:2] + ["stop"] + command[2:], capture_output=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--es-url", help="an Elasticsearch to use instead of starting the local node")
    args = parser.parse_args()
    docs = bbc_records(args.docs)
    size_mb = sum(len(d["text"]) + len(d["title"]) for d in docs) / 1e6
    print(f"{len(docs)} BBC-derived articles, {size_mb:.1f} MB of text, requests of {CHUNK} documents")
    with (local_node(9260) if args.es_url is None else _given(args.es_url)) as url:
        client = make_client(EsSettings(url=url, request_timeout_s=120))
        sides = {"newsmon BulkWriter": run_writer, "helpers.bulk": run_helpers}
        best = {name: float("inf") for name in sides}
        fresh_index(client, "bench-warmup")  # JIT and caches of a fresh JVM: not counted
        run_helpers(client, "bench-warmup", docs)
        client.indices.delete(index="bench-warmup")
        for round_number in range(args.rounds):
            order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
            for name in order:
                index = "bench-writer" if name.startswith("newsmon") else "bench-helpers"
                fresh_index(client, index)
                elapsed = sides[name](client, index, docs)
                best[name] = min(best[name], elapsed)
                print(f"  round {round_number + 1}  {name:<20} {len(docs) / elapsed:8.0f} docs/s")
        for index in ("bench-writer", "bench-helpers"):
            client.indices.delete(index=index)
        client.close()
    rates = {name: len(docs) / elapsed for name, elapsed in best.items()}
    for name, rate in rates.items():
        print(f"best {name:<20} {rate:8.0f} docs/s")
    ratio = rates["newsmon BulkWriter"] / rates["helpers.bulk"]
    print(f"ratio writer / helpers.bulk: {ratio:.2f} (goal >= 0.90: {'met' if ratio >= 0.9 else 'NOT met'})")


@contextmanager
def _given(url: str):
    yield url


if __name__ == "__main__":
    main()
