"""HTML pages through trafilatura: main text and metadata, never navigation or scripts."""
from __future__ import annotations

import shutil

from conftest import SHARED
from reading import DATA, read_all


def test_article_page_main_text_and_metadata():
    (article,), dead = read_all(DATA / "article.html")
    assert dead == []
    assert article["title"] == "Bridge reopens to traffic after repairs"
    assert article["published_at"] == "2021-05-20"
    assert article["author"] == "Maria Jensen"
    assert article["source"] == "Example Gazette"
    assert article["language"] == "en"
    paragraphs = article["text"].split("\n\n")
    assert paragraphs[0].startswith("The main bridge over the river reopened")
    assert len(paragraphs) == 4
    for junk in ("Home", "Subscribe", "analytics", "color: red", "Most read", "All rights reserved"):
        assert junk not in article["text"]


def test_page_without_article_text_is_a_dead_letter():
    articles, (record,) = read_all(DATA / "nav_only.html")
    assert articles == []
    assert record["error"] == "no_main_text"


def test_html_page_saved_as_a_feed_is_refused_with_the_feed_it_names(tmp_path):
    feed_name = tmp_path / "news.rss"
    shutil.copy(DATA / "nav_only.html", feed_name)
    articles, (record,) = read_all(feed_name)
    assert articles == []
    assert record["error"] == "html_not_feed"
    assert "https://gazette.example.com/rss.xml" in record["reason"]


def test_document_moved_page_served_instead_of_a_feed():
    articles, (record,) = read_all(SHARED / "eval" / "feeds" / "realworld" / "input" / "unrecognized.rss")
    assert articles == []
    assert "expected an RSS/Atom feed but got an HTML page ('Document Moved')" == record["reason"]
