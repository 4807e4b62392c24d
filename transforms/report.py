"""The offline report: the dashboard's picture as one self-contained HTML page.

Each chart of `dashboard.CHARTS` is answered by its own Elasticsearch request (`chart_query`, the same
aggregation its Kibana visualisation runs) and shaped into small JSON-ready data; the Jinja2 template
`config/report.html.j2` embeds that data and draws it with inline JavaScript and SVG. The page loads
nothing from the network, and every text from the indices is escaped (autoescape, `tojson`, textContent).
"""
from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from typing import Any

import jinja2
from elasticsearch import Elasticsearch

from newsmon.transforms.dashboard import (CHARTS, DATA_VIEWS, LATEST, MAP, RANKING, SUMS_OVER_TIME, TIMELINE,
                                          TOP_TERMS, Chart, calendar_interval, chart_query, time_range_query)

TEMPLATE = "report.html.j2"
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?")


def _field(hit: dict, field: str) -> Any:
    """A field of a hit returned through `fields` (always a list there): its single value or the list."""
    values = hit.get("fields", {}).get(field)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _display(value: Any) -> str:
    """A value as a table cell shows it: lists joined, ISO timestamps shortened to the minute."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value)
    text = str(value)
    if ISO_TIMESTAMP.fullmatch(text):
        return f"{text[:10]} {text[11:16]}" + (" UTC" if text.endswith("Z") else "")
    return text


def _point(value: Any) -> tuple[float, float] | None:
    """(lat, lon) of a geo_point as `fields` returns it (GeoJSON) or as stored ({lat, lon})."""
    if isinstance(value, dict) and "coordinates" in value:
        lon, lat = value["coordinates"][:2]
        return float(lat), float(lon)
    if isinstance(value, dict) and "lat" in value:
        return float(value["lat"]), float(value["lon"])
    return None


def shape(chart: Chart, response: dict) -> dict:
    """The part of the search `response` the page draws for `chart`."""
    aggs = response.get("aggregations", {})
    hits = response.get("hits", {}).get("hits", [])
    if chart.kind in (TIMELINE, SUMS_OVER_TIME):
        buckets = aggs.get("time", {}).get("buckets", [])
        if chart.kind == TIMELINE:
            rows = [{"date": b["key_as_string"], "values": {s["key"]: s["doc_count"] for s in b["split"]["buckets"]}}
                    for b in buckets]
            totals: dict[str, int] = {}
            for row in rows:
                for name, count in row["values"].items():
                    totals[str(name)] = totals.get(str(name), 0) + count
            series = sorted(totals, key=lambda name: (-totals[name], name))
            return {"buckets": rows, "series": [{"key": s, "label": s} for s in series]}
        rows = [{"date": b["key_as_string"], "values": {f: int(b[f]["value"] or 0) for f in chart.sum_fields}}
                for b in buckets]
        return {"buckets": rows, "series": [{"key": f, "label": chart.label(f)} for f in chart.sum_fields]}
    top = aggs.get("top", {}).get("buckets", [])
    if chart.kind == TOP_TERMS:
        return {"rows": [{"name": str(b["key"]), "value": b["doc_count"]} for b in top]}
    if chart.kind == RANKING:
        return {"rows": [{"name": str(b["key"]), "value": b["rank"]["value"]} for b in top],
                "labels": [chart.label(chart.terms_field), chart.label(chart.rank_field)]}
    if chart.kind == MAP:
        points = []
        for hit in hits:
            point = _point(_field(hit, chart.geo_field))
            if point:
                points.append({"lat": point[0], "lon": point[1],
                               "about": [[chart.label(c), _field(hit, c)] for c in chart.columns
                                         if _field(hit, c) is not None]})
        return {"points": points}
    if chart.kind == LATEST:
        return {"columns": [chart.label(c) for c in chart.columns],
                "rows": [[_display(_field(hit, c)) for c in chart.columns] for hit in hits]}
    raise ValueError(f"unknown chart kind {chart.kind!r}")


def report_data(client: Elasticsearch, prefix: str) -> dict:
    """Everything the page shows, from the indices `prefix-*` (a missing index shows as no data)."""
    charts = []
    for chart in CHARTS:
        index = DATA_VIEWS[chart.output].index(prefix)
        interval = "month"
        if chart.time_field and chart.kind in (TIMELINE, SUMS_OVER_TIME):
            bounds = client.search(index=index, ignore_unavailable=True, **time_range_query(chart)).body
            bounds = bounds.get("aggregations", {})
            interval = calendar_interval(bounds.get("first", {}).get("value"), bounds.get("last", {}).get("value"))
        response = client.search(index=index, ignore_unavailable=True, **chart_query(chart, interval))
        charts.append({"key": chart.key, "title": chart.title, "kind": chart.kind, "data": shape(chart, response.body)})
    counts = {}
    for view in DATA_VIEWS.values():
        answer = client.options(ignore_status=404).count(index=view.index(prefix))
        counts[view.name] = int(answer.get("count", 0)) if answer.meta.status == 200 else 0
    return {"prefix": prefix, "counts": counts, "charts": charts}


def render_report(data: dict, generated_at: dt.datetime | None = None) -> str:
    """The HTML page for `data` (from `report_data`)."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     loader=jinja2.FunctionLoader(_template_source))
    generated = (generated_at or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    return environment.get_template(TEMPLATE).render(report=data, generated_at=generated)


def _template_source(name: str) -> str:
    return resources.files("newsmon.config").joinpath(name).read_text(encoding="utf-8")
