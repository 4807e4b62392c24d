"""JSON and JSON Lines records: field name variants, shapes, and per-record dead-letters."""
from __future__ import annotations

import json

from reading import DATA, read_all, settings_with


def by_index(records: list[dict]) -> dict[int, dict]:
    return {int(r["input"].rsplit("#", 1)[1]): r for r in records}


def test_array_of_records_with_varied_field_names():
    articles, dead = read_all(DATA / "articles.json")
    good, bad = by_index(articles), by_index(dead)
    assert sorted(good) == [0, 1, 5] and sorted(bad) == [2, 3, 4]
    geneva = good[0]
    assert geneva["title"] == "Ceasefire talks resume in Geneva"
    assert geneva["text"] == ("Negotiators from both sides met in Geneva on Tuesday to resume talks on a lasting ceasefire."
                              "\n\nThe mediators said the first session was constructive.")
    assert geneva["url"] == "https://news.example.org/2021/03/02/geneva-talks"
    assert geneva["published_at"] == "2021-03-02T14:30:00+01:00"
    assert geneva["source"] == "Example News"
    assert geneva["author"] == "Ana Costa, Li Wei"
    assert good[1]["published_at"] == "2021-03-03"
    assert good[1]["text"].split("\n\n")[1].startswith("Relief agencies")
    assert good[5]["published_at"] == "2021-03-05T00:00:00+00:00"
    assert "no article text" in bad[2]["reason"]
    assert bad[3]["reason"] == "field 'title' is list, expected a string"
    assert "expected an object" in bad[4]["reason"]


def test_news_api_export_with_nested_source():
    articles, dead = read_all(DATA / "newsapi.json")
    assert dead == []
    assert [a["source"] for a in articles] == ["Example Wire", "Example Wire"]
    assert articles[0]["published_at"] == "2021-04-15T09:12:00+00:00"
    assert articles[0]["text"].startswith("The central bank kept its main rate unchanged on Thursday")
    assert articles[1]["text"] == "Dock workers returned to work after a week-long strike."


def test_json_lines_with_a_broken_line_and_a_wrong_type():
    articles, dead = read_all(DATA / "articles.jsonl")
    good, bad = by_index(articles), by_index(dead)
    assert sorted(good) == [0, 1, 4] and sorted(bad) == [2, 3]
    assert good[0]["published_at"] == "2022-07-11T08:00:00+02:00"
    assert good[0]["source"] == "Local Example"
    assert good[1]["published_at"] == "2022-07-13"
    assert good[4]["published_at"] is None, "relative dates are not resolved against the clock"
    assert bad[2]["error"] == "invalid_json"
    assert bad[3]["reason"] == "field 'title' is int, expected a string"


def test_single_object_and_invalid_documents(tmp_path):
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"headline": "Storm warning issued", "description": "Forecasters issued a storm warning for the northern coast."}))
    (article,), dead = read_all(single)
    assert dead == [] and article["input"] == str(single)
    assert article["title"] == "Storm warning issued"

    for name, content, reason in (
        ("broken.json", '{"title": "cut', "not valid JSON"),
        ("empty-list.json", "[]", "no records"),
        ("number.json", "42", "expected an object"),
        ("no-articles.json", '{"status": "ok", "count": 0}', "no article text"),
    ):
        path = tmp_path / name
        path.write_text(content)
        articles, dead = read_all(path)
        assert articles == [] and len(dead) == 1 and reason in dead[0]["reason"], (name, dead)


def test_bracketed_prose_is_read_as_text(tmp_path):
    path = tmp_path / "update.txt"
    path.write_text("[Updated] Talks resume\n\nNegotiators met again on Tuesday in Geneva to resume the ceasefire talks.")
    (article,), dead = read_all(path)
    assert article["title"] == "[Updated] Talks resume"


def test_records_beyond_the_item_cap_are_counted_dead_letters(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"title": f"Item {i}", "text": f"Report number {i} about the floods."}) + "\n"
                            for i in range(12)))
    articles, dead = read_all(path, settings_with(tmp_path, max_items_per_input=5))
    assert len(articles) == 5 and len(dead) == 7
    assert {d["error"] for d in dead} == {"too_many_items"}
    assert dead[0]["input"] == f"{path}#5" and "max_items_per_input (5)" in dead[0]["reason"]


def test_ids_follow_the_record_url_not_its_position(tmp_path):
    records = [{"title": f"Item {i}", "text": f"Report {i}.", "url": f"https://example.org/{i}"} for i in range(3)]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(records))
    second.write_text(json.dumps(records[::-1]))
    ids_a = {a["url"]: a["id"] for a in read_all(first)[0]}
    ids_b = {a["url"]: a["id"] for a in read_all(second)[0]}
    assert ids_a.keys() == ids_b.keys()
    assert len(set(ids_a.values())) == 3


def test_records_repeating_a_url_still_get_distinct_ids(tmp_path):
    path = tmp_path / "repeats.json"
    path.write_text(json.dumps([{"title": "Same", "text": "Same text.", "url": "https://example.org/1"}] * 2))
    first, second = read_all(path)[0]
    assert first["id"] != second["id"]
