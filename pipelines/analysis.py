"""The middle of every newsmon pipeline, batch or streaming: raw items -> the five outputs.

`newsmon run` and `newsmon watch` differ only in where items come from and where records go;
everything between (normalise, exact duplicates, NLP, and at merge stories, near duplicates,
events and alerts) is this one composite, so both modes always run the same analysis.
"""
from __future__ import annotations

import apache_beam as beam

from newsmon.transforms import records
from newsmon.transforms.dedup import MarkExactDuplicates
from newsmon.transforms.nlp import ExtractEntities
from newsmon.transforms.normalise import normalise_item
from newsmon.transforms.settings import Settings


def split_deadletter(record: dict):
    return beam.pvalue.TaggedOutput(records.DEADLETTER, record) if records.is_deadletter(record) else record


class AnalyseNews(beam.PTransform):
    """Raw items and read dead-letters -> {output name: PCollection} for every name in `records.OUTPUTS`."""

    def __init__(self, settings: Settings, watch: list[str] | None = None):
        super().__init__()
        self._settings = settings
        self._watch = list(watch or [])

    def expand(self, items) -> dict:
        parsed = items | "SplitReadFailures" >> beam.Map(split_deadletter).with_outputs(
            records.DEADLETTER, main="items")
        articles = (
            parsed.items
            | "Normalise" >> beam.Map(normalise_item)
            | "ExactDuplicates" >> MarkExactDuplicates()
            | "Entities" >> ExtractEntities(self._settings)
        )
        outputs = {records.ARTICLES: articles, records.DEADLETTER: parsed[records.DEADLETTER]}
        # Until their stages land: empty, but derived from `items` so that they share its windowing.
        for name in (records.EVENTS, records.STORIES, records.ALERTS):
            outputs[name] = items | f"No{name.title()}" >> beam.FlatMap(lambda item: ())
        return outputs
