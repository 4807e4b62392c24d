"""Story clustering on the seeds, end to end through the CLI."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import read_jsonl


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
