"""Helpers for reader tests: read one input the way the pipeline does, without Beam."""
from __future__ import annotations

import functools
import gzip
import http.server
import time
from pathlib import Path

import pytest

from conftest import SHARED
from local_http import serving
from newsmon.transforms import records
from newsmon.transforms.normalise import read_articles
from newsmon.transforms.settings import Settings, load_settings

DATA = Path(__file__).resolve().parent / "data"
REALWORLD = SHARED / "eval" / "feeds" / "realworld" / "input"


# Feeds served by the tests' own server on 127.0.0.1: loopback fetching must be allowed explicitly.
LOOPBACK_CONFIG = "fetch:\n  allow_private: true\n"


def loopback_config(tmp_path: Path) -> Path:
    config = tmp_path / "loopback.yaml"
    config.write_text(LOOPBACK_CONFIG)
    return config


def settings_with(tmp_path: Path, **limits: int) -> Settings:
    """Default settings with some `limits.*` overridden through a real config file (loopback feeds allowed)."""
    config = tmp_path / "limits.yaml"
    lines = "".join(f"  {key}: {value}\n" for key, value in limits.items())
    config.write_text((f"limits:\n{lines}" if lines else "") + LOOPBACK_CONFIG)
    return load_settings(config)


def read_all(ref: str | Path, settings: Settings | None = None) -> tuple[list[dict], list[dict]]:
    """(articles, dead-letters) for one input: read, then normalise every raw item."""
    articles, dead = [], []
    for record in read_articles(str(ref), settings or load_settings()):
        (dead if records.is_deadletter(record) else articles).append(record)
    return articles, dead


def read_article(ref: str | Path) -> dict:
    """The one article of a single-article input (a seed), read and normalised as the pipeline does."""
    articles, dead = read_all(ref)
    assert len(articles) == 1 and not dead, f"{ref}: {len(articles)} articles, dead-letters {dead}"
    return articles[0]


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:
        try:
            super().copyfile(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader hung up at limits.max_input_bytes, as it should

    def do_GET(self) -> None:
        if self.path == "/gzipped.rss":
            body = gzip.compress((Path(self.directory) / "guardian.rss").read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/slow":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/feed.rss")
            self.end_headers()
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/guardian.rss")
            self.end_headers()
        else:
            super().do_GET()


@pytest.fixture(scope="module")
def feed_server():
    """A local HTTP server on 127.0.0.1 serving the real-world feed captures, plus a gzipped
    feed and redirects."""
    with serving(functools.partial(_Handler, directory=str(REALWORLD))) as url:
        yield url
