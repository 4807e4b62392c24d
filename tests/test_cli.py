"""Bad arguments and bad config end with one line that says how to fix them."""
from __future__ import annotations

from conftest import SEEDS, run_newsmon


def one_line_error(result) -> str:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_on_every_command():
    for args in (["--help"], ["run", "--help"], ["es", "--help"], ["es", "start", "--help"], ["es", "setup", "--help"]):
        result = run_newsmon(*args)
        assert "usage: newsmon" in result.stdout


def test_missing_input_path(tmp_path):
    line = one_line_error(run_newsmon("run", str(tmp_path / "nope"), "--no-es", "--output", str(tmp_path), check=False))
    assert "no such file or directory" in line


def test_unknown_option():
    line = one_line_error(run_newsmon("run", str(SEEDS), "--frobnicate", check=False))
    assert "unrecognized arguments: --frobnicate" in line


def test_nothing_to_write():
    line = one_line_error(run_newsmon("run", str(SEEDS), "--no-es", check=False))
    assert "--output DIR" in line


def test_bad_config_names_file_and_key(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("nlp:\n  batch_size: -3\n")
    line = one_line_error(run_newsmon("run", str(SEEDS), "--no-es", "--output", str(tmp_path),
                                      "--config", str(config), check=False))
    assert str(config) in line and "nlp.batch_size" in line


def test_unknown_config_key(tmp_path):
    config = tmp_path / "typo.yaml"
    config.write_text("nlp:\n  modle: en_core_web_sm\n")
    line = one_line_error(run_newsmon("run", str(SEEDS), "--no-es", "--output", str(tmp_path),
                                      "--config", str(config), check=False))
    assert "nlp.modle" in line and "model" in line
