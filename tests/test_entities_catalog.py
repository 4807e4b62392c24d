"""The catalog from packaged data and the curated tables; the tables' validation errors."""
from __future__ import annotations

import subprocess
import sys

import pytest

from newsmon.transforms.entities.gazetteer import build_catalog, load_catalog
from newsmon.transforms.entities.tables import (
    ALIASES_FILE, DEMONYMS_FILE, PLACES_FILE, load_demonyms, load_people_and_orgs, load_places, read_config,
)
from newsmon.transforms.settings import ConfigError, load_settings


@pytest.fixture(scope="module")
def catalog():
    return build_catalog(15000, 1000000)


# Prints the MB a fresh process holds once it has the catalog, built there (`build_catalog`) or
# built in a child and unpickled (`load_catalog`).
CATALOG_HELD = """
import sys
from newsmon.transforms.entities import gazetteer

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024

start = rss_mb()
catalog = getattr(gazetteer, sys.argv[1])(15000, 1000000)
print(rss_mb() - start)
"""


def best(catalog, name: str):
    entries = catalog.lookup(name)
    assert entries, f"{name!r} not in the catalog"
    return entries[0]


@pytest.mark.parametrize("alias", ["US", "U.S.", "USA", "United States of America", "the United States", "America"])
def test_country_aliases(catalog, alias):
    assert best(catalog, alias).id == "gpe:US"


@pytest.mark.parametrize("alias, name", [
    ("Russian Federation", "Russia"), ("Россия", "Russia"), ("Türkiye", "Turkey"), ("Turkiye", "Turkey"),
    ("Burma", "Myanmar"), ("Ivory Coast", "Ivory Coast"), ("Côte d'Ivoire", "Ivory Coast"),
    ("Palestine", "Palestine"), ("Kosovo", "Kosovo"), ("Taiwan", "Taiwan"),
])
def test_countries_by_any_common_name(catalog, alias, name):
    entity = best(catalog, alias)
    assert (entity.kind, entity.name) == ("country", name)
    assert entity.lat is not None, "a country is placed at its capital"


@pytest.mark.parametrize("alias", ["Nagorno-Karabakh", "Nagorny Karabakh", "Nagorno Karabakh", "Karabakh", "Artsakh", "Нагорный Карабах"])
def test_disputed_region_variants(catalog, alias):
    entity = best(catalog, alias)
    assert (entity.id, entity.type, entity.country_code) == ("gpe:nagorno-karabakh", "GPE", "AZ")


@pytest.mark.parametrize("alias, entity_id", [
    ("Crimea", "gpe:crimea"), ("Donbass", "gpe:donbas"), ("Gaza", "gpe:gaza-strip"), ("the West Bank", "gpe:west-bank"),
    ("Western Sahara", "gpe:EH"), ("Transdniestria", "gpe:transnistria"),
])
def test_curated_places(catalog, alias, entity_id):
    assert best(catalog, alias).id == entity_id


def test_cities_regions_and_their_ranking(catalog):
    yerevan = best(catalog, "Yerevan")
    assert (yerevan.kind, yerevan.country_code) == ("city", "AM") and round(yerevan.lat) == 40
    assert best(catalog, "Kiev").name == "Kyiv", "GeoNames alternate names are indexed"
    assert best(catalog, "Islamabad").country_code == "PK", "an own name beats another city's old name"
    assert best(catalog, "New Delhi").name == "New Delhi"
    assert best(catalog, "Georgia").kind == "country", "a country beats the US state"
    assert best(catalog, "Texas").id == "gpe:iso:US-TX" and best(catalog, "Texas").lat is not None
    assert best(catalog, "Armenia").kind == "country", "not the Colombian city of Armenia"
    assert not catalog.lookup("North"), "compass words are no place names"
    assert best(catalog, "New York").name == "New York City", "the big city, not the state named like it"
    assert best(catalog, "Washington").country_code == "US" and best(catalog, "Washington").population > 500000


@pytest.mark.parametrize("demonym, country", [("Armenian", "AM"), ("Armenians", "AM"), ("Azerbaijani", "AZ"), ("Azeri", "AZ"),
                                              ("French", "FR"), ("Norwegian", "NO"), ("Filipino", "PH")])
def test_demonyms_link_to_their_country(catalog, demonym, country):
    entity = best(catalog, demonym)
    assert (entity.type, entity.country_code) == ("NORP", country)
    assert entity.country == catalog.by_id[f"gpe:{country}"].name


