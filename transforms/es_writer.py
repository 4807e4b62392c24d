"""Writing records to Elasticsearch: a plain bulk writer, and the thin Beam sink around it.

The writer batches documents into `_bulk` requests bounded by count and by bytes (large articles must not
make one request too big to send). Each document's `_id` is the record's `id`, so re-running the same input
overwrites instead of duplicating. What the cluster cannot take right now (429 rejections, 5xx, lost or
timed-out connections) is retried with exponential backoff; what it refuses for good (a mapping conflict)
or what still fails after the retries becomes a dead-letter record (stage `index`) carrying the ES error;
what failed only for the moment (the node down or overloaded past the retries) is also kept in the spool
(`transforms.es_spool`) for `newsmon replay`.
Nothing raises out of the writer for a document's sake: a run never crashes because Elasticsearch went away.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterator

import apache_beam as beam
from apache_beam.transforms.window import GlobalWindow
from apache_beam.utils.timestamp import MIN_TIMESTAMP
from apache_beam.utils.windowed_value import WindowedValue
from elasticsearch import ApiError, Elasticsearch, TransportError

from newsmon.transforms import records
from newsmon.transforms.es_connection import EsSettings, make_client
from newsmon.transforms.es_documents import to_document
from newsmon.transforms.es_spool import Spool
from newsmon.transforms.settings import Settings

# Statuses worth another try: the cluster is busy (429) or briefly unavailable (5xx).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
INDEX_STAGE = "index"


@dataclass(frozen=True)
class BulkOptions:
    """Batching and retry limits (`elasticsearch.*` in config/newsmon.yaml)."""

    max_docs: int = 500
    max_bytes: int = 5_000_000
    max_retries: int = 5
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    flush_interval_s: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "BulkOptions":
        get = settings.get
        return cls(max_docs=get("elasticsearch.bulk_max_docs"), max_bytes=get("elasticsearch.bulk_max_bytes"),
                   max_retries=get("elasticsearch.max_retries"),
                   initial_backoff_s=float(get("elasticsearch.initial_backoff_s")),
                   max_backoff_s=float(get("elasticsearch.max_backoff_s")),
                   flush_interval_s=float(get("elasticsearch.flush_interval_s")))

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (0-based): doubling, capped."""
        return min(self.max_backoff_s, self.initial_backoff_s * (2 ** attempt))


@dataclass
class _Pending:
    """One buffered document: its serialised bulk lines and what a dead-letter needs to name it."""

    doc_id: str
    input_ref: str
    lines: bytes
    record: dict


@dataclass
class WriterStats:
    indexed: int = 0
    failed: int = 0
    spooled: int = 0
    retries: int = 0
    requests: int = 0


class BulkWriter:
    """Buffers documents for one index and sends them as bulk requests; returns dead-letters for failures.

    With a `spool`, documents that failed only for the moment are also spooled; `deadletter_index` is where
    their dead-letters are indexed, so that a replay can remove them again."""

    def __init__(self, client: Elasticsearch, index: str, options: BulkOptions = BulkOptions(), *,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 spool: Spool | None = None, deadletter_index: str | None = None):
        self._client = client
        self._index = index
        self._spool = spool
        self._deadletter_index = deadletter_index
        self._options = options
        self._sleep = sleep
        self._clock = clock
        self._dumps = client.transport.serializers.get_serializer("application/json").dumps
        self._buffer: list[_Pending] = []
        self._buffered_bytes = 0
        self._oldest: float | None = None
        self.stats = WriterStats()

    def add(self, record: dict) -> list[dict]:
        """Buffer one record; sends a request when the batch is full. Returns dead-letters, usually none."""
        doc_id = str(record["id"])
        action = self._dumps({"index": {"_id": doc_id}})
        lines = action + b"\n" + self._dumps(to_document(record)) + b"\n"
        failures = []
        if self._buffer and self._buffered_bytes + len(lines) > self._options.max_bytes:
            failures = self.flush()
        self._buffer.append(_Pending(doc_id, str(record.get("input") or f"{self._index}/{doc_id}"), lines, record))
        self._buffered_bytes += len(lines)
        if self._oldest is None:
            self._oldest = self._clock()
        if len(self._buffer) >= self._options.max_docs or self._buffered_bytes >= self._options.max_bytes:
            failures += self.flush()
        return failures

    @property
    def buffered(self) -> int:
        """Documents added and not sent yet (`add` may send a full batch before returning)."""
        return len(self._buffer)

    def due(self) -> bool:
        """True when the oldest buffered document waited `flush_interval_s`: the hook for streaming runs."""
        return self._oldest is not None and self._clock() - self._oldest >= self._options.flush_interval_s

    def flush(self) -> list[dict]:
        """Send everything buffered (retrying what can be retried); dead-letters for what failed."""
        batch, self._buffer, self._buffered_bytes, self._oldest = self._buffer, [], 0, None
        failures: list[dict] = []
        attempt = 0
        while batch:
            batch, last_error = self._send(batch, failures)
            if not batch:
                break
            if attempt >= self._options.max_retries:
                error, reason = last_error
                failures += [self._give_up(item, error, f"{reason} (gave up after {attempt} retries)")
                             for item in batch]
                break
            self._sleep(self._options.backoff(attempt))
            attempt += 1
            self.stats.retries += 1
        self.stats.failed += len(failures)
        return failures

    def _send(self, batch: list[_Pending], failures: list[dict]) -> tuple[list[_Pending], tuple[str, str]]:
        """One bulk request. Returns the items to retry and the error that made them retryable;
        items refused for good are appended to `failures`."""
        self.stats.requests += 1
        body = b"".join(item.lines for item in batch)
        try:
            response = self._client.bulk(operations=body, index=self._index)
        except ApiError as exc:
            status = exc.meta.status
            error = (f"http_{status}", f"Elasticsearch answered HTTP {status}: {_api_reason(exc)}")
            if status in RETRY_STATUSES:
                return batch, error
            failures += [self._deadletter(item, *error) for item in batch]
            return [], error
        except TransportError as exc:
            return batch, ("connection_error", f"Elasticsearch unreachable: {type(exc).__name__}: {exc.message}")
        if not response.get("errors"):
            self.stats.indexed += len(batch)
            return [], ("", "")
        retry: list[_Pending] = []
        error = ("", "")
        for item, entry in zip(batch, response["items"]):
            result = next(iter(entry.values()))
            status = result.get("status", 0)
            if status < 300:
                self.stats.indexed += 1
                continue
            cause = result.get("error") or {}
            kind = cause.get("type", f"http_{status}") if isinstance(cause, dict) else f"http_{status}"
            reason = f"Elasticsearch refused the document: {kind}: {_error_reason(cause)}"
            if status in RETRY_STATUSES:
                retry.append(item)
                error = (kind, reason)
            else:
                failures.append(self._deadletter(item, kind, reason))
        return retry, error

    def _deadletter(self, item: _Pending, error: str, reason: str, **extra) -> dict:
        failure = records.deadletter(item.input_ref, INDEX_STAGE, error, reason, index=self._index,
                                     record_id=item.doc_id, **extra)
        # One dead-letter per document: an article and its events share their input.
        failure["id"] = records.stable_id("deadletter", item.input_ref, INDEX_STAGE, self._index, item.doc_id)
        return failure

    def _give_up(self, item: _Pending, error: str, reason: str) -> dict:
        """The dead-letter of a document that failed only for the moment; spooled for a replay."""
        if self._spool is None:
            return self._deadletter(item, error, reason)
        failure = self._deadletter(item, error, f"{reason}; spooled for `newsmon replay`", spooled=True)
        self._spool.add(self._index, item.record, failure, self._deadletter_index)
        self.stats.spooled += 1
        return failure


