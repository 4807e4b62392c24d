"""Benchmark corpora of real news, written to a directory as the text files `newsmon run` reads.

The BBC News corpus (2,225 articles) is read where the project keeps it, beside the repository
(`<repo>/../shared/corpora/bbc`), never copied into the repository. For more articles than it
holds, a seeded generator recombines its real paragraphs into new 400-700 word articles: the
words and sentences stay real news (so the model does the same work per word), and every
generated article has its own headline and paragraph mix, so that duplicate and story detection
do not collapse them.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

REPO = Path(__file__).resolve().parents[1]
BBC_DIR = REPO.parent / "shared" / "corpora" / "bbc"
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
MIN_WORDS, MAX_WORDS = 400, 700
# Paragraphs the generator reuses: whole sentences, and short enough that every article mixes
# at least three of them.
PARAGRAPH_WORDS = (8, 150)
DEFAULT_SEED = 20240601


@dataclass(frozen=True)
class Article:
    """One benchmark article: a headline and its body paragraphs."""

    name: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """What newsmon hands the model: headline, blank line, paragraphs (see `nlp_text`)."""
        return "\n\n".join((self.title, *self.paragraphs))

    @property
    def words(self) -> int:
        return len(self.text.split())

    def file_content(self) -> str:
        return self.text + "\n"


def decode(data: bytes) -> str:
    """BBC files are UTF-8 except `sport/199.txt`, which is Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_article(name: str, raw: str) -> Article:
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    return Article(name=name, title=lines[0], paragraphs=tuple(lines[1:]))


def bbc_articles(bbc_dir: Path = BBC_DIR) -> list[Article]:
    """All BBC articles, in a stable order that interleaves the five categories."""
    if not bbc_dir.is_dir():
        raise FileNotFoundError(f"{bbc_dir}: BBC corpus not found; it lives in shared/ beside the repository")
    per_category = [sorted((bbc_dir / category).glob("*.txt")) for category in CATEGORIES]
    articles = []
    for index in range(max(len(files) for files in per_category)):
        for category, files in zip(CATEGORIES, per_category):
            if index < len(files):
                path = files[index]
                articles.append(parse_article(f"bbc-{category}-{path.stem}", decode(path.read_bytes())))
    return articles


def generated_articles(count: int, sources: list[Article], seed: int = DEFAULT_SEED) -> Iterator[Article]:
    """`count` distinct articles of 400-700 words recombined from the sources' real paragraphs.

    Each article takes a real headline with a numbered suffix (headlines must differ, or exact-
    duplicate detection would compare only bodies) and random paragraphs from the whole pool
    until it reaches a target length drawn between the bounds. The same seed gives the same
    articles.
    """
    rng = random.Random(seed)
    low, high = PARAGRAPH_WORDS
    pool = [paragraph for article in sources for paragraph in article.paragraphs
            if low <= len(paragraph.split()) <= high]
    pool_words = [len(paragraph.split()) for paragraph in pool]
    seen: set[str] = set()
    made = 0
    while made < count:
        headline = rng.choice(sources).title
        title = f"{headline} ({made + 1})"
        target = rng.randint(MIN_WORDS + 40, MAX_WORDS - 40)
        words = len(title.split())
        chosen: list[str] = []
        used: set[int] = set()
        while words < target:
            index = rng.randrange(len(pool))
            if index in used or words + pool_words[index] > MAX_WORDS:
                if words >= MIN_WORDS:
                    break
                continue
            used.add(index)
            chosen.append(pool[index])
            words += pool_words[index]
        digest = hashlib.sha256("\n".join(chosen).encode("utf-8")).hexdigest()
        if words < MIN_WORDS or digest in seen:
            continue
        seen.add(digest)
        made += 1
        yield Article(name=f"gen-{made:06d}", title=title, paragraphs=tuple(chosen))


def corpus(count: int, kind: str = "bbc", seed: int = DEFAULT_SEED, bbc_dir: Path = BBC_DIR) -> list[Article]:
    """`count` articles: `bbc` takes real BBC articles first and generates the rest beyond 2,225;
    `generated` generates all of them (uniform 400-700 word documents, for scaling runs)."""
    if count < 1:
        raise ValueError("a corpus needs at least one article")
    sources = bbc_articles(bbc_dir)
    if kind == "generated":
        return list(generated_articles(count, sources, seed))
    if kind != "bbc":
        raise ValueError(f"unknown corpus kind {kind!r}; use 'bbc' or 'generated'")
    real = sources[:count]
    return real + list(generated_articles(count - len(real), sources, seed))


def write_corpus(articles: list[Article], directory: Path) -> list[Path]:
    """One UTF-8 text file per article (headline first), in subfolders of 1,000 files."""
    paths = []
    for index, article in enumerate(articles):
        folder = directory / f"{index // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index:06d}-{article.name}.txt"
        path.write_text(article.file_content(), encoding="utf-8")
        paths.append(path)
    return paths
