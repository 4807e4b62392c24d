"""RSS/Atom feeds: real publishers' captures, feedparser's own ill-formed and odd-encoding test
feeds, the item cap, and feeds served over HTTP by a local server."""
from __future__ import annotations

import pytest

from conftest import SHARED
from reading import REALWORLD, feed_server, read_all, settings_with  # noqa: F401 - fixture
from newsmon.transforms import records
from newsmon.transforms.readers import read_input

FEEDPARSER = SHARED / "eval" / "feeds" / "feedparser" / "files"


@pytest.mark.parametrize("name, count, title, published, source, language", [
    ("guardian.rss", 55, "Trump State of the Union address promised unity but emphasized discord",
     "2018-01-31T07:26:05+00:00", "The Guardian", "en"),
    ("encoding.rss", 40, "Mãe de utente é a nova presidente da Raríssimas",
     "2018-01-03T13:47:00+00:00", "Jornal de Notícias - Últimas Notícias", "pt"),
    ("uolNoticias.rss", 15, "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
     "2018-09-24T19:42:40-03:00", "UOL Noticias", "pt"),
    ("heise.atom", 15, "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
     "2016-02-01T17:22:00+01:00", "heise developer neueste Meldungen", "de"),
    ("rss-1.rss", 69, "Food for fungi", "2017-06-15T10:29:47-07:00", "Science twis", None),
])
def test_real_feeds(name, count, title, published, source, language):
    articles, dead = read_all(REALWORLD / name)
    assert dead == []
    assert len(articles) == count
    first = articles[0]
    assert (first["title"], first["published_at"], first["source"]) == (title, published, source)
    assert first["language"] == language
    assert first["input"] == f"{REALWORLD / name}#0"
    assert articles[-1]["input"] == f"{REALWORLD / name}#{count - 1}"
    assert first["url"].startswith("http")
    assert len({a["id"] for a in articles}) == count


def test_entry_html_becomes_plain_text():
    articles, _ = read_all(REALWORLD / "uolNoticias.rss")
    text = articles[0]["text"]
    assert text.startswith("Líder na pesquisa Ibope de intenção de voto")
    assert "<img" not in text and "src=" not in text
    guardian, _ = read_all(REALWORLD / "guardian.rss")
    assert all("<p>" not in a["text"] and "<a " not in a["text"] for a in guardian)


def test_windows_1252_feed_without_declaration_has_no_mojibake():
    articles, _ = read_all(REALWORLD / "uolNoticias.rss")
    joined = " ".join(a["title"] + a["text"] for a in articles)
    assert "ç" in joined and "ã" in joined
    for mojibake in ("Ã", "â€", "\ufffd"):
        assert mojibake not in joined


@pytest.mark.parametrize("name", ["incomplete-fields.atom", "missing-fields.atom"])
def test_empty_entries_are_dead_letters(name):
    articles, (record,) = read_all(REALWORLD / name)
    assert articles == []
    assert record["input"] == f"{REALWORLD / name}#0"
    assert record["reason"] == "the feed entry has neither a title nor any text"


@pytest.mark.parametrize("name, title", [
    ("koi8r.xml", "Как пережить новогоднюю ночь"),
    ("euckr.xml", "EUC-KR 에서 TypeKey 한글닉네임 표시하기"),
    ("shiftjis.xml", "DrecomRSSに記事投稿が反映されない…"),
])
def test_undeclared_legacy_charsets_are_detected(name, title):
    (article,), _ = read_all(FEEDPARSER / "illformed" / "chardet" / name)
    assert article["title"] == title


@pytest.mark.parametrize("name, reason", [
    ("rss_empty_document.xml", "not a usable RSS/Atom feed"),
    ("aaa_illformed.xml", "not a usable RSS/Atom feed"),
])
def test_ill_formed_feeds_without_entries(name, reason):
    articles, (record,) = read_all(FEEDPARSER / "illformed" / name)
    assert articles == [] and reason in record["reason"]


def test_feed_without_entries(tmp_path):
    path = tmp_path / "empty.rss"
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>')
    articles, (record,) = read_all(path)
    assert articles == [] and record["reason"] == "the feed has no entries"


def test_bozo_feed_still_yields_its_entries(tmp_path):
    data = (REALWORLD / "guardian.rss").read_bytes()
    cut = tmp_path / "truncated.rss"
    cut.write_bytes(data[: len(data) // 2])
    articles, dead = read_all(cut)
    assert len(articles) >= 10
    assert articles[0]["title"] == "Trump State of the Union address promised unity but emphasized discord"
    assert all(not d["reason"].startswith("the reader failed") for d in dead)


def test_entries_beyond_the_cap_are_counted(tmp_path):
    articles, dead = read_all(REALWORLD / "guardian.rss", settings_with(tmp_path, max_items_per_input=10))
    assert len(articles) == 10 and len(dead) == 45
    assert dead[-1]["input"].endswith("guardian.rss#54")
    assert "max_items_per_input (10)" in dead[-1]["reason"]


def test_feed_url_is_fetched_and_read(feed_server, tmp_path):
    url = f"{feed_server}/guardian.rss"
    articles, dead = read_all(url, settings_with(tmp_path))
    assert dead == [] and len(articles) == 55
    assert articles[0]["input"] == f"{url}#0"
    assert articles[0]["path"] is None
    assert articles[0]["url"] == "https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord"
    assert articles[0]["source"] == "The Guardian"


def test_gzip_and_redirects(feed_server, tmp_path):
    loopback = settings_with(tmp_path)
    assert len(read_all(f"{feed_server}/gzipped.rss", loopback)[0]) == 55
    assert len(read_all(f"{feed_server}/moved", loopback)[0]) == 55


@pytest.mark.parametrize("path, error, reason", [
    ("/missing.rss", "fetch_failed", "HTTP 404"),
    ("/to-ftp", "fetch_failed", "redirected to a non-http(s) URL"),
    ("/unrecognized.rss", "html_not_feed", "Document Moved"),
])
def test_bad_urls_are_dead_letters(feed_server, path, error, reason, tmp_path):
    articles, (record,) = read_all(f"{feed_server}{path}", settings_with(tmp_path))
    assert articles == []
    assert record["error"] == error and reason in record["reason"]


def test_size_cap_applies_to_urls(feed_server, tmp_path):
    settings = settings_with(tmp_path, max_input_bytes=10_000)
    (record,) = list(read_input(f"{feed_server}/guardian.rss", settings))
    assert records.is_deadletter(record) and "max_input_bytes (10000" in record["reason"]


def test_silent_server_times_out(feed_server, tmp_path):
    (record,) = list(read_input(f"{feed_server}/slow", settings_with(tmp_path, fetch_timeout_s=1)))
    assert record["stage"] == "fetch" and "within limits.fetch_timeout_s (1 s)" in record["reason"]


def test_unreachable_url_is_a_dead_letter(tmp_path):
    (record,) = list(read_input("http://127.0.0.1:9/feed.rss", settings_with(tmp_path)))
    assert record["stage"] == "fetch" and "cannot reach" in record["reason"]


def test_headline_only_entries_take_the_feed_language(tmp_path):
    path = tmp_path / "headlines.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Le Fil</title><language>fr-FR</language>'
        "<item><title>Grève</title><link>https://fil.example.fr/1</link></item></channel></rss>",
        encoding="utf-8")
    (article,), _ = read_all(path)
    assert (article["title"], article["text"], article["language"], article["source"]) == ("Grève", "", "fr", "Le Fil")
