"""Story clustering cost per article: the indexed StoryIndex against a scan of every open story.

Run: `.venv/bin/python -m benchmarks.story_index --docs 1000 5000` (add `--kind bbc` for the
real BBC articles first). Articles come from `benchmarks.corpus` (title and text; no entities,
since those need the model). For each N the index assigns all N articles in original order;
then, on that same state, the next `--probe` articles are assigned twice: by the index and by
a scan that scores every open story (what `assign` did before the index). It prints CPU ms per
article for both, their ratio, and whether the two chose the same story every time.
"""
from __future__ import annotations

import argparse
import json
import time

from benchmarks.corpus import corpus
from newsmon.transforms.stories import StoryFeatures, StoryIndex, StoryParams, story_features


def choice(index: StoryIndex, article: StoryFeatures, scan: bool) -> str | None:
    """The story `article` would join: among the index's candidates, or scanning every open story."""
    vector, entities = index.vectors(article)
    stories = index.stories.values() if scan else index.candidates(vector, entities)
    best = index.best_match(stories, vector, entities, article.published_at)
    return best.story_id if best else None


def measure(count: int, probe: int, kind: str) -> dict:
    texts = corpus(count + probe, kind)
    articles = [story_features({"id": f"doc-{i:06d}", "title": a.title, "text": "\n\n".join(a.paragraphs), "order_key": f"{i:06d}"})
                for i, a in enumerate(texts)]
    index = StoryIndex(StoryParams())
    index.observe(articles)
    started = time.process_time()
    for article in articles[:count]:
        index.assign(article)
    assign_ms = 1000 * (time.process_time() - started) / count
    probes = articles[count:]
    started = time.process_time()
    indexed = [choice(index, article, scan=False) for article in probes]
    indexed_ms = 1000 * (time.process_time() - started) / probe
    started = time.process_time()
    scanned = [choice(index, article, scan=True) for article in probes]
    scan_ms = 1000 * (time.process_time() - started) / probe
    return {"docs": count, "kind": kind, "open_stories": len(index.stories), "assign_ms_per_article": round(assign_ms, 2),
            "probe_index_ms": round(indexed_ms, 2), "probe_scan_ms": round(scan_ms, 2),
            "scan_over_index": round(scan_ms / indexed_ms, 1), "same_choices": indexed == scanned}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--probe", type=int, default=100, help="articles timed both ways on the state after N")
    parser.add_argument("--kind", choices=("generated", "bbc"), default="generated")
    args = parser.parse_args()
    print(f"{'docs':>6} {'stories':>8} {'assign ms/art':>14} {'index ms':>9} {'scan ms':>9} {'scan/index':>11} same")
    results = []
    for count in args.docs:
        row = measure(count, args.probe, args.kind)
        results.append(row)
        print(f"{row['docs']:>6} {row['open_stories']:>8} {row['assign_ms_per_article']:>14} {row['probe_index_ms']:>9} "
              f"{row['probe_scan_ms']:>9} {row['scan_over_index']:>11} {row['same_choices']}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
