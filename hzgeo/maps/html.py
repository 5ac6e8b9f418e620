"""The interactive HTML map (folium), complete without a network.

folium gives the page and the ``L.map``; everything else is ours: Leaflet inlined from
``xstatic-leaflet`` (folium's CDN scripts and styles are dropped), the layers, popups,
legend and search drawn by ``hzgeo_map.js`` from one JSON object. Every text from the data
is escaped with :func:`html.escape` before it becomes HTML (popups, tooltips, legend), or
is only ever set as plain text (search, title, notes); the JSON is written with ``<``,
``>`` and ``&`` as ``\\u`` escapes, so no data can close the script element.
"""

from __future__ import annotations

import html
import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from branca.element import MacroElement
from jinja2 import Template

from hzgeo.directory.rivers import reach_banks
from hzgeo.errors import InputError
from hzgeo.io import work_crs_for
from hzgeo.labels import AUDIT_HEADERS, DEFECT_NAMES, MEASURE_UNITS, level_name
from hzgeo.maps import assets
from hzgeo.maps._content import (
    DISCLAIMER,
    LEVEL_NAMES,
    UNIT_WORDS,
    Area,
    around_note,
    around_units,
    around_words,
    clip_polygons,
    far_bank_missing,
    reach_lines,
    select_area,
    synthetic_note,
    zone_lines,
)
from hzgeo.maps.colors import unit_colours
from hzgeo.model import AuditReport, Boundaries, Chiefs, Segmentation
from hzgeo.settings import REACH_LEVELS, STORE_CRS

__all__ = ["explore", "join_layer_control"]

#: Decimal places of lon/lat written: 1e-5 degrees is about 1 m, below what a screen shows.
DECIMALS = 5
#: Display simplification, as a fraction of the map's larger side (about 30 m for the city).
SIMPLIFY_FRACTION = 1 / 5000

_UNIT_STYLE = {  # level -> (colour, weight, dash, shown at first on the city / county map)
    "city": ("#000000", 3.0, None, (True, True)),
    "county": ("#222222", 2.4, None, (True, True)),
    "township": ("#555555", 1.2, "5 3", (True, True)),
    "village": ("#8a8a8a", 0.6, "2 3", (False, True)),
}

_CSS = """
.hz-title{background:rgba(255,255,255,.92);padding:4px 10px;font-size:17px;font-weight:bold;
  border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.hz-notes{background:rgba(255,255,255,.9);padding:3px 8px;font-size:12px;max-width:560px;
  border-radius:3px}
.hz-synthetic{color:#b00020;font-weight:bold}
.hz-legend{background:rgba(255,255,255,.93);padding:6px 9px;font-size:12px;max-height:45vh;
  overflow-y:auto;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:260px}
.hz-legend h4{margin:0 0 4px 0;font-size:13px}
.hz-legend .sw{display:inline-block;width:18px;height:4px;margin:0 6px 3px 0;
  vertical-align:middle}
.hz-legend .ar{display:inline-block;width:14px;height:10px;margin-right:6px;opacity:.7}
.hz-search{background:#fff;padding:4px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.hz-search input{width:190px;font-size:13px}
.hz-search ul{list-style:none;margin:2px 0 0 0;padding:0;max-height:220px;overflow-y:auto}
.hz-search li{cursor:pointer;padding:2px 3px;font-size:13px}
.hz-search li:hover{background:#eef}
.hz-search .hz-kind{color:#777;font-size:11px}
.hz-popup th{text-align:left;padding-right:8px;white-space:nowrap;vertical-align:top;
  color:#444}
.leaflet-container{background:#f4f3ee}
.hz-river-label{pointer-events:none}
.hz-river-label span{position:absolute;left:0;top:0;white-space:nowrap;color:#0b4f8a;
  font-size:11px;transform-origin:0 0;pointer-events:none;
  text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 3px #fff}
.hz-river-label span.main{font-size:13px;font-weight:bold}
.hz-stamp{color:#555}
.hz-around-label{pointer-events:none}
.hz-around-label span{position:absolute;left:0;top:0;transform:translate(-50%,-50%);
  white-space:nowrap;color:#6f6f6f;font-size:15px;font-weight:bold;pointer-events:none;
  text-shadow:0 0 2px #fff,0 0 3px #fff}
.hz-legend-toggle{display:none;font-weight:bold;cursor:pointer;border:0;background:none;
  font-size:13px;padding:2px 4px}
.hz-narrow .hz-legend-toggle{display:block}
.hz-narrow .hz-legend .hz-legend-body{display:none}
.hz-narrow .hz-legend.hz-open .hz-legend-body{display:block}
.hz-narrow .hz-legend{max-width:calc(100vw - 30px);max-height:60vh}
.hz-narrow .hz-title{font-size:14px;padding:3px 7px}
.hz-narrow .hz-search input{width:150px}
.hz-narrow .hz-notes{font-size:10px;line-height:1.25;max-width:calc(100vw - 110px)}
"""


