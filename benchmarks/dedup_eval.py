"""Evaluate near-duplicate detection and story clustering; measure the dedup stage's speed.

Run: `.venv/bin/python -m benchmarks.dedup_eval` (add `--quick` to skip the labelled set's
`newsmon run`, `--speed-only` for the speed figures alone).

Data and labels
- Labelled set (`benchmarks/data/stories.jsonl` + the five seeds): real-text articles with story
  labels (seeds: 000/001/004 the 1 October 2020 joint call, 002 and 003 stories of their own; the
  twelve others written for this set: three stories of three articles, three single ones). Every
  one gets the five perturbations of `benchmarks/perturb.py`; a copy's gold original and story are
  its source's. The whole set goes through `newsmon run` (the real Beam pipeline, spaCy included)
  and the metrics are computed from `articles.jsonl`.
- BBC corpus (`../shared/corpora/bbc`, read in place, never copied): gold exact duplicates are
  files with the same normalised title and body; gold re-headlined copies are files with the same
  normalised body under another title. Pairs with a high shingle containment (>= 0.8, computed
  exactly over all pairs through an inverted index, not with LSH) but different bodies are printed
  for inspection; the ones seen were the same article with a sentence added or edited, so they are
  labelled near copies too. On top, 200 BBC articles get the five perturbations at run time.

Metrics: near-duplicate precision/recall/F1 over copy -> original links (a predicted link is right
when it names an article of the copy's gold group), B-cubed precision/recall/F1 over stories.

Speed (`--speed-only` runs only this; `--docs N`, default 20,000; `--workers W`, default 2): docs/s
on N articles of 500 words (`five_hundred_word_articles`: distinct texts, one in ten a perturbed
copy). Tokenising alone and the plain-function core (`find_near_duplicates`) run in this
process. The Beam stage (`LinkNearDuplicates`) runs the way `newsmon run` runs it: the options of
`pipelines/runner.py::direct_runner_args` (FnApiRunner, W worker processes, state cache off). Two
pipelines read the same docs from a JSON-lines file: one only reads them and counts the near
copies, the other puts the stage in between. "With start-up" is N over the whole second run
(runner and worker start-up, reading, the stage, counting); "marginal" is N over the difference
of the two runs, the stage's own time. The stage must find the core's near copies (checked).
Both runs also report CPU seconds (this process, which hosts the runner, plus its worker
processes once they exit): on a shared machine wall time depends on the other jobs, the CPU
the stage costs much less, so N over the CPU difference ("docs per CPU second") compares code.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import corpus as bench_corpus  # noqa: E402
from perturb import PERTURBATIONS  # noqa: E402

from newsmon.pipelines.runner import direct_runner_args  # noqa: E402
from newsmon.transforms import records  # noqa: E402
from newsmon.transforms.dedup import LinkNearDuplicates, dedup_params, find_near_duplicates  # noqa: E402
from newsmon.transforms.normalise import read_articles  # noqa: E402
from newsmon.transforms.settings import Settings, load_settings  # noqa: E402
from newsmon.transforms.sketches import shingle_hashes, word_hashes, words  # noqa: E402

BBC = REPO.parent / "shared" / "corpora" / "bbc"
SEED_STORIES = {"000": "karabakh-joint-call", "001": "karabakh-joint-call", "004": "karabakh-joint-call",
                "002": "baku-expert-macron", "003": "unsc-karabakh-2023"}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def link_scores(predicted: dict[str, str | None], gold_group: dict[str, str], gold_copies: set[str]):
    """(precision, recall, F1) of copy links; a link is right if it stays inside the gold group."""
    tp = fp = 0
    for doc, original in predicted.items():
        if original is None:
            continue
        if doc in gold_copies and gold_group.get(original) == gold_group[doc]:
            tp += 1
        else:
            fp += 1
    return prf(tp, fp, len(gold_copies) - tp)


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    by_pred, by_gold = defaultdict(set), defaultdict(set)
    for doc in gold:
        by_pred[predicted[doc]].add(doc)
        by_gold[gold[doc]].add(doc)
    precision = sum(len(by_pred[predicted[d]] & by_gold[gold[d]]) / len(by_pred[predicted[d]]) for d in gold) / len(gold)
    recall = sum(len(by_pred[predicted[d]] & by_gold[gold[d]]) / len(by_gold[gold[d]]) for d in gold) / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def read_text_article(path: Path) -> dict:
    """Title, text and date of a seed file as the pipeline reads and normalises it."""
    article = next(read_articles(str(path), load_settings()))
    return {"title": article["title"], "text": article["text"], "published_at": article["published_at"]}


def labelled_originals() -> list[dict]:
    originals = []
    for path in sorted((REPO / "examples" / "news").glob("*.txt")):
        article = read_text_article(path)
        originals.append({**article, "key": path.stem[:3], "story": SEED_STORIES[path.stem[:3]]})
    for line in (REPO / "benchmarks" / "data" / "stories.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        originals.append({"key": item["id"], "story": item["story"], "title": item["title"],
                          "text": item["text"], "published_at": item["published_at"]})
    return originals


def write_article(folder: Path, name: str, article: dict) -> None:
    header = f" date {article['published_at']} " if article["published_at"] else ""
    (folder / f"{name}.txt").write_text(f"{header}{article['title']}\n\n{article['text']}\n", encoding="utf-8")


def evaluate_labelled_set() -> None:
    """The labelled set through `newsmon run`: near-dup P/R/F1, story B-cubed."""
    originals = labelled_originals()
    with tempfile.TemporaryDirectory() as tmp:
        inputs, out = Path(tmp) / "in", Path(tmp) / "out"
        inputs.mkdir()
        gold_group, gold_story, gold_copies = {}, {}, set()
        for article in originals:
            name = f"{article['key']}-0original"
            write_article(inputs, name, article)
            gold_group[name], gold_story[name] = article["key"], article["story"]
            for kind, perturb in PERTURBATIONS.items():
                title, text = perturb(article["title"], article["text"])
                copy = f"{article['key']}-{kind}"
                write_article(inputs, copy, {**article, "title": title, "text": text})
                gold_group[copy], gold_story[copy] = article["key"], article["story"]
                gold_copies.add(copy)
        subprocess.run([sys.executable, "-m", "newsmon.pipelines.cli", "run", str(inputs), "--output", str(out),
                        "--no-es"], check=True, capture_output=True)
        rows = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    name_of = {row["id"]: Path(row["path"]).stem for row in rows}
    predicted = {name_of[r["id"]]: (name_of[r["duplicate_of"]] if r["duplicate_of"] else None) for r in rows}
    stories = {name_of[r["id"]]: r["story_id"] for r in rows}
    p, r, f = link_scores(predicted, gold_group, gold_copies)
    print(f"labelled set: {len(originals)} originals + {len(gold_copies)} perturbed copies, "
          f"{len(set(gold_story.values()))} stories")
    print(f"  near-duplicates (pipeline): precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    for kind in PERTURBATIONS:
        found = sum(1 for c in gold_copies if c.endswith(kind) and predicted.get(c) and
                    gold_group[predicted[c]] == gold_group[c])
        print(f"    {kind:20s} linked {found}/{len(originals)}")
    originals_marked = sorted(n for n, o in predicted.items() if n.endswith("0original") and o)
    print(f"  originals marked as copies: {originals_marked or 'none'}")
    bp, br, bf = bcubed(stories, gold_story)
    print(f"  stories B-cubed: precision {bp:.3f} recall {br:.3f} F1 {bf:.3f}")


def bbc_articles() -> list[dict]:
    articles = []
    for path in sorted(BBC.glob("*/*.txt")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        articles.append({"id": f"{path.parent.name}/{path.name}", "title": lines[0], "text": "\n\n".join(lines[1:]),
                         "published_at": None, "order_key": f"{path.parent.name}/{path.name}"})
    return articles


def exact_pairs_by_containment(articles: list[dict], size: int, threshold: float) -> list[tuple[str, str, float]]:
    """All pairs with shingle containment >= threshold, computed exactly (inverted index)."""
    shingles = [set(shingle_hashes(word_hashes(f"{a['title']}\n{a['text']}"), size).tolist())
                 for a in articles]
    index = defaultdict(list)
    for i, sh in enumerate(shingles):
        for h in sh:
            index[h].append(i)
    shared = defaultdict(int)
    for postings in index.values():
        if len(postings) > 50:
            continue
        for x in range(len(postings)):
            for y in range(x + 1, len(postings)):
                shared[(postings[x], postings[y])] += 1
    pairs = []
    for (i, j), n in shared.items():
        c = n / min(len(shingles[i]), len(shingles[j]))
        if c >= threshold:
            pairs.append((articles[i]["id"], articles[j]["id"], c))
    return pairs


def evaluate_bbc(settings) -> None:
    params, _, _ = dedup_params(settings)
    threshold, horizon = settings.get("dedup.near_threshold"), settings.get("dedup.horizon_days")
    articles = bbc_articles()
    by_body = defaultdict(list)
    for a in articles:
        by_body[records.content_key("", a["text"])].append(a)
    exact = sum(len({records.content_key(a["title"], "") for a in g}) < len(g) for g in by_body.values())
    # Union-find over body-identical files and high-containment pairs: the gold groups.
    parent = {a["id"]: a["id"] for a in articles}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in by_body.values():
        for a in group[1:]:
            parent[find(a["id"])] = find(group[0]["id"])
    high = exact_pairs_by_containment(articles, params.shingle_words, 0.8)
    text_of = {a["id"]: a for a in articles}
    inspected = [(x, y, c) for x, y, c in high if records.content_key("", text_of[x]["text"]) !=
                 records.content_key("", text_of[y]["text"])]
    for x, y, c in high:
        parent[find(x)] = find(y)
    # Exact copies (same title and body) are the exact stage's job; the near stage sees one of each.
    seen, distinct = set(), []
    for a in articles:
        key = records.content_key(a["title"], a["text"])
        if key not in seen:
            seen.add(key)
            distinct.append(a)
    gold_group = {a["id"]: find(a["id"]) for a in distinct}
    members = defaultdict(list)
    for a in distinct:
        members[gold_group[a["id"]]].append(a)
    gold_copies = {a["id"] for group in members.values() for a in sorted(group, key=lambda a: a["order_key"])[1:]}
    print(f"BBC corpus: {len(articles)} files; {exact} body groups holding byte-identical copies "
          f"({len(articles) - len(distinct)} exact copies), {len(gold_copies)} near copies among "
          f"{len(distinct)} distinct articles ({len(inspected)} of them high-containment pairs with other bodies)")
    for x, y, c in inspected[:5]:
        print(f"    inspect: {x} ~ {y} containment {c:.2f}")
    predicted = find_near_duplicates(distinct, params, threshold, horizon)
    p, r, f = link_scores({a["id"]: predicted.get(a["id"]) for a in distinct}, gold_group, gold_copies)
    print(f"  near-duplicates in the corpus: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    for copy, original in sorted(predicted.items()):
        if gold_group[copy] != gold_group[original]:
            print(f"    linked outside its gold group: {copy} -> {original}")

    rng = random.Random(7)
    sample = rng.sample(distinct, 200)
    perturbed, gold = list(distinct), dict(gold_group)
    copies = set(gold_copies)
    for a in sample:
        for kind, perturb in PERTURBATIONS.items():
            title, text = perturb(a["title"], a["text"])
            copy_id = f"{a['id']}~{kind}"
            perturbed.append({**a, "id": copy_id, "title": title, "text": text, "order_key": f"~{copy_id}"})
            gold[copy_id] = gold_group[a["id"]]
            copies.add(copy_id)
    predicted = find_near_duplicates(perturbed, params, threshold, horizon)
    p, r, f = link_scores({a["id"]: predicted.get(a["id"]) for a in perturbed}, gold, copies)
    print(f"  + {len(copies) - len(gold_copies)} perturbed BBC copies: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")


def five_hundred_word_articles(n: int, copy_every: int = 10) -> list[dict]:
    """`n` articles of 500 words: consecutive, non-overlapping 500-word windows of generated
    articles (real BBC paragraphs recombined, `benchmarks/corpus.py`), so that no two windows
    share text by construction; every `copy_every`-th one is instead a perturbed copy (the five
    perturbations in turn) of the window before it, so the verification path runs too."""
    perturbations = list(PERTURBATIONS.values())
    needed = n * 500
    stream: list[str] = []
    for article in bench_corpus.generated_articles(n, bench_corpus.bbc_articles()):
        stream.extend(" ".join(article.paragraphs).split())
        if len(stream) >= needed:
            break
    docs = []
    for i in range(n):
        title, text = f"Article {i}", " ".join(stream[i * 500:(i + 1) * 500])
        if i % copy_every == copy_every - 1:
            title, text = perturbations[(i // copy_every) % len(perturbations)](docs[-1]["title"], docs[-1]["text"])
        docs.append({"id": f"doc{i:06d}", "title": title, "text": text, "published_at": None,
                     "order_key": f"{i:06d}", "duplicate_of": None, "duplicate_kind": None})
    return docs


def with_workers(settings: Settings, workers: int) -> Settings:
    values = copy.deepcopy(settings.values)
    values["runner"]["workers"] = workers
    return Settings(values)


def cpu_seconds() -> float:
    """User + system CPU of this process and of its children that have exited (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_pipeline(options: PipelineOptions, docs_file: Path, stage: beam.PTransform | None,
                   out: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of a whole pipeline run: read the docs (JSON lines), pass them through `stage`
    (none: straight on), count the near copies and write the count to `out`. The docs are read
    from a file, as `newsmon run` reads its inputs: `beam.Create` would pickle and bz2-compress
    them into the pipeline, and each worker would decompress them (most of a run's time)."""
    start, cpu_start = time.perf_counter(), cpu_seconds()
    with beam.Pipeline(options=options) as pipeline:
        articles = pipeline | "Read" >> beam.io.ReadFromText(str(docs_file)) | "Parse" >> beam.Map(json.loads)
        if stage is not None:
            articles = articles | "Stage" >> stage
        _ = (articles
             | "NearCopies" >> beam.Filter(lambda a: a["duplicate_of"] is not None)
             | "Count" >> beam.combiners.Count.Globally()
             | "Write" >> beam.io.WriteToText(str(out), shard_name_template=""))
    return time.perf_counter() - start, cpu_seconds() - cpu_start


def measure_speed(settings: Settings, n: int, workers: int) -> None:
    """docs/s of the near-duplicate core (plain functions, one process) and of the Beam stage
    run as `newsmon run` runs it (`direct_runner_args`: FnApiRunner, `workers` processes)."""
    params, _, _ = dedup_params(settings)
    threshold, horizon = settings.get("dedup.near_threshold"), settings.get("dedup.horizon_days")
    docs = five_hundred_word_articles(n)
    start = time.perf_counter()
    for d in docs:
        words(f"{d['title']}\n{d['text']}")
    baseline = n / (time.perf_counter() - start)
    start = time.perf_counter()
    links = find_near_duplicates(docs, params, threshold, horizon)
    core = n / (time.perf_counter() - start)
    args = direct_runner_args(with_workers(settings, workers), [])
    options = PipelineOptions(args)
    with tempfile.TemporaryDirectory() as tmp:
        docs_file = Path(tmp) / "docs.jsonl"
        docs_file.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        read_only, read_cpu = timed_pipeline(options, docs_file, None, Path(tmp) / "none.txt")
        with_stage, stage_cpu = timed_pipeline(options, docs_file, LinkNearDuplicates(settings), Path(tmp) / "stage.txt")
        stage_links = int((Path(tmp) / "stage.txt").read_text())
    stage_total = n / with_stage
    marginal = n / (with_stage - read_only) if with_stage > read_only else float("inf")
    print(f"speed, {n} articles of 500 words ({n // 10} of them perturbed copies), "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}:")
    print(f"  baseline tokenise only (1 process)       {baseline:9.0f} docs/s")
    print(f"  near-dup core, plain functions (1 proc.) {core:9.0f} docs/s  ({core / baseline:.3f} x baseline), "
          f"{len(links)} near copies")
    print(f"  Beam runs, {' '.join(args)}:")
    print(f"    read + count only                      {read_only:9.1f} s, CPU {read_cpu:.1f} s")
    print(f"    read + LinkNearDuplicates + count      {with_stage:9.1f} s, CPU {stage_cpu:.1f} s, {stage_links} near copies"
          f"{'' if stage_links == len(links) else ' (DIFFERS from the core)'}")
    print(f"  near-dup Beam stage, with start-up       {stage_total:9.0f} docs/s  (N / whole run)")
    print(f"  near-dup Beam stage, marginal            {marginal:9.0f} docs/s  (N / (whole run - read + count only))")
    if stage_cpu > read_cpu:
        print(f"  near-dup Beam stage, CPU                 {n / (stage_cpu - read_cpu):9.0f} docs per CPU second"
              f"  (N / (CPU of whole run - CPU of read + count only), all processes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the pipeline run over the labelled set")
    parser.add_argument("--speed-only", action="store_true", help="only the speed test")
    parser.add_argument("--docs", type=int, default=20000, help="500-word articles for the speed test")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the Beam runs")
    args = parser.parse_args()
    settings = load_settings()
    if not (args.quick or args.speed_only):
        evaluate_labelled_set()
    if not args.speed_only:
        evaluate_bbc(settings)
    measure_speed(settings, args.docs, args.workers)


if __name__ == "__main__":
    main()
