"""The bad-input corpus: the small files committed in tests/data/bad/, and the big ones generated on demand
(a 50 MB text file, a feed with 10,000 items), which are too big to keep in the repository."""
from __future__ import annotations

import shutil
from pathlib import Path
from xml.sax.saxutils import escape

BAD = Path(__file__).resolve().parent / "data" / "bad"
BIG_TEXT_BYTES = 50 * 1024 * 1024
FEED_ITEMS = 10_000

_PLACES = ("Lisbon", "Nairobi", "Osaka", "Lima", "Tbilisi", "Hanoi", "Oslo", "Accra", "Quito", "Perth")
_EVENTS = ("storm closes the port", "council approves a budget", "rail strike ends", "bridge reopens",
           "floods force evacuations", "election count begins", "hospital opens a wing", "fire destroys a market")


def write_big_text(path: Path, size: int = BIG_TEXT_BYTES) -> Path:
    """Plain prose repeated past `size` bytes: text, just far too much of it for one article."""
    paragraph = ("The regional assembly met again on Tuesday to debate the water plan, and members from "
                 "every party asked for more time to study the costs before a final vote.\n\n").encode()
    with open(path, "wb") as handle:
        handle.write(b"An endless report\n\n")
        for _ in range(size // len(paragraph) + 1):
            handle.write(paragraph)
    return path


def write_big_feed(path: Path, items: int = FEED_ITEMS) -> Path:
    """An RSS feed with `items` distinct short items (a headline and one sentence each)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                     "<title>Wire Flood</title><link>https://wire.example.com/</link>\n")
        for i in range(items):
            place, event = _PLACES[i % len(_PLACES)], _EVENTS[(i // len(_PLACES)) % len(_EVENTS)]
            title = escape(f"{place}: {event} (update {i})")
            text = escape(f"Officials in {place} said on day {i % 28 + 1} that the {event.split()[0]} story "
                          f"number {i} was developing, with more details expected later.")
            handle.write(f"<item><title>{title}</title><link>https://wire.example.com/{i}</link>"
                         f"<guid>wire-{i}</guid><description>{text}</description></item>\n")
        handle.write("</channel></rss>\n")
    return path


def build_corpus(directory: Path) -> Path:
    """The whole corpus in `directory`: the committed files plus the generated big ones."""
    shutil.copytree(BAD, directory, dirs_exist_ok=True)
    write_big_text(directory / "huge-50mb.txt")
    write_big_feed(directory / "ten-thousand-items.rss")
    return directory
