"""Settings load from the packaged defaults and a user file, with one-line errors."""
from __future__ import annotations

import pytest

from newsmon.transforms.settings import ConfigError, load_settings


def test_defaults_load_and_validate():
    settings = load_settings()
    assert settings.get("nlp.model")
    assert settings.get("nlp.batch_size") > 0


def test_user_file_overrides_one_key(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("nlp:\n  model: en_core_web_sm\n")
    settings = load_settings(path)
    assert settings.get("nlp.model") == "en_core_web_sm"
    assert settings.get("nlp.batch_size") == load_settings().get("nlp.batch_size")


@pytest.mark.parametrize("text, message", [
    ("nlp: [1, 2\n", "invalid YAML at line"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("nlp: 3\n", "key 'nlp' must be a mapping"),
    ("limits:\n  max_input_bytes: lots\n", "key 'limits.max_input_bytes' is 'lots'"),
])
def test_bad_files_name_file_and_key(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "absent.yaml")
