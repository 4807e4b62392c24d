"""Kibana's saved objects API: import (overwrite) and export of the dashboard's objects.

Credentials come from the environment only, like the Elasticsearch connection: NEWSMON_KIBANA_API_KEY,
or NEWSMON_KIBANA_USER and NEWSMON_KIBANA_PASSWORD; when none is set, the Elasticsearch ones
(NEWSMON_ES_*) are used, since a Kibana user usually is an Elasticsearch user. NEWSMON_KIBANA_CA_CERT
(or NEWSMON_ES_CA_CERT) names a PEM CA for TLS. Nothing printed carries a secret (`redact_url`).
"""
from __future__ import annotations

import base64
import json
import os
import ssl
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

from newsmon.transforms.es_connection import redact_url
from newsmon.transforms.settings import ConfigError

ENV_URL = "NEWSMON_KIBANA_URL"
# Saved object types the dashboard is made of (what `export` asks for).
EXPORT_TYPES = ("index-pattern", "lens", "map", "search", "visualization", "dashboard")


class KibanaError(Exception):
    """Kibana refused a request or could not be reached; the message is one line without secrets."""


@dataclass(frozen=True)
class KibanaSettings:
    url: str
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    timeout_s: float = 60.0

    def __repr__(self) -> str:
        return f"KibanaSettings(url={redact_url(self.url)!r})"


def _credential(env: Mapping[str, str], name: str) -> str | None:
    return env.get(f"NEWSMON_KIBANA_{name}") or None


def kibana_settings(url: str | None, env: Mapping[str, str] | None = None) -> KibanaSettings:
    """Settings from `--kibana-url` (or NEWSMON_KIBANA_URL) and credentials from the environment."""
    env = os.environ if env is None else env
    url = (url or env.get(ENV_URL) or "").rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"Kibana URL '{redact_url(url)}' is not an http(s) URL; "
                          f"pass e.g. --kibana-url http://localhost:5601 (or set {ENV_URL})")
    own = any(_credential(env, name) for name in ("API_KEY", "USER", "PASSWORD"))
    prefix = "NEWSMON_KIBANA_" if own else "NEWSMON_ES_"
    api_key, user, password = (env.get(prefix + name) or None for name in ("API_KEY", "USER", "PASSWORD"))
    if (user is None) != (password is None):
        raise ConfigError(f"set both {prefix}USER and {prefix}PASSWORD, or neither")
    if api_key and user:
        raise ConfigError(f"set either {prefix}API_KEY or {prefix}USER/{prefix}PASSWORD, not both")
    ca_certs = env.get("NEWSMON_KIBANA_CA_CERT") or env.get("NEWSMON_ES_CA_CERT") or None
    if ca_certs and not os.path.isfile(ca_certs):
        raise ConfigError(f"the CA certificate '{ca_certs}' is not a file; point NEWSMON_KIBANA_CA_CERT at a PEM file")
    return KibanaSettings(url=url, api_key=api_key, username=user, password=password, ca_certs=ca_certs)


def _headers(kibana: KibanaSettings) -> dict[str, str]:
    headers = {"kbn-xsrf": "newsmon"}  # Kibana refuses state-changing API calls without it
    if kibana.api_key:
        headers["Authorization"] = f"ApiKey {kibana.api_key}"
    elif kibana.username:
        token = base64.b64encode(f"{kibana.username}:{kibana.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return headers


def _request(kibana: KibanaSettings, path: str, body: bytes, content_type: str) -> bytes:
    request = urllib.request.Request(f"{kibana.url}{path}", data=body, method="POST",
                                     headers={**_headers(kibana), "Content-Type": content_type})
    context = ssl.create_default_context(cafile=kibana.ca_certs) if kibana.ca_certs else None
    try:
        with urllib.request.urlopen(request, timeout=kibana.timeout_s, context=context) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        try:
            detail = json.loads(detail).get("message", detail)
        except (ValueError, AttributeError):
            pass
        hint = "; check NEWSMON_KIBANA_API_KEY or NEWSMON_KIBANA_USER/PASSWORD" if exc.code in (401, 403) else ""
        raise KibanaError(f"Kibana {redact_url(kibana.url)} answered HTTP {exc.code} to {path}: "
                          f"{' '.join(str(detail).split())[:300]}{hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise KibanaError(f"Kibana is not reachable at {redact_url(kibana.url)} ({reason})") from None


def _multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = f"newsmon-{uuid.uuid4().hex}"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            "Content-Type: application/ndjson\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class ImportResult:
    imported: int
    errors: list[str]


def import_objects(kibana: KibanaSettings, ndjson: str, filename: str = "newsmon.ndjson") -> ImportResult:
    """Import saved objects, replacing objects with the same ids (`overwrite=true`)."""
    body, content_type = _multipart("file", filename, ndjson.encode("utf-8"))
    answer = json.loads(_request(kibana, "/api/saved_objects/_import?overwrite=true", body, content_type))
    errors = [f"{e.get('type')} {e.get('id')}: {json.dumps(e.get('error', {}), sort_keys=True)}"
              for e in answer.get("errors", [])]
    return ImportResult(imported=int(answer.get("successCount", 0)), errors=errors)


def export_objects(kibana: KibanaSettings, dashboard_id: str | None) -> str:
    """The dashboard `dashboard_id` with every object it references (all of EXPORT_TYPES when None), as
    Kibana's NDJSON export: edits made in Kibana can be kept in a file and imported elsewhere."""
    wanted = {"objects": [{"type": "dashboard", "id": dashboard_id}]} if dashboard_id else {"type": list(EXPORT_TYPES)}
    payload = json.dumps({**wanted, "includeReferencesDeep": True, "excludeExportDetails": False})
    return _request(kibana, "/api/saved_objects/_export", payload.encode(), "application/json").decode("utf-8")
