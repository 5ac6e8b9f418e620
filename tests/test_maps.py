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
    assert html.escape(PROBE) in feature["properties"]["p"] and "gap" in feature["properties"]["p"]
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


def test_county_sheet_text_labels_and_font(guigang):
    boundaries, _, result = guigang
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns: fail on it
        fig = plot_sheet(result, boundaries, county="450803")
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.texts]
    assert "港南区河长制分布示意图" in texts
    assert any("审图号" in t for t in texts) and any("资料来源" in t for t in texts)
    assert any("乡镇界、村界为合成几何" in t for t in texts)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_text() not in ("北", "0") and "km" not in t.get_text()]
    townships = set(boundaries["township"].query("parent_code == '450803'")["name"])
    assert {t.get_text() for t in labels} <= townships and len(labels) >= 5
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels]
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
    furniture = [t.get_window_extent(renderer) for t in ax.texts if t not in labels]
    assert len(furniture) == 3  # 北, 0, n km
    assert not any(b.overlaps(f) for b in boxes for f in furniture)
    # every text is set in our Noto Sans CJK, loaded from its package by path
    font = cjk_font().get_file()
    assert "noto_cjk_sans_otc" in str(font)
    assert all(t.get_fontproperties().get_file() == font for t in fig.texts + ax.texts)


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
