"""The dashboard's Kibana 8 saved objects, in the NDJSON format Kibana's saved objects export writes.

Built from `dashboard.py` so the objects name exactly the fields the report and the tests use. Data
views, Lens visualisations, a map, a saved search and the "News monitor" dashboard reference each other
by id through `references`, as Kibana exports them; ids are stable, so re-importing overwrites in place.
The objects carry the migration versions Kibana 8.8+ writes: older Kibana refuses them, newer migrates them.
"""
from __future__ import annotations

import json
import uuid

from newsmon.transforms.dashboard import (CHARTS, DATA_VIEWS, LATEST, MAP, RANKING, SUMS_OVER_TIME, TIMELINE,
                                          TOP_TERMS, Chart)

CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS = {"index-pattern": "8.0.0", "lens": "8.9.0", "map": "8.4.0", "search": "8.0.0",
                           "dashboard": "8.9.0"}
PANEL_VERSION = "8.8.0"
DASHBOARD_TITLE = "News monitor"
# The dashboard opens on a wide window so archives (like the sample articles) show; analysts narrow it.
DASHBOARD_TIME = ("now-15y", "now")
RECORDS = "___records___"  # Lens's pseudo-field for "count of documents"
# Grid (48 columns wide): each chart's (x, y, w, h) on the dashboard.
LAYOUT = {
    "articles-over-time": (0, 0, 32, 14), "biggest-stories": (32, 0, 16, 14),
    "top-persons": (0, 14, 16, 14), "top-organisations": (16, 14, 16, 14), "top-places": (32, 14, 16, 14),
    "event-categories": (0, 28, 24, 14), "casualties": (24, 28, 24, 14),
    "events-map": (0, 42, 28, 20), "latest-alerts": (28, 42, 20, 20),
}


def _uid(*parts: str) -> str:
    """A UUID-shaped id that is the same on every build (Kibana uses UUIDs for layers and panels)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "newsmon/" + "/".join(parts)))


def data_view_id(prefix: str, output: str) -> str:
    return f"{prefix}-{output}"


def dashboard_id(prefix: str) -> str:
    return f"{prefix}-news-monitor"


def _saved_object(kind: str, object_id: str, attributes: dict, references: list[dict]) -> dict:
    return {"attributes": attributes, "coreMigrationVersion": CORE_MIGRATION_VERSION, "id": object_id,
            "managed": False, "references": references, "type": kind,
            "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[kind]}


def _data_view(prefix: str, output: str) -> dict:
    view = DATA_VIEWS[output]
    attributes = {"fieldAttrs": "{}", "fieldFormatMap": "{}", "fields": "[]", "name": f"newsmon {view.name}",
                  "runtimeFieldMap": "{}", "sourceFilters": "[]", "timeFieldName": view.time_field,
                  "title": view.index(prefix), "typeMeta": "{}"}
    return _saved_object("index-pattern", data_view_id(prefix, output), attributes, [])


# Lens columns -------------------------------------------------------------------------------------------

def _date_column(field: str) -> dict:
    return {"dataType": "date", "isBucketed": True, "label": field, "operationType": "date_histogram",
            "params": {"dropPartials": False, "includeEmptyRows": True, "interval": "auto"},
            "scale": "interval", "sourceField": field}


def _terms_column(field: str, label: str, size: int, order_by: str) -> dict:
    return {"customLabel": True, "dataType": "string", "isBucketed": True, "label": label,
            "operationType": "terms",
            "params": {"exclude": [], "excludeIsRegex": False, "include": [], "includeIsRegex": False,
                       "missingBucket": False, "orderBy": {"columnId": order_by, "type": "column"},
                       "orderDirection": "desc", "otherBucket": False, "parentFormat": {"id": "terms"},
                       "size": size},
            "scale": "ordinal", "sourceField": field}


def _metric_column(operation: str, field: str, label: str) -> dict:
    return {"customLabel": True, "dataType": "number", "isBucketed": False, "label": label,
            "operationType": operation, "params": {"emptyAsNull": True}, "scale": "ratio", "sourceField": field}


def _xy(layer_id: str, series: str, x: str, accessors: list[str], split: str | None = None) -> dict:
    layer = {"accessors": accessors, "layerId": layer_id, "layerType": "data", "position": "top",
             "seriesType": series, "showGridlines": False, "xAccessor": x}
    if split:
        layer["splitAccessor"] = split
    both = {"x": True, "yLeft": True, "yRight": True}
    return {"axisTitlesVisibilitySettings": both, "fittingFunction": "None", "gridlinesVisibilitySettings": both,
            "labelsOrientation": {"x": 0, "yLeft": 0, "yRight": 0}, "layers": [layer],
            "legend": {"isVisible": True, "position": "right"}, "preferredSeriesType": series,
            "tickLabelsVisibilitySettings": both, "valueLabels": "hide"}


def _lens_layer(chart: Chart, layer_id: str) -> tuple[dict, dict, str]:
    """The chart's Lens columns (in order), its visualization state, and its Lens visualization type."""
    count = _metric_column("count", RECORDS, "Documents")
    if chart.kind == TIMELINE:
        columns = {"time": _date_column(chart.time_field),
                   "split": _terms_column(chart.terms_field, chart.label(chart.terms_field), chart.size, "count"),
                   "count": count}
        return columns, _xy(layer_id, "bar_stacked", "time", ["count"], "split"), "lnsXY"
    if chart.kind == SUMS_OVER_TIME:
        columns = {"time": _date_column(chart.time_field)}
        columns.update({field: _metric_column("sum", field, chart.label(field)) for field in chart.sum_fields})
        return columns, _xy(layer_id, "bar", "time", list(chart.sum_fields)), "lnsXY"
    if chart.kind == TOP_TERMS:
        columns = {"value": _terms_column(chart.terms_field, chart.title, chart.size, "count"),
                   "count": _metric_column("count", RECORDS, "Articles")}
        visualization = _xy(layer_id, "bar_horizontal", "value", ["count"])
        visualization["legend"]["isVisible"] = False
        return columns, visualization, "lnsXY"
    if chart.kind == RANKING:
        columns = {"value": _terms_column(chart.terms_field, chart.label(chart.terms_field), chart.size, "rank"),
                   "rank": _metric_column("unique_count", chart.rank_field, chart.label(chart.rank_field))}
        visualization = {"columns": [{"columnId": "value", "isTransposed": False},
                                     {"columnId": "rank", "isTransposed": False}],
                         "layerId": layer_id, "layerType": "data", "rowHeight": "auto", "rowHeightLines": 2,
                         "sorting": {"columnId": "rank", "direction": "desc"}}
        return columns, visualization, "lnsDatatable"
    raise ValueError(f"chart kind {chart.kind!r} is not a Lens visualization")


