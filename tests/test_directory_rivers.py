"""河湖名录, 起止 as offices write them, 界河 banks and the 汇总 counts, on a hand-built area
whose answers are known: two counties either side of a river that is their border.

::

    y = 1000 +---------+---------+-------------------+
             | 一村     | 二村  北溪 | 三村               |   港北区 (north): 甲镇 一村 二村,
             |         |    |    |                   |                  乙镇 三村
    y = 3    ==========界江 (flows east) ====================>
    y = 0    +---------------------------------------+
             |  四村            [湖]                  |   港南区 (south): 丙镇 四村
    y = -1000+---------------------------------------+
             x=0       1000     2000               4000

Looking downstream (east) the north bank is on the left hand: 港北区 and its villages hold
the 左岸, 港南区 and 四村 the 右岸.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Geod, Transformer
from test_directory import make_chiefs
from toy import CRS, X0, Y0, box, geodesic, line, make_waters

import hzgeo
from hzgeo.directory import bank_side, directory_tables, roster_changes, write_directory
from hzgeo.io import Boundaries

NORTH, SOUTH = "450802", "450803"
V1, V2, V3, V4 = "450802001001", "450802001002", "450802002001", "450803001001"
RIVER = line((0, 3), (4000, 3))          # 界江, 3 m north of the county border
TRIBUTARY = line((1500, 900), (1500, 3))  # 北溪, flows south into 界江
LAKE = box(1000, 1500, -800, -400)        # in 四村


def _south(*xs):
    """The unit below the border, with a vertex where each northern unit meets it."""
    top = [(X0 + x, Y0) for x in (0, *xs, 4000)]
    return shapely.Polygon([*top, (X0 + 4000, Y0 - 1000), (X0, Y0 - 1000)])


def _units(codes, names, parents, geoms):
    return gpd.GeoDataFrame({"code": codes, "name": names, "parent_code": parents,
                             "synthetic": True}, geometry=geoms, crs=CRS)


def make_area():
    """(boundaries, waters, segmentation, chiefs, directory tables) of the area drawn above
    (also the notice boards' toy area in test_boards.py)."""
    boundaries = Boundaries({
        "county": _units([NORTH, SOUTH], ["港北区", "港南区"], ["450800"] * 2,
                         [box(0, 4000, 0, 1000), box(0, 4000, -1000, 0)]),
        "township": _units(["450802001", "450802002", "450803001"], ["甲镇", "乙镇", "丙镇"],
                           [NORTH, NORTH, SOUTH],
                           [box(0, 2000, 0, 1000), box(2000, 4000, 0, 1000),
                            _south(2000)]),
        "village": _units([V1, V2, V3, V4], ["一村", "二村", "三村", "四村"],
                          ["450802001", "450802001", "450802002", "450803001"],
                          [box(0, 1000, 0, 1000), box(1000, 2000, 0, 1000),
                           box(2000, 4000, 0, 1000), _south(1000, 2000)])})
    lakes = gpd.GeoDataFrame({"code": ["L1"], "name": ["南湖"], "kind": ["lake"],
                              "scale": ["small"], "synthetic": [True]},
                             geometry=[LAKE], crs=CRS)
    waters = make_waters(RIVER, TRIBUTARY, codes=["R1", "R2"], names=["界江", "北溪"],
                         flows_into=["", "R1"], lakes=lakes)
    seg = hzgeo.segment_waters(boundaries, waters)
    chiefs = make_chiefs(seg)
    tables = directory_tables(chiefs, boundaries=boundaries, waters=waters)
    return boundaries, waters, seg, chiefs, tables


@pytest.fixture(scope="module")
def area():
    return make_area()


def _geodesic_area(polygon) -> float:
    xy = shapely.get_coordinates(polygon.exterior)
    lon, lat = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True).transform(xy[:, 0],
                                                                                xy[:, 1])
    return abs(Geod(ellps="GRS80").polygon_area_perimeter(lon, lat)[0])


# --------------------------------------------------------------------------- banks


