"""The units around the city on the maps, and the legible chiefs' table of river sheets."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from matplotlib.colors import to_rgb
from test_maps import _by_gid, _figure_boxes, _no_overlaps, page_data
from toy import X0, Y0, line, make_boundaries, make_waters

import hzgeo
from hzgeo.inputs import load
from hzgeo.io import work_crs_for
from hzgeo.maps import explore, plot_sheet
from hzgeo.maps._content import river_groups
from hzgeo.maps._sheet_parts import NEIGHBOUR, TABLE_MIN_PT
from hzgeo.maps.sheet import PAPER_MM, chief_pages

CITIES = {"南宁市", "梧州市", "钦州市", "玉林市", "来宾市"}


@pytest.fixture(scope="module")
def guigang_city_sheet(guigang):
    boundaries, _, result, _, _ = guigang
    fig = plot_sheet(result, boundaries)
    fig.canvas.draw()
    return fig


def _pixel(fig, ax, x, y):
    """RGB (0-1) of the figure at data point (x, y)."""
    px, py = ax.transData.transform((x, y))
    rgba = np.asarray(fig.canvas.buffer_rgba())
    height = rgba.shape[0]
    return tuple(rgba[round(height - py), round(px), :3] / 255.0)


def test_city_sheet_draws_each_neighbour_in_grey(guigang, guigang_city_sheet):
    boundaries, _, _, _, _ = guigang
    fig = guigang_city_sheet
    ax = fig.axes[0]
    crs = work_crs_for(boundaries["county"])
    city = boundaries["city"].to_crs(crs).geometry.iloc[0]
    around = boundaries.neighbours.to_crs(crs)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1).buffer(-2_000)
    texts = [shapely.box(*t.get_window_extent().extents) for t in ax.texts]
    borders = shapely.union_all([g.boundary for g in around.geometry])
    for name, geom in zip(around["name"], around.geometry, strict=True):
        # inside the neighbour, 1-3 km from the city, off every outline and every name
        band = geom.intersection(city.buffer(3_000)).difference(city.buffer(1_000))
        band = band.intersection(view).difference(borders.buffer(500))
        bx0, by0, bx1, by1 = band.bounds
        grid = [shapely.Point(x, y) for x in np.arange(bx0, bx1, 1_000.0)
                for y in np.arange(by0, by1, 1_000.0)]
        spots = [p for p in grid if band.contains(p)]
        assert spots, name
        free = [p for p in spots if not any(
            t.contains(shapely.Point(ax.transData.transform((p.x, p.y)))) for t in texts)]
        colours = {_pixel(fig, ax, p.x, p.y) for p in free[:20]}
        assert colours == {to_rgb(NEIGHBOUR)}, name
    # inside the city the grey is not painted
    inside = city.buffer(-3_000).representative_point()
    assert _pixel(fig, ax, inside.x, inside.y) != to_rgb(NEIGHBOUR)


def test_city_sheet_names_each_neighbour_inside_it_clear_of_the_rest(guigang,
                                                                     guigang_city_sheet):
    boundaries, _, _, _, _ = guigang
    fig = guigang_city_sheet
    ax = fig.axes[0]
    crs = work_crs_for(boundaries["county"])
    around = boundaries.neighbours.to_crs(crs).set_index("name").geometry
    city = boundaries["city"].to_crs(crs).geometry.iloc[0]
    labels = _by_gid(fig, "hz-unit-label")
    named = {t.get_text(): t for t in labels if t.get_text() in CITIES}
    assert set(named) == CITIES
    to_data = ax.transData.inverted()
    for name, text in named.items():
        (a, b), (c, d) = to_data.transform(text.get_window_extent().get_points())
        box = shapely.box(a, b, c, d)
        assert around[name].contains(box), name  # inside its own part of the map
        assert not box.intersects(city), name    # not on the city
    boxes = _figure_boxes(fig, labels + _by_gid(fig, "hz-river-label"))
    assert _no_overlaps(boxes) == []
    furniture = [a for a in _by_gid(fig, "hz-furniture") if a in ax.texts + ax.patches]
    assert _no_overlaps(boxes, _figure_boxes(fig, furniture)) == []
    assert fig.hz_labels["around"] == 5 and fig.hz_labels["around_missed"] == 0


def test_city_sheet_stays_on_the_city(guigang, guigang_city_sheet):
    boundaries, _, _, _, _ = guigang
    ax = guigang_city_sheet.axes[0]
    crs = work_crs_for(boundaries["county"])
    cx0, cy0, cx1, cy1 = boundaries["city"].to_crs(crs).total_bounds
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    # the frame is the city's box padded (4 %) and widened to the paper, not 南宁's
    assert (x1 - x0) * (y1 - y0) < 2.0 * (cx1 - cx0) * (cy1 - cy0)
    assert x0 <= cx0 and cx1 <= x1 and y0 <= cy0 and cy1 <= y1
    nanning = boundaries.neighbours.to_crs(crs).set_index("name").geometry["南宁市"]
    assert not shapely.box(x0, y0, x1, y1).contains(nanning)
    # drawn clipped to it: no grey outside the axes
    for patch in ax.collections:
        extent = patch.get_datalim(ax.transData)
        if extent.width > 0:
            assert extent.x0 >= x0 - 1 and extent.x1 <= x1 + 1, patch


def test_city_sheet_legend_and_note_say_what_the_grey_is(guigang_city_sheet):
    fig = guigang_city_sheet
    legend = fig.axes[1].get_legend()
    entries = dict(zip([t.get_text() for t in legend.get_texts()], legend.legend_handles,
                       strict=True))
    handle = entries["相邻市（灰色，图外单位）"]
    assert to_rgb(handle.get_facecolor()) == to_rgb(NEIGHBOUR)
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "灰色相邻市界线为真实数据（非合成）" in texts and "图中未绘" not in texts


def test_the_html_maps_carry_the_neighbours(guigang):
    boundaries, _, result, _, _ = guigang
    data = page_data(explore(result, boundaries).get_root().render())
    assert {f["properties"]["n"] for f in data["neighbours"]["features"]} == CITIES
    assert data["neighbours_label"] == "相邻市"
    assert "真实数据" in data["neighbours_note"]
    legend = data["levels"][0]["legend"]
    assert "相邻市（灰色，图外单位）" in legend
    # cut around the city (twice its size on every side), not all of 南宁
    west, south, east, north = boundaries["city"].total_bounds
    xy = np.vstack([shapely.get_coordinates(shapely.from_geojson(
        __import__("json").dumps(f["geometry"]))) for f in data["neighbours"]["features"]])
    assert xy[:, 0].min() >= west - 2 * (east - west) - 1e-6
    assert xy[:, 1].min() >= south - 2 * (north - south) - 1e-6
    # each name where it shows on opening: beside the city, not inside it
    city = boundaries["city"].geometry.iloc[0]
    for f in data["neighbours"]["features"]:
        lat, lon = f["properties"]["at"]
        assert not city.contains(shapely.Point(lon, lat))
        assert west - 0.1 * (east - west) <= lon <= east + 0.1 * (east - west)


def test_without_neighbours_the_maps_say_so_and_run_works(tmp_path):
    boundaries = make_boundaries()
    for level, frame in boundaries.levels.items():
        frame.to_file(tmp_path / "b.gpkg", layer=level, driver="GPKG", engine="pyogrio")
    boundaries = hzgeo.read_boundaries(tmp_path / "b.gpkg")
    assert boundaries.neighbours is None
    waters = make_waters(line((0, 500), (4000, 500)))
    done = hzgeo.run_phase_one(boundaries, waters, tmp_path / "out", sheet_formats=("png",))
    assert done is not None
    page = (tmp_path / "out" / "map_city.html").read_text(encoding="utf-8")
    assert page_data(page)["neighbours"]["features"] == []
    assert (tmp_path / "out" / "sheet_city.png").stat().st_size > 10_000
    result = hzgeo.segment_waters(boundaries, waters)
    texts = [t.get_text() for t in plot_sheet(result, boundaries).texts]
    assert any("相邻县（市、区）界线，图中未绘" in t for t in texts)


def test_a_county_run_draws_the_other_counties(guigang):
    inputs = load(county="桂平市", holders="none")
    boundaries = inputs.boundaries
    result = inputs.segment()
    counties = {"港北区", "港南区", "覃塘区", "平南县"}
    for kwargs in ({"county": "450881"}, {}):  # the county's sheet, and the run's "city"
        fig = plot_sheet(result, boundaries, **kwargs)
        names = {t.get_text() for t in _by_gid(fig, "hz-unit-label")}
        assert {"港北区", "港南区", "平南县"} <= names, kwargs  # the counties it touches
        assert names & CITIES, kwargs
        legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
        assert "相邻县（市、区）、相邻市（灰色，图外单位）" in legend, kwargs
    data = page_data(explore(result, boundaries, county="450881").get_root().render())
    around = {f["properties"]["n"] for f in data["neighbours"]["features"]}
    assert counties <= around and CITIES & around


# --------------------------------------------------------------------------- the table


def _table_texts(fig):
    """The chiefs' table: figure texts tagged as furniture (title, header, cells)."""
    return [t for t in fig.texts if t.get_gid() == "hz-furniture"]


