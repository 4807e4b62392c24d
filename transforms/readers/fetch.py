"""Fetching feed URLs without letting a feed steer the reader: errors are one-line reasons.

A feed URL comes from users, and its redirects from whoever runs the server, so the fetcher only
speaks http(s), follows at most `fetch.max_redirects` redirects, stops at `limits.max_input_bytes`
(also after gzip is undone), gives up after `limits.fetch_timeout_s` of silence and after
`fetch.deadline_s` in total (a server that drips one byte a second never trips a socket timeout), and
refuses to connect to private, loopback, link-local and other non-public addresses unless
`fetch.allow_private` is true. The address check runs on every connection, redirects included,
against every address the host name resolves to, and the connection goes to the checked address,
so a host name cannot be re-resolved to an internal address in between (DNS rebinding).
Callers may add request headers (a feed poller's validators and the feed's own headers); a 304 Not
Modified answer to such a conditional GET is a result, not an error.
"""
from __future__ import annotations

import gzip
import http.client
import io
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import urlparse

from newsmon.transforms.settings import Settings

USER_AGENT = "newsmon/0.1 (news monitoring; feed reader)"
_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
           "application/json;q=0.8, text/html;q=0.7, */*;q=0.5")
_SCHEMES = ("http", "https")
_CHUNK = 65536


class FetchError(Exception):
    """A URL that could not be read; the message is the dead-letter reason."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str | None
    url: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher may do (`limits.fetch_timeout_s`, `limits.max_input_bytes`, `fetch.*`)."""

    timeout_s: float = 20
    deadline_s: float = 60
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "FetchPolicy":
        return cls(timeout_s=settings.get("limits.fetch_timeout_s"), deadline_s=settings.get("fetch.deadline_s"),
                   max_bytes=settings.get("limits.max_input_bytes"),
                   max_redirects=settings.get("fetch.max_redirects"),
                   allow_private=settings.get("fetch.allow_private"))


def refused_address(address: str) -> str | None:
    """Why newsmon must not connect to `address` (an IP), or None for a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    for flag, what in (("is_loopback", "loopback"), ("is_link_local", "link-local"), ("is_private", "private"),
                       ("is_multicast", "multicast"), ("is_unspecified", "unspecified"),
                       ("is_reserved", "reserved")):
        if getattr(ip, flag):
            return what
    return None if ip.is_global else "non-public"


def _checked_addresses(host: str, port: int, allow_private: bool) -> list[tuple]:
    """The addresses `host` resolves to, or FetchError if any of them is not public (a name that
    resolves to one public and one internal address would let the internal one be reached)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve host {host}: {exc.strerror}") from None
    if not allow_private:
        for *_, sockaddr in infos:
            why = refused_address(sockaddr[0])
            if why:
                raise FetchError(f"refused to connect to {host} ({sockaddr[0]} is a {why} address); "
                                 "set fetch.allow_private: true to read feeds from internal hosts")
    return infos


class _Session:
    """One fetch: its deadline, the policy, and the sockets it opened (their timeouts follow the deadline)."""

    def __init__(self, policy: FetchPolicy, clock: Callable[[], float]):
        self.policy = policy
        self.clock = clock
        self.deadline = clock() + policy.deadline_s
        self.sockets: list[socket.socket] = []

    def remaining(self) -> float:
        left = self.deadline - self.clock()
        if left <= 0:
            raise FetchError(f"the download took longer than fetch.deadline_s ({self.policy.deadline_s} s)")
        return left

    def connect(self, address: tuple, timeout=None, source_address=None) -> socket.socket:
        """socket.create_connection, to an address that passed the check."""
        host, port = address[0], address[1]
        last_error: OSError | None = None
        for family, kind, proto, _, sockaddr in _checked_addresses(host, port, self.policy.allow_private):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(min(self.policy.timeout_s, self.remaining()))
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                last_error = exc
                continue
            self.sockets.append(sock)
            return sock
        raise last_error or OSError(f"no address for {host}")


