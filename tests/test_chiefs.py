"""Chiefs by rule: office holders, rules, assignment, joint meetings.

Hand-made region (EPSG:4546, 1 km squares), two counties of one township each::

    y = 1000 +--------+--------+--------+--------+
             | 一村   | 二社区 | 三村   | 四村   |
    y = 0    +--------+--------+--------+--------+
             x=0      1000     2000     3000     4000
               甲镇 (港北区 450802)  乙镇 (港南区 450803)
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from toy import CRS, box, geodesic, line

import hzgeo
from hzgeo import HzgeoWarning, InputError
from hzgeo.io import Boundaries, Waters

ROOT = Path(__file__).resolve().parents[1]
A, B = "450802", "450803"
TA, TB = "450802001", "450803001"
V = ["450802001001", "450802001002", "450803001001", "450803001002"]


def region() -> Boundaries:
    def frame(codes, names, parents, geoms):
        return gpd.GeoDataFrame({"code": codes, "name": names, "parent_code": parents,
                                 "synthetic": True}, geometry=geoms, crs=CRS)

    return Boundaries({
        "city": frame(["450800"], ["贵港市"], [""], [box(0, 4000)]),
        "county": frame([A, B], ["港北区", "港南区"], ["450800"] * 2,
                        [box(0, 2000), box(2000, 4000)]),
        "township": frame([TA, TB], ["甲镇", "乙镇"], [A, B], [box(0, 2000), box(2000, 4000)]),
        "village": frame(V, ["一村村委会", "二社区居委会", "三村村委会", "四村村委会"],
                         [TA, TA, TB, TB],
                         [box(0, 1000), box(1000, 2000), box(2000, 3000), box(3000, 4000)]),
    })


def waters(*rivers, lakes=()) -> Waters:
    """``rivers``: (code, name, main, geometry); ``lakes``: (code, name, kind, commander, geom)."""
    r = gpd.GeoDataFrame({"river_code": [x[0] for x in rivers], "name": [x[1] for x in rivers],
                          "main": [x[2] for x in rivers],
                          "main_river": [x[1] if x[2] else "" for x in rivers],
                          "flows_into": "", "accuracy_m": np.nan, "synthetic": True},
                         geometry=[x[3] for x in rivers], crs=CRS)
    lk = gpd.GeoDataFrame({"code": [x[0] for x in lakes], "name": [x[1] for x in lakes],
                           "kind": [x[2] for x in lakes], "scale": "medium",
                           "commander_county": [x[3] for x in lakes], "synthetic": True},
                          geometry=gpd.GeoSeries([x[4] for x in lakes], crs=CRS), crs=CRS)
    return Waters(r, lk)


def officials(drop=(), **changes) -> pd.DataFrame:
    """Every post the Guigang rules use in the region; ``drop`` removes rows by name."""
    rows = [("450800", "市委书记", "城书记"), ("450800", "市长", "城市长"),
            ("450800", "副市长", "副甲"), ("450800", "副市长", "副乙"),
            (A, "区委书记", "北书记"), (A, "区长", "北区长"),
            (B, "区委书记", "南书记"), (B, "区长", "南区长"),
            (TA, "镇党委书记", "甲书记"), (TA, "镇长", "甲镇长"),
            (TB, "镇党委书记", "乙书记"), (TB, "镇长", "乙镇长"),
            (V[0], "村党组织书记", "一书记"), (V[1], "社区党组织书记", "二书记"),
            (V[2], "村党组织书记", "三书记"), (V[3], "村党组织书记", "四书记")]
    frame = pd.DataFrame(rows, columns=["admin_code", "post", "name"])
    frame["phone"] = [f"0775-0000{i:04d}" for i in range(len(frame))]
    frame["waters"] = ""
    for name, value in changes.items():
        frame.loc[frame["name"] == name, "waters"] = value
    return frame[~frame["name"].isin(drop)].reset_index(drop=True)


def assign(w, off=None, rules=None, boundaries=None):
    boundaries = boundaries or region()
    result = hzgeo.segment_waters(boundaries, w)
    return hzgeo.assign_chiefs(result, boundaries, w, officials() if off is None else off,
                               rules)


def meeting(chiefs, code) -> dict:
    rows = chiefs.joint_meetings[chiefs.joint_meetings["water_code"] == code]
    assert len(rows) == 1, chiefs.joint_meetings
    return rows.iloc[0].to_dict()


# --- assignment on the toy region ---------------------------------------------------------

def test_every_level_gets_the_post_of_its_unit_and_role():
    chiefs = assign(waters(("R1", "主江", True, line((500, 500), (3500, 500))),
                           ("R2", "小河", False, line((500, 800), (3500, 800)))))
    got = {(lvl, r.river_code, r.admin_code): (r.chief_name, r.chief_post)
           for lvl, f in chiefs.reaches.items() for r in f.itertuples()}
    # main river: party heads at county and township, village party secretaries
    assert got["county", "R1", A] == ("北书记", "区委书记")
    assert got["township", "R1", TB] == ("乙书记", "镇党委书记")
    assert got["village", "R1", V[1]] == ("二书记", "社区党组织书记")
    # other waters: heads of government at county and township (同级领导), village secretary
    assert got["county", "R2", B] == ("南区长", "区长")
    assert got["township", "R2", TA] == ("甲镇长", "镇长")
    assert got["village", "R2", V[3]] == ("四书记", "村党组织书记")
    assert all(f["chief_required"].all() and not f["vacant"].any()
               for f in chiefs.reaches.values())
    total = chiefs.total_chiefs.set_index(["admin_code", "role"])
    assert total.loc[(TB, "副总河长"), "chief_name"] == "乙镇长"
    assert total.loc[("450800", "总河长"), "post"] == "市委书记"
    assert len(total) == 2 * 5 and not total["vacant"].any()
    assert chiefs.vacancies.empty
    assert chiefs.city_chiefs.set_index("river_code").loc["R1", "chief_name"] == "副甲"


def test_waters_column_decides_which_deputy_chairs_a_main_river():
    w = waters(("R1", "主江", True, line((500, 500), (3500, 500))),
               ("R2", "支江", True, line((500, 800), (3500, 800))))
    default = assign(w).city_chiefs.set_index("river_code")["chief_name"]
    assert default.to_dict() == {"R1": "副甲", "R2": "副甲"}  # the first deputy in table order
    named = assign(w, officials(副乙="R2")).city_chiefs.set_index("river_code")["chief_name"]
    assert named.to_dict() == {"R1": "副甲", "R2": "副乙"}
    by_name = assign(w, officials(副乙="主江；R2")).city_chiefs  # a main-river name works too
    assert set(by_name["chief_name"]) == {"副乙"}


def test_a_boundary_river_gets_the_chiefs_of_both_banks():
    # along the 港北/港南 border (x = 2000) for 800 m, then 500 m into 港南区
    chiefs = assign(waters(("R9", "界溪", False, line((2000, 100), (2000, 900), (2500, 900)))))
    county = chiefs.reaches["county"]
    shared = county[county["boundary"]].set_index("admin_code")
    assert set(shared.index) == {A, B}
    assert shared.loc[A, "chief_name"] == "北区长" and shared.loc[B, "chief_name"] == "南区长"
    assert shared.loc[A, "other_bank_chief"] == "南区长"
    assert shared.loc[B, "other_bank_chief"] == "北区长"
    assert county.loc[~county["boundary"], "other_bank_chief"].isna().all()
    village = chiefs.reaches["village"]
    pair = village[village["boundary"]].set_index("admin_code")
    assert pair.loc[V[1], "chief_name"] == "二书记" and pair.loc[V[2], "chief_name"] == "三书记"
    # the joint meeting counts the shared stretch in full for both banks
    m = meeting(chiefs, "R9")
    along, inland = geodesic(line((2000, 100), (2000, 900))), geodesic(line((2000, 900),
                                                                             (2500, 900)))
    assert m["members"] == (f"港北区 {along / 1000:.2f} 公里；"
                            f"港南区 {(along + inland) / 1000:.2f} 公里")
    assert (m["convenor_code"], m["rule"], m["convenor_chief"]) == (B, "longest_reach", "南区长")


def test_longest_reach_convenes():
    # 1,800 m in 港北区, 1,500 m in 港南区
    chiefs = assign(waters(("R2", "小河", False, line((200, 500), (3500, 500)))))
    m = meeting(chiefs, "R2")
    a, b = geodesic(line((200, 500), (2000, 500))), geodesic(line((2000, 500), (3500, 500)))
    assert m["members"] == f"港北区 {a / 1000:.2f} 公里；港南区 {b / 1000:.2f} 公里"
    assert (m["convenor_code"], m["convenor_name"], m["rule"]) == (A, "港北区", "longest_reach")
    assert m["convenor_chief"] == "北区长" and m["member_codes"] == f"{A},{B}"
    # downstream the other way, 港南区 longer: it convenes
    m = meeting(assign(waters(("R2", "小河", False, line((3800, 500), (1500, 500))))), "R2")
    assert (m["convenor_code"], m["rule"]) == (B, "longest_reach")


def test_main_rivers_and_single_county_waters_get_no_joint_meeting():
    chiefs = assign(waters(("R1", "主江", True, line((200, 500), (3500, 500))),
                           ("R2", "小河", False, line((200, 700), (1800, 700)))))
    assert chiefs.joint_meetings.empty


@pytest.mark.parametrize(("start", "end", "convenor"), [
    ((1000, 500), (3000, 500), A),   # flows 港北 -> 港南: 港北区 is upstream
    ((3000, 500), (1000, 500), B),   # flows 港南 -> 港北: 港南区 upstream, despite its code
])
def test_a_tie_goes_upstream_and_is_reported(start, end, convenor):
    m = meeting(assign(waters(("R3", "平分河", False, line(start, end)))), "R3")
    assert (m["convenor_code"], m["rule"]) == (convenor, "tie")
    assert "港北区、港南区" in m["note"] and "上游" in m["note"]


def test_a_tie_goes_to_the_county_whose_first_reach_is_upstream():
    """港南区 holds the first and the last reach (500 m each), 港北区 the middle (1,000 m):
    a tie. By their first reaches 港南区 is upstream (km 0 against km 0.5) and convenes,
    although its code is higher; by their last reaches (km 1.5) it would not."""
    river = line((2500, 500), (1600, 500), (1600, 700), (2500, 700))
    m = meeting(assign(waters(("R5", "回头河", False, river))), "R5")
    assert (m["convenor_code"], m["rule"], m["convenor_chief"]) == (B, "tie", "南区长")
    assert (m["water_name"], m["kind"], m["member_codes"]) == ("回头河", "river", f"{A},{B}")
    assert "由上游县召集（其首个河段起于 0.00 公里处）" in m["note"]  # the first reach, km 0
    first_b = geodesic(line((2500, 500), (2000, 500))) + geodesic(line((2000, 700),
                                                                       (2500, 700)))
    middle_a = geodesic(line((2000, 500), (1600, 500), (1600, 700), (2000, 700)))
    assert abs(first_b - middle_a) < 1.0  # within the rules' 1 m tie tolerance
    assert m["members"] == f"港北区 {middle_a / 1000:.2f} 公里；港南区 {first_b / 1000:.2f} 公里"


def test_a_tie_with_equal_starts_goes_to_the_lower_code():
    # a river that is a 界河 its whole way: both banks start at km 0 and are equally long
    m = meeting(assign(waters(("R4", "界河", False, line((2000, 100), (2000, 900))))), "R4")
    assert (m["convenor_code"], m["rule"]) == (A, "tie")


def _reservoir(kind, commander):
    # 500 m x 400 m in 港北区, 1,000 m x 400 m in 港南区
    return waters(("R2", "小河", False, line((200, 950), (600, 950))),
                  lakes=[("L1", "某水库", kind, commander, box(1500, 3000, 300, 700))])


def test_reservoir_convenor_is_the_commanders_county():
    chiefs = assign(_reservoir("reservoir", A))
    m = meeting(chiefs, "L1")
    assert (m["convenor_code"], m["rule"], m["kind"]) == (A, "commander", "reservoir")
    assert m["convenor_chief"] == "北区长"  # the county chief of its zone
    zones = chiefs.zones["county"].set_index("admin_code")
    ratio = zones.loc[B, "area_m2"] / zones.loc[A, "area_m2"]
    assert ratio == pytest.approx(2.0, rel=1e-4)
    assert m["members"] == (f"港北区 {zones.loc[A, 'area_m2'] / 1e6:.2f} 平方公里；"
                            f"港南区 {zones.loc[B, 'area_m2'] / 1e6:.2f} 平方公里")


@pytest.mark.parametrize(("kind", "commander"), [("reservoir", ""), ("lake", A)])
def test_without_a_commander_the_largest_zone_convenes(kind, commander):
    m = meeting(assign(_reservoir(kind, commander)), "L1")
    assert (m["convenor_code"], m["rule"]) == (B, "largest_area")
    if kind == "reservoir":
        assert "数据未给出防汛抗旱指挥长所在县" in m["note"]


def test_a_unit_with_no_holder_is_a_vacancy_not_an_error():
    w = waters(("R1", "主江", True, line((500, 500), (3500, 500))),
               ("R2", "小河", False, line((500, 800), (3500, 800))))
    with pytest.warns(HzgeoWarning, match="3 post\\(s\\) vacant"):
        chiefs = assign(w, officials(drop=("乙镇长", "三书记", "南区长")))
    total = chiefs.total_chiefs.set_index(["admin_code", "role"])
    assert total.loc[(TB, "副总河长"), "vacant"] and total.loc[(TB, "总河长"), "chief_name"]
    assert total.loc[(TB, "副总河长"), "post"] == "镇长"  # the post that is vacant
    assert total["vacant"].sum() == 2
    village = chiefs.reaches["village"].set_index(["river_code", "admin_code"])
    assert village.loc[("R1", V[2]), "vacant"] and village.loc[("R1", V[2]), "chief_name"] is None
    assert village.loc[("R1", V[2]), "chief_post"] == "村党组织书记"
    assert village["vacant"].sum() == 2  # R1 and R2 in 三村
    county = chiefs.reaches["county"].set_index(["river_code", "admin_code"])
    assert county.loc[("R2", B), "vacant"] and not county.loc[("R1", B), "vacant"]  # 区委书记
    assert county["vacant"].sum() == 1 and not chiefs.city_chiefs["vacant"].any()
    vac = chiefs.vacancies
    assert list(zip(vac["level"], vac["admin_code"], vac["post"], strict=True)) == [
        ("county", B, "区长"), ("township", TB, "镇长"), ("village", V[2], "村党组织书记")]
    assert vac["admin_name"].tolist() == ["港南区", "乙镇", "三村村委会"]
    what = vac.set_index("admin_code")["what"]
    assert what[V[2]] == "主江三村段、小河三村段"  # reach names use short unit names
    assert what[B] == "小河港南区段、副总河长"


def test_a_post_declared_vacant_is_a_vacancy_even_where_no_row_holds_its_title():
    w = waters(("R1", "主江", True, line((500, 500), (3500, 500))))
    off = officials()
    off.loc[off["post"] == "镇长", "name"] = "空缺"  # both 镇长 posts known to be vacant
    with pytest.warns(HzgeoWarning, match="2 post\\(s\\) vacant"):
        chiefs = assign(w, off)
    assert chiefs.vacancies["post"].tolist() == ["镇长", "镇长"]
    assert "空缺" not in set(chiefs.total_chiefs["chief_name"].dropna())
    # a vacant deputy who chairs a main river leaves it vacant (not the first deputy's)
    off = officials(副乙="R1")
    off.loc[off["name"] == "副乙", "name"] = "空缺"
    with pytest.warns(HzgeoWarning, match="1 post\\(s\\) vacant"):
        city = assign(w, off).city_chiefs
    assert city["vacant"].all() and city["post"].tolist() == ["副市长"]


def test_villages_get_chiefs_for_other_waters_only_if_the_rules_say(tmp_path):
    w = waters(("R1", "主江", True, line((500, 500), (3500, 500))),
               ("R2", "小河", False, line((500, 800), (3500, 800))))
    path = tmp_path / "rules.toml"
    path.write_text('[other_waters]\nvillage = false\n', encoding="utf-8")
    chiefs = assign(w, rules=hzgeo.read_rules(path))
    village = chiefs.reaches["village"]
    other = village[village["river_code"] == "R2"]
    assert not other["chief_required"].any() and other["chief_name"].isna().all()
    assert not other["vacant"].any()
    assert village.loc[village["river_code"] == "R1", "chief_required"].all()
    # one township exempts its villages; the other keeps them
    path.write_text(f'[other_waters]\nvillage_exempt_townships = ["{TA}"]\n', encoding="utf-8")
    village = assign(w, rules=hzgeo.read_rules(path)).reaches["village"]
    other = village[village["river_code"] == "R2"].set_index("admin_code")["chief_required"]
    assert other.to_dict() == {V[0]: False, V[1]: False, V[2]: True, V[3]: True}
    # the exemption is for other waters: the main river keeps its village chiefs there
    main = village[village["river_code"] == "R1"].set_index("admin_code")
    assert main["chief_required"].to_dict() == dict.fromkeys(V, True)
    assert main["chief_name"].to_dict() == {V[0]: "一书记", V[1]: "二书记", V[2]: "三书记",
                                            V[3]: "四书记"}
    assert not main["vacant"].any()
    path.write_text('[other_waters]\nvillage_exempt_townships = ["450802009"]\n', "utf-8")
    with pytest.raises(InputError, match=r"no township: \['450802009'\]"):
        assign(w, rules=hzgeo.read_rules(path))
    path.write_text(f'[other_waters]\nvillage_exempt_townships = ["{TA}"]\n', encoding="utf-8")
    # ... but a village secretary the table names for the water chairs it there
    village = assign(w, officials(一书记="R2"), hzgeo.read_rules(path)).reaches["village"]
    row = village[(village["river_code"] == "R2")].set_index("admin_code").loc[V[0]]
    assert row["chief_name"] == "一书记" and row["chief_required"]


def test_the_city_chairs_only_main_rivers():
    w = waters(("R1", "主江", True, line((500, 500), (3500, 500))),
               ("R2", "小河", False, line((200, 800), (3500, 800))))
    with pytest.warns(HzgeoWarning, match="city chairs only the main rivers; not used: row 4 'R2'"):
        chiefs = assign(w, officials(副甲="R2"))
    assert chiefs.city_chiefs["river_code"].tolist() == ["R1"]
    assert meeting(chiefs, "R2")["convenor_code"] == A  # still a joint meeting


def test_two_holders_of_one_post_the_first_is_used():
    off = officials()
    off.loc[len(off)] = [A, "区长", "北区长二", "", ""]
    with pytest.warns(HzgeoWarning, match=r"区长 of 450802 \(rows 7, 18\)"):
        chiefs = assign(waters(("R2", "小河", False, line((200, 800), (1800, 800)))), off)
    assert set(chiefs.reaches["county"]["chief_name"]) == {"北区长"}


def test_boundaries_without_a_city_level_take_the_counties_parent():
    from toy import T, make_boundaries
    from toy import V as TOY_V

    boundaries = make_boundaries()  # county 港北区 (parent 450800), 甲镇, 乙镇, no city
    rows = [("450800", "市委书记"), ("450800", "市长"), ("450800", "副市长"),
            ("450802", "区委书记"), ("450802", "区长"), *[(t, p) for t in T for p in
                                                         ("镇党委书记", "镇长")],
            *[(v, "村党组织书记") for v in TOY_V]]
    off = pd.DataFrame([(c, p, f"某{i}") for i, (c, p) in enumerate(rows)],
                       columns=["admin_code", "post", "name"])
    lake = box(500, 1500, 300, 700)  # across 一村 and 二村, both in 甲镇
    w = waters(("R1", "主江", True, line((100, 500), (3900, 500))),
               lakes=[("L1", "某湖", "lake", "", lake)])
    off = off[off["admin_code"] != TOY_V[1]]  # 二村 has no party secretary
    with pytest.warns(HzgeoWarning, match="vacant"):
        chiefs = assign(w, off, boundaries=boundaries)
    assert chiefs.city_chiefs["chief_name"].tolist() == ["某2"]
    assert chiefs.total_chiefs["level"].tolist()[:2] == ["city", "city"]
    vac = chiefs.vacancies.set_index("admin_code")["what"]
    assert vac[TOY_V[1]] == "主江二村段、某湖（二村片）"


# --- the office holders table -------------------------------------------------------------

CHINESE = "行政区划代码,职务,姓名,电话,负责河湖\n"


def _csv(frame: pd.DataFrame) -> str:
    return CHINESE + "".join(f"{r.admin_code},{r.post},{r.name},{r.phone},{r.waters}\n"
                             for r in frame.itertuples())


def test_gbk_csv_with_chinese_headers_is_detected(tmp_path):
    path = tmp_path / "holders.csv"
    path.write_bytes(_csv(officials(副乙="R1、R2")).encode("gbk"))
    with pytest.warns(HzgeoWarning, match="GB18030"):
        got = hzgeo.read_officials(path)
    assert got.loc[0, ["admin_code", "post", "name"]].tolist() == ["450800", "市委书记", "城书记"]
    assert got.set_index("name").loc["副乙", "waters"] == ["R1", "R2"]
    assert got["phone"].iloc[3] == "0775-00000003" and got["row"].iloc[0] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        declared = hzgeo.read_officials(path, encoding="GBK")  # declared: no note
    pd.testing.assert_frame_equal(declared, got)
    with pytest.raises(InputError, match="utf-8"):
        hzgeo.read_officials(path, encoding="utf-8")


def test_xlsx_codes_are_text_whatever_the_cell(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["admin_code", "post", "name", "phone", "waters"])
    for r in officials().itertuples():
        code = int(r.admin_code) if len(r.admin_code) == 12 else float(r.admin_code)
        sheet.append([code, r.post, r.name, r.phone, "R1；主江" if r.name == "副乙" else None])
    path = tmp_path / "holders.xlsx"
    book.save(path)
    got = hzgeo.read_officials(path)
    assert got["admin_code"].tolist() == officials()["admin_code"].tolist()
    assert got.set_index("name").loc["副乙", "waters"] == ["R1", "主江"]
    assert got.set_index("name").loc["城市长", "waters"] == []
    chiefs = assign(waters(("R1", "主江", True, line((500, 500), (3500, 500)))), got)
    assert chiefs.vacancies.empty and chiefs.city_chiefs["chief_name"].tolist() == ["副乙"]


def test_columns_can_be_mapped(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(_csv(officials()).replace("行政区划代码", "单位编码"), encoding="utf-8")
    with pytest.raises(InputError, match=r"missing column.*admin_code"):
        hzgeo.read_officials(path)
    got = hzgeo.read_officials(path, columns={"admin_code": "单位编码"})
    assert got["admin_code"].iloc[-1] == V[3]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda f: f.assign(name=f["name"].where(f.index != 5, "")), r"no name in row\(s\) 7"),
    (lambda f: f.assign(admin_code=f["admin_code"].where(f.index != 2, "4.50803E+11")),
     r"not digits: row 4 '4.50803E\+11'"),
])
def test_bad_rows_are_refused_by_row_number(tmp_path, edit, message):
    path = tmp_path / "h.csv"
    path.write_text(_csv(edit(officials())), encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        hzgeo.read_officials(path)
    assert str(path) in str(err.value)


def test_a_row_whose_code_matches_no_unit_is_an_error_naming_it(tmp_path):
    frame = officials()
    frame.loc[len(frame)] = ["450899", "区长", "无名", "", ""]
    path = tmp_path / "h.csv"
    path.write_text(_csv(frame), encoding="utf-8")
    off = hzgeo.read_officials(path)
    with pytest.raises(InputError, match=r"row 18 \(450899 区长\)") as err:
        assign(waters(("R1", "主江", True, line((500, 500), (3500, 500)))), off)
    assert str(path) in str(err.value)


def test_a_waters_entry_naming_no_water_is_an_error():
    with pytest.raises(InputError, match="row 4 'R7'"):
        assign(waters(("R1", "主江", True, line((500, 500), (3500, 500)))), officials(副甲="R7"))


# --- rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("[main_rivers]\nconty = 'party_head'\n", r"unknown key 'main_rivers.conty'.*\n.*'county'"),
    ("[joint_meeting]\ncity_led = []\n", r"unknown key 'joint_meeting'.*\n.*'joint_meetings'"),
    ('[roles.township."镇"]\nsuffixes = ["镇"]\ngovernmant_head = "镇长"\n',
     r"unknown key 'roles.township.镇.governmant_head'"),
    ("[total_chiefs]\nchief = 'secretary'\n", r"total_chiefs.chief = 'secretary': not a role"),
    ("[offices]\nlevels = ['city', 'province']\n", r"unknown level\(s\) \['province'\]"),
    ("city = [", "not a valid TOML file"),
    ("offices = 3\n", r"'offices' should be a table"),
    ("[sections]\nrivers = 3\n", r"'sections.rivers' should be a table"),
])
def test_bad_rules_files_are_refused_by_key(tmp_path, text, message):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        hzgeo.read_rules(path)
    assert str(path) in str(err.value)


def test_a_misspelt_title_in_the_rules_is_refused(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[roles.township."镇"]\nsuffixes = ["镇"]\nparty_head = "镇党委书记"\n'
                    'government_head = "镇常"\n[roles.township."乡"]\nsuffixes = ["乡"]\n'
                    'party_head = "乡党委书记"\ngovernment_head = "乡长"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"'镇常'.*appears in no row(.|\n)*'镇长'"):
        assign(waters(("R1", "主江", True, line((500, 500), (3500, 500)))),
               rules=hzgeo.read_rules(path))


def test_a_misspelt_post_in_the_table_is_refused_when_no_row_has_the_title():
    off = officials()
    off.loc[off["post"] == "镇长", "post"] = "镇常"
    with pytest.raises(InputError, match=r"'镇长'.*appears in no row(.|\n)*a typo\? the table has "
                                         r"'镇常'"):
        assign(waters(("R1", "主江", True, line((500, 500), (3500, 500)))), off)


def test_a_post_that_fills_no_role_is_named_in_a_warning():
    off = officials()
    off.loc[off["name"] == "甲镇长", "post"] = "镇常"  # one row misspelt: 乙镇 still has a 镇长
    with pytest.warns(HzgeoWarning, match=r"'镇常' \(row 11\)"), \
            pytest.warns(HzgeoWarning, match="vacant"):
        chiefs = assign(waters(("R1", "主江", True, line((500, 500), (3500, 500)))), off)
    assert chiefs.vacancies[["admin_code", "post"]].to_numpy().tolist() == [[TA, "镇长"]]


def test_the_bundled_rules_read_and_a_partial_file_overrides_them(tmp_path):
    rules = hzgeo.read_rules()
    assert rules.unit_type("county", "平南县") == "县"
    assert rules.unit_type("township", "国安瑶族乡") == "乡"
    assert rules.unit_type("village", "樟木街居委会") == "社区"
    assert rules.unit_type("village", "花龙村村委会") == "村"
    assert rules.title("township", "街道", "government_head") == "街道办主任"
    path = tmp_path / "r.toml"
    path.write_text("[joint_meetings]\ntie_tolerance_m = 5\n", encoding="utf-8")
    over = hzgeo.read_rules(path)
    assert over["joint_meetings"]["tie_tolerance_m"] == 5
    assert over["joint_meetings"]["commander_kinds"] == ["reservoir"]
    # laid over the generic national rules: the same titles for Guigang's unit types, and
    # nothing of Guigang's (its fictional phone) in a city's own file
    assert all(over.title(lvl, kind, role) == title
               for lvl, kinds in rules["roles"].items() for kind, spec in kinds.items()
               for role, title in spec.items() if role != "suffixes")
    assert over["offices"]["supervision_phone"] == ""


# --- the bundled Guigang data ---------------------------------------------------------------

@pytest.fixture(scope="module")
def guigang():
    boundaries, w = hzgeo.datasets.guigang()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HzgeoWarning)  # slivers, loose river mouths
        result = hzgeo.segment_waters(boundaries, w)
    off = hzgeo.read_officials(hzgeo.datasets.guigang_officials())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the sample is complete: no vacancy warning
        chiefs = hzgeo.assign_chiefs(result, boundaries, w, off)
    return boundaries, w, result, off, chiefs


def test_bundled_every_reach_and_zone_has_its_chief(guigang):
    boundaries, _, result, off, chiefs = guigang
    holders = {(c, p): n for c, p, n in zip(off["admin_code"], off["post"], off["name"],
                                              strict=True)}
    for level in ("county", "township", "village"):
        for frames, source in ((chiefs.reaches, result.reaches), (chiefs.zones, result.zones)):
            frame = frames[level]
            assert len(frame) == len(source[level]) > 0
            assert frame["chief_required"].all()  # the Guigang rules give every level a chief
            assert frame["chief_name"].notna().all() and not frame["vacant"].any()
            # the chief holds that post in that very unit
            assert all(holders[(c, p)] == n for c, p, n in
                       zip(frame["admin_code"], frame["chief_post"], frame["chief_name"],
                           strict=True))
    village = chiefs.reaches["village"]
    names = boundaries["village"].set_index("code")["name"]
    community = names[village["admin_code"]].str.contains("社区|居委会|居民").to_numpy()
    assert set(village.loc[community, "chief_post"]) == {"社区党组织书记"}
    assert set(village.loc[~community, "chief_post"]) == {"村党组织书记"}
    county = chiefs.reaches["county"]
    posts = dict(zip(county["admin_name"], county["chief_post"], strict=True))
    main = county[county["main"]]
    assert dict(zip(main["admin_name"], main["chief_post"], strict=True)) == {
        "港北区": "区委书记", "港南区": "区委书记", "覃塘区": "区委书记",
        "平南县": "县委书记", "桂平市": "市委书记"}
    assert posts  # (non-main rivers go to the heads of government)
    assert set(county.loc[~county["main"], "chief_post"]) <= {"区长", "县长", "市长"}
    shared = county[county["boundary"]]
    assert len(shared) and shared["other_bank_chief"].notna().all()
    assert (shared["other_bank_chief"] != shared["chief_name"]).all()


def test_bundled_every_unit_has_its_total_chiefs(guigang):
    boundaries, _, _, _, chiefs = guigang
    total = chiefs.total_chiefs
    for level in ("city", "county", "township"):
        codes = set(boundaries[level]["code"])
        got = total[total["level"] == level]
        assert len(got) == 2 * len(codes)
        assert set(zip(got["admin_code"], got["role"], strict=True)) == {
            (c, r) for c in codes for r in ("总河长", "副总河长")}
    assert total["chief_name"].notna().all() and not total["vacant"].any()
    township = total[total["level"] == "township"].set_index(["admin_name", "role"])["post"]
    assert township[("国安瑶族乡", "副总河长")] == "乡长"
    assert township[("贵城街道", "副总河长")] == "街道办主任"
    county = total[total["level"] == "county"].set_index(["admin_name", "role"])["post"]
    assert [county[(n, "副总河长")] for n in ("港北区", "平南县", "桂平市")] == ["区长", "县长",
                                                                              "市长"]
    assert chiefs.vacancies.empty


def test_bundled_main_rivers_have_city_chiefs(guigang):
    _, _, _, off, chiefs = guigang
    city = chiefs.city_chiefs
    assert sorted(city["main_river"].unique()) == sorted(
        ["西江干流", "郁江干流", "鲤鱼江", "武思江", "白沙河", "马来河", "大同江"])
    assert city["chief_name"].notna().all() and set(city["post"]) == {"副市长"}
    deputies = off[off["post"] == "副市长"]
    chair = {w: n for n, ws in zip(deputies["name"], deputies["waters"], strict=True) for w in ws}
    assert dict(zip(city["river_code"], city["chief_name"], strict=True)) == chair
    xijiang = city[city["main_river"] == "西江干流"]
    assert set(xijiang["river_name"]) == {"黔江", "浔江"} and xijiang["chief_name"].nunique() == 1


def test_bundled_joint_meetings_follow_the_rules(guigang):
    _, w, result, _, chiefs = guigang
    county = result.reaches["county"]
    expected = {}
    main = set(w.rivers.loc[w.rivers["main"], "river_code"])
    for river in sorted(set(county["river_code"]) - main):
        rows = county[county["river_code"] == river]
        length = {c: rows.loc[rows["admin_code"] == c, "length_m"].sum()
                  for c in set(rows["admin_code"])}
        if len(length) > 1:
            ranked = sorted(length.values())
            assert ranked[-1] - ranked[-2] > 1.0  # no tie on the bundled data
            expected[river] = (max(length, key=length.get), "longest_reach")
    zones = result.zones["county"]
    for lake in w.lakes.itertuples():
        members = zones[zones["water_code"] == lake.code]
        if members["admin_code"].nunique() > 1:
            assert lake.kind == "reservoir" and lake.commander_county  # both carry one
            expected[lake.code] = (lake.commander_county, "commander")
    got = chiefs.joint_meetings
    assert dict(zip(got["water_code"], zip(got["convenor_code"], got["rule"], strict=True),
                    strict=True)) == expected
    assert {"R11", "L01", "L02"} <= set(expected)
    # 达开水库: the commander's county convenes although 港南区 holds the larger zone
    l01 = zones[zones["water_code"] == "L01"].set_index("admin_code")["area_m2"]
    assert l01.idxmax() == "450803" and expected["L01"] == ("450881", "commander")
    heads = chiefs.total_chiefs[chiefs.total_chiefs["role"] == "副总河长"].set_index(
        "admin_code")["chief_name"]
    assert (got["convenor_chief"] == got["convenor_code"].map(heads)).all()


def test_bundled_offices(guigang):
    *_, chiefs = guigang
    offices = chiefs.offices
    assert offices["level"].tolist() == ["city"] + ["county"] * 5
    assert offices.loc[0, ["office", "seat"]].tolist() == ["贵港市河长制办公室", "贵港市水利局"]
    assert offices.loc[0, ["admin_code", "admin_name"]].tolist() == ["450800", "贵港市"]
    assert offices["supervision_phone"].str.contains("虚构").all()


# --- the bundled sample office holders ------------------------------------------------------

def test_sample_officials_are_visibly_fictional_and_cover_every_unit():
    off = hzgeo.read_officials(hzgeo.datasets.guigang_officials())
    assert off["name"].str.fullmatch(r".示例\d{4}").all()
    assert off["phone"].str.fullmatch(r"0775-0000\d{4}").all() and off["phone"].is_unique
    assert (off["备注"] == "虚构示例，非真实人员").all()
    boundaries, _ = hzgeo.datasets.guigang()
    for level, posts in (("city", 6), ("county", 2), ("township", 2), ("village", 1)):
        per_unit = off["admin_code"].value_counts()
        codes = boundaries[level]["code"]
        assert (per_unit[codes] == posts).all(), level


def test_sample_officials_are_reproduced_by_the_script(tmp_path):
    spec = importlib.util.spec_from_file_location("make_officials",
                                                  ROOT / "scripts" / "make_officials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "officials.csv"
    module.write(module.build(), out)
    assert out.read_bytes() == hzgeo.datasets.guigang_officials().read_bytes()
    assert re.match(r"\ufeff行政区划代码,", out.read_text("utf-8"))


# --- what mutation testing found untested (benchmarks/mutation.sh) ------------------------

def test_a_roles_level_in_a_rules_file_replaces_that_level_whole(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[roles.village."村"]\nsuffixes = ["村委会"]\nparty_head = "村书记"\n'
                    'government_head = "村主任"\n', encoding="utf-8")
    rules = hzgeo.read_rules(path)
    assert rules.unit_type("village", "花龙村村委会") == "村"
    assert rules.title("village", "村", "party_head") == "村书记"
    assert rules.unit_type("village", "樟木街居委会") is None  # bundled 社区 type gone
    assert rules.unit_type("township", "国安瑶族乡") == "乡"  # other levels kept


def test_empty_cells_are_empty_not_missing(tmp_path):
    """A holder without a phone (CSV: empty cell; XLSX: row shorter than the header) has
    no phone (None in the chiefs), not NaN or filler."""
    off = officials()
    off.loc[off["name"] == "北区长", "phone"] = ""
    path = tmp_path / "h.csv"
    path.write_text(_csv(off), encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["admin_code", "post", "name", "phone", "waters"])
    for r in off.itertuples():
        sheet.append([r.admin_code, r.post, r.name] + ([r.phone] if r.phone else []))
    book.save(tmp_path / "h.xlsx")
    w = waters(("R2", "小河", False, line((200, 800), (1800, 800))))
    for source in (path, tmp_path / "h.xlsx"):
        got = hzgeo.read_officials(source)
        assert got.set_index("name").loc["北区长", "phone"] == "", source
        assert got.set_index("name").loc["北书记", "waters"] == [], source
        county = assign(w, got).reaches["county"]
        assert county["chief_name"].tolist() == ["北区长"]
        assert county["chief_phone"].tolist() == [None], source


def test_a_missing_officials_file_is_named():
    missing = ROOT / "no" / "such-holders.csv"
    with pytest.raises(InputError) as err:
        hzgeo.read_officials(missing)
    assert "file not found" in str(err.value) and "such-holders.csv" in str(err.value)


def test_every_lake_gets_its_meeting():
    """Two lakes: a reservoir convened by its commander's county, then a lake convened by
    the county with the larger zone; one lake's rule does not stop the next lake's
    meeting, and a note is written only where there is something to say."""
    w = waters(("R2", "小河", False, line((200, 950), (600, 950))),
               lakes=[("L1", "某水库", "reservoir", B, box(1500, 3000, 300, 500)),
                      ("L3", "大湖", "lake", "", box(1500, 3000, 820, 900))])
    chiefs = assign(w)
    first, largest = meeting(chiefs, "L1"), meeting(chiefs, "L3")
    assert (first["convenor_code"], first["rule"]) == (B, "commander")
    assert (largest["convenor_code"], largest["rule"], largest["note"]) == (
        B, "largest_area", "")
    assert (largest["water_name"], largest["kind"]) == ("大湖", "lake")


def test_titles_of_unknown_levels_and_kinds_are_none():
    rules = hzgeo.read_rules()
    assert rules.title("village", "no such kind", "party_head") is None
    assert rules.title("province", "省", "party_head") is None


def test_posts_and_names_are_read_without_their_spaces(tmp_path):
    off = officials()
    path = tmp_path / "h.csv"
    path.write_text(_csv(off).replace(",区长,北区长,", ", 区长 , 北区长 ,"), encoding="utf-8")
    got = hzgeo.read_officials(path)
    assert got.set_index("name").loc["北区长", "post"] == "区长"
    county = assign(waters(("R2", "小河", False, line((200, 800), (1800, 800)))), got)
    assert county.reaches["county"]["chief_name"].tolist() == ["北区长"]
