"""Names and 起止 of reaches as a directory writes them, on hand-made cases and on Guigang."""

from __future__ import annotations

import geopandas as gpd
import pytest
from toy import CRS, T, V, box, line, make_boundaries, make_waters

import hzgeo
from hzgeo import segment_waters
from hzgeo._names import short_name


def villages_named(*names):
    return make_boundaries(gpd.GeoDataFrame(
        {"code": V, "name": list(names), "parent_code": [T[0], T[0], T[1], T[1]],
         "synthetic": True},
        geometry=[box(0, 1000), box(1000, 2000), box(2000, 3000), box(3000, 4000)], crs=CRS))


@pytest.mark.parametrize(("full", "short"), [
    ("花龙村村委会", "花龙村"),
    ("马坪村委会", "马坪村"),
    ("新村村民委员会", "新村"),
    ("县东社区居委会", "县东社区"),
    ("三江社区居民委员会", "三江社区"),
    ("浔州社区居民会", "浔州社区"),
    ("城东居委会", "城东社区"),
    ("东湖社区", "东湖社区"),
    ("大圩镇", "大圩镇"),
    ("村委会", "村委会"),  # nothing left to call it: keep the name
])
def test_short_name(full, short):
    assert short_name(full) == short


def test_reaches_use_short_names_and_keep_the_full_name():
    bnd = villages_named("花龙村村委会", "马坪村委会", "县东社区居委会", "四村")
    village = segment_waters(bnd, make_waters(line((0, 500), (4000, 500)))).reaches["village"]
    assert village["admin_name"].tolist() == ["花龙村", "马坪村", "县东社区", "四村"]
    assert village["admin_full_name"].tolist() == ["花龙村村委会", "马坪村委会",
                                                   "县东社区居委会", "四村"]
    assert village["reach_name"].tolist() == ["河1花龙村段", "河1马坪村段", "河1县东社区段",
                                              "河1四村段"]
    assert village["end_desc"].tolist()[:2] == ["花龙村与马坪村交界处", "马坪村与县东社区交界处"]


def test_a_short_name_repeated_in_a_county_gets_its_township_in_front():
    # 新村 in 甲镇 (V11) and in 乙镇 (V21); 二村 and 四村 are unique
    bnd = villages_named("新村村委会", "二村村委会", "新村村民委员会", "四村村委会")
    village = segment_waters(bnd, make_waters(line((0, 500), (4000, 500)))).reaches["village"]
    assert village["admin_name"].tolist() == ["甲镇新村", "二村", "乙镇新村", "四村"]
    assert village["reach_name"].tolist()[0] == "河1甲镇新村段"
    # the township and county levels keep their names
    seg_t = segment_waters(bnd, make_waters(line((0, 500), (4000, 500)))).reaches["township"]
    assert seg_t["admin_name"].tolist() == ["甲镇", "乙镇"]


def test_numbered_only_where_a_unit_has_several_reaches_of_one_river():
    river = line((1500, 500), (800, 500), (800, 700), (1500, 700))  # V12 -> V11 -> V12
    village = segment_waters(villages_named("一村村委会", "二村村委会", "三村", "四村"),
                             make_waters(river)).reaches["village"]
    assert village["reach_name"].tolist() == ["河1二村段（1）", "河1一村段", "河1二村段（2）"]


def test_both_banks_of_a_boundary_reach_have_the_same_start_and_end():
    # V12 -> along the V12/V21 border (the T1/T2 border) -> V21
    river = line((1500, 100), (2000, 100), (2000, 900), (2500, 900))
    seg = segment_waters(make_boundaries(), make_waters(river))
    for level in ("village", "township"):
        frame = seg.reaches[level]
        shared = frame[frame["boundary"]]
        assert len(shared) == 2, level
        assert shared["start_desc"].nunique() == 1 and shared["end_desc"].nunique() == 1
        assert (shared["start_desc"] != shared["end_desc"]).all()
    township = seg.reaches["township"]
    assert township["start_desc"].tolist() == ["源头", "甲镇与乙镇交界处（K0+500）",
                                               "甲镇与乙镇交界处（K0+500）", "甲镇与乙镇交界处"]


def test_no_reach_starts_and_ends_at_the_same_words():
    # V12, then along the V12/V21 border, then back into V12: the ordinary reaches on both
    # sides and the 界河 between them would all read 二村与三村交界处
    river = line((1500, 100), (2000, 100), (2000, 900), (1500, 900), (1500, 990))
    seg = segment_waters(make_boundaries(), make_waters(river))
    village = seg.reaches["village"]
    assert village["boundary"].any()
    assert (village["start_desc"] != village["end_desc"]).all()
    shared = village[village["boundary"]]
    assert shared["start_desc"].tolist() == ["二村与三村交界处（K0+500）"] * 2
    assert shared["end_desc"].tolist() == ["二村与三村交界处（K1+300）"] * 2


def test_a_river_begins_where_two_rivers_meet():
    a = line((100, 200), (1500, 500))  # 河1 and 河2 end where 河3 begins
    b = line((100, 800), (1500, 500))
    c = line((1500, 500), (3500, 500))
    d = line((3500, 500), (3900, 500))  # 河3 alone flows on as 河4
    seg = segment_waters(make_boundaries(), make_waters(
        a, b, c, d, flows_into=["R3", "R3", "R4", ""]))
    village = seg.reaches["village"]
    first = village.groupby("river_code")["start_desc"].first()
    assert first["R1"] == "源头" and first["R2"] == "源头"
    assert first["R3"] == "河1与河2汇合口"
    assert first["R4"] == "河3汇入处"
    last = village.groupby("river_code")["end_desc"].last()
    assert last["R1"] == "汇入河3处" and last["R3"] == "汇入河4处" and last["R4"] == "河口"


def test_a_tributary_that_ends_elsewhere_does_not_make_a_confluence_start():
    main = line((500, 500), (3500, 500))
    trib = line((2000, 100), (2000, 500))  # joins 河1 halfway, not at its first point
    village = segment_waters(make_boundaries(), make_waters(main, trib, flows_into=["", "R1"])
                             ).reaches["village"]
    assert village.loc[village["river_code"] == "R1", "start_desc"].iloc[0] == "源头"


@pytest.fixture(scope="module")
def guigang():
    boundaries, waters = hzgeo.datasets.guigang()
    return hzgeo.segment_waters(boundaries, waters)


def test_guigang_names_and_start_end_words(guigang):
    for level, frame in guigang.reaches.items():
        assert (frame["start_desc"] != frame["end_desc"]).all(), level
        shared = frame[frame["boundary"]]
        words = shared.groupby(["river_code", "from_km", "to_km"])[["start_desc", "end_desc"]]
        assert (words.nunique() == 1).all().all(), level
        assert not frame["admin_name"].str.endswith(("委会", "委员会", "居民会")).any(), level
    village = guigang.reaches["village"]
    assert village["admin_full_name"].str.endswith(("委会", "委员会", "居民会", "社区")).all()
    xun = guigang.reaches["county"].query("river_code == 'R02'")
    assert xun["start_desc"].iloc[0] == "黔江与郁江汇合口"
    county = guigang.reaches["county"]
    for river in ("R01", "R03"):
        assert county[county["river_code"] == river]["end_desc"].iloc[-1] == "汇入浔江处"
    # a short name is unique within its county
    units = village.drop_duplicates("admin_code").assign(county=lambda f: f["admin_code"].str[:6])
    assert not units.duplicated(["county", "admin_name"]).any()
