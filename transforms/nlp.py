"""The spaCy stage: one model per worker, batched `nlp.pipe`, enrichment of article records.

Follows the shape of Beam's RunInference: the model is loaded once in `DoFn.setup`, articles
arrive in small batches (so that work spreads over workers), and each batch goes through one
`nlp.pipe` call. Only the components newsmon uses run; the rest are disabled at load time.
"""
from __future__ import annotations

from typing import Iterator

import apache_beam as beam
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsmon.transforms.settings import Settings

# Components newsmon needs from an en_core_web_* pipeline: NER, and the parse for events.
USED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT")


class ModelNotInstalled(RuntimeError):
    """The configured spaCy package is missing; the message says how to install it."""


def load_model(name: str) -> Language:
    """Load a spaCy pipeline package with the components newsmon does not use disabled."""
    try:
        nlp = spacy.load(name, exclude=["senter"])
    except OSError:
        raise ModelNotInstalled(
            f"spaCy model '{name}' is not installed; run `make setup` or set nlp.model in the config"
        ) from None
    unused = [pipe for pipe in nlp.pipe_names if pipe not in USED_COMPONENTS]
    for pipe in unused:
        nlp.disable_pipe(pipe)
    return nlp


def model_entities(doc: Doc) -> list[dict]:
    """The model's own entities of the contract's types, grouped by surface form."""
    grouped: dict[tuple[str, str], dict] = {}
    for ent in doc.ents:
        if ent.label_ not in ENTITY_TYPES:
            continue
        name = ent.text.strip()
        key = (name, ent.label_)
        entry = grouped.setdefault(key, {"name": name, "type": ent.label_, "mentions": [name], "count": 0})
        entry["count"] += 1
    return list(grouped.values())


def nlp_text(article: dict, max_chars: int) -> str:
    """The text the model reads: title and body, cut to the configured length."""
    return f"{article['title']}\n\n{article['text']}"[:max_chars]


class AnalyseArticles(beam.DoFn):
    """Runs the model over batches of articles and enriches each one in place."""

    def __init__(self, settings: Settings):
        self._settings = settings
        self._nlp: Language | None = None

    def setup(self) -> None:
        self._nlp = load_model(self._settings.get("nlp.model"))

    def process(self, batch: list[dict]) -> Iterator[dict]:
        max_chars = self._settings.get("nlp.max_chars")
        texts = (nlp_text(article, max_chars) for article in batch)
        for article, doc in zip(batch, self._nlp.pipe(texts, batch_size=len(batch) or 1)):
            article["entities"] = model_entities(doc)
            yield article


class ExtractEntities(beam.PTransform):
    """Articles -> articles with entities, in batches of `nlp.batch_size`."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._settings = settings

    def expand(self, articles):
        size = self._settings.get("nlp.batch_size")
        return (
            articles
            # Fixed-size batches: adaptive sizing starts at one document per nlp.pipe call, where
            # spaCy is slowest per word. Work is spread over workers per bundle, before batching.
            | "Batch" >> beam.BatchElements(min_batch_size=size, max_batch_size=size)
            | "RunModel" >> beam.ParDo(AnalyseArticles(self._settings))
        )

