"""Helpers for the dashboard tests: Kibana saved objects read back as the Elasticsearch requests they make,
headless Chromium, and hand-made entity/event documents taken from what the seed articles say."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from newsmon.transforms import records

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--enable-logging=stderr", "--v=0")


def parse_ndjson(text: str) -> tuple[list[dict], dict]:
    """The saved objects and the export summary line of a Kibana NDJSON export."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    return lines[:-1], lines[-1]


def data_view_indices(objects: list[dict]) -> dict[str, str]:
    return {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}


def field_uses(obj: dict, views: dict[str, str]) -> list[tuple[str, str, str]]:
    """(index, field, use) for every field a saved object reads, from the object itself (as Kibana would)."""
    refs = {r["name"]: views.get(r["id"]) for r in obj["references"]}
    attributes = obj["attributes"]
    if obj["type"] == "index-pattern":
        return [(attributes["title"], attributes["timeFieldName"], "time")]
    if obj["type"] == "lens":
        uses = {"date_histogram": "time", "terms": "terms", "sum": "sum", "unique_count": "unique_count"}
        found = []
        for layer_id, layer in attributes["state"]["datasourceStates"]["formBased"]["layers"].items():
            index = refs[f"indexpattern-datasource-layer-{layer_id}"]
            found += [(index, c["sourceField"], uses[c["operationType"]]) for c in layer["columns"].values()
                      if c["operationType"] != "count"]
        return found
    if obj["type"] == "map":
        found = []
        for layer in json.loads(attributes["layerListJSON"]):
            source = layer["sourceDescriptor"]
            if "indexPatternRefName" in source:
                index = refs[source["indexPatternRefName"]]
                found.append((index, source["geoField"], "geo"))
                found += [(index, field, "column") for field in source["tooltipProperties"]]
        return found
    if obj["type"] == "search":
        index = refs[json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])["indexRefName"]]
        return ([(index, field, "column") for field in attributes["columns"]]
                + [(index, field, "time") for field, _ in attributes["sort"]])
    return []


def equivalent_request(obj: dict, views: dict[str, str]) -> tuple[str, dict]:
    """(index, search body) that asks what the saved object's visualisation asks, built from the object."""
    refs = {r["name"]: views.get(r["id"]) for r in obj["references"]}
    attributes = obj["attributes"]
    if obj["type"] == "lens":
        (layer_id, layer), = attributes["state"]["datasourceStates"]["formBased"]["layers"].items()
        columns = layer["columns"]
        metrics = {cid: {"cardinality" if c["operationType"] == "unique_count" else c["operationType"]:
                         {"field": c["sourceField"]}}
                   for cid, c in columns.items() if not c["isBucketed"] and c["operationType"] != "count"}
        aggs: dict = metrics
        for cid in reversed([cid for cid in layer["columnOrder"] if columns[cid]["isBucketed"]]):
            column = columns[cid]
            if column["operationType"] == "date_histogram":
                bucket = {"date_histogram": {"field": column["sourceField"], "calendar_interval": "year"}}
            else:
                order = column["params"]["orderBy"]["columnId"]
                bucket = {"terms": {"field": column["sourceField"], "size": column["params"]["size"],
                                    "order": {"_count" if columns[order]["operationType"] == "count" else order: "desc"}}}
            aggs = {cid: {**bucket, "aggs": aggs} if aggs else bucket}
        return refs[f"indexpattern-datasource-layer-{layer_id}"], {"size": 0, "aggs": aggs}
    if obj["type"] == "map":
        (source,) = [layer["sourceDescriptor"] for layer in json.loads(attributes["layerListJSON"])
                     if "indexPatternRefName" in layer["sourceDescriptor"]]
        return refs[source["indexPatternRefName"]], {"size": 100, "query": {"exists": {"field": source["geoField"]}}}
    if obj["type"] == "search":
        index = refs[json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])["indexRefName"]]
        return index, {"size": 50, "sort": [{field: order} for field, order in attributes["sort"]]}
    raise ValueError(f"{obj['type']} is not a visualisation")


def has_data(response: dict) -> bool:
    """True when a search answered with hits, or with buckets holding a non-zero value at the leaves."""
    aggs = response.get("aggregations")
    if not aggs:
        return bool(response["hits"]["hits"])

    def filled(node: dict) -> bool:
        if "buckets" in node:
            return any(b["doc_count"] and (not _children(b) or any(filled(c) for c in _children(b)))
                       for b in node["buckets"])
        return bool(node.get("value"))
    return any(filled(agg) for agg in aggs.values())


def _children(bucket: dict) -> list[dict]:
    return [v for v in bucket.values() if isinstance(v, dict) and ("buckets" in v or "value" in v)]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "headless Chromium is needed: run deploy/setup.sh (installs Debian's chromium package)"
    return path


def render_dom(html: Path, profile: Path, *extra: str) -> tuple[str, str]:
    """The DOM after the page's scripts ran, and Chromium's log (console messages land there)."""
    result = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, "--dump-dom",
                             html.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, result.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Uncaught" in line or re.search(r"CONSOLE.*(error|ERROR)", line)]