def test_bank_side_by_hand():
    east = shapely.LineString([(0, 0), (1000, 0)])
    north, south = shapely.box(0, 0, 1000, 500), shapely.box(0, -500, 1000, 0)
    assert bank_side([east, east], [north, south]).tolist() == ["左岸", "右岸"]
    west = east.reverse()  # flowing west, north is on the right hand
    assert bank_side([west, west], [north, south]).tolist() == ["右岸", "左岸"]
    up = shapely.LineString([(0, 0), (0, 1000)])  # flowing north, east on the right
    assert bank_side([up], [shapely.box(0, 0, 800, 1000)]).tolist() == ["右岸"]
    # digitised 15 m into the northern unit: still its left bank
    off = shapely.LineString([(0, 15), (1000, 15)])
    assert bank_side([off, off], [north, south]).tolist() == ["左岸", "右岸"]
    # a reach inside one unit, the other 170 m away: the side the other lies on decides
    inside = shapely.LineString([(0, 170), (100, 170)])
    assert bank_side([inside], [north], [south]).tolist() == ["左岸"]
    # a polygon on neither side
    assert bank_side([east], [shapely.box(5000, 5000, 6000, 6000)]).tolist() == [""]


def test_each_county_and_village_holds_its_bank(area):
    tables = area[4]
    county = tables["县级河段"].set_index("行政区划代码")
    river = county[county["河流名称"] == "界江"]
    assert (river["界河"] == "是").all()
    assert river.loc[NORTH, "界河岸别"] == "左岸" and river.loc[SOUTH, "界河岸别"] == "右岸"
    village = tables["村级河段"]
    shared = village[(village["河流名称"] == "界江") & (village["界河"] == "是")]
    banks = shared.groupby("行政区划代码")["界河岸别"].agg(set).to_dict()
    assert banks == {V1: {"左岸"}, V2: {"左岸"}, V3: {"左岸"}, V4: {"右岸"}}
    # not a 界河: no bank
    assert (village.loc[village["河流名称"] == "北溪", "界河岸别"] == "").all()


def test_banks_of_the_bundled_yujiang():
    """港北区 lies north of the 郁江 (it flows east through Guigang), 港南区 south."""
    boundaries, waters = hzgeo.datasets.guigang()
    seg = hzgeo.segment_waters(boundaries, waters)
    from hzgeo.directory.rivers import reach_banks

    county = seg.reaches["county"]
    banks = pd.Series(reach_banks(county, boundaries["county"]), index=county.index)
    yu = county[(county["river_code"] == "R03") & county["boundary"]]
    pair = yu[yu["shared_with"].isin(["450802", "450803"])
              & yu["admin_code"].isin(["450802", "450803"])]
    got = dict(zip(pair["admin_code"], banks[pair.index], strict=True))
    assert got == {"450802": "左岸", "450803": "右岸"}


# --------------------------------------------------------------------------- 起止


def test_start_and_end_as_offices_write_them(area):
    _, _, seg, _, tables = area
    county = tables["县级河段"].set_index("行政区划代码")
    north = county[county["河流名称"] == "界江"].loc[NORTH]
    assert north["起止"] == ("起于甲镇一村（市界入境），止于乙镇三村（市界出境）")
    south = county[county["河流名称"] == "界江"].loc[SOUTH]
    assert south["起止"] == "起于丙镇四村（市界入境），止于丙镇四村（市界出境）"
    township = tables["乡级河段"]
    jia = township[(township["河流名称"] == "界江") & (township["行政区"] == "甲镇")].iloc[0]
    assert jia["起止"].startswith("起于一村（市界入境），止于二村（")
    # 终点 is the end's own words, never the start's
    village = tables["村级河段"]
    one = village[(village["河流名称"] == "界江") & (village["行政区划代码"] == V1)].iloc[0]
    assert one["起点"] == "市界（入境）"
    assert one["终点"] != one["起点"] and "二村" in one["终点"]
    assert one["起止"] == f"起于市界（入境），止于{one['终点']}"
    raw = seg.reaches["village"]
    assert village["终点"].tolist() == raw["end_desc"].tolist()
    assert village["起点"].tolist() == raw["start_desc"].tolist()
    # the tributary: from its source to where it meets 界江
    bei = county[county["河流名称"] == "北溪"].iloc[0]
    assert bei["起止"] == "起于甲镇二村（源头），止于甲镇二村（汇入界江处）"


