"""Every limit in config/newsmon.yaml is enforced where it matters: input size (files and URLs),
items per input (feeds and JSON), text kept per article, text handed to the model."""
from __future__ import annotations

import pytest

from bad_inputs import write_big_feed, write_big_text
from reading import read_all, settings_with
from newsmon.transforms import records
from newsmon.transforms.nlp import nlp_text
from newsmon.transforms.normalise import cut_text, normalise_item
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import ConfigError, load_settings


def test_defaults_are_sane():
    settings = load_settings()
    assert settings.get("limits.max_input_bytes") == 20_000_000
    assert settings.get("limits.max_items_per_input") == 10_000
    assert settings.get("limits.max_text_chars") == 200_000
    assert settings.get("nlp.max_chars") == 100_000
    assert (settings.get("fetch.deadline_s"), settings.get("fetch.max_redirects")) == (60, 5)
    assert settings.get("fetch.allow_private") is False


@pytest.mark.parametrize("key, value", [("limits:\n  max_text_chars", 0), ("fetch:\n  allow_private", "maybe"),
                                        ("fetch:\n  max_redirects", -1), ("fetch:\n  deadline_s", 0)])
def test_bad_limits_are_one_line_config_errors(tmp_path, key, value):
    config = tmp_path / "bad.yaml"
    config.write_text(f"{key}: {value}\n")
    with pytest.raises(ConfigError, match=key.split(":\n  ")[1]):
        load_settings(config)


def test_file_over_max_input_bytes_is_dead_lettered_without_reading_it_all(tmp_path):
    path = write_big_text(tmp_path / "big.txt", size=300_000)
    size = path.stat().st_size
    (record,) = list(read_input(str(path), settings_with(tmp_path, max_input_bytes=size - 1)))
    assert (record["stage"], record["error"]) == ("read", "too_large")
    assert f"max_input_bytes ({size - 1} bytes)" in record["reason"]
    (article,), dead = read_all(path, settings_with(tmp_path, max_input_bytes=size))
    assert dead == [] and len(article["text"]) > 250_000


def test_feed_items_beyond_the_cap_are_counted_not_dropped(tmp_path):
    path = write_big_feed(tmp_path / "wire.rss", items=120)
    articles, dead = read_all(path, settings_with(tmp_path, max_items_per_input=100))
    assert len(articles) == 100 and len(dead) == 20
    assert all(d["error"] == "too_many_items" for d in dead) and dead[-1]["input"].endswith("wire.rss#119")


def test_article_text_is_cut_to_max_text_chars_at_a_paragraph(tmp_path):
    path = write_big_text(tmp_path / "long.txt", size=2_000_000)
    (item,) = list(read_input(str(path), load_settings()))
    article = normalise_item(item, 10_000)
    assert article["truncated"] is True and article["original_chars"] > 1_900_000
    assert 9_000 < len(article["text"]) <= 10_000 and article["text"].endswith("final vote.")
    assert "truncated" not in normalise_item(item, 5_000_000)


def test_cut_text_prefers_paragraphs_then_words():
    text = "First paragraph here.\n\nSecond paragraph that runs on and on"
    assert cut_text(text, 40) == "First paragraph here."
    assert cut_text("one two three four five six", 13) == "one two three"
    assert cut_text("x" * 50, 10) == "x" * 10
    assert cut_text("short", 10) == "short"


def test_model_reads_at_most_nlp_max_chars():
    article = {"title": "Headline", "text": "word " * 100_000}
    assert len(nlp_text(article, 1_000)) == 1_000
    assert nlp_text(article, 1_000).startswith("Headline\n\nword word")


def test_over_limit_articles_are_still_articles_not_deadletters(tmp_path):
    path = write_big_text(tmp_path / "long.txt", size=500_000)
    (item,) = list(read_input(str(path), load_settings()))
    assert not records.is_deadletter(normalise_item(item, 1_000))
