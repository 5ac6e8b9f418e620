"""The units around the data (``Boundaries.neighbours``): read, carried, never worked on."""

from __future__ import annotations

import dataclasses
import warnings

import geopandas as gpd
import pytest
import shapely
from toy import CRS, X0, Y0, make_boundaries, make_waters

import hzgeo
from hzgeo.errors import HzgeoWarning
from hzgeo.inputs import load
from hzgeo.select import limit_to_county

CITIES = ["南宁市", "梧州市", "钦州市", "玉林市", "来宾市"]


def _write(path, boundaries, neighbours=None, layer="neighbours"):
    for level, frame in boundaries.levels.items():
        frame.to_file(path, layer=level, driver="GPKG", engine="pyogrio")
    if neighbours is not None:
        neighbours.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def _outside():
    """Two units east of the toy county, in lon/lat (not the villages' CRS), no code."""
    frame = gpd.GeoDataFrame(
        {"名称": ["东邻县", "北邻县"]},
        geometry=[shapely.box(X0 + 4000, Y0, X0 + 6000, Y0 + 1000),
                  shapely.box(X0, Y0 + 1000, X0 + 4000, Y0 + 2000)], crs=CRS)
    return frame.to_crs("EPSG:4490")


def test_the_bundled_boundaries_carry_the_cities_around():
    boundaries = hzgeo.read_boundaries()
    around = boundaries.neighbours
    assert around["name"].tolist() == CITIES
    assert around.crs == boundaries.crs
    assert list(around.columns) == hzgeo.model.NEIGHBOUR_COLUMNS
    assert (around["level"] == "city").all() and not around["synthetic"].any()
    # drawn only: none of them is a unit of any level
    codes = {c for frame in boundaries.levels.values() for c in frame["code"]}
    assert not codes & set(around["code"])
    # kept through reprojection
    assert boundaries.to_crs("EPSG:4546").neighbours.crs.to_epsg() == 4546


def test_a_file_without_the_layer_reads_as_before(tmp_path):
    path = _write(tmp_path / "b.gpkg", make_boundaries())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no note for a layer nobody gave
        boundaries = hzgeo.read_boundaries(path)
    assert boundaries.neighbours is None
    assert [len(boundaries[lvl]) for lvl in ("county", "township", "village")] == [1, 2, 4]


def test_a_users_neighbours_layer_is_read(tmp_path):
    path = _write(tmp_path / "b.gpkg", make_boundaries(), _outside())
    boundaries = hzgeo.read_boundaries(path)
    around = boundaries.neighbours
    assert around["name"].tolist() == ["东邻县", "北邻县"]  # the 名称 column found
    assert around["code"].tolist() == ["东邻县", "北邻县"]  # no code: named by name
    assert around.crs == boundaries.crs == CRS  # moved to the data's CRS
    assert around.geometry.iloc[0].equals_exact(
        shapely.box(X0 + 4000, Y0, X0 + 6000, Y0 + 1000), tolerance=0.01)
    assert (around["source"] == "b.gpkg").all() and (around["level"] == "").all()
    # a layer of another name, through `layers`; a file per level, through the mapping
    _write(tmp_path / "c.gpkg", make_boundaries(), _outside(), layer="邻区")
    named = hzgeo.read_boundaries(tmp_path / "c.gpkg", layers={"neighbours": "邻区"})
    assert named.neighbours["name"].tolist() == ["东邻县", "北邻县"]
    _outside().to_file(tmp_path / "around.geojson")
    levels = ("county", "township", "village")
    split = hzgeo.read_boundaries({**dict.fromkeys(levels, path),
                                   "neighbours": tmp_path / "around.geojson"},
                                  layers={lvl: lvl for lvl in levels})
    assert split.neighbours["name"].tolist() == ["东邻县", "北邻县"]


def test_an_unusable_neighbours_layer_is_left_out_with_a_note(tmp_path):
    points = gpd.GeoDataFrame({"name": ["甲"]}, geometry=[shapely.Point(X0, Y0)], crs=CRS)
    path = _write(tmp_path / "b.gpkg", make_boundaries(), points)
    with pytest.warns(HzgeoWarning, match=r"neighbours layer is left out.*Polygon"):
        boundaries = hzgeo.read_boundaries(path)
    assert boundaries.neighbours is None and len(boundaries["village"]) == 4


def test_never_segmented_nor_audited(tmp_path):
    boundaries = make_boundaries()
    waters = make_waters(shapely.LineString([(X0 + 500, Y0 + 500), (X0 + 5500, Y0 + 500)]))
    path = _write(tmp_path / "b.gpkg", boundaries, _outside())
    with_around = hzgeo.read_boundaries(path)
    plain = hzgeo.segment_waters(boundaries, waters)
    result = hzgeo.segment_waters(with_around, waters)
    for level in ("county", "township", "village"):
        assert result.reaches[level]["admin_code"].tolist() == \
            plain.reaches[level]["admin_code"].tolist()
        assert "东邻县" not in set(result.reaches[level]["admin_name"])


def test_limited_to_a_county_the_other_counties_are_neighbours():
    boundaries = hzgeo.read_boundaries()
    one = limit_to_county(boundaries, "平南县")
    around = one.neighbours
    assert around.loc[around["level"] == "county", "name"].tolist() == [
        "港北区", "港南区", "覃塘区", "桂平市"]
    assert around.loc[around["level"] == "city", "name"].tolist() == CITIES
    assert around.crs == one.crs
    inputs = load(county="平南县", holders="none")
    assert inputs.boundaries.neighbours["name"].tolist() == around["name"].tolist()


def test_repair_and_replace_keep_them(tmp_path):
    path = _write(tmp_path / "b.gpkg", make_boundaries(), _outside())
    inputs = load(boundaries=str(path), fix=True, holders="none", partial=True)
    assert inputs.boundaries.neighbours["name"].tolist() == ["东邻县", "北邻县"]
    from hzgeo.repair import repair_boundaries

    fixed, _ = repair_boundaries(hzgeo.read_boundaries(path))
    assert fixed.neighbours["name"].tolist() == ["东邻县", "北邻县"]
    assert dataclasses.replace(fixed, outline="x").neighbours is fixed.neighbours


def test_the_command_line_grammar_takes_a_neighbours_file():
    from hzgeo.inputs import input_paths, split_sources

    source, _, _ = split_sources(["village=cun.shp", "neighbours=around.shp"])
    assert source == {"village": "cun.shp", "neighbours": "around.shp"}
    assert [p.name for p in input_paths(["village=cun.shp", "neighbours=around.shp"])] == [
        "cun.shp", "around.shp"]  # an output never replaces it either
    with pytest.raises(hzgeo.errors.InputError, match="neighbours=PATH"):
        split_sources(["village=cun.shp", "neighbour=around.shp"])
