"""Articles -> enriched articles, events and stories: the stage order every pipeline (batch, watch) shares.

Exact copies are split off first so only originals pay for the model; near copies and stories are
decided on enriched originals; exact copies then take their original's enrichment, and events
take their article's story. Every article and event leaves at its article's settle time (event
time + `dedup.settle_seconds`, `transforms.eventtime`), so windowed stages downstream (alerts)
see one timeline and nothing arrives there late.
"""
from __future__ import annotations

import apache_beam as beam

from newsmon.transforms import records
from newsmon.transforms.dedup import (COPIES, AttachToOriginals, JoinExactCopies, LinkNearDuplicates,
                                      MarkExactDuplicates, dedup_params)
from newsmon.transforms.eventtime import stamp
from newsmon.transforms.nlp import ExtractEntities
from newsmon.transforms.settings import Settings
from newsmon.transforms.stories import AssignStories, CollectStories

ORIGINALS = "originals"
EXACT_COPIES = "exact_copies"
ARTICLES = "articles"
EVENTS = "events"
STORIES = "stories"


def story_of(article: dict) -> dict:
    """What an event takes of its article: the story."""
    return {"story_id": article["story_id"]}


class EnrichArticles(beam.PTransform):
    """Normalised articles -> {articles, events, stories, originals, exact_copies} PCollections."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._settings = settings

    def expand(self, articles):
        settings = self._settings
        distinct = (articles
                    | "StampEventTime" >> beam.Map(stamp)
                    | "ExactDuplicates" >> MarkExactDuplicates(settings))
        analysed = distinct["originals"] | "Entities" >> ExtractEntities(settings)
        originals = (
            analysed.articles
            | "NearDuplicates" >> LinkNearDuplicates(settings)
            | "Stories" >> AssignStories(settings)
        )
        copies = (originals, distinct[COPIES]) | "EnrichCopies" >> JoinExactCopies(settings)
        _, _, horizon = dedup_params(settings)
        events = ((originals, analysed[records.EVENTS])
                  | "EventStories" >> AttachToOriginals(story_of, lambda event: event["article_id"], horizon))
        enriched = (originals, copies) | "AllArticles" >> beam.Flatten()
        stories = enriched | "StoryRecords" >> CollectStories(settings)
        return {ARTICLES: enriched, EVENTS: events, STORIES: stories, ORIGINALS: originals, EXACT_COPIES: copies}
