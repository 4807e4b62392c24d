"""Event extraction on parsed text: the seed articles, casualty figures, negation and reporting."""
from __future__ import annotations

import pytest

from conftest import SEEDS, read_jsonl
from reading import read_article
from newsmon.transforms.events import extract_events
from newsmon.transforms.entities import resolve_entities
from newsmon.transforms.nlp import load_model, nlp_text
from newsmon.transforms.settings import load_settings


@pytest.fixture(scope="module")
def nlp():
    return load_model(load_settings().get("nlp.model"))


def events_of(nlp, text: str, published_at: str | None = "2020-10-01") -> list[dict]:
    article = {"id": "test", "published_at": published_at, "title": "", "text": text}
    doc = nlp(text)
    return extract_events(article, doc, resolve_entities(article, doc))


@pytest.fixture(scope="module")
def seed_events(nlp) -> dict[str, list[dict]]:
    found = {}
    for path in sorted(SEEDS.iterdir()):
        article = read_article(path)
        doc = nlp(nlp_text(article, 100000))
        found[path.name[:3]] = (article, extract_events(article, doc, resolve_entities(article, doc)))
    return found


def find(events: list[dict], type_: str, snippet: str) -> dict:
    matches = [e for e in events if e["type"] == type_ and snippet in e["sentence"]]
    assert matches, f"no {type_} event in a sentence with {snippet!r}: {[(e['type'], e['sentence'][:60]) for e in events]}"
    return matches[0]


@pytest.mark.parametrize("sentence, killed, wounded", [
    ("According to partial reports, the fighting killed at least 128 people.", 128, None),
    ("Nearly 130 dead in a few days", 130, None),
    ("More than 100 people, including many civilians, have been killed since fighting erupted on September 27.", 100, None),
    ("Approximately seven thousand people died during the conflict.", 7000, None),
    ("Armenia's Foreign Ministry said that two French journalists were badly wounded in shelling by Azerbaijani forces.", None, 2),
    ("A roadside bombing near the town of Samarra on Sunday killed one U.S. soldier and wounded two others.", 1, 2),
])
def test_casualty_figures(nlp, sentence, killed, wounded):
    events = [e for e in events_of(nlp, sentence) if e["type"] == "ASSAULT"]
    assert events
    assert (events[0]["killed"], events[0]["wounded"]) == (killed, wounded)


def test_things_hit_are_not_wounded_people(nlp):
    events = events_of(nlp, "Two Red Cross vehicles were hit by gunfire fired by rebels in Baghdad on Wednesday.")
    assert all(e["wounded"] is None for e in events)
    people = events_of(nlp, "Two Armenian journalists were also hit by rebels in the shelling.")
    assert [e["wounded"] for e in people if e["type"] == "ASSAULT"] == [2]


def test_negated_and_reported(nlp):
    denial = events_of(nlp, "The Azerbaijani side neither confirmed nor rejected the report.")
    assert [(e["type"], e["negated"]) for e in denial] == [("REJECT", True)]
    told = events_of(nlp, "Officials said that Turkish forces attacked the village of Kobani.")
    assert told[0]["type"] == "ASSAULT" and told[0]["reported"] and not told[0]["negated"]
    plain = events_of(nlp, "Turkish forces attacked the village of Kobani on Sunday.")
    assert plain[0]["reported"] is False and plain[0]["date"] == "2020-09-27"


def test_passive_agent_and_coordinated_subjects(nlp):
    event = events_of(nlp, "France, Russia and the United States condemned the attack on Monday.")[0]
    assert event["type"] == "ACCUSE"
    assert set(event["actors"]) == {"France", "Russia", "United States"}
    shelled = events_of(nlp, "The town was shelled by Azerbaijani forces in Martuni on Thursday.")[0]
    assert shelled["type"] == "ASSAULT" and "Azerbaijani" in shelled["actors"]
    assert shelled["location"]["name"] == "Martuni" and shelled["date"] == "2020-10-01"


def test_seed_ceasefire_calls_and_fighting(seed_events):
    article, events = seed_events["001"]
    call = find(events, "REQUEST", "the immediate cessation of hostilities")
    assert {"Vladimir Poutin", "Emmanuel Macron", "Donald Trump"} <= set(call["actors"])
    assert call["date"] == "2020-10-01"        # "on Thursday", the caption dates the article
    assert find(events, "ASSAULT", "Nearly 130 dead")["killed"] == 130
    assert find(events, "ASSAULT", "at least 128 people")["killed"] == 128
    fighting = find(events, "ASSAULT", "Large-scale fighting")
    assert fighting["date"] == "2020-09-27" and "Azerbaijani" in fighting["actors"]