def test_river_sheets_print_their_chiefs_table_legibly(guigang):
    boundaries, _, result, _, chiefs = guigang
    checked = 0
    for key in river_groups(chiefs.reaches["county"], chiefs.city_chiefs):
        fig = plot_sheet(result, boundaries, chiefs=chiefs, river=key, paper="A4")
        fig.canvas.draw()
        # the figure is the paper: a point of type is a point on the printed A4 sheet
        size_mm = sorted(v * 25.4 for v in fig.get_size_inches())
        assert size_mm == pytest.approx(sorted(PAPER_MM["A4"]), abs=0.01)
        texts = _table_texts(fig)
        assert len(texts) > 8, key
        to_paper = PAPER_MM["A4"][0] / min(v * 25.4 for v in fig.get_size_inches())
        printed = [t.get_fontsize() * to_paper for t in texts]  # points on the A4 sheet
        assert min(printed) >= TABLE_MIN_PT - 1e-9, key
        boxes = _figure_boxes(fig, texts)
        assert _no_overlaps(boxes) == [], key
        # inside the sheet and clear of the map and the legend
        others = _figure_boxes(fig, [fig.axes[0], fig.axes[1].get_legend()])
        assert _no_overlaps(boxes, others) == [], key
        # what does not fit is counted, not lost: rows shown + rows left out = the city
        # chief, every county and township reach, and the line counting the village ones
        codes = river_groups(chiefs.reaches["county"], chiefs.city_chiefs)[key][1]
        expected = int(chiefs.city_chiefs["river_code"].isin(codes).sum())  # 市级 rows
        expected += sum(int(chiefs.reaches[level]["river_code"].isin(codes).sum())
                        for level in ("county", "township"))
        expected += int(chiefs.reaches["village"]["river_code"].isin(codes).any())
        shown = sum(t.get_text() in ("市级", "县级", "乡级", "村级") for t in texts)
        left_out = fig.hz_labels.get("table_left_out", 0)
        assert shown + left_out == expected, key
        assert any(f"……其余 {left_out} 行" in t.get_text() for t in texts) == bool(left_out)
        checked += 1
    assert checked == 7


