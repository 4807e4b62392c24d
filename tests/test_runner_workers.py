"""How many worker processes a batch run gets: `auto` scales with the input, numbers are kept."""
from __future__ import annotations

import pytest

from newsmon.pipelines.runner import URL_BYTES_GUESS, batch_workers, direct_runner_args, input_bytes
from newsmon.transforms.settings import ConfigError, load_settings

from conftest import SEEDS


def seed_files() -> list[str]:
    return sorted(str(path) for path in SEEDS.iterdir())


def test_input_bytes_counts_files_and_guesses_urls():
    files = seed_files()
    on_disk = sum(path.stat().st_size for path in SEEDS.iterdir())
    assert input_bytes(files) == on_disk
    assert input_bytes(files + ["https://example.org/feed.xml"]) == on_disk + URL_BYTES_GUESS


def test_auto_keeps_small_runs_in_process_and_gives_large_runs_every_cpu():
    files = seed_files()
    size = input_bytes(files)
    assert batch_workers("auto", files, bytes_per_worker=size + 1, cpus=8) == 1
    assert batch_workers("auto", files, bytes_per_worker=size // 2, cpus=8) == 2
    assert batch_workers("auto", files, bytes_per_worker=1, cpus=2) == 2


def test_a_configured_number_is_used_as_it_is():
    assert batch_workers(3, seed_files(), bytes_per_worker=10**9, cpus=2) == 3


def test_runner_args_for_seed_run_stay_in_process():
    args = direct_runner_args(load_settings(), seed_files())
    assert args == ["--runner", "FnApiRunner", "--direct_num_workers", "1"]


def test_two_workers_run_as_processes(tmp_path):
    config = tmp_path / "two.yaml"
    config.write_text("runner:\n  workers: 2\n")
    args = direct_runner_args(load_settings(config), seed_files())
    assert args == ["--runner", "FnApiRunner", "--direct_num_workers", "2", "--direct_running_mode", "multi_processing",
                    "--max_cache_memory_usage_mb=0"]


@pytest.mark.parametrize("value", ["many", "0", "-1", "true"])
def test_bad_worker_setting_is_one_line_error(tmp_path, value):
    config = tmp_path / "bad.yaml"
    config.write_text(f"runner:\n  workers: {value}\n")
    with pytest.raises(ConfigError, match="runner.workers"):
        load_settings(config)
