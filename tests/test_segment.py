"""Segmentation on hand-made geometries whose answers are known exactly."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.testing import assert_geometries_equal
from toy import CRS, X0, Y0, T, V, box, geodesic, line, make_boundaries, make_waters

from hzgeo import HzgeoWarning, InputError, SliverWarning, segment_waters

TOL_M = 1e-6  # geometry comparisons in metres, after the EPSG:4490 round trip


def local(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Geometries back in the toy CRS, on a 1 micrometre grid (the EPSG:4490 round trip
    moves coordinates by ~1e-9 m, which would change where ``normalize`` starts a ring)."""
    return shapely.set_precision(frame.to_crs(CRS).geometry.values, 1e-6)


def lengths_add_up(seg, river="R1"):
    """Each level's reaches, counted once, add up to the river length in the city."""
    want = seg.river_lengths.set_index("river_code").loc[river, "length_m"]
    for level, frame in seg.reaches.items():
        got = frame.loc[(frame["river_code"] == river) & frame["primary"], "length_m"].sum()
        assert got == pytest.approx(want, rel=1e-9), level
    return want


def test_river_crossing_four_villages(boundaries):
    river = line((0, 500), (4000, 500))
    seg = segment_waters(boundaries, make_waters(river))
    village = seg.reaches["village"]
    assert village["admin_code"].tolist() == V
    assert_geometries_equal(local(village), [line((x, 500), (x + 1000, 500))
                                             for x in (0, 1000, 2000, 3000)],
                            tolerance=TOL_M, normalize=True)
    for row, x in zip(village.itertuples(), (0, 1000, 2000, 3000), strict=True):
        assert row.length_m == pytest.approx(geodesic(line((x, 500), (x + 1000, 500))), rel=1e-9)
    assert lengths_add_up(seg) == pytest.approx(geodesic(river), rel=1e-12)
    # chainage is continuous and nests
    assert village["from_km"].iloc[0] == 0.0
    np.testing.assert_allclose(village["from_km"].iloc[1:], village["to_km"].iloc[:-1])
    township = seg.reaches["township"]
    assert township["admin_code"].tolist() == T
    assert village["parent_reach_code"].tolist() == [township["reach_code"].iloc[i]
                                                     for i in (0, 0, 1, 1)]
    county = seg.reaches["county"]
    assert len(county) == 1 and set(township["parent_reach_code"]) == {county["reach_code"][0]}
    assert county["reach_name"][0] == "河1港北区段"
    assert village["start_desc"].tolist() == ["市界（入境）", "一村与二村交界处",
                                              "二村与三村交界处", "三村与四村交界处"]
    assert village["end_desc"].tolist() == ["一村与二村交界处", "二村与三村交界处",
                                            "三村与四村交界处", "市界（出境）"]
    assert not seg.reaches["village"]["boundary"].any()
    assert seg.slivers.empty and seg.gaps.empty


def test_river_along_a_shared_edge_exactly(boundaries):
    river = line((2000, 100), (2000, 900))  # the T1/T2 border, between V12 and V21
    seg = segment_waters(boundaries, make_waters(river))
    village = seg.reaches["village"]
    assert sorted(village["admin_code"]) == [V[1], V[2]]
    assert village["boundary"].all()
    assert set(village["shared_with"]) == {V[1], V[2]}
    assert village["from_km"].nunique() == 1 and village["to_km"].nunique() == 1
    assert village["primary"].sum() == 1
    township = seg.reaches["township"]
    assert sorted(township["admin_code"]) == T and township["boundary"].all()
    county = seg.reaches["county"]
    assert len(county) == 1 and not county["boundary"].any()
    # each side's village reach nests in its own side's township reach
    parent = township.set_index("reach_code")["admin_code"]
    for row in village.itertuples():
        assert parent[row.parent_reach_code] == row.admin_code[:9]
    assert lengths_add_up(seg) == pytest.approx(geodesic(river), rel=1e-12)