def page_errors(dom: str) -> list[str]:
    """What the page's window.onerror caught (it lists errors in #errors)."""
    listed = re.search(r'<ul id="errors">(.*?)</ul>', dom, re.DOTALL)
    assert listed, "the page has no error list: did it render at all?"
    return re.findall(r"<li>(.*?)</li>", listed.group(1))


def chart_states(dom: str) -> dict[str, str]:
    return dict(re.findall(r'data-chart="([^"]+)" data-rendered="([^"]+)"', dom))


# Places the seed articles name, with their coordinates (as the entities stage resolves them).
PLACES = {"Brussels": (50.8503, 4.3517, "BE"), "Nagorno-Karabakh": (39.8265, 46.7656, "AZ"),
          "Martuni": (39.7936, 47.1153, "AZ"), "Baku": (40.4093, 49.8671, "AZ"), "Gaziantep": (37.0662, 37.3833, "TR")}


def hand_made_documents(articles: list[dict]) -> dict[str, list[dict]]:
    """Entity fields, events and a story for the seed articles, written by hand from their sentences;
    used only to exercise the dashboards before the entities and events stages are merged."""
    by_file = {Path(a["path"]).name[:3]: a for a in articles}
    people = {"000": ["Emmanuel Macron", "Vladimir Putin", "Donald Trump", "Ilham Aliyev"],
              "001": ["Vladimir Putin", "Emmanuel Macron", "Donald Trump"],
              "002": ["Emmanuel Macron", "Basel Haj Jasem"], "003": ["Emmanuel Macron", "Nikol Pashinyan"],
              "004": ["Emmanuel Macron", "Vladimir Putin", "Donald Trump", "Sergei Lavrov", "Dmitry Peskov"]}
    orgs = {"000": ["OSCE Minsk Group", "TASS"], "001": ["OSCE Minsk Group", "OSCE"], "002": ["OSCE Minsk Group"],
            "003": ["UN Security Council"], "004": ["OSCE Minsk Group", "NATO", "Reuters", "Le Monde"]}
    places = {"000": ["Brussels", "Nagorno-Karabakh"], "001": ["Nagorno-Karabakh", "Gaziantep"],
              "002": ["Baku", "Nagorno-Karabakh"], "003": ["Nagorno-Karabakh"], "004": ["Nagorno-Karabakh", "Martuni"]}
    enriched = []
    for key, article in sorted(by_file.items()):
        locations = [{"name": p, "lat": PLACES[p][0], "lon": PLACES[p][1], "country_code": PLACES[p][2]}
                     for p in places[key]]
        enriched.append(dict(article, persons=people[key], orgs=orgs[key], places=places[key], locations=locations,
                             story_id="story-joint-call" if key in ("000", "001", "004") else None))

    def event(key: str, kind: str, quad: str, date: str, place: str, sentence: str, actors: list[str],
              killed: int | None = None, wounded: int | None = None) -> dict:
        lat, lon, _ = PLACES[place]
        return {"id": f"hand-{key}-{kind}-{date}", "article_id": by_file[key]["id"], "type": kind, "quad_class": quad,
                "date": date, "location": {"name": place, "lat": lat, "lon": lon}, "actors": actors,
                "killed": killed, "wounded": wounded, "sentence": sentence, "confidence": 0.9}
    events = [
        event("000", "CONSULT", "verbal_cooperation", "2020-10-01", "Brussels",
              "French President Emmanuel Macron has agreed to exchange information ...", ["Emmanuel Macron"]),
        event("001", "REQUEST", "verbal_cooperation", "2020-10-01", "Nagorno-Karabakh",
              "Russian Presidents Vladimir Poutin, French Presidents Emmanuel Macron and American Donald Trump "
              "called for the immediate cessation of hostilities", ["Vladimir Putin", "Emmanuel Macron"]),
        event("001", "ASSAULT", "material_conflict", "2020-09-30", "Nagorno-Karabakh",
              "According to partial reports, they killed at least 128 people.", ["Azerbaijani forces"], killed=128),
        event("002", "ASSAULT", "material_conflict", "2020-09-27", "Nagorno-Karabakh",
              "Armenian Armed Forces launched a large-scale military attack on positions of Azerbaijani army",
              ["Armenian Armed Forces"]),
        event("004", "ASSAULT", "material_conflict", "2020-10-01", "Martuni",
              "two French nationals working for the Le Monde newspaper were wounded on October 1 during shelling "
              "of the town of Martuni", ["Azerbaijan forces"], wounded=2),
        event("003", "CONSULT", "verbal_cooperation", "2023-09-19", "Nagorno-Karabakh",
              "French President Emmanuel Macron in a telephone conversation with Armenian Prime Minister Nikol "
              "Pashinyan", ["Emmanuel Macron"]),
    ]
    story = {"id": "story-joint-call", "story_id": "story-joint-call",
             "article_ids": [by_file[k]["id"] for k in ("000", "001", "004")],
             "title": by_file["004"]["title"], "first_seen": "2020-10-01", "last_seen": "2020-10-01"}
    return {records.ARTICLES: enriched, records.EVENTS: events, records.STORIES: [story]}
