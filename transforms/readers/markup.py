"""HTML fragments (feed summaries, record bodies) -> plain text with paragraph breaks.

Feed entries and JSON records often carry their text as an HTML snippet. Whole-page
extraction (trafilatura) throws short snippets away as boilerplate, so snippets get this small
stripper instead: block elements become paragraph breaks, scripts, styles and embedded media
vanish, entities are unescaped.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "tr", "table", "section", "article", "header", "footer", "figure", "figcaption", "pre", "hr", "dd", "dt",
}
_DROPPED = {"script", "style", "noscript", "iframe", "object", "embed", "svg", "template", "head"}
_TAG = re.compile(r"</?[a-zA-Z][^>]{0,500}>|&(?:[a-zA-Z]{2,8}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BREAKS = re.compile(r"\s*\n\s*(?:\n\s*)+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROPPED:
            self._dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    """Whether a string carries markup or entities worth stripping."""
    return bool(_TAG.search(text))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by one blank line."""
    if not looks_like_html(fragment):
        return fragment.strip()
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    text = "".join(collector.parts)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()


# What could still run in a browser once the tags are gone: script URLs and event-handler attributes,
# and a tag opener left over from broken or double-escaped markup ("&amp;lt;script").
_SCRIPT_URL = re.compile(r"\b((?:java|vb)script)\s*:", re.IGNORECASE)
_HANDLER = re.compile(r"\b(on[a-z]+)\s*=", re.IGNORECASE)
_TAG_OPENER = re.compile(r"<(?=[a-zA-Z/!?])")
# Rounds of unescaping: markup escaped twice ("&amp;lt;script&amp;gt;") surfaces after the first.
_UNESCAPE_ROUNDS = 3


def plain_text(text: str) -> str:
    """Text that is plain text whatever it held: markup stripped (also markup that was escaped once or
    twice), and what a browser would still run (`javascript:` URLs, `onerror=` handlers, a stray `<tag`)
    defused, so that nothing stored for Kibana and other viewers can carry a script."""
    for _ in range(_UNESCAPE_ROUNDS):
        if not looks_like_html(text):
            break
        text = html_to_text(text)
    text = _TAG_OPENER.sub("‹", text)
    for pattern in (_SCRIPT_URL, _HANDLER):
        while pattern.search(text):  # "onload==" leaves "onload =" after one round
            text = pattern.sub(r"\1 ", text)
    return text
