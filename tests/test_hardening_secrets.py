"""Credentials never show: not in messages, logs or the traceback of a failed run, even when a server
echoes the request (credentials included) back into the error."""
from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys

from conftest import SEEDS
from local_http import EsStandIn, serving
from newsmon.transforms.secrets import MASK, RedactingFilter, redact, secret_values

API_KEY = "c2VjcmV0LWFwaS1rZXktNDI6eHl6"
PASSWORD = "Tr0ub4dor&3-horse"


class _EchoingCluster(EsStandIn):
    """Answers like Elasticsearch at `/`, then fails every other request with a body echoing the
    request's URL and headers (as some proxies and misconfigured servers do)."""

    def _any(self) -> None:  # noqa: N802
        if self.headers.get("Content-Length"):
            self.rfile.read(int(self.headers["Content-Length"]))
        if self.path.split("?")[0] == "/":
            self.answer_json(200, {"name": "echo", "cluster_name": "echo", "version": {"number": "8.15.0"},
                                   "tagline": "You Know, for Search"})
            return
        echo = f"cannot forward {self.path} with headers {dict(self.headers)}"
        self.answer_json(500, {"error": {"type": f"proxy_exception: {echo}", "reason": echo}, "status": 500})

    do_GET = do_PUT = do_POST = do_HEAD = _any


def _run(args: list[str], env: dict, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsmon.pipelines.cli", *args],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=600)


def _leaks(text: str, *secrets: str) -> list[str]:
    return [secret for secret in secrets if secret in text]


def test_api_key_never_shows_even_when_the_server_echoes_it(tmp_path):
    with serving(_EchoingCluster) as url:
        result = _run(["run", str(SEEDS), "--output", str(tmp_path), "--es-url", url],
                      {"NEWSMON_ES_API_KEY": API_KEY}, tmp_path)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "proxy_exception" in result.stderr  # the failure itself is shown
    assert f"ApiKey {MASK}" in result.stderr  # ... with the echoed header masked
    assert _leaks(result.stdout + result.stderr, API_KEY) == []
    assert result.stderr.strip().splitlines()[-1].startswith("newsmon: error: unexpected failure")


def test_password_and_its_basic_auth_form_never_show(tmp_path):
    encoded = base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()
    with serving(_EchoingCluster) as url:
        from_env = _run(["es", "setup", "--es-url", url],
                        {"NEWSMON_ES_USER": "analyst", "NEWSMON_ES_PASSWORD": PASSWORD}, tmp_path)
        in_url = _run(["es", "setup", "--es-url", url.replace("//", f"//analyst:{PASSWORD}@")], {}, tmp_path)
    for result in (from_env, in_url):
        assert result.returncode == 1 and "proxy_exception" in result.stderr
        assert _leaks(result.stdout + result.stderr, PASSWORD, encoded) == []
        assert f"Basic {MASK}" in result.stderr


def test_replay_against_an_echoing_server_shows_no_secret(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "news-articles-0.jsonl").write_text(json.dumps(
        {"index": "news-articles", "id": "a1", "record": {"id": "a1", "title": "t"},
         "deadletter_index": "news-deadletter", "deadletter_id": "d1"}) + "\n")
    with serving(_EchoingCluster) as url:
        result = _run(["replay", "--spool", str(spool), "--es-url", url],
                      {"NEWSMON_ES_API_KEY": API_KEY}, tmp_path)
    assert result.returncode != 0 and _leaks(result.stdout + result.stderr, API_KEY) == []
    assert (spool / "news-articles-0.jsonl").exists()  # nothing replayed, nothing dropped


def test_secrets_are_masked_in_text_and_log_records():
    env = {"NEWSMON_ES_API_KEY": API_KEY}
    secrets = secret_values(env, ["--es-url", f"https://ops:{PASSWORD}@es.example:9243"])
    text = f"failed https://ops:{PASSWORD}@es.example:9243/_bulk with ApiKey {API_KEY} and {PASSWORD}"
    assert redact(text, secrets) == f"failed https://{MASK}@es.example:9243/_bulk with ApiKey {MASK} and {MASK}"
    log_filter = RedactingFilter()
    log_filter.secrets = secrets
    try:
        raise RuntimeError(f"bulk refused for key {API_KEY}")
    except RuntimeError:
        record = logging.LogRecord("es", logging.ERROR, __file__, 1, "sending with %s", (API_KEY,), sys.exc_info())
    assert log_filter.filter(record)
    assert API_KEY not in record.getMessage() and "RuntimeError" in record.getMessage()
