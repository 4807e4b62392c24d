"""Each alert rule type on records built from the seed articles' own sentences."""
from __future__ import annotations

import copy

from alerts_support import (JOINT_STATEMENT, casualty_events, dated, joint_statement_coverage, run_rules,
                            seed_articles)
from newsmon.transforms.alerts.detect import only_fields
from newsmon.transforms.alerts.rules import parse_rules
from newsmon.transforms.alerts.ruletypes import fields_read, rule_type


def test_threshold_tiers_and_throttle_per_story(seed_run, tmp_path):
    articles = joint_statement_coverage(seed_run)
    rule = {"name": "mass-casualty", "type": "threshold", "field": "killed", "event_types": ["ASSAULT"],
            "severity": {"warning": 10, "critical": 100}, "key": ["story_id", "event_type"], "throttle": "1d"}
    alerts = run_rules([rule], articles, casualty_events(articles), tmp_path)
    # 001 (128 killed, 14:00) comes first in event time; 004 (100 killed) is in the same story, throttled.
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert["severity"], alert["value"], alert["key"]) == ("critical", 128, f"{JOINT_STATEMENT} | ASSAULT")
    assert alert["triggered_at"] == "2020-10-01T14:00:00Z"
    assert alert["article_ids"] == [articles[1]["id"]]
    assert "128 killed" in alert["message"] and articles[1]["title"] in alert["message"]


def test_threshold_warning_tier_and_per_article_key(seed_run, tmp_path):
    articles = joint_statement_coverage(seed_run)
    rules = [{"name": "killed", "type": "threshold", "field": "killed", "severity": {"warning": 10, "critical": 120},
              "key": ["article_id"]},
             {"name": "wounded", "type": "threshold", "field": "wounded", "severity": {"warning": 2}}]
    alerts = run_rules(rules, articles, casualty_events(articles), tmp_path)
    levels = sorted((a["rule"], a["severity"], a["value"]) for a in alerts)
    assert levels == [("killed", "critical", 128), ("killed", "warning", 100), ("wounded", "warning", 2)]


def test_frequency_three_sources_within_a_day(seed_run, tmp_path):
    articles = joint_statement_coverage(seed_run)
    rule = {"name": "breaking", "type": "frequency", "count": "sources", "window": "24h",
            "severity": {"warning": 3}, "key": ["story_id"]}
    alerts = run_rules([rule], articles, [], tmp_path)
    assert len(alerts) == 1
    assert alerts[0]["triggered_at"] == "2020-10-02T08:00:00Z"
    assert alerts[0]["window_start"] == "2020-10-01T09:00:00Z"
    assert alerts[0]["article_ids"] == [a["id"] for a in articles]
    # The third outlet a day and a half later: the first report fell out of the window.
    late = [articles[0], articles[1], dated(articles[2], "2020-10-02T21:00:00Z")]
    assert run_rules([rule], late, [], tmp_path / "late") == []


def test_frequency_does_not_count_exact_duplicates(seed_run, tmp_path):
    articles = joint_statement_coverage(seed_run)
    copy_of_tass = dict(copy.deepcopy(articles[0]), id="copy", source="Reprint", duplicate_kind="exact",
                        duplicate_of=articles[0]["id"])
    rule = {"name": "breaking", "type": "frequency", "count": "sources", "window": "24h",
            "severity": {"warning": 3}, "key": ["story_id"]}
    assert run_rules([rule], [articles[0], articles[1], copy_of_tass], [], tmp_path) == []


def test_spike_on_macron(seed_run, tmp_path):
    seeds = seed_articles(seed_run)
    # Macron is named in all five seeds: one the day before, four on 1 October.
    articles = [dated(seeds["002"], "2020-09-30T10:00:00Z")] + [
        dated(seeds[n], f"2020-10-01T{hour:02d}:00:00Z") for n, hour in (("000", 9), ("001", 10), ("003", 11),
                                                                           ("004", 12))]
    rule = {"name": "surge", "type": "spike", "window": "1d", "factor": 3, "count": "articles",
            "entity_types": ["PERSON"], "severity": {"info": 3}, "key": ["entity"]}
    alerts = [a for a in run_rules([rule], articles, [], tmp_path) if a["key"] == "Emmanuel Macron"]
    assert len(alerts) == 1, alerts
    assert alerts[0]["triggered_at"] == "2020-10-01T11:00:00Z"  # the third article of the day: 3 >= 3 x 1
    assert alerts[0]["window_start"] == "2020-10-01T00:00:00Z"
    assert "1 in the window before" in alerts[0]["message"]


def test_new_entity_fires_once_across_spellings(seed_run, tmp_path):
    seeds = seed_articles(seed_run)
    articles = [dated(seeds[n], f"2020-10-0{day}") for n, day in (("000", 1), ("001", 2), ("003", 3), ("004", 4))]
    rule = {"name": "new-person", "type": "new_entity", "entity_types": ["PERSON"], "severity": "info"}
    alerts = {a["key"]: a for a in run_rules([rule], articles, [], tmp_path)}
    # "Vladimir Putin" (000), "Vladimir Poutin"/"Poutine" (001) and "Putin" (004) are one entity.
    assert alerts["Vladimir Putin"]["article_ids"] == [articles[0]["id"]]
    assert alerts["Nikol Pashinyan"]["article_ids"] == [articles[2]["id"]]
    assert "Vladimir Poutin" not in alerts and "Putin" not in alerts


