"""What each worker pays once for entity resolution: building the catalog and the alias matcher.

Run: `.venv/bin/python -m benchmarks.entity_setup [--repeat 3]`. In a fresh process, times
loading the spaCy model (the baseline every worker pays anyway) and `resolver_for` on its vocab
(the catalog built in a child process and unpickled, the PhraseMatcher), then rebuilds the
catalog in this process `--repeat` times more (warm imports and data files). Prints wall and
CPU seconds and the first build's ratio to the model load; CPU seconds move less than wall
seconds when other jobs share the machine.
"""
from __future__ import annotations

import argparse
import json
import time

from newsmon.transforms.nlp import load_model
from newsmon.transforms.settings import load_settings


def _timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm catalog rebuilds after the first")
    args = parser.parse_args()
    holder = {}
    model_wall, model_cpu = _timed(lambda: holder.setdefault("nlp", load_model(load_settings().get("nlp.model"))))

    def first_build() -> None:
        from newsmon.transforms.entities import resolver_for
        resolver_for(holder["nlp"].vocab)

    first_wall, first_cpu = _timed(first_build)
    from newsmon.transforms.entities import MATCH_CITY_POPULATION, MIN_CITY_POPULATION
    from newsmon.transforms.entities.gazetteer import build_catalog
    warm = []
    for _ in range(args.repeat):
        build_catalog.cache_clear()
        warm.append(_timed(lambda: build_catalog(MIN_CITY_POPULATION, MATCH_CITY_POPULATION)))
    result = {
        "model_load_wall_s": round(model_wall, 2), "model_load_cpu_s": round(model_cpu, 2),
        "resolver_first_wall_s": round(first_wall, 2), "resolver_first_cpu_s": round(first_cpu, 2),
        "catalog_warm_min_wall_s": round(min(w for w, _ in warm), 2) if warm else None,
        "catalog_warm_min_cpu_s": round(min(c for _, c in warm), 2) if warm else None,
        "resolver_over_model_cpu": round(first_cpu / model_cpu, 2),
    }
    for key, value in result.items():
        print(f"{key:>26} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