# --------------------------------------------------------------------------- 河湖名录


def test_river_list(area):
    tables = area[4]
    listed = tables["河湖名录"].set_index("河湖库编码")
    assert listed.index.tolist() == ["R1", "R2", "L1"]
    assert listed["类型"].tolist() == ["河流", "河流", "湖泊"]
    assert listed.loc["R2", "汇入"] == "界江" and listed.loc["R1", "汇入"] == ""
    # lengths in the area, geodesic, a 界河 once (independent: pyproj on the vertices)
    assert listed.loc["R1", "长度（公里）"] == pytest.approx(geodesic(RIVER) / 1000, rel=1e-6)
    assert listed.loc["R2", "长度（公里）"] == pytest.approx(geodesic(TRIBUTARY) / 1000,
                                                         rel=1e-6)
    assert listed.loc["L1", "面积（平方公里）"] == pytest.approx(_geodesic_area(LAKE) / 1e6,
                                                           rel=1e-4)
    assert listed.loc["R1", "所在县（市、区）"] == "港北区、港南区"
    assert listed.loc["R2", "所在县（市、区）"] == "港北区"
    assert listed.loc["L1", "所在县（市、区）"] == "港南区"
    # highest level: the city chief of R1; the county chief elsewhere
    assert (listed.loc["R1", "最高河长层级"], listed.loc["R1", "最高层级河长（职务）"]) == (
        "市级", "测试丁（副市长）")
    assert (listed.loc["R2", "最高河长层级"], listed.loc["R2", "最高层级河长（职务）"]) == (
        "县级", "测试802c（区长）")
    assert listed.loc["L1", "最高层级河长（职务）"] == "测试803c（区长）"


def test_summary_counts_rivers_lakes_and_both_banks(area):
    tables = area[4]
    summary = tables["汇总"]
    first = summary.drop_duplicates("行政区划代码").set_index("行政区划代码")
    assert first.loc["450800", ["河流（条）", "湖泊水库（座）"]].tolist() == [2, 1]
    assert first.loc[NORTH, ["河流（条）", "湖泊水库（座）"]].tolist() == [2, 0]
    assert first.loc[SOUTH, ["河流（条）", "湖泊水库（座）"]].tolist() == [1, 1]
    county = summary[summary["层级"] == "县级"].set_index("行政区划代码")
    river, tributary = geodesic(RIVER) / 1000, geodesic(TRIBUTARY) / 1000
    # each county's rows count the 界河 for its own bank; the city counts it once
    assert county.loc[NORTH, "河段长度（公里）"] == pytest.approx(river + tributary, rel=1e-6)
    assert county.loc[SOUTH, "河段长度（公里）"] == pytest.approx(river, rel=1e-6)
    assert county.loc["450800", "河段长度（公里）"] == pytest.approx(river + tributary,
                                                             rel=1e-6)
    assert county.loc[NORTH, "界河河段数"] == 1 and county.loc[SOUTH, "界河河段数"] == 1


# --------------------------------------------------------------------------- changes


def test_a_post_change_alone_is_listed(area, tmp_path):
    chiefs, tables = area[3], area[4]
    old = tmp_path / "old.xlsx"
    write_directory(chiefs, old, boundaries=area[0], waters=area[1])
    village = chiefs.reaches["village"].copy()
    village.loc[village["admin_code"] == V2, "chief_post"] = "村委会主任"  # same person
    changed = dict(tables)
    changed["村级河段"] = directory_tables(
        type(chiefs)(**{**vars(chiefs), "reaches": {**chiefs.reaches, "village": village}}),
        boundaries=area[0])["村级河段"]
    changes = roster_changes(changed, old)
    want = sorted(village.loc[village["admin_code"] == V2, "reach_code"])
    assert sorted(changes["item_code"]) == want
    assert set(changes["change"]) == {"职务变更"}
    assert set(changes["old_post"]) == {"村党组织书记"} and set(changes["new_post"]) == {
        "村委会主任"}
    assert (changes["old_chief"] == changes["new_chief"]).all()


