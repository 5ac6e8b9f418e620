"""The HTML map in a real browser: headless Chromium, every outside request blocked.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``HZGEO_CHROMIUM``) and Playwright
from PyPI (the ``test`` extra). Where either is missing the tests skip with the reason,
unless ``HZGEO_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_maps import PROBE, toy_chiefs
from toy import line, make_boundaries, make_waters

import hzgeo
from hzgeo.maps import write_map

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str:
    path = os.environ.get("HZGEO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "Playwright is not installed (pip install '.[test]')"
    if problem is None and not Path(path).exists():
        problem = f"no Chromium at {path} (apt-get install chromium fonts-noto-cjk)"
    if problem:
        if os.environ.get("HZGEO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HZGEO_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)
    return path


class Page:
    """One page opened from disk, with what it tried to fetch and what it logged."""

    def __init__(self, browser, path: Path, size: tuple[int, int] = (1280, 860)):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.hzgeo !== undefined", timeout=20_000)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def run_maps(tmp_path_factory):
    """The HTML maps exactly as ``hzgeo run`` writes them: with the field layers."""
    from hzgeo.atomic import atomic_outputs
    from hzgeo.field import confluences, cross_sections, notice_boards
    from hzgeo.maps import write_maps

    boundaries, waters = hzgeo.datasets.guigang()
    result = hzgeo.segment_waters(boundaries, waters)
    rules = hzgeo.read_rules()
    chiefs = hzgeo.assign_chiefs(result, boundaries, waters,
                                 hzgeo.read_officials(hzgeo.datasets.guigang_officials()),
                                 rules)
    field = {"sections": cross_sections(result, boundaries=boundaries, waters=waters),
             "confluences": confluences(result, waters, boundaries),
             "boards": notice_boards(chiefs, boundaries, waters, rules)}
    folder = tmp_path_factory.mktemp("run")
    with atomic_outputs() as outputs:
        # the HTML maps only (formats=()): the sheets are test_maps' business
        write_maps(result, boundaries, folder, outputs=outputs, chiefs=chiefs, field=field,
                   data_date="2023-06-30", formats=())
    return folder, chiefs


@pytest.fixture(scope="module")
def city(browser, run_maps):
    folder, chiefs = run_maps
    page = Page(browser, folder / "map_city.html")
    yield page, chiefs
    page.page.close()


def _click_reach(page, code: str) -> str:
    """Zoom in on a middle vertex of a reach, click where it is drawn (a real mouse
    click, hit-tested by the page), and return the text of the popup that opens."""
    page.js("""code => {
        const layer = hzgeo.reaches[code];
        let ll = layer.getLatLngs();
        while (Array.isArray(ll[0])) ll = ll[0];
        // (setView stops a pan or fly under way itself; map.stop() would also snap the
        // opening view's quarter zoom step to a whole one, an animated zoom that drops
        // the setView below)
        hzgeo.map.closePopup();
        hzgeo.map.setView(ll[Math.floor(ll.length / 2)], 15, {animate: false});
    }""", code)
    page.page.wait_for_timeout(400)  # let any zoom animation still running settle
    point = page.js("""code => {
        const layer = hzgeo.reaches[code];
        let ll = layer.getLatLngs();
        while (Array.isArray(ll[0])) ll = ll[0];
        const at = ll[Math.floor(ll.length / 2)];
        const p = hzgeo.map.latLngToContainerPoint(at);
        const box = hzgeo.map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top];
    }""", code)
    page.page.mouse.click(*point)
    page.page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    return page.js("() => document.querySelector('.leaflet-popup-content').textContent")


def test_city_map_draws_offline(city):
    page, chiefs = city
    state = page.js("""() => ({
        levels: Object.keys(hzgeo.levels),
        overlays: Object.keys(hzgeo.overlays),
        current: hzgeo.current(),
        onMap: Object.keys(hzgeo.levels).filter(k => hzgeo.map.hasLayer(hzgeo.levels[k])),
        reaches: Object.keys(hzgeo.reaches).length,
        canvases: document.querySelectorAll(".leaflet-overlay-pane canvas").length,
        radios: document.querySelectorAll(".leaflet-control-layers-base input").length,
        scale: document.querySelectorAll(".leaflet-control-scale-line").length,
        legend: document.querySelector(".hz-legend").textContent,
        notes: document.querySelector(".hz-notes").textContent,
        title: document.querySelector(".hz-title").textContent,
    })""")
    assert state["levels"] == ["county", "township", "village"]
    assert state["onMap"] == ["county"] and state["current"] == "county"  # one level at a time
    assert {"市界", "县（市、区）界", "乡镇（街道）界", "村界", "湖库（水面）"} <= set(
        state["overlays"])
    # the county level is built; the others are built when first shown
    assert state["reaches"] == len(chiefs.reaches["county"]) and state["canvases"] == 1
    assert state["radios"] == 3 and state["scale"] == 1
    # one layer control on the page, the field layers listed in it with ours
    controls = page.js("() => [...document.querySelectorAll('.leaflet-control-layers')]"
                       ".map(c => c.textContent)")
    assert len(controls) == 1
    assert all(word in controls[0] for word in ("跨界断面", "主要交汇处", "公示牌", "相邻市"))
    assert "港北区" in state["legend"] and "界河" in state["legend"]
    assert "示意图" in state["notes"] and "合成" in state["notes"]
    assert state["title"] == "贵港市河长制分布示意图"
    assert page.errors == [] and page.blocked == [] and page.dialogs == []


def test_river_names_along_the_rivers_without_overlaps(city):
    page, chiefs = city
    labels = page.js("() => hzgeo.riverLabels()")
    names = [label["name"] for label in labels]
    # every main river is named on the opening view, and the names shown never overlap
    main = set(chiefs.reaches["county"].query("main")["river_name"])
    assert main <= set(names)
    boxes = [label["box"] for label in labels]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[:i]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    # the name sits beside its river: within 40 px of where the line is drawn
    near = page.js("""name => {
        const label = hzgeo.riverLabels().find(l => l.name === name);
        const [x0, y0, x1, y1] = label.box;
        const c = [(x0 + x1) / 2, (y0 + y1) / 2];
        const box = hzgeo.map.getContainer().getBoundingClientRect();
        let best = 1e9;
        Object.values(hzgeo.reaches).forEach(layer => {
            if (!layer.feature || !hzgeo.map.hasLayer(layer)) return;
            let ll = layer.getLatLngs();
            while (Array.isArray(ll[0]) && Array.isArray(ll[0][0])) ll = ll.flat();
            (Array.isArray(ll[0]) ? ll.flat() : ll).forEach(p => {
                const q = hzgeo.map.latLngToContainerPoint(p);
                best = Math.min(best, Math.hypot(q.x + box.left - c[0], q.y + box.top - c[1]));
            });
        });
        return best;
    }""", "郁江")
    assert near < 40
    assert f"hzgeo {hzgeo.__version__}" in page.js(
        "() => document.querySelector('.hz-stamp').textContent")


def test_clicking_a_reach_shows_its_chief(city):
    page, chiefs = city
    # the field layers are on (drawn on the page's one canvas, not on one of their own)
    assert page.js("() => Object.values(hzgeo.map._layers).filter(l => l instanceof "
                   "L.CircleMarker).length") > 0
    assert page.js("() => document.querySelectorAll('.leaflet-overlay-pane canvas')"
                   ".length") == 1
    county = chiefs.reaches["county"]
    row = county[county["chief_name"].notna()].sort_values("length_m").iloc[-1]
    text = _click_reach(page, row["reach_code"])
    assert row["chief_name"] in text and row["reach_name"] in text
    # the switch to village level works and its popups name the village chief too
    page.js("""() => {
        const input = [...document.querySelectorAll('.leaflet-control-layers-base label')]
            .find(l => l.textContent.includes('村级')).querySelector('input');
        input.click();
    }""")
    assert page.js("() => hzgeo.current()") == "village"
    assert page.js("() => Object.keys(hzgeo.reaches).length") == len(county) + len(
        chiefs.reaches["village"])
    assert page.errors == [] and page.blocked == []


def test_clicking_a_reach_on_a_county_map(browser, run_maps):
    folder, chiefs = run_maps
    county = chiefs.reaches["county"]
    row = county[(county["admin_code"] == "450821") & county["chief_name"].notna()
                 & ~county["boundary"].astype(bool)].sort_values("length_m").iloc[-1]
    page = Page(browser, folder / "map_450821.html")
    assert page.js("() => Object.values(hzgeo.map._layers).filter(l => l instanceof "
                   "L.CircleMarker).length") > 0
    # the county map opens at township level: the county reach's townships are there
    township = chiefs.reaches["township"]
    child = township[(township["parent_reach_code"] == row["reach_code"])
                     & township["chief_name"].notna()].sort_values("length_m").iloc[-1]
    text = _click_reach(page, child["reach_code"])
    assert child["chief_name"] in text and row["chief_name"] in text
    assert page.errors == [] and page.blocked == []
    page.page.close()


def test_a_boundary_river_clicked_on_a_county_map_tells_the_countys_bank(browser, run_maps):
    """map_450802 (港北区, as `run` writes it, field layers on): 郁江 along 港南区 is drawn
    for both banks; a real click on either bank's line opens a popup that tells 港北区's
    township as 本段, 港北区's county chief, and the 港南区 bank as 对岸 (before: the
    港南区 bank's popup, without 港北区's chiefs, took every click)."""
    folder, chiefs = run_maps
    town = chiefs.reaches["township"]
    county = chiefs.reaches["county"].set_index("reach_code")
    mine = town[town["admin_code"].str.startswith("450802") & town["boundary"].astype(bool)
                & town["shared_with"].str.startswith("450803")].sort_values(
                    "length_m", ascending=False).head(2)
    assert len(mine) == 2
    far = {(r, a, s, round(f, 6)): c for r, a, s, f, c in zip(
        town["river_code"], town["admin_code"], town["shared_with"], town["from_km"],
        town["reach_code"], strict=True)}
    page = Page(browser, folder / "map_450802.html")
    assert page.js("() => hzgeo.current()") == "township"
    for row in mine.itertuples():
        other = far[(row.river_code, row.shared_with, row.admin_code, round(row.from_km, 6))]
        own_chief = county.loc[row.parent_reach_code, "chief_name"]
        for code in (row.reach_code, other):
            text = _click_reach(page, code)
            assert f"本段为{row.admin_name}一侧" in text, (code, text)
            assert f"港北区：{own_chief}" in text and "对岸县级河长港南区：" in text, text
    assert page.errors == [] and page.blocked == []
    page.page.close()


def test_search_finds_a_village(city):
    page, _ = city
    page.page.fill(".hz-search input", "贵城")
    items = page.js("() => [...document.querySelectorAll('.hz-search li')]"
                    ".map(li => li.textContent)")
    assert any(i.startswith("贵城街道") for i in items)
    page.page.click(".hz-search li")
    assert page.js("() => hzgeo.map.getZoom()") >= 10
    assert page.errors == [] and page.blocked == []


def test_injection_probe_runs_nothing(browser, tmp_path):
    boundaries = make_boundaries()
    village = boundaries["village"].copy()
    village.loc[0, "name"] = PROBE
    township = boundaries["township"].copy()
    township.loc[0, "name"] = PROBE
    boundaries = hzgeo.Boundaries({"county": boundaries["county"], "township": township,
                                   "village": village})
    waters = make_waters(line((0, 500), (4000, 500)), names=[PROBE])
    result = hzgeo.segment_waters(boundaries, waters)
    path = write_map(result, boundaries, tmp_path / "probe.html",
                     chiefs=toy_chiefs(result, name=PROBE))
    page = Page(browser, path)
    page.js("() => { window.__ran = 0; window.alert = () => { window.__ran += 1; }; }")
    page.page.fill(".hz-search input", "<img")
    found = page.js("() => [...document.querySelectorAll('.hz-search .hz-name')]"
                    ".map(e => e.textContent)")
    assert PROBE in found
    page.js("() => { const l = Object.values(hzgeo.reaches)[0]; l.openTooltip(); "
            "l.openPopup(); }")
    popup = page.js("() => document.querySelector('.leaflet-popup-content').textContent")
    tooltip = page.js("() => document.querySelector('.leaflet-tooltip').textContent")
    assert PROBE in popup and PROBE in tooltip
    page.js("""() => [...document.querySelectorAll('.leaflet-control-layers-base input')]
                      .forEach(i => i.click())""")  # every level's legend shown once
    assert page.js("() => document.querySelectorAll('img').length") == 0
    assert page.js("() => window.__ran") == 0 and page.dialogs == []
    assert page.errors == [] and page.blocked == []
    page.page.close()


def test_neighbours_drawn_named_and_out_of_the_way(browser, run_maps):
    """The cities around the city in grey, named, under the reaches: a click where a reach
    runs beside a neighbour opens the reach's popup; a click on a neighbour opens nothing."""
    folder, chiefs = run_maps
    page = Page(browser, folder / "map_city.html")  # as it opens
    cities = ["南宁市", "梧州市", "钦州市", "玉林市", "来宾市"]
    state = page.js("""() => {
        const around = hzgeo.overlays["相邻市"];
        const names = [...document.querySelectorAll('.hz-around-label')]
            .map(e => e.textContent);
        const box = hzgeo.map.getContainer().getBoundingClientRect();
        const seen = [...document.querySelectorAll('.hz-around-label span')].filter(e => {
            const r = e.getBoundingClientRect();
            return r.left >= box.left && r.right <= box.right && r.top >= box.top
                && r.bottom <= box.bottom;
        }).map(e => e.textContent);
        return {on: hzgeo.map.hasLayer(around), names: names, seen: seen,
                paths: document.querySelectorAll('.leaflet-hzAround-pane path').length};
    }""")
    assert state["on"] and sorted(state["names"]) == sorted(cities)
    assert sorted(state["seen"]) == sorted(cities)  # on screen when the map opens
    assert state["paths"] == len(cities)
    # the reach whose clicked point lies nearest a neighbour (黔江 along the city outline)
    code, metres = page.js("""() => {
        const edge = [];
        hzgeo.overlays["相邻市"].eachLayer(g => g.eachLayer && g.eachLayer(l => {
            let ll = l.getLatLngs();
            while (Array.isArray(ll[0]) && Array.isArray(ll[0][0])) ll = ll.flat();
            (Array.isArray(ll[0]) ? ll.flat() : ll).forEach(p => edge.push(p));
        }));
        let best = [null, 1e12];
        Object.entries(hzgeo.reaches).forEach(([code, layer]) => {
            let ll = layer.getLatLngs();
            while (Array.isArray(ll[0])) ll = ll[0];
            const at = ll[Math.floor(ll.length / 2)];
            edge.forEach(p => {
                const d = hzgeo.map.distance(at, p);
                if (d < best[1]) best = [code, d];
            });
        });
        return best;
    }""")
    assert metres < 1_000
    row = chiefs.reaches["county"].set_index("reach_code").loc[code]
    text = _click_reach(page, code)
    assert row["reach_name"] in text
    # a click on a neighbour's name opens nothing and breaks nothing
    page.js("() => { hzgeo.map.closePopup(); "
            "hzgeo.map.setView([23.1, 109.6], 9, {animate: false}); }")
    page.page.wait_for_timeout(300)
    spot = page.js("""() => {
        const e = [...document.querySelectorAll('.hz-around-label span')]
            .find(s => s.textContent === "玉林市");
        const r = e.getBoundingClientRect();
        return [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
    }""")
    top = page.js("([x, y]) => document.elementFromPoint(x, y).tagName", spot)
    assert top == "CANVAS"  # the label and the grey let the mouse through
    page.page.mouse.click(*spot)
    page.page.wait_for_timeout(300)
    assert page.js("() => document.querySelectorAll('.leaflet-popup').length") == 0
    assert page.errors == [] and page.blocked == []
    page.page.close()


