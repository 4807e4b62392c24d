"""What the "News monitor" dashboard shows, declared once.

The Kibana saved objects (`kibana_objects.py`) and the offline HTML report (`report.py`) are both built
from these declarations, so a field name lives in one place and both pictures stay the same. Each chart
also knows the Elasticsearch request equivalent to its visualisation, which the report runs and the
tests check against the real indices.
"""
from __future__ import annotations

from dataclasses import dataclass

from newsmon.transforms import records

# Chart kinds: what is drawn, and therefore which aggregation answers it.
TIMELINE = "timeline"          # documents per interval of `time_field`, split by the top `terms_field` values
SUMS_OVER_TIME = "sums"        # `sum_fields` summed per interval of `time_field`
TOP_TERMS = "top"              # the `terms_field` values in the most documents
RANKING = "ranking"            # `terms_field` values ranked by the distinct `rank_field` values they hold
MAP = "map"                    # documents with a `geo_field` point, with `columns` as labels
LATEST = "latest"              # the newest documents by `time_field`, with `columns`

# Field types each use of a field needs (Elasticsearch mapping types).
NUMERIC = frozenset({"integer", "long", "short", "byte", "float", "double", "half_float", "scaled_float"})
USABLE_TYPES = {
    "time": frozenset({"date", "date_nanos"}),
    "terms": frozenset({"keyword", "boolean", "ip"}) | NUMERIC,
    "sum": NUMERIC,
    "unique_count": frozenset({"keyword", "boolean", "ip", "date"}) | NUMERIC,
    "geo": frozenset({"geo_point"}),
    "column": frozenset({"keyword", "text", "date", "boolean", "geo_point", "ip"}) | NUMERIC,
}
TIME_BUCKETS = 40  # at most this many intervals on a time axis, as Kibana's "auto" interval aims for
# Calendar intervals a time axis may use, with their length in days, finest first.
CALENDAR_INTERVALS = (("day", 1), ("week", 7), ("month", 31), ("quarter", 92), ("year", 366))


@dataclass(frozen=True)
class DataView:
    """One Kibana data view per output index, with the time field its time filter uses."""

    output: str
    name: str
    time_field: str

    def index(self, prefix: str) -> str:
        return f"{prefix}-{self.output}"


@dataclass(frozen=True)
class Chart:
    """One panel of the dashboard; `key` is the stable part of its saved object id."""

    key: str
    title: str
    kind: str
    output: str
    time_field: str | None = None
    terms_field: str | None = None
    sum_fields: tuple[str, ...] = ()
    rank_field: str | None = None
    geo_field: str | None = None
    columns: tuple[str, ...] = ()
    size: int = 10
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, field: str) -> str:
        """The column heading or series name shown for `field`."""
        return dict(self.labels).get(field, field)

    def field_uses(self) -> list[tuple[str, str]]:
        """(field, use) pairs: every field this chart reads and how (a key of USABLE_TYPES)."""
        uses = [(self.time_field, "time"), (self.terms_field, "terms"), (self.rank_field, "unique_count"),
                (self.geo_field, "geo")]
        uses += [(field, "sum") for field in self.sum_fields] + [(field, "column") for field in self.columns]
        return [(field, use) for field, use in uses if field]


DATA_VIEWS = {
    records.ARTICLES: DataView(records.ARTICLES, "Articles", "published_at"),
    records.EVENTS: DataView(records.EVENTS, "Events", "date"),
    records.STORIES: DataView(records.STORIES, "Stories", "first_seen"),
    records.ALERTS: DataView(records.ALERTS, "Alerts", "triggered_at"),
}

