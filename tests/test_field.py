"""Field outputs: cross-boundary sections, confluences, notice boards, their exports."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from toy import CRS, X0, Y0, line

from hzgeo.chiefs import read_rules
from hzgeo.errors import InputError
from hzgeo.field import (
    add_field_layers,
    confluences,
    cross_sections,
    field_layers,
    notice_boards,
    short_reaches,
    write_field,
)
from hzgeo.io import Boundaries, Waters, read_seats
from hzgeo.segment import segment_waters

WORK = "EPSG:4546"
PROBE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def boards(guigang):
    boundaries, waters, _, _, chiefs = guigang
    return notice_boards(chiefs, boundaries, waters, seats=read_seats(), date="2023-06-30")


def _work_points(frame: gpd.GeoDataFrame) -> np.ndarray:
    return frame.to_crs(WORK).geometry.values


# ------------------------------------------------------------------------ sections


def _county_borders(boundaries) -> shapely.Geometry:
    """Lines shared by two counties (the city's outer edge is no county border)."""
    counties = boundaries["county"].to_crs(WORK)
    pieces = []
    geoms = list(zip(counties["code"], counties.geometry, strict=True))
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            shared = shapely.intersection(geoms[i][1].boundary, geoms[j][1].boundary)
            if not shared.is_empty:
                pieces.append(shared)
    return shapely.union_all(pieces)


def _county_at(counties: gpd.GeoDataFrame, point) -> str | None:
    hit = counties[counties.geometry.contains(point)]
    return hit["code"].iloc[0] if len(hit) == 1 else None


def test_every_main_river_county_crossing_has_one_section_at_its_place(guigang):
    """Independently of the reach table: river ∩ county borders, clustered within the
    river's accuracy; where the river is in another county on leaving the cluster than on
    entering it (and the cluster is not part of a 界河), exactly one crossing section lies
    in the cluster, naming those two counties; elsewhere none."""
    boundaries, waters, result, _, _ = guigang
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    border = _county_borders(boundaries)
    counties = boundaries["county"].to_crs(WORK)
    rivers = waters.rivers.to_crs(WORK)
    shared = result.reaches["county"].to_crs(WORK)
    shared = shared[shared["boundary"].astype(bool)]
    points = _work_points(sections)
    crossings_checked = 0
    matched = set()
    for code, geom, acc, main in zip(rivers["river_code"], rivers.geometry,
                                     rivers["accuracy_m"], rivers["main"], strict=True):
        if not main:
            continue
        tol = acc if acc == acc else 20.0
        along = shapely.union_all(shared[shared["river_code"] == code].geometry.values)
        mine = np.flatnonzero((sections["river_code"] == code).to_numpy()
                              & (sections["kind"] == "crossing").to_numpy())
        for part in shapely.get_parts(geom):
            hit = shapely.intersection(part, border)
            if hit.is_empty:
                continue
            clusters = shapely.get_parts(shapely.union_all(
                [p.buffer(tol) for p in shapely.get_parts(hit)]))
            for cluster in clusters:
                if not along.is_empty and shapely.intersection(part, cluster).difference(
                        along.buffer(tol)).length < 1.0:
                    continue  # a stretch of a 界河: its start and end are tested below
                inside = shapely.intersection(part, cluster)
                ends = [part.project(shapely.Point(c)) for c in shapely.get_coordinates(inside)]
                before = part.interpolate(max(min(ends) - tol, 0.0))
                after = part.interpolate(min(max(ends) + tol, part.length))
                up, down = _county_at(counties, before), _county_at(counties, after)
                near = [i for i in mine if shapely.distance(points[i], cluster) <= 1.0]
                if up is not None and down is not None and up != down:
                    crossings_checked += 1
                    assert len(near) == 1, (code, cluster.centroid, near)
                    row = sections.iloc[near[0]]
                    assert (row["upstream_code"], row["downstream_code"]) == (up, down)
                    assert shapely.distance(points[near[0]], border) <= tol
                    matched.add(near[0])
                else:
                    assert near == [], (code, cluster.centroid)
    main_crossings = set(np.flatnonzero((sections["main"] & (sections["kind"] == "crossing"))
                                        .to_numpy()))
    assert crossings_checked >= 2  # 郁江 港北区→桂平市, 武思江 港南区→桂平市
    assert matched == main_crossings  # no section without a crossing
    assert sections["main"].iloc[:len(main_crossings)].all()  # main rivers first


def test_boundary_reaches_give_start_and_end_sections(guigang):
    boundaries, waters, result, _, _ = guigang
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    county = result.reaches["county"].to_crs(WORK)
    points = _work_points(sections)
    for river, group in county[county["boundary"] & county["primary"]].groupby("river_code"):
        for row in group.itertuples():
            start = shapely.Point(shapely.get_coordinates(row.geometry)[0])
            end = shapely.Point(shapely.get_coordinates(row.geometry)[-1])
            for kind, where, km in (("boundary_start", start, row.from_km),
                                    ("boundary_end", end, row.to_km)):
                # where one 界河 ends as the next begins: one boundary_change
                kinds = [kind, "boundary_change"]
                pick = (sections["river_code"] == river) & sections["kind"].isin(kinds)
                dist = [shapely.distance(points[i], where) for i in np.flatnonzero(pick)]
                assert min(dist) < 1.0, (river, kind, km)
                assert km == pytest.approx(
                    sections.loc[pick, "at_km"].iloc[int(np.argmin(dist))], abs=1e-3)


@pytest.mark.parametrize("level", ["county", "township"])
def test_one_section_per_place(guigang, level):
    """No two sections of one river at one spot: 郁江's 覃塘区|港南区 界河 ending where the
    港南区|港北区 one begins is one row, naming the three counties."""
    boundaries, waters, result, _, _ = guigang
    sections = cross_sections(result, level=level, boundaries=boundaries, waters=waters)
    points = _work_points(sections)
    for _, group in sections.groupby("river_code"):
        idx = group.index.to_numpy()
        for i in range(len(idx)):
            for j in range(i + 1, len(idx)):
                assert shapely.distance(points[idx[i]], points[idx[j]]) > 1.0, (
                    group.loc[idx[i], "section_code"], group.loc[idx[j], "section_code"])
    assert sections["section_name"].is_unique
    if level == "county":
        change = sections[sections["kind"] == "boundary_change"]
        assert change["section_name"].tolist() == ["郁江港北区、港南区、覃塘区交界断面"]
        assert change[["upstream_name", "downstream_name"]].values.tolist() == [
            ["港南区、覃塘区", "港北区、港南区"]]


def test_main_rivers_enter_and_leave_the_city(guigang):
    """西江 enters Guigang as 黔江 and 郁江 and leaves as 浔江. Each entry (exit) lies
    on the city border at the first (last) point of the river's reaches there."""
    boundaries, waters, result, _, _ = guigang
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    border = boundaries["city"].to_crs(WORK).geometry.iloc[0].boundary
    points = _work_points(sections)
    ends = sections[sections["kind"].isin(["entry", "exit"]) & sections["main"]]
    assert sorted(zip(ends["river_name"], ends["kind"], strict=True)) == [
        ("浔江", "exit"), ("郁江", "entry"), ("黔江", "entry")]
    tolerance = dict(zip(waters.rivers["river_code"], waters.rivers["accuracy_m"], strict=True))
    county = result.reaches["county"].to_crs(WORK)
    for i in np.flatnonzero(sections["kind"].isin(["entry", "exit"]).to_numpy()):
        row = sections.iloc[i]
        tol = tolerance[row["river_code"]]
        assert shapely.distance(points[i], border) <= (tol if tol == tol else 20.0)
        mine = county[county["river_code"] == row["river_code"]]
        if row["kind"] == "entry":
            first = mine.sort_values("from_km").iloc[0]
            assert row["at_km"] == pytest.approx(first["from_km"], abs=1e-3)
            assert (row["upstream_name"], row["downstream_name"]) == ("贵港市外",
                                                                      first["admin_name"])
            assert row["section_name"] == f"{row['river_name']}贵港市入境断面"
            assert row["note"] == f"贵港市界，{row['river_name']}入境处"
        else:
            last = mine.sort_values("to_km").iloc[-1]
            assert row["at_km"] == pytest.approx(last["to_km"], abs=1e-3)
            assert row["downstream_name"] == "贵港市外"
            assert row["section_name"] == f"{row['river_name']}贵港市出境断面"


@pytest.mark.parametrize(("points", "kinds"), [
    # from outside the two counties, across both, out again
    ([(-500, 500), (4500, 500)], ["entry", "crossing", "exit"]),
    # rises inside, flows out of the east side
    ([(100, 500), (4500, 500)], ["crossing", "exit"]),
    # rises and ends inside
    ([(100, 500), (3900, 500)], ["crossing"]),
])
def test_entry_and_exit_on_a_toy_area(points, kinds):
    boundaries = _two_counties()
    waters = _toy_waters(line(*points), 20.0)
    result = segment_waters(boundaries, waters)
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    assert sections["kind"].tolist() == kinds
    xs = sections.to_crs(CRS).geometry.x.to_numpy() - X0
    expected = {"entry": 0.0, "crossing": 2000.0, "exit": 4000.0}
    np.testing.assert_allclose(xs, [expected[k] for k in kinds], atol=1.0)


def test_monitoring_fields_come_from_the_rules(guigang, tmp_path):
    boundaries, waters, result, _, _ = guigang
    bundled = cross_sections(result, boundaries=boundaries, waters=waters)
    for key in ("control_level", "target_class", "unit", "frequency"):
        assert (bundled[key] == "").all(), key  # the bundled rules are silent
    rules = tmp_path / "rules.toml"
    rules.write_text('[sections]\ncontrol_level = "县控"\nfrequency = "每月一次"\n'
                     '[sections.rivers.R03]\ntarget_class = "Ⅲ类"\ncontrol_level = "市控"\n'
                     '[sections.sites."郁江港北区—桂平市交界断面"]\ncontrol_level = "国控"\n'
                     'unit = "贵港市生态环境局"\n', encoding="utf-8")
    found = cross_sections(result, boundaries=boundaries, waters=waters,
                           rules=read_rules(rules))
    site = found["section_name"] == "郁江港北区—桂平市交界断面"
    r03 = (found["river_code"] == "R03") & ~site
    assert found.loc[site, ["control_level", "target_class", "unit"]].values.tolist() == [
        ["国控", "Ⅲ类", "贵港市生态环境局"]]
    assert (found.loc[r03, "control_level"] == "市控").all() and r03.sum() >= 3
    assert (found.loc[found["river_code"] != "R03", "control_level"] == "县控").all()
    assert (found.loc[found["river_code"] != "R03", "target_class"] == "").all()
    assert (found["frequency"] == "每月一次").all()
    bad = tmp_path / "bad.toml"
    bad.write_text('[sections]\ncontrol_level = "国家控"\n', encoding="utf-8")
    with pytest.raises(InputError, match="control_level"):
        read_rules(bad)


def test_township_sections_include_every_county_section(guigang):
    boundaries, waters, result, _, _ = guigang
    county = cross_sections(result, boundaries=boundaries, waters=waters)
    township = cross_sections(result, level="township", boundaries=boundaries, waters=waters)
    assert len(township) > len(county)
    tp = _work_points(township)
    for point, river in zip(_work_points(county), county["river_code"], strict=True):
        same = tp[(township["river_code"] == river).to_numpy()]
        assert min(shapely.distance(same, point)) < 1.0


def test_section_coordinates_agree(guigang):
    boundaries, waters, result, _, _ = guigang
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    to_gk = Transformer.from_crs("EPSG:4326", WORK, always_xy=True)
    x, y = to_gk.transform(sections["lon"].to_numpy(), sections["lat"].to_numpy())
    np.testing.assert_allclose(x, sections["x"], atol=0.05)
    np.testing.assert_allclose(y, sections["y"], atol=0.05)
    assert set(sections["xy_crs"]) == {"EPSG:4546"}


def _two_counties() -> Boundaries:
    """Counties 450802 (x 0-2000) and 450803 (x 2000-4000), a township and two villages
    each (toy coordinates, 1 km high)."""
    def b(x0, x1):
        return shapely.box(X0 + x0, Y0, X0 + x1, Y0 + 1000)

    county = gpd.GeoDataFrame({"code": ["450802", "450803"], "name": ["甲区", "乙区"],
                               "parent_code": ["450800"] * 2, "synthetic": True},
                              geometry=[b(0, 2000), b(2000, 4000)], crs=CRS)
    town = gpd.GeoDataFrame({"code": ["450802001", "450803001"], "name": ["甲镇", "乙镇"],
                             "parent_code": ["450802", "450803"], "synthetic": True},
                            geometry=[b(0, 2000), b(2000, 4000)], crs=CRS)
    village = gpd.GeoDataFrame(
        {"code": ["450802001001", "450802001002", "450803001001", "450803001002"],
         "name": ["一村", "二村", "三村", "四村"],
         "parent_code": ["450802001", "450802001", "450803001", "450803001"],
         "synthetic": True},
        geometry=[b(0, 1000), b(1000, 2000), b(2000, 3000), b(3000, 4000)], crs=CRS)
    return Boundaries({"county": county, "township": town, "village": village})


def _toy_waters(geom, accuracy) -> Waters:
    rivers = gpd.GeoDataFrame({"river_code": ["R1"], "name": ["河一"], "main": [True],
                               "main_river": ["河一"], "flows_into": [""],
                               "accuracy_m": [accuracy], "synthetic": [True]},
                              geometry=[geom], crs=CRS)
    lakes = gpd.GeoDataFrame({"code": [], "name": []}, geometry=gpd.GeoSeries([], crs=CRS),
                             crs=CRS)
    return Waters(rivers, lakes)


@pytest.mark.parametrize(("points", "expected"), [
    # straight across: one crossing at x = 2000
    ([(100, 500), (3900, 500)], 1),
    # back and forth three times inside a 100 m accuracy: still one crossing
    ([(100, 500), (1960, 500), (2040, 530), (1960, 560), (2040, 590), (3900, 590)], 1),
    # dips 40 m into the other county and comes back: no crossing
    ([(100, 500), (1960, 500), (2040, 530), (1960, 560), (100, 560)], 0),
])
def test_wiggles_within_accuracy_count_once(points, expected):
    boundaries = _two_counties()
    waters = _toy_waters(line(*points), 100.0)
    result = segment_waters(boundaries, waters)
    raw = result.reaches["county"]["admin_code"].tolist()
    assert len(raw) >= 2 if expected == 1 else True
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    crossings = sections[sections["kind"] == "crossing"]
    assert len(crossings) == expected
    if expected:
        point = crossings.to_crs(CRS).geometry.iloc[0]
        assert abs(point.x - (X0 + 2000)) <= 1.0  # on the border
        row = crossings.iloc[0]
        assert (row["upstream_code"], row["downstream_code"]) == ("450802", "450803")
        if len(raw) > 2:
            assert "合并" in row["note"]


def test_wiggles_are_counted_as_the_reach_table_has_them():
    """The wiggly line really is cut into X, Y, X, Y reaches (else the test above proves
    nothing)."""
    boundaries = _two_counties()
    waters = _toy_waters(line((100, 500), (1960, 500), (2040, 530), (1960, 560), (2040, 590),
                              (3900, 590)), 100.0)
    result = segment_waters(boundaries, waters)
    codes = result.reaches["county"].sort_values("from_km")["admin_code"].tolist()
    assert codes == ["450802", "450803", "450802", "450803"]


# ------------------------------------------------------------------------ confluences


def test_every_confluence_is_found_at_the_tributary_mouth(guigang):
    boundaries, waters, result, _, _ = guigang
    found = confluences(result, waters, boundaries)
    rivers = waters.rivers.to_crs(WORK)
    by_code = dict(zip(rivers["river_code"], rivers.geometry, strict=True))
    expected = {(c, f) for c, f in zip(rivers["river_code"], rivers["flows_into"], strict=True)
                if f}
    assert set(zip(found["river_code"], found["into_code"], strict=True)) == expected
    assert len(found) == len(expected) == 19
    points = _work_points(found)
    villages = boundaries["village"].to_crs(WORK)
    for (code, into, village), point in zip(
            found[["river_code", "into_code", "village_code"]].itertuples(index=False),
            points, strict=True):
        last = shapely.Point(shapely.get_coordinates(by_code[code])[-1])
        assert shapely.distance(point, last) < 0.01, code
        assert shapely.distance(last, by_code[into]) < 1.0, code
        unit = villages[villages["code"] == village].geometry.iloc[0]
        assert unit.distance(point) < 0.01


# ------------------------------------------------------------------------ exports


@pytest.fixture(scope="module")
def few(guigang, boards):
    boundaries, waters, result, _, _ = guigang
    sections = cross_sections(result, boundaries=boundaries, waters=waters)
    joins = confluences(result, waters, boundaries)
    pick = pd.concat([boards[boards["kind"] == k].head(1)
                      for k in ("reach", "boundary_reach", "zone")])
    pick = pick.copy()
    pick.loc[pick.index[0], "water_name"] = PROBE
    return sections, joins, pick


_ENGLISH = re.compile(r"\b(city|county|township|village|crossing|boundary_\w+|entry|exit|"
                      r"reach|zone|nearest_seat|middle|even|shore\w*|True|False)\b")


def test_kml_through_gdal_has_folders_names_and_chinese_descriptions(tmp_path, few):
    sections, joins, pick = few
    path = tmp_path / "field.kml"
    write_field(sections, joins, pick, path, data_date="2023-06-30")
    root = ET.parse(path).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    doc = root.find("k:Document", ns)
    from hzgeo import __version__

    about = doc.find("k:description", ns).text
    assert "2023-06-30" in about and __version__ in about
    folders = doc.findall("k:Folder", ns)
    assert [f.find("k:name", ns).text for f in folders] == ["跨界断面", "主要交汇处", "公示牌"]
    counts = [len(f.findall("k:Placemark", ns)) for f in folders]
    assert counts == [len(sections), len(joins), len(pick)]
    names = [e.text for e in root.iterfind(".//k:Placemark/k:name", ns)]
    assert names[0] == f"{sections['section_code'].iloc[0]} {sections['section_name'].iloc[0]}"
    assert any(PROBE in n for n in names)  # a name is text: kept as given
    texts = [e.text for e in root.iterfind(".//k:Placemark/k:description", ns)]
    assert not any("<img" in t for t in texts)  # descriptions are HTML: escaped
    assert any("&lt;img" in t for t in texts)
    assert "层级：县级" in texts[0] and "类型：" in texts[0]
    assert not any(_ENGLISH.search(t) for t in texts), [t for t in texts if _ENGLISH.search(t)]
    coords = [e.text for e in root.iterfind(".//k:Point/k:coordinates", ns)]
    lon, lat = map(float, coords[0].split(",")[:2])
    assert (lon, lat) == pytest.approx((sections["lon"].iloc[0], sections["lat"].iloc[0]),
                                       abs=1e-6)
    back = gpd.read_file(path, layer="跨界断面")  # GDAL reads it back, fields included
    assert back["断面名称"].tolist() == sections["section_name"].tolist()


def test_gpkg_xlsx_csv_geojson(tmp_path, few, guigang, boards):
    import openpyxl

    from hzgeo import __version__

    sections, joins, pick = few
    short = short_reaches(guigang[4], boards)
    written = write_field(sections, joins, pick, tmp_path / "out", short=short,
                          data_date="2023-06-30")
    layers = [str(n) for n in pyogrio.list_layers(written["gpkg"])[:, 0]]
    assert [any(w in n for n in layers) for w in ("section", "confluence", "board")] == [
        True] * 3
    assert set(field_layers(sections, joins, pick)) | {"short_reaches", "about"} == set(layers)
    about = pyogrio.read_dataframe(written["gpkg"], layer="about")
    assert about[["hzgeo_version", "data_date"]].values.tolist() == [[__version__,
                                                                      "2023-06-30"]]
    book = openpyxl.load_workbook(written["xlsx"])
    assert book.sheetnames == ["跨界断面", "主要交汇处", "公示牌", "短河段（无单独公示牌）", "说明"]
    notes = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert notes["数据日期"] == "2023-06-30" and notes["hzgeo版本"] == __version__
    ws = book["公示牌"]
    assert "2023-06-30" in ws.oddFooter.left.text
    header = [c.value for c in ws[1]]
    column = header.index("村级代码") + 1
    assert isinstance(ws.cell(row=2, column=column).value, str)
    for sheet in book.sheetnames[:-1]:
        values = [str(v) for row in book[sheet].iter_rows(min_row=2, values_only=True)
                  for v in row if isinstance(v, str)]
        assert not any(_ENGLISH.search(v) for v in values if not v.startswith("http")), sheet
    csv = pd.read_csv(written["csv_boards"], dtype=str, encoding="utf-8-sig")
    assert "公示牌编码" in csv.columns and csv["村级代码"].str.len().min() >= 12
    assert (csv["数据日期"] == "2023-06-30").all() and (csv["hzgeo版本"] == __version__).all()
    short_csv = pd.read_csv(written["csv_short"], dtype=str, encoding="utf-8-sig")
    assert len(short_csv) == len(short) > 0
    geo = write_field(sections, None, None, tmp_path / "s.geojson")
    back = gpd.read_file(geo["geojson_sections"])
    assert len(back) == len(sections)


def test_atomic_failure_leaves_nothing(tmp_path, few):
    sections, joins, pick = few
    with pytest.raises(Exception, match="unknown output format"):
        write_field(sections, joins, pick, tmp_path / "x.shp")
    assert list(tmp_path.iterdir()) == []


def test_html_layers_escape(few):
    import folium

    sections, joins, pick = few
    m = folium.Map(location=[23.1, 109.6], zoom_start=9, tiles=None)
    add_field_layers(m, sections, joins, pick)
    page = m.get_root().render()
    assert "<img src=x" not in page
    # escaped for HTML, then for the script: \u0026lt;img ... \u0026gt;
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page
    assert "L.control.layers(" in page
    for title in ("跨界断面", "主要交汇处", "公示牌"):  # folium writes names as JSON escapes
        assert json.dumps(title)[1:-1] in page
    assert "L.circleMarker(" in page and "L.marker(" not in page
    assert "$(" not in page  # no jQuery: the offline hzgeo map does not load it


def _pdf_bitmap(image) -> np.ndarray:
    """The dark pixels of a 1-bit indexed PDF image (Flate, PNG predictor), decoded here
    with zlib and the PNG filter rules (pypdf's 1-bit predictor decoding is unreliable)."""
    import zlib

    width, height = int(image["/Width"]), int(image["/Height"])
    stride = (width + 7) // 8
    raw = zlib.decompress(image._data)
    rows = np.zeros((height, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int64)
        cur = np.zeros(stride, dtype=np.int64)
        for x in range(stride):
            left, up = (cur[x - 1] if x else 0), prev[x]
            corner = prev[x - 1] if x else 0
            guess = left + up - corner
            paeth = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                        (abs(guess - corner), 2, corner))[2]
            cur[x] = (row[x] + (0, left, up, (left + up) // 2, paeth)[kind]) % 256
        rows[y] = prev = cur
    bits = np.unpackbits(rows.astype(np.uint8), axis=1)[:, :width].astype(bool)
    palette = bytes(image["/ColorSpace"][3]) if image["/ColorSpace"][0] == "/Indexed" else b""
    return ~bits if palette[:3] == b"\x00\x00\x00" else bits  # index 1 is black


def test_board_pdf_one_page_per_board(tmp_path, guigang, few):
    import segno
    from pypdf import PdfReader

    from hzgeo.maps.board import QR_PIXELS, write_boards_pdf

    boundaries, waters, _, _, chiefs = guigang
    _, _, pick = few
    path = write_boards_pdf(pick, tmp_path / "boards.pdf", chiefs=chiefs,
                            boundaries=boundaries, waters=waters)
    reader = PdfReader(path)
    assert len(reader.pages) == len(pick) + 1  # a front per board, then the common back
    for page, board in zip(reader.pages, pick.to_dict("records"), strict=False):
        words = page.extract_text()
        assert board["board_code"] in words
        assert board["issuing_office"] in words and board["issued_on"] in words
        assert "县级监督电话" in words and "市级监督电话" in words
        # the QR code: the image's modules are segno's own matrix of the board's URL
        qr = segno.make(board["qr_url"], error="m", micro=False)
        want = np.array([list(r) for r in qr.matrix_iter(scale=1, border=4)], dtype=bool)
        # (matplotlib's PDF keeps every page's images in one resource dictionary, and
        # stores them bottom up, drawn with a flip)
        images = [_pdf_bitmap(x.get_object()) for x in page["/Resources"]["/XObject"].values()
                  if x.get_object().get("/BitsPerComponent") == 1]
        modules = [im[::-1][QR_PIXELS // 2::QR_PIXELS, QR_PIXELS // 2::QR_PIXELS]
                   for im in images if im.shape == tuple(s * QR_PIXELS for s in want.shape)]
        assert sum(np.array_equal(m, want) for m in modules) == 1, board["qr_url"]
    assert "禁止" in reader.pages[-1].extract_text()


def test_cli_sections_and_boards(tmp_path):
    from hzgeo.cli import main

    out = tmp_path / "s.gpkg"
    assert main(["sections", "--out", str(out), "-q"]) == 0
    layers = [str(n) for n in pyogrio.list_layers(out)[:, 0]]
    assert layers == ["cross_sections", "confluences", "about"]
    rules = tmp_path / "rules.toml"
    rules.write_text('[sections]\ncontrol_level = "市控"\n', encoding="utf-8")
    table = tmp_path / "s.csv"
    assert main(["sections", "--out", str(table), "--rules", str(rules), "-q"]) == 0
    found = pd.read_csv(tmp_path / "s.cross_sections.csv", dtype=str, encoding="utf-8-sig")
    assert (found["控制级别"] == "市控").all() and (found["类型"] == "入境").any()
    rules.write_text('[sections]\ncontrol_level = "特控"\n', encoding="utf-8")
    assert main(["sections", "--out", str(table), "--rules", str(rules), "-q"]) == 2
    csv = tmp_path / "b.csv"
    assert main(["boards", "--out", str(csv), "--county", "450802", "-q",
                 "--data-date", "2023-06-30"]) == 0
    table = pd.read_csv(csv, dtype=str, encoding="utf-8-sig")
    assert (table["落款日期"] == "2023年6月30日").all()
    assert (table["数据日期"] == "2023-06-30").all()
    assert len(table) > 0
    assert all("450802" in c.split(",") for c in table["县级代码"])
    assert main(["boards", "--out", str(tmp_path / "b.txt"), "-q"]) == 2


def test_kml_without_libkml_says_what_to_do(tmp_path, few, monkeypatch):
    from hzgeo.errors import HzgeoError

    sections, _, _ = few
    drivers = {k: v for k, v in pyogrio.list_drivers(write=True).items() if k != "LIBKML"}
    monkeypatch.setattr(pyogrio, "list_drivers", lambda **_: drivers)
    with pytest.raises(HzgeoError, match="LIBKML"):
        write_field(sections, None, None, tmp_path / "f.kml")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ by hand
# (tests from the mutation run: small hand-made cases whose answers are worked out here)


def _stretch(code, from_km, to_km, *xy):
    from hzgeo.field.sections import _Stretch

    return _Stretch((code,), (code,), from_km, to_km, shapely.LineString(xy), False)


def _x_y_border(a, b):
    """X (x < 1000) and Y (x > 1000) meet along x = 1000, 0 <= y <= 1000."""
    return shapely.LineString([(1000, 0), (1000, 1000)]) if {a, b} == {"X", "Y"} else None


def test_a_wiggle_is_x_y_x_not_x_y_z():
    """X, Y, X with the Y stretch within the accuracy (10 m) of the X|Y border: one X
    stretch hiding 2 crossings. X, Y, Z: the river goes on into Z, nothing merged."""
    from hzgeo.field.sections import _merge_wiggles

    a = _stretch("X", 0.0, 1.0, (0, 500), (1000, 500))
    b = _stretch("Y", 1.0, 1.005, (1000, 500), (1005, 500))
    back = _stretch("X", 1.005, 2.0, (1005, 500), (0, 510))
    on = _stretch("Z", 1.005, 2.0, (1005, 500), (2000, 500))
    merged, hidden = _merge_wiggles([a, b, back], _x_y_border, 10.0)
    assert [(s.codes, s.from_km, s.to_km) for s in merged] == [(("X",), 0.0, 2.0)]
    assert hidden == {0: 2}
    assert not merged[0].synthetic
    b.synthetic = True  # synthetic if any of the three is
    assert _merge_wiggles([a, b, back], _x_y_border, 10.0)[0][0].synthetic
    b.synthetic = False
    kept, hidden = _merge_wiggles([a, b, on], _x_y_border, 10.0)
    assert [s.codes for s in kept] == [("X",), ("Y",), ("Z",)] and hidden == {}
    # a 界河 stretch (two units) in the middle or at the end is no wiggle either
    shared = _stretch("X", 1.005, 2.0, (1005, 500), (0, 510))
    shared.codes, shared.names = ("X", "Y"), ("X", "Y")
    assert len(_merge_wiggles([a, b, shared], _x_y_border, 10.0)[0]) == 3


def test_a_wiggle_may_stray_one_metre_beyond_the_accuracy():
    """The Y stretch reaches x = 1011: 1 m beyond the 10 m accuracy (allowed, <= 1 m);
    to x = 1012, 2 m: a real excursion into Y."""
    from hzgeo.field.sections import _merge_wiggles

    a = _stretch("X", 0.0, 1.0, (0, 500), (1000, 500))
    for reach, merged in ((1011, True), (1012, False)):
        b = _stretch("Y", 1.0, 1.011, (1000, 500), (reach, 500))
        c = _stretch("X", 1.011, 2.0, (reach, 500), (0, 510))
        assert (len(_merge_wiggles([a, b, c], _x_y_border, 10.0)[0]) == 1) is merged, reach


def test_chainage_on_a_reach_of_two_parts_out_of_order():
    """A 2 km reach (0 to 2 km) whose two parts are stored end first: a point 500 m from
    its start lies at 0.5 km (the parts joined in flow order), not at 1.5 km."""
    from hzgeo.field.confluences import _chainage_at

    reach = gpd.GeoDataFrame(
        {"river_code": ["R1", "R9"], "from_km": [0.0, 0.0], "to_km": [2.0, 9.0],
         "primary": [True, True]},
        geometry=[shapely.MultiLineString([[(1000, 0), (2000, 0)], [(0, 0), (1000, 0)]]),
                  shapely.LineString([(0, 5), (2000, 5)])], crs=WORK)
    assert _chainage_at(reach, "R1", shapely.Point(500, 0)) == 0.5
    assert _chainage_at(reach, "R1", shapely.Point(1500, 3)) == 1.5
    assert _chainage_at(reach, "R2", shapely.Point(500, 0)) is None


def test_a_toy_confluence_by_hand():
    """河二 flows 450 m south into 河一 at x = 1500, in 二村 (甲镇, 甲区): the mouth's
    chainage on 河一 is the geodesic length from 河一's start (x = 100) to x = 1500."""
    from toy import geodesic

    boundaries = _two_counties()
    main, tributary = line((100, 500), (3900, 500)), line((1500, 950), (1500, 500))
    rivers = gpd.GeoDataFrame(
        {"river_code": ["R1", "R2"], "name": ["河一", "河二"], "main": [True, False],
         "main_river": ["河一", ""], "flows_into": ["", "R1"], "accuracy_m": [20.0, 20.0],
         "synthetic": [False, False]}, geometry=[main, tributary], crs=CRS)
    waters = Waters(rivers, _toy_waters(main, 20.0).lakes)
    found = confluences(segment_waters(boundaries, waters), waters, boundaries)
    assert len(found) == 1
    row = found.iloc[0]
    assert row["into_km"] == pytest.approx(geodesic(line((100, 500), (1500, 500))) / 1000,
                                           abs=1e-3)
    assert row["at_km"] == pytest.approx(geodesic(tributary) / 1000, abs=1e-3)
    assert row[["confluence_code", "river_name", "into_name", "county_code", "county_name",
                "township_code", "township_name", "village_code", "village_name",
                "note"]].tolist() == ["J-R2-R1", "河二", "河一", "450802", "甲区", "450802001",
                                      "甲镇", "450802001002", "二村", ""]
    assert (bool(row["main"]), bool(row["into_main"]), row["gap_m"]) == (False, True, 0.0)
    point = found.to_crs(CRS).geometry.iloc[0]
    assert (point.x - X0, point.y - Y0) == pytest.approx((1500, 500), abs=0.01)


def test_popup_rows_are_table_rows_with_escaped_text():
    """The popup of one section: a row per field with a value (headers in Chinese), the
    text escaped, nothing between the rows."""
    import folium

    sections = gpd.GeoDataFrame(
        {"section_code": ["SC-R1-01"], "section_name": ["<b>河一</b>"], "kind": ["entry"],
         "note": [""], "synthetic": [True]},
        geometry=[shapely.Point(109.6, 23.1)], crs="EPSG:4490")
    groups = add_field_layers(folium.Map(tiles=None), sections=sections, control=False)
    lat, lon, tooltip, popup = json.loads(groups["sections"].points)[0]
    assert (lat, lon) == (23.1, 109.6)
    assert tooltip == "SC-R1-01 &lt;b&gt;河一&lt;/b&gt;"
    assert popup == ('<table class="hz-popup">'
                     "<tr><th>断面编码</th><td>SC-R1-01</td></tr>"
                     "<tr><th>断面名称</th><td>&lt;b&gt;河一&lt;/b&gt;</td></tr>"
                     "<tr><th>类型</th><td>入境</td></tr>"
                     "<tr><th>示意数据</th><td>是</td></tr></table>")


def _confluence_waters(main, tributary) -> Waters:
    rivers = gpd.GeoDataFrame(
        {"river_code": ["R1", "R2"], "name": ["河一", "河二"], "main": [True, False],
         "main_river": ["河一", ""], "flows_into": ["", "R1"], "accuracy_m": [20.0, 20.0],
         "synthetic": [False, False]}, geometry=[main, tributary], crs=CRS)
    return Waters(rivers, _toy_waters(main, 20.0).lakes)


def test_a_mouth_outside_the_area_and_a_city_without_villages():
    """河二 rises in the area and meets 河一 at x = 4300, east of the two counties (x
    0-4000): no county, township or village, and the note says so. Boundaries without
    villages: the mouth still found, its units unknown ("")."""
    boundaries = _two_counties()
    waters = _confluence_waters(line((-500, 500), (4500, 500)), line((3800, 950),
                                                                     (4300, 500)))
    outside = confluences(segment_waters(boundaries, waters), waters, boundaries).iloc[0]
    assert outside[["county_code", "township_code", "village_code", "village_name",
                    "note"]].tolist() == ["", "", "", "", "河口不在市域内"]
    waters = _confluence_waters(line((100, 500), (3900, 500)), line((1500, 950),
                                                                    (1500, 500)))
    two = Boundaries({"county": boundaries["county"], "township": boundaries["township"]})
    found = confluences(segment_waters(two, waters), waters, two)
    assert found[["river_code", "into_code", "village_code"]].values.tolist() == [
        ["R2", "R1", ""]]
    point = found.to_crs(CRS).geometry.iloc[0]
    assert (point.x - X0, point.y - Y0) == pytest.approx((1500, 500), abs=0.01)


def test_monitoring_fields_layered_by_hand(tmp_path):
    """[sections] for all, [sections.rivers.R1] over it, then a site by code, then a site
    by name: the later wins, key by key."""
    from hzgeo.field.sections import _monitoring

    path = tmp_path / "rules.toml"
    path.write_text('[sections]\ncontrol_level = "县控"\nfrequency = "每月一次"\n'
                    '[sections.rivers.R1]\ntarget_class = "Ⅲ类"\n'
                    '[sections.sites."SC-R1-01"]\nunit = "甲站"\n'
                    '[sections.sites."河一甲区—乙区交界断面"]\ncontrol_level = "省控"\n',
                    encoding="utf-8")
    rules = read_rules(path)
    assert _monitoring(rules, "SC-R1-01", "河一甲区—乙区交界断面", "R1") == {
        "control_level": "省控", "target_class": "Ⅲ类", "unit": "甲站",
        "frequency": "每月一次"}
    assert _monitoring(rules, "SC-R1-02", "河一乙区出境断面", "R1") == {
        "control_level": "县控", "target_class": "Ⅲ类", "unit": "", "frequency": "每月一次"}
    assert _monitoring(rules, "SC-R2-01", "x", "R2") == {
        "control_level": "县控", "target_class": "", "unit": "", "frequency": "每月一次"}
    assert _monitoring(None, "SC-R2-01", "x", "R2") == dict.fromkeys(
        ("control_level", "target_class", "unit", "frequency"), "")


@pytest.fixture(scope="module")
def toy_field():
    """Sections and the confluence of 河一 (east across both toy counties, in and out
    of the area) and 河二 (into 河一 at x = 1500)."""
    boundaries = _two_counties()
    waters = _confluence_waters(line((-500, 500), (4500, 500)), line((1500, 950),
                                                                     (1500, 500)))
    result = segment_waters(boundaries, waters)
    return (cross_sections(result, boundaries=boundaries, waters=waters),
            confluences(result, waters, boundaries))


def test_write_field_every_format_on_a_toy(tmp_path, toy_field):
    """Each format by suffix, and a folder for all: the files named by layer, the date
    given (not today's) in each, codes as text, points where lon/lat say."""
    import openpyxl

    sections, joins = toy_field
    assert sections["kind"].tolist() == ["entry", "crossing", "exit"] and len(joins) == 1
    date = "2023-06-30"
    xlsx = write_field(sections, joins, None, tmp_path / "f.xlsx", data_date=date)
    assert xlsx == {"xlsx": tmp_path / "f.xlsx"}
    book = openpyxl.load_workbook(xlsx["xlsx"])
    assert book.sheetnames == ["跨界断面", "主要交汇处", "说明"]
    assert book["跨界断面"].oddFooter.left.text.endswith(f"数据日期：{date}")
    assert [c.value for c in book["跨界断面"]["A"][1:]] == sections["section_code"].tolist()
    csv = write_field(sections, joins, None, tmp_path / "f.csv", data_date=date)
    assert csv == {"csv_sections": tmp_path / "f.cross_sections.csv",
                   "csv_confluences": tmp_path / "f.confluences.csv"}
    back = pd.read_csv(csv["csv_confluences"], dtype=str, encoding="utf-8-sig")
    assert back["交汇点编码"].tolist() == ["J-R2-R1"] and set(back["数据日期"]) == {date}
    one = write_field(sections, None, None, tmp_path / "one.csv", data_date=date)
    assert one == {"csv_sections": tmp_path / "one.csv"}
    geo = write_field(sections, joins, None, tmp_path / "f.geojson", data_date=date)
    assert set(geo) == {"geojson_sections", "geojson_confluences"}
    points = gpd.read_file(geo["geojson_sections"])
    assert points.crs.to_epsg() == 4326
    raw = json.loads(geo["geojson_sections"].read_text(encoding="utf-8"))
    assert {f["properties"]["data_date"] for f in raw["features"]} == {date}
    np.testing.assert_allclose(points.geometry.x, sections["lon"], atol=1e-7)
    np.testing.assert_allclose(points.geometry.y, sections["lat"], atol=1e-7)
    folder = write_field(sections, joins, None, tmp_path / "all", data_date=date)
    assert {k: v.name for k, v in folder.items()} == {
        "gpkg": "field.gpkg", "xlsx": "field.xlsx", "kml": "field.kml",
        "csv_sections": "field.cross_sections.csv",
        "csv_confluences": "field.confluences.csv"}
    about = pyogrio.read_dataframe(folder["gpkg"], layer="about")
    assert about["data_date"].tolist() == [date]
    kml = gpd.read_file(folder["kml"], layer="跨界断面")
    np.testing.assert_allclose(kml.geometry.x, sections["lon"], atol=1e-6)
    assert date in folder["kml"].read_text(encoding="utf-8")
