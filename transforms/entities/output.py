"""The article fields the contract names, built from resolved mentions.

`entities` (one per canonical id, with the surface forms seen and a count), `locations`
(places with coordinates, for the map) and the keyword arrays Elasticsearch aggregates on.
"""
from __future__ import annotations

from newsmon.transforms.entities.mention import Mention
from newsmon.transforms.entities.normalise import derived_id
from newsmon.transforms.entities.type_rules import credited_person

# Article fields that credit a person outside the text the model reads (boilerplate evidence).
CREDIT_FIELDS = ("author", "photographer")

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


def add_credited_people(entities: list[dict], article: dict) -> None:
    """The byline author and the photo credit are people of the article although their lines
    never reach the model: an analyst filters a reporter's or photographer's articles by name."""
    for field in CREDIT_FIELDS:
        name = article.get(field)
        if not name or not credited_person(name, 0, True, name):
            continue
        known = next((e for e in entities if e["name"] == name and e["type"] == "PERSON"), None)
        if known is None:
            entities.append({"name": name, "type": "PERSON", "id": derived_id("PERSON", name),
                             "mentions": [name], "count": 1})
        elif name not in known["mentions"]:
            known["mentions"].append(name)
            known["count"] += 1


def enrich(article: dict, mentions: list[Mention]) -> None:
    """Set the contract's entity fields on `article`."""
    entities = entity_records(mentions)
    add_credited_people(entities, article)
    article["entities"] = entities
    article["locations"] = locations(entities)
    for field in sorted(set(KEYWORD_FIELDS.values())):
        article[field] = []
    for entity in entities:
        field = KEYWORD_FIELDS.get(entity["type"])
        if field and entity["name"] not in article[field]:
            article[field].append(entity["name"])