def test_annex_pages_are_legible_and_list_every_row(guigang):
    boundaries, _, result, _, chiefs = guigang
    pages = chief_pages(result, boundaries, chiefs=chiefs, river="R03")
    villages = chiefs.reaches["village"].query("river_code == 'R03'")
    text = ""
    for page in pages:
        page.canvas.draw()
        texts = _table_texts(page)
        assert min(t.get_fontsize() for t in texts) >= TABLE_MIN_PT
        assert _no_overlaps(_figure_boxes(page, texts)) == []
        # every line inside the page
        for box in _figure_boxes(page, texts):
            x0, y0, x1, y1 = box.bounds
            assert 0 <= x0 and x1 <= 1 and 0 <= y0 and y1 <= 1
        text += " ".join(t.get_text() for t in texts)
    for reach in villages["reach_name"]:
        assert reach in text
    assert "其余" not in text  # the annex leaves nothing out


def test_table_layout_wraps_and_counts_by_hand():
    from hzgeo.maps._sheet_parts import table_layout

    # a 300 x 100 pt box: columns 24, 99, 126, 51 pt wide; 7 pt type, 9.45 pt lines
    long = "甲乙丙丁戊己庚辛壬癸" * 3
    rows = [("县级", long, "甲", "")] + [("乡级", "乙", "丙", "")] * 10
    size, wrapped, left_out = table_layout((300.0, 100.0), (0, 0, 1.0, 1.0), rows, 1.0)
    assert size == 7.0
    # 99 pt / (7 pt x 1.04) - 0.5 = 13.1 ems a line: thirty characters take three lines
    assert wrapped[0][1] == [long[:13], long[13:26], long[26:]]
    assert wrapped[0][0] == ["县级"]  # 24 pt: 2.8 ems, no wrap
    # 100 pt = 10.58 lines, less 2.8 (title, header) = 7.78: 13 lines do not fit; less
    # 1 for the note = 6.78: the long row (3) and 3 short ones (6 lines); 7 left out
    assert len(wrapped) == 4 and left_out == 7
    # the summary row kept last: the long row, 2 short ones and it (5 lines); 8 left out
    _, wrapped, left_out = table_layout((300.0, 100.0), (0, 0, 1.0, 1.0),
                                        [*rows, ("村级", "共 9 段", "", "")], 1.0,
                                        keep_last=True)
    assert len(wrapped) == 4 and wrapped[-1][1] == ["共 9 段"] and left_out == 8
    # A3: type grows with the paper (7 pt x 297/210), never under 7 pt
    assert table_layout((300.0, 100.0), (0, 0, 1, 1), rows, 297 / 210)[0] == pytest.approx(
        7.0 * 297 / 210)
    assert table_layout((300.0, 100.0), (0, 0, 1, 1), rows, 0.5)[0] == 7.0


def test_neighbours_given_to_plot_sheet_win():
    boundaries = make_boundaries()
    waters = make_waters(line((0, 500), (4000, 500)))
    result = hzgeo.segment_waters(boundaries, waters)
    outside = gpd.GeoDataFrame({"name": ["邻县乙"], "level": ["county"], "synthetic": [True]},
                               crs=boundaries["county"].crs,
                               geometry=[shapely.box(X0, Y0 + 1000, X0 + 4000, Y0 + 2500)])
    fig = plot_sheet(result, boundaries, neighbours=outside)
    assert "邻县乙" in {t.get_text() for t in _by_gid(fig, "hz-unit-label")}
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "灰色相邻县（市、区）界线为合成数据" in texts
