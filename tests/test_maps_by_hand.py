"""Distribution maps checked on the toy region against answers worked out by hand.

Tests from the mutation run of ``hzgeo/maps/sheet.py`` and ``hzgeo/maps/html.py``: the
search list (names sorted, each with its parent), where a river's name goes and which way
it turns, how much the lines are simplified, the popups of defects and 界河 banks, the
script-safe JSON, and on the print sheets the layout boxes, the frame, the colour and
width of lines, the annex pages and the notebook PNG.

The toy (``toy.py``): four 1 km villages in a row (一村 二村 | 三村 四村), townships 甲镇
and 乙镇, county 港北区; 河1 flows east along y = 500, 河2 north along the 甲镇|乙镇
border x = 2000 (a 界河 between 二村 and 三村).
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from test_maps import page_data, toy_chiefs
from toy import CRS, X0, Y0, box, line, make_boundaries, make_waters

import hzgeo
from hzgeo.maps import explore, plot_sheet

_TO_TOY = Transformer.from_crs("EPSG:4490", CRS, always_xy=True)


def _toy_xy(lat, lon) -> tuple[float, float]:
    """Toy coordinates (metres from the toy's origin) of a lat/lon the page holds."""
    x, y = _TO_TOY.transform(lon, lat)
    return x - X0, y - Y0


def _lakes(*rows) -> gpd.GeoDataFrame:
    codes, names, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame({"code": list(codes), "name": list(names), "kind": "lake",
                             "scale": "small", "synthetic": True}, geometry=list(geoms),
                            crs=CRS)


@pytest.fixture(scope="module")
def toy():
    boundaries = make_boundaries()
    waters = make_waters(line((0, 500), (4000, 500)), line((2000, 0), (2000, 480)),
                         codes=["R1", "R2"], names=["河1", "河2"])
    return boundaries, waters, hzgeo.segment_waters(boundaries, waters)


# --------------------------------------------------------------------------- the HTML map


def test_search_lists_names_sorted_each_with_its_parent():
    """Rivers, townships, villages and lakes: each group sorted by name (B河 is R1, A河
    is R2; B湖 is L1, A湖 is L2), a township with its county, a village with its
    township; the box of each as [south, west, north, east]."""
    boundaries = make_boundaries()
    lakes = _lakes(("L1", "B湖", box(200, 400, 650, 850)),
                   ("L2", "A湖", box(3200, 3400, 650, 850)))
    waters = make_waters(line((0, 500), (4000, 500)), line((2000, 0), (2000, 480)),
                         codes=["R1", "R2"], names=["B河", "A河"], lakes=lakes)
    result = hzgeo.segment_waters(boundaries, waters)
    search = page_data(explore(result, boundaries).get_root().render())["search"]
    assert [entry[:2] for entry in search] == [
        ["A河", "河流"], ["B河", "河流"],
        ["甲镇", "乡镇·港北区"], ["乙镇", "乡镇·港北区"],
        ["一村", "村·甲镇"], ["二村", "村·甲镇"], ["三村", "村·乙镇"], ["四村", "村·乙镇"],
        ["A湖", "湖库"], ["B湖", "湖库"]]
    south, west, north, east = {e[0]: e[2] for e in search}["二村"]
    to_lonlat = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True)
    lons, lats = to_lonlat.transform([X0 + 1000, X0 + 2000, X0 + 1000, X0 + 2000],
                                     [Y0, Y0, Y0 + 1000, Y0 + 1000])
    assert [south, west, north, east] == pytest.approx(
        [min(lats), min(lons), max(lats), max(lons)], abs=2e-5)


