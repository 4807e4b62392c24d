"""Normalisation: the seed run's articles, boilerplate removal, titles, dates, language, ids."""
from __future__ import annotations

import pytest

from conftest import SEEDS, SHARED, read_jsonl
from reading import read_all
from newsmon.transforms.boilerplate import default_boilerplate, load_boilerplate
from newsmon.transforms.dates import date_with_inferred_year, parse_date
from newsmon.transforms.normalise import derive_title, detect_language, normalise_item, repair_text
from newsmon.transforms.settings import ConfigError

SEED_EXPECTED = {
    "000": ("French President Emmanuel Macron has agreed to exchange information on the situation in the "
            "Nagorno-Karabakh region with his Russian and US counterparts, Vladimir Putin and Donald Trump",
            "2020-10-01", "TASS"),
    "001": ("Russian Presidents Vladimir Poutin, French Presidents Emmanuel Macron and American Donald Trump "
            "called for “the immediate cessation of hostilities” in Nagorno-Karabakh", None, None),
    "002": ("France's biased approach to the issue of the Nagorno-Karabakh conflict has long been evident thanks "
            "to only a few statements by President Emmanuel Macron, Basel Haj Jasem", "2020-11-11", "Trend"),
    "003": ("France initiates a meeting of the UN Security Council in connection with the aggravation of the "
            "situation in Nagorno-Karabakh", None, None),
    "004": ("France, US, Russia issue joint call for peace as fighting rages in Nagorno-Karabakh", None,
            "Radio Free Europe/Radio Liberty"),
}
# Lines of the seed files that are not story text, and must not reach the NLP.
BOILERPLATE = [
    "date 2020-", "/TASS/", "BRUSSELS, October 1", "BAKU, Azerbaijan", "By Jeila Aliyeva", "Hayk Baghdasaryan",
    "PHOTOLURE", "Rocket fire in the Nagorno-Karabakh region, October 1, 2020", "Join our brand new",
    "Telegram", "Official Internet Resources", "originally published by", "– World", "– Armenia",
    "permanent tension since 1988",
]


def seed_articles(seed_run) -> dict[str, dict]:
    return {a["path"].rsplit("/", 1)[1][:3]: a for a in read_jsonl(seed_run / "articles.jsonl")}


def test_seed_run_titles_dates_sources_language(seed_run):
    articles = seed_articles(seed_run)
    assert sorted(articles) == sorted(SEED_EXPECTED)
    for prefix, (title, published, source) in SEED_EXPECTED.items():
        article = articles[prefix]
        assert (article["title"], article["published_at"], article["source"]) == (title, published, source), prefix
        assert article["language"] == "en"


def test_seed_run_text_has_no_header_or_boilerplate(seed_run):
    for prefix, article in seed_articles(seed_run).items():
        for line in BOILERPLATE:
            assert line not in article["text"], (prefix, line)
        assert article["text"] == article["text"].strip()
        assert "\n\n\n" not in article["text"]


def test_seed_text_keeps_the_story(seed_run):
    articles = seed_articles(seed_run)
    assert articles["000"]["text"].startswith("French President Emmanuel Macron has agreed")
    assert articles["001"]["text"].startswith("In a joint statement released on Thursday")
    assert "\n\nSyrian jihadists on the spot\n\n" in articles["001"]["text"], "sub-headings are story text"
    assert articles["001"]["text"].endswith("its geopolitical competitor in the region.")
    assert articles["002"]["text"].startswith("France's biased approach")
    assert articles["002"]["author"] == "Jeila Aliyeva"
    assert articles["003"]["text"].startswith("France initiates a meeting of the UN Security Council")
    assert articles["004"]["text"].startswith("Heavy shelling between Armenian and Azerbaijani forces")
    assert articles["000"]["place"] == "Brussels" and articles["002"]["place"] == "Baku"


def test_dateline_year_needs_evidence(tmp_path):
    for prefix, expected in (("002", "2020-11-11"), ("000", None)):
        text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
        headerless = tmp_path / f"{prefix}.txt"
        headerless.write_text(text.replace(" date 2020-11-11 ", "").replace(" date 2020-10-01 ", ""), encoding="utf-8")
        (article,), _ = read_all(headerless)
        assert article["published_at"] == expected, prefix