def _lens(prefix: str, chart: Chart) -> dict:
    layer_id = _uid(chart.key, "layer")
    columns, visualization, vis_type = _lens_layer(chart, layer_id)
    layer = {"columnOrder": list(columns), "columns": columns, "incompleteColumns": {}, "sampling": 1}
    state = {"adHocDataViews": {}, "datasourceStates": {"formBased": {"layers": {layer_id: layer}}},
             "filters": [], "internalReferences": [], "query": {"language": "kuery", "query": ""},
             "visualization": visualization}
    attributes = {"description": "", "state": state, "title": chart.title, "visualizationType": vis_type}
    references = [{"id": data_view_id(prefix, chart.output), "name": f"indexpattern-datasource-layer-{layer_id}",
                   "type": "index-pattern"}]
    return _saved_object("lens", _chart_id(prefix, chart), attributes, references)


# Map and saved search ------------------------------------------------------------------------------------

def _map(prefix: str, chart: Chart) -> dict:
    base = {"alpha": 1, "id": _uid(chart.key, "base"), "includeInFitToBounds": True, "label": None, "maxZoom": 24,
            "minZoom": 0, "sourceDescriptor": {"isAutoSelect": True, "lightModeDefault": "road_map_desaturated",
                                                "type": "EMS_TMS"},
            "style": {"color": "", "type": "EMS_VECTOR_TILE"}, "type": "EMS_VECTOR_TILE", "visible": True}
    style = {"fillColor": {"options": {"color": "#E7664C"}, "type": "STATIC"},
             "lineColor": {"options": {"color": "#FFFFFF"}, "type": "STATIC"},
             "lineWidth": {"options": {"size": 1}, "type": "STATIC"},
             "iconSize": {"options": {"size": 7}, "type": "STATIC"},
             "symbolizeAs": {"options": {"value": "circle"}},
             "icon": {"options": {"value": "marker"}, "type": "STATIC"}}
    events = {"alpha": 0.75, "disableTooltips": False, "id": _uid(chart.key, "points"), "includeInFitToBounds": True,
              "joins": [], "label": chart.title, "maxZoom": 24, "minZoom": 0,
              "sourceDescriptor": {"applyForceRefresh": True, "applyGlobalQuery": True, "applyGlobalTime": True,
                                   "filterByMapBounds": True, "geoField": chart.geo_field,
                                   "id": _uid(chart.key, "source"),
                                   "indexPatternRefName": "layer_1_source_index_pattern", "scalingType": "LIMIT",
                                   "sortField": "", "sortOrder": "desc", "tooltipProperties": list(chart.columns),
                                   "topHitsGroupByTimeseries": False, "topHitsSize": 1, "topHitsSplitField": "",
                                   "type": "ES_SEARCH"},
              "style": {"isTimeAware": True, "properties": style, "type": "VECTOR"},
              "type": "GEOJSON_VECTOR", "visible": True}
    map_state = {"adHocDataViews": [], "center": {"lat": 30, "lon": 20}, "filters": [],
                 "query": {"language": "kuery", "query": ""}, "refreshConfig": {"interval": 60000, "isPaused": True},
                 "settings": {"autoFitToDataBounds": True, "initialLocation": "LAST_SAVED_LOCATION"},
                 "timeFilters": {"from": DASHBOARD_TIME[0], "to": DASHBOARD_TIME[1]}, "zoom": 1.5}
    attributes = {"description": "", "layerListJSON": json.dumps([base, events]),
                  "mapStateJSON": json.dumps(map_state), "title": chart.title,
                  "uiStateJSON": json.dumps({"isLayerTOCOpen": True, "openTOCDetails": []})}
    references = [{"id": data_view_id(prefix, chart.output), "name": "layer_1_source_index_pattern",
                   "type": "index-pattern"}]
    return _saved_object("map", _chart_id(prefix, chart), attributes, references)


