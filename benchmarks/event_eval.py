"""Event extraction quality: (a) the seed articles against benchmarks/data/seed_events_gold.json,
(b) the PLOVER gold-standard dev sentences (../shared/eval/plover/plover_gsr_dev.json).

Run: .venv/bin/python benchmarks/event_eval.py [--seeds-only | --plover-only]
Prints recall/precision and per-category figures; exits 0 (a benchmark reports, it does not gate).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

from newsmon.transforms.events import extract_events
from newsmon.transforms.entities import resolve_entities
from newsmon.transforms.nlp import load_model, nlp_text
from newsmon.transforms.normalise import read_articles
from newsmon.transforms.records import stable_id
from newsmon.transforms.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "news"
SEED_GOLD = REPO / "benchmarks" / "data" / "seed_events_gold.json"
PLOVER_DEV = REPO.parent / "shared" / "eval" / "plover" / "plover_gsr_dev.json"
# The dev file uses an older release's names; INVESTIGATE and DOCUMENT have no PLOVER 2.0 category.
OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "FIGHT": "ASSAULT"}
LEFT_OUT = {"INVESTIGATE", "DOCUMENT"}
_STOP = {"the", "of", "a", "an", "and", "in", "s", "'s", "’s"}


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _STOP}


def names_match(predicted: str, gold: str) -> bool:
    """Same party when the names share a content word ("Azerbaijani" vs "Azerbaijani forces")."""
    return bool(_words(predicted) & _words(gold))


def seed_articles() -> list[dict]:
    articles = []
    for path in sorted(SEEDS.iterdir()):
        article = next(read_articles(str(path), load_settings()))
        article["file"] = path.name
        articles.append(article)
    return articles


def _matches(gold: dict, event: dict) -> bool:
    return event["type"] == gold["type"] and gold["sentence_contains"] in event["sentence"]


def evaluate_seeds(nlp) -> None:
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))["events"]
    predicted = []
    for article in seed_articles():
        doc = nlp(nlp_text(article, 100000))
        for event in extract_events(article, doc, resolve_entities(article, doc)):
            predicted.append((article["file"], event))
    found = [g for g in gold if any(f == g["article"] and _matches(g, e) for f, e in predicted)]
    correct = [e for f, e in predicted if any(f == g["article"] and _matches(g, e) for g in gold)]
    attributes = Counter()
    for g in gold:
        events = [e for f, e in predicted if f == g["article"] and _matches(g, e)]
        if not events:
            continue
        event = events[0]
        for field in ("date", "killed", "wounded", "negated"):
            if field in g:
                attributes[f"{field}_total"] += 1
                attributes[f"{field}_ok"] += event[field] == g[field]
        if g.get("location"):
            attributes["location_total"] += 1
            attributes["location_ok"] += (event["location"] or {}).get("name") == g["location"]
        for side in ("actors", "targets"):
            if g.get(side):
                attributes[f"{side}_total"] += 1
                attributes[f"{side}_ok"] += any(names_match(p, n) for p in event[side] for n in g[side])
    print(f"seed events: gold {len(gold)}, predicted {len(predicted)}")
    print(f"  recall    {len(found) / len(gold):.3f}  ({len(found)}/{len(gold)})")
    print(f"  precision {len(correct) / max(len(predicted), 1):.3f}  ({len(correct)}/{len(predicted)})")
    for field in ("actors", "targets", "date", "killed", "wounded", "negated", "location"):
        total = attributes[f"{field}_total"]
        if total:
            print(f"  {field:9} right on matched events: {attributes[f'{field}_ok']}/{total}")
    missed = [g for g in gold if g not in found]
    for g in missed:
        print(f"  missed: {g['type']:8} {g['sentence_contains']}")


def plover_records() -> list[dict]:
    records = json.loads(PLOVER_DEV.read_text(encoding="utf-8"))
    return [r for r in records if r.get("text") and r["event"] not in LEFT_OUT]


def _gold_actors(record: dict) -> list[str]:
    source = record.get("source") or []
    return [a["actorText"] for a in source if isinstance(a, dict) and a.get("actorText")]


def _number(value) -> int | None:
    return int(value) if value not in (None, "") else None


def evaluate_plover(nlp) -> None:
    records = plover_records()
    hits, per_gold, per_pred, per_hit = 0, Counter(), Counter(), Counter()
    actor_pred = actor_pred_ok = actor_gold = actor_gold_ok = 0
    casualty_total = casualty_exact = casualty_spurious = 0
    for record in records:
        gold_type = OLD_NAMES.get(record["event"], record["event"])
        article = {"id": stable_id("plover", record["id"]), "published_at": record.get("date"),
                   "title": "", "text": record["text"]}
        doc = nlp(record["text"])
        events = extract_events(article, doc, resolve_entities(article, doc))
        types = {e["type"] for e in events}
        per_gold[gold_type] += 1
        for t in types:
            per_pred[t] += 1
        if gold_type in types:
            hits += 1
            per_hit[gold_type] += 1
            event = next(e for e in events if e["type"] == gold_type)
            gold_actors = _gold_actors(record)
            actor_pred += len(event["actors"])
            actor_pred_ok += sum(any(names_match(p, g) for g in gold_actors) for p in event["actors"])
            actor_gold += len(gold_actors)
            actor_gold_ok += sum(any(names_match(p, g) for p in event["actors"]) for g in gold_actors)
        dead, injured = _number(record.get("dead")), _number(record.get("injured"))
        killed = max((e["killed"] for e in events if e["killed"] is not None), default=None)
        wounded = max((e["wounded"] for e in events if e["wounded"] is not None), default=None)
        if dead is not None or injured is not None:
            casualty_total += 1
            casualty_exact += (killed, wounded) == (dead, injured)
        elif killed is not None or wounded is not None:
            casualty_spurious += 1
    print(f"PLOVER dev: {len(records)} sentences (INVESTIGATE, DOCUMENT left out; DEMAND=REQUEST, "
          f"DISAPPROVE=ACCUSE, FIGHT=ASSAULT)")
    print(f"  right category among a sentence's events: {hits / len(records):.3f} ({hits}/{len(records)})")
    print(f"  actors of the right-category event: precision {actor_pred_ok / max(actor_pred, 1):.3f} "
          f"({actor_pred_ok}/{actor_pred}), recall {actor_gold_ok / max(actor_gold, 1):.3f} ({actor_gold_ok}/{actor_gold})")
    print(f"  casualty numbers exact: {casualty_exact / max(casualty_total, 1):.3f} ({casualty_exact}/{casualty_total}); "
          f"sentences with figures but none in gold: {casualty_spurious}")
    print(f"  {'category':10} {'gold':>5} {'recall':>7} {'precision':>9}")
    for category in sorted(set(per_gold) | set(per_pred)):
        recall = per_hit[category] / per_gold[category] if per_gold[category] else 0.0
        precision = per_hit[category] / per_pred[category] if per_pred[category] else 0.0
        print(f"  {category:10} {per_gold[category]:5d} {recall:7.2f} {precision:9.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds-only", action="store_true")
    parser.add_argument("--plover-only", action="store_true")
    args = parser.parse_args(argv)
    nlp = load_model(load_settings().get("nlp.model"))
    if not args.plover_only:
        evaluate_seeds(nlp)
    if not args.seeds_only:
        if PLOVER_DEV.exists():
            evaluate_plover(nlp)
        else:
            print(f"PLOVER dev set not found at {PLOVER_DEV}; skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