def test_river_zigzagging_across_a_border_within_tolerance(boundaries):
    ys = np.linspace(50, 950, 31)
    xs = 2000 + np.where(np.arange(31) % 2 == 0, 8.0, -8.0)  # +-8 m across x = 2000
    river = line(*zip(xs, ys, strict=True))
    seg = segment_waters(boundaries, make_waters(river), boundary_tolerance=20)
    township = seg.reaches["township"]
    assert sorted(township["admin_code"]) == T, "a zig-zag is one shared reach, not shreds"
    assert township["boundary"].all()
    lengths_add_up(seg)
    # without the tolerance the same line is shredded into many reaches
    shredded = segment_waters(boundaries, make_waters(river), boundary_tolerance=0.001,
                              min_length=0)
    assert len(shredded.reaches["township"]) > 20


def test_crossing_a_border_is_not_a_boundary_reach(boundaries):
    river = line((1500, 500), (2500, 520))
    seg = segment_waters(boundaries, make_waters(river), boundary_tolerance=20)
    assert not seg.reaches["village"]["boundary"].any()
    assert seg.reaches["township"]["admin_code"].tolist() == T


@pytest.mark.parametrize(("angle", "shared"), [(30, False), (12, True)])
def test_a_shallow_crossing_is_shared_only_if_it_follows_the_border(boundaries, angle,
                                                                    shared):
    """At 30 degrees the river is within 20 m of the border for 80 m: more than the 3 x
    tolerance a boundary reach needs, but it crosses from one side to the other, so it
    must stay within 20 degrees of the border (at least 117 m in the band). At 12
    degrees it runs 192 m along the border: that is a shared stretch."""
    half = 400 * np.tan(np.radians(angle))  # crosses x = 2000 (T1/T2) at y = 500
    river = line((2000 - half, 100), (2000 + half, 900))
    seg = segment_waters(boundaries, make_waters(river), boundary_tolerance=20)
    township = seg.reaches["township"]
    assert township["boundary"].any() == shared
    assert lengths_add_up(seg) == pytest.approx(geodesic(river), rel=1e-12)
    if shared:
        # the in-band length, less at most one sample spacing (tolerance / 2) at each end
        band = township.loc[township["boundary"], "length_m"].iloc[0]
        assert 2 * 20 / np.sin(np.radians(angle)) - 20 <= band <= 2 * 20 / np.sin(
            np.radians(angle))


def test_a_river_ending_on_the_border_it_follows_shares_that_stretch(boundaries):
    """It comes in at 18 degrees (63 m in the band), runs 40 m on the border and ends there,
    on neither side: no crossing, so 3 x the tolerance is enough for those 103 m (a
    crossing would need 117)."""
    river = line((1900, 100), (2000, 400), (2000, 440))
    seg = segment_waters(boundaries, make_waters(river), boundary_tolerance=20)
    township = seg.reaches["township"]
    assert township["boundary"].any()
    assert set(township.loc[township["boundary"], "admin_code"]) == set(T)


def test_corner_touch_is_not_a_reach(boundaries):
    # touches the city only at the top corner shared by V11 and V12
    river = line((500, 1500), (1000, 1000), (1500, 1500))
    with pytest.warns(HzgeoWarning, match="R1 河1"):  # no length inside: said, not silent
        seg = segment_waters(boundaries, make_waters(river))
    for frame in seg.reaches.values():
        assert frame.empty
    assert seg.river_lengths["length_m"][0] == 0.0


def test_river_that_leaves_a_village_and_comes_back(boundaries):
    river = line((1500, 500), (800, 500), (800, 700), (1500, 700))  # V12 -> V11 -> V12
    seg = segment_waters(boundaries, make_waters(river))
    village = seg.reaches["village"]
    assert village["admin_code"].tolist() == [V[1], V[0], V[1]]
    assert village["reach_code"].tolist() == [f"R1-{V[1]}-01", f"R1-{V[0]}-01", f"R1-{V[1]}-02"]
    assert village["reach_name"].tolist() == ["河1二村段（1）", "河1一村段", "河1二村段（2）"]
    assert len(seg.reaches["township"]) == 1
    lengths_add_up(seg)


def test_river_that_leaves_the_city(boundaries):
    river = line((3500, 500), (5000, 500))  # the last 1000 m are outside
    seg = segment_waters(boundaries, make_waters(river))
    village = seg.reaches["village"]
    assert village["admin_code"].tolist() == [V[3]]
    assert village["length_m"][0] == pytest.approx(geodesic(line((3500, 500), (4000, 500))),
                                                   rel=1e-9)
    assert village["end_desc"][0] == "市界（出境）"
    assert village["start_desc"][0] == "源头"
    assert seg.river_lengths["length_m"][0] == pytest.approx(village["length_m"][0])
    # a river that starts outside: chainage starts at the city border
    inbound = segment_waters(boundaries, make_waters(line((-500, 500), (500, 500))))
    assert inbound.reaches["village"]["from_km"][0] == 0.0
    assert inbound.reaches["village"]["start_desc"][0] == "市界（入境）"


