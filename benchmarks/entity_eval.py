"""Entity stage evaluation: precision/recall/F1 against hand-made gold, and its cost.

    python benchmarks/entity_eval.py              # scores per type and overall
    python benchmarks/entity_eval.py --details    # plus each document's misses and extras
    python benchmarks/entity_eval.py --gold 'seed_*'   # only the seed articles
    python benchmarks/entity_eval.py --benchmark  # added cost vs the bare spaCy model, BBC texts

Gold files (`benchmarks/data/entities/*.gold.json`) list the canonical entities a reader would
name in a text, with their type and acceptable alternative names; a predicted entity counts
when its type matches and its canonical name is one of those names (compared normalised).
The benchmark times, on the same texts and in the same run, `nlp.pipe` with the components the
pipeline runs, the entity stage on its output, and `nlp.pipe` with NER alone, and prints the
stage's cost as a share of each.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO / "benchmarks" / "data" / "entities"
BBC = REPO.parent / "shared" / "corpora" / "bbc"
TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT")


def load_gold(pattern: str = "*") -> list[tuple[str, str, list[dict]]]:
    """(name, text, gold entities) for every gold file whose name matches `pattern`."""
    items = []
    for path in sorted(GOLD_DIR.glob(f"{pattern}.gold.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (REPO / gold["source"]).read_text(encoding="utf-8")
        items.append((path.name.removesuffix(".gold.json"), text, gold["entities"]))
    return items


def score_document(predicted: list[dict], gold: list[dict], key) -> tuple[Counter, Counter, Counter, list, list]:
    """Per-type true positives, false positives, false negatives; plus the unmatched entities."""
    tp, fp, fn = Counter(), Counter(), Counter()
    open_gold = [(g, {key(n) for n in [g["name"], *g.get("aliases", [])]}) for g in gold]
    extras = []
    for entity in predicted:
        match = next((pair for pair in open_gold if pair[0]["type"] == entity["type"] and key(entity["name"]) in pair[1]), None)
        if match is None:
            fp[entity["type"]] += 1
            extras.append(entity)
        else:
            tp[entity["type"]] += 1
            open_gold.remove(match)
    for entity, _ in open_gold:
        fn[entity["type"]] += 1
    return tp, fp, fn, extras, [g for g, _ in open_gold]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(details: bool, pattern: str) -> float:
    from newsmon.transforms.entities import resolve_entities
    from newsmon.transforms.entities.normalise import name_key
    from newsmon.transforms.nlp import load_model
    from newsmon.transforms.settings import load_settings

    nlp = load_model(load_settings().get("nlp.model"))
    items = load_gold(pattern)
    tp, fp, fn = Counter(), Counter(), Counter()
    for (name, text, gold), doc in zip(items, nlp.pipe(text for _, text, _ in items)):
        article: dict = {}
        resolve_entities(article, doc)
        dtp, dfp, dfn, extras, misses = score_document(article["entities"], gold, name_key)
        tp, fp, fn = tp + dtp, fp + dfp, fn + dfn
        if details and (extras or misses):
            print(f"{name}:")
            for entity in extras:
                print(f"  extra  {entity['type']:6} {entity['name']}  {entity['mentions']}")
            for entity in misses:
                print(f"  missed {entity['type']:6} {entity['name']}")
    print(f"{len(items)} documents, {sum((tp + fn).values())} gold entities")
    print(f"{'type':8} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6} {'F1':>6}")
    for entity_type in TYPES:
        gold_n, pred_n = tp[entity_type] + fn[entity_type], tp[entity_type] + fp[entity_type]
        if gold_n or pred_n:
            p, r, f = _prf(tp[entity_type], fp[entity_type], fn[entity_type])
            print(f"{entity_type:8} {gold_n:5} {pred_n:5} {p:6.3f} {r:6.3f} {f:6.3f}")
    p, r, f = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    print(f"{'overall':8} {sum((tp + fn).values()):5} {sum((tp + fp).values()):5} {p:6.3f} {r:6.3f} {f:6.3f}")
    return f


def benchmark(limit: int, batch_size: int) -> float:
    from newsmon.transforms.entities import resolve_entities, resolver_for
    from newsmon.transforms.nlp import load_model
    from newsmon.transforms.settings import load_settings

    if not BBC.is_dir():
        sys.exit(f"BBC corpus not found at {BBC}; it lives in the shared data beside the repository")
    paths = sorted(BBC.glob("*/*.txt"))[:limit]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    nlp = load_model(load_settings().get("nlp.model"))
    started = time.perf_counter()
    resolver_for(nlp.vocab)
    build = time.perf_counter() - started
    list(nlp.pipe(texts[:20], batch_size=batch_size))  # warm-up outside the measured runs

    model_time = stage_time = 0.0
    docs = nlp.pipe(texts, batch_size=batch_size)
    mentions = 0
    while True:
        started = time.perf_counter()
        doc = next(docs, None)
        model_time += time.perf_counter() - started
        if doc is None:
            break
        started = time.perf_counter()
        mentions += len(resolve_entities({}, doc))
        stage_time += time.perf_counter() - started
    ner_only = [name for name in nlp.pipe_names if name not in ("tok2vec", "ner")]
    started = time.perf_counter()
    with nlp.select_pipes(disable=ner_only):
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
    ner_time = time.perf_counter() - started

    ratio = stage_time / model_time
    chars = sum(map(len, texts))
    print(f"{len(texts)} BBC articles, {chars} characters, {mentions} mentions resolved")
    print(f"catalog + matcher build (once per worker, not per document): {build:.2f} s")
    print(f"spaCy model as the pipeline runs it ({', '.join(nlp.pipe_names)}): {model_time:.2f} s")
    print(f"spaCy NER alone (tok2vec, ner): {ner_time:.2f} s")
    print(f"entity stage (resolve_entities): {stage_time:.2f} s")
    print(f"added cost: {100 * ratio:.1f}% of the pipeline's model time, "
          f"{100 * stage_time / ner_time:.1f}% of NER alone (goal: at most 15%)")
    return ratio


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="print each document's misses and extras")
    parser.add_argument("--gold", default="*", help="score only gold files matching this glob, e.g. 'seed_*'")
    parser.add_argument("--benchmark", action="store_true", help="measure the entity stage's cost on BBC texts")
    parser.add_argument("--limit", type=int, default=500, help="BBC articles to time (default 500)")
    parser.add_argument("--batch-size", type=int, default=32, help="nlp.pipe batch size (default 32)")
    args = parser.parse_args(argv)
    if args.benchmark:
        benchmark(args.limit, args.batch_size)
    else:
        evaluate(args.details, args.gold)


if __name__ == "__main__":
    main()
