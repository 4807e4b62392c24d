"""Webhook delivery: POST each alert as JSON, retry with backoff, dead-letter what never arrives.

Delivery is at-least-once per alert record; receivers can deduplicate on the alert `id`,
which is stable across re-runs. Only the standard library is used (urllib), so a worker needs
no HTTP client package.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Callable, Iterator

import apache_beam as beam

from newsmon.transforms import records
from newsmon.transforms.alerts.rules import RuleSet, Target

STAGE = "deliver"


def payload(alert: dict, target: Target) -> bytes:
    """The request body: the alert record, or Slack's `{"text": ...}`."""
    body = {"text": alert["message"]} if target.format == "slack" else alert
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def post(url: str, body: bytes, timeout_s: float) -> None:
    """One POST; raises on a network error or a non-2xx answer."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        response.read()


def deliver(alert: dict, target: Target, sleep: Callable[[float], None] = time.sleep) -> dict | None:
    """POST `alert` to `target`, retrying; None when delivered, else a dead-letter record."""
    body = payload(alert, target)
    problem = ""
    for attempt in range(target.retries + 1):
        if attempt:
            sleep(target.backoff_s * 2 ** (attempt - 1))
        try:
            post(target.url, body, target.timeout_s)
            return None
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError) as exc:
            problem = str(getattr(exc, "reason", exc))
    return records.deadletter(
        f"alert {alert['id']} -> {target.name} ({target.url})", STAGE, "webhook failed",
        f"{target.retries + 1} attempt(s) failed, last: {problem}; the alert is kept here and in alerts.jsonl",
        alert=alert)


class DeliverAlerts(beam.PTransform):
    """Alerts -> dead-letter records for deliveries that failed after every retry."""

    def __init__(self, ruleset: RuleSet):
        super().__init__()
        self._targets = ruleset.targets

    def expand(self, alerts):
        targets = self._targets
        return alerts | "PostWebhooks" >> beam.FlatMap(_deliver_all, targets)


def _deliver_all(alert: dict, targets: dict[str, Target]) -> Iterator[dict]:
    for name in alert.get("targets", ()):
        failure = deliver(alert, targets[name])
        if failure is not None:
            yield failure
