"""Story clustering on the seeds, end to end through the CLI."""
from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import read_jsonl
from newsmon.transforms.stories import StoryParams, cluster


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