def test_seed_clashes_martial_law_and_agreement(seed_events):
    article, events = seed_events["000"]
    clashes = find(events, "ASSAULT", "Renewed clashes")
    assert set(clashes["actors"]) == {"Azerbaijan", "Armenia"} and clashes["date"] == "2020-09-27"
    assert find(events, "COERCE", "martial law")["mode"] == "martial-law"
    assert "Emmanuel Macron" in find(events, "AGREE", "agreed to exchange")["actors"]
    assert find(events, "AGREE", "agreed to exchange")["location"]["name"] == "Brussels"


def test_seed_phone_calls_accusations_and_journalists(seed_events):
    article, events = seed_events["004"]
    phone = find(events, "CONSULT", "held a phone call")
    assert set(phone["actors"]) == {"Putin", "Macron"} and phone["mode"] == "phone"
    accuse = find(events, "ACCUSE", "Macron accusing Ankara")
    assert accuse["actors"] == ["Macron"] and accuse["targets"] == ["Ankara"]
    wounded = find(events, "ASSAULT", "badly wounded in shelling")
    assert wounded["wounded"] == 2 and wounded["location"]["name"] == "Martuni" and wounded["reported"]
    assert find(events, "REJECT", "Turkey and Azerbaijan have denied")["actors"] == ["Turkey", "Azerbaijan"]
    assert find(events, "ASSAULT", "30,000 killed")["killed"] == 30000


def test_seed_2023_operation_and_toll(seed_events):
    article, events = seed_events["003"]
    same_sentence = [e for e in events if e["type"] == "ASSAULT" and "anti-terrorist operation" in e["sentence"]]
    # "Armenia does not plan to participate in military operations ... Azerbaijan, which has
    # launched an anti-terrorist operation": two events, Armenia's negated, Azerbaijan's not.
    by_actor = {tuple(e["actors"]): e["negated"] for e in same_sentence}
    assert by_actor == {("Armenia",): True, ("Azerbaijan",): False}
    demand = find(events, "REQUEST", "must surrender all their weapons")
    assert demand["actors"] == ["Azerbaijan"] and "Armenian" in demand["targets"]
    assert find(events, "ASSAULT", "seven thousand people died")["killed"] == 7000
    call = find(events, "CONSULT", "telephone conversation")
    assert call["actors"] == ["Emmanuel Macron"] and call["targets"] == ["Nikol Pashinyan"]


def test_quotations_have_speakers(seed_events):
    article, _ = seed_events["000"]
    speakers = {q["speaker"] for q in article["quotations"]}
    assert "Emmanuel Macron" in speakers or "Macron" in speakers
    peskov = [q for q in seed_events["004"][0]["quotations"] if "third countries" in q["text"]]
    assert peskov and peskov[0]["speaker"] == "Dmitry Peskov"


def test_no_noise_flood_and_stable_ids(seed_events):
    for article, events in seed_events.values():
        text = nlp_text(article, 100000)
        paragraphs = {}
        for event in events:
            paragraphs.setdefault(text.count("\n\n", 0, event["trigger_start"]), []).append(event)
            assert event["actors"] or event["killed"] or event["wounded"] or event["arrested"]
            assert event["article_id"] == article["id"] and event["story_id"] is None
            assert 0.5 <= event["confidence"] <= 1
        assert len({e["id"] for e in events}) == len(events)
        assert all(len(v) <= 4 for v in paragraphs.values())
        assert len(events) <= 2 * (text.count("\n\n") + 1)


def test_fewer_events_with_a_higher_threshold(nlp):
    from newsmon.transforms.events import EventOptions
    path = SEEDS / "004_e1f11fa00a75bddb.txt"
    article = read_article(path)
    doc = nlp(nlp_text(article, 100000))
    loose = extract_events(article, doc, resolve_entities(article, doc))
    strict = extract_events(article, doc, resolve_entities(article, doc), EventOptions(min_confidence=0.8))
    assert 0 < len(strict) < len(loose) and all(e["confidence"] >= 0.8 for e in strict)


def test_batch_run_writes_events(seed_run):
    import json
    events = read_jsonl(seed_run / "events.jsonl")
    summary = json.loads((seed_run / "summary.json").read_text())
    assert summary["events"] == len(events) > 20
    articles = {a["id"] for a in read_jsonl(seed_run / "articles.jsonl")}
    assert {e["article_id"] for e in events} <= articles
    for event in events:
        for key in ("id", "article_id", "story_id", "type", "actors", "targets", "location", "date",
                    "killed", "wounded", "sentence", "confidence", "quad_class", "negated", "reported"):
            assert key in event
    assert all("quotations" in a for a in read_jsonl(seed_run / "articles.jsonl"))
