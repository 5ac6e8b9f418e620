"""The duty audit: each kind planted into clean data is found at its place, with its
measure, and nothing else is.

Measures are compared with independent values: pyproj.Geod on the vertices of the
hand-built geometry (lengths and areas of the toy region's boxes), to a stated tolerance.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Geod, Transformer
from toy import (
    CRS,
    X0,
    Y0,
    T,
    V,
    box,
    geodesic,
    line,
    make_boundaries,
    make_chiefs,
    make_waters,
)

import hzgeo
from hzgeo.audit import DEFECT_KINDS, INFORMATION_KINDS, audit
from hzgeo.cli import main

_GEOD = Geod(ellps="GRS80")
_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True)
_TO_LOCAL = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
LENGTH_TOL = 0.01  # m: the audit's lengths against Geod on the same vertices
AREA_TOL = 1e-6  # relative: areas against Geod's polygon area


def geodesic_area(polygon) -> float:
    """Independent ellipsoidal area of a local-CRS polygon (pyproj on lon/lat vertices)."""
    total = 0.0
    for part in shapely.get_parts(polygon):
        rings = [part.exterior, *part.interiors]
        for k, ring in enumerate(rings):
            xy = shapely.get_coordinates(ring)
            lon, lat = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
            area = abs(_GEOD.polygon_area_perimeter(lon, lat)[0])
            total += area if k == 0 else -area
    return total


def local_point(row) -> shapely.Point:
    return shapely.Point(*_TO_LOCAL.transform(row["lon"], row["lat"]))


def kinds(report) -> list[tuple[str, str]]:
    return sorted(zip(report.defects["kind"], report.defects["level"], strict=True))


RIVER = line((0, 500), (4000, 500))


def test_clean_data_audits_clean():
    report = audit(make_boundaries(), make_waters(RIVER))
    assert report.ok and report.defects.empty
    cover = report.coverage.set_index("level")
    assert cover["water_m"].to_numpy() == pytest.approx([geodesic(RIVER)] * 3, abs=LENGTH_TOL)
    assert cover["percent"].tolist() == [100.0] * 3
    assert report.coverage_lines()[-1] == "village: 4.00 km of river, 100.000 % with exactly " \
                                          "one unit"


def test_a_deleted_village_is_a_gap_of_its_area_and_its_river_uncovered():
    b = make_boundaries()
    b.levels["village"] = b["village"].drop(index=1).reset_index(drop=True)  # 二村
    report = audit(b, make_waters(RIVER))
    assert not report.ok
    assert kinds(report) == [("gap", "village"), *[("uncovered_water", lvl) for lvl in
                                                   ("county", "township", "village")]]
    d = report.defects.set_index(["kind", "level"])
    gap = d.loc[("gap", "village")]
    assert gap["codes"] == T[0] and gap["names"] == "甲镇"
    assert gap["measure"] == pytest.approx(geodesic_area(box(1000, 2000)), rel=AREA_TOL)
    assert box(1000, 2000).contains(local_point(gap))
    through = geodesic(line((1000, 500), (2000, 500)))
    for level in ("village", "township", "county"):
        row = d.loc[("uncovered_water", level)]
        assert row["measure"] == pytest.approx(through, abs=LENGTH_TOL), level
        assert row["water_code"] == "R1" and row["unit"] == "m"
        assert box(1000, 2000).buffer(1).contains(local_point(row))
    assert d.loc[("uncovered_water", "village"), "codes"] == T[0]
    village = report.coverage.set_index("level").loc["village"]
    assert village["uncovered_m"] == pytest.approx(through, abs=LENGTH_TOL)
    assert village["percent"] == pytest.approx(100 * (1 - through / geodesic(RIVER)), abs=1e-6)


def test_a_village_shifted_30_m_into_its_neighbour():
    """Overlap of 30 m x 1 km and the river counted twice there; on the other side a gap
    of the same size and the river uncovered. Segmentation refuses overlaps where a river
    runs: the report says so and measures on the geometry."""
    b = make_boundaries()
    b["village"].loc[0, "geometry"] = box(30, 1030)  # 一村 into 二村
    report = audit(b, make_waters(RIVER))
    assert kinds(report) == [("double_counted_water", "village"), ("gap", "village"),
                             ("overlap", "village"), ("uncovered_water", "village")]
    d = report.defects.set_index("kind")
    assert d.loc["overlap", "codes"] == f"{V[0]},{V[1]}"
    assert d.loc["overlap", "measure"] == pytest.approx(geodesic_area(box(1000, 1030)),
                                                        rel=AREA_TOL)
    assert box(1000, 1030).contains(local_point(d.loc["overlap"]))
    assert d.loc["overlap", "fixable"]
    assert d.loc["double_counted_water", "measure"] == pytest.approx(
        geodesic(line((1000, 500), (1030, 500))), abs=LENGTH_TOL)
    assert d.loc["double_counted_water", "codes"] == f"{V[0]},{V[1]}"
    assert d.loc["gap", "measure"] == pytest.approx(geodesic_area(box(0, 30)), rel=AREA_TOL)
    assert d.loc["uncovered_water", "measure"] == pytest.approx(
        geodesic(line((0, 500), (30, 500))), abs=LENGTH_TOL)
    assert box(0, 30).buffer(1).contains(local_point(d.loc["uncovered_water"]))
    assert "could not be measured on the reaches" in report.summary["water_duty"]
    assert "overlap where rivers run" in report.summary["water_duty"]


def test_a_village_shrunk_by_5_m_leaves_a_ring_gap_and_the_river_uncovered_there():
    b = make_boundaries()
    b["village"].loc[3, "geometry"] = box(3000, 4000).buffer(-5, join_style="mitre")
    report = audit(b, make_waters(RIVER))
    assert kinds(report) == [("gap", "village"), *[("uncovered_water", lvl) for lvl in
                                                   ("county", "township", "village")]]
    d = report.defects.set_index(["kind", "level"])
    ring = box(3000, 4000).difference(box(3005, 3995, 5, 995))
    assert d.loc[("gap", "village"), "measure"] == pytest.approx(geodesic_area(ring),
                                                                 rel=AREA_TOL)
    assert d.loc[("gap", "village"), "codes"] == T[1]
    # the river crosses the ring twice: 5 m in, 5 m out
    crossed = geodesic(line((3000, 500), (3005, 500))) + geodesic(line((3995, 500),
                                                                      (4000, 500)))
    for level in ("village", "township", "county"):
        assert d.loc[("uncovered_water", level), "measure"] == pytest.approx(
            crossed, abs=LENGTH_TOL)
    # a 5 m wide gap is not narrower than --fix's 5 m: is that what --fix does?
    fixed, _ = hzgeo.repair_boundaries(b)
    still = hzgeo.find_defects(fixed)
    assert bool(d.loc[("gap", "village"), "fixable"]) == still.empty


def test_a_narrow_gap_is_fixable_and_fix_closes_it():
    b = make_boundaries()
    b["village"].loc[3, "geometry"] = box(3002, 4000)  # 2 m gap between 三村 and 四村
    report = audit(b, make_waters(RIVER))
    gap = report.defects.set_index("kind").loc["gap"]
    assert gap["fixable"]
    fixed, _ = hzgeo.repair_boundaries(b)
    assert hzgeo.find_defects(fixed).empty


def test_a_broken_code_is_a_code_mismatch_and_its_parent_a_gap_by_code():
    b = make_boundaries()
    b["village"].loc[3, "parent_code"] = "450802009"
    report = audit(b, make_waters(RIVER))
    assert kinds(report) == [("code_mismatch", "village"), ("gap", "village")]
    d = report.defects.set_index("kind")
    assert d.loc["code_mismatch", "codes"] == V[3]
    assert "450802009" in d.loc["code_mismatch", "detail"]
    assert box(3000, 4000).contains(local_point(d.loc["code_mismatch"]))
    # by the codes, 乙镇 has only 三村: 四村's square is a gap of 乙镇
    assert d.loc["gap", "codes"] == T[1]
    assert d.loc["gap", "measure"] == pytest.approx(geodesic_area(box(3000, 4000)),
                                                    rel=AREA_TOL)
    assert not d.loc["code_mismatch", "fixable"]
    # the river is still covered by one village: measured on the geometry
    assert report.coverage.set_index("level").loc["village", "percent"] == 100.0
    assert "could not be measured on the reaches" in report.summary["water_duty"]


def test_a_river_through_a_hole_in_the_coverage():
    b = make_boundaries()
    hole = box(2400, 2600, 400, 600)
    b["village"].loc[2, "geometry"] = box(2000, 3000).difference(hole)
    report = audit(b, make_waters(RIVER))
    assert kinds(report) == [("gap", "village"), *[("uncovered_water", lvl) for lvl in
                                                   ("county", "township", "village")]]
    d = report.defects.set_index(["kind", "level"])
    assert d.loc[("gap", "village"), "measure"] == pytest.approx(geodesic_area(hole),
                                                                 rel=AREA_TOL)
    assert d.loc[("uncovered_water", "village"), "measure"] == pytest.approx(
        geodesic(line((2400, 500), (2600, 500))), abs=LENGTH_TOL)
    assert hole.buffer(1).contains(local_point(d.loc[("uncovered_water", "village")]))


def test_a_river_leaving_the_city_is_information_with_the_length_outside():
    river = line((2000, 500), (5000, 500))
    report = audit(make_boundaries(), make_waters(river))
    assert report.ok
    assert kinds(report) == [("outside_city", "")]
    row = report.defects.iloc[0]
    assert row["information"]
    lon, lat = _TO_LONLAT.transform([400_000 + 4000, 400_000 + 5000], [2_560_500] * 2)
    outside = _GEOD.line_length(lon, lat)  # Geod directly on the two ends outside
    assert row["measure"] == pytest.approx(outside, abs=LENGTH_TOL)
    assert box(4000, 5000, 0, 1000).contains(local_point(row))
    inside = geodesic(line((2000, 500), (4000, 500)))
    assert report.coverage["water_m"].tolist() == pytest.approx([inside] * 3, abs=LENGTH_TOL)


def test_a_boundary_river_is_information_not_a_defect():
    # a river along the border of 一村 and 二村: shared by both banks on purpose
    report = audit(make_boundaries(), make_waters(line((1000, 100), (1000, 900))))
    assert report.ok
    shared = report.defects[report.defects["kind"] == "boundary_reach"]
    assert set(shared["level"]) == {"village"}
    assert shared["codes"].iloc[0] == f"{V[0]},{V[1]}"
    assert shared["measure"].iloc[0] == pytest.approx(
        geodesic(line((1000, 100), (1000, 900))), abs=LENGTH_TOL)
    assert report.coverage.set_index("level").loc["village", "percent"] == 100.0


def test_tolerances_drop_small_and_narrow_defects():
    b = make_boundaries()
    b["village"].loc[3, "geometry"] = box(3002, 4000)  # 2 m x 1 km gap: 2,000 m²
    waters = make_waters(RIVER)
    assert ("gap", "village") in kinds(audit(b, waters))
    assert ("gap", "village") not in kinds(audit(b, waters, min_area_m2=2_500))
    narrow = audit(b, waters, min_width_m=3)  # wide enough in area, too narrow
    assert ("gap", "village") not in kinds(narrow)
    assert ("uncovered_water", "village") not in kinds(narrow)  # 2 m of river < 3 m


# --------------------------------------------------------------------------- chief duty


def _chiefs(result, *, vacant_reach=None, vacant_total=False, convenor=True):
    """A hand-made Chiefs frame shaped as CONTRACT.md says (until chiefs lands)."""
    reaches = {}
    for level, frame in result.reaches.items():
        frame = frame.copy()
        frame["chief_name"] = [f"{level}长{i}" for i in range(len(frame))]
        frame["chief_post"] = "post"
        frame["chief_phone"] = None
        frame["chief_required"] = True
        frame["vacant"] = False
        if vacant_reach is not None and level == vacant_reach[0]:
            i = frame.index[frame["admin_code"] == vacant_reach[1]]
            frame.loc[i, "chief_name"] = None
            frame.loc[i, "vacant"] = True
        reaches[level] = frame
    zones = {level: frame.assign(chief_name=None, chief_post=None, chief_phone=None,
                                 chief_required=False, vacant=False)
             for level, frame in result.zones.items()}
    totals = pd.DataFrame({"level": ["county", "township"], "admin_code": ["450802", T[1]],
                           "admin_name": ["港北区", "乙镇"], "role": ["总河长", "总河长"],
                           "post": ["区委书记", "镇党委书记"],
                           "chief_name": ["甲", None if vacant_total else "乙"],
                           "chief_phone": [None, None], "vacant": [False, vacant_total]})
    meetings = pd.DataFrame({"water_code": ["R1"], "water_name": ["河1"], "kind": ["river"],
                             "members": ["港北区 2.00 km；港南区 2.00 km"],
                             "member_codes": ["450802,450803"],
                             "convenor_code": ["450802" if convenor else ""],
                             "convenor_name": ["港北区" if convenor else ""],
                             "convenor_chief": ["甲" if convenor else None],
                             "rule": ["tie"], "note": [""]})
    empty = pd.DataFrame({"river_code": [], "river_name": [], "main_river": [], "post": [],
                          "chief_name": [], "chief_phone": [], "vacant": []})
    return make_chiefs(reaches, zones, total_chiefs=totals, city_chiefs=empty,
                       joint_meetings=meetings)


@pytest.fixture(scope="module")
def toy_result():
    return hzgeo.segment_waters(make_boundaries(), make_waters(RIVER))


def test_full_posts_audit_clean_with_a_chief_coverage_line(toy_result):
    report = audit(make_boundaries(), make_waters(RIVER), chiefs=_chiefs(toy_result),
                   segmentation=toy_result)
    assert report.ok and report.defects.empty
    assert report.coverage_lines()[-1].endswith("100.000 % with exactly one chief")


def test_a_vacant_post_is_no_chief_with_the_reach_length(toy_result):
    chiefs = _chiefs(toy_result, vacant_reach=("village", V[2]))
    report = audit(make_boundaries(), make_waters(RIVER), chiefs=chiefs,
                   segmentation=toy_result)
    assert kinds(report) == [("no_chief", "village")]
    row = report.defects.iloc[0]
    assert row["codes"] == V[2] and row["names"] == "三村"
    through = geodesic(line((2000, 500), (3000, 500)))
    assert row["measure"] == pytest.approx(through, abs=LENGTH_TOL)
    assert box(2000, 3000).buffer(1).contains(local_point(row))
    village = report.coverage.set_index("level").loc["village"]
    assert village["percent"] == pytest.approx(100 * (1 - through / geodesic(RIVER)), abs=1e-6)


def test_a_vacant_total_chief_and_a_meeting_without_convenor(toy_result):
    chiefs = _chiefs(toy_result, vacant_total=True, convenor=False)
    report = audit(make_boundaries(), make_waters(RIVER), chiefs=chiefs,
                   segmentation=toy_result)
    assert kinds(report) == [("no_convenor", "county"), ("vacant_total_chief", "township")]
    d = report.defects.set_index("kind")
    assert d.loc["vacant_total_chief", "codes"] == T[1]
    assert box(2000, 4000).contains(local_point(d.loc["vacant_total_chief"]))
    assert d.loc["no_convenor", "codes"] == "450802,450803"
    assert d.loc["no_convenor", "water_code"] == "R1"


def test_overloaded_chief_only_when_a_limit_is_given(toy_result):
    chiefs = _chiefs(toy_result)
    for frame in chiefs.reaches.values():
        frame["chief_name"] = "张三"  # one person holds every reach
    held = sum(len(f) for f in chiefs.reaches.values())
    quiet = audit(make_boundaries(), make_waters(RIVER), chiefs=chiefs,
                  segmentation=toy_result)
    assert quiet.ok
    loud = audit(make_boundaries(), make_waters(RIVER), chiefs=chiefs,
                 segmentation=toy_result, overloaded_limit=held - 1)
    assert kinds(loud) == [("overloaded_chief", "")]
    assert loud.defects["measure"].iloc[0] == held


def test_overloaded_chief_means_more_than_the_limit_not_as_many(toy_result):
    """The limit is the most reaches one person may hold (``--max-reaches-per-chief``):
    exactly the limit is fine, one more is a defect."""
    chiefs = _chiefs(toy_result)
    village = chiefs.reaches["village"]
    village["chief_name"] = ["王五", "王五", "王五", "赵六"]  # 3 village reaches, and 1
    assert len(village) == 4 and village["admin_code"].tolist() == V
    boundaries, waters = make_boundaries(), make_waters(RIVER)
    at = audit(boundaries, waters, chiefs=chiefs, segmentation=toy_result,
               overloaded_limit=3)
    assert at.ok and at.defects.empty
    over = audit(boundaries, waters, chiefs=chiefs, segmentation=toy_result,
                 overloaded_limit=2)
    assert kinds(over) == [("overloaded_chief", "")]
    row = over.defects.iloc[0]
    assert row["measure"] == 3 and row["codes"] == ",".join(V[:3])
    assert row["detail"] == "王五 holds 3 reaches (limit 2)"
    assert box(0, 3000).buffer(1).contains(local_point(row))


def test_double_counted_metres_are_not_covered_in_the_percent(toy_result):
    """A segmentation that publishes 二村's village reach twice: 1,000 m of the 4,000 m
    river counted twice, so 3,000 m (75 %) has exactly one village; the other levels
    are whole."""
    reaches = dict(toy_result.reaches)
    village = reaches["village"]
    twice = village[village["admin_code"] == V[1]]
    assert len(twice) == 1
    reaches["village"] = pd.concat([village, twice], ignore_index=True)
    doubled = dataclasses.replace(toy_result, reaches=reaches)
    report = audit(make_boundaries(), make_waters(RIVER), segmentation=doubled)
    assert kinds(report) == [("double_counted_water", "village")]
    stretch = geodesic(line((1000, 500), (2000, 500)))
    whole = geodesic(RIVER)
    cover = report.coverage.set_index("level")
    assert cover.loc["village", "double_m"] == pytest.approx(stretch, abs=LENGTH_TOL)
    assert cover.loc["village", "exactly_one_m"] == pytest.approx(whole - stretch,
                                                                 abs=LENGTH_TOL)
    assert cover.loc["village", "percent"] == pytest.approx(100 * (whole - stretch) / whole,
                                                            abs=1e-6)
    assert cover.loc["village", "percent"] == pytest.approx(75.0, abs=0.01)  # 1 km of 4
    assert cover.loc[["county", "township"], "percent"].tolist() == [100.0, 100.0]


def test_metres_in_two_overlapping_villages_are_not_covered_in_the_percent():
    """一村 grown 30 m into 二村 (no gap left): the river's 30 m there is in both villages.
    Segmentation refuses the overlap, so this is measured on the geometry."""
    b = make_boundaries()
    b["village"].loc[0, "geometry"] = box(0, 1030)
    report = audit(b, make_waters(RIVER))
    assert kinds(report) == [("double_counted_water", "village"), ("overlap", "village")]
    twice = geodesic(line((1000, 500), (1030, 500)))
    whole = geodesic(RIVER)
    village = report.coverage.set_index("level").loc["village"]
    assert village["double_m"] == pytest.approx(twice, abs=LENGTH_TOL)
    assert village["uncovered_m"] == 0.0
    assert village["percent"] == pytest.approx(100 * (whole - twice) / whole, abs=1e-6)
    assert village["percent"] == pytest.approx(99.25, abs=0.01)  # 30 m of 4 km


def test_what_the_caller_made_is_not_made_again(monkeypatch, toy_result):
    """Given the segmentation, the defects and the chiefs, the audit validates, segments,
    finds and assigns nothing again, and reports what a self-made audit reports."""
    import hzgeo.chiefs
    import hzgeo.segment
    import hzgeo.validate

    boundaries, waters = make_boundaries(), make_waters(RIVER)
    chiefs = _chiefs(toy_result, vacant_reach=("village", V[2]))
    defects = hzgeo.find_defects(boundaries, waters)
    own = audit(boundaries, waters, chiefs=chiefs)

    def refuse(*args, **kwargs):
        raise AssertionError("made again")

    for module, name in [(hzgeo.validate, "find_defects"),
                         (hzgeo.validate, "validate_boundaries"),
                         (hzgeo.validate, "validate_waters"),
                         (hzgeo.segment, "segment_waters"), (hzgeo.chiefs, "assign_chiefs")]:
        monkeypatch.setattr(module, name, refuse)
    given = audit(boundaries, waters, chiefs=chiefs, segmentation=toy_result, defects=defects,
                  officials=pd.DataFrame())  # chiefs given: the officials are not assigned
    assert kinds(given) == kinds(own) == [("no_chief", "village")]
    assert given.defects["measure"].tolist() == own.defects["measure"].tolist()
    pd.testing.assert_frame_equal(given.coverage, own.coverage)
    # segmentation tried and refused already: not tried again, measured on the geometry
    refused = audit(boundaries, waters, defects=defects, refused="villages overlap here")
    assert "refused the data: villages overlap here" in refused.summary["water_duty"]
    assert refused.coverage["percent"].tolist() == [100.0] * 3


def test_defects_given_are_the_defects_reported():
    """The defects handed in are the ones reported (not found again)."""
    b = make_boundaries()
    b.levels["village"] = b["village"].drop(index=1).reset_index(drop=True)
    waters = make_waters(RIVER)
    found = hzgeo.find_defects(b, waters)
    assert found["kind"].tolist() == ["gap"]
    report = audit(b, waters, defects=found.iloc[:0])  # told: no input defects
    assert ("gap", "village") not in kinds(report)
    assert ("uncovered_water", "village") in kinds(report)
    assert ("gap", "village") in kinds(audit(b, waters, defects=found))
    assert kinds(audit(b, None, defects=found.iloc[:0])) == []  # the boundaries alone too


# --------------------------------------------------------------------------- outputs


def test_kinds_are_listed_once_with_their_units():
    assert INFORMATION_KINDS <= set(DEFECT_KINDS)
    module = sys.modules["hzgeo.audit"]  # hzgeo.audit is the function
    for kind in DEFECT_KINDS:
        assert f"``{kind}``" in module.__doc__, kind


def test_write_puts_json_and_gpkg_in_place_together(tmp_path):
    b = make_boundaries()
    b.levels["village"] = b["village"].drop(index=1).reset_index(drop=True)
    report = audit(b, make_waters(RIVER))
    paths = report.write(tmp_path / "out")
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["ok"] is False
    first = doc["defects"][0]
    assert {"kind", "level", "codes", "names", "measure", "unit", "lon", "lat",
            "fixable"} <= set(first)
    assert isinstance(first["codes"], list)
    layer = gpd.read_file(paths["gpkg"], layer="defects")
    assert layer.crs.to_epsg() == 4490
    assert list(layer.columns[:-1]) == list(report.defects.columns[:-1])
    assert layer["kind"].tolist() == [d["kind"] for d in doc["defects"]]
    # which hzgeo measured which data, in both files
    today = datetime.date.today().isoformat()
    assert (doc["summary"]["hzgeo_version"], doc["summary"]["data_date"]) == (
        hzgeo.__version__, today)
    about = pyogrio.read_dataframe(paths["gpkg"], layer="about")
    assert about[["hzgeo_version", "data_date"]].to_dict("records") == [
        {"hzgeo_version": hzgeo.__version__, "data_date": today}]
    dated = audit(b, make_waters(RIVER), data_date="2026-06-30").write(tmp_path / "dated")
    assert pyogrio.read_dataframe(dated["gpkg"], layer="about")["data_date"].tolist() == [
        "2026-06-30"]
    assert json.loads(dated["json"].read_text("utf-8"))["summary"]["data_date"] == "2026-06-30"
    # a failure while writing leaves neither file
    target = tmp_path / "again"

    class Boom(Exception):
        pass

    def failing(*args, **kwargs):
        raise Boom

    report.to_file = failing
    with pytest.raises(Boom):
        report.write(target)
    assert not target.exists() or list(target.iterdir()) == []


def test_check_command_exit_status_and_files(tmp_path, capsys):
    b = make_boundaries()
    bowtie = shapely.Polygon([(400_000, 2_560_000), (401_000, 2_561_000),
                              (401_000, 2_560_000), (400_000, 2_561_000)])
    b["village"].loc[0, "geometry"] = bowtie
    b["village"].loc[3, "parent_code"] = "450802009"
    path = tmp_path / "b.gpkg"
    for level, frame in b.levels.items():
        frame.to_file(path, layer=level)
    make_waters(RIVER).rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    args = ["check", "--boundaries", str(path), "--waters", str(tmp_path / "r.gpkg"),
            "--json", str(tmp_path / "a.json"), "--out", str(tmp_path / "d.gpkg")]
    assert main(args) == 1  # a finding, not unreadable input
    out = capsys.readouterr().out
    assert "invalid_geometry" in out and "code_mismatch" in out
    assert "could not be measured on the reaches" in out
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    found = {d["kind"] for d in doc["defects"]}
    assert {"invalid_geometry", "code_mismatch", "gap"} <= found
    bow = next(d for d in doc["defects"] if d["kind"] == "invalid_geometry")
    assert bow["fixable"] is True
    assert shapely.Point(*_TO_LOCAL.transform(bow["lon"], bow["lat"])).distance(
        shapely.Point(400_500, 2_560_500)) < 1e-3
    assert main(["check", "--boundaries", str(tmp_path / "missing.gpkg")]) == 2
    assert not (tmp_path / "x.json").exists()


def test_the_bundled_data_audits_clean(tmp_path, capsys):
    assert main(["check", "--json", str(tmp_path / "a.json")]) == 0
    out = capsys.readouterr().out
    assert "village: 652.36 km of river, 100.000 % with exactly one chief" in out  # sample holders
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert doc["ok"] is True
    assert {d["kind"] for d in doc["defects"]} <= INFORMATION_KINDS
    outside = [d for d in doc["defects"] if d["kind"] == "outside_city"]
    assert all(d["measure"] > 0 for d in outside)
    assert np.isfinite([d["lon"] for d in doc["defects"]]).all()


def test_duplicate_codes_are_a_finding_not_unreadable_input(tmp_path, capsys):
    b = make_boundaries()
    village = b["village"]
    halves = village.iloc[[1, 1]].copy()  # 二村 digitised as two halves, one code
    halves["geometry"] = [box(1000, 1500), box(1500, 2000)]
    b.levels["village"] = pd.concat([village.drop(index=1), halves], ignore_index=True)
    path = tmp_path / "b.gpkg"
    for level, frame in b.levels.items():
        frame.to_file(path, layer=level)
    make_waters(RIVER).rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    args = ["check", "--boundaries", str(path), "--waters", str(tmp_path / "r.gpkg"),
            "--json", str(tmp_path / "a.json")]
    assert main(args) == 1
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert [(d["kind"], d["level"], d["codes"]) for d in doc["defects"]] == [
        ("duplicate_code", "village", [V[1]])]
    assert "duplicate codes: village 450802001002" in doc["summary"]["water_duty"]
    assert doc["summary"]["coverage"]["village"]["percent"] == 100.0
    assert main(["segment", "--boundaries", str(path), "--out", str(tmp_path / "s.gpkg")]) == 2
    capsys.readouterr()


def _lake(geom, code="L1", name="甲湖"):
    return gpd.GeoDataFrame({"code": [code], "name": [name], "kind": ["lake"], "scale": [""],
                             "commander_county": [""], "synthetic": [True]},
                            geometry=[geom], crs=CRS)


def test_a_lake_on_overlapping_villages_is_counted_twice_there():
    """No river runs in the overlap, so segmentation runs; the zones of the lake add up to
    more than the lake by the overlap's share of it, at the village level only."""
    b = make_boundaries()
    b["village"].loc[0, "geometry"] = box(0, 1030)  # 一村 reaches 30 m into 二村
    lake = box(800, 1200, 100, 300)
    waters = make_waters(line((2100, 500), (3900, 500)), lakes=_lake(lake))
    report = audit(b, waters)
    assert kinds(report) == [("double_counted_water", "village"), ("overlap", "village")]
    d = report.defects.set_index("kind")
    twice = box(1000, 1030, 100, 300)
    assert d.loc["double_counted_water", "measure"] == pytest.approx(geodesic_area(twice),
                                                                     rel=1e-6)
    assert d.loc["double_counted_water", "unit"] == "m2"
    assert d.loc["double_counted_water", "water_code"] == "L1"
    assert d.loc["double_counted_water", "codes"] == f"{V[0]},{V[1]}"
    assert twice.contains(local_point(d.loc["double_counted_water"]))
    assert "measured on the reaches" in report.summary["water_duty"]
    cover = report.coverage.set_index("level")
    assert cover.loc["village", "lake_m2"] == pytest.approx(geodesic_area(lake), rel=1e-6)
    assert cover.loc["village", "lake_percent"] == pytest.approx(
        100 * (1 - geodesic_area(twice) / geodesic_area(lake)), abs=1e-6)
    assert cover.loc["township", "lake_percent"] == pytest.approx(100.0, abs=1e-6)