class _Drawing(MacroElement):
    """Leaflet, our script and our data, added to a folium map."""

    _template = Template("""
{% macro header(this, kwargs) %}
<style>{{ this.leaflet_css }}</style>
<style>{{ this.css }}</style>
<script>{{ this.leaflet_js }}</script>
<script>{{ this.map_js }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
hzgeoDraw({{ this._parent.get_name() }}, {{ this.data }});
{% endmacro %}
""")

    def __init__(self, data: dict):
        super().__init__()
        self._name = "HzgeoDrawing"
        self.leaflet_css = assets.leaflet_css()
        self.leaflet_js = assets.leaflet_js()
        self.map_js = assets.map_js()
        self.css = _CSS
        self.data = script_json(data)


class _JoinControl(MacroElement):
    """Layers added to the page after :func:`explore` (folium ``Layer`` objects), listed
    in the page's own layer control instead of a second one."""

    _template = Template("""
{% macro script(this, kwargs) %}
{% for name, label in this.entries %}hzgeo.control.addOverlay({{ name }}, {{ label }});
{% endfor %}
{% endmacro %}
""")

    def __init__(self, layers):
        super().__init__()
        self._name = "HzgeoJoinControl"
        # names as ASCII JSON (\\u escapes), as folium writes its own layer names
        self.entries = [(layer.get_name(), json.dumps(str(layer.layer_name))
                         .replace("<", "\\u003c").replace(">", "\\u003e")
                         .replace("&", "\\u0026")) for layer in layers]


def join_layer_control(m: folium.Map, layers) -> None:
    """List ``layers`` (folium layers added to ``m`` after :func:`explore`, e.g. the field
    points of :func:`hzgeo.field.add_field_layers` with ``control=False``) in the map's
    own layer control: the page keeps one control.

    Examples
    --------
    >>> import folium, hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> m = explore(hzgeo.segment_waters(boundaries, waters), boundaries, county="港北区")
    >>> extra = folium.FeatureGroup(name="测点").add_to(m)
    >>> join_layer_control(m, [extra])
    >>> page = m.get_root().render()
    >>> "hzgeo.control.addOverlay(feature_group_" in page, "layer_control_" in page
    (True, False)
    """
    for layer in layers:
        layer.control = False  # no folium LayerControl picks it up either
    if layers:
        _JoinControl(list(layers)).add_to(m)


