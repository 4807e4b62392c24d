"""Articles -> enriched articles and stories: the stage order every pipeline (batch, watch) shares.

Exact copies are split off first so only originals pay for the model; near copies and stories are
decided on enriched originals; exact copies then take their original's enrichment.
"""
from __future__ import annotations

import apache_beam as beam

from newsmon.transforms.dedup import COPIES, JoinExactCopies, LinkNearDuplicates, MarkExactDuplicates
from newsmon.transforms.eventtime import PreservingEventTime
from newsmon.transforms.nlp import ExtractEntities
from newsmon.transforms.settings import Settings
from newsmon.transforms.stories import AssignStories, CollectStories

ORIGINALS = "originals"
EXACT_COPIES = "exact_copies"
ARTICLES = "articles"
STORIES = "stories"


class EnrichArticles(beam.PTransform):
    """Normalised articles -> {articles, stories, originals, exact_copies} PCollections."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._settings = settings

    def expand(self, articles):
        settings = self._settings
        distinct = articles | "ExactDuplicates" >> MarkExactDuplicates(settings)
        originals = (
            distinct["originals"]
            | "Entities" >> PreservingEventTime(ExtractEntities(settings))
            | "NearDuplicates" >> LinkNearDuplicates(settings)
            | "Stories" >> AssignStories(settings)
        )
        copies = (originals, distinct[COPIES]) | "EnrichCopies" >> JoinExactCopies(settings)
        enriched = (originals, copies) | "AllArticles" >> beam.Flatten()
        stories = enriched | "StoryRecords" >> CollectStories(settings)
        return {ARTICLES: enriched, STORIES: stories, ORIGINALS: originals, EXACT_COPIES: copies}
