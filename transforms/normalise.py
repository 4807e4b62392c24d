"""Raw items -> article records: clean text, title, language, publication date, source, stable id.

The same steps serve every input format: Unicode repair (mojibake, odd spaces), boilerplate
removed from the text the NLP reads, a title derived from the lead when the input had no
headline, the publication date from the best evidence (header > feed or record field >
dateline), the outlet from the record or feed, else from the dateline agency, byline or
reprint notice. Removed photo captions and the credited photographer stay on the article as
evidence (a caption dates an undated story; byline and credit name people of the article).
"""
from __future__ import annotations

import functools
import re
from typing import Iterator

import apache_beam as beam
import ftfy
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from newsmon.transforms import records
from newsmon.transforms.boilerplate import default_boilerplate
from newsmon.transforms.dates import date_with_inferred_year, parse_date
from newsmon.transforms.heaps import release_free_memory
from newsmon.transforms.readers import read_input
from newsmon.transforms.readers.markup import plain_text
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
_LETTER = re.compile(r"[^\W\d_]")
# The opening of an article tells its language as well as the whole, at a fraction of the cost
# (py3langid walks every byte in Python: ~2.5 ms per 1,000 characters). 1,000 and 3,000 characters
# gave the same language for all 2,225 BBC articles and 334 feed entries in ../shared/eval/feeds.
_LANGUAGE_SAMPLE_CHARS = 1000
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


@functools.lru_cache(maxsize=1)
def language_identifier() -> LanguageIdentifier:
    """py3langid's model, loaded on first use (0.6 s; 74 MB resident until `cache_clear`)."""
    return LanguageIdentifier.from_model_file(MODEL_FILE)


def detect_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of the text; for text too short to tell, the language the input declared
    (a feed's `<language>pt-pt</language>` -> "pt"), else None."""
    if len(_LETTER.findall(text, 0, 1000)) < _LANGUAGE_MIN_LETTERS:
        code = (declared or "").strip().lower().replace("_", "-").split("-")[0]
        return code if _ISO_639_1.fullmatch(code) else None
    language, _score = language_identifier().classify(text[:_LANGUAGE_SAMPLE_CHARS])
    return language


def published_at(item: dict, text: str) -> str | None:
    """The best evidence: the archive header or the feed/record date, then the dateline."""
    published = parse_date(item.get("published"))
    if published:
        return published
    dateline = item.get("dateline") or {}
    return date_with_inferred_year(dateline.get("date"), text)


def cut_text(text: str, max_chars: int) -> str:
    """The text within `max_chars`: cut at the last paragraph break, else the last space, before it."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    cut = head.rfind("\n\n")
    if cut > max_chars // 2:
        return head[:cut].rstrip()
    if text[max_chars].isspace():
        return head.rstrip()
    cut = head.rfind(" ")
    return head[:cut].rstrip() if cut > max_chars // 2 else head


def _safe_url(url: str | None) -> str | None:
    """The item's link when it is a web address; `javascript:` and other schemes are dropped."""
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def _plain(value: str | None) -> str | None:
    return plain_text(value).strip() or None if value else None


def normalise_item(item: dict, max_text_chars: int | None = None) -> dict:
    """An article record for one raw item, or a dead-letter when no story text is left.

    Every stored string is plain text (`plain_text`): whatever markup a feed or page smuggled into a
    title, body, byline or outlet name is stripped, since Kibana and other viewers display them.
    Text beyond `max_text_chars` (`limits.max_text_chars`) is cut, and the article marked `truncated`."""
    title = repair_text(plain_text(item.get("title") or "")).replace("\n\n", " ")
    body = repair_text(plain_text(item.get("text") or ""))
    cleaned = default_boilerplate().clean(body.split("\n\n") if body else [])
    text = "\n\n".join(cleaned.paragraphs)
    extra = {}
    if max_text_chars is not None and len(text) > max_text_chars:
        extra = {"truncated": True, "original_chars": len(text)}
        text = cut_text(text, max_text_chars)
    if not title:
        title = derive_title(cleaned.paragraphs)[:max_text_chars]
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
        url=_safe_url(item.get("url")),
        source=_plain(item.get("source") or dateline.get("agency") or cleaned.evidence.get("source")),
        published_at=published_at(item, text),
        language=detect_language(f"{title}\n{text}", item.get("language")),
        author=_plain(item.get("author") or cleaned.evidence.get("author")),
        photographer=_plain(cleaned.evidence.get("photographer")),
        captions=[plain_text(paragraph).strip() for kind, paragraph in cleaned.removed if kind == "caption"],
        dateline=_plain(dateline.get("text")),
        place=_plain(dateline.get("place")),
        format=item.get("format"),
        **extra,
    )
    if records.ARRIVAL in item:
        article[records.ARRIVAL] = item[records.ARRIVAL]
    return article


def read_articles(ref: str, settings: Settings) -> Iterator[dict]:
    """Article records or dead-letters for one input, as the pipeline's Read and Normalise steps
    give them, for evaluations and tests that work without Beam."""
    for item in read_input(ref, settings):
        yield item if records.is_deadletter(item) else normalise_item(item)


class NormaliseItems(beam.DoFn):
    """`normalise_item` over raw items. A batch run normalises each worker's share in one bundle
    and nothing after needs the language identifier, so it is freed when a bundle ends: kept, it
    stayed resident in both workers through the model stage, the run's memory peak. Streaming
    bundles are small and many, so there it stays loaded."""

    def __init__(self, max_text_chars: int | None, free_after_bundle: bool):
        self._max_text_chars = max_text_chars
        self._free_after_bundle = free_after_bundle

    def process(self, item: dict) -> Iterator[dict]:
        yield normalise_item(item, self._max_text_chars)

    def finish_bundle(self) -> None:
        if self._free_after_bundle:
            language_identifier.cache_clear()
            release_free_memory()