def test_multilinestring_river(boundaries):
    river = shapely.MultiLineString([
        [(X0 + 100, Y0 + 500), (X0 + 1900, Y0 + 500)],
        [(X0 + 2100, Y0 + 300), (X0 + 3900, Y0 + 300)]])
    seg = segment_waters(boundaries, make_waters(river))
    village = seg.reaches["village"]
    assert village["admin_code"].tolist() == V
    assert lengths_add_up(seg) == pytest.approx(geodesic(river), rel=1e-12)
    # the two parts are separate reaches even at township level where they could touch
    assert seg.reaches["county"].shape[0] == 2


def test_reversed_river_is_turned_downstream(boundaries):
    main = line((0, 900), (4000, 900))
    trib = line((500, 100), (3500, 100), (3500, 900))  # flows into the main river
    forward = segment_waters(boundaries, make_waters(main, trib, flows_into=["", "R1"]))
    backward = segment_waters(boundaries, make_waters(
        main, shapely.reverse(trib), flows_into=["", "R1"]))
    cols = ["reach_code", "admin_code", "from_km", "to_km", "start_desc", "end_desc"]
    a = forward.reaches["village"].query("river_code == 'R2'")[cols].reset_index(drop=True)
    b = backward.reaches["village"].query("river_code == 'R2'")[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert a["end_desc"].iloc[-1] == "汇入河1处"
    assert a["admin_code"].iloc[0] == V[0]


def test_slivers_are_merged_and_listed(boundaries):
    # the river pokes about 10 m into V21 and comes back: a 20 m sliver between V12 runs
    river = line((1500, 500), (2010, 600), (1500, 700))
    with pytest.warns(SliverWarning, match="sliver"):
        seg = segment_waters(boundaries, make_waters(river), boundary_tolerance=1, min_length=30)
    assert seg.slivers["admin_code"].tolist() == [V[2]]
    assert seg.slivers["merged_into"].tolist() == [V[1]]
    assert seg.slivers["length_m"][0] == pytest.approx(20.4, abs=0.1)
    assert seg.reaches["village"]["admin_code"].tolist() == [V[1]], "one reach, no shreds"
    assert lengths_add_up(seg) == pytest.approx(geodesic(river), rel=1e-12)
    # with no minimum the poke is its own reach
    raw = segment_waters(boundaries, make_waters(river), boundary_tolerance=1, min_length=0)
    assert raw.reaches["village"]["admin_code"].tolist() == [V[1], V[2], V[1]]


def test_overrides_assign_and_cut(boundaries):
    river = line((2000, 0), (2000, 1000))  # shared by T1 and T2
    overrides = pd.DataFrame({"river_code": ["R1", "R1"], "action": ["assign", "cut"],
                              "admin_code": [T[1], ""], "at_km": [np.nan, 0.4],
                              "name": ["", "二号桥"]})
    seg = segment_waters(boundaries, make_waters(river), overrides=overrides)
    township = seg.reaches["township"]
    assert township["admin_code"].tolist() == [T[1], T[1]], "given to 乙镇, then cut in two"
    assert not township["boundary"].any()
    assert township["to_km"].iloc[0] == pytest.approx(0.4, abs=1e-9)
    assert township["end_desc"].iloc[0] == "二号桥" and township["start_desc"].iloc[1] == "二号桥"
    assert seg.reaches["village"]["admin_code"].tolist() == [V[2], V[2]]
    assert seg.overrides["status"].str.startswith(("assigned 1", "cut at 0.4")).all()
    lengths_add_up(seg)


def test_bad_override_is_refused(boundaries):
    with pytest.raises(InputError, match="not in the data"):
        segment_waters(boundaries, make_waters(line((0, 500), (100, 500))),
                       overrides=pd.DataFrame({"river_code": ["R9"], "action": ["cut"]}))


def test_gap_in_the_villages_is_reported(boundaries):
    villages = boundaries["village"].drop(index=1)  # V12 missing; the county still covers it
    bnd = make_boundaries(villages)
    bnd.levels["city"] = bnd["county"]
    seg = segment_waters(bnd, make_waters(line((0, 500), (4000, 500))))
    assert seg.gaps["length_m"].sum() == pytest.approx(geodesic(line((1000, 500), (2000, 500))),
                                                       rel=1e-9)
    assert seg.river_lengths["unassigned_m"][0] == pytest.approx(seg.gaps["length_m"].sum())
    assert "无归属区域" in set(seg.reaches["village"]["end_desc"])


def test_lakes_are_zoned_at_every_level(boundaries):
    lake = box(1500, 2500, 200, 800)
    lakes = gpd.GeoDataFrame({"code": ["L1"], "name": ["示例湖"], "kind": ["lake"],
                              "scale": ["small"], "synthetic": [True]},
                             geometry=[lake], crs=CRS)
    seg = segment_waters(boundaries, make_waters(line((0, 500), (10, 500)), lakes=lakes))
    zones = seg.zones
    assert zones["village"]["admin_code"].tolist() == V[1:3]
    assert zones["township"]["admin_code"].tolist() == T
    assert zones["county"]["admin_code"].tolist() == ["450802"]
    total = zones["county"]["area_m2"].sum()
    for level in ("village", "township"):
        assert zones[level]["area_m2"].sum() == pytest.approx(total, rel=1e-9)
    assert total == pytest.approx(1000 * 600, rel=1e-3)  # planar area, GK scale ~1.0001
    assert zones["village"]["parent_zone_code"].tolist() == [f"L1-{T[0]}", f"L1-{T[1]}"]
    assert_geometries_equal(local(zones["village"]), shapely.set_precision(
        [box(1500, 2000, 200, 800), box(2000, 2500, 200, 800)], 1e-6),
                            tolerance=TOL_M, normalize=True)


def test_villages_only_derives_the_levels_above(boundaries):
    from hzgeo.io import Boundaries

    seg = segment_waters(Boundaries({"village": boundaries["village"]}),
                         make_waters(line((0, 500), (4000, 500))))
    assert seg.reaches["township"]["admin_code"].tolist() == T
    assert seg.reaches["county"]["admin_code"].tolist() == ["450802"]


def test_overlapping_villages_under_a_river_are_refused(boundaries):
    from hzgeo import DataQualityError

    overlap = boundaries["village"].copy()
    overlap.loc[1, "geometry"] = box(900, 2000)  # V12 reaches 100 m into V11
    bnd = make_boundaries(overlap)
    with pytest.raises(DataQualityError, match="450802001001/450802001002"):
        segment_waters(bnd, make_waters(line((0, 500), (4000, 500))))
    # away from the rivers the overlap does not matter to segmentation
    seg = segment_waters(bnd, make_waters(line((2100, 500), (4000, 500))))
    assert seg.reaches["village"]["admin_code"].tolist() == V[2:]


def test_no_rivers_and_a_river_outside_the_city(boundaries, tmp_path):
    some = make_waters(line((0, 500), (10, 500)))
    none = dataclasses.replace(some, rivers=some.rivers.iloc[:0])
    seg = segment_waters(boundaries, none)
    assert all(frame.empty for frame in seg.reaches.values())
    seg.to_file(tmp_path / "empty.gpkg")  # empty layers are still written
    with pytest.warns(HzgeoWarning, match="1 river.* no length inside the region"):
        away = segment_waters(boundaries, make_waters(line((0, 5000), (1000, 5000))))
    assert all(frame.empty for frame in away.reaches.values())
    assert away.river_lengths["length_m"].tolist() == [0.0]


def test_geographic_input_gives_the_same_reaches(boundaries):
    river = make_waters(line((0, 500), (4000, 500)))
    projected = segment_waters(boundaries, river)
    geographic = segment_waters(boundaries.to_crs("EPSG:4490"), river.to_crs("EPSG:4490"))
    assert geographic.settings["work_crs"] == "EPSG:4546"
    np.testing.assert_allclose(geographic.reaches["village"]["length_m"],
                               projected.reaches["village"]["length_m"], rtol=1e-9)


def test_start_and_end_words_of_a_shared_reach(boundaries):
    # V12 -> along the V12/V21 border -> V21
    river = line((1500, 100), (2000, 100), (2000, 900), (2500, 900))
    village = segment_waters(boundaries, make_waters(river)).reaches["village"]
    rows = village[["admin_code", "boundary", "start_desc", "end_desc"]].values.tolist()
    # both banks of the 界河 read alike; its two ends are told apart by chainage (桩号)
    assert rows == [
        [V[1], False, "源头", "二村与三村交界处"],
        [V[1], True, "二村与三村交界处（K0+500）", "二村与三村交界处（K1+300）"],
        [V[2], True, "二村与三村交界处（K0+500）", "二村与三村交界处（K1+300）"],
        [V[2], False, "二村与三村交界处", "河口"],
    ]


def test_assign_override_keeps_to_its_from_and_to_km(boundaries):
    """``assign`` with ``from_km``/``to_km`` gives only the shared stretches in that range
    to the side named; the others stay shared."""
    river = line((2000, 0), (2000, 1000))  # shared by T1 and T2
    overrides = pd.DataFrame({"river_code": ["R1", "R1"], "action": ["cut", "assign"],
                              "admin_code": ["", T[1]], "at_km": [0.5, np.nan],
                              "from_km": [np.nan, 0.6], "to_km": [np.nan, 1.0],
                              "name": ["桥", ""]})
    seg = segment_waters(boundaries, make_waters(river), overrides=overrides)
    township = seg.reaches["township"]
    upstream = township[township["to_km"] <= 0.5 + 1e-9]
    downstream = township[township["from_km"] >= 0.5 - 1e-9]
    assert upstream["boundary"].all() and sorted(upstream["admin_code"]) == T
    assert downstream["admin_code"].tolist() == [T[1]] and not downstream["boundary"].any()
    assert seg.overrides["status"].tolist() == ["cut at 0.5 km", "assigned 1 shared stretch(es)"]
    lengths_add_up(seg)


def test_a_sliver_goes_to_its_longer_neighbour(boundaries):
    """500 m in V12, 20 m along the V12/V21 border (a shared sliver under 30 m), 100 m in
    V21: the sliver joins the 500 m reach, not the 100 m one."""
    river = line((1500, 500), (2000, 500), (2000, 520), (2100, 520))
    with pytest.warns(SliverWarning):
        seg = segment_waters(boundaries, make_waters(river), boundary_tolerance=1,
                             min_length=30)
    assert seg.slivers["merged_into"].tolist() == [V[1]]
    village = seg.reaches["village"]
    assert village["admin_code"].tolist() == [V[1], V[2]]
    assert village["length_m"].tolist() == pytest.approx(
        [geodesic(line((1500, 500), (2000, 500), (2000, 520))),
         geodesic(line((2000, 520), (2100, 520)))], rel=1e-9)


@pytest.mark.parametrize(("units_synthetic", "river_synthetic"),
                         [(True, False), (False, True), (False, False)])
def test_synthetic_is_carried_to_reaches_and_zones(units_synthetic, river_synthetic):
    """A reach or zone is synthetic if its water or its unit is: a synthetic result must
    say so on every feature."""
    villages = make_boundaries()["village"].assign(synthetic=units_synthetic)
    boundaries = make_boundaries(villages)
    for level in ("county", "township"):
        boundaries.levels[level] = boundaries[level].assign(synthetic=units_synthetic)
    lakes = gpd.GeoDataFrame({"code": ["L1"], "name": ["湖"], "kind": ["lake"],
                              "scale": ["small"], "synthetic": [river_synthetic]},
                             geometry=[box(1500, 2500, 200, 800)], crs=CRS)
    waters = make_waters(line((0, 500), (4000, 500)), lakes=lakes)
    waters.rivers["synthetic"] = river_synthetic
    seg = segment_waters(boundaries, waters)
    want = units_synthetic or river_synthetic
    for level in ("village", "township", "county"):
        assert seg.reaches[level]["synthetic"].tolist() == [want] * len(seg.reaches[level])
        assert seg.zones[level]["synthetic"].tolist() == [want] * len(seg.zones[level])


def test_main_flag_is_the_rivers_own(boundaries):
    waters = make_waters(line((0, 300), (4000, 300)), line((0, 700), (4000, 700)))
    waters.rivers["main"] = [True, False]
    seg = segment_waters(boundaries, waters)
    for frame in seg.reaches.values():
        assert frame.groupby("river_code")["main"].agg(set).to_dict() == {
            "R1": {True}, "R2": {False}}
