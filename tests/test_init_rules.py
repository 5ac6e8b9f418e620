"""A city's own rules file, started from its data: commented, complete, read back, used."""

from __future__ import annotations

import tomllib
import warnings

import pandas as pd
import pytest
from test_columns import OFFICIAL_COLUMNS, write_officials, write_region, write_waters

import hzgeo
from hzgeo.chiefs.rules import _SCHEMA
from hzgeo.chiefs.template import write_rules
from hzgeo.cli import main


@pytest.fixture
def region(tmp_path):
    return write_region(tmp_path)


def test_the_file_names_the_city_and_has_every_section_commented(region):
    text = hzgeo.init_rules(region, columns={"code": "XZQDM", "name": "XZQMC"})
    data = tomllib.loads(text)
    assert set(data) == set(_SCHEMA)  # every section of the schema
    for section in _SCHEMA:
        if section not in ("city", "roles"):
            at = text.index(f"\n[{section}]")
            assert text[:at].rstrip().splitlines()[-1].startswith("# ----"), section
    assert data["city"] == "玉林市"
    assert (data["offices"]["city_seat"], data["offices"]["issuing_office"]) == (
        "玉林市水利局", "玉林市河长制办公室")
    assert "{city}" not in text and "贵港" not in text
    # the header lists the units with the titles the office-holder table must hold
    assert "#   玉州区 (450902): 区 — 区委书记 / 区长" in text
    assert "1 社区 (社区党组织书记 / 社区居民委员会主任)、3 村 (村党组织书记 / 村民委员会主任)" \
        in text
    assert "玉州区河长制办公室" in text.split("\ncity =")[0]


def test_the_file_reads_back_and_drives_a_run(region, tmp_path):
    text = hzgeo.init_rules(region, supervision_phone="0775-2000000",
                            columns={"code": "XZQDM", "name": "XZQMC"})
    # the city's edit: its office's name
    text = text.replace('name = "{name}河长制办公室"', 'name = "{name}河长办"')
    path = tmp_path / "rules.toml"
    write_rules(text, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a rules file given: no note on generic rules
        rules = hzgeo.read_rules(path)
    assert rules["offices"]["supervision_phone"] == "0775-2000000"
    out = tmp_path / "run"
    status = main(["run", "--boundaries", str(region), "--waters",
                   str(write_waters(tmp_path)), "--officials", str(write_officials(tmp_path)),
                   *OFFICIAL_COLUMNS, "--rules", str(path), "--no-maps", "--out", str(out),
                   "--quiet"])
    assert status == 0
    offices = pd.read_csv(out / "directory.河长制办公室.csv", dtype=str)
    assert offices["河长制办公室"].tolist()[:2] == ["玉林市河长办", "玉州区河长办"]
    assert (offices["监督电话"] == "0775-2000000").all()


def test_units_no_type_fits_are_listed(tmp_path):
    import geopandas as gpd
    from toy import CRS, box

    path = tmp_path / "odd.gpkg"
    gpd.GeoDataFrame({"code": ["450902"], "name": ["玉州新城"]}, geometry=[box(0, 1000)],
                     crs=CRS).to_file(path, layer="county")
    gpd.GeoDataFrame({"code": ["450902001001"], "name": ["一村"]}, geometry=[box(0, 1000)],
                     crs=CRS).to_file(path, layer="village")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hzgeo.HzgeoWarning)  # township derived, unnamed
        text = hzgeo.init_rules(path)
    assert "No unit type below fits these names" in text and "玉州新城 (450902, 县级)" in text
    assert 'city = ""' in text  # no city named in the data: left for the city to fill


def test_the_command_writes_the_file(region, tmp_path):
    out = tmp_path / "rules.toml"
    assert main(["init-rules", "--boundaries", str(region), "--columns", "code=XZQDM",
                 "--columns", "name=XZQMC", "--out", str(out), "--quiet"]) == 0
    assert hzgeo.read_rules(out)["offices"]["city_seat"] == "玉林市水利局"
    assert main(["init-rules", "--boundaries", str(region), "--out",
                 str(tmp_path / "r.txt")]) == 2