def script_json(data) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` left as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _table(lines: list[tuple[str, str]]) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in lines)
    return f'<table class="hz-popup">{rows}</table>'


def _rounded(geoms: np.ndarray) -> np.ndarray:
    return shapely.set_precision(geoms, 10.0 ** -DECIMALS, mode="pointwise")


def _features(geoms: np.ndarray, props: list[dict]) -> dict:
    features = []
    for geom, prop in zip(geoms, props, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        features.append({"type": "Feature", "properties": prop,
                         "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}


def _simplified_units(frame: gpd.GeoDataFrame, tolerance: float) -> np.ndarray:
    geoms = frame.geometry.values
    if len(geoms) == 0:
        return np.asarray(geoms)
    # one coverage: neighbours keep a common edge, so no sliver opens between them
    return _rounded(shapely.coverage_simplify(np.asarray(geoms), tolerance))


def _legend(level: str, colours: dict[str, str], units: gpd.GeoDataFrame, shown: set[str],
            has_zones: bool, far_bank: bool, around: str = "") -> str:
    parts = [f"<h4>{html.escape(LEVEL_NAMES[level])}河段（按责任单位着色）</h4>"]
    names = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
    listed = [c for c in sorted(shown) if c in colours]
    if level != "village" and len(listed) <= 60:
        # one line per colour, naming every unit drawn in it (neighbours never share one)
        by_colour: dict[str, list[str]] = {}
        for code in listed:
            by_colour.setdefault(colours[code], []).append(names.get(code, code))
        for colour, unit_names in by_colour.items():
            parts.append(f'<div><span class="sw" style="background:{colour}"></span>'
                         f"{html.escape('、'.join(unit_names))}</div>")
    else:
        parts.append(f"<div>{len(listed)} 个村，相邻村颜色不同；点击河段查看详情</div>")
    parts.append('<div><span class="sw" style="background:repeating-linear-gradient(90deg,'
                 '#d62728 0 6px,#2ca02c 6px 12px)"></span>界河（两岸单位颜色相间）</div>')
    if far_bank:
        parts.append('<div><span class="sw" style="background:repeating-linear-gradient('
                     '90deg,#555555 0 6px,transparent 6px 12px)"></span>界河对岸（图外单位）</div>')
    if has_zones:
        parts.append('<div><span class="ar" style="background:#888"></span>'
                     "湖库分片（按责任单位着色）</div>")
    parts.append('<div><span class="ar" style="background:#a6cee3"></span>湖库水面</div>')
    if around:
        parts.append('<div><span class="ar" style="background:#d9d9d9;border:1px solid '
                     f'#8a8a8a"></span>{html.escape(around)}（灰色，图外单位）</div>')
    for lvl in ("county", "township", "village"):
        colour, weight, dash, _ = _UNIT_STYLE[lvl]
        style = "dashed" if dash else "solid"
        parts.append(f'<div><span class="sw" style="height:0;border-top:{max(weight, 1):.0f}px '
                     f'{style} {colour}"></span>{html.escape(UNIT_WORDS[lvl])}</div>')
    return "".join(parts)


def _reach_layer(area: Area, level: str, colours: dict[str, str], tolerance: float, *,
                 hide_phones: bool, has_chiefs: bool) -> dict:
    frame = area.reaches[level]
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    # the first bank of a 界河 solid, the other dashed over it: draw primary rows first
    order = np.lexsort((~frame["primary"].astype(bool).to_numpy(),
                        frame["boundary"].astype(bool).to_numpy()))
    frame = frame.iloc[order]
    geoms = _rounded(shapely.simplify(frame.geometry.values, tolerance))
    props = []
    banks = reach_banks(frame, area.all_units.get(level))  # 左岸/右岸 of its 界河 rows
    bank_of = dict(zip(frame["reach_code"].astype(str), banks, strict=True))
    for row, bank in zip(frame.drop(columns="geometry").to_dict("records"), banks,
                         strict=True):
        row["bank"] = bank
        boundary = bool(row.get("boundary"))
        # a county's map: a 界河's line, whichever bank's is clicked, tells the county's
        # bank first (the far bank's chiefs follow as 对岸)
        shown = row
        if boundary and area.county is not None and str(row["admin_code"]) not in \
                area.shown_codes:
            other = area.other_bank(row)
            if other is not None and str(other["admin_code"]) in area.shown_codes:
                shown = other | {"bank": bank_of.get(str(other["reach_code"]), "")}
        lines = reach_lines(area, level, shown, hide_phones=hide_phones,
                            has_chiefs=has_chiefs)
        tip = f"{row.get('reach_name', '')}（{row.get('admin_name', '')}）"
        props.append({"c": colours.get(str(row["admin_code"]), "#555555"),
                      "b": (1 if bool(row.get("primary")) else 2) if boundary else 0,
                      "r": str(row["reach_code"]),
                      "p": _table(lines), "t": html.escape(tip)})
    # a 界河 whose other bank is in a unit not in the data (a county run) has no row for
    # it: that bank is drawn from this row's line, in its unit's colour (grey, off the
    # map), the banks in the whole city's order (the smaller code first, solid)
    lone = np.flatnonzero(far_bank_missing(frame, area.all_reaches[level]))
    drawn = list(geoms)
    for i in lone:
        row = frame.iloc[i]
        across = str(row["shared_with"])
        far_first = across < str(row["admin_code"])
        props[i] = props[i] | {"b": 2 if far_first else 1}
        drawn.append(drawn[i])
        props.append(props[i] | {"c": colours.get(across, "#555555"), "b": 1 if far_first else 2,
                                 "t": html.escape(f"{row['reach_name']}（对岸："
                                                  f"{row['shared_with_name']}）")})
    ranks = sorted(range(len(props)), key=lambda k: props[k]["b"])  # stable
    return _features(np.asarray([drawn[k] for k in ranks], dtype=object),
                     [props[k] for k in ranks])


def _zone_layer(area: Area, level: str, colours: dict[str, str], tolerance: float, *,
                hide_phones: bool, has_chiefs: bool) -> dict:
    frame = area.zones[level]
    if frame.empty:
        return {"type": "FeatureCollection", "features": []}
    geoms = _rounded(shapely.simplify(frame.geometry.values, tolerance / 2))
    props = []
    for row in frame.drop(columns="geometry").to_dict("records"):
        lines = zone_lines(level, row, hide_phones=hide_phones, has_chiefs=has_chiefs)
        props.append({"c": colours.get(str(row["admin_code"]), "#555555"),
                      "p": _table(lines),
                      "t": html.escape(f"{row.get('water_name', '')}"
                                       f"（{row.get('admin_name', '')}片）")})
    return _features(geoms, props)


def _defects(audit: AuditReport | gpd.GeoDataFrame | None, tolerance: float) -> dict:
    frame = audit.defects if isinstance(audit, AuditReport) else audit
    if frame is None or not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return {"type": "FeatureCollection", "features": []}
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty].to_crs(STORE_CRS)
    if "information" in frame.columns:  # 界河 shared on purpose, slivers merged: no defects
        frame = frame[~frame["information"].astype(bool)]
    geoms = _rounded(shapely.simplify(frame.geometry.values, tolerance / 2))
    props = []
    for row in frame.drop(columns="geometry").to_dict("records"):
        kind = DEFECT_NAMES.get(str(row.get("kind", "")), str(row.get("kind", "")))
        shown = {"kind": kind, "level": level_name(str(row.get("level", ""))),
                 "unit": MEASURE_UNITS.get(str(row.get("unit", "")), row.get("unit"))}
        lines = [(AUDIT_HEADERS[k], str(shown.get(k, v))) for k, v in row.items()
                 if k in AUDIT_HEADERS and pd.notna(v) and str(v) != ""]
        props.append({"p": _table([("审核问题", ""), *lines]),
                      "t": html.escape(f"审核问题：{kind}")})
    return _features(geoms, props)


def _river_labels(area: Area) -> list:
    """[name, lat, lon, lat, lon, main] per river name: where its name goes along its
    longest line (a third and two thirds along a main river, else half way), and a point
    a little further down the line, which gives the direction the name is turned to."""
    reaches = area.reaches["county"]
    reaches = reaches[reaches["primary"].astype(bool)]
    if not len(reaches):
        return []
    work = reaches.to_crs(work_crs_for(reaches))  # the package's work CRS, no PROJ query
    places, points = [], []  # (name, main, i) and three points along the line for each
    for name, rows in work.groupby(work["river_name"].astype(str), sort=False):
        parts = [p for p in shapely.get_parts(shapely.line_merge(
            shapely.union_all(rows.geometry.values))) if p.length > 0]
        if not parts or not name:
            continue
        line = max(parts, key=lambda p: p.length)
        main = bool(rows["main"].astype(bool).any())
        fractions = (1 / 3, 2 / 3) if main and line.length > 30_000 else (0.5,)
        step = min(500.0, line.length / 20)
        for i, f in enumerate(fractions):
            at = f * line.length
            places.append((name, main, i))
            points += [line.interpolate(at - step / 2), line.interpolate(at + step / 2),
                       line.interpolate(at)]
    lonlat = gpd.GeoSeries(points, crs=work.crs).to_crs(STORE_CRS)  # one transform for all
    xy = np.column_stack([lonlat.x, lonlat.y]).reshape(-1, 3, 2).tolist()  # Python floats
    out = []
    for (name, main, i), ((ax, ay), (bx, by), (mx, my)) in zip(places, xy, strict=True):
        out.append([name, round(my, DECIMALS), round(mx, DECIMALS),
                    round(my + by - ay, DECIMALS), round(mx + bx - ax, DECIMALS),
                    int(main), i])
    # main rivers first, and every river's first name before any river's second
    out.sort(key=lambda r: (-r[5], r[6]))
    return [r[:6] for r in out]


def _search(area: Area) -> list:
    entries = []

    def add(name, kind, geom_bounds):
        b = [round(float(v), DECIMALS) for v in geom_bounds]
        entries.append([str(name), kind, [b[1], b[0], b[3], b[2]]])

    reaches = area.reaches["county"]
    if len(reaches):
        for name, rows in reaches.groupby("river_name", sort=True):
            add(name, "河流", rows.total_bounds)
    parents = {}
    for lvl, kind in (("county", "县区"), ("township", "乡镇"), ("village", "村")):
        units = area.units.get(lvl)
        if units is None:
            continue
        bounds = units.geometry.bounds.to_numpy()
        for code, parent, name, b in zip(units["code"].astype(str),
                                         units["parent_code"].astype(str),
                                         units["name"].astype(str), bounds, strict=True):
            parents[code] = name
            if lvl != "county":  # many villages share a name: say whose they are
                add(name, f"{kind}·{parents[parent]}" if parent in parents else kind, b)
    zones = area.zones["county"]
    if len(zones):
        for name, rows in zones.groupby("water_name", sort=True):
            add(name, "湖库", rows.total_bounds)
    return entries


def _around(boundaries: Boundaries, area: Area, bounds, tolerance: float
            ) -> tuple[dict, str, str]:
    """The units drawn in grey around the area, what they are (相邻市 ...) and whether
    they are real (:func:`~hzgeo.maps._content.around_note`).

    Each is cut to the area's box grown by twice its size on every side (the map opens on
    the area, and the cut lies off screen around it; a province's worth of neighbours does
    not fill the page) and named at the deepest point of what shows of it in the box grown
    by a tenth (on screen when the map opens).
    """
    empty = {"type": "FeatureCollection", "features": []}
    frame = around_units(boundaries, area, boundaries.neighbours, STORE_CRS)
    west, south, east, north = bounds
    gx, gy = east - west, north - south
    cut = shapely.box(west - 2 * gx, south - 2 * gy, east + 2 * gx, north + 2 * gy)
    frame = frame.set_geometry(clip_polygons(frame.geometry.values, cut), crs=STORE_CRS)
    frame = frame[~frame.geometry.is_empty]
    if not len(frame):
        return empty, "", ""
    inside = shapely.union_all(area.units["county"].geometry.values)
    shown = shapely.box(west - gx / 10, south - gy / 10, east + gx / 10, north + gy / 10)
    props = []
    for name, geom in zip(frame["name"], frame.geometry.values, strict=True):
        visible = clip_polygons([shapely.difference(geom, inside)], shown)[0]
        part = max(shapely.get_parts(visible if not visible.is_empty else geom),
                   key=lambda p: p.area)
        spot = shapely.ops.polylabel(part, tolerance=tolerance)
        props.append({"n": html.escape(name),
                      "at": [round(spot.y, DECIMALS), round(spot.x, DECIMALS)]})
    geoms = _rounded(shapely.simplify(frame.geometry.values, tolerance))
    return _features(geoms, props), around_words(frame), around_note(frame)


def _tiles(m: folium.Map, tiles: str | None, key: str | None) -> str:
    if tiles is None:
        return ""
    if tiles != "tianditu":
        raise InputError(f"`tiles` was {tiles!r} but is expected to be None or 'tianditu'")
    if not key:
        raise InputError("天地图 tiles need your key", hint="get one from the 天地图 site; "
                         "pass `tiles_key`")
    for layer, name in (("vec", "天地图矢量"), ("cva", "天地图注记")):
        url = ("https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
               "&VERSION=1.0.0&LAYER=" + layer + "&STYLE=default&TILEMATRIXSET=w"
               "&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + key)
        folium.TileLayer(tiles=url, attr="天地图", name=name, subdomains="01234567",
                         max_zoom=18, overlay=layer == "cva", control=False).add_to(m)
    return ("底图：天地图（CGCS2000，需联网）。高德、腾讯等 GCJ-02 网络底图与本图 CGCS2000 "
            "数据相差约 300–700 米，勿混用。")


def explore(result: Segmentation | Chiefs, boundaries: Boundaries, *,
            chiefs: Chiefs | None = None, audit: AuditReport | gpd.GeoDataFrame | None = None,
            county: str | None = None,
            hide_phones: bool = False, tiles: str | None = None,
            tiles_key: str | None = None, data_date: str | None = None) -> folium.Map:
    """The distribution map (分布示意图) as an interactive folium map that needs no network.

    Parameters
    ----------
    result : hzgeo.Segmentation
        From :func:`hzgeo.segment_waters`.
    boundaries : hzgeo.Boundaries
        The units the result was segmented with.
    chiefs : hzgeo.Chiefs, optional
        From ``hzgeo.assign_chiefs``: popups then name the chiefs at each level; without
        it they name the responsible unit.
    audit : GeoDataFrame or object with ``.defects``, optional
        Defects to show as their own layer.
    county : str, optional
        Code or name of one county: the map of that county only.
    hide_phones : bool, default False
        Leave chiefs' phone numbers off (for a public map).
    tiles : {None, "tianditu"}, default None
        Web tiles under the data (online only; 天地图 needs ``tiles_key``). Default: no
        tiles, the background is drawn from the boundaries. 天地图 is CGCS2000 like the
        data; GCJ-02 web tiles (高德, 腾讯) would sit 300-700 m off.
    tiles_key : str, optional
        Your 天地图 key (written into the page: do not publish a page with a private key).
    data_date : str, optional
        The date of the data, shown with the hzgeo version under the map.

    Returns
    -------
    folium.Map
        Layers: reaches coloured by unit at county, township and village level (one at a
        time), boundaries of each level, lakes, audit defects, river names along the
        rivers, the units around the area in grey, named (the boundaries' ``neighbours``,
        and on a county map the city's other counties; under everything, never in the
        way of a click); a legend, a
        name search, a scale bar, a disclaimer, the hzgeo version and data date and,
        where any geometry is synthetic, a note saying so.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> result = hzgeo.segment_waters(boundaries, waters)
    >>> m = hzgeo.explore(result, boundaries, county="港北区")
    >>> page = m.get_root().render()
    >>> "cdn.jsdelivr" in page, "港北区河长制分布示意图" in page
    (False, True)
    """
    from hzgeo._version import __version__

    boundaries = boundaries.to_crs(STORE_CRS)
    area = select_area(result, boundaries, chiefs=chiefs, county=county)
    has_chiefs = chiefs is not None
    shown_units = {lvl: f for lvl, f in area.units.items() if len(f)}
    outline = shown_units.get("county", next(iter(shown_units.values())))
    west, south, east, north = outline.total_bounds
    tolerance = max(east - west, north - south) * SIMPLIFY_FRACTION
    if county is not None:
        tolerance /= 2

    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=9,
                   tiles=None, prefer_canvas=True, control_scale=False)
    m.default_js = []   # no CDN: Leaflet comes inlined below, nothing else is needed
    m.default_css = []
    tiles_note = _tiles(m, tiles, tiles_key)

    units_data = []
    city_map = county is None
    for lvl, frame in shown_units.items():
        colour, weight, dash, on = _UNIT_STYLE[lvl]
        geoms = _simplified_units(frame, tolerance)
        props = [{"c": str(c)} for c in frame["code"]]
        units_data.append({"level": lvl, "label": UNIT_WORDS[lvl], "color": colour,
                           "weight": weight, "dash": dash, "on": on[0 if city_map else 1],
                           "features": _features(geoms, props)})

    # around the area in grey, named: the units outside the data (the cities around the
    # city) and, on a county map, the city's other counties
    around, around_label, around_text = _around(boundaries, area,
                                                (west, south, east, north), tolerance)

    levels = []
    for lvl in REACH_LEVELS:
        units = area.units.get(lvl)
        if units is None:
            continue
        colours = unit_colours(units)
        reaches = _reach_layer(area, lvl, colours, tolerance, hide_phones=hide_phones,
                               has_chiefs=has_chiefs)
        zones = _zone_layer(area, lvl, colours, tolerance, hide_phones=hide_phones,
                            has_chiefs=has_chiefs)
        shown = set(area.reaches[lvl]["admin_code"].astype(str)) | set(
            area.zones[lvl]["admin_code"].astype(str))
        lone = area.reaches[lvl][far_bank_missing(area.reaches[lvl], area.all_reaches[lvl])]
        far = not shown <= set(colours) or not set(lone["shared_with"].astype(str)) <= set(
            colours)
        levels.append({"key": lvl, "label": f"{LEVEL_NAMES[lvl]}河段与湖库分片",
                       "reaches": reaches, "zones": zones,
                       "fill": {c: colours[c] for c in sorted(shown) if c in colours},
                       "legend": _legend(lvl, colours, units, shown, bool(zones["features"]),
                                         far, around_label)})

    lakes_frame = area.zones["county"]
    lakes = _features(_rounded(shapely.simplify(lakes_frame.geometry.values, tolerance / 2)),
                      [{} for _ in range(len(lakes_frame))])
    data = {
        "title": area.title,
        "disclaimer": DISCLAIMER,
        "synthetic": synthetic_note(area),
        "tiles_note": tiles_note,
        "bounds": [round(float(v), DECIMALS) for v in (south, west, north, east)],
        "units": units_data,
        "levels": levels,
        "level": "county" if city_map else "township",
        "lakes": lakes,
        "defects": _defects(audit, tolerance),
        "search": _search(area),
        "rivers": _river_labels(area),
        "neighbours": around,
        "neighbours_label": around_label,
        "neighbours_note": around_text,
        "stamp": f"hzgeo {__version__}" + (f"；数据日期：{data_date}" if data_date else ""),
    }
    _Drawing(data).add_to(m)
    return m
