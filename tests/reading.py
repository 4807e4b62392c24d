"""Helpers for reader tests: read one input the way the pipeline does, without Beam."""
from __future__ import annotations

from pathlib import Path

from newsmon.transforms import records
from newsmon.transforms.normalise import normalise_item
from newsmon.transforms.readers import read_input
from newsmon.transforms.settings import Settings, load_settings

DATA = Path(__file__).resolve().parent / "data"


def settings_with(tmp_path: Path, **limits: int) -> Settings:
    """Default settings with some `limits.*` overridden through a real config file."""
    config = tmp_path / "limits.yaml"
    config.write_text("limits:\n" + "".join(f"  {key}: {value}\n" for key, value in limits.items()))
    return load_settings(config)


def read_all(ref: str | Path, settings: Settings | None = None) -> tuple[list[dict], list[dict]]:
    """(articles, dead-letters) for one input: read, then normalise every raw item."""
    articles, dead = [], []
    for item in read_input(str(ref), settings or load_settings()):
        record = item if records.is_deadletter(item) else normalise_item(item)
        (dead if records.is_deadletter(record) else articles).append(record)
    return articles, dead