def _search(prefix: str, chart: Chart) -> dict:
    source = {"filter": [], "indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
              "query": {"language": "kuery", "query": ""}}
    attributes = {"columns": [c for c in chart.columns if c != chart.time_field], "description": "", "grid": {},
                  "hideChart": True, "isTextBasedQuery": False,
                  "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
                  "sort": [[chart.time_field, "desc"]], "timeRestore": False, "title": chart.title}
    references = [{"id": data_view_id(prefix, chart.output), "name": "kibanaSavedObjectMeta.searchSourceJSON.index",
                   "type": "index-pattern"}]
    return _saved_object("search", _chart_id(prefix, chart), attributes, references)


def _chart_id(prefix: str, chart: Chart) -> str:
    return f"{prefix}-{chart.key}"


def _chart_object(prefix: str, chart: Chart) -> dict:
    if chart.kind == MAP:
        return _map(prefix, chart)
    if chart.kind == LATEST:
        return _search(prefix, chart)
    return _lens(prefix, chart)


def _dashboard(prefix: str, charts: list[dict]) -> dict:
    panels, references = [], []
    for chart, saved in zip(CHARTS, charts):
        x, y, w, h = LAYOUT[chart.key]
        panel_index = _uid(chart.key, "panel")
        panels.append({"embeddableConfig": {"enhancements": {}}, "gridData": {"h": h, "i": panel_index, "w": w,
                                                                              "x": x, "y": y},
                       "panelIndex": panel_index, "panelRefName": f"panel_{panel_index}", "type": saved["type"],
                       "version": PANEL_VERSION})
        references.append({"id": saved["id"], "name": f"{panel_index}:panel_{panel_index}", "type": saved["type"]})
    options = {"hidePanelTitles": False, "syncColors": False, "syncCursor": True, "syncTooltips": False,
               "useMargins": True}
    source = {"filter": [], "query": {"language": "kuery", "query": ""}}
    attributes = {"description": "Articles, entities, events, casualties, stories and alerts from newsmon.",
                  "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
                  "optionsJSON": json.dumps(options), "panelsJSON": json.dumps(panels),
                  "refreshInterval": {"pause": True, "value": 60000}, "timeFrom": DASHBOARD_TIME[0],
                  "timeRestore": True, "timeTo": DASHBOARD_TIME[1], "title": DASHBOARD_TITLE, "version": 1}
    return _saved_object("dashboard", dashboard_id(prefix), attributes, references)


def saved_objects(prefix: str = "newsmon") -> list[dict]:
    """Every saved object of the dashboard for indices `prefix-*`: data views first, the dashboard last."""
    views = [_data_view(prefix, output) for output in DATA_VIEWS]
    charts = [_chart_object(prefix, chart) for chart in CHARTS]
    return views + charts + [_dashboard(prefix, charts)]


def to_ndjson(objects: list[dict]) -> str:
    """The objects as Kibana's export writes them: one per line, then the export summary line."""
    summary = {"excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": len(objects),
               "missingRefCount": 0, "missingReferences": []}
    return "".join(json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n" for obj in [*objects, summary])