def test_a_lake_in_a_deleted_village_is_uncovered_by_its_area():
    b = make_boundaries()
    b.levels["village"] = b["village"].drop(index=1).reset_index(drop=True)  # 二村
    lake = box(1200, 1400, 100, 300)
    report = audit(b, make_waters(line((2100, 500), (3900, 500)), lakes=_lake(lake)))
    assert kinds(report) == [("gap", "village"), *[("uncovered_water", lvl) for lvl in
                                                   ("county", "township", "village")]]
    for row in report.defects[report.defects["kind"] == "uncovered_water"].itertuples():
        assert row.measure == pytest.approx(geodesic_area(lake), rel=1e-6)
        assert row.unit == "m2" and row.water_code == "L1"


@pytest.fixture(scope="module")
def guigang_reaches():
    boundaries, waters = hzgeo.datasets.guigang()
    return hzgeo.segment_waters(boundaries, waters)


def test_check_with_officials_finds_a_vacant_village_post(tmp_path, capsys, guigang_reaches):
    """The bundled (fictional) office holders with one village's secretary struck out:
    that village's reaches have no chief, found with their lengths, and nothing else."""
    village = guigang_reaches.reaches["village"]
    code = village["admin_code"].value_counts().index[0]  # a village with several reaches
    mine = village[village["admin_code"] == code]
    table = pd.read_csv(hzgeo.datasets.guigang_officials(), dtype=str, encoding="utf-8-sig")
    table[table["行政区划代码"] != code].to_csv(tmp_path / "o.csv", index=False)
    args = ["check", "--officials", str(tmp_path / "o.csv"), "--json", str(tmp_path / "a.json")]
    assert main(args) == 1
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    found = [d for d in doc["defects"] if not d["information"]]
    assert {(d["kind"], d["level"], tuple(d["codes"])) for d in found} == {
        ("no_chief", "village", (code,))}
    lengths = [_GEOD.geometry_length(g) for g in mine.geometry]  # Geod on the reach lines
    assert sorted(d["measure"] for d in found) == pytest.approx(sorted(lengths), abs=0.01)
    village_cover = doc["summary"]["coverage"]["village"]
    assert village_cover["basis"] == "chief"
    assert village_cover["vacant_m"] == pytest.approx(
        mine.drop_duplicates(["river_code", "from_km"])["length_m"].sum(), abs=0.01)
    out = capsys.readouterr().out
    assert "with exactly one chief" in out and "note: 1 post(s) vacant" in out
    assert main(["check", "--officials", str(tmp_path / "missing.csv"), "-q"]) == 2


