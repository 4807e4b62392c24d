"""The article fields the contract names, built from resolved mentions.

`entities` (one per canonical id, with the surface forms seen and a count), `locations`
(places with coordinates, for the map) and the keyword arrays Elasticsearch aggregates on.
"""
from __future__ import annotations

from newsmon.transforms.entities.mention import Mention

KEYWORD_FIELDS = {"PERSON": "persons", "ORG": "orgs", "GPE": "places", "LOC": "places", "FAC": "places", "NORP": "norps"}


def entity_records(mentions: list[Mention]) -> list[dict]:
    """One record per entity id, most mentioned first (first seen on ties)."""
    records: dict[str, dict] = {}
    for mention in mentions:
        record = records.get(mention.id)
        if record is None:
            record = records[mention.id] = {"name": mention.name, "type": mention.type, "id": mention.id,
                                            "mentions": [], "count": 0}
            if mention.country_code:
                record["country_code"] = mention.country_code
            if mention.lat is not None:
                record["lat"], record["lon"] = mention.lat, mention.lon
        if mention.text not in record["mentions"]:
            record["mentions"].append(mention.text)
        record["count"] += 1
    return sorted(records.values(), key=lambda r: -r["count"])


def locations(entities: list[dict]) -> list[dict]:
    """Places with coordinates, once each."""
    return [
        {"name": e["name"], "id": e["id"], "lat": e["lat"], "lon": e["lon"], "country_code": e.get("country_code")}
        for e in entities
        if e["type"] in ("GPE", "LOC", "FAC") and "lat" in e
    ]


def enrich(article: dict, mentions: list[Mention]) -> None:
    """Set the contract's entity fields on `article`."""
    entities = entity_records(mentions)
    article["entities"] = entities
    article["locations"] = locations(entities)
    for field in sorted(set(KEYWORD_FIELDS.values())):
        article[field] = []
    for entity in entities:
        field = KEYWORD_FIELDS.get(entity["type"])
        if field and entity["name"] not in article[field]:
            article[field].append(entity["name"])