@pytest.mark.parametrize("value, expected", [
    ("2020-10-01", "2020-10-01"),
    ("2021-04-15T09:12:00Z", "2021-04-15T09:12:00+00:00"),
    ("Wed, 31 Jan 2018 07:26:05 GMT", "2018-01-31T07:26:05+00:00"),
    ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T19:42:40-03:00"),
    ("13 July 2022", "2022-07-13"),
    ("October 1", None),
    ("yesterday", None),
    ("not a date", None),
    ("0001-01-01", None),
    ("", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_inferred_year_rolls_over_new_year():
    assert date_with_inferred_year("January 2", "Talks began on December 30, 2020 and continued.") == "2021-01-02"
    assert date_with_inferred_year("November 11", "Fighting has gone on since 1988.") is None
    assert date_with_inferred_year("5 March 2021", "") == "2021-03-05"


@pytest.mark.parametrize("line, kind", [
    ("Join our brand new verified AMN Telegram channel and get important news uncensored!", "promo"),
    ("Follow us on Twitter for live updates", "promo"),
    ("Hayk Baghdasaryan / PHOTOLURE / AFP", "photo_credit"),
    ("Vladimir Putin and Emmanuel Macron (Official Internet Resources of the President of Russia/Released)", "photo_credit"),
    ("Photo: Reuters", "photo_credit"),
    ("By Jeila Aliyeva - Trend:", "byline"),
    ("This article was originally published by Radio Free Europe/Radio Liberty and is reprinted with permission.", "reprint"),
    ("Tags: Armenia, Azerbaijan", "tag_label"),
    ("Read more: Why the talks failed", "promo"),
    ("By Sunday the army had withdrawn from the town.", None),
    ("Related to this, the minister resigned on Friday.", None),
    ("Follow-up talks will be broadcast on Channel 4.", None),
    ("Syrian jihadists on the spot", None),
])
def test_boilerplate_lines(line, kind):
    found = default_boilerplate().match(line)
    assert (found[0] if found else None) == kind


def test_caption_ending_in_a_dash_goes_with_its_credit():
    cleaned = default_boilerplate().clean([
        "Rocket fire in the region, October 1, 2020. -", "Hayk Baghdasaryan / PHOTOLURE / AFP",
        "The first paragraph of the story.", "The second one.", "The third one.", "The fourth one.",
    ])
    assert cleaned.paragraphs[0] == "The first paragraph of the story."
    assert [kind for kind, _ in cleaned.removed] == ["caption", "photo_credit"]


def test_boilerplate_config_errors_are_one_line(tmp_path):
    bad_regex = tmp_path / "bad.yaml"
    bad_regex.write_text("agencies: [AFP]\npatterns:\n  promo:\n    - '(unclosed'\n")
    with pytest.raises(ConfigError, match=r"bad.yaml: key 'patterns.promo\[0\]' is not a valid regular expression"):
        load_boilerplate(bad_regex)
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("patterns:\n  adverts:\n    - 'buy now'\n")
    with pytest.raises(ConfigError, match="unknown key 'patterns.adverts'"):
        load_boilerplate(unknown)


def test_derive_title_never_takes_a_whole_long_paragraph():
    lead = ("Officials said on Monday that the dam, which was built in 1962 and has been under repair for years, "
            "would reopen next spring after engineers finished replacing its gates and reinforcing the walls. "
            "The work cost millions.")
    title = derive_title([lead])
    assert len(title) <= 200 and lead.startswith(title.rstrip("…")) and "The work" not in title
    assert derive_title(["Mr. Smith went to Washington. He met the U.S. president."]) == "Mr. Smith went to Washington"


def test_repair_text_and_language():
    assert repair_text("Itâ€™s  a\u00a0test\u200b.\n\n\n\nSecond   paragraph.") == "It’s a test.\n\nSecond paragraph."
    assert detect_language("Die Regierung hat am Montag neue Maßnahmen gegen die Inflation beschlossen.") == "de"
    assert detect_language("El gobierno anunció nuevas medidas contra la inflación el lunes.") == "es"
    assert detect_language("ok") is None
    assert detect_language("ok", "pt-PT") == "pt"


def test_ids_are_stable_and_depend_on_origin():
    item = {"input": "a.txt", "origin": "/x/a.txt", "order_key": "a.txt", "title": "T", "text": "Some text here."}
    assert normalise_item(item)["id"] == normalise_item(dict(item))["id"]
    assert normalise_item(item)["id"] != normalise_item({**item, "origin": "/x/b.txt"})["id"]


def test_item_with_only_boilerplate_is_a_dead_letter():
    item = {"input": "promo.txt", "origin": "/x/promo.txt", "order_key": "promo.txt", "title": None,
            "text": "Join our brand new verified AMN Telegram channel and get important news uncensored!"}
    record = normalise_item(item)
    assert record["stage"] == "normalise" and "only boilerplate" in record["reason"]


def test_closing_lists_without_a_tag_list_stay_in_the_story():
    """BBC match reports end with line-ups: short lines that are data, not navigation."""
    path = SHARED / "corpora" / "bbc" / "sport" / "107.txt"
    (article,), _ = read_all(path)
    last_line = path.read_text(encoding="utf-8").strip().rsplit("\n", 1)[1].strip()
    assert article["text"].endswith(last_line)


@pytest.mark.parametrize("paragraph", [". Hello there. Next one.", "… Next", "!", "In a, b"])
def test_derive_title_on_odd_leads(paragraph):
    title = derive_title([paragraph])
    assert isinstance(title, str) and len(title) <= 201
