"""One hierarchy of units, by ``parent_code``, in the engine and in every output.

The region of test_chiefs, with two village codes swapped between the counties: village
``450803001009`` lies in 甲镇 (港北区 450802) and village ``450802001009`` in 乙镇
(港南区 450803), as their ``parent_code`` says; their first six and nine digits say the
opposite. Anything that finds a unit's county or township by code prefix puts them in
the wrong one::

    y = 1000 +--------------+--------------+--------------+--------------+
             | 450802001001 | 450803001009 | 450802001009 | 450803001002 |
    y = 0    +--------------+--------------+--------------+--------------+
               甲镇 450802001 (港北区 450802)  乙镇 450803001 (港南区 450803)
"""

from __future__ import annotations

import dataclasses
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from toy import CRS, box, line

import hzgeo
from hzgeo.directory import directory_tables
from hzgeo.field import confluences, notice_boards
from hzgeo.hierarchy import Hierarchy
from hzgeo.maps import write_map
from hzgeo.maps._content import select_area
from hzgeo.select import limit_to_county

A, B = "450802", "450803"
TA, TB = "450802001", "450803001"
V = ["450802001001", "450803001009", "450802001009", "450803001002"]  # in TA, TA, TB, TB
IN_A, IN_B = V[:2], V[2:]
NAMES = {V[0]: "一村", V[1]: "二村", V[2]: "三村", V[3]: "四村"}


def region() -> hzgeo.Boundaries:
    def frame(codes, names, parents, geoms):
        return gpd.GeoDataFrame({"code": codes, "name": names, "parent_code": parents,
                                 "synthetic": True}, geometry=geoms, crs=CRS)

    return hzgeo.Boundaries({
        "city": frame(["450800"], ["贵港市"], [""], [box(0, 4000)]),
        "county": frame([A, B], ["港北区", "港南区"], ["450800"] * 2,
                        [box(0, 2000), box(2000, 4000)]),
        "township": frame([TA, TB], ["甲镇", "乙镇"], [A, B], [box(0, 2000), box(2000, 4000)]),
        "village": frame(V, [NAMES[c] + "村委会" for c in V], [TA, TA, TB, TB],
                         [box(0, 1000), box(1000, 2000), box(2000, 3000), box(3000, 4000)]),
    })


def waters() -> hzgeo.Waters:
    """干河 (main) across the four villages; 支河 flows into it, its mouth in 450803001009."""
    rivers = gpd.GeoDataFrame(
        {"river_code": ["R1", "R2"], "name": ["干河", "支河"], "main": [True, False],
         "main_river": ["干河", ""], "flows_into": ["", "R1"], "accuracy_m": np.nan,
         "synthetic": True},
        geometry=[line((50, 500), (3950, 500)), line((1500, 950), (1500, 500))], crs=CRS)
    lakes = gpd.GeoDataFrame({"code": [], "name": []}, geometry=gpd.GeoSeries([], crs=CRS),
                             crs=CRS)
    return hzgeo.Waters(rivers, lakes)


def officials() -> pd.DataFrame:
    rows = [("450800", "市委书记", "城书记"), ("450800", "市长", "城市长"),
            ("450800", "副市长", "副甲"), ("450800", "副市长", "副乙"),
            (A, "区委书记", "北书记"), (A, "区长", "北区长"),
            (B, "区委书记", "南书记"), (B, "区长", "南区长"),
            (TA, "镇党委书记", "甲书记"), (TA, "镇长", "甲镇长"),
            (TB, "镇党委书记", "乙书记"), (TB, "镇长", "乙镇长")]
    rows += [(code, "村党组织书记", NAMES[code] + "书记") for code in V]
    frame = pd.DataFrame(rows, columns=["admin_code", "post", "name"])
    frame["phone"] = [f"0775-0000{i:04d}" for i in range(len(frame))]
    frame["waters"] = ""
    return frame


@pytest.fixture(scope="module")
def run():
    boundaries, w = region(), waters()
    result = hzgeo.segment_waters(boundaries, w)
    chiefs = hzgeo.assign_chiefs(result, boundaries, w, officials())
    return boundaries, w, result, chiefs


