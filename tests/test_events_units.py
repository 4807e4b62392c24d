"""Unit behaviour of the events modules on realistic news phrases."""
from __future__ import annotations

import pytest

from newsmon.transforms.events.dates import reference_date, resolve_date
from newsmon.transforms.events.lexicon import load_lexicon, parse_lexicon
from newsmon.transforms.events.numbers import parse_number
from newsmon.transforms.settings import ConfigError, load_yaml_mapping


@pytest.mark.parametrize("text, value", [
    ("seven thousand", 7000), ("1,960", 1960), ("128", 128), ("twenty-one", 21), ("two", 2),
    ("one hundred and five", 105), ("2.5 million", 2_500_000), ("a dozen", 12), ("thirty thousand", 30000),
])
def test_number_words(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["several", "dozens of", "many", ""])
def test_vague_amounts_are_not_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("expression, published, expected", [
    ("on Sunday", "2020-10-01", "2020-09-27"),            # Thursday article, Sunday before
    ("Thursday", "2020-10-01", "2020-10-01"),
    ("September 27", "2020-10-01", "2020-09-27"),
    ("Sept. 27", "2020-10-01", "2020-09-27"),
    ("on 10 November 2020", "2020-11-11", "2020-11-10"),
    ("yesterday", "2020-10-01", "2020-09-30"),
    ("The day before", "2020-10-01", "2020-09-30"),
    ("December 28", "2021-01-03", "2020-12-28"),          # year before: not months in the future
    ("last Friday", "2020-10-02", "2020-09-25"),
])
def test_dates_resolve_against_publication(expression, published, expected):
    assert resolve_date(expression, published) == expected


@pytest.mark.parametrize("expression", ["in 1994", "the summer of 2014", "a few days", "since the 1990s"])
def test_vague_dates_give_no_day(expression):
    assert resolve_date(expression, "2020-10-01") is None


def test_relative_dates_need_a_reference():
    assert resolve_date("on Sunday", None) is None
    assert resolve_date("September 27, 2020", None) == "2020-09-27"


def test_reference_date_from_a_full_date_in_the_text():
    assert reference_date(None, "Rocket fire in the region, October 1, 2020. Fighting resumed Sunday.").isoformat() == "2020-10-01"
    # A later year in the text means the full date is history, not the time of writing.
    assert reference_date(None, "On September 27, 2020, war broke out. From December 2022 a blockade.") is None


def test_packaged_lexicon_loads_all_categories():
    lexicon = load_lexicon()
    assert len(lexicon.quad_class) == 16
    assert lexicon.quad_class["ASSAULT"] == "material_conflict"
    assert lexicon.quad_class["CONSULT"] == "verbal_cooperation"


def _rules(text: str) -> dict:
    return load_yaml_mapping("events.yaml", text)


@pytest.mark.parametrize("text, fragment", [
    ("categories:\n  ATTACK: {quad_class: material_conflict, verbs: [attack], nouns: [attack]}\n", "categories.ATTACK"),
    ("categories:\n  ASSAULT: {quad_class: violent, verbs: [attack], nouns: [attack]}\n", "categories.ASSAULT.quad_class"),
    ("categories:\n  ASSAULT: {quad_class: material_conflict, verbs: [], nouns: [attack]}\n", "categories.ASSAULT.verbs"),
    ("categories:\n  ASSAULT: {quad_class: material_conflict, verbs: [Attack], nouns: [attack]}\n", "categories.ASSAULT.verbs[0]"),
    ("triggers: {}\n", "triggers"),
    ("categories:\n  ASSAULT: {quad_class: material_conflict, verbs: [attack], nouns: [attack]}\n"
     "  PROTEST: {quad_class: material_conflict, verbs: [attack], nouns: [protest]}\n", "categories.PROTEST.verbs"),
])
def test_config_errors_are_one_line_and_name_the_key(text, fragment):
    with pytest.raises(ConfigError) as error:
        parse_lexicon(_rules(text), "my-events.yaml")
    message = str(error.value)
    assert "\n" not in message and "my-events.yaml" in message and fragment in message


def test_missing_casualty_kind_is_reported(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text("categories:\n  ASSAULT: {quad_class: material_conflict, verbs: [attack], nouns: [attack]}\n"
                    "casualties: {killed: [kill], wounded: [wound]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="casualties.arrested"):
        load_lexicon(path)