def test_check_passes_its_options_to_the_library(monkeypatch, tmp_path):
    module = sys.modules["hzgeo.audit"]
    seen = {}
    real = module.audit

    def spy(boundaries, waters, **options):
        seen.update(options)
        return real(boundaries, waters, **options)

    monkeypatch.setattr(module, "audit", spy)
    b = make_boundaries()
    path = tmp_path / "b.gpkg"
    for level, frame in b.levels.items():
        frame.to_file(path, layer=level)
    make_waters(RIVER).rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    rules = tmp_path / "rules.toml"
    rules.write_text("", encoding="utf-8")
    assert main(["check", "--boundaries", str(path), "--waters", str(tmp_path / "r.gpkg"),
                 "--max-reaches-per-chief", "9", "--min-area", "5", "--min-width", "2",
                 "--min-length", "40", "--boundary-tolerance", "7", "--rules", str(rules),
                 "-q"]) == 0
    assert {k: seen[k] for k in ("overloaded_limit", "min_area_m2", "min_width_m",
                                 "min_length", "boundary_tolerance")} == {
        "overloaded_limit": 9, "min_area_m2": 5.0, "min_width_m": 2.0, "min_length": 40.0,
        "boundary_tolerance": 7.0}
    assert seen["rules"] is not None and seen["officials"] is None


