"""Alerts through the command line: --watch, stable ids, rules check and rules test."""
from __future__ import annotations

import json

import pytest

from conftest import REPO, SEEDS, read_jsonl, run_newsmon

PUTIN_SEEDS = {"000", "001", "004"}  # "Vladimir Putin"/"President Putin", "Vladimir Poutin(e)", "Putin"


@pytest.fixture(scope="module")
def watch_runs(tmp_path_factory):
    runs = []
    for _ in range(2):
        out = tmp_path_factory.mktemp("watch-run")
        run_newsmon("run", str(SEEDS), "--watch", "Putin", "--no-es", "--output", str(out))
        runs.append(out)
    return runs


def watch_alerts(out) -> list[dict]:
    return [a for a in read_jsonl(out / "alerts.jsonl") if a["rule"] == "watch:Vladimir Putin"]


def test_watch_putin_alerts_on_every_spelling_and_nothing_else(watch_runs):
    out = watch_runs[0]
    articles = {a["id"]: a["path"].split("/")[-1][:3] for a in read_jsonl(out / "articles.jsonl")}
    alerts = watch_alerts(out)
    assert sorted(articles[a["article_ids"][0]] for a in alerts) == sorted(PUTIN_SEEDS)
    assert all(len(a["article_ids"]) == 1 and a["severity"] == "warning" for a in alerts)
    assert all(a["key"].startswith("Vladimir Putin | ") for a in alerts)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["alerts"] == len(read_jsonl(out / "alerts.jsonl"))
    assert summary["inputs"] == summary["articles"] + summary["deadletter"]


def test_second_run_gives_the_same_alert_ids(watch_runs):
    first, second = (sorted(a["id"] for a in read_jsonl(out / "alerts.jsonl")) for out in watch_runs)
    assert first == second and len(set(first)) == len(first) > 0


def test_alert_records_follow_the_contract(watch_runs):
    for alert in read_jsonl(watch_runs[0] / "alerts.jsonl"):
        for field in ("id", "rule", "rule_type", "severity", "triggered_at", "key", "article_ids", "story_id",
                      "message"):
            assert field in alert
        assert alert["message"].strip()


def test_watch_for_an_unknown_name_fires_nothing(tmp_path):
    run_newsmon("run", str(SEEDS / "000_3a8a7a0c4b7c721d.txt"), "--watch", "Angela Merkel", "--no-es",
                "--output", str(tmp_path))
    assert [a for a in read_jsonl(tmp_path / "alerts.jsonl") if a["rule"].startswith("watch:")] == []


def test_default_rules_are_valid():
    result = run_newsmon("rules", "check", str(REPO / "config" / "alerts.yaml"))
    assert result.stdout.strip() == "ok: 5 rules"  # new-actor is disabled by default


BAD_RULES = {
    "unknown type": ("rules:\n  - name: r1\n    type: threshhold\n    severity: warning\n",
                     "rule 'r1': key 'type': is 'threshhold'; use one of watchlist"),
    "missing key": ("rules:\n  - name: r2\n    type: threshold\n    severity: {warning: 10}\n",
                    "rule 'r2': key 'field': is missing"),
    "bad template": ("rules:\n  - name: r3\n    type: watchlist\n    keywords: [truce]\n    severity: info\n"
                     "    message: '{{ articles[0].title '\n", "rule 'r3': key 'message': template is not usable"),
    "unknown template variable": ("rules:\n  - name: r4\n    type: watchlist\n    keywords: [truce]\n"
                                  "    severity: info\n    message: '{{ headline }}'\n",
                                  "rule 'r4': key 'message': template is not usable: 'headline' is undefined"),
    "tiers not rising": ("rules:\n  - name: r5\n    type: threshold\n    field: killed\n"
                         "    severity: {warning: 100, critical: 10}\n", "rule 'r5': key 'severity': minimums must rise"),
    "unknown level": ("rules:\n  - name: r6\n    type: threshold\n    field: killed\n    severity: {urgent: 10}\n",
                      "rule 'r6': key 'severity': level 'urgent' is unknown"),
    "tiers on a watchlist": ("rules:\n  - name: r7\n    type: watchlist\n    keywords: [truce]\n"
                             "    severity: {warning: 1}\n", "rule 'r7': key 'severity': is {'warning': 1}; set one level"),
    "unknown key field": ("rules:\n  - name: r8\n    type: frequency\n    window: 1d\n    severity: {warning: 3}\n"
                          "    key: [story_id, planet]\n", "rule 'r8': key 'key': field 'planet' is unknown"),
    "unknown target": ("rules:\n  - name: r9\n    type: watchlist\n    keywords: [truce]\n    severity: info\n"
                       "    targets: [pager]\n", "rule 'r9': key 'targets': names 'pager'"),
    "bad throttle": ("rules:\n  - name: r10\n    type: watchlist\n    keywords: [truce]\n    severity: info\n"
                     "    throttle: soon\n", "rule 'r10': key 'throttle': is 'soon'"),
}


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_bad_rules_file_gives_one_line_error(case, tmp_path):
    text, expected = BAD_RULES[case]
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_newsmon("rules", "check", str(path), check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"newsmon rules check: error: {path}: ")
    assert expected in lines[0]


def test_run_refuses_a_bad_rules_file_before_work(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(BAD_RULES["unknown type"][0], encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"alerts:\n  rules: {rules}\n", encoding="utf-8")
    result = run_newsmon("run", str(SEEDS), "--config", str(config), "--no-es", "--output", str(tmp_path / "out"),
                         check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("newsmon run: error: ")
    assert not (tmp_path / "out" / "alerts.jsonl").exists()


def test_rules_test_prints_what_would_fire_and_writes_nothing(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: putin\n    type: watchlist\n    entities: [Poutine]\n    severity: warning\n"
                     "    key: [entity, article_id]\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_newsmon("rules", "test", str(rules), str(SEEDS))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    lines = result.stdout.splitlines()
    assert lines[-1] == "3 alert(s) from 1 of 1 rules: putin"
    assert sum(line.startswith("putin [warning] key=Vladimir Putin | ") for line in lines) == 3
    assert "    article: Rocket fire in the Nagorno-Karabakh region, October 1, 2020. -" in lines
