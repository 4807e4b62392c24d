"""HTML article pages -> one raw item: main text, title, date and author via trafilatura.

trafilatura leads published main-text extraction benchmarks (F1 0.924 against 0.836 for
news-please); it leaves navigation, scripts, footers and comments out.
"""
from __future__ import annotations

import logging
from typing import Iterator

import trafilatura

from newsmon.transforms import records
from newsmon.transforms.readers.text import paragraphs_of

# trafilatura reports pages it cannot use at WARNING level; the dead-letter already says so.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
# Fewer words than this is a menu or a cookie banner, not an article.
MIN_WORDS = 15


def parse_html(html: str, base: dict) -> Iterator[dict]:
    """One raw item for an HTML page, or a dead-letter when it has no main text."""
    document = trafilatura.bare_extraction(
        html, url=base.get("url"), with_metadata=True, include_comments=False,
        include_tables=False, include_images=False,
    )
    text = (document.text or "").strip() if document else ""
    if len(text.split()) < MIN_WORDS:
        yield records.deadletter(base["input"], "parse", "no_main_text",
                                 "the HTML page has no article text (navigation or scripts only)")
        return
    paragraphs = paragraphs_of(text.replace("\n", "\n\n"))
    title = (document.title or "").strip() or None
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    yield {
        **base,
        "format": "html",
        "title": title,
        "text": "\n\n".join(paragraphs),
        "url": base.get("url") or document.url,
        "published": document.date,
        "source": document.sitename,
        "author": document.author,
        "dateline": None,
    }
