"""``--county`` means one thing in every command: the work is limited to that county
before anything is segmented. Checked on what each command writes, against the county's
clip of the rivers measured here with pyproj.Geod from the bundled files read directly."""

from __future__ import annotations

import json
import re

import numpy as np
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
        if layer == "cross_sections":  # where the county is on either side
            assert len(frame) and _touching(frame, COUNTY).all()
        else:
            codes = frame["county_code" if "county_code" in frame else "village_code"]
            assert len(frame) and codes.str.startswith(COUNTY).all(), layer
        assert _inside(frame, reference), layer
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["ok"]
    # the words of a county run are the county's: what lies outside is outside 港北区,
    # the boards give the river's length in it, the city chiefs are those of the main
    # rivers that run in it (not 浔江, kept for the flow direction, nor 鲤鱼江, which
    # only touches it)
    outside = [d["detail"] for d in audit["defects"] if d["kind"] == "outside_city"]
    assert outside and all(f"outside the county {NAME}" in d for d in outside), outside
    boards = pd.read_csv(out / "field.notice_boards.csv", dtype=str, encoding="utf-8-sig")
    described = boards["河湖简介"].dropna()
    assert described.str.contains(f"{NAME}内长").any()
    assert not described.str.contains("市内长").any()
    city = pd.read_csv(out / "directory.市级河长.csv", dtype=str, encoding="utf-8-sig")
    mains = set(pyogrio.read_dataframe(datasets.get_path("waters"), layer="rivers",
                                       columns=["river_code", "main"]).query("main == 1")[
        "river_code"])
    assert set(city["河流编码"].dropna()) == mains & set(reference[1]) == {"R03"}
    for row in audit["defects"]:  # a 界河 names the unit across (港南区) second
        codes = row.get("codes") or []
        codes = codes[:1] if row["kind"] == "boundary_reach" else codes
        assert all(c.startswith((COUNTY, CITY)) for c in codes), row


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
    assert _touching(sections, COUNTY).all()  # the county on either side
    boards = tmp_path / "b.gpkg"
    assert main(["boards", "--county", NAME, "--out", str(boards), "-q"]) == 0
    found = pyogrio.read_dataframe(boards, layer="notice_boards")
    assert len(found) and (found["county_code"] == COUNTY).all()
    assert _inside(found, reference)
    # as `hzgeo run` does: the village reaches under the board length (200 m in the
    # bundled rules) are listed, those with a chief, one row per 界河 (either bank)
    from hzgeo.inputs import load

    short = pyogrio.read_dataframe(boards, layer="short_reaches")
    inputs = load(county=NAME)
    village = inputs.assign_chiefs(inputs.segment()).reaches["village"]
    under = village[village["chief_required"].astype(bool) & (village["length_m"] < 200)]
    assert len(short) and (short["length_m"] < 200).all()
    assert set(short["reach_code"]) <= set(under["reach_code"])
    banks = under.assign(key=under["river_code"] + under["from_km"].round(6).astype(str))
    listed = banks[banks["reach_code"].isin(short["reach_code"])]
    assert set(listed["key"]) == set(banks["key"]), "a short reach is not listed"
    table = tmp_path / "b.csv"
    assert main(["boards", "--county", NAME, "--out", str(table), "-q"]) == 0
    assert len(pd.read_csv(table, encoding="utf-8-sig")) == len(found)
    short_csv = pd.read_csv(tmp_path / "b.short_reaches.csv", dtype=str, encoding="utf-8-sig")
    assert set(short_csv["河段编码"]) == set(short["reach_code"])