def test_river_defects_keep_their_stable_names_and_measures():
    r1 = RIVER
    r2 = line((2500, 900), (2500, 600))  # ends 100 m short of R1, which it flows into
    r3 = line((3500, 900), (3500, 510))  # flows into a river that is not there
    waters = make_waters(r1, r2, r3, flows_into=["", "R1", "R9"])
    report = audit(make_boundaries(), waters)
    assert kinds(report) == [("mouth_off_river", "rivers"), ("unknown_flows_into", "rivers")]
    d = report.defects.set_index("kind")
    assert d.loc["mouth_off_river", "water_code"] == "R2"
    assert d.loc["mouth_off_river", "measure"] == pytest.approx(100.0, abs=1e-6)  # work CRS
    assert local_point(d.loc["mouth_off_river"]).distance(shapely.Point(402_500, 2_560_600)) \
        < 1e-3
    assert d.loc["unknown_flows_into", "water_code"] == "R3"
    assert np.isnan(d.loc["unknown_flows_into", "measure"])


def test_a_near_miss_edge_is_measured_by_its_length():
    b = make_boundaries()
    # 二村's west edge gets a vertex that 一村's east edge lacks
    b["village"].loc[1, "geometry"] = shapely.Polygon(
        [(401_000, 2_560_000), (402_000, 2_560_000), (402_000, 2_561_000),
         (401_000, 2_561_000), (401_000, 2_560_500)])
    report = audit(b, make_waters(RIVER))
    assert kinds(report) == [("near_miss_edge", "village")] * 2
    near = report.defects
    assert sorted(near["codes"]) == [V[0], V[1]]
    assert near["fixable"].all()
    edge = line((1000, 0), (1000, 1000))
    assert near["measure"].tolist() == pytest.approx([geodesic(edge)] * 2, abs=LENGTH_TOL)
    for _, row in near.iterrows():
        assert edge.distance(local_point(row)) < 1e-3