def test_river_list_without_city_chiefs(area):
    """Chiefs without a city table (None): no main rivers, the county chiefs on top (both
    counties of the 界江, each with its chief)."""
    from dataclasses import replace

    from hzgeo.directory import river_list

    _, waters, _, chiefs, _ = area
    listed = river_list(replace(chiefs, city_chiefs=None), waters).set_index(
        "joint_water_code")
    assert listed.index.tolist() == ["R1", "R2", "L1"]
    assert (listed["main_river"] == "").all()
    assert listed.loc["R1", ["top_level", "top_chief"]].tolist() == [
        "县级", "港北区：测试802c（区长）；港南区：测试803c（区长）"]
    assert listed.loc["R2", "top_chief"] == "测试802c（区长）"


def test_spans_of_village_reaches_alone(area):
    """reach_spans of a mapping with the village level only: 起于<起点>，止于<终点>, and
    no county or township rows."""
    from hzgeo.directory.rivers import reach_spans

    village = area[2].reaches["village"]
    spans = reach_spans({"village": village})
    want = [f"起于{s}，止于{e}" for s, e in zip(village["start_desc"], village["end_desc"],
                                            strict=True)]
    assert spans["village"].tolist() == want
    assert len(spans["county"]) == 0 and len(spans["township"]) == 0


def test_river_list_synthetic_from_the_waters_else_from_the_reaches(area):
    """示意数据: the waters' own flag where they are given (the toy rivers are real lines,
    synthetic False, in synthetic villages); without them, whether any reach is."""
    from hzgeo.directory import river_list

    _, waters, seg, chiefs, _ = area
    assert seg.reaches["county"]["synthetic"].all()  # (else this proves nothing)
    given = river_list(chiefs, waters).set_index("joint_water_code")["synthetic"]
    alone = river_list(chiefs).set_index("joint_water_code")["synthetic"]
    assert given.to_dict() == {"R1": False, "R2": False, "L1": True}
    assert alone.to_dict() == {"R1": True, "R2": True, "L1": True}


def test_lakes_listed_by_code_with_the_river_they_flow_into(area):
    """Two lakes: L2 in 一村 (港北区), L1 in 四村 (港南区) flowing into 界江 (R1). The list
    has them by code, L1 first, and names the river (界江), not its code."""
    from hzgeo.directory import river_list

    boundaries = area[0]
    lakes = gpd.GeoDataFrame(
        {"code": ["L2", "L1"], "name": ["北湖", "南湖"], "kind": ["lake", "reservoir"],
         "scale": ["small", "small"], "flows_into": ["", "R1"], "synthetic": [True, True]},
        geometry=[box(200, 600, 400, 800), LAKE], crs=CRS)
    waters = make_waters(RIVER, TRIBUTARY, codes=["R1", "R2"], names=["界江", "北溪"],
                         flows_into=["", "R1"], lakes=lakes)
    seg = hzgeo.segment_waters(boundaries, waters)
    assert seg.zones["county"]["water_code"].tolist() == ["L2", "L1"]  # (else no test)
    listed = river_list(make_chiefs(seg), waters)
    assert listed["joint_water_code"].tolist() == ["R1", "R2", "L1", "L2"]
    lake = listed.set_index("joint_water_code")
    assert lake.loc["L1", ["joint_water_name", "kind", "flows_into", "counties"]].tolist() == [
        "南湖", "水库", "界江", "港南区"]
    assert lake.loc["L2", ["joint_water_name", "kind", "flows_into", "counties"]].tolist() == [
        "北湖", "湖泊", "", "港北区"]
