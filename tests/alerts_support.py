"""Records for alert tests, built from the seed articles and what their sentences say.

The articles are the real pipeline's output on examples/news; dates, sources, story ids and
events are added by hand from the seed text (the extractors that produce them land separately).
"""
from __future__ import annotations

import copy
from pathlib import Path

import apache_beam as beam
import yaml

from conftest import read_jsonl
from newsmon.transforms import records
from newsmon.transforms.alerts import DetectAlerts
from newsmon.transforms.alerts.rules import parse_rules
from newsmon.transforms.sinks import WriteJsonl

JOINT_STATEMENT = "story-joint-call-for-ceasefire"


def seed_articles(seed_run: Path) -> dict[str, dict]:
    """Seed articles by file number ("000" ... "004")."""
    return {Path(a["path"]).name[:3]: a for a in read_jsonl(seed_run / "articles.jsonl")}


def dated(article: dict, published_at: str, **fields) -> dict:
    record = copy.deepcopy(article)
    record.update(published_at=published_at, **fields)
    return record


def joint_statement_coverage(seed_run: Path) -> list[dict]:
    """000, 001 and 004 report the 1 October 2020 joint call by Macron, Putin and Trump."""
    seeds = seed_articles(seed_run)
    return [
        dated(seeds["000"], "2020-10-01T09:00:00Z", source="TASS", story_id=JOINT_STATEMENT),
        dated(seeds["001"], "2020-10-01T14:00:00Z", source="AFP", story_id=JOINT_STATEMENT),
        dated(seeds["004"], "2020-10-02T08:00:00Z", source="RFE/RL", story_id=JOINT_STATEMENT),
    ]


def casualty_events(articles: list[dict]) -> list[dict]:
    """The ASSAULT events the seeds state with numbers."""
    by_seed = {Path(a["path"]).name[:3]: a for a in articles}
    found = []
    if "001" in by_seed:  # "According to partial reports, they killed at least 128 people."
        found.append(event(by_seed["001"], "ASSAULT", killed=128, actors=["Azerbaijan", "Armenia"],
                           sentence="According to partial reports, they killed at least 128 people."))
    if "004" in by_seed:  # "More than 100 people, including many civilians, have been killed since ..."
        found.append(event(by_seed["004"], "ASSAULT", killed=100, actors=["Azerbaijan", "Armenia"],
                           sentence="More than 100 people, including many civilians, have been killed"))
        found.append(event(by_seed["004"], "ASSAULT", killed=None, wounded=2, actors=["Azerbaijan"],
                           targets=["Le Monde"], sentence="two French nationals working for the Le Monde "
                           "newspaper were wounded on October 1 during shelling of the town of Martuni"))
    return found


def event(article: dict, kind: str, *, killed=None, wounded=None, actors=(), targets=(), sentence="") -> dict:
    return {
        "id": records.stable_id("event", article["id"], sentence),
        "article_id": article["id"], "story_id": article.get("story_id"), "type": kind,
        "actors": list(actors), "targets": list(targets), "location": {"name": "Nagorno-Karabakh"},
        "date": (article.get("published_at") or "")[:10] or None, "killed": killed, "wounded": wounded,
        "sentence": sentence, "confidence": 0.9,
    }


def run_rules(rules: list[dict], articles: list[dict], events: list[dict], out: Path) -> list[dict]:
    """Alerts the rules give on these records, through the real Beam transform."""
    ruleset = parse_rules("test-rules.yaml", yaml.safe_load(yaml.safe_dump({"rules": rules})))
    with beam.Pipeline() as pipeline:
        alerts = ((pipeline | "Articles" >> beam.Create(articles), pipeline | "Events" >> beam.Create(events))
                  | DetectAlerts(ruleset))
        {records.ALERTS: alerts} | WriteJsonl(str(out))
    return read_jsonl(out / "alerts.jsonl")
