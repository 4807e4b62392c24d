"""Feeds polled by `newsmon watch --feeds FILE`: configuration, conditional GET, backoff, new items.

Each feed is polled at its own interval with `If-None-Match` / `If-Modified-Since`, so an unchanged
feed costs the publisher a 304 and us nothing. Polls go through the same guarded fetcher as
`newsmon run` (http(s) only, no private addresses unless `fetch.allow_private`, deadline, redirect
and size limits), so a feeds file cannot reach further than an input URL can. Failures back off exponentially (up to an hour) and
are logged, never fatal: a feed that is down must not stop the watch. Items are de-duplicated across
polls by guid (link or title when a feed has no guid) in keyed state, seeded from the ledger so that
a restart does not bring back items already processed.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Tuple

import apache_beam as beam
import yaml
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from newsmon.transforms.inputs import is_url
from newsmon.transforms.readers.fetch import Fetched, FetchError, FetchPolicy, fetch
from newsmon.transforms.settings import ConfigError, Settings
from newsmon.transforms.sources import control, ledger
from newsmon.transforms.sources.reading import read_feed_body

LOG = logging.getLogger(__name__)
MAX_BACKOFF_S = 3600.0
# Item keys remembered per feed: far more than any feed lists at once, so nothing comes back.
SEEN_LIMIT = 5000


@dataclass(frozen=True)
class FeedSource:
    url: str
    interval_s: float = 300.0
    headers: dict = field(default_factory=dict)


def _feed_error(path: str, index: int, message: str) -> ConfigError:
    return ConfigError(f"{path}: feed {index + 1}: {message}")


def parse_feed_entry(path: str, index: int, entry) -> FeedSource:
    if isinstance(entry, str):
        entry = {"url": entry}
    if not isinstance(entry, dict):
        raise _feed_error(path, index, "must be a mapping such as {url: https://..., interval_s: 300}")
    unknown = sorted(set(entry) - {"url", "interval_s", "headers"})
    if unknown:
        raise _feed_error(path, index, f"unknown key '{unknown[0]}'; known keys: url, interval_s, headers")
    url = entry.get("url")
    if not isinstance(url, str) or not is_url(url):
        raise _feed_error(path, index, f"'url' is {url!r}; set it to an http:// or https:// feed URL")
    interval = entry.get("interval_s", 300)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
        raise _feed_error(path, index, f"'interval_s' is {interval!r}; set it to a positive number of seconds")
    headers = entry.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise _feed_error(path, index, "'headers' must map header names to string values")
    return FeedSource(url=url, interval_s=float(interval), headers=dict(headers))


def load_feeds(path: str) -> list[FeedSource]:
    """The feeds of a `--feeds FILE`: a YAML list of {url, interval_s, headers} (or of bare URLs)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read feeds file ({exc.strerror}); check the path") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: invalid YAML{where}; fix the syntax") from None
    if not isinstance(data, list) or not data:
        raise ConfigError(f"{path}: must be a non-empty YAML list of feeds, e.g. '- url: https://example.org/rss'")
    feeds = [parse_feed_entry(path, index, entry) for index, entry in enumerate(data)]
    urls = [feed.url for feed in feeds]
    duplicate = next((url for url in urls if urls.count(url) > 1), None)
    if duplicate:
        raise ConfigError(f"{path}: feed {duplicate} is listed twice; keep one entry per URL")
    return feeds


@dataclass
class FeedPollState:
    """What a feed's poller remembers between polls."""

    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: float = 0.0
    failures: int = 0
    seen: list[str] = field(default_factory=list)


def conditional_get(feed: FeedSource, state: FeedPollState, policy: FetchPolicy) -> Fetched:
    """GET the feed through the guarded fetcher, sending the validators of the last 200; a 304
    means nothing changed. Raises FetchError with the reason (refused address, HTTP error, ...)."""
    headers = dict(feed.headers)
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return fetch(feed.url, policy, headers=headers)


def backoff_s(interval_s: float, failures: int) -> float:
    """Delay before the next try after `failures` failures in a row: doubling, capped at an hour."""
    return min(MAX_BACKOFF_S, interval_s * 2 ** min(failures, 16)) if failures else interval_s


def poll_once(feed: FeedSource, state: FeedPollState, settings: Settings, now: float,
              timeout_s: float) -> list[tuple[str, dict]]:
    """Poll the feed if due; update `state`; return (key, tagged item) for items not seen before."""
    if now < state.next_poll_at:
        return []
    policy = replace(FetchPolicy.from_settings(settings), timeout_s=timeout_s)
    try:
        result = conditional_get(feed, state, policy)
    except FetchError as exc:
        state.failures += 1
        state.next_poll_at = now + backoff_s(feed.interval_s, state.failures)
        LOG.warning("feed %s: %s; next try in %.0f s", feed.url, exc, state.next_poll_at - now)
        return []
    state.failures = 0
    state.next_poll_at = now + feed.interval_s
    if result.status == 304:
        return []
    state.etag, state.last_modified = result.etag, result.last_modified
    fresh = read_feed_body(feed.url, result.data, set(state.seen), now, settings, result.url, result.content_type)
    state.seen = (state.seen + [key for key, _ in fresh])[-SEEN_LIMIT:]
    return fresh


class PollFeed(beam.DoFn):
    """(url, feed) per tick -> new items of that feed; the poll state is keyed by URL."""

    POLL_STATE = ReadModifyWriteStateSpec("poll", PickleCoder())

    def __init__(self, state_dir: str, settings: Settings, timeout_s: float):
        self._state_dir = state_dir
        self._settings = settings
        self._timeout_s = timeout_s
        self._processed: set[str] = set()
        self._arrived = Metrics.counter("newsmon", "arrived")

    def setup(self) -> None:
        self._processed = ledger.load_processed(self._state_dir)

    def process(self, keyed_feed, poll=beam.DoFn.StateParam(POLL_STATE)) -> Iterator[dict]:
        url, feed = keyed_feed
        if control.is_draining(self._state_dir):
            return
        state = poll.read()
        if state is None:
            prefix = ledger.feed_item_key(url, "")
            state = FeedPollState(seen=sorted(key for key in self._processed if key.startswith(prefix)))
        fresh = poll_once(feed, state, self._settings, time.time(), self._timeout_s)
        poll.write(state)
        for _, record in fresh:
            self._arrived.inc()
            yield record


class WatchFeeds(beam.PTransform):
    """Ticks -> raw items of the feeds' new entries."""

    def __init__(self, feeds: list[FeedSource], state_dir: str, settings: Settings, timeout_s: float = 10.0):
        super().__init__()
        self._feeds = feeds
        self._state_dir = state_dir
        self._settings = settings
        self._timeout_s = min(timeout_s, settings.get("limits.fetch_timeout_s"))

    def expand(self, ticks):
        feeds = self._feeds
        return (
            ticks
            | "EachFeed" >> beam.FlatMap(lambda _: [(feed.url, feed) for feed in feeds]).with_output_types(
                Tuple[str, Any])
            | "PollFeed" >> beam.ParDo(PollFeed(self._state_dir, self._settings, self._timeout_s))
        )
