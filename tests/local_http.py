"""Real HTTP servers on 127.0.0.1 for tests: stand-ins for feeds, webhooks, Kibana and Elasticsearch."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator


@contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """`handler` served on a free port of 127.0.0.1 from a daemon thread; yields the base URL
    (`http://127.0.0.1:PORT`) and shuts the server down on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class StandIn(BaseHTTPRequestHandler):
    """A handler that keeps the test output clean and answers in one call."""

    extra_headers: dict[str, str] = {}

    def log_message(self, *args) -> None:
        pass

    def answer(self, status: int, payload: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in self.extra_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def answer_json(self, status: int, body: dict) -> None:
        self.answer(status, json.dumps(body).encode())


class EsStandIn(StandIn):
    """A stand-in for Elasticsearch: the client refuses servers that do not name the product."""

    extra_headers = {"X-Elastic-Product": "Elasticsearch"}