def _labels_under_controls(page) -> list:
    """(river name, control) for every river name shown under a map control (title,
    search, layers, legend, notes, zoom, scale)."""
    return page.js("""() => {
        const controls = [...document.querySelectorAll('.leaflet-control')]
            .map(e => [e.className, e.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && r.height > 0);
        const hits = [];
        hzgeo.riverLabels().forEach(l => {
            const [x0, y0, x1, y1] = l.box;
            controls.forEach(([name, r]) => {
                if (x0 < r.right && r.left < x1 && y0 < r.bottom && r.top < y1)
                    hits.push([l.name, name]);
            });
        });
        return hits;
    }""")


def test_river_names_never_under_the_maps_furniture(browser, run_maps):
    """On a 1366 x 768 laptop screen, with 港北区 dragged down, the notes box covers its
    south-west, where 合成支流03 is named: a name under a control is hidden (as one under
    another name is), on opening and after the map is dragged."""
    folder, _ = run_maps
    page = Page(browser, folder / "map_450802.html", size=(1366, 768))
    try:
        page.page.wait_for_timeout(1000)  # the opening zoom's transition settled
        assert _labels_under_controls(page) == []
        assert "郁江" in {label["name"] for label in page.js("() => hzgeo.riverLabels()")}
        page.js("() => { hzgeo.map.panBy([150, 120], {animate: false}); }")
        page.page.wait_for_timeout(200)
        assert _labels_under_controls(page) == []
        # (the map opens with the whole county clear of the controls: drag it under them)
        page.js("() => { hzgeo.map.panBy([-150, -230], {animate: false}); }")
        page.page.wait_for_timeout(200)
        assert _labels_under_controls(page) == []
        shown = {label["name"] for label in page.js("() => hzgeo.riverLabels()")}
        assert "合成支流03" not in shown and "郁江" in shown
        assert page.errors == [] and page.blocked == []
    finally:
        page.page.close()


