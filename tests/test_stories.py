"""Story clustering on the seeds, end to end through the CLI."""
from __future__ import annotations

import json
import pickle
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import Duration, Timestamp

from benchmarks.corpus import bbc_articles
from conftest import read_jsonl
from newsmon.transforms.eventtime import KEYED, StatefulStage
from newsmon.transforms.settings import load_settings
from newsmon.transforms.stories import AssignStories, AssignStoryState, StoryIndex, StoryParams, cluster, story_features, story_params


def test_seed_stories(seed_run):
    articles = {Path(a["path"]).name[:3]: a for a in read_jsonl(seed_run / "articles.jsonl")}
    joint_call = {articles[k]["story_id"] for k in ("000", "001", "004")}
    assert len(joint_call) == 1
    others = {articles["002"]["story_id"], articles["003"]["story_id"]}
    assert len(others) == 2 and not others & joint_call
    stories = {s["id"]: s for s in read_jsonl(seed_run / "stories.jsonl")}
    assert set(stories) == joint_call | others
    story = stories[joint_call.pop()]
    assert story["story_id"] == story["id"]
    assert sorted(story["article_ids"]) == sorted(articles[k]["id"] for k in ("000", "001", "004"))
    assert story["first_seen"] == "2020-10-01" and story["top_entities"]
    assert json.loads((seed_run / "summary.json").read_text())["stories"] == 3


def test_story_assignment_ignores_input_order(seed_run):
    """The plain clustering sorts articles into original order first: any input order, same stories."""
    articles = read_jsonl(seed_run / "articles.jsonl")
    for article in articles:
        article["order_key"] = article["path"]
    params = StoryParams()
    first = cluster(articles, params)
    for seed in range(3):
        shuffled = list(articles)
        random.Random(seed).shuffle(shuffled)
        assert cluster(shuffled, params) == first
    assert first == {a["id"]: a["story_id"] for a in articles}


def dated_bbc_articles(count: int, published_at) -> list[dict]:
    """BBC articles carrying their capitalised names as entities (so entity postings count too)
    and the date `published_at(i)` gives the i-th."""
    names = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+")
    return [
        {"id": f"bbc-{i}", "title": a.title, "text": "\n".join(a.paragraphs), "published_at": published_at(i),
         "order_key": f"{i:05d}", "language": "en",
         "entities": [{"type": "NAME", "name": name} for name in set(names.findall(a.text))]}
        for i, a in enumerate(bbc_articles()[:count])
    ]


def test_story_index_joins_the_story_a_scan_of_all_open_stories_picks():
    """The inverted index only narrows whom to score: on 400 BBC articles every article joins
    the story (or starts a new one) exactly as scoring every open story would. Articles have
    dates over two weeks (so the window filters); half-way the index goes through pickling,
    as Beam state does, and expires the oldest stories; at 300 it expires all but the stories
    of the last 40 articles in place, which leaves more free story slots than open stories."""
    articles = [story_features(a) for a in dated_bbc_articles(400, lambda i: f"2024-03-{1 + i % 14:02d}T09:00:00Z")]
    index = StoryIndex(StoryParams())
    index.observe(articles)
    joined = 0
    for i, article in enumerate(articles):
        if i == 200:
            index = pickle.loads(pickle.dumps(index))
            index.expire(before_us=50)
            assert index.stories and all(story.last_event_us >= 50 for story in index.stories.values())
        if i == 300:
            index.expire(before_us=260)
            assert index.stories and all(story.last_event_us >= 260 for story in index.stories.values())
        vector, entities = index.vectors(article)
        scanned = index.best_match(index.stories.values(), vector, entities, article.published_at)
        open_stories = set(index.stories)
        story_id = index.assign(article, event_us=i)
        if scanned is None:
            assert story_id not in open_stories
        else:
            joined += 1
            assert story_id == scanned.story_id
    assert joined >= 100


def test_batch_clustering_by_function_matches_the_settle_timer(tmp_path):
    """A batch run clusters each language's articles with a plain function on their features
    (`assign_by_settle_time`) and joins the story ids back to the articles, not through state.
    On a dated archive, where articles settle at times of their own (and old stories expire on
    the way), both must give every article the same story at the same time: the two paths run
    side by side in one pipeline over 240 BBC articles published 40 minutes apart."""
    articles = dated_bbc_articles(240, lambda i: (datetime(2024, 3, 1) + timedelta(minutes=40 * i)).isoformat())
    config = tmp_path / "newsmon.yaml"
    config.write_text("dedup:\n  settle_seconds: 2\n  horizon_days: 2\n")
    settings = load_settings(config)
    clustering = AssignStoryState(story_params(settings), Duration(seconds=2), Duration(seconds=2 * 86400))

    def check(joined):
        assert len(joined) == len(articles)
        for article_id, stories in joined:
            assert len(stories["by_function"]) == len(stories["by_state"]) == 1, article_id
            assert stories["by_function"] == stories["by_state"], article_id
        assert len({story for _, stories in joined for story, _ in stories["by_state"]}) < len(articles) - 20

    with beam.Pipeline(options=PipelineOptions(["--runner", "FnApiRunner"])) as pipeline:
        keyed = (pipeline | beam.Create(articles)
                 | beam.Map(lambda a: TimestampedValue(("en", a), Timestamp.from_rfc3339(a["published_at"] + "Z")))
                 .with_output_types(KEYED))
        by_function = (keyed | "Articles" >> beam.Values()) | "ByFunction" >> AssignStories(settings)
        by_state = keyed | "ByState" >> StatefulStage(clustering)
        joined = ({name: pcoll | f"Story{name}" >> beam.Map(
                       lambda a, ts=beam.DoFn.TimestampParam: (a["id"], (a["story_id"], ts.micros)))
                   for name, pcoll in (("by_function", by_function), ("by_state", by_state))}
                  | beam.CoGroupByKey())
        assert_that(joined, check)
