"""Feed URLs cannot steer the reader: internal addresses (also behind redirects and DNS), redirect
loops, byte-dripping servers, oversized and hostile XML. Served by a real HTTP server on 127.0.0.1."""
from __future__ import annotations

import socket
import time

import feedparser
import pytest
from hypothesis import given, strategies as st

from bad_inputs import BAD
from local_http import StandIn, serving
from reading import read_all, settings_with
from newsmon.transforms.readers import fetch as fetch_module
from newsmon.transforms.readers import read_input
from newsmon.transforms.readers.fetch import FetchError, FetchPolicy, fetch, refused_address
from newsmon.transforms.settings import load_settings

FEED = (BAD / "truncated.rss").read_bytes()


class _Hostile(StandIn):
    """Redirect loops, redirects to other hosts, a server that drips bytes, and a plain feed."""

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802  (http.server's naming)
        port = self.server.server_address[1]
        if self.path.startswith("/loop/"):
            self._redirect(f"/loop/{int(self.path.rsplit('/', 1)[1]) + 1}")
        elif self.path == "/to-internal":
            self._redirect(f"http://127.0.0.2:{port}/feed.rss")
        elif self.path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for byte in FEED:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self.answer(200, FEED, "application/rss+xml")


@pytest.fixture(scope="module")
def hostile_server():
    with serving(_Hostile) as url:
        yield url


@pytest.fixture
def loopback_is_public(monkeypatch):
    """Let 127.0.0.1 stand for a public server (the only address tests may use), every other address
    keeps its real class: a redirect or DNS answer pointing elsewhere is then 'internal'."""
    real = fetch_module.refused_address
    monkeypatch.setattr(fetch_module, "refused_address", lambda ip: None if ip == "127.0.0.1" else real(ip))


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.10", "private"),
    ("172.16.5.4", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "private"), ("100.64.0.1", "non-public"),
    ("fd00::1", "private"), ("224.0.0.1", "multicast"),
])
def test_internal_addresses_are_refused(address, kind):
    assert refused_address(address) == kind


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert refused_address(address) is None


@given(st.ip_addresses())
def test_every_address_is_classified(ip):
    why = refused_address(str(ip))
    assert why is None or why in {"loopback", "link-local", "private", "multicast", "unspecified", "reserved",
                                  "non-public"}
    if ip.is_loopback or ip.is_private or ip.is_link_local:
        assert why is not None


def test_loopback_feeds_are_refused_unless_allowed(hostile_server, tmp_path):
    (record,) = list(read_input(f"{hostile_server}/feed.rss", load_settings()))
    assert record["stage"] == "fetch" and "127.0.0.1 is a loopback address" in record["reason"]
    assert "fetch.allow_private: true" in record["reason"]
    articles, dead = read_all(f"{hostile_server}/feed.rss", settings_with(tmp_path))
    assert len(articles) == 2 and dead == []


def test_redirect_to_an_internal_address_is_refused(hostile_server, loopback_is_public):
    policy = FetchPolicy()
    assert fetch(f"{hostile_server}/feed.rss", policy).data == FEED
    with pytest.raises(FetchError, match=r"refused to connect to 127\.0\.0\.2 \(127\.0\.0\.2 is a loopback"):
        fetch(f"{hostile_server}/to-internal", policy)


def test_every_resolved_address_is_checked(hostile_server, loopback_is_public, monkeypatch):
    port = int(hostile_server.rsplit(":", 1)[1])
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "mixed.example":  # one public answer, one internal: the internal one could be picked
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchError, match=r"10\.0\.0\.7 is a private address"):
        fetch(f"http://mixed.example:{port}/feed.rss", FetchPolicy())


def test_redirects_are_limited(hostile_server):
    policy = FetchPolicy(max_redirects=3, allow_private=True)
    with pytest.raises(FetchError, match=r"more than fetch.max_redirects \(3\) redirects"):
        fetch(f"{hostile_server}/loop/0", policy)
    with pytest.raises(FetchError, match="file:///etc/passwd.*not allowed"):
        fetch(f"{hostile_server}/to-file", policy)


def test_a_dripping_server_hits_the_total_deadline(hostile_server):
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"longer than fetch.deadline_s \(1.5 s\)"):
        fetch(f"{hostile_server}/drip", FetchPolicy(timeout_s=5, deadline_s=1.5, allow_private=True))
    assert time.monotonic() - start < 4  # every byte arrives well within the 5 s socket timeout


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/feed.rss", "gopher://127.0.0.1/"])
def test_only_http_urls_are_fetched(url):
    with pytest.raises(FetchError, match="only http:// and https://"):
        fetch(url, FetchPolicy(allow_private=True))


def test_fetch_settings_come_from_the_config(tmp_path):
    config = tmp_path / "fetch.yaml"
    config.write_text("fetch:\n  deadline_s: 7.5\n  max_redirects: 0\n  allow_private: true\nlimits:\n  max_input_bytes: 999\n")
    assert FetchPolicy.from_settings(load_settings(config)) == FetchPolicy(
        timeout_s=20, deadline_s=7.5, max_bytes=999, max_redirects=0, allow_private=True)
    assert FetchPolicy.from_settings(load_settings()).allow_private is False


def test_feedparser_itself_resolves_no_external_entity():
    """Defence in depth: even without the reader's entity check, feedparser does not read the file."""
    parsed = feedparser.parse((BAD / "xxe.rss").read_bytes())
    assert "root:" not in repr(parsed)
    bomb = feedparser.parse((BAD / "billion-laughs.rss").read_bytes())
    assert len(repr(bomb)) < 100_000
