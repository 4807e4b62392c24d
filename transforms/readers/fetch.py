"""Fetching feed URLs: http(s) only, with a timeout and a size cap, errors as one-line reasons."""
from __future__ import annotations

import gzip
import http.client
import io
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

USER_AGENT = "newsmon/0.1 (news monitoring; feed reader)"
_ACCEPT = ("application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
           "application/json;q=0.8, text/html;q=0.7, */*;q=0.5")
_SCHEMES = ("http", "https")


class FetchError(Exception):
    """A URL that could not be read; the message is the dead-letter reason."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str | None
    url: str


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): a feed must not send the reader to file:// or ftp://."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlparse(newurl).scheme not in _SCHEMES:
            raise FetchError(f"redirected to a non-http(s) URL ({newurl})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _read_capped(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FetchError(f"the response is larger than limits.max_input_bytes ({limit} bytes)")
    return data


def fetch(url: str, timeout_s: float, max_bytes: int) -> Fetched:
    """The body of `url` (gzip undone), its content type and the final URL after redirects."""
    if urlparse(url).scheme not in _SCHEMES:
        raise FetchError(f"only http:// and https:// URLs can be fetched, not {url}")
    request = urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT, "Accept-Encoding": "gzip"})
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    try:
        with opener.open(request, timeout=timeout_s) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the response is larger than limits.max_input_bytes ({max_bytes} bytes)")
            data = _read_capped(response, max_bytes)
            if response.headers.get("Content-Encoding", "").lower() == "gzip":
                data = _read_capped(gzip.GzipFile(fileobj=io.BytesIO(data)), max_bytes)
            return Fetched(data, response.headers.get("Content-Type"), response.geturl())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason} from {url}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"no answer from {url} within limits.fetch_timeout_s ({timeout_s} s)") from None
        raise FetchError(f"cannot reach {url}: {reason}") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"no answer from {url} within limits.fetch_timeout_s ({timeout_s} s)") from None
    except (OSError, EOFError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(f"reading {url} failed: {exc}") from None
