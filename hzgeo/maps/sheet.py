"""Print sheets (A4/A3) of the distribution map, drawn with matplotlib (Agg, no pyplot).

A sheet has a title, the map (units filled pale in their colour, reaches in full colour,
界河 with both banks' colours alternating, lakes, boundaries of each level), county and
township labels that do not collide, a legend, a scale bar, a north arrow and a footnote
with the data sources, the disclaimer and, wherever geometry is synthetic, a note saying so.
The map is drawn in the projected work CRS (Gauss-Krüger), so the scale bar is true in the
middle of the sheet; grid north differs from true north by under 1 degree in a city.
"""

from __future__ import annotations

import textwrap
from typing import Literal, cast

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle

from hzgeo.errors import InputError
from hzgeo.io import work_crs_for
from hzgeo.maps._content import (
    DISCLAIMER,
    LEVEL_NAMES,
    UNIT_WORDS,
    select_area,
    sources_note,
    synthetic_note,
)
from hzgeo.maps.assets import cjk_font
from hzgeo.maps.colors import unit_colours
from hzgeo.model import Boundaries, Chiefs, Segmentation

__all__ = ["PAPER_MM", "plot_sheet"]

#: Paper sizes in millimetres, portrait (ISO 216).
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
_LAKE = "#a6cee3"


def _font(size: float, weight: str = "normal") -> FontProperties:
    font = cjk_font().copy()
    font.set_size(size)
    font.set_weight(weight)
    return font


def _plain(text) -> str:
    """Data text drawn as it is: a ``$`` would otherwise start matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


def _paths(geom) -> list[np.ndarray]:
    """Coordinate arrays of every line or ring of a geometry."""
    if geom is None or shapely.is_empty(geom):
        return []
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = geom.boundary
    return [shapely.get_coordinates(part) for part in shapely.get_parts(geom)]


def _lines(ax, geoms, **style) -> None:
    segs = [p for g in geoms for p in _paths(g)]
    if segs:
        ax.add_collection(LineCollection(segs, **style))


def _fill(ax, frame: gpd.GeoDataFrame, colours, alpha: float, zorder: float) -> None:
    for geom, colour in zip(frame.geometry.values, colours, strict=True):
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            ax.add_patch(Polygon(np.asarray(poly.exterior.coords), closed=True,
                                 facecolor=colour, edgecolor="none", alpha=alpha,
                                 zorder=zorder))


def _nice_length(span_m: float) -> float:
    target = span_m / 5
    power = 10 ** np.floor(np.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


def _scale_bar(ax, size: float) -> None:
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = (y1 - y0) * 0.008
    left, base = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, base), length / 4, height,
                               facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=20))
    unit, factor = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    for x, text in ((left, "0"), (left + length, f"{length / factor:g} {unit}")):
        ax.text(x, base + height * 1.8, text, ha="center", va="bottom", zorder=20,
                fontproperties=_font(size))


def _north_arrow(ax, size: float) -> None:
    x, y, h, w = 0.95, 0.9, 0.07, 0.022
    ax.add_patch(Polygon([(x, y + h), (x - w, y), (x, y + h * 0.3)], closed=True,
                         transform=ax.transAxes, facecolor="black", edgecolor="black",
                         linewidth=0.8, zorder=20))
    ax.add_patch(Polygon([(x, y + h), (x + w, y), (x, y + h * 0.3)], closed=True,
                         transform=ax.transAxes, facecolor="white", edgecolor="black",
                         linewidth=0.8, zorder=20))
    ax.text(x, y + h + 0.01, "北", transform=ax.transAxes, ha="center", va="bottom",
            zorder=20, fontproperties=_font(size, "bold"))


def _place_labels(fig, ax, labels: list[tuple[float, float, str, FontProperties, str]],
                  taken: list) -> int:
    """Draw labels in the order given; shift or skip one that would overlap a drawn one
    or a box in ``taken`` (display coordinates).

    Returns the number skipped.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed = list(taken)
    skipped = 0
    for x, y, text, font, colour in labels:
        artist = ax.text(x, y, text, ha="center", va="center", fontproperties=font,
                         color=colour, zorder=15,
                         bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                               "edgecolor": "none", "alpha": 0.55})
        box = artist.get_window_extent(renderer)
        ok = False
        for dy in (0.0, 1.1, -1.1):
            shifted = box.translated(0, dy * box.height)
            if (frame.contains(shifted.x0, shifted.y0) and frame.contains(shifted.x1, shifted.y1)
                    and not any(shifted.overlaps(p) for p in placed)):
                if dy:
                    dx_data = ax.transData.inverted().transform(
                        [(0, 0), (0, dy * box.height)])
                    artist.set_y(y + dx_data[1][1] - dx_data[0][1])
                placed.append(shifted)
                ok = True
                break
        if not ok:
            artist.remove()
            skipped += 1
    return skipped


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True,
                                   break_on_hyphens=False))


