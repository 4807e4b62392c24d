"""Records as Elasticsearch documents: the published fields, plus `geo` points Kibana maps can draw.

Every object holding numeric `lat` and `lon` gets a sibling `geo: {lat, lon}` (mapped as `geo_point`), and an
article also gets a top-level `geo` list of all its places, so one field serves map visualisations. The
record itself is never changed: the same object also goes to the JSONL files.
"""
from __future__ import annotations

from typing import Any

from newsmon.transforms.sinks import public_fields


def _is_coordinate(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _with_geo(value: Any, points: list[dict]) -> Any:
    """A copy of `value` where every {lat, lon} object has a `geo` point; the points are collected."""
    if isinstance(value, list):
        return [_with_geo(item, points) for item in value]
    if not isinstance(value, dict):
        return value
    copied = {key: _with_geo(item, points) for key, item in value.items()}
    if _is_coordinate(value.get("lat")) and _is_coordinate(value.get("lon")):
        point = {"lat": value["lat"], "lon": value["lon"]}
        copied["geo"] = point
        points.append(point)
    return copied


def to_document(record: dict) -> dict:
    """The document indexed for `record` (its `_id` is `record["id"]`)."""
    points: list[dict] = []
    document = {key: _with_geo(value, points) for key, value in public_fields(record).items()}
    if points and "geo" not in document:
        document["geo"] = points
    return document