def _unit_box(page, bounds) -> list:
    """The screen box (left, top, right, bottom) of lon/lat ``bounds`` (west, south, east,
    north) on the page's map, and the boxes of the map's controls."""
    return page.js("""([w, s, e, n]) => {
        const box = hzgeo.map.getContainer().getBoundingClientRect();
        const a = hzgeo.map.latLngToContainerPoint([n, w]);
        const b = hzgeo.map.latLngToContainerPoint([s, e]);
        const controls = [...document.querySelectorAll('.leaflet-control')]
            .map(c => [c.className, c.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && r.height > 0)
            .map(([name, r]) => [name, [r.left, r.top, r.right, r.bottom]]);
        return [[a.x + box.left, a.y + box.top, b.x + box.left, b.y + box.top], controls,
                [box.left, box.top, box.right, box.bottom]];
    }""", [float(v) for v in bounds])


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720), (1920, 1080), (390, 844),
                                  (360, 640)])
@pytest.mark.parametrize(("name", "code"), [("map_450802.html", "450802"),
                                            ("map_city.html", None)])
def test_the_whole_unit_opens_clear_of_the_controls(browser, run_maps, size, name, code):
    """On a laptop screen the notes box (bottom left) and the legend (bottom right) took
    the south of 港北区: the map opens with the whole unit (its outline's box, from the
    boundaries) inside the window and under no control, and not shrunk to a corner."""
    folder, _ = run_maps
    units = hzgeo.datasets.guigang()[0]["county"].to_crs("EPSG:4326")
    if code is not None:
        units = units[units["code"].astype(str) == code]
    page = Page(browser, folder / name, size=size)
    try:
        page.page.wait_for_load_state("load")
        page.page.wait_for_timeout(300)
        (x0, y0, x1, y1), controls, (left, top, right, bottom) = _unit_box(
            page, units.total_bounds)
        assert left <= x0 < x1 <= right and top <= y0 < y1 <= bottom, (x0, y0, x1, y1)
        under = [c for c, (cx0, cy0, cx1, cy1) in controls
                 if x0 < cx1 and cx0 < x1 and y0 < cy1 and cy0 < y1]
        assert under == []
        # the largest the free part allows: at least half the window's height or width
        assert y1 - y0 >= 0.5 * (bottom - top) or x1 - x0 >= 0.5 * (right - left)
        assert page.errors == [] and page.blocked == []
    finally:
        page.page.close()