def plot_sheet(result: Segmentation | Chiefs, boundaries: Boundaries, *,
               chiefs: Chiefs | None = None, county: str | None = None,
               river: str | None = None, paper: Literal["A4", "A3"] = "A4",
               orientation: Literal["portrait", "landscape"] | None = None) -> Figure:
    """A print sheet of the distribution map (分布示意图): the city, a county or a river.

    Parameters
    ----------
    result : hzgeo.Segmentation
    boundaries : hzgeo.Boundaries
    chiefs : hzgeo.Chiefs, optional
        Reaches then come from the chiefs' table (same geometry).
    county : str, optional
        Code or name of one county: its sheet, reaches coloured by township.
    river : str, optional
        Code or name of a main river (e.g. ``"郁江干流"`` or ``"R03"``): its sheet,
        reaches coloured by township; other rivers thin for orientation.
    paper : {"A4", "A3"}
    orientation : {"portrait", "landscape"}, optional
        Default: whichever fits the area better.

    Returns
    -------
    matplotlib.figure.Figure
        Sized to the paper (inches); save with ``fig.savefig(path)`` (PNG or PDF).

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> result = hzgeo.segment_waters(boundaries, waters)
    >>> fig = hzgeo.plot_sheet(result, boundaries, county="港北区")
    >>> [round(v * 25.4) for v in fig.get_size_inches()]
    [210, 297]
    """
    if paper not in PAPER_MM:
        raise InputError(f"`paper` was {paper!r} but is expected to be in {list(PAPER_MM)}")
    if orientation not in (None, "portrait", "landscape"):
        raise InputError(f"`orientation` was {orientation!r} but is expected to be "
                         "'portrait', 'landscape' or None")
    area = select_area(result, boundaries, chiefs=chiefs, county=county, river=river)
    crs = work_crs_for(boundaries["county"])
    units = {lvl: f.to_crs(crs) for lvl, f in area.units.items() if len(f)}
    colour_level = "county" if county is None and river is None else "township"
    reaches = area.reaches[colour_level].to_crs(crs)
    zones = area.zones[colour_level].to_crs(crs)
    if river is not None:
        zones = zones.iloc[:0]  # a river sheet shows the river
    shown = set(reaches["admin_code"].astype(str)) | set(zones["admin_code"].astype(str))
    lakes = area.zones["county"].to_crs(crs)

    if river is not None:
        x0, y0, x1, y1 = reaches.total_bounds
    else:
        x0, y0, x1, y1 = units["county"].total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    if orientation is None:
        orientation = "landscape" if (x1 - x0) > (y1 - y0) * 1.15 else "portrait"
    short, long_ = PAPER_MM[paper]
    width_mm, height_mm = (long_, short) if orientation == "landscape" else (short, long_)
    scale = short / 210.0  # type grows with the paper

    fig = Figure(figsize=(width_mm / 25.4, height_mm / 25.4))
    FigureCanvasAgg(fig)
    if orientation == "landscape":
        ax = fig.add_axes((0.03, 0.13, 0.72, 0.78))
        legend_box = (0.76, 0.13, 0.22, 0.78)
    else:
        ax = fig.add_axes((0.05, 0.22, 0.90, 0.70))
        legend_box = (0.05, 0.09, 0.90, 0.12)
    ax.set_axis_off()
    # widen the area to the axes' shape, so one metre is as long across as up
    box_w, box_h = ax.get_position().width * width_mm, ax.get_position().height * height_mm
    if (x1 - x0) / (y1 - y0) < box_w / box_h:
        grow = ((y1 - y0) * box_w / box_h - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * box_h / box_w - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False,
                           edgecolor="black", linewidth=0.8, zorder=30, clip_on=False))

    # units filled pale in their reach colour
    colour_units = units.get(colour_level)
    colours = unit_colours(colour_units) if colour_units is not None else {}
    if colour_units is not None:
        # units with reaches or zones of their own; the others stay white
        fills = [colours[c] if c in shown else "#ffffff"
                 for c in colour_units["code"].astype(str)]
        _fill(ax, colour_units, fills, alpha=0.16, zorder=1)
    if len(lakes):
        ax.add_collection(_lake_patches(lakes))
    # boundaries, fine to coarse
    if "village" in units and county is not None:
        _lines(ax, units["village"].geometry.values, colors="#b5b5b5", linewidths=0.25,
               zorder=3)
    if "township" in units:
        _lines(ax, units["township"].geometry.values, colors="#6e6e6e", linewidths=0.5,
               linestyles=(0, (4, 2)), zorder=4)
    _lines(ax, units["county"].geometry.values, colors="#222222", linewidths=1.3, zorder=5)
    if "city" in units:
        _lines(ax, units["city"].geometry.values, colors="#000000", linewidths=2.0, zorder=5)

    # other rivers of a river sheet, for orientation
    if river is not None:
        others = area.all_reaches[colour_level]
        others = others[~others["river_code"].astype(str).isin(area.river_codes)
                        & others["primary"].astype(bool)].to_crs(crs)
        _lines(ax, others.geometry.values, colors="#7fa7c9", linewidths=0.7, zorder=6)
    # zones and reaches in their unit's colour; 界河: the other bank dashed over the first
    if len(zones):
        _fill(ax, zones, [colours.get(str(c), "#555555") for c in zones["admin_code"]],
              alpha=0.6, zorder=7)
    width = 1.8 * scale
    plain = reaches[~reaches["boundary"].astype(bool)]
    first = reaches[reaches["boundary"].astype(bool) & reaches["primary"].astype(bool)]
    second = reaches[reaches["boundary"].astype(bool) & ~reaches["primary"].astype(bool)]
    for frame, style, z in ((plain, "solid", 8), (first, "solid", 9),
                            (second, (0, (3, 3)), 10)):
        for code, rows in frame.groupby(frame["admin_code"].astype(str)):
            _lines(ax, rows.geometry.values, colors=colours.get(code, "#555555"),
                   linewidths=width * (1.4 if z > 8 else 1.0), linestyles=style, zorder=z,
                   capstyle="butt")

    # labels: counties first, then townships by area (larger first)
    labels = []
    if county is None:
        for row in units["county"].itertuples():
            p = row.geometry.representative_point()
            labels.append((p.x, p.y, _plain(row.name), _font(12 * scale, "bold"), "#111111"))
    if "township" in units:
        town = units["township"]
        town = town.iloc[np.argsort(-town.geometry.area.to_numpy(), kind="stable")]
        for row in town.itertuples():
            p = row.geometry.representative_point()
            if x0 <= p.x <= x1 and y0 <= p.y <= y1:
                labels.append((p.x, p.y, _plain(row.name), _font(6.5 * scale), "#333333"))
    _scale_bar(ax, 7 * scale)
    _north_arrow(ax, 9 * scale)
    renderer = cast(FigureCanvasAgg, fig.canvas).get_renderer()
    furniture = [a.get_window_extent(renderer) for a in [*ax.patches, *ax.texts]
                 if a.get_zorder() == 20]  # scale bar and north arrow: keep labels off them
    _place_labels(fig, ax, labels, furniture)

    # title, legend, footnote
    fig.text(0.5, 0.955, _plain(area.title), ha="center", va="center",
             fontproperties=_font(18 * scale, "bold"))
    far = bool(len(reaches)) and not reaches["admin_code"].astype(str).isin(colours).all()
    _legend(fig, legend_box, colour_level, colour_units, colours, shown, orientation, scale,
            has_lakes=bool(len(lakes)), villages=county is not None, far_bank=far)
    _footnote(fig, area, boundaries, orientation, scale)
    return fig


