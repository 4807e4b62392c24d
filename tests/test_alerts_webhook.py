"""Webhook delivery against a real HTTP server on 127.0.0.1, through `newsmon run`."""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Iterator

from conftest import SEEDS, read_jsonl, run_newsmon
from local_http import StandIn, serving


@contextmanager
def receiving(status: int) -> Iterator[tuple[str, list[dict]]]:
    """A local webhook endpoint answering `status`: its URL, and the POST bodies it received."""
    bodies: list[dict] = []

    class Handler(StandIn):
        def do_POST(self):  # noqa: N802  (http.server's naming)
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.answer(status)

    with serving(Handler) as url:
        yield f"{url}/hook", bodies


def run_with_webhook(tmp_path, url: str, fmt: str, retries: int = 2):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        f"targets:\n  desk:\n    url: {url}\n    format: {fmt}\n    timeout_s: 2\n    retries: {retries}\n"
        "    backoff_s: 0.05\n"
        "rules:\n  - name: putin\n    type: watchlist\n    entities: [Putin]\n    severity: warning\n"
        "    key: [entity, article_id]\n    targets: [desk]\n", encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"alerts:\n  rules: {rules}\n", encoding="utf-8")
    out = tmp_path / "out"
    run_newsmon("run", str(SEEDS), "--config", str(config), "--no-es", "--output", str(out))
    return out


def test_each_alert_is_posted_exactly_once(tmp_path):
    with receiving(200) as (url, bodies):
        out = run_with_webhook(tmp_path, url, "json")
    alerts = read_jsonl(out / "alerts.jsonl")
    assert len(alerts) == 3
    assert sorted(body["id"] for body in bodies) == sorted(a["id"] for a in alerts)
    assert read_jsonl(out / "deadletter.jsonl") == []


def test_slack_payload_is_the_message(tmp_path):
    with receiving(200) as (url, bodies):
        out = run_with_webhook(tmp_path, url, "slack")
    messages = sorted(a["message"] for a in read_jsonl(out / "alerts.jsonl"))
    assert sorted(body["text"] for body in bodies) == messages
    assert all(set(body) == {"text"} for body in bodies)


def test_failing_server_is_retried_then_dead_lettered(tmp_path):
    with receiving(500) as (url, bodies):
        out = run_with_webhook(tmp_path, url, "json", retries=2)
    alerts = read_jsonl(out / "alerts.jsonl")
    assert len(alerts) == 3
    assert sorted(body["id"] for body in bodies) == sorted(a["id"] for a in alerts for _ in range(3))
    failures = read_jsonl(out / "deadletter.jsonl")
    assert sorted(f["alert"]["id"] for f in failures) == sorted(a["id"] for a in alerts)
    assert all(f["stage"] == "deliver" and "3 attempt(s) failed, last: HTTP 500" in f["reason"] for f in failures)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["undelivered_alerts"] == 3
    assert summary["inputs"] == summary["articles"] + summary["deadletter"]


def test_unreachable_server_is_dead_lettered(tmp_path):
    with receiving(200) as (url, _):
        pass
    out = run_with_webhook(tmp_path, url, "json", retries=1)
    failures = read_jsonl(out / "deadletter.jsonl")
    assert len(failures) == 3 and all(f["stage"] == "deliver" for f in failures)
