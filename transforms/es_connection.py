"""How newsmon reaches Elasticsearch: URL, credentials, CA certificate and index names.

Settings come from flags, then the environment, then `config/newsmon.yaml`; secrets come only from the
environment (NEWSMON_ES_API_KEY, or NEWSMON_ES_USER and NEWSMON_ES_PASSWORD) so that they never sit in a
config file, a command line visible to `ps`, or a log. Anything printed goes through `redact_url`.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping
from urllib.parse import urlsplit

from newsmon.transforms import records
from newsmon.transforms.settings import ConfigError, Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

ENV_URL = "NEWSMON_ES_URL"
ENV_API_KEY = "NEWSMON_ES_API_KEY"
ENV_USER = "NEWSMON_ES_USER"
ENV_PASSWORD = "NEWSMON_ES_PASSWORD"
ENV_CA_CERT = "NEWSMON_ES_CA_CERT"


@dataclass(frozen=True)
class EsSettings:
    """Everything needed to open a client; picklable, so Beam ships it to workers."""

    url: str
    index_prefix: str = "newsmon"
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    request_timeout_s: float = 30.0

    def index(self, output: str) -> str:
        """The index of one output, e.g. `newsmon-articles`."""
        return f"{self.index_prefix}-{output}"

    def __repr__(self) -> str:  # secrets must not leak through logs or Beam's display data
        return f"EsSettings(url={redact_url(self.url)!r}, index_prefix={self.index_prefix!r})"


MASK = "***"
# A URL's scheme and user info, up to the last "@" before the host (a password may hold "@").
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s]+@")


def redact_url(text: str) -> str:
    """`text` (a URL, or a message holding URLs) without any URL's user:password part."""
    return _USERINFO.sub(rf"\1{MASK}@", text)


def _check_prefix(prefix: str) -> str:
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    if not prefix or not set(prefix) <= allowed or prefix[0] in "-_":
        raise ConfigError(f"index prefix '{prefix}' is not a valid index name; use lower-case letters, "
                          "digits, '-' or '_' (not first), e.g. --index-prefix newsmon")
    return prefix


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"Elasticsearch URL '{redact_url(url)}' is not an http(s) URL; "
                          "pass e.g. --es-url http://localhost:9200")
    return url


def es_settings(settings: Settings, url: str | None = None, index_prefix: str | None = None,
                env: Mapping[str, str] | None = None) -> EsSettings:
    """Connection settings from flags (`url`, `index_prefix`), the environment and the config."""
    env = os.environ if env is None else env
    api_key = env.get(ENV_API_KEY) or None
    username = env.get(ENV_USER) or None
    password = env.get(ENV_PASSWORD) or None
    if (username is None) != (password is None):
        raise ConfigError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
    if api_key and username:
        raise ConfigError(f"set either {ENV_API_KEY} or {ENV_USER}/{ENV_PASSWORD}, not both")
    ca_certs = env.get(ENV_CA_CERT) or None
    if ca_certs and not os.path.isfile(ca_certs):
        raise ConfigError(f"{ENV_CA_CERT} names '{ca_certs}', which is not a file; point it at the CA certificate (PEM)")
    return EsSettings(
        url=_check_url(url or env.get(ENV_URL) or settings.get("elasticsearch.url")),
        index_prefix=_check_prefix(index_prefix or settings.get("elasticsearch.index_prefix")),
        api_key=api_key,
        username=username,
        password=password,
        ca_certs=ca_certs,
        request_timeout_s=float(settings.get("elasticsearch.request_timeout_s")),
    )


def make_client(es: EsSettings, **options) -> Elasticsearch:
    """A client for `es`. The client's own retries are off: the bulk writer retries with its own
    backoff and accounting, and one-off calls should fail fast with a clear message.
    The client library is imported here, where a client is made: runs without Elasticsearch
    (`--no-es`) never pay the second it takes to import."""
    from elasticsearch import Elasticsearch

    kwargs: dict = {"request_timeout": es.request_timeout_s, "max_retries": 0, "retry_on_status": ()}
    if es.api_key:
        kwargs["api_key"] = es.api_key
    elif es.username:
        kwargs["basic_auth"] = (es.username, es.password)
    if es.ca_certs:
        kwargs["ca_certs"] = es.ca_certs
    kwargs.update(options)
    return Elasticsearch(es.url, **kwargs)


@dataclass(frozen=True)
class Unreachable:
    """Why a cluster cannot be used: a short `reason` without secrets, and whether it answered but
    refused the credentials (then the fix is the credentials, not the node)."""

    reason: str
    refused_credentials: bool = False


def unreachable(es: EsSettings) -> Unreachable | None:
    """None when the cluster answers; otherwise why not, for a one-line error."""
    client = make_client(es, request_timeout=5)
    try:
        client.info()
    except Exception as exc:  # noqa: BLE001  (any failure means "cannot use it"; the reason says which)
        status = getattr(exc, "status_code", None) or getattr(getattr(exc, "meta", None), "status", None)
        if status in (401, 403):
            return Unreachable(f"HTTP {status}", refused_credentials=True)
        detail = str(getattr(exc, "message", "") or exc).splitlines()[0][:200] if str(exc) else "no answer"
        return Unreachable(f"{type(exc).__name__}: {detail}")
    finally:
        client.close()
    return None


def output_indices(es: EsSettings) -> dict[str, str]:
    """Output name -> index name, for every output of a run."""
    return {name: es.index(name) for name in records.OUTPUTS}


def refresh_and_count(client: Elasticsearch, es: EsSettings) -> dict[str, int]:
    """Make the run's documents searchable now, and count them per index (0 for a missing index)."""
    indices = list(output_indices(es).values())
    client.options(ignore_status=404).indices.refresh(index=",".join(indices), ignore_unavailable=True)
    counts = {}
    for index in indices:
        response = client.options(ignore_status=404).count(index=index)
        counts[index] = int(response.get("count", 0)) if response.meta.status == 200 else 0
    return counts
