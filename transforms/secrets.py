"""Keeping credentials out of everything newsmon prints: messages, logs and tracebacks.

Credentials reach newsmon only through the environment (`NEWSMON_ES_API_KEY`, `NEWSMON_ES_USER` and
`NEWSMON_ES_PASSWORD`) or a URL's user:password part. Any text about to be shown goes through `redact`,
which masks URL user info and every known secret, also in the encoded form an HTTP header carries
(a proxy or server that echoes the request would otherwise put it into an error message).
"""
from __future__ import annotations

import base64
import logging
import re
from typing import Iterable, Mapping
from urllib.parse import unquote, urlsplit

from newsmon.transforms.es_connection import ENV_API_KEY, ENV_PASSWORD, ENV_USER, MASK, redact_url

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s]+")
# Shorter values are too likely to occur in ordinary text to be masked everywhere.
_MIN_SECRET_CHARS = 4


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def secret_values(env: Mapping[str, str], args: Iterable[str] = ()) -> list[str]:
    """The secrets of this process: from the environment, and from URLs with user info in `args`."""
    found = []
    if env.get(ENV_API_KEY):
        found.append(env[ENV_API_KEY])
    if env.get(ENV_PASSWORD):
        found += [env[ENV_PASSWORD], _basic(env.get(ENV_USER, ""), env[ENV_PASSWORD])]
    for arg in args:
        for url in _URL.findall(arg):
            parts = urlsplit(url)
            if parts.password:
                found += [parts.password, unquote(parts.password), _basic(unquote(parts.username or ""),
                                                                          unquote(parts.password))]
    return sorted({value for value in found if len(value) >= _MIN_SECRET_CHARS}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with URL user info and every secret masked."""
    text = redact_url(text)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in every log record that reaches the handler it is attached to."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = redact(message, self.secrets), ()
        return True
