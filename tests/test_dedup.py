"""Exact and near duplicates: perturbed seed copies, order independence, streaming state and expiry."""
from __future__ import annotations

import json
import random
import shutil
import sys

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from conftest import REPO, SEEDS, read_jsonl, run_newsmon
from newsmon.transforms.dedup import COPIES, LinkNearDuplicates, MarkExactDuplicates, dedup_params, find_near_duplicates
from newsmon.transforms.settings import load_settings

sys.path.insert(0, str(REPO / "benchmarks"))
from perturb import PERTURBATIONS  # noqa: E402
from reading import read_article  # noqa: E402

SETTINGS = load_settings()
DAY = 86400
SETTLE_S = SETTINGS.get("dedup.settle_seconds")
# Results are checked once, in one event-time window spanning the whole test stream.
ONE_WINDOW = beam.window.FixedWindows(10**9)


def seed_articles() -> list[dict]:
    articles = []
    for path in sorted(SEEDS.glob("*.txt")):
        article = read_article(path)
        articles.append({"id": path.stem[:3], "title": article["title"], "text": article["text"],
                         "published_at": article["published_at"], "order_key": path.name,
                         "duplicate_of": None, "duplicate_kind": None})
    return articles


def with_copies() -> list[dict]:
    """Seeds and, for each, one copy per perturbation, listed BEFORE the seeds (input order
    must not make a copy the original; copies are undated, so the dated seeds win on date and
    the undated ones on input order only if ranks tie, hence the later order keys)."""
    seeds = seed_articles()
    copies = []
    for seed in seeds:
        for kind, perturb in PERTURBATIONS.items():
            title, text = perturb(seed["title"], seed["text"])
            copies.append({**seed, "id": f"{seed['id']}-{kind}", "title": title, "text": text,
                           "order_key": f"~{seed['order_key']}-{kind}"})
    return copies + seeds


def near_params():
    params, _, _ = dedup_params(SETTINGS)
    return params, SETTINGS.get("dedup.near_threshold"), SETTINGS.get("dedup.horizon_days")


@pytest.mark.parametrize("kind", sorted(PERTURBATIONS))
def test_each_perturbation_of_each_seed_links_to_its_original(kind):
    links = find_near_duplicates(with_copies(), *near_params())
    for seed in seed_articles():
        assert links.get(f"{seed['id']}-{kind}") == seed["id"], (kind, seed["id"])


def test_no_seed_is_marked_as_a_copy():
    links = find_near_duplicates(with_copies(), *near_params())
    assert not {s["id"] for s in seed_articles()} & links.keys()


def assert_stages_give(articles: list[dict], expected: list[tuple]) -> None:
    """The Beam exact + near stages (batch mode) mark `articles` as (id, duplicate_of, kind)."""
    with TestPipeline() as pipeline:
        distinct = pipeline | beam.Create(articles) | MarkExactDuplicates(SETTINGS)
        near = distinct["originals"] | LinkNearDuplicates(SETTINGS)
        rows = (near, distinct[COPIES]) | beam.Flatten() | beam.Map(
            lambda a: (a["id"], a["duplicate_of"], a["duplicate_kind"]))
        assert_that(rows, equal_to(expected))


def test_beam_stages_match_the_reference_whatever_the_input_order():
    articles = with_copies()
    # An exact copy listed first: the seed is dated, the copy is not, so the seed stays original.
    dated_seed = next(a for a in articles if a["id"] == "000")
    exact = {**dated_seed, "id": "exact-copy", "published_at": None, "order_key": "!first-in-input"}
    links = find_near_duplicates(articles, *near_params())
    expected = [(a["id"], links.get(a["id"]), "near" if a["id"] in links else None) for a in articles]
    expected.append(("exact-copy", "000", "exact"))
    assert len(links) == 25 and not {s["id"] for s in seed_articles()} & links.keys()
    for seed in (1, 2):
        shuffled = articles + [exact]
        random.Random(seed).shuffle(shuffled)
        assert_stages_give(shuffled, expected)


def test_later_arriving_earlier_original_takes_over():
    seed = seed_articles()[0]
    late_original = {**seed, "id": "earlier", "published_at": "2020-09-30", "order_key": "zzz"}
    copies = [{**seed, "id": f"copy{i}", "order_key": f"{i}"} for i in range(3)]
    expected = [("earlier", None, None)] + [(c["id"], "earlier", "exact") for c in copies]
    assert_stages_give(copies + [late_original], expected)


class AllSorted(beam.PTransform):
    """One sorted list of a window's elements, emitted when the window closes."""

    def expand(self, rows):
        return rows | beam.CombineGlobally(beam.combiners.ToListCombineFn()).without_defaults() | beam.Map(sorted)


def advance_in_steps(stream: TestStream, start: int) -> TestStream:
    """Move the watermark past `start` and a few settle times, a second at a time, the way a live
    source does: the in-process runner does not hold a jump of the watermark for outputs still in
    flight between stages."""
    for mark in range(start + 1, start + 5 * SETTLE_S + 1):
        stream = stream.advance_watermark_to(mark)
    return stream


