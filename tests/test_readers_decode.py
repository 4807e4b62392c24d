"""Encodings: BOMs, UTF-16/32 with and without BOM, legacy code pages, mojibake, and binary
files that must be refused rather than decoded into garbage."""
from __future__ import annotations

import gzip
import struct
import zlib

import ftfy.bad_codecs  # noqa: F401 - registers the sloppy-windows-1252 codec
import pytest

from conftest import SEEDS
from reading import read_all
from newsmon.transforms.readers.decode import NotText, decode_bytes

SEED_004 = next(SEEDS.glob("004_*.txt"))
SEED_001 = next(SEEDS.glob("001_*.txt"))
RUSSIAN = (
    "Москва, 3 октября. Министр иностранных дел России провёл телефонный разговор со своим "
    "французским коллегой. Стороны обсудили ситуацию в Нагорном Карабахе и призвали к немедленному "
    "прекращению огня.\n\nПо словам министра, Россия готова предоставить площадку для переговоров."
)
FRENCH = (
    "Le président français a réclamé « l'arrêt immédiat des hostilités » au Haut-Karabakh, où les "
    "combats ont fait des dizaines de morts.\n\nLes négociations reprendront à Genève la semaine prochaine."
)


def comparable(articles: list[dict]) -> list[tuple]:
    return [(a["title"], a["text"], a["language"]) for a in articles]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_unicode_encodings_with_and_without_bom(tmp_path, encoding):
    text = SEED_004.read_text(encoding="utf-8")
    path = tmp_path / f"seed-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    articles, dead = read_all(path)
    assert dead == []
    assert comparable(articles) == comparable(read_all(SEED_004)[0])


def test_windows_1252_article_decodes_like_the_utf8_original(tmp_path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes(SEED_001.read_text(encoding="utf-8").encode("cp1252"))
    assert comparable(read_all(path)[0]) == comparable(read_all(SEED_001)[0])


@pytest.mark.parametrize("text, encoding, language", [
    (RUSSIAN, "cp1251", "ru"), (RUSSIAN, "koi8_r", "ru"), (FRENCH, "latin-1", "fr"), (FRENCH, "cp1252", "fr"),
])
def test_legacy_code_pages(tmp_path, text, encoding, language):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    (article,), dead = read_all(path)
    assert dead == []
    assert article["language"] == language
    assert "министра" in article["text"] or "négociations" in article["text"]


def test_mojibake_is_repaired(tmp_path):
    text = SEED_004.read_text(encoding="utf-8")
    path = tmp_path / "mojibake.txt"
    # What a UTF-8 page looks like after a tool read it as Windows-1252 (the classic "â€™").
    path.write_text(text.encode("utf-8").decode("sloppy-windows-1252"), encoding="utf-8")
    (article,), _ = read_all(path)
    assert "Azerbaijan’s Defense Ministry" in article["text"]
    assert "â€" not in article["text"]


def _png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))


@pytest.mark.parametrize("name, data, expected", [
    ("photo.txt", _png(), "PNG image"),
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4, "JPEG image"),
    ("archive.txt", gzip.compress(SEED_004.read_bytes()), "gzip"),
    ("nul.txt", b"Ceasefire\x00\x00\x00\x01\x02 talks \x00\xff\xfe\x00" * 200, "NUL bytes"),
    ("noise.txt", bytes(range(1, 32)) * 300, "control characters"),
])
def test_binary_inputs_are_dead_lettered_with_what_they_are(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    articles, dead = read_all(path)
    assert articles == []
    (record,) = dead
    assert record["error"] == "not_text"
    assert expected in record["reason"]


def test_declared_charset_is_used_when_utf8_fails():
    data = FRENCH.encode("latin-1")
    text, encoding = decode_bytes(data, "text/plain; charset=ISO-8859-1")
    assert text == FRENCH and encoding == "iso8859-1"


def test_not_text_names_the_format():
    with pytest.raises(NotText, match="PDF"):
        decode_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
