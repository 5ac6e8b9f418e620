"""The bundled Guigang data: real where it says so, synthetic and labelled elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from shapely.testing import assert_geometries_equal

import hzgeo
from hzgeo.datasets import get_path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"
LAYERS = ("city", "county", "township", "village")
PROVENANCE = ("synthetic", "geometry_source", "source", "licence")


@pytest.fixture(scope="module")
def layers():
    path = get_path("boundaries")
    return {name: gpd.read_file(path, layer=name) for name in (*LAYERS, "seats")}


def test_counts_names_and_codes_are_the_real_ones(layers):
    assert [len(layers[name]) for name in LAYERS] == [1, 5, 74, 1195]
    towns = pd.read_csv(SOURCES / "guigang_townships_names_codes_2023.csv", dtype=str)
    villages = pd.read_csv(SOURCES / "guigang_villages_names_codes_2023.csv", dtype=str)
    got = layers["township"].set_index("code")["name"].sort_index()
    assert got.to_dict() == towns.set_index("code")["name"].sort_index().to_dict()
    got = layers["village"].set_index("code")["name"].sort_index()
    assert got.to_dict() == villages.set_index("code")["name"].sort_index().to_dict()
    assert layers["county"]["code"].tolist() == ["450802", "450803", "450804", "450821",
                                                 "450881"]
    for name in LAYERS:
        assert layers[name].crs.to_epsg() == 4490
        for column in ("code", "name", "parent_code", *PROVENANCE):
            assert column in layers[name].columns, (name, column)


def test_county_polygons_are_the_real_ones(layers):
    source = gpd.read_file(SOURCES / "guigang_counties_cnmaps_wgs84.geojson")
    source = source.sort_values("adcode").reset_index(drop=True)
    county = layers["county"]
    assert not county["synthetic"].any()
    assert "no open licence" in county["licence"][0]
    assert_geometries_equal(county.geometry.values, source.geometry.values,
                                            tolerance=1e-9)


def test_synthetic_layers_say_so(layers):
    for name in ("township", "village"):
        assert layers[name]["synthetic"].all()
        assert layers[name]["geometry_source"].str.startswith("synthetic").all()
    seats = layers["seats"]
    assert (~seats["synthetic"]).sum() == 6
    assert len(seats) == 74 + 1195


@pytest.mark.parametrize(("child", "parent"), [("county", "city"), ("township", "county"),
                                               ("village", "township")])
def test_each_level_tiles_its_parent(layers, child, parent):
    c = layers[child].to_crs("EPSG:4546")
    p = layers[parent].to_crs("EPSG:4546").set_index("code")
    assert shapely.coverage_is_valid(c.geometry.values)
    for code, group in c.groupby("parent_code"):
        union = shapely.union_all(group.geometry.values)
        assert union.symmetric_difference(p.geometry[code]).area < 1.0, code  # m²
    assert set(c["parent_code"]) == set(p.index)


def test_seats_lie_in_their_units(layers):
    seats = layers["seats"]
    for level in ("township", "village"):
        s = seats[seats["level"] == level].merge(layers[level][["code", "geometry"]], on="code")
        assert shapely.within(s["geometry_x"].values, s["geometry_y"].values).all()


def test_rivers_real_and_synthetic_oriented_and_connected():
    waters = hzgeo.read_waters()
    rivers = waters.rivers.set_index("river_code")
    plan = {"西江干流", "郁江干流", "鲤鱼江", "武思江", "白沙河", "马来河", "大同江"}
    assert set(rivers.loc[rivers["main"], "main_river"]) == plan
    real = rivers[~rivers["synthetic"]]
    assert sorted(real["name"]) == ["浔江", "郁江", "黔江"]
    assert (real["accuracy_m"] == 1000).all()
    assert rivers["synthetic"].sum() == 17
    assert rivers.loc[rivers["synthetic"], "geometry_source"].str.startswith("synthetic").all()
    assert "snapped" in rivers.loc["R02", "geometry_source"]
    work = rivers.to_crs("EPSG:4546")
    for code, row in work.iterrows():
        if not row["flows_into"]:
            continue
        end = shapely.get_point(shapely.get_parts(row.geometry)[-1], -1)
        start = shapely.get_point(shapely.get_parts(row.geometry)[0], 0)
        target = work.geometry[row["flows_into"]]
        assert end.distance(target) < 1e-6, f"{code} ends on {row['flows_into']}"
        assert start.distance(target) > 500, f"{code} runs downstream"
    # 黔江 and 郁江 meet 浔江 at one point: the confluence
    def end(code, which):
        parts = shapely.get_parts(work.geometry[code])
        return shapely.get_point(parts[which], which)

    assert end("R01", -1).equals(end("R02", 0))
    assert end("R03", -1).equals(end("R02", 0))
    # synthetic lines: a vertex every 50-200 m
    xy = shapely.get_coordinates(work.geometry["R04"])
    step = np.hypot(*np.diff(xy, axis=0).T)
    assert 40 < np.median(step) < 200 and step.max() < 400


def test_lakes():
    lakes = hzgeo.read_waters().lakes.set_index("code")
    assert lakes["synthetic"].all()
    medium = lakes[(lakes["scale"] == "medium") & (lakes["commander_county"] != "")]
    assert len(medium) >= 1
    counties = hzgeo.read_boundaries()["county"]
    crossing = gpd.sjoin(lakes.loc[medium.index].reset_index(), counties, predicate="intersects")
    assert crossing["code_right"].nunique() == 2


def test_data_script_reproduces_the_files(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_guigang_data.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for rel, names in (("boundaries/guigang_boundaries.gpkg", (*LAYERS, "seats")),
                       ("rivers/guigang_waters.gpkg", ("rivers", "lakes"))):
        for name in names:
            fresh = gpd.read_file(tmp_path / rel, layer=name)
            bundled = gpd.read_file(ROOT / "data" / rel, layer=name)
            assert_geodataframe_equal(fresh, bundled, check_less_precise=False)