@pytest.mark.parametrize(("size", "folded"), [((390, 844), True), ((1280, 720), False)])
def test_on_a_phone_the_layers_and_legend_fold_into_buttons(browser, run_maps, size, folded):
    """On a phone the layer list and the legend stood open over most of the map (and over
    the notes). Narrower than 640 px they are folded: the layer list behind Leaflet's
    图层 button, the legend behind a 图例 button that a tap opens and a second tap
    folds; the notes, with the synthetic-data warning, stay shown. A laptop screen keeps
    both open, with no 图例 button."""
    folder, _ = run_maps
    page = Page(browser, folder / "map_city.html", size=size)
    try:
        state = """() => {
          const shown = e => !!e && e.getBoundingClientRect().height > 0
                             && getComputedStyle(e).display !== 'none';
          const q = s => document.querySelector(s);
          return {layers: shown(q('.leaflet-control-layers-list')),
                  legend: shown(q('.hz-legend-body')), button: shown(q('.hz-legend-toggle')),
                  legendText: q('.hz-legend-body').textContent,
                  synthetic: shown(q('.hz-synthetic'))};
        }"""
        first = page.js(state)
        assert first["layers"] is not folded and first["legend"] is not folded
        assert first["button"] is folded and first["synthetic"]
        assert "界河" in first["legendText"]
        if folded:
            page.page.click(".hz-legend-toggle")
            assert page.js(state)["legend"]
            page.page.click(".hz-legend-toggle")
            assert not page.js(state)["legend"]
            # a tap is a click with no hover before it (a hover would open it already)
            page.page.dispatch_event(".leaflet-control-layers-toggle", "click")
            assert page.js(state)["layers"]
        assert page.errors == [] and page.blocked == []
    finally:
        page.page.close()


