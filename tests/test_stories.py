"""Story clustering on the seeds, end to end through the CLI."""
from __future__ import annotations

import json
import pickle
import random
import re
from pathlib import Path

from benchmarks.corpus import bbc_articles
from conftest import read_jsonl
from newsmon.transforms.stories import StoryIndex, StoryParams, cluster


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


def test_story_index_joins_the_story_a_scan_of_all_open_stories_picks():
    """The inverted index only narrows whom to score: on 400 BBC articles every article joins
    the story (or starts a new one) exactly as scoring every open story would. Articles carry
    their capitalised names as entities (so entity postings count too) and dates over two
    weeks (so the window filters); half-way the index goes through pickling, as Beam state
    does, and expires the oldest stories."""
    names = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+")
    articles = [
        {"id": f"bbc-{i}", "title": a.title, "text": "\n".join(a.paragraphs),
         "published_at": f"2024-03-{1 + i % 14:02d}T09:00:00Z",
         "entities": [{"type": "NAME", "name": name} for name in set(names.findall(a.text))]}
        for i, a in enumerate(bbc_articles()[:400])
    ]
    index = StoryIndex(StoryParams())
    index.observe(articles)
    joined = 0
    for i, article in enumerate(articles):
        if i == 200:
            index = pickle.loads(pickle.dumps(index))
            index.expire(before_us=50)
            assert index.stories and all(story.last_event_us >= 50 for story in index.stories.values())
        vector, entities = index.vectors(article)
        scanned = index.best_match(index.stories.values(), vector, entities, article["published_at"])
        open_stories = set(index.stories)
        story_id = index.assign(article, event_us=i)
        if scanned is None:
            assert story_id not in open_stories
        else:
            joined += 1
            assert story_id == scanned.story_id
    assert joined >= 100
