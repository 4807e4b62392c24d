"""What a batch run's heavy stages keep after their bundle: the language identifier and the model
(with the entity catalog) are dropped when a batch bundle ends, and come back if another bundle
of the stage arrives, with the same results."""
from __future__ import annotations

import copy

from apache_beam.pvalue import TaggedOutput
from apache_beam.transforms.window import TimestampedValue

from conftest import SEEDS
from newsmon.transforms import entities, nlp
from newsmon.transforms.eventtime import EVENT_TIME
from newsmon.transforms.nlp import AnalyseArticles
from newsmon.transforms.normalise import NormaliseItems, language_identifier
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import load_settings


def seed_items() -> list[dict]:
    settings = load_settings()
    return [item for path in sorted(SEEDS.iterdir()) for item in read_input(str(path), settings)]


def run_bundle(dofn, elements: list) -> list:
    """One bundle as a runner drives it, outputs as plain values."""
    def plain(output):
        if isinstance(output, TaggedOutput):
            return output.tag, plain(output.value)
        if isinstance(output, TimestampedValue):
            return output.value, output.timestamp
        return output

    dofn.start_bundle()
    outputs = [plain(output) for element in elements for output in dofn.process(element)]
    dofn.finish_bundle()
    return outputs


def test_normalising_frees_the_language_identifier_after_a_batch_bundle_only():
    items = seed_items()
    kept = NormaliseItems(None, free_after_bundle=False)
    first = run_bundle(kept, items)
    assert {article["language"] for article in first} == {"en"}
    assert language_identifier.cache_info().currsize == 1

    freed = NormaliseItems(None, free_after_bundle=True)
    assert run_bundle(freed, items) == first
    assert language_identifier.cache_info().currsize == 0
    assert run_bundle(freed, items) == first


def test_the_model_stage_drops_its_model_after_a_batch_bundle_and_loads_it_for_the_next():
    articles = [{**article, EVENT_TIME: 0} for article in run_bundle(NormaliseItems(None, False), seed_items())]
    stage = AnalyseArticles(load_settings(), free_after_bundle=True)
    stage.setup()
    first = run_bundle(stage, [copy.deepcopy(articles)])
    assert not nlp._SHARED_MODELS and not entities._RESOLVERS
    assert any(tag == "events" for tag, *_ in first if isinstance(tag, str))
    assert sum(len(value["entities"]) for value, _ in first if isinstance(value, dict)) > 20
    assert run_bundle(stage, [copy.deepcopy(articles)]) == first
    assert not nlp._SHARED_MODELS
