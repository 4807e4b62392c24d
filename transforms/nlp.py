"""The spaCy stage: one model per worker, batched `nlp.pipe`, enrichment of article records.

Follows the shape of Beam's RunInference: the model is loaded once per worker, articles
arrive in small batches (so that work spreads over workers), and each batch goes through one
`nlp.pipe` call. Only the components newsmon uses run; the rest are disabled at load time.
spaCy itself is imported where the model is loaded: the process that only composes the pipeline
(its worker processes run it) then never pays the second or so spaCy takes to import.
"""
from __future__ import annotations

import gc
import threading
from typing import TYPE_CHECKING, Iterator

import apache_beam as beam
from apache_beam.utils.timestamp import MAX_TIMESTAMP, Duration

from newsmon.transforms import records
from newsmon.transforms.entities import forget_resolvers, resolve_entities, resolver_for
from newsmon.transforms.eventtime import at_event_time, is_streaming, stamp
from newsmon.transforms.events import EventOptions, extract_events
from newsmon.transforms.heaps import large_blocks_on_heap, map_large_blocks, release_free_memory
from newsmon.transforms.settings import Settings

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# Components newsmon needs from an en_core_web_* pipeline: NER, and the parse for events.
USED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
# Name under which `paragraph_boundaries` is registered as a spaCy component.
PARAGRAPHS_COMPONENT = "newsmon_paragraphs"


class ModelNotInstalled(RuntimeError):
    """The configured spaCy package is missing; the message says how to install it."""


def paragraph_boundaries(doc: Doc) -> Doc:
    """A paragraph break always ends a sentence: headings, captions and datelines have no final
    full stop, and the parser would otherwise run them into the next sentence."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


def load_model(name: str) -> Language:
    """Load a spaCy pipeline package with the components newsmon does not use disabled."""
    import spacy
    from spacy.language import Language

    try:
        nlp = spacy.load(name, exclude=["senter"])
    except OSError:
        raise ModelNotInstalled(
            f"spaCy model '{name}' is not installed; run `make setup` or set nlp.model in the config"
        ) from None
    unused = [pipe for pipe in nlp.pipe_names if pipe not in USED_COMPONENTS]
    for pipe in unused:
        nlp.disable_pipe(pipe)
    if "parser" in nlp.pipe_names:
        if not Language.has_factory(PARAGRAPHS_COMPONENT):
            Language.component(PARAGRAPHS_COMPONENT, func=paragraph_boundaries)
        nlp.add_pipe(PARAGRAPHS_COMPONENT, before="parser")
    return nlp


# One loaded model per process and model name. A worker process builds a DoFn instance (and so
# calls `setup`) for every bundle it runs at the same time as another of the same stage; a streaming
# runner does that all the time, and loading the model again costs seconds of CPU each time.
_SHARED_MODELS: dict[str, tuple[Language, threading.Lock]] = {}
_SHARED_MODELS_LOCK = threading.Lock()


def shared_model(name: str) -> tuple[Language, threading.Lock]:
    """The process's model `name` (loaded on first use) and the lock its users run it under:
    spaCy pipelines are not documented as thread-safe, and under the GIL a lock costs no speed."""
    with _SHARED_MODELS_LOCK:
        if name not in _SHARED_MODELS:
            _SHARED_MODELS[name] = (load_model(name), threading.Lock())
        return _SHARED_MODELS[name]


def forget_models() -> None:
    """Drop the process's models; `shared_model` loads them again if asked."""
    with _SHARED_MODELS_LOCK:
        _SHARED_MODELS.clear()


def nlp_text(article: dict, max_chars: int) -> str:
    """The text the model reads: title and body, cut to the configured length."""
    return f"{article['title']}\n\n{article['text']}"[:max_chars]


class AnalyseArticles(beam.DoFn):
    """Runs the model over batches of articles and enriches each one in place.

    A batch run hands each worker its share of the stage as one bundle, and no later stage needs
    the model: with `free_after_bundle` the model, the entity resolver and its catalog are dropped
    when a bundle ends (about 70 MB of a worker's 160 come back for the stages after, the rest
    being strings and heap the model's work left in use) and loaded again if another comes."""

    def __init__(self, settings: Settings, free_after_bundle: bool):
        self._settings = settings
        self._free_after_bundle = free_after_bundle
        self._nlp: Language | None = None
        self._lock: threading.Lock | None = None

    def setup(self) -> None:
        map_large_blocks()

    def start_bundle(self) -> None:
        if self._nlp is None:
            self._nlp, self._lock = shared_model(self._settings.get("nlp.model"))
            resolver_for(
                self._nlp.vocab,
                min_city_population=self._settings.get("entities.min_city_population"),
                match_city_population=self._settings.get("entities.match_city_population"),
            )

    def process(self, batch: list[dict]) -> Iterator:
        max_chars = self._settings.get("nlp.max_chars")
        options = EventOptions(min_confidence=self._settings.get("events.min_confidence"),
                               max_per_paragraph=self._settings.get("events.max_per_paragraph"))
        texts = (nlp_text(article, max_chars) for article in batch)
        with self._lock, large_blocks_on_heap():
            analysed = [(article, doc, resolve_entities(article, doc))
                        for article, doc in zip(batch, self._nlp.pipe(texts, batch_size=len(batch) or 1))]
        for article, doc, mentions in analysed:
            for event in extract_events(article, doc, mentions, options):
                yield beam.pvalue.TaggedOutput(records.EVENTS, at_event_time(event, article))
            yield at_event_time(article, article)

    def finish_bundle(self) -> None:
        if self._free_after_bundle:
            self._nlp = self._lock = None
            forget_models()
            forget_resolvers()
            gc.collect()
        # The stage's batches leave their freed memory in holes of the heap, which later stages
        # of a batch run, lighter, would keep resident (`transforms.heaps`).
        release_free_memory()

    def get_allowed_timestamp_skew(self) -> Duration:
        # `BatchElements` emits batches at the end of the window; each article and its events go
        # back to the article's own event time, or windowed stages downstream (alerts) would wait
        # for a watermark that never comes in a streaming run.
        return Duration(micros=MAX_TIMESTAMP.micros)


class ExtractEntities(beam.PTransform):
    """Articles -> articles with entities (main output) and events (`records.EVENTS` output),
    in batches of `nlp.batch_size`."""

    def __init__(self, settings: Settings):
        super().__init__()
        self._settings = settings

    def expand(self, articles):
        size = self._settings.get("nlp.batch_size")
        if not is_streaming(articles):
            # The batch runner runs a stage on the workers its input was on: after a stateful stage
            # (exact copies) that is one worker, so the model's input is spread over all of them.
            articles = articles | "SpreadOverWorkers" >> beam.Reshuffle()
        return (
            articles
            | "StampEventTime" >> beam.Map(stamp)
            # Fixed-size batches: adaptive sizing starts at one document per nlp.pipe call, where
            # spaCy is slowest per word. Work is spread over workers per bundle, before batching.
            | "Batch" >> beam.BatchElements(min_batch_size=size, max_batch_size=size)
            | "RunModel" >> beam.ParDo(AnalyseArticles(self._settings, free_after_bundle=not is_streaming(articles)))
            .with_outputs(records.EVENTS, main="articles")
        )