def _guarded(base: type, session: _Session) -> type:
    class Guarded(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = session.connect
    return Guarded


class _GuardedHttp(urllib.request.HTTPHandler):
    def __init__(self, session: _Session):
        super().__init__()
        self._connection = _guarded(http.client.HTTPConnection, session)

    def http_open(self, req):
        return self.do_open(self._connection, req)


class _GuardedHttps(urllib.request.HTTPSHandler):
    def __init__(self, session: _Session):
        super().__init__()
        self._connection = _guarded(http.client.HTTPSConnection, session)

    def https_open(self, req):
        return self.do_open(self._connection, req, context=self._context)


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow at most `max_redirects` redirects, and only to http(s): not to file:// or ftp://."""

    def __init__(self, max_redirects: int):
        super().__init__()
        self._max = max_redirects

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlparse(newurl).scheme not in _SCHEMES:
            raise FetchError(f"redirected to a non-http(s) URL ({newurl})")
        hops = getattr(req, "newsmon_redirects", 0) + 1
        if hops > self._max:
            raise FetchError(f"more than fetch.max_redirects ({self._max}) redirects")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.newsmon_redirects = hops
        return new


def _too_large(limit: int) -> FetchError:
    return FetchError(f"the response is larger than limits.max_input_bytes ({limit} bytes)")


def _read_body(response, session: _Session) -> bytes:
    """The body, read in pieces so that both the size cap and the total deadline hold."""
    limit = session.policy.max_bytes
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    raw = getattr(getattr(response.fp, "raw", None), "_sock", None)
    parts, size = [], 0
    while True:
        left = session.remaining()
        if raw is not None:
            raw.settimeout(min(session.policy.timeout_s, left))
        chunk = response.read1(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        parts.append(chunk)
    data = b"".join(parts)
    if response.headers.get("Content-Encoding", "").lower() == "gzip":
        data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
    return data


def fetch(url: str, policy: FetchPolicy, clock: Callable[[], float] = time.monotonic,
          headers: Mapping[str, str] | None = None) -> Fetched:
    """The body of `url` (gzip undone), its content type, the final URL after redirects and its
    validators (ETag, Last-Modified); `headers` are sent too, over the defaults. A 304 comes back as
    a Fetched with status 304 and no data."""
    if urlparse(url).scheme not in _SCHEMES:
        raise FetchError(f"only http:// and https:// URLs can be fetched, not {url}")
    sent = {"User-Agent": USER_AGENT, "Accept": _ACCEPT, **(headers or {}), "Accept-Encoding": "gzip"}
    request = urllib.request.Request(url, headers=sent)
    session = _Session(policy, clock)
    # No ProxyHandler: a proxy would make the connection (and so the address check) go elsewhere.
    opener = urllib.request.OpenerDirector()
    for handler in (_GuardedHttp(session), _GuardedHttps(session), _LimitedRedirects(policy.max_redirects),
                    urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    try:
        with opener.open(request, timeout=min(policy.timeout_s, session.remaining())) as response:
            return Fetched(_read_body(response, session), response.headers.get("Content-Type"), response.geturl(),
                           response.status, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(b"", None, exc.geturl(), 304, exc.headers.get("ETag"), exc.headers.get("Last-Modified"))
        raise FetchError(f"HTTP {exc.code} {exc.reason} from {url}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"no answer from {url} within limits.fetch_timeout_s ({policy.timeout_s} s)") from None
        raise FetchError(f"cannot reach {url}: {reason}") from None
    except (socket.timeout, TimeoutError):
        if session.deadline <= clock():
            raise FetchError(f"the download took longer than fetch.deadline_s ({policy.deadline_s} s)") from None
        raise FetchError(f"no answer from {url} within limits.fetch_timeout_s ({policy.timeout_s} s)") from None
    except (OSError, EOFError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(f"reading {url} failed: {exc}") from None
    finally:
        for sock in session.sockets:
            sock.close()
