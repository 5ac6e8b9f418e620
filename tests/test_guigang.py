"""Segmentation of the bundled Guigang data: the invariants a river chief office relies on."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

import hzgeo


@pytest.fixture(scope="module")
def guigang():
    boundaries, waters = hzgeo.datasets.guigang()
    return boundaries, waters, hzgeo.segment_waters(boundaries, waters)


def test_every_main_river_adds_up_at_every_level(guigang):
    _, waters, seg = guigang
    lengths = seg.river_lengths.set_index("river_code")["length_m"]
    main = waters.rivers.loc[waters.rivers["main"], "river_code"]
    assert len(main) == 8  # 7 plan rivers, 西江干流 in two sections
    for level, frame in seg.reaches.items():
        once = frame[frame["primary"]].groupby("river_code")["length_m"].sum()
        for code in main:
            assert once[code] == pytest.approx(lengths[code], rel=1e-9), (level, code)
    # shared rows never change the total: each pair has the same chainage
    village = seg.reaches["village"]
    shared = village[village["boundary"]]
    assert len(shared) > 0
    pairs = shared.groupby(["river_code", "from_km", "to_km"]).size()
    assert (pairs == 2).all()
    assert seg.river_lengths["unassigned_m"].sum() == 0.0


def test_lengths_match_an_independent_geodesic_measure(guigang):
    boundaries, waters, seg = guigang
    city = boundaries["city"].geometry.values[0]
    rivers = waters.rivers.set_index("river_code")
    geod = hzgeo.geodesy.GEOD
    for code in ("R02", "R03", "R05"):  # each lies wholly inside the city
        inside = shapely.intersection(rivers.geometry[code], city)
        want = geod.geometry_length(inside)
        got = seg.river_lengths.set_index("river_code").loc[code, "length_m"]
        assert got == pytest.approx(want, rel=1e-6), code


def test_village_reaches_nest_in_their_township_reach(guigang):
    _, _, seg = guigang
    for child, parent in (("village", "township"), ("township", "county")):
        c, p = seg.reaches[child], seg.reaches[parent].set_index("reach_code")
        assert (c["parent_reach_code"] != "").all()
        up = p.loc[c["parent_reach_code"]]
        assert (up["river_code"].to_numpy() == c["river_code"].to_numpy()).all()
        assert (c["admin_code"].str[:len(up["admin_code"].iloc[0])].to_numpy()
                == up["admin_code"].to_numpy()).all()
        assert (c["from_km"].to_numpy() >= up["from_km"].to_numpy() - 1e-9).all()
        assert (c["to_km"].to_numpy() <= up["to_km"].to_numpy() + 1e-9).all()
        # geometry: every vertex of the child lies on its parent, to 1 micrometre
        child_xy = c.to_crs("EPSG:4546").geometry.values
        parent_xy = up.to_crs("EPSG:4546").geometry.values
        points, which = shapely.get_coordinates(child_xy, return_index=True)
        off = shapely.distance(shapely.points(points), parent_xy[which])
        assert off.max() < 1e-6
        # and the children fill their parent
        sums = c[c["primary"] | ~c["boundary"]].groupby("parent_reach_code")["length_m"].sum()
        lone = p.loc[sums.index]
        np.testing.assert_allclose(sums.to_numpy(), lone["length_m"].to_numpy(), rtol=1e-9)


def test_yujiang_county_borders_are_boundary_reaches(guigang):
    """郁江 is carried along the 港南/覃塘 and 港北/港南 borders in the sample (SOURCES.md):
    one 界河 reach per shared border, as long as the border itself."""
    boundaries, _, seg = guigang
    county = seg.reaches["county"]
    yu = county[county["river_code"] == "R03"].sort_values(["from_km", "primary"],
                                                          ascending=[True, False])
    main = yu[yu["primary"]]
    assert main["admin_code"].tolist() == ["450804", "450803", "450802", "450802", "450881"]
    assert main["boundary"].tolist() == [False, True, True, False, False]
    assert yu.loc[yu["boundary"] & ~yu["primary"], "admin_code"].tolist() == ["450804",
                                                                              "450803"]
    assert main["shared_with"].tolist() == ["", "450804", "450803", "", ""]
    # the shared stretches are the borders: geodesic length of each shared border, from
    # the county polygons (pyproj.Geod); the split at the tripoint is within the river's
    # tolerance (accuracy_m 200 m), the sum exact
    counties = boundaries["county"].set_index("code").geometry
    geod = pyproj.Geod(ellps="GRS80")
    want = [geod.geometry_length(shapely.line_merge(shapely.intersection(
        counties[a].boundary, counties[b].boundary))) for a, b in (("450803", "450804"),
                                                                    ("450802", "450803"))]
    got = main.loc[main["boundary"], "length_m"].tolist()
    assert want[0] > 48_000 and want[1] > 38_000
    assert got == pytest.approx(want, abs=100)
    assert sum(got) == pytest.approx(sum(want), abs=1.0)
    # at village level every shared row along them pairs a village of each bank: the
    # tolerance band is not wide enough to pair two villages of one bank
    village = seg.reaches["village"]
    shared = village[(village["river_code"] == "R03") & village["boundary"]]
    banks = {tuple(sorted(p)) for p in zip(shared["admin_code"].str[:6],
                                            shared["shared_with"].str[:6], strict=True)}
    assert banks == {("450803", "450804"), ("450802", "450803")}
    assert shared.groupby(["from_km", "to_km"]).size().eq(2).all()


def test_a_river_passing_a_tripoint_changes_partner_without_a_gap():
    # 甲村 | 乙村 along y = 0 for x < 0, then 甲村 | 丙村: the river runs on the border
    villages = gpd.GeoDataFrame(
        {"code": ["450802001001", "450803001001", "450804001001"],
         "name": ["甲村", "乙村", "丙村"],
         "parent_code": ["450802001", "450803001", "450804001"]},
        geometry=[shapely.Polygon([(390_000, 2_560_000), (400_000, 2_560_000),
                                   (410_000, 2_560_000), (410_000, 2_570_000),
                                   (390_000, 2_570_000)]),  # noded at the tripoint
                  shapely.box(390_000, 2_550_000, 400_000, 2_560_000),
                  shapely.box(400_000, 2_550_000, 410_000, 2_560_000)], crs="EPSG:4546")
    rivers = gpd.GeoDataFrame(
        {"river_code": ["R1"], "name": ["界河"], "accuracy_m": [200.0]},
        geometry=[shapely.LineString([(390_000, 2_560_000), (410_000, 2_560_000)])],
        crs="EPSG:4546")
    seg = hzgeo.segment_waters(hzgeo.Boundaries({"village": villages}),
                               hzgeo.Waters(rivers, rivers.iloc[:0]))
    county = seg.reaches["county"]
    shared = county[county["primary"]].sort_values("from_km")
    assert shared["boundary"].all()
    assert shared["shared_with"].tolist() == ["450803", "450804"]
    # they meet at the tripoint, within the tolerance's sampling (tolerance / 2)
    assert shared["to_km"].iloc[0] == shared["from_km"].iloc[1]
    assert shared["to_km"].iloc[0] == pytest.approx(10.0, abs=0.1)
    assert len(county) == 4  # no reach of 甲村 alone between them


def test_a_mouth_on_a_boundary_river_makes_no_sliver():
    villages = gpd.GeoDataFrame(
        {"code": ["450802001001", "450803001001"], "name": ["甲村", "乙村"],
         "parent_code": ["450802001", "450803001"]},
        geometry=[shapely.box(390_000, 2_560_000, 410_000, 2_570_000),
                  shapely.box(390_000, 2_550_000, 410_000, 2_560_000)], crs="EPSG:4546")
    rivers = gpd.GeoDataFrame(
        {"river_code": ["R1", "R2"], "name": ["界河", "支流"], "flows_into": ["", "R1"],
         "accuracy_m": [200.0, np.nan]},
        geometry=[shapely.LineString([(390_000, 2_560_000), (410_000, 2_560_000)]),
                  # its mouth 0.1 micrometre across the border, as after a lon/lat round trip
                  shapely.LineString([(400_000.3, 2_565_000.7), (400_000, 2_560_000 - 1e-7)])],
        crs="EPSG:4546")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a SliverWarning would fail here
        seg = hzgeo.segment_waters(hzgeo.Boundaries({"village": villages}),
                                   hzgeo.Waters(rivers, rivers.iloc[:0]))
    assert seg.slivers.empty
    village = seg.reaches["village"]
    assert village.loc[village["river_code"] == "R2", "admin_code"].tolist() == [
        "450802001001"]


def test_reach_codes_are_stable_per_river(guigang):
    boundaries, waters, seg = guigang
    fewer = hzgeo.Waters(waters.rivers[waters.rivers["river_code"] != "R05"], waters.lakes)
    again = hzgeo.segment_waters(boundaries, fewer)
    a = seg.reaches["village"].query("river_code == 'R03'")["reach_code"].tolist()
    b = again.reaches["village"].query("river_code == 'R03'")["reach_code"].tolist()
    assert a == b
    assert seg.reaches["village"]["reach_code"].is_unique


def test_zones_add_up_to_each_lake(guigang):
    boundaries, waters, seg = guigang
    lakes = waters.lakes.set_index("code")
    city = boundaries["city"].geometry.values[0]
    inside = shapely.intersection(lakes.geometry.values, city)  # zones cover the city part
    area = dict(zip(lakes.index, hzgeo.geodesy.geodesic_area(inside), strict=True))
    for level, zones in seg.zones.items():
        total = zones.groupby("water_code")["area_m2"].sum()
        for code, value in total.items():
            assert value == pytest.approx(area[code], rel=1e-6), (level, code)
    county = seg.zones["county"]
    assert county.groupby("water_code").size()["L01"] == 2  # 达开水库 straddles 港南/桂平
    assert seg.zones["township"].groupby("water_code").size()["L03"] == 1  # 东湖: one township
