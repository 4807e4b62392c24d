"""Span clean-up: what is left of the model's spans, with offsets that still point into the text."""
from __future__ import annotations

import pytest

from newsmon.transforms.entities.cleanup import clean_span, is_junk


def cleaned(span: str, person: bool = False) -> list[str]:
    text = f"Before. {span} after"
    parts = clean_span(text, 8, 8 + len(span), person=person)
    for part in parts:
        assert text[part.start:part.end] == part.text
    return [part.text for part in parts if not part.tail]


@pytest.mark.parametrize("span, name", [
    ("Azerbaijan's", "Azerbaijan"),
    ("Azerbaijan’s", "Azerbaijan"),
    ("Azerbaijanʼs", "Azerbaijan"),
    ("Reuters’", "Reuters"),
    ("“Minsk group”,", "Minsk group"),
    ("• Azerbaijan", "Azerbaijan"),
    ("the OSCE Minsk Group", "OSCE Minsk Group"),
    ("The World Health Organization", "World Health Organization"),
    ("Minsk Group of", "Minsk Group"),
    ("ex-Soviet", "Soviet"),
    ("U.S.", "U.S."),
    ("France.", "France"),
    ("Radio Free Europe/Radio Liberty", "Radio Free Europe/Radio Liberty"),
])
def test_edges_possessives_articles(span, name):
    assert cleaned(span) == [name]


@pytest.mark.parametrize("span, name", [
    ("Hayk Baghdasaryan / PHOTOLURE", "Hayk Baghdasaryan"),
    ("Hayk Baghdasaryan / PHOTOLURE / AFP", "Hayk Baghdasaryan"),
    ("Jeila Aliyeva - Trend:", "Jeila Aliyeva"),
    ("Organization for Security and Cooperation in Europe (OSCE)", "Organization for Security and Cooperation in Europe"),
])
def test_credits_and_bylines_are_cut_off(span, name):
    text = f"x {span} y"
    parts = clean_span(text, 2, 2 + len(span), person=True)
    assert parts[0].text == name and parts[0].credited
    assert all(part.tail for part in parts[1:])


def test_titles_are_removed_from_people_only():
    assert cleaned("President Putin", person=True) == ["Putin"]
    assert cleaned("Prime Minister Nikol Pashinyan", person=True) == ["Nikol Pashinyan"]
    assert cleaned("Chief Cabinet Secretary Yoshimasa Hayashi", person=True) == ["Yoshimasa Hayashi"]
    assert cleaned("General Motors") == ["General Motors"]
    assert cleaned("King Charles", person=True) == ["King Charles"], "a royal style is part of the name"
    assert cleaned("President", person=True) == ["President"], "a bare title is left for later judgement"
    text = "said President Putin"
    assert clean_span(text, 5, len(text), person=True)[0].titled


def test_a_span_across_lines_gives_one_name_per_line():
    assert cleaned("Emmanuel Macron\n\n  •", person=True) == ["Emmanuel Macron"]
    assert cleaned("Karabakh\n\n  • Armenia") == ["Karabakh", "Armenia"]


@pytest.mark.parametrize("junk", ["1992", "September 27", "Thursday", "A", "12.5%", "--", "10 November 2020"])
def test_junk_spans_are_dropped(junk):
    assert is_junk(junk)
    assert cleaned(junk) == []


@pytest.mark.parametrize("name", ["Yerevan", "UN", "Xi", "Nagorno-Karabakh", "dpa"])
def test_short_and_lower_case_names_survive_clean_up(name):
    assert not is_junk(name)