def test_watchlist_filters_on_event_type_and_country(seed_run, tmp_path):
    articles = joint_statement_coverage(seed_run)
    events = casualty_events(articles)
    in_fighting = {"name": "putin-fighting", "type": "watchlist", "entities": ["Putin"],
                   "event_types": ["ASSAULT"], "severity": "warning", "key": ["entity", "article_id"]}
    alerts = run_rules([in_fighting], articles, events, tmp_path)
    assert sorted(a["article_ids"][0] for a in alerts) == sorted([articles[1]["id"], articles[2]["id"]])
    turkey = {"name": "macron-turkey", "type": "watchlist", "entities": ["Macron"], "countries": ["Turkey"],
              "severity": "info", "key": ["entity", "country", "article_id"]}
    alerts = run_rules([turkey], articles, [], tmp_path / "country")
    assert sorted(a["article_ids"][0] for a in alerts) == sorted([articles[1]["id"], articles[2]["id"]])
    assert all(a["key"].startswith("Emmanuel Macron | TR | ") for a in alerts)


def test_watchlist_keywords_and_throttle(seed_run, tmp_path):
    seeds = seed_articles(seed_run)
    articles = [dated(seeds["000"], "2020-10-01T09:00:00Z"), dated(seeds["001"], "2020-10-01T20:00:00Z"),
                dated(seeds["004"], "2020-10-03T08:00:00Z")]
    rule = {"name": "truce", "type": "watchlist", "keywords": ["cessation of hostilities"], "severity": "info",
            "key": ["entity"], "throttle": "1d"}
    # 001 and 004 say "cessation of hostilities"; 000 does not.
    assert [a["article_ids"] for a in run_rules([rule], articles, [], tmp_path)] == [
        [articles[1]["id"]], [articles[2]["id"]]]
    putin = {"name": "putin", "type": "watchlist", "entities": ["Putin"], "severity": "warning",
             "key": ["entity"], "throttle": "1d"}
    throttled = run_rules([putin], articles, [], tmp_path / "throttled")
    # 000 fires; 001 (11 hours later) is inside the day; 004 (two days later) fires again.
    assert [a["article_ids"] for a in throttled] == [[articles[0]["id"]], [articles[2]["id"]]]
    unthrottled = run_rules([dict(putin, throttle=0)], articles, [], tmp_path / "unthrottled")
    assert len(unthrottled) == 3
    assert len({a["id"] for a in unthrottled}) == 3


def test_rules_observe_the_same_in_the_fields_they_declare(seed_run):
    """Alert detection joins articles and events with only the fields the rules read
    (`fields_read`): each rule must observe exactly what it observes on the whole records."""
    articles = joint_statement_coverage(seed_run)
    events = casualty_events(articles)
    rules = [
        {"name": "killed", "type": "threshold", "field": "killed", "event_types": ["ASSAULT"],
         "countries": ["Azerbaijan"], "severity": {"warning": 10}},
        {"name": "wounded", "type": "threshold", "field": "wounded", "severity": {"warning": 2},
         "key": ["entity", "country"]},
        {"name": "breaking", "type": "frequency", "count": "sources", "window": "24h", "severity": {"warning": 3},
         "key": ["story_id", "event_type", "country", "source"]},
        {"name": "surge", "type": "spike", "window": "1d", "factor": 3, "severity": {"info": 3},
         "key": ["entity", "country"]},
        {"name": "new", "type": "new_entity", "entity_types": ["PERSON"], "severity": "info"},
        {"name": "leaders", "type": "watchlist", "entities": ["Putin", "Pashinyan"], "event_types": ["ASSAULT"],
         "severity": "warning", "key": ["entity", "event_type", "country", "article_id"]},
        {"name": "truce", "type": "watchlist", "keywords": ["cessation of hostilities"], "severity": "info",
         "key": ["entity", "story_id"]},
    ]
    ruleset = parse_rules("test-rules.yaml", {"rules": rules})
    for rule in ruleset.rules:
        kind = rule_type(rule)
        article_fields, event_fields = fields_read([rule])
        seen = 0
        for article in articles:
            own = [e for e in events if e["article_id"] == article["id"]]
            whole = list(kind.observe(article, own))
            projected = list(kind.observe(only_fields(article, article_fields),
                                          [only_fields(e, event_fields) for e in own]))
            assert projected == whole, rule.name
            seen += len(whole)
        assert seen, f"{rule.name} observed nothing: the comparison would prove nothing"
    # The largest fields never travel to the join for these rules; the text only for keywords.
    article_fields, _ = fields_read(ruleset.rules)
    assert "quotations" not in article_fields and "text" in article_fields
    assert "text" not in fields_read(ruleset.rules[:-1])[0]