def test_check(tmp_path, reference):
    out = tmp_path / "a.json"
    assert main(["check", "--county", COUNTY, "--json", str(out), "-q"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["chief_duty"] == "checked"  # the county's office holders fit
    cover = report["summary"]["coverage"]["county"]
    _, clip, _ = reference
    assert cover["water_m"] >= sum(clip.values()) - 1


# ------------------------------------------------- every county: no gap that is not there

COUNTIES = ["450802", "450803", "450804", "450821", "450881"]
LEVELS = ("county", "township", "village")
EXACT_M = 0.01  # a river not on the county border: its reaches add up to its clip, to 1 cm


@pytest.fixture(scope="module")
def files():
    """The bundled counties, villages and rivers read from the files, in lon/lat."""
    path = datasets.get_path("boundaries")
    layers = {name: pyogrio.read_dataframe(path, layer=name).to_crs("EPSG:4490")
              for name in ("county", "village")}
    rivers = pyogrio.read_dataframe(datasets.get_path("waters"), layer="rivers")
    return layers["county"], layers["village"], rivers.to_crs("EPSG:4490")


def _geodesic(geoms, crs="EPSG:4490") -> float:
    import geopandas as gpd

    lonlat = gpd.GeoSeries(list(geoms), crs=crs).to_crs("EPSG:4490")
    return float(sum(GEOD.geometry_length(g) for g in lonlat if g is not None))


def _county_reference(files, code):
    """Per river inside the county: the geodesic length of its clip by the county polygon,
    whether it follows the border (a kilometre within about 50 m of it: a 界河, shared
    with the county across and counted in full), and for those the lengths of the river
    within the polygon shrunk and grown by the river's tolerance (its ``accuracy_m``, else
    20 m): a 界河 reach ends within the tolerance of the border."""
    counties, _, rivers = files
    polygon = counties.loc[counties["code"] == code].geometry.iloc[0]
    border = shapely.buffer(polygon.boundary, 0.0005)
    metric = counties.to_crs("EPSG:4546")
    poly_m = metric.loc[metric["code"] == code].geometry.iloc[0]
    rivers_m = rivers.to_crs("EPSG:4546")
    out = {}
    for i, (river, geom) in enumerate(zip(rivers["river_code"], rivers.geometry, strict=True)):
        clip = GEOD.geometry_length(shapely.intersection(geom, polygon))
        if clip <= 1.0:
            continue
        tol = rivers["accuracy_m"].iloc[i]
        tol = float(tol) if pd.notna(tol) and tol > 0 else 20.0
        line = rivers_m.geometry.iloc[i]
        out[river] = {
            "clip": clip,
            "along": GEOD.geometry_length(shapely.intersection(geom, border)) > 1000,
            "inner": _geodesic([shapely.intersection(line, shapely.buffer(poly_m, -tol))],
                               "EPSG:4546"),
            "outer": _geodesic([shapely.intersection(line, shapely.buffer(poly_m, tol))],
                               "EPSG:4546")}
    return out


@pytest.fixture(scope="module")
def whole_city():
    """The whole city's reaches: a county run publishes those of its county's units."""
    from hzgeo import segment_waters

    return segment_waters(*datasets.guigang())


@pytest.mark.parametrize("code", COUNTIES)
def test_county_check_finds_no_uncovered_water_and_measures_the_clip(tmp_path, files, code):
    """`hzgeo check --county` of each county: no uncovered or double water, every level at
    100 %, and the water it measures is the rivers' clip by the county (a 界河 on the
    border in full, between the clips by the county shrunk and grown by its tolerance)."""
    out = tmp_path / "a.json"
    assert main(["check", "--county", code, "--json", str(out), "-q"]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    wrong = [d for d in report["defects"] if not d["information"]]
    assert not wrong, wrong
    reference = _county_reference(files, code)
    exact = sum(r["clip"] for r in reference.values() if not r["along"])
    inner = exact + sum(r["inner"] for r in reference.values() if r["along"])
    outer = exact + sum(r["outer"] for r in reference.values() if r["along"])
    for level in LEVELS:
        cover = report["summary"]["coverage"][level]
        assert cover["uncovered_m"] < 1e-3 and cover["double_m"] < 1e-3, (level, cover)
        assert cover["percent"] == pytest.approx(100.0, abs=1e-6), (level, cover)
        assert inner - EXACT_M <= cover["water_m"] <= outer + EXACT_M, (level, cover)
        if not any(r["along"] for r in reference.values()):
            assert cover["water_m"] == pytest.approx(exact, abs=EXACT_M * len(reference))


@pytest.mark.parametrize("code", COUNTIES)
def test_county_reaches_add_up_to_the_clip_and_are_the_whole_citys(tmp_path, capsys, files,
                                                                  whole_city, code):
    """`hzgeo segment --county`: per level and river, the reaches counted once add up to
    the river's clip by the county within 1 cm (a 界河 on the border: to the length the
    county holds in the whole city, both banks, between the shrunk and grown clips); the
    rows are the whole city's rows of the county; and no note on the rivers kept only for
    the flow direction."""
    out = tmp_path / "s.gpkg"
    assert main(["segment", "--county", code, "--out", str(out)]) == 0
    assert "no length inside" not in capsys.readouterr().out
    reference = _county_reference(files, code)
    for level in LEVELS:
        frame = pyogrio.read_dataframe(out, layer=f"reaches_{level}")
        whole = whole_city.reaches[level]
        whole = whole[whole["admin_code"].str.startswith(code)]  # the sample's codes nest
        counted = frame[frame["primary"].astype(bool)].groupby("river_code")["length_m"].sum()
        counted = counted[counted > 0]
        assert set(counted.index) == set(reference), (level, counted, reference)
        for river, metres in counted.items():
            ref = reference[river]
            if not ref["along"]:
                assert metres == pytest.approx(ref["clip"], abs=EXACT_M), (level, river)
                continue
            # both banks in the county: once; the bank across in another county: in full
            once = whole["primary"] | ~whole["shared_with"].str.startswith(code)
            held = whole.loc[once & (whole["river_code"] == river), "length_m"].sum()
            assert metres == pytest.approx(held, abs=1e-6), (level, river)
            assert ref["inner"] - EXACT_M <= metres <= ref["outer"] + EXACT_M, (level, river)
        keys = ["reach_code", "river_code", "admin_code", "shared_with", "start_desc",
                "end_desc"]
        mine = frame[keys].sort_values("reach_code").reset_index(drop=True)
        theirs = whole[keys].sort_values("reach_code").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, theirs, check_dtype=False)
        both = frame.merge(whole, on="reach_code", suffixes=("", "_whole"))
        for column in ("from_km", "to_km", "length_m"):
            assert (both[column] - both[f"{column}_whole"]).abs().max() < 1e-6, column


def _without_village(boundaries, code):
    from hzgeo.model import Boundaries

    levels = dict(boundaries.levels)
    levels["village"] = levels["village"][levels["village"]["code"] != code]
    return Boundaries(levels, dict(boundaries.origin))


def test_a_village_removed_is_uncovered_water_in_a_county_run(files):
    """A village of 覃塘区 taken away, away from the county border: the county run
    reports the river through it as uncovered at every level, as long as its clip."""
    from hzgeo.inputs import load

    counties, villages, rivers = files
    county = counties.loc[counties["code"] == "450804"].geometry.iloc[0]
    river = rivers.loc[rivers["river_code"] == "R11"].geometry.iloc[0]
    inner = shapely.buffer(county, -0.002)  # about 200 m inside the county border
    mine = villages[villages["code"].str.startswith("450804")]
    through = {c: GEOD.geometry_length(shapely.intersection(river, g))
               for c, g in zip(mine["code"], mine.geometry, strict=True)
               if shapely.within(shapely.intersection(river, g), inner)}
    code, expected = max(through.items(), key=lambda kv: kv[1])
    assert expected > 500
    boundaries, waters = datasets.guigang()
    report = load(_without_village(boundaries, code), waters, county="450804").audit()
    assert not report.ok
    found = report.defects[(report.defects["kind"] == "uncovered_water")
                           & (report.defects["water_code"] == "R11")]
    assert sorted(found["level"]) == sorted(LEVELS)
    for metres in found["measure"]:  # the audit allows 1 cm at each end of a reach
        assert metres == pytest.approx(expected, abs=0.05)
    cover = report.coverage.set_index("level")
    for level, row in cover.iterrows():
        assert row["percent"] == pytest.approx(100 * (1 - expected / row["water_m"]),
                                               abs=1e-3), level


def test_a_village_removed_on_the_county_border_is_still_a_defect():
    """A village of 覃塘区 on the 郁江 border with 港南区 taken away: the county run is not
    clean (the gap in the villages is reported), as the whole city's is not."""
    from hzgeo.inputs import load

    boundaries, waters = datasets.guigang()
    river = waters.rivers.loc[waters.rivers["river_code"] == "R03"].to_crs("EPSG:4490")
    villages = boundaries["village"].to_crs("EPSG:4490")
    mine = villages[villages["code"].str.startswith("450804")]
    hit = mine[shapely.intersects(mine.geometry.values, river.geometry.iloc[0])]
    code = str(hit["code"].iloc[0])
    less = _without_village(boundaries, code)
    for county in ("450804", None):
        report = load(less, waters, county=county).audit()
        assert not report.ok, county
        assert "gap" in set(report.defects.loc[~report.defects["information"].astype(bool),
                                               "kind"]), county


def test_a_mouth_outside_the_county_is_said_to_be_outside_the_county():
    """The note of a confluence outside the area names the county of a county run (not
    the city: 河口不在市域内 is a whole-city run's)."""
    import dataclasses

    from hzgeo.field.confluences import confluences
    from hzgeo.inputs import load

    inputs = load(county=NAME)
    result = inputs.segment()
    found = confluences(result, inputs.waters, inputs.boundaries)
    away = found[found["county_code"] == ""]
    assert "R03" in set(away["river_code"])  # 郁江 into 浔江, outside 港北区
    assert set(away["note"]) == {f"河口不在{NAME}内"}
    assert not found["note"].str.contains("市域").any()
    city = dataclasses.replace(inputs.boundaries, around=None)  # as if the whole area
    assert set(confluences(result, inputs.waters, city).loc[away.index, "note"]) == {
        "河口不在市域内"}


# ------------------------------------------------- what a county run publishes

def _banks_drawn(fig) -> dict:
    """What a sheet draws of the 界河 (zorder 9: the first bank, solid; 10: the other
    bank, dashed over it): (zorder, colour, dashed) -> length (m, work CRS)."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_hex

    out: dict = {}
    for c in fig.axes[0].collections:
        if not isinstance(c, LineCollection) or c.get_zorder() not in (9, 10):
            continue
        (colour,) = {to_hex(rgba) for rgba in c.get_colors()}
        dashed = {dashes is not None for _, dashes in c.get_linestyle()}
        key = (c.get_zorder(), colour, *dashed)
        length = sum(float(np.hypot(*np.diff(s, axis=0).T).sum()) for s in c.get_segments())
        out[key] = out.get(key, 0.0) + length
    return out


def test_county_sheet_draws_its_boundary_river_as_the_whole_city_does(whole_city):
    """覃塘区's sheet from a county run draws 郁江 along 港南区 as a 界河, as the whole
    city's sheet of 覃塘区 does: the 港南区 bank (primary in the whole city, not in the
    county run's data) solid in grey, as long as the whole city's 港南区 reaches shared
    with 覃塘区, and 覃塘区's townships' bank dashed over it in their colours; the legend
    says what the grey bank is. The whole city's sheet draws nothing more than its rows."""
    from hzgeo.inputs import load
    from hzgeo.io import work_crs_for
    from hzgeo.maps import plot_sheet

    boundaries, _ = datasets.guigang()
    town = whole_city.reaches["township"]
    far = town[town["boundary"] & town["shared_with"].str.startswith("450804")
               & ~town["admin_code"].str.startswith("450804")]
    assert set(far["river_code"]) == {"R03"} and far["primary"].all()  # 郁江, 港南区 bank
    inputs = load(county="450804", holders="none")
    # a sheet draws in the Gauss-Krüger zone of its counties (the county's, here)
    expected = float(far.to_crs(work_crs_for(inputs.boundaries["county"])).length.sum())
    county_run = plot_sheet(inputs.segment(), inputs.boundaries, county="450804")
    city_run = plot_sheet(whole_city, boundaries, county="450804")
    drawn = _banks_drawn(county_run)
    assert drawn[(9, "#555555", False)] == pytest.approx(expected, rel=1e-9)
    near = {k: v for k, v in drawn.items() if k[0] == 10}
    assert near and all(k[2] and k[1] != "#555555" for k in near)  # townships' colours
    assert sum(near.values()) == pytest.approx(expected, rel=1e-9)
    assert set(drawn) == set(_banks_drawn(city_run))
    for key, metres in _banks_drawn(city_run).items():  # (another zone: within 1e-4)
        assert drawn[key] == pytest.approx(metres, rel=1e-3), key
    for fig in (county_run, city_run):
        legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
        assert "界河对岸（图外单位）" in legend
    # the whole city: every 界河 has both rows, each drawn once
    rows = town[town["boundary"]].to_crs(work_crs_for(boundaries["county"]))
    drawn = _banks_drawn(plot_sheet(whole_city, boundaries, river="R03"))
    assert sum(drawn.values()) == pytest.approx(
        float(rows[rows["river_code"] == "R03"].length.sum()), rel=1e-9)


@pytest.fixture(scope="module")
def county_run(tmp_path_factory):
    """`hzgeo run --county 覃塘区` (maps and all): its output folder."""
    out = tmp_path_factory.mktemp("county_run") / "o"
    assert main(["run", "--county", "450804", "--out", str(out), "-q"]) == 0
    return out


@pytest.fixture(scope="module")
def city_run(tmp_path_factory):
    """`hzgeo run` of the whole city, without maps: its output folder."""
    out = tmp_path_factory.mktemp("city_run") / "o"
    assert main(["run", "--no-maps", "--out", str(out), "-q"]) == 0
    return out


def test_a_county_run_names_its_county_as_its_scope(county_run, city_run):
    """The directory of a county run is the county's: 汇总's first scope (the run's
    figures) is 贵港市覃塘区 with the county's code, as are the workbook's title and every
    sheet's title row; index.html names it in its title and heading, and the maps of the
    whole run (``*_city``) are titled and listed as it. The whole city's run says 贵港市."""
    import openpyxl

    for out, scope, code in ((county_run, "贵港市覃塘区", "450804"),
                             (city_run, "贵港市", CITY)):
        summary = pd.read_csv(out / "directory.汇总.csv", dtype=str, encoding="utf-8-sig")
        first = summary[summary["层级"] == "市级"]
        assert first[["范围", "行政区划代码"]].values.tolist() == [[scope, code]]
        scopes = summary["范围"].drop_duplicates().tolist()
        assert scopes[0] == scope and "贵港市" not in scopes[1:], scopes
        book = openpyxl.load_workbook(out / "directory.xlsx", read_only=True)
        title = f"{scope}河长制分级分段名录"
        assert book.properties.title == title
        for sheet in book.worksheets:
            assert str(next(sheet.iter_rows(max_row=1, values_only=True))[0]).startswith(
                f"{title}·{sheet.title}（"), sheet.title
        book.close()
        page = (out / "index.html").read_text(encoding="utf-8")
        heading = f"{scope}河长制分级分段名录与分布示意图"
        assert f"<title>{heading} — hzgeo</title>" in page and f"<h1>{heading}</h1>" in page
    page = (county_run / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'href="(?:map|sheet)_city\.\w+">[^<]*</a> (\S+)</li>', page) == [
        "贵港市覃塘区"] * 3
    data = json.loads(re.search(r"hzgeoDraw\(map_\w+, (\{.*\})\);", (
        county_run / "map_city.html").read_text(encoding="utf-8")).group(1))
    assert data["title"] == "贵港市覃塘区河长制分布示意图"


def _touching(sections: pd.DataFrame, county: str) -> pd.Series:
    """Sections with a unit of ``county`` upstream or downstream (codes nest in the
    sample; a 界河 lists both banks, comma-joined)."""
    codes = (sections["upstream_code"].fillna("") + "," + sections["downstream_code"].fillna(""))
    return codes.map(lambda c: any(part.startswith(county) for part in c.split(",")))


@pytest.mark.parametrize("level", ["county", "township"])
def test_county_sections_are_the_whole_citys_where_the_county_is(whole_city, level):
    """The cross sections of a county run are the whole city's sections that have one of
    the county's units on either side, row for row: same codes, names, kinds, units
    (the county across named, not 覃塘区外), chainage and place."""
    from hzgeo.field import cross_sections
    from hzgeo.inputs import load

    boundaries, waters = datasets.guigang()
    city = cross_sections(whole_city, level=level, boundaries=boundaries, waters=waters)
    inputs = load(county="450804", holders="none")
    mine = cross_sections(inputs.segment(), level=level, boundaries=inputs.boundaries,
                          waters=inputs.waters, rules=inputs.rules)
    expected = city[_touching(city, "450804")].reset_index(drop=True)
    assert len(mine) >= 5 and not mine["section_name"].str.contains("覃塘区外").any()
    assert (mine["kind"] == "boundary_start").any()  # 郁江 along 港南区
    pd.testing.assert_frame_equal(mine.drop(columns="geometry"),
                                  expected.drop(columns="geometry"))
    assert shapely.equals_exact(mine.geometry.values, expected.geometry.values, 1e-9).all()


def test_county_run_writes_the_whole_citys_sections(county_run, city_run):
    """`hzgeo run --county`: field.cross_sections.csv holds the rows of the whole city's
    run where the county is on either side, as the city's run writes them."""
    columns = {"upstream_code": "上游行政区代码", "downstream_code": "下游行政区代码"}
    mine, city = (pd.read_csv(out / "field.cross_sections.csv", dtype=str,
                              encoding="utf-8-sig") for out in (county_run, city_run))
    keep = _touching(city.rename(columns={v: k for k, v in columns.items()}), "450804")
    pd.testing.assert_frame_equal(mine, city[keep].reset_index(drop=True))


def test_county_run_names_the_chief_across_its_boundary_river(county_run, city_run):
    """对岸河长 of a county run's 界河 rows is the whole city run's for the same reach (the
    chief of the 港南区 bank of 郁江, whose holders the county limit kept for that), at
    every level; the holders across answer for nothing else: every person, office and
    vacancy listed is the county's or the city's."""
    filled = 0
    for sheet in ("县级河段", "乡级河段", "村级河段"):
        mine, city = (pd.read_csv(out / f"directory.{sheet}.csv", dtype=str,
                                  encoding="utf-8-sig").set_index("河段编码")
                      for out in (county_run, city_run))
        across = mine[mine["界河"] == "是"]
        assert len(across) and "对岸河长" in mine, sheet
        expected = city.loc[across.index, "对岸河长"]
        assert expected.notna().all(), sheet  # the whole city has a chief on each far bank
        pd.testing.assert_series_equal(across["对岸河长"], expected, check_names=False)
        filled += len(across)
    assert filled >= 40
    for sheet in ("河长责任清单", "河长制办公室", "总河长", "空缺岗位"):
        frame = pd.read_csv(county_run / f"directory.{sheet}.csv", dtype=str,
                            encoding="utf-8-sig")
        codes = frame["行政区划代码"].dropna()
        assert codes.str.startswith(("450804", CITY)).all(), sheet


def test_county_run_boards_are_the_whole_citys(county_run, city_run):
    """The notice boards of a county run are the whole city's boards of the county's
    villages, row for row: on a 界河 with another county across, the chiefs of the far
    bank (village, township, county) as the city's run prints them, and the bank the
    board stands on; only 河湖简介 differs (it gives the county's length of the river)."""
    mine, city = (pd.read_csv(out / "field.notice_boards.csv", dtype=str,
                              encoding="utf-8-sig") for out in (county_run, city_run))
    expected = city[city["县级代码"] == "450804"].reset_index(drop=True)
    across = mine["对岸行政区代码"].fillna("").map(
        lambda codes: any(c and not c.startswith("450804") for c in codes.split(",")))
    assert across.sum() >= 3  # 郁江 along 港南区
    for column in ("村级河长", "乡级河长", "县级河长"):  # the far bank's chiefs are printed
        assert mine.loc[across, column].str.contains("；").all(), column
    assert (mine.loc[across, "界河岸别"].isin(["左岸", "右岸"])).all()
    # the place: within 5e-6° and 0.5 m (the county's rivers are cut before they are
    # measured), X/Y in the whole city's Gauss-Krüger zone: 覃塘区's own centre is in the
    # 108°E zone (EPSG:4545), where its run once gave them
    xy = ["X（CGCS2000 高斯-克吕格，米）", "Y（CGCS2000 高斯-克吕格，米）"]
    lonlat = ["经度（WGS84）", "纬度（WGS84）"]
    np.testing.assert_allclose(mine[lonlat].astype(float), expected[lonlat].astype(float),
                               atol=5e-6)
    assert set(mine["平面坐标系"]) == set(expected["平面坐标系"]) == {"EPSG:4546"}
    np.testing.assert_allclose(mine[xy].astype(float), expected[xy].astype(float), atol=0.5)
    xy.append("平面坐标系")
    pd.testing.assert_frame_equal(mine.drop(columns=["河湖简介", *xy, *lonlat]),
                                  expected.drop(columns=["河湖简介", *xy, *lonlat]))


def test_county_map_popups_name_the_chief_across_with_post_and_bank(county_run):
    """In the county run's HTML map every 界河 reach popup says its bank and names the
    chief across with the post, for the far banks in 港南区 too (not in the run's data)."""
    data = json.loads(re.search(r"hzgeoDraw\(map_\w+, (\{.*\})\);", (
        county_run / "map_450804.html").read_text(encoding="utf-8")).group(1))
    across, outside = 0, 0
    for level in data["levels"]:
        for feature in level["reaches"]["features"]:
            popup = feature["properties"]["p"]
            if "<th>界河</th>" not in popup:
                continue
            assert re.search(r"一侧（[左右]岸），对岸为\S+（[左右]岸）</td>", popup), popup
            chief = re.search(r"<th>对岸\w\w河长</th><td>([^<]*)</td>", popup)
            assert chief and re.fullmatch(r"\S+：\S+（\S+）( 电话 \S+)?", chief.group(1)), popup
            across += 1
            outside += "与港南区共管" in popup  # a county row across: not in the run's data
    assert across >= 20 and outside >= 1


def test_county_html_map_draws_its_boundary_river_as_the_whole_city_does(whole_city):
    """The county run's HTML map of 覃塘区 draws the banks of its 界河 as the whole city's
    map of 覃塘区: at each level as many features of each colour drawn solid first
    (b = 1) and dashed over (b = 2) (the 港南区 bank of 郁江 grey and solid), each solid
    one before the dashed ones, and the legend says what the grey bank is."""
    from collections import Counter

    from test_maps import page_data

    from hzgeo.inputs import load
    from hzgeo.maps import explore

    inputs = load(county="450804", holders="none")
    pages = [page_data(explore(result, boundaries, county="450804").get_root().render())
             for result, boundaries in ((inputs.segment(), inputs.boundaries),
                                        (whole_city, datasets.guigang()[0]))]
    mine, city = ({layer["key"]: layer for layer in page["levels"]} for page in pages)
    assert set(mine) == set(city) == set(LEVELS)
    for level in LEVELS:
        banks = [[(f["properties"]["b"], f["properties"]["c"])
                  for f in layers[level]["reaches"]["features"]] for layers in (mine, city)]
        assert Counter(banks[0]) == Counter(banks[1]), level
        assert (1, "#555555") in banks[0], level  # the 港南区 bank, off the map
        assert [b for b, _ in banks[0]] == sorted(b for b, _ in banks[0]), level
        assert "界河对岸" in mine[level]["legend"], level


def test_a_county_run_lists_the_joint_meetings_it_is_a_member_of(county_run, city_run):
    """Issue #16: a county run wrote 联席会议 （无）: a meeting needs two counties and the
    run's own reaches are in one. 覃塘区 is a member of two meetings of the whole city's
    run, 合成支流03 (R11) and the 合成中型水库 (L02), both convened by 港北区 (覃示例0008):
    the county run lists those, row for row as the whole city's run gives them, and its
    audit finds no meeting without a convenor."""
    def meetings(out):
        frame = pd.read_csv(out / "directory.联席会议.csv", dtype=str, encoding="utf-8-sig",
                            keep_default_na=False)
        return frame.drop(columns=["生成版本", "数据日期"])

    city = meetings(city_run)
    city = city[city["成员代码"].str.split(",").map(lambda c: "450804" in c)]
    mine = meetings(county_run)
    assert mine["河湖库编码"].tolist() == ["R11", "L02"]
    assert mine["召集县（市、区）"].tolist() == ["港北区", "港北区"]
    assert mine["召集人"].tolist() == ["覃示例0008", "覃示例0008"]
    assert mine["成员县（市、区）及河段长度"].iloc[0] == "港北区 7.67 公里；覃塘区 7.36 公里"
    assert mine.values.tolist() == city.values.tolist()
    audit = json.loads((county_run / "audit.json").read_text(encoding="utf-8"))
    assert "no_convenor" not in json.dumps(audit)
    page = (county_run / "index.html").read_text(encoding="utf-8")
    assert "联席会议：2 个" in page


def test_chiefs_limited_to_a_county_have_its_meetings_as_the_city_has_them():
    """港北区's meetings are three in the whole city (R11 with 覃塘区, R20 with 桂平市, L02
    with 覃塘区), all convened by 港北区; assign_chiefs on the boundaries limited to it
    gives the same three (the other counties' lengths from the cut around it)."""
    import hzgeo
    from hzgeo.inputs import load

    inputs = load(county="港北区")
    result = hzgeo.segment_waters(inputs.boundaries, inputs.waters)
    chiefs = hzgeo.assign_chiefs(result, inputs.boundaries, inputs.waters, inputs.officials,
                                 inputs.rules)
    joint = chiefs.joint_meetings
    assert joint["water_code"].tolist() == ["R11", "R20", "L02"]
    assert joint["member_codes"].tolist() == ["450802,450804", "450802,450881",
                                              "450802,450804"]
    assert set(joint["convenor_code"]) == {"450802"}
    assert set(joint["convenor_chief"]) == {"覃示例0008"}
    assert joint["members"].iloc[1] == "港北区 12.52 公里；桂平市 8.95 公里"