def test_a_sliver_is_information_and_its_length_stays_covered():
    river = line((500, 500), (1010, 500))  # its last 10 m lie in 二村
    report = audit(make_boundaries(), make_waters(river))
    assert report.ok
    assert kinds(report) == [("sliver", "village")]
    row = report.defects.iloc[0]
    assert row["codes"] == V[1] and row["information"]
    assert row["measure"] == pytest.approx(geodesic(line((1000, 500), (1010, 500))),
                                           abs=LENGTH_TOL)
    assert box(1000, 1010).buffer(0.01).contains(local_point(row))
    assert report.coverage["percent"].tolist() == pytest.approx([100.0] * 3, abs=1e-9)


# --------------------------------------------------------------------------- what mutation
# testing found untested (benchmarks/mutation.sh): the text, the JSON lists, one input alone,
# the chief rows of zones, main rivers and meetings


def test_the_text_counts_and_names_the_largest_defects():
    """二村 deleted: its square a gap of 甲镇, the river uncovered there at every level;
    amounts in the text from the hand-computed measures (m below 10 km, km² from 0.1 km²)."""
    b = make_boundaries()
    b.levels["village"] = b["village"].drop(index=1).reset_index(drop=True)
    report = audit(b, make_waters(RIVER))
    lines = report.text().splitlines()
    area, through = geodesic_area(box(1000, 2000)), geodesic(line((1000, 500), (2000, 500)))
    assert lines[0] == "4 defect(s):"
    assert lines[1].split() == ["gap", "village", "1,", f"{area / 1e6:.3f}", "km²", "in", "all"]
    for line_, level in zip(lines[2:5], ("county", "township", "village"), strict=True):
        assert line_.split() == ["uncovered_water", level, "1,", f"{through:,.1f}", "m", "in",
                                 "all"]
    assert lines[5] == "largest defects (of 4):"
    assert lines[6].startswith(f"  gap (village): {area / 1e6:.3f} km² in 甲镇 (450802001) at ")
    described = {line_.split(":")[0].strip(): line_ for line_ in lines[7:10]}
    assert described["uncovered_water (village)"].startswith(
        f"  uncovered_water (village): {through:,.1f} m 河1 in 甲镇 (450802001) at ")
    assert described["uncovered_water (township)"].startswith(
        f"  uncovered_water (township): {through:,.1f} m 河1 in 港北区 (450802) at ")
    lon, lat = (float(x) for x in lines[6].rsplit(" at ", 1)[1].split(", "))
    assert box(1000, 2000).contains(shapely.Point(*_TO_LOCAL.transform(lon, lat)))
    assert "chief duty not checked: no office holders given" in lines
    assert lines[-1].startswith("village: 4.00 km of river, ")
    assert lines[-1].endswith(f"{100 * (1 - through / geodesic(RIVER)):.3f} % with exactly "
                              "one unit")
    # ten kilometres and more in km; information counted apart
    far = audit(make_boundaries(), make_waters(line((2000, 500), (16000, 500))))
    outside = _GEOD.line_length(*_TO_LONLAT.transform([X0 + 4000, X0 + 16000], [Y0 + 500] * 2))
    text = far.text().splitlines()
    assert text[:2] == ["no defects", "1 for information:"]
    assert text[2].split() == ["outside_city", "-", "1,", f"{outside / 1000:.2f}", "km", "in",
                               "all"]
    assert f"{outside / 1000:.2f}" == "12.00"