def test_river_names_half_way_turned_downstream(toy):
    """A river of under 30 km is named half way along its line, turned towards a point
    min(500 m, length / 20) further down: 河1 (4 km, east) at x = 2000 towards 200 m
    east; 河2 (480 m, north) at y = 240 towards 24 m north."""
    boundaries, _, result = toy
    rivers = page_data(explore(result, boundaries).get_root().render())["rivers"]
    by_name = {r[0]: r for r in rivers}
    assert set(by_name) == {"河1", "河2"}
    for name, at, towards in (("河1", (2000, 500), (2200, 500)),
                              ("河2", (2000, 240), (2000, 264))):
        _, lat, lon, lat2, lon2, main = by_name[name]
        assert main == 1  # the toy's rivers are main rivers
        assert _toy_xy(lat, lon) == pytest.approx(at, abs=1.5), name
        assert _toy_xy(lat2, lon2) == pytest.approx(towards, abs=1.5), name


def test_lines_keep_bends_larger_than_the_simplification(toy):
    """Lines are simplified by 1/5,000 of the map's larger side (the toy county is 4 km
    wide: 0.8 m): a 30 m bend of the river stays where it is on the map."""
    boundaries = toy[0]
    bend = (1500, 530)
    waters = make_waters(line((0, 500), (1000, 500), bend, (2000, 500), (4000, 500)))
    result = hzgeo.segment_waters(boundaries, waters)
    data = page_data(explore(result, boundaries).get_root().render())
    county = next(lvl for lvl in data["levels"] if lvl["key"] == "county")
    vertices = [_toy_xy(lat, lon) for f in county["reaches"]["features"]
                for lon, lat in f["geometry"]["coordinates"]]
    assert min(np.hypot(x - bend[0], y - bend[1]) for x, y in vertices) < 1.5


def test_boundary_river_banks_first_solid_then_dashed(toy):
    """On a 界河 the primary bank is drawn first (b = 1), the other bank over it (b = 2);
    a reach that is no 界河 has b = 0."""
    boundaries, _, result = toy
    data = page_data(explore(result, boundaries).get_root().render())
    village = next(lvl for lvl in data["levels"] if lvl["key"] == "village")
    reaches = result.reaches["village"].set_index("reach_code")
    got = {f["properties"]["r"]: f["properties"]["b"] for f in village["reaches"]["features"]}
    assert set(got) == set(reaches.index)
    for code, b in got.items():
        row = reaches.loc[code]
        want = (1 if row["primary"] else 2) if row["boundary"] else 0
        assert b == want, code
    shared = reaches[reaches["boundary"].astype(bool)]
    assert sorted(got[c] for c in shared.index) == [1, 2]  # 河2: 二村 and 三村 bank


def test_defect_popup_lists_its_fields(toy):
    """A defect's popup: a 审核问题 row, then kind, level, names, measure and unit in
    the order of the defect's columns, nothing else."""
    boundaries, _, result = toy
    defects = gpd.GeoDataFrame({"kind": ["gap"], "level": ["village"], "names": ["一村"],
                                "measure": [1234.5], "unit": ["m2"], "other": ["x"]},
                               geometry=[shapely.Point(X0 + 500, Y0 + 500)], crs=CRS)
    data = page_data(explore(result, boundaries, audit=defects).get_root().render())
    (feature,) = data["defects"]["features"]
    assert feature["properties"]["p"] == (
        '<table class="hz-popup"><tr><th>审核问题</th><td></td></tr>'
        "<tr><th>问题类型</th><td>界线缝隙</td></tr><tr><th>层级</th><td>村级</td></tr>"
        "<tr><th>相关名称</th><td>一村</td></tr><tr><th>量值</th><td>1234.5</td></tr>"
        "<tr><th>单位</th><td>平方米</td></tr></table>")
    assert feature["properties"]["t"] == "审核问题：界线缝隙"


def test_every_audit_kind_has_a_chinese_name_for_the_map():
    """The map's defect popups name each kind in Chinese: a kind added to the audit
    without a name would show its English code to the public."""
    import re

    from hzgeo.audit import DEFECT_KINDS
    from hzgeo.labels import DEFECT_NAMES, MEASURE_UNITS

    assert set(DEFECT_NAMES) == set(DEFECT_KINDS)
    assert set(DEFECT_KINDS.values()) <= set(MEASURE_UNITS)
    for name in DEFECT_NAMES.values():
        assert not re.search("[A-Za-z]", name), name
    assert len(set(DEFECT_NAMES.values())) == len(DEFECT_NAMES)