def test_the_model_follows_parent_code_not_the_prefix():
    units = Hierarchy.from_boundaries(region())
    assert [units.county_of(c) for c in V] == [A, A, B, B]
    assert [units.township_of(c) for c in V] == [TA, TA, TB, TB]
    assert units.ancestors(V[1]) == [TA, A, "450800"]
    assert units.children(TA) == IN_A and units.children("450800") == [A, B]
    assert units.descendants(A) == sorted([TA, *IN_A])
    assert units.within(V, A).tolist() == [True, True, False, False]
    assert units.name_of(units.county_of(V[2])) == "港南区"
    assert units.county_of("999999999999") == "" and units.ancestors("nope") == []
    assert units.county_of(A) == A and units.township_of(A) == ""
    assert Hierarchy.from_frame(units.frame()).parents == units.parents


def test_segmentation_and_chiefs_nest_by_parent_code(run):
    _, _, result, chiefs = run
    village = result.reaches["village"]
    township = result.reaches["township"].set_index("reach_code")["admin_code"]
    county = result.reaches["county"].set_index("reach_code")["admin_code"]
    up = dict(zip(village["admin_code"], village["parent_reach_code"].map(township),
                  strict=True))
    assert up == {V[0]: TA, V[1]: TA, V[2]: TB, V[3]: TB}
    t = result.reaches["township"]
    assert dict(zip(t["admin_code"], t["parent_reach_code"].map(county), strict=True)) == {
        TA: A, TB: B}
    # the chiefs carry the same model; the results' own links agree with it
    assert chiefs.units.county_of(V[1]) == A
    from_result = Hierarchy.from_result(chiefs)
    assert [from_result.county_of(c) for c in V] == [A, A, B, B]


def test_the_directory_names_the_county_and_township_of_parent_code(run):
    chiefs = run[3]
    for given in (chiefs, dataclasses.replace(chiefs, units=Hierarchy())):  # hand-made too
        tables = directory_tables(given)
        village = tables["村级河段"]
        where = {code: set(zip(rows["县（市、区）"], rows["乡镇（街道）"], strict=True))
                 for code, rows in village.groupby("行政区划代码")}
        assert where == {V[0]: {("港北区", "甲镇")}, V[1]: {("港北区", "甲镇")},
                         V[2]: {("港南区", "乙镇")}, V[3]: {("港南区", "乙镇")}}, where
        summary = tables["汇总"]
        rows = summary[(summary["层级"] == "村级")].set_index("行政区划代码")
        assert rows.loc[A, "河段数"] == 2 + 1 and rows.loc[B, "河段数"] == 2, rows


def test_maps_of_a_county_show_its_units_by_parent_code(run, tmp_path):
    boundaries, _, result, chiefs = run
    area = select_area(result, boundaries, chiefs=chiefs, county=A)
    assert sorted(area.units["village"]["code"]) == IN_A
    assert sorted(area.units["township"]["code"]) == [TA]
    assert set(area.reaches["village"]["admin_code"]) == set(IN_A)
    other = select_area(result, boundaries, chiefs=chiefs, county="港南区")
    assert set(other.reaches["village"]["admin_code"]) == set(IN_B)
    # and the map file written for the county draws those units and their reaches only
    page = write_map(result, boundaries, tmp_path / "map_a.html", chiefs=chiefs, county=A)
    data = json.loads(re.search(r"hzgeoDraw\(map_\w+, (\{.*\})\);",
                                page.read_text(encoding="utf-8")).group(1))
    drawn = {u["level"]: sorted(f["properties"]["c"] for f in u["features"]["features"])
             for u in data["units"]}
    assert drawn == {"county": [A], "township": [TA], "village": IN_A}
    village_reaches = next(lv for lv in data["levels"] if lv["key"] == "village")["reaches"]
    assert {f["properties"]["r"].split("-")[1] for f in village_reaches["features"]} == set(IN_A)
    assert {e[1] for e in data["search"] if e[1].startswith("村")} == {"村·甲镇"}
    one = limit_to_county(boundaries, A)
    assert sorted(one["village"]["code"]) == IN_A and list(one["township"]["code"]) == [TA]


def test_field_sites_lie_in_the_county_and_township_of_parent_code(run):
    boundaries, w, result, chiefs = run
    (mouth,) = confluences(result, w, boundaries).itertuples()
    assert (mouth.county_code, mouth.township_code) == (A, TA)
    assert (mouth.county_name, mouth.township_name) == ("港北区", "甲镇")
    boards = notice_boards(chiefs, boundaries, w)
    by_village = boards.set_index("village_code")
    for code in V:
        assert by_village.loc[[code], "county_code"].tolist()[0] == (A if code in IN_A else B)
        assert by_village.loc[[code], "township_code"].tolist()[0] == (
            TA if code in IN_A else TB)