_ATTRIBUTES = """() => [...document.querySelectorAll(
    '.leaflet-control-container *, .leaflet-popup-pane *')].flatMap(e =>
    ['title', 'aria-label', 'placeholder', 'alt'].filter(a => e.getAttribute(a))
        .map(a => [e.className, a, e.getAttribute(a)]))"""


def test_the_map_s_controls_speak_chinese(browser, run_maps):
    """Issue #16: Leaflet's own controls kept their English tooltips and labels (Zoom in,
    Zoom out, Layers, Close popup, 'A JavaScript library for interactive maps'). Every
    title, aria-label, placeholder and alt in the controls and in an open popup is
    Chinese (Leaflet and JavaScript stay proper names)."""
    import re

    folder, chiefs = run_maps
    page = Page(browser, folder / "map_450821.html")
    township = chiefs.reaches["township"]
    row = township[(township["admin_code"].str[:6] == "450821")
                   & township["chief_name"].notna()].sort_values("length_m").iloc[-1]
    _click_reach(page, row["reach_code"])
    said = page.js(_ATTRIBUTES)
    by_class = {(c.split()[0] if c else "", a): v for c, a, v in said}
    assert by_class[("leaflet-control-zoom-in", "title")] == "放大"
    assert by_class[("leaflet-control-zoom-out", "title")] == "缩小"
    assert by_class[("leaflet-control-layers-toggle", "title")] == "图层"
    assert by_class[("leaflet-popup-close-button", "aria-label")] == "关闭"
    english = [(c, a, v) for c, a, v in said
               if re.search(r"[A-Za-z]{2,}", v.replace("Leaflet", "").replace("JavaScript", ""))]
    assert english == []
    assert page.errors == [] and page.blocked == []
    page.page.close()
