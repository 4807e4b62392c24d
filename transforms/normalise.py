"""Raw items -> article records: clean text, title, language, publication date, source, stable id.

The same steps serve every input format: Unicode repair (mojibake, odd spaces), boilerplate
removed from the text the NLP reads, a title derived from the lead when the input had no
headline, the publication date from the best evidence (header > feed or record field >
dateline), the outlet from the record or feed, else from the dateline agency, byline or
reprint notice.
"""
from __future__ import annotations

import re
from typing import Iterator

import ftfy
import py3langid

from newsmon.transforms import records
from newsmon.transforms.boilerplate import default_boilerplate
from newsmon.transforms.dates import date_with_inferred_year, parse_date
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import Settings

# Invisible characters that break tokens: zero-width space, word joiner, soft hyphen, BOM.
_INVISIBLE = re.compile("[\u200b\u2060\u00ad\ufeff]")
_SPACES = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Sentence ends: not after an initial ("J.") or a common abbreviation ("Mr.", "Sept.", "U.S.").
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "sen", "rep", "gov", "pres",
    "st", "mt", "no", "vs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "inc", "corp", "ltd", "co", "jr", "sr", "u.s", "u.k", "u.n", "e.g", "i.e", "approx", "est",
}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*(?=\s+[\"'“‘«(]?[A-Z0-9À-ÖØ-Þ])")
_TITLE_MAX_CHARS = 200
_TITLE_MIN_CHARS = 60
# Where a long lead sentence can be cut; a break before a lower-case word ends a clause, one
# before a capital often sits inside a list of names ("Vladimir Putin, Emmanuel Macron").
_CLAUSE_BREAK = re.compile(r"(?:,|;|\s[-–—])\s+(?=(\S))")
# An opening adverbial ("In a joint statement released on Thursday, ") that headlines leave out.
_INTRO_PHRASE = re.compile(
    r"^(?:In|On|At|After|During|Following|Amid|Despite|Earlier|Later|Meanwhile|According to)\b[^,]{0,60},\s+(?=\S)")
_LANGUAGE_MIN_LETTERS = 20
# The opening of an article tells its language as well as the whole, at a fraction of the cost.
_LANGUAGE_SAMPLE_CHARS = 3000
_ISO_639_1 = re.compile(r"[a-z]{2}")


def repair_text(text: str) -> str:
    """Mojibake and odd characters fixed, spaces collapsed, paragraphs split by one blank line."""
    fixed = ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")
    fixed = _INVISIBLE.sub("", fixed)
    paragraphs = (_SPACES.sub(" ", block).strip() for block in _PARAGRAPH_BREAK.split(fixed))
    return "\n\n".join(p for p in paragraphs if p)


def first_sentence(paragraph: str) -> str:
    """The paragraph up to its first sentence end that is not an abbreviation or an initial."""
    for match in _SENTENCE_END.finditer(paragraph):
        words = paragraph[:match.start()].rsplit(None, 1)
        word = words[-1].lower().lstrip("(\"'“") if words else ""
        if not word or word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
            continue
        return paragraph[:match.end()]
    return paragraph


def derive_title(paragraphs: list[str]) -> str:
    """A headline-like title for an article without one: the lead's first sentence, shortened
    at a clause boundary (or a word boundary, with an ellipsis) when it runs long."""
    if not paragraphs:
        return ""
    sentence = first_sentence(paragraphs[0]).strip()
    sentence = re.sub(r"[.]+$", "", sentence).strip()
    if len(sentence) <= _TITLE_MAX_CHARS:
        return sentence
    intro = _INTRO_PHRASE.match(sentence)
    if intro:
        rest = sentence[intro.end():]
        sentence = rest[0].upper() + rest[1:]
    breaks = [m for m in _CLAUSE_BREAK.finditer(sentence, 0, _TITLE_MAX_CHARS) if m.start() >= _TITLE_MIN_CHARS]
    clause_ends = [m for m in breaks if m.group(1).islower()] or breaks
    if clause_ends:
        return sentence[:clause_ends[-1].start()].rstrip()
    return sentence[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of the text; for text too short to tell, the language the input declared
    (a feed's `<language>pt-pt</language>` -> "pt"), else None."""
    if sum(ch.isalpha() for ch in text[:1000]) < _LANGUAGE_MIN_LETTERS:
        code = (declared or "").strip().lower().replace("_", "-").split("-")[0]
        return code if _ISO_639_1.fullmatch(code) else None
    language, _score = py3langid.classify(text[:_LANGUAGE_SAMPLE_CHARS])
    return language


def published_at(item: dict, text: str) -> str | None:
    """The best evidence: the archive header or the feed/record date, then the dateline."""
    published = parse_date(item.get("published"))
    if published:
        return published
    dateline = item.get("dateline") or {}
    return date_with_inferred_year(dateline.get("date"), text)


def normalise_item(item: dict) -> dict:
    """An article record for one raw item, or a dead-letter when no story text is left."""
    title = repair_text(item.get("title") or "").replace("\n\n", " ")
    body = repair_text(item.get("text") or "")
    cleaned = default_boilerplate().clean(body.split("\n\n") if body else [])
    text = "\n\n".join(cleaned.paragraphs)
    if not title:
        title = derive_title(cleaned.paragraphs)
    if not title and not text:
        what = "only boilerplate" if cleaned.removed else "no text"
        return records.deadletter(item["input"], "normalise", "empty", f"the item holds {what}, no article text")
    dateline = item.get("dateline") or {}
    article = records.new_article(
        origin=item["origin"],
        input_ref=item["input"],
        order_key=item["order_key"],
        title=title,
        text=text,
        path=item.get("path"),
        url=item.get("url"),
        source=item.get("source") or dateline.get("agency") or cleaned.evidence.get("source"),
        published_at=published_at(item, text),
        language=detect_language(f"{title}\n{text}", item.get("language")),
        author=item.get("author") or cleaned.evidence.get("author"),
        dateline=dateline.get("text"),
        place=dateline.get("place"),
        format=item.get("format"),
    )
    if records.ARRIVAL in item:
        article[records.ARRIVAL] = item[records.ARRIVAL]
    return article


def read_articles(ref: str, settings: Settings) -> Iterator[dict]:
    """Article records or dead-letters for one input, as the pipeline's Read and Normalise steps
    give them, for evaluations and tests that work without Beam."""
    for item in read_input(ref, settings):
        yield item if records.is_deadletter(item) else normalise_item(item)
