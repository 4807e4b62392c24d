"""Shared fixtures: the repository's paths and one batch run over the seed articles."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "examples" / "news"
SHARED = REPO.parent / "shared"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run_newsmon(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the installed console entry point as a user would."""
    result = subprocess.run([sys.executable, "-m", "newsmon.pipelines.cli", *args],
                            capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"newsmon {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory) -> Path:
    """Output directory of `newsmon run examples/news --no-es`, run once per test session."""
    out = tmp_path_factory.mktemp("seed-run")
    run_newsmon("run", str(SEEDS), "--output", str(out), "--no-es")
    return out
