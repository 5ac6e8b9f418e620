"""``--county`` means one thing in every command: the work is limited to that county
before anything is segmented. Checked on what each command writes, against the county's
clip of the rivers measured here with pyproj.Geod from the bundled files read directly."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Geod

from hzgeo import datasets
from hzgeo.cli import main

COUNTY, NAME, CITY = "450802", "港北区", "450800"
GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid


@pytest.fixture(scope="module")
def reference():
    """The county polygon (lon/lat), each river's geodesic length inside it, and the
    rivers that follow its border for a kilometre or more (界河: counted in full by the
    county, both banks, so longer than the clip)."""
    counties = pyogrio.read_dataframe(datasets.get_path("boundaries"), layer="county")
    rivers = pyogrio.read_dataframe(datasets.get_path("waters"), layer="rivers")
    counties, rivers = counties.to_crs("EPSG:4490"), rivers.to_crs("EPSG:4490")
    polygon = counties.loc[counties["code"] == COUNTY].geometry.iloc[0]
    border = shapely.buffer(polygon.boundary, 0.0005)  # about 50 m
    clip, along = {}, set()
    for code, geom in zip(rivers["river_code"], rivers.geometry, strict=True):
        inside = GEOD.geometry_length(shapely.intersection(geom, polygon))
        if inside > 1.0:  # a touch (R04 ends on the border) makes no reach
            clip[code] = inside
        if GEOD.geometry_length(shapely.intersection(geom, border)) > 1000:
            along.add(code)
    assert clip and set(clip) - along  # rivers to compare exactly, and a 界河
    return polygon, clip, along


def _lengths_match(per_river: pd.Series, reference, tolerance_m: float) -> None:
    """Every river's length equals its clip (a 界河: at least its clip); no other river."""
    _, clip, along = reference
    per_river = per_river[per_river > 0]
    assert set(per_river.index) == set(clip), (per_river, clip)
    for code, metres in per_river.items():
        if code in along:
            assert metres >= clip[code] - tolerance_m, code
        else:
            assert metres == pytest.approx(clip[code], abs=tolerance_m), code


def _inside(frame, reference, metres: float = 30.0) -> bool:
    polygon = reference[0]
    geoms = frame.to_crs("EPSG:4490").geometry.values
    return bool(shapely.within(geoms, shapely.buffer(polygon, metres / 1e5)).all())


def _segments(path, reference) -> dict:
    layers = {}
    for level in ("county", "township", "village"):
        frame = pyogrio.read_dataframe(path, layer=f"reaches_{level}")
        assert len(frame) and frame["admin_code"].str.startswith(COUNTY).all(), level
        assert _inside(frame, reference), level
        primary = frame[frame["primary"].astype(bool)] if "primary" in frame else frame
        _lengths_match(primary.groupby("river_code")["length_m"].sum(), reference, 0.5)
        layers[level] = frame
    return layers


def test_segment(tmp_path, reference):
    out = tmp_path / "s.gpkg"
    assert main(["segment", "--county", NAME, "--out", str(out), "-q"]) == 0
    _segments(out, reference)


def test_run(tmp_path, reference, capsys):
    out = tmp_path / "o"
    assert main(["run", "--county", COUNTY, "--no-maps", "--out", str(out)]) == 0
    assert f"limited to {COUNTY} {NAME}" in capsys.readouterr().out
    _segments(out / "segments.gpkg", reference)
    village = pd.read_csv(out / "directory.村级河段.csv", dtype=str, encoding="utf-8-sig")
    assert village["行政区划代码"].str.startswith(COUNTY).all()
    layers = {name for name, _ in pyogrio.list_layers(out / "field.gpkg")}
    assert {"confluences", "notice_boards"} <= layers
    for layer in layers:
        frame = pyogrio.read_dataframe(out / "field.gpkg", layer=layer)
        if layer == "confluences":
            # the mouths of rivers leaving the county (郁江 into 浔江, which is kept for
            # the flow direction) lie outside it: listed without a unit
            away = frame["county_code"] == ""
            assert "R03" in set(frame.loc[away, "river_code"])
            assert not shapely.intersects(frame[away].to_crs("EPSG:4490").geometry.values,
                                          reference[0]).any()
            frame = frame[~away]
        if layer == "about":
            continue
        if layer == "cross_sections":  # where the rivers enter and leave the county
            codes = frame["upstream_code"] + frame["downstream_code"]
        else:
            codes = frame["county_code" if "county_code" in frame else "village_code"]
        assert len(frame) and codes.str.startswith(COUNTY).all(), layer
        assert _inside(frame, reference), layer
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["ok"]
    codes = {c for d in audit["defects"] for c in d.get("codes") or []}
    assert all(c.startswith((COUNTY, CITY)) for c in codes), codes


def test_roster(tmp_path, reference):
    out = tmp_path / "d.csv"
    assert main(["roster", "--county", NAME, "--out", str(out), "-q"]) == 0
    county = pd.read_csv(tmp_path / "d.县级河段.csv", dtype=str, encoding="utf-8-sig")
    assert set(county["行政区划代码"]) == {COUNTY}
    km = county.assign(km=county["长度（公里）"].astype(float)).groupby("河流编码")["km"].sum()
    _lengths_match(km * 1000, reference, 6.0)  # the directory rounds to 10 m
    village = pd.read_csv(tmp_path / "d.村级河段.csv", dtype=str, encoding="utf-8-sig")
    assert village["行政区划代码"].str.startswith(COUNTY).all()
    assert (village["河长"] != "（空缺）").all()  # the county's own office holders


def test_map(tmp_path, reference):
    seg = tmp_path / "s.gpkg"
    assert main(["segment", "--county", COUNTY, "--out", str(seg), "-q"]) == 0
    expected = {lvl: set(pyogrio.read_dataframe(seg, layer=f"reaches_{lvl}")["reach_code"])
                for lvl in ("county", "township", "village")}
    out = tmp_path / "m.html"
    assert main(["map", "--county", COUNTY, "--out", str(out), "-q"]) == 0
    page = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r"hzgeoDraw\(map_\w+, (\{.*\})\);", page).group(1))
    shown = {layer["key"]: {f["properties"]["r"] for f in layer["reaches"]["features"]}
             for layer in data["levels"]}
    assert shown == expected
    assert all(f["properties"]["c"].startswith((COUNTY, CITY))
               for units in data["units"] for f in units["features"]["features"])


def test_sections_and_boards(tmp_path, reference):
    out = tmp_path / "s.gpkg"
    assert main(["sections", "--county", NAME, "--township", "--out", str(out), "-q"]) == 0
    sections = pyogrio.read_dataframe(out, layer="cross_sections")
    assert len(sections) and _inside(sections, reference)
    assert (sections["upstream_code"] + sections["downstream_code"]).str.startswith(
        COUNTY).all()
    boards = tmp_path / "b.gpkg"
    assert main(["boards", "--county", NAME, "--out", str(boards), "-q"]) == 0
    found = pyogrio.read_dataframe(boards, layer="notice_boards")
    assert len(found) and (found["county_code"] == COUNTY).all()
    assert _inside(found, reference)


def test_check(tmp_path, reference):
    out = tmp_path / "a.json"
    assert main(["check", "--county", COUNTY, "--json", str(out), "-q"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["chief_duty"] == "checked"  # the county's office holders fit
    cover = report["summary"]["coverage"]["county"]
    _, clip, _ = reference
    assert cover["water_m"] >= sum(clip.values()) - 1
