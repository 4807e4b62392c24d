"""Plain-text articles: the seeds as archives keep them, and perturbed copies of them."""
from __future__ import annotations

import textwrap

from conftest import SEEDS, SHARED
from reading import read_all
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import load_settings


def seed(prefix: str):
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def raw_item(path) -> dict:
    (item,) = list(read_input(str(path), load_settings()))
    return item


def test_header_and_tass_dateline_are_split_from_the_lead():
    item = raw_item(seed("000"))
    assert item["published"] == "2020-10-01"
    assert item["dateline"]["place"] == "Brussels"
    assert item["dateline"]["agency"] == "TASS"
    assert item["dateline"]["date"] == "October 1"
    assert item["title"] is None
    assert item["text"].startswith("French President Emmanuel Macron has agreed")


def test_dateline_paragraph_with_region():
    item = raw_item(seed("002"))
    assert item["published"] == "2020-11-11"
    assert (item["dateline"]["place"], item["dateline"]["region"]) == ("Baku", "Azerbaijan")
    assert "BAKU" not in item["text"]


def test_headline_found_behind_a_promo_line():
    item = raw_item(seed("004"))
    assert item["title"] == "France, US, Russia issue joint call for peace as fighting rages in Nagorno-Karabakh"


def test_photo_caption_is_never_the_headline():
    item = raw_item(seed("001"))
    assert item["title"] is None


def test_windows_line_ends_and_a_header_without_article(tmp_path):
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(seed("002").read_bytes().replace(b"\n", b"\r\n"))
    original, _ = read_all(seed("002"))
    perturbed, _ = read_all(crlf)
    assert [(a["title"], a["text"], a["published_at"]) for a in perturbed] == \
           [(a["title"], a["text"], a["published_at"]) for a in original]


def test_hard_wrapped_paragraphs_are_joined(tmp_path):
    lines = seed("002").read_text(encoding="utf-8").split("\n")
    wrapped = tmp_path / "wrapped.txt"
    wrapped.write_text("\n".join(textwrap.fill(line, 72) if len(line) > 72 else line for line in lines), encoding="utf-8")
    (original,), _ = read_all(seed("002"))
    (rewrapped,), _ = read_all(wrapped)
    assert rewrapped["text"] == original["text"]
    assert rewrapped["title"] == original["title"]


def test_bbc_articles_take_their_first_line_as_title():
    folder = SHARED / "corpora" / "bbc" / "business"
    for path in sorted(folder.glob("*.txt"))[:20]:
        (article,), dead = read_all(path)
        first_line = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0].strip()
        assert article["title"] == first_line
        assert not article["text"].startswith(first_line)
        assert dead == []


def test_empty_and_blank_files_are_dead_letters(tmp_path):
    for name, content in (("empty.txt", b""), ("blank.txt", b" \n\n\t\n"), ("header-only.txt", b" date 2020-10-01\n")):
        path = tmp_path / name
        path.write_bytes(content)
        articles, dead = read_all(path)
        assert articles == []
        assert len(dead) == 1 and dead[0]["input"] == str(path) and dead[0]["reason"]


def test_invalid_header_date_is_ignored_not_trusted(tmp_path):
    path = tmp_path / "bad-header.txt"
    path.write_text(" date 2020-13-45 " + seed("000").read_text(encoding="utf-8").split(" ", 3)[3], encoding="utf-8")
    (article,), _ = read_all(path)
    assert article["published_at"] is None
    assert article["source"] == "TASS"