@pytest.mark.parametrize("alias, name", [
    ("Putin", "Vladimir Putin"), ("Poutine", "Vladimir Putin"), ("Путин", "Vladimir Putin"), ("Erdogan", "Recep Tayyip Erdoğan"),
    ("Zelensky", "Volodymyr Zelenskyy"), ("OSCE", "Organization for Security and Co-operation in Europe"),
    ("Organization for Security and Cooperation in Europe", "Organization for Security and Co-operation in Europe"),
    ("the OSCE Minsk Group", "OSCE Minsk Group"), ("UN Security Council", "United Nations Security Council"),
    ("AFP", "Agence France-Presse"), ("Nato", "NATO"),
])
def test_people_and_organisation_aliases(catalog, alias, name):
    assert best(catalog, alias).name == name


def test_tables_are_general_and_large():
    origin, data = read_config(ALIASES_FILE)
    entries = load_people_and_orgs(origin, data)
    assert len([e for e in entries if e.type == "PERSON"]) >= 60
    assert len([e for e in entries if e.type == "ORG"]) >= 60


def error(loader, *args) -> str:
    with pytest.raises(ConfigError) as raised:
        loader(*args)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_validation_names_file_entry_and_key():
    origin = "config/entity_aliases.yaml"
    message = error(load_people_and_orgs, origin, {"people": [{"name": "Vladimir Putin", "aliases": "Putin"}]})
    assert message.startswith(origin) and "people[0] (Vladimir Putin)" in message and "'aliases'" in message
    message = error(load_people_and_orgs, origin, {"orgs": [{"name": "NATO"}, {"aliases": ["EU"]}]})
    assert "orgs[1]" in message and "'name'" in message
    message = error(load_people_and_orgs, origin, {"orgs": [{"name": "NATO", "type": "COMPANY"}]})
    assert "'type'" in message and "PERSON, ORG" in message
    message = error(load_people_and_orgs, origin, {"people": [{"name": "A B", "alias": ["B"]}]})
    assert "'alias'" in message and "is not known" in message
    message = error(load_people_and_orgs, origin, {"people": [{"name": "A B"}, {"name": "A  B", "id": "person:a-b"}]})
    assert "repeats people[0]" in message
    message = error(load_people_and_orgs, origin, {"people": {"name": "A B"}})
    assert "'people' must be a list" in message


def test_place_and_demonym_validation():
    codes = {"AZ", "AM"}
    message = error(load_places, "config/places.yaml", {"places": [{"name": "Crimea", "type": "GPE", "lat": 95, "lon": 34}]}, codes)
    assert "places[0] (Crimea)" in message and "'lat'" in message
    message = error(load_places, "config/places.yaml", {"places": [{"name": "Crimea", "type": "GPE", "lat": 45}]}, codes)
    assert "'lon' is missing" in message
    message = error(load_places, "config/places.yaml", {"places": [{"name": "Crimea", "type": "GPE", "country_code": "Ukraine"}]}, codes)
    assert "'country_code'" in message
    message = error(load_places, "config/places.yaml", {"country_names": {"XX": ["Nowhere"]}}, codes)
    assert "'XX'" in message and "country_names" in message
    message = error(load_demonyms, "config/demonyms.yaml", {"countries": {False: ["Norwegian"]}}, codes)
    assert "countries.False" in message, "YAML's NO becomes False: the error must show it"
    message = error(load_demonyms, "config/demonyms.yaml", {"countries": {"AM": []}}, codes)
    assert "countries.AM" in message


def test_packaged_tables_are_valid():
    for filename in (ALIASES_FILE, PLACES_FILE, DEMONYMS_FILE):
        origin, data = read_config(filename)
        assert origin == f"config/{filename}" and data


def test_settings_check_the_city_population(tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("entities:\n  min_city_population: 20000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"run.yaml: key 'entities.min_city_population' is 20000; set it to one of"):
        load_settings(config)
    config.write_text("entities:\n  min_city_population: 5000\n", encoding="utf-8")
    assert load_settings(config).get("entities.min_city_population") == 5000


def test_loaded_catalog_is_the_built_one(catalog):
    loaded = load_catalog(15000, 1000000)
    assert loaded is not catalog
    assert (loaded.by_key, loaded.weak_by_key) == (catalog.by_key, catalog.weak_by_key)
    assert (loaded.by_id, loaded.match_forms) == (catalog.by_id, catalog.match_forms)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_loading_leaves_the_building_garbage_in_the_child():
    held = {how: int(subprocess.run([sys.executable, "-c", CATALOG_HELD, how], capture_output=True, text=True,
                                    timeout=120, check=True).stdout)
            for how in ("build_catalog", "load_catalog")}
    assert held["load_catalog"] < held["build_catalog"] - 30, held