CHARTS = (
    Chart("articles-over-time", "Articles over time by source", TIMELINE, records.ARTICLES,
          time_field="published_at", terms_field="source"),
    Chart("biggest-stories", "Biggest stories", RANKING, records.STORIES, terms_field="title.keyword",
          rank_field="article_ids", labels=(("title.keyword", "Story"), ("article_ids", "Articles"))),
    Chart("top-persons", "Top persons", TOP_TERMS, records.ARTICLES, terms_field="persons"),
    Chart("top-organisations", "Top organisations", TOP_TERMS, records.ARTICLES, terms_field="orgs"),
    Chart("top-places", "Top places", TOP_TERMS, records.ARTICLES, terms_field="places"),
    Chart("event-categories", "Event categories over time", TIMELINE, records.EVENTS,
          time_field="date", terms_field="type"),
    Chart("casualties", "Killed and wounded over time", SUMS_OVER_TIME, records.EVENTS,
          time_field="date", sum_fields=("killed", "wounded"), labels=(("killed", "Killed"), ("wounded", "Wounded"))),
    Chart("events-map", "Map of events", MAP, records.EVENTS, geo_field="location.geo",
          columns=("type", "location.name", "date", "killed", "wounded"), size=1000,
          labels=(("type", "Event"), ("location.name", "Place"), ("date", "Date"), ("killed", "Killed"),
                  ("wounded", "Wounded"))),
    Chart("latest-alerts", "Latest alerts", LATEST, records.ALERTS, time_field="triggered_at",
          columns=("triggered_at", "severity", "rule", "key", "message"), size=50,
          labels=(("triggered_at", "Triggered"), ("severity", "Severity"), ("rule", "Rule"), ("key", "On"),
                  ("message", "Message"))),
)


def time_range_query(chart: Chart) -> dict:
    """The search body giving the first and last `time_field` values (to choose the interval)."""
    field = chart.time_field
    return {"size": 0, "query": _chart_filter(chart),
            "aggs": {"first": {"min": {"field": field}}, "last": {"max": {"field": field}}}}


def calendar_interval(first_ms: float | None, last_ms: float | None) -> str:
    """The finest calendar interval that spans first..last (epoch milliseconds) in at most TIME_BUCKETS."""
    days = ((last_ms or 0) - (first_ms or 0)) / 86_400_000
    for name, length in CALENDAR_INTERVALS:
        if days / length < TIME_BUCKETS:
            return name
    return CALENDAR_INTERVALS[-1][0]


def _chart_filter(chart: Chart) -> dict:
    if chart.kind == SUMS_OVER_TIME:
        # Only events with a figure count: a date range without any reads as no data, not as zero.
        return {"bool": {"should": [{"exists": {"field": f}} for f in chart.sum_fields], "minimum_should_match": 1}}
    return {"match_all": {}}


def chart_query(chart: Chart, interval: str = "month") -> dict:
    """The Elasticsearch search body that answers `chart` (what Kibana asks for its visualisation);
    `interval` is the calendar interval of a time axis (see `calendar_interval`)."""
    if chart.kind in (TIMELINE, SUMS_OVER_TIME):
        buckets = {"date_histogram": {"field": chart.time_field, "calendar_interval": interval,
                                      "format": "yyyy-MM-dd", "min_doc_count": 0}}
        if chart.kind == TIMELINE:
            metrics = {"split": {"terms": {"field": chart.terms_field, "size": chart.size}}}
        else:
            metrics = {field: {"sum": {"field": field}} for field in chart.sum_fields}
        return {"size": 0, "query": _chart_filter(chart), "aggs": {"time": {**buckets, "aggs": metrics}}}
    if chart.kind == TOP_TERMS:
        return {"size": 0, "aggs": {"top": {"terms": {"field": chart.terms_field, "size": chart.size}}}}
    if chart.kind == RANKING:
        rank = {"cardinality": {"field": chart.rank_field}}
        terms = {"field": chart.terms_field, "size": chart.size, "order": [{"rank": "desc"}, {"_key": "asc"}]}
        return {"size": 0, "aggs": {"top": {"terms": terms, "aggs": {"rank": rank}}}}
    if chart.kind == MAP:
        return {"size": chart.size, "query": {"exists": {"field": chart.geo_field}},
                "fields": [chart.geo_field, *chart.columns], "_source": False}
    if chart.kind == LATEST:
        return {"size": chart.size, "sort": [{chart.time_field: {"order": "desc", "unmapped_type": "date"}}],
                "fields": list(chart.columns), "_source": False}
    raise ValueError(f"unknown chart kind {chart.kind!r}")