def test_script_json_leaves_nothing_that_ends_a_script():
    from hzgeo.maps.html import script_json

    data = {"a": "</script><b>&</b>", "b": "\u2028\u2029"}
    text = script_json(data)
    assert text == ('{"a":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u003c/b\\u003e",'
                    '"b":"\\u2028\\u2029"}')
    assert json.loads(text) == data


# --------------------------------------------------------------------------- print sheets


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("table", [False, True])
def test_layout_boxes_on_the_page_and_apart(orientation, table):
    from hzgeo.maps.sheet import _layout

    boxes = [shapely.box(x, y, x + w, y + h) for x, y, w, h in
             (b for b in _layout(orientation, table) if b is not None)]
    assert len(boxes) == (3 if table else 2)
    page = shapely.box(0, 0, 1, 1)
    assert all(page.contains(b) for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a.intersection(b).area == 0


def test_the_frame_is_drawn_over_the_map(toy):
    from matplotlib.patches import Rectangle

    boundaries, _, result = toy
    fig = plot_sheet(result, boundaries)
    ax = fig.axes[0]
    frames = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()
              and tuple(p.get_xy()) == (0, 0) and (p.get_width(), p.get_height()) == (1, 1)]
    assert len(frames) == 1
    others = [a for a in ax.get_children() if a is not frames[0] and a.get_visible()]
    assert frames[0].get_zorder() > max(a.get_zorder() for a in others)


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(int)


def test_township_borders_print_grey(toy):
    """Along the 甲镇|乙镇 border (x = 2000) above 河2 (y 600-950) only the township
    border is drawn on the city sheet: its pixels are grey (dashes: some are paper)."""
    boundaries, _, result = toy
    fig = plot_sheet(result, boundaries)
    fig.set_dpi(150)
    ax = fig.axes[0]
    pixels = _pixels(fig)
    height = pixels.shape[0]
    inked = []
    for y in range(600, 951, 10):
        px, py = ax.transData.transform((X0 + 2000, Y0 + y))
        colour = pixels[int(np.rint(height - py)), int(np.rint(px))]
        if colour.mean() < 200:
            inked.append(colour)
    assert len(inked) >= 10
    spread = [int(c.max() - c.min()) for c in inked]
    assert max(spread) < 25, inked  # grey: red, green and blue alike


def test_boundary_river_banks_print_wider_alike(toy):
    """On a county sheet (reaches by township) both banks of the 界河 河2 are drawn 1.4
    times as wide as a plain reach (河1); the far bank dashed over the first."""
    from matplotlib.collections import LineCollection

    boundaries, _, result = toy
    ax = plot_sheet(result, boundaries, county="港北区").axes[0]
    widths = {}
    for c in ax.collections:
        if isinstance(c, LineCollection) and c.get_zorder() in (8, 9, 10):
            widths.setdefault(c.get_zorder(), set()).update(np.round(c.get_linewidths(), 6))
    assert set(widths) == {8, 9, 10}
    (plain,) = widths[8]
    assert widths[9] == widths[10] == {round(plain * 1.4, 6)}


def test_annex_pages_stay_on_the_paper(toy):
    """Every text of the chiefs' annex pages of a river lies on its page."""
    from hzgeo.maps import chief_pages

    boundaries, _, result = toy
    chiefs = toy_chiefs(result)
    pages = chief_pages(result, boundaries, chiefs=chiefs, river="R1")
    assert len(pages) == 1
    fig = pages[0]
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]
    assert any("张三v" in t.get_text() for t in texts)  # the village chiefs are listed
    for t in texts:
        box = t.get_window_extent(renderer)
        assert (box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1
                and box.y1 <= page.y1 + 1), t.get_text()


def test_a_sheet_shows_in_a_notebook_at_110_dpi(toy):
    """The toy (4 km x 1 km) prints A4 landscape: 297 x 210 mm at 110 dpi is 1286 x 909
    pixels."""
    boundaries, _, result = toy
    png = plot_sheet(result, boundaries)._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    size = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert size == pytest.approx((297 / 25.4 * 110, 210 / 25.4 * 110), abs=1)


