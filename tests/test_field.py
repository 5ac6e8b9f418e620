"""Field outputs: cross-boundary sections, confluences, notice boards, their exports."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from toy import CRS, X0, Y0, line

from hzgeo import datasets
from hzgeo.chiefs import assign_chiefs, read_officials, read_rules
from hzgeo.directory import HEADERS, directory_tables, roster_changes
from hzgeo.errors import InputError
from hzgeo.field import (
    add_field_layers,
    boards_to_reprint,
    confluences,
    cross_sections,
    field_layers,
    notice_boards,
    write_field,
)
from hzgeo.io import Boundaries, Waters, read_boundaries, read_waters
from hzgeo.segment import segment_waters

WORK = "EPSG:4546"
PROBE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def guigang():
    boundaries, waters = read_boundaries(), read_waters()
    result = segment_waters(boundaries, waters)
    officials = read_officials(datasets.guigang_officials())
    chiefs = assign_chiefs(result, boundaries, waters, officials)
    return boundaries, waters, result, officials, chiefs


@pytest.fixture(scope="module")
def boards(guigang):
    boundaries, waters, _, _, chiefs = guigang
    return notice_boards(chiefs, boundaries, waters)


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
                pick = (sections["river_code"] == river) & (sections["kind"] == kind)
                dist = [shapely.distance(points[i], where) for i in np.flatnonzero(pick)]
                assert min(dist) < 1.0, (river, kind, km)
                assert km == pytest.approx(
                    sections.loc[pick, "at_km"].iloc[int(np.argmin(dist))], abs=1e-3)


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


# ------------------------------------------------------------------------ boards


def test_every_required_village_reach_has_a_board_and_banks_share_one(guigang, boards):
    _, _, _, _, chiefs = guigang
    village = chiefs.reaches["village"]
    required = village[village["chief_required"]]
    items: dict[str, set] = {}
    for item, keys in zip(boards["item_code"], boards["chief_keys"], strict=True):
        for key in keys.split(","):
            items.setdefault(key, set()).add(item)
    for row in required.itertuples():
        assert len(items.get(row.reach_code, ())) == 1, row.reach_code
    pairs = required[required["boundary"]]
    assert len(pairs) > 0
    for _, pair in pairs.groupby(["river_code", "from_km", "to_km"]):
        boards_of = {frozenset(items[c]) for c in pair["reach_code"]}
        assert len(boards_of) == 1  # both banks, one board
        board = boards[boards["item_code"] == next(iter(next(iter(boards_of))))].iloc[0]
        for name in pair["chief_name"].dropna():
            assert name in board["village_chiefs"]
        assert board["kind"] == "boundary_reach"
    # one board per started 8 km, on the reach
    village_w = village.set_index("reach_code").to_crs(WORK)
    points = _work_points(boards)
    reach_boards = boards["kind"] != "zone"
    for item, group in boards[reach_boards].groupby("item_code"):
        length = village_w.loc[item, "length_m"] / 1000
        assert len(group) == max(1, math.ceil(length / 8.0))
        geom = village_w.loc[item, "geometry"]
        assert max(shapely.distance(points[boards.index.get_indexer(group.index)], geom)) < 1.0
    assert boards["board_code"].is_unique
    zones = chiefs.zones["village"]
    assert set(boards.loc[~reach_boards, "item_code"]) == set(
        zones.loc[zones["chief_required"], "zone_code"])


def test_board_content(guigang, boards):
    _, _, _, _, chiefs = guigang
    main = boards[boards["kind"] != "zone"].merge(
        chiefs.city_chiefs[["river_code", "chief_name"]], left_on="water_code",
        right_on="river_code", how="left")
    on_main = main["chief_name"].notna()
    assert on_main.any()
    assert all(n in c for n, c in zip(main.loc[on_main, "chief_name"],
                                      main.loc[on_main, "city_chief"], strict=True))
    assert (main.loc[~on_main, "city_chief"] == "").all()
    for column in ("description", "item_name", "village_chiefs", "township_chiefs",
                   "county_chiefs", "duties", "targets", "supervision_phone",
                   "complaint_phone", "issuing_office", "prohibited"):
        assert (boards[column].str.len() > 0).all(), column
    assert (boards["issuing_office"] == chiefs.rules["offices"]["issuing_office"]).all()


def test_changing_one_village_chief_names_exactly_its_boards(guigang, boards, tmp_path):
    boundaries, waters, result, officials, chiefs = guigang
    village = chiefs.reaches["village"]
    # a village with a shared 界河 reach and a reach of its own
    shared = set(village.loc[village["boundary"], "admin_code"])
    own = set(village.loc[~village["boundary"], "admin_code"])
    code = sorted(shared & own)[0]
    post = village.loc[village["admin_code"] == code, "chief_post"].iloc[0]
    changed = officials.copy()
    hit = (changed["admin_code"] == code) & (changed["post"] == post)
    assert hit.sum() == 1
    changed.loc[hit, "name"] = "新示例9999"
    after = assign_chiefs(result, boundaries, waters, changed)
    changes = roster_changes(directory_tables(after), directory_tables(chiefs))
    named = boards_to_reprint(changes, boards)
    expected = {b for b, codes in zip(boards["board_code"], boards["admin_codes"], strict=True)
                if code in codes.split(",")}
    assert set(named["board_code"]) == expected
    assert (named["kind"] == "boundary_reach").any() and (named["kind"] == "reach").any()
    assert named["reason"].str.contains("新示例9999").all()
    # the same from the change list as written (Chinese headers, CSV)
    table = changes.rename(columns=HEADERS)
    assert set(boards_to_reprint(table, boards)["board_code"]) == expected
    table.to_csv(tmp_path / "d.changes.csv", index=False, encoding="utf-8-sig")
    assert set(boards_to_reprint(tmp_path / "d.changes.csv", boards)["board_code"]) == expected


def test_board_texts_can_be_replaced(guigang):
    boundaries, waters, _, _, chiefs = guigang
    found = notice_boards(chiefs, boundaries, waters, texts={
        "complaint_phone": "12314", "duties": {"village": "巡河"}, "prohibited": ["禁止甲"]})
    assert (found["complaint_phone"] == "12314").all()
    assert (found["prohibited"] == "禁止甲").all()
    reach = found[found["kind"] == "reach"].iloc[0]
    assert "村级河长：巡河" in reach["duties"] and "乡级河长：" in reach["duties"]
    with pytest.raises(ValueError, match="spacing_km"):
        notice_boards(chiefs, boundaries, waters, spacing_km=0)


def test_board_texts_and_spacing_come_from_the_rules_file(guigang, tmp_path):
    boundaries, waters, _, _, chiefs = guigang
    rules = tmp_path / "rules.toml"
    rules.write_text('[boards]\nspacing_km = 2.0\ncomplaint_phone = "12369"\n'
                     '[boards.duties]\nvillage = "每周巡河"\n', encoding="utf-8")
    found = notice_boards(chiefs, boundaries, waters, read_rules(rules))
    assert (found["complaint_phone"] == "12369").all()
    reach = found[found["kind"] == "reach"]
    assert reach["duties"].str.contains("村级河长：每周巡河").all()
    # 2 km spacing: ceil(L / 2 km) boards on the longest single reach
    village = chiefs.reaches["village"]
    longest = village[~village["boundary"]].sort_values("length_m").iloc[-1]
    on_it = found["board_code"].str.startswith(f"B-{longest['reach_code']}-")
    assert on_it.sum() == int(np.ceil(longest["length_m"] / 2000))
    bad = tmp_path / "bad.toml"
    bad.write_text("[boards]\ncomplaint_phon = \"1\"\n", encoding="utf-8")
    with pytest.raises(InputError, match="complaint_phon"):
        read_rules(bad)


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


def test_kml_parses_and_escapes(tmp_path, few):
    sections, joins, pick = few
    path = tmp_path / "field.kml"
    write_field(sections, joins, pick, path)
    raw = path.read_text(encoding="utf-8")
    assert "<img" not in raw
    root = ET.parse(path).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    names = [e.text for e in root.iterfind(".//k:Placemark/k:name", ns)]
    assert len(names) == len(sections) + len(joins) + len(pick)
    assert any(PROBE in n for n in names)
    coords = [e.text for e in root.iterfind(".//k:Point/k:coordinates", ns)]
    lon, lat = map(float, coords[0].split(","))
    assert (lon, lat) == pytest.approx((sections["lon"].iloc[0], sections["lat"].iloc[0]),
                                       abs=1e-6)


def test_gpkg_xlsx_csv_geojson(tmp_path, few):
    import openpyxl

    sections, joins, pick = few
    written = write_field(sections, joins, pick, tmp_path / "out")
    layers = [str(n) for n in pyogrio.list_layers(written["gpkg"])[:, 0]]
    assert [any(w in n for n in layers) for w in ("section", "confluence", "board")] == [
        True] * 3
    assert set(field_layers(sections, joins, pick)) == set(layers)
    book = openpyxl.load_workbook(written["xlsx"])
    ws = book["公示牌"]
    header = [c.value for c in ws[1]]
    column = header.index("村级代码") + 1
    assert isinstance(ws.cell(row=2, column=column).value, str)
    csv = pd.read_csv(written["csv_boards"], dtype=str, encoding="utf-8-sig")
    assert "公示牌编码" in csv.columns and csv["村级代码"].str.len().min() >= 12
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


def test_board_pdf_one_page_per_board(tmp_path, guigang, few):
    from pypdf import PdfReader

    from hzgeo.maps.board import write_boards_pdf

    boundaries, waters, _, _, chiefs = guigang
    _, _, pick = few
    path = write_boards_pdf(pick, tmp_path / "boards.pdf", chiefs=chiefs,
                            boundaries=boundaries, waters=waters)
    reader = PdfReader(path)
    assert len(reader.pages) == len(pick) + 1  # a front per board, then the common back
    for page, code in zip(reader.pages, pick["board_code"], strict=False):
        assert code in page.extract_text()
    assert "禁止" in reader.pages[-1].extract_text()


def test_cli_sections_and_boards(tmp_path):
    from hzgeo.cli import main

    out = tmp_path / "s.gpkg"
    assert main(["sections", "--out", str(out), "-q"]) == 0
    layers = [str(n) for n in pyogrio.list_layers(out)[:, 0]]
    assert layers == ["cross_sections", "confluences"]
    csv = tmp_path / "b.csv"
    assert main(["boards", "--out", str(csv), "--county", "450802", "-q"]) == 0
    table = pd.read_csv(csv, dtype=str, encoding="utf-8-sig")
    assert len(table) > 0 and (table["县级代码"] == "450802").all()
    assert main(["boards", "--out", str(tmp_path / "b.txt"), "-q"]) == 2
