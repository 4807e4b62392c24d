"""The Elasticsearch sink of `newsmon watch`: records searchable about a second after they are made,
and the arrivals whose documents are in, for the processed-arrivals ledger.

It reuses the batch writer (`es_writer.BulkWriter`: bulks bounded by count and bytes, retries with
backoff on 429/5xx and lost connections, dead-letters, the spool); what differs is when a bulk
goes out. A streaming input never ends and news arrives a few articles a minute, so a size-bounded
bulk would wait for minutes: here a partly filled bulk is sent once its oldest document waited
`elasticsearch.flush_interval_s` (1 s by default), and at the latest when the runner ends the bundle.

An arrival is acknowledged only after the flush that wrote its record: indexed, or refused for
good and indexed as a dead-letter (stage `index`), or, the node being away past the retries, kept
in the spool for `newsmon replay`. Acknowledged arrivals go into the ledger and are never read
again; the others are taken again by the next start, and their documents overwrite themselves
(`_id` = the record's id), so a restart neither loses nor duplicates a document.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue

from newsmon.transforms import records
from newsmon.transforms.es_connection import EsSettings
from newsmon.transforms.es_writer import BulkOptions, BulkWriter, ElasticsearchDoFn

# Tagged output of `IndexLive`: dead-letters of documents Elasticsearch did not take, for the other sinks.
INDEX_FAILURES = "index_failures"


@dataclass
class _Sent:
    """What acknowledging one buffered record, or passing its failure on, needs after its bulk went out."""

    doc_id: str
    arrival: dict | None
    timestamp: Timestamp
    window: Any


class IndexLive(ElasticsearchDoFn):
    """(output name, record) -> the `arrival` of each per-input record once its document is written
    (main output), and dead-letters of documents Elasticsearch did not take (`INDEX_FAILURES`).

    One client and one writer per index per worker (setup); the writers' buffers are sent when due
    and emptied at the end of every bundle, so nothing stays buffered across bundles.
    """

    def __init__(self, es: EsSettings, options: BulkOptions, spool_dir: str | None,
                 per_input_outputs: tuple[str, ...]):
        super().__init__(es, spool_dir, f"{es.index_prefix}-watch")
        self._options = options
        self._per_input = per_input_outputs
        self._writers: dict[str, BulkWriter] = {}
        self._unsent: dict[str, list[_Sent]] = {}
        self._indexed = Metrics.counter("newsmon", "indexed")
        self._failed = Metrics.counter("newsmon", "index_failures")

    def setup(self) -> None:
        super().setup()
        deadletter_index = self._es.index(records.DEADLETTER)
        self._writers = {
            name: BulkWriter(self._client, self._es.index(name), self._options, spool=self._spool,
                             deadletter_index=deadletter_index)
            for name in records.OUTPUTS
        }
        self._unsent = {name: [] for name in records.OUTPUTS}

    def process(self, named_record, ts=beam.DoFn.TimestampParam, win=beam.DoFn.WindowParam) -> Iterator:
        name, record = named_record
        arrival = record.get(records.ARRIVAL) if name in self._per_input else None
        yield from self._add(name, record, _Sent(str(record["id"]), arrival, ts, win))
        if any(writer.due() for writer in self._writers.values()):
            yield from self._flush_all()

    def finish_bundle(self) -> Iterator:
        yield from self._flush_all()

    def _add(self, name: str, record: dict, item: _Sent) -> Iterator:
        self._unsent[name].append(item)
        yield from self._settle(name, self._writers[name].add(record))

    def _flush_all(self) -> Iterator:
        """Send every buffer; the dead-letter index last, as it also takes the others' failures."""
        for name, writer in self._writers.items():
            if name != records.DEADLETTER:
                yield from self._settle(name, writer.flush())
        yield from self._settle(records.DEADLETTER, self._writers[records.DEADLETTER].flush())

    def _settle(self, name: str, failures: list[dict]) -> Iterator:
        """Acknowledge the records of `name` that left the buffer and pass their failures on.

        A writer keeps the newest documents buffered when `add` sent a full batch, so the records
        sent are the oldest ones not acknowledged yet."""
        unsent = self._unsent[name]
        sent_count = len(unsent) - self._writers[name].buffered
        sent, self._unsent[name] = unsent[:sent_count], unsent[sent_count:]
        self._indexed.inc(len(sent) - len(failures))
        self._failed.inc(len(failures))
        for item in sent:
            if item.arrival:
                yield WindowedValue(item.arrival, item.timestamp, [item.window])
        if name == records.DEADLETTER:
            # As in batch runs, a dead-letter the index refused is not collected again: the other
            # sinks have it, and the spool has it if the node was away.
            return
        by_id = {item.doc_id: item for item in sent}
        for failure in failures:
            item = by_id[failure["record_id"]]
            yield beam.pvalue.TaggedOutput(INDEX_FAILURES, WindowedValue(failure, item.timestamp, [item.window]))
            yield from self._add(records.DEADLETTER, failure,
                                 _Sent(failure["id"], None, item.timestamp, item.window))


class WriteElasticsearchLive(beam.PTransform):
    """(output name, record) -> {"acks": arrivals written, INDEX_FAILURES: dead-letters}."""

    def __init__(self, es: EsSettings, options: BulkOptions, spool_dir: str | None,
                 per_input_outputs: tuple[str, ...]):
        super().__init__()
        self._es = es
        self._options = options
        self._spool_dir = spool_dir
        self._per_input = per_input_outputs

    def expand(self, named):
        return named | "IndexLive" >> beam.ParDo(
            IndexLive(self._es, self._options, self._spool_dir, self._per_input)).with_outputs(
            INDEX_FAILURES, main="acks")
