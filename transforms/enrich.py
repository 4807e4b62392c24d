"""Articles -> enriched articles, events and stories: the stage order every pipeline (batch, watch) shares.

Exact copies are split off first so only originals pay for the model; near copies and stories are
decided on enriched originals; exact copies then take their original's enrichment, and events
take their article's story. Every article and event leaves with the event time its article came
in with (`transforms.eventtime`), so windowed stages downstream (alerts) see one timeline.
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms import window
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Duration

from newsmon.transforms import records
from newsmon.transforms.dedup import COPIES, JoinExactCopies, LinkNearDuplicates, MarkExactDuplicates
from newsmon.transforms.eventtime import RestoreEventTime, at_event_time, stamp
from newsmon.transforms.nlp import ExtractEntities
from newsmon.transforms.settings import Settings
from newsmon.transforms.stories import AssignStories, CollectStories

ORIGINALS = "originals"
EXACT_COPIES = "exact_copies"
ARTICLES = "articles"
EVENTS = "events"
STORIES = "stories"
# Events meet their article's story in windows this long: both carry the article's event time.
STORY_JOIN_WINDOW_S = 2


class SetStory(beam.DoFn):
    """Events of one article get the story the article joined, back at the article's event time
    (the join re-stamps them at the end of its window)."""

    def get_allowed_timestamp_skew(self) -> Duration:
        return Duration(micros=MAX_TIMESTAMP.micros)

    def process(self, joined: tuple[str, dict]):
        _, group = joined
        articles = list(group["article"])
        for event in group["events"]:
            if articles:
                yield at_event_time({**event, "story_id": articles[0]["story_id"]}, articles[0])
            else:
                yield event


class AttachStoryIds(beam.PTransform):
    """(events, articles) -> events with their article's `story_id`."""

    def expand(self, pcolls):
        events, articles = pcolls
        keyed_events = (events
                        | "EventWindows" >> beam.WindowInto(window.FixedWindows(STORY_JOIN_WINDOW_S))
                        | "ByArticle" >> beam.Map(lambda e: (e["article_id"], e)))
        keyed_articles = (articles
                          | "ArticleWindows" >> beam.WindowInto(window.FixedWindows(STORY_JOIN_WINDOW_S))
                          | "ById" >> beam.Map(lambda a: (a["id"], a)))
        return (
            {"events": keyed_events, "article": keyed_articles}
            | "Join" >> beam.CoGroupByKey()
            | "SetStory" >> beam.ParDo(SetStory())
            | "BackToGlobal" >> beam.WindowInto(window.GlobalWindows())
        )


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
            | "OriginalsEventTime" >> RestoreEventTime()
        )
        copies = ((originals, distinct[COPIES])
                  | "EnrichCopies" >> JoinExactCopies(settings)
                  | "CopiesEventTime" >> RestoreEventTime())
        events = (analysed[records.EVENTS], originals) | "EventStories" >> AttachStoryIds()
        enriched = (originals, copies) | "AllArticles" >> beam.Flatten()
        stories = enriched | "StoryRecords" >> CollectStories(settings)
        return {ARTICLES: enriched, EVENTS: events, STORIES: stories, ORIGINALS: originals, EXACT_COPIES: copies}