def _lake_patches(lakes: gpd.GeoDataFrame):
    from matplotlib.collections import PatchCollection

    patches = [Polygon(np.asarray(p.exterior.coords), closed=True)
               for g in lakes.geometry.values for p in shapely.get_parts(g)
               if p.geom_type == "Polygon"]
    return PatchCollection(patches, facecolor=_LAKE, edgecolor="#1f78b4", linewidth=0.4,
                           zorder=2)


def _legend(fig, box, level, units, colours, shown, orientation, scale, *, has_lakes,
            villages, far_bank) -> None:
    ax = fig.add_axes(box)
    ax.set_axis_off()
    handles: list[Artist] = []
    names: list[str] = []
    if units is not None:
        name_of = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
        for code in sorted(c for c in shown if c in colours):
            handles.append(Line2D([], [], color=colours[code], linewidth=2.5))
            names.append(_plain(name_of.get(code, code)))
    handles += [Line2D([], [], color="#d62728", linewidth=3, linestyle=(0, (3, 3)),
                       gapcolor="#2ca02c")]
    names += ["界河（两岸单位颜色相间）"]
    if far_bank:
        handles.append(Line2D([], [], color="#555555", linewidth=3, linestyle=(0, (3, 3))))
        names.append("界河对岸（图外单位）")
    if has_lakes:
        handles.append(Patch(facecolor=_LAKE, edgecolor="#1f78b4", linewidth=0.4))
        names.append("湖库水面（分片按单位着色）")
    handles += [Line2D([], [], color="#000000", linewidth=2.0),
                Line2D([], [], color="#222222", linewidth=1.3),
                Line2D([], [], color="#6e6e6e", linewidth=0.5, linestyle=(0, (4, 2)))]
    names += ["市界", UNIT_WORDS["county"], UNIT_WORDS["township"]]
    if villages:
        handles.append(Line2D([], [], color="#b5b5b5", linewidth=0.4))
        names.append(UNIT_WORDS["village"])
    n = len(handles)
    if orientation == "landscape":
        ncol = 1 if n <= 26 else 2
    else:
        ncol = 4 if n <= 24 else 6
    size = (7.5 if n <= 26 else 6.0) * scale
    legend = ax.legend(handles, names, loc="upper left", ncol=ncol, frameon=True,
                       prop=_font(size), title=f"图例（{LEVEL_NAMES[level]}河段按责任单位着色）",
                       title_fontproperties=_font(size + 1, "bold"), borderaxespad=0.0,
                       handlelength=2.2, columnspacing=1.0)
    legend.get_frame().set_linewidth(0.6)


def _footnote(fig, area, boundaries, orientation, scale) -> None:
    from hzgeo import __version__

    width = 120 if orientation == "landscape" else 80
    lines = [DISCLAIMER]
    sources = sources_note(boundaries)
    if sources:
        lines.append(_plain(f"资料来源：{sources}；河段划分：hzgeo {__version__}。"))
    note = _plain(synthetic_note(area))
    size = 6.5 * scale
    line_height = size * 1.45 / (fig.get_size_inches()[1] * 72)  # in figure fractions
    bottom = 0.012
    if note:
        wrapped = _wrap(note, width)
        fig.text(0.03, bottom, wrapped, ha="left", va="bottom", color="#b00020",
                 fontproperties=_font(size, "bold"), linespacing=1.35)
        bottom += line_height * (wrapped.count("\n") + 1)
    fig.text(0.03, bottom, "\n".join(_wrap(line, width) for line in lines), ha="left",
             va="bottom", fontproperties=_font(size), color="#333333", linespacing=1.35)