def streaming_pipeline() -> TestPipeline:
    options = PipelineOptions()
    options.view_as(StandardOptions).streaming = True
    return TestPipeline(options=options)


def timestamped(article: dict, seconds: int) -> TimestampedValue:
    return TimestampedValue(article, seconds)


def test_streaming_exact_and_near_copies_with_teststream():
    """Articles arrive over event time: copies are linked as they settle, in streaming mode."""
    seed = seed_articles()[0]
    title, text = PERTURBATIONS["channel_line"](seed["title"], seed["text"])
    near = {**seed, "id": "near", "title": title, "text": text, "order_key": "~near"}
    exact = {**seed, "id": "exact", "order_key": "~exact"}
    stream = advance_in_steps(TestStream().add_elements([timestamped(seed, 1000)]), 1000)
    stream = advance_in_steps(stream.add_elements([timestamped(near, 3000), timestamped(exact, 3000)]), 3000)
    stream = stream.advance_watermark_to_infinity()
    with streaming_pipeline() as pipeline:
        distinct = pipeline | stream | MarkExactDuplicates(SETTINGS)
        near_out = distinct["originals"] | LinkNearDuplicates(SETTINGS)
        rows = (near_out, distinct[COPIES]) | beam.Flatten() | beam.Map(
            lambda a: (a["id"], a["duplicate_of"], a["duplicate_kind"]))
        assert_that(rows | beam.WindowInto(ONE_WINDOW) | AllSorted(), equal_to([sorted([
            (seed["id"], None, None), ("near", seed["id"], "near"), ("exact", seed["id"], "exact")])]))


def test_state_expires_after_the_horizon():
    """Copies arriving after the horizon (event time) find no state of the old original: the late
    exact copy becomes an original of its own, and the late near copy links to it, not to the seed."""
    seed = seed_articles()[1]
    horizon = SETTINGS.get("dedup.horizon_days") * DAY
    title, text = PERTURBATIONS["truncated"](seed["title"], seed["text"])
    late_near = {**seed, "id": "late-near", "title": title, "text": text, "order_key": "~n"}
    late_exact = {**seed, "id": "late-exact", "order_key": "~e"}
    late = 1000 + horizon + 2 * DAY
    stream = advance_in_steps(TestStream().add_elements([timestamped(seed, 1000)]), 1000)
    stream = stream.advance_watermark_to(late - 1)
    stream = advance_in_steps(stream.add_elements([timestamped(late_near, late), timestamped(late_exact, late)]), late)
    stream = stream.advance_watermark_to_infinity()
    with streaming_pipeline() as pipeline:
        distinct = pipeline | stream | MarkExactDuplicates(SETTINGS)
        near_out = distinct["originals"] | LinkNearDuplicates(SETTINGS)
        rows = (near_out, distinct[COPIES]) | beam.Flatten() | beam.Map(
            lambda a: (a["id"], a["duplicate_of"], a["duplicate_kind"]))
        assert_that(rows | beam.WindowInto(ONE_WINDOW) | AllSorted(), equal_to([sorted([
            (seed["id"], None, None), ("late-near", "late-exact", "near"), ("late-exact", None, None)])]))


def test_exact_copies_skip_nlp_and_carry_the_originals_enrichment(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in SEEDS.iterdir():
        shutil.copy(path, inputs / path.name)
    shutil.copy(SEEDS / "001_35d328bcbf14c099.txt", inputs / "zz_repost.txt")
    run_newsmon("run", str(inputs), "--output", str(tmp_path / "out"), "--no-es")
    articles = {a["path"].split("/")[-1]: a for a in read_jsonl(tmp_path / "out" / "articles.jsonl")}
    original, copy = articles["001_35d328bcbf14c099.txt"], articles["zz_repost.txt"]
    assert copy["duplicate_of"] == original["id"] and copy["duplicate_kind"] == "exact"
    assert original["duplicate_of"] is None
    assert copy["entities"] == original["entities"] and copy["entities"]
    assert copy["story_id"] == original["story_id"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["exact_duplicates"] == 1 and summary["articles"] == 6


def test_exact_copies_bypass_the_model_stage():
    """The batch pipeline hands only the exact stage's originals to the spaCy stage."""
    from newsmon.pipelines import batch
    from newsmon.transforms.nlp import ExtractEntities

    pipeline = beam.Pipeline()
    batch.build(pipeline, batch.RunOptions(inputs=[str(SEEDS)], output_dir="/nonexistent", settings=SETTINGS))
    model_stages = []

    class Visitor(beam.pipeline.PipelineVisitor):
        def enter_composite_transform(self, node):
            if isinstance(node.transform, ExtractEntities):
                model_stages.append(node)

    pipeline.visit(Visitor())
    (stage,) = model_stages
    (model_input,) = stage.inputs
    enrich_label = stage.full_label.rsplit("/", 1)[0]
    producer = model_input.producer
    assert producer.full_label.startswith(f"{enrich_label}/ExactDuplicates/SplitCopies")