def _error_reason(cause) -> str:
    if not isinstance(cause, dict):
        return str(cause)[:500]
    reason = str(cause.get("reason", ""))
    inner = cause.get("caused_by")
    if isinstance(inner, dict) and inner.get("reason"):
        reason += f" (caused by {inner.get('type')}: {inner['reason']})"
    return reason[:500]


def _api_reason(exc: ApiError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f"{body['error'].get('type')}: {_error_reason(body['error'])}"
    return str(exc.message)[:300]


class ElasticsearchDoFn(beam.DoFn):
    """A DoFn with one Elasticsearch client per worker, and a spool named `spool_name` under
    `spool_dir` when one is given: opened in setup, closed in teardown."""

    def __init__(self, es: EsSettings, spool_dir: str | None, spool_name: str):
        self._es = es
        self._spool_dir = spool_dir
        self._spool_name = spool_name
        self._client: Elasticsearch | None = None
        self._spool: Spool | None = None

    def setup(self) -> None:
        self._client = make_client(self._es)
        if self._spool_dir:
            self._spool = Spool(self._spool_dir, self._spool_name)

    def teardown(self) -> None:
        if self._spool is not None:
            self._spool.close()
        if self._client is not None:
            self._client.close()


class _IndexRecords(ElasticsearchDoFn):
    """One writer per bundle, flushed when the bundle ends; yields dead-letters for documents
    that could not be indexed."""

    def __init__(self, es: EsSettings, index: str, options: BulkOptions, spool_dir: str | None):
        super().__init__(es, spool_dir, index)
        self._index = index
        self._options = options
        self._writer: BulkWriter | None = None

    def start_bundle(self) -> None:
        self._writer = BulkWriter(self._client, self._index, self._options, spool=self._spool,
                                  deadletter_index=self._es.index(records.DEADLETTER))

    def process(self, record: dict) -> Iterator[dict]:
        yield from self._writer.add(record)
        if self._writer.due():
            yield from self._writer.flush()

    def finish_bundle(self) -> Iterator[WindowedValue]:
        for failure in self._writer.flush():
            yield WindowedValue(failure, MIN_TIMESTAMP, [GlobalWindow()])


class WriteToElasticsearch(beam.PTransform):
    """Index a PCollection of records into `index`; the output is the dead-letters of failed documents.
    With `spool_dir`, documents that failed only for the moment are also spooled there for a replay."""

    def __init__(self, es: EsSettings, index: str, options: BulkOptions = BulkOptions(),
                 spool_dir: str | None = None):
        super().__init__()
        self._es = es
        self._index = index
        self._options = options
        self._spool_dir = spool_dir

    def expand(self, pcoll):
        return pcoll | "Bulk" >> beam.ParDo(_IndexRecords(self._es, self._index, self._options, self._spool_dir))