# --------------------------------------------------------------------------- more, by hand


def test_lake_zones_take_their_units_colour_and_name(toy):
    """A lake zone on the HTML map: its unit's colour, a popup naming the lake, the
    tooltip <lake>（<unit>片）."""
    from hzgeo.maps import unit_colours

    boundaries = toy[0]
    lakes = _lakes(("L1", "南湖", box(200, 400, 650, 850)))
    waters = make_waters(line((0, 500), (4000, 500)), lakes=lakes)
    result = hzgeo.segment_waters(boundaries, waters)
    data = page_data(explore(result, boundaries).get_root().render())
    village = next(lvl for lvl in data["levels"] if lvl["key"] == "village")
    (zone,) = village["zones"]["features"]
    props = zone["properties"]
    assert props["c"] == unit_colours(boundaries["village"])["450802001001"]
    assert props["t"] == "南湖（一村片）" and "南湖" in props["p"]


def test_the_html_map_opens_on_the_middle_of_the_area(toy):
    """The map's first view is centred on the county's box (lat, lon of its middle)."""
    boundaries, _, result = toy
    m = explore(result, boundaries)
    west, south, east, north = boundaries["county"].to_crs("EPSG:4490").total_bounds
    assert m.location == pytest.approx([(south + north) / 2, (west + east) / 2], abs=1e-9)


def test_type_grows_with_the_paper(toy):
    """On A3 every label is 297/210 times its A4 size (the county name too)."""
    boundaries, _, result = toy

    def sizes(paper):
        fig = plot_sheet(result, boundaries, paper=paper, orientation="landscape")
        return sorted(t.get_fontsize() for t in fig.findobj(
            lambda a: hasattr(a, "get_gid") and a.get_gid() == "hz-unit-label"))

    a4, a3 = sizes("A4"), sizes("A3")
    assert len(a4) == len(a3) >= 3  # 港北区, 甲镇, 乙镇
    assert a3 == pytest.approx([s * 297 / 210 for s in a4])


def test_a_city_level_outline_is_drawn_black(toy):
    """Boundaries with a city level: its outline printed black, 2 pt, above the county's."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import to_rgba

    boundaries, waters, _ = toy
    city = gpd.GeoDataFrame({"code": ["450800"], "name": ["贵港市"], "parent_code": [""],
                             "synthetic": True}, geometry=[box(0, 4000)], crs=CRS)
    with_city = hzgeo.Boundaries({"city": city, **boundaries.levels})
    result = hzgeo.segment_waters(with_city, waters)
    ax = plot_sheet(result, with_city).axes[0]
    black = [c for c in ax.collections if isinstance(c, LineCollection)
             and np.allclose(c.get_linewidths(), 2.0)]
    assert len(black) == 1
    assert tuple(black[0].get_colors()[0]) == to_rgba("#000000")


def _marks(ax, marker) -> int:
    return sum(len(line.get_xdata()) for line in ax.lines if line.get_marker() == marker)


def test_field_sites_on_county_and_river_sheets(toy):
    """A tributary 河3 meets 河1 at x = 3500: its confluence shows on the county sheet
    (no sections given) and on the river sheets of 河3 (the tributary) and of 河1."""
    from hzgeo.field import confluences

    boundaries = toy[0]
    waters = make_waters(line((0, 500), (4000, 500)), line((3500, 900), (3500, 500)),
                         codes=["R1", "R3"], names=["河1", "河3"], flows_into=["", "R1"])
    result = hzgeo.segment_waters(boundaries, waters)
    joins = confluences(result, waters, boundaries)
    assert joins["confluence_code"].tolist() == ["J-R3-R1"]
    field = {"sections": None, "confluences": joins}
    for where in ({"county": "港北区"}, {"river": "R3"}, {"river": "R1"}):
        ax = plot_sheet(result, boundaries, field=field, **where).axes[0]
        assert _marks(ax, "o") == 1, where  # the confluence marker