def test_the_json_and_gpkg_have_their_names_and_lists(tmp_path):
    b = make_boundaries()
    b["village"].loc[0, "geometry"] = box(30, 1030)  # overlap of 一村 and 二村, gap in 一村
    report = audit(b, make_waters(RIVER))
    paths = report.write(tmp_path)
    assert paths == {"json": tmp_path / "audit.json", "gpkg": tmp_path / "defects.gpkg"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json", "defects.gpkg"]
    text = paths["json"].read_bytes().decode("utf-8")
    assert "一村" in text  # UTF-8, not \\u escapes
    doc = json.loads(text)
    overlap = next(d for d in doc["defects"] if d["kind"] == "overlap")
    assert overlap["codes"] == [V[0], V[1]] and overlap["names"] == ["一村", "二村"]
    gap = next(d for d in doc["defects"] if d["kind"] == "gap")
    assert gap["codes"] == [T[0]] and gap["names"] == ["甲镇"]


def test_one_input_alone_is_audited_for_its_own_defects():
    b = make_boundaries()
    b.levels["village"] = b["village"].drop(index=1).reset_index(drop=True)
    alone = audit(b, None)
    assert kinds(alone) == [("gap", "village")]
    assert alone.summary["water_duty"] == ("not checked: the rivers and lakes and the water "
                                           "duty (no waters given)")
    waters = make_waters(RIVER, line((3500, 900), (3500, 510)), flows_into=["", "R9"])
    rivers = audit(None, waters)
    assert kinds(rivers) == [("unknown_flows_into", "rivers")]
    assert rivers.summary["chief_duty"] == "not checked: no boundaries given"
    assert rivers.defects["water_code"].tolist() == ["R2"]


def test_chief_rows_of_a_lake_zone_a_main_river_and_a_meeting(toy_result):
    """A vacant zone is ``no_chief`` in m² with its unit; a main river without its city
    chief is ``no_chief`` at the city level with its length inside the city; a meeting
    without a convenor names its member counties and carries its note."""
    lake = box(2200, 2600, 100, 300)  # in 三村
    waters = make_waters(RIVER, lakes=_lake(lake))
    result = hzgeo.segment_waters(make_boundaries(), waters)
    chiefs = _chiefs(result, convenor=False)
    zones = chiefs.zones["village"]
    assert zones["admin_code"].tolist() == [V[2]]
    zones["chief_required"], zones["vacant"] = True, True
    chiefs = dataclasses.replace(chiefs, city_chiefs=pd.DataFrame(
        {"river_code": ["R1"], "river_name": ["河1"], "main_river": ["河1"], "post": ["副市长"],
         "chief_name": [None], "chief_phone": [None], "vacant": [True]}))
    chiefs.joint_meetings.loc[0, "note"] = "两区同长"
    report = audit(make_boundaries(), waters, chiefs=chiefs, segmentation=result)
    assert kinds(report) == [("no_chief", "city"), ("no_chief", "village"),
                             ("no_convenor", "county")]
    d = report.defects.set_index(["kind", "level"])
    zone = d.loc[("no_chief", "village")]
    assert (zone["unit"], zone["codes"], zone["names"], zone["water_code"]) == (
        "m2", V[2], "三村", "L1")
    assert zone["measure"] == pytest.approx(geodesic_area(lake), rel=AREA_TOL)
    assert lake.buffer(1).contains(local_point(zone))
    city = d.loc[("no_chief", "city")]
    assert (city["unit"], city["water_code"], city["codes"]) == ("m", "R1", "")
    assert city["measure"] == pytest.approx(geodesic(RIVER), abs=LENGTH_TOL)
    assert "no city chief" in city["detail"]
    meeting = d.loc[("no_convenor", "county")]
    # 港南区 is not in the toy boundaries: its code stands for its name
    assert meeting["codes"] == "450802,450803" and meeting["names"] == "港北区,450803"
    assert meeting["detail"].endswith("has no convenor: 两区同长")
    lines = report.text().splitlines()
    assert not [line_ for line_ in lines if line_.startswith("chief duty")]  # checked
    counts = [line_.split() for line_ in lines[1:4]]
    assert counts[2] == ["no_convenor", "county", "1"]  # nothing measured, no amount
    assert counts[0] == ["no_chief", "city", "1,", f"{geodesic(RIVER):,.1f}", "m", "in", "all"]
