"""Print sheets (A4/A3) of the distribution map, drawn with matplotlib (Agg, no pyplot).

A sheet has a title, the map (units filled pale in their colour, reaches in full colour,
界河 with both banks' colours alternating, lakes, boundaries of each level, the units
around the area in grey, clipped to the frame and each named inside what shows of it (the
boundaries' neighbours; on a county sheet the city's other counties too), on county and
river sheets the field sites),
river names along their lines and county and township names that collide neither with each
other nor with the furniture, a legend listing which units each colour stands for, a scale
bar and a north arrow where the data is not, on a river sheet the table of its chiefs, and
a footnote with the data sources, the disclaimer, the hzgeo version, the data date and,
wherever geometry is synthetic, a note saying so. The map is drawn in the projected work
CRS (Gauss-Krüger), so the scale bar is true in the middle of the sheet; grid north
differs from true north by under 1 degree in a city.
"""

from __future__ import annotations

import io
from typing import Literal, cast

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from hzgeo.errors import InputError
from hzgeo.io import work_crs_for
from hzgeo.maps import _sheet_labels as labels_
from hzgeo.maps import _sheet_parts as parts
from hzgeo.maps._content import (
    around_note,
    around_units,
    around_words,
    clip_polygons,
    far_bank_missing,
    select_area,
)
from hzgeo.maps._sheet_parts import font as _font
from hzgeo.maps._sheet_parts import plain as _plain
from hzgeo.maps.colors import unit_colours
from hzgeo.model import Boundaries, Chiefs, Segmentation

__all__ = ["PAPER_MM", "chief_pages", "plot_sheet"]

#: Paper sizes in millimetres, portrait (ISO 216).
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
_LAKE = "#a6cee3"


class Sheet(Figure):
    """A print sheet: a matplotlib Figure that shows itself in a notebook as a PNG.

    Sheets are drawn without pyplot, so no backend registers them with IPython; this
    figure carries its own ``_repr_png_``.
    """

    #: How many river and unit labels were placed and missed (for tests and review).
    hz_labels: dict[str, int]

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()


def _paths(geom) -> list[np.ndarray]:
    """Coordinate arrays of every line or ring of a geometry."""
    if geom is None or shapely.is_empty(geom):
        return []
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = geom.boundary
    return [shapely.get_coordinates(part) for part in shapely.get_parts(geom)]


def _lines(ax, geoms, **style) -> None:
    from matplotlib.collections import LineCollection

    segs = [p for g in geoms for p in _paths(g)]
    if segs:
        ax.add_collection(LineCollection(segs, **style))


def _fill(ax, frame: gpd.GeoDataFrame, colours, alpha: float, zorder: float,
          **style) -> None:
    """Polygons filled through GeoSeries.plot: holes (lakes, enclaves) stay holes."""
    geoms = frame.geometry
    keep = (geoms.notna() & ~geoms.is_empty).to_numpy()
    if not keep.any():
        return
    colours = np.asarray(colours, dtype=object)
    if colours.ndim == 0:
        colours = np.repeat(colours, len(frame))
    gpd.GeoSeries(geoms.values[keep], crs=frame.crs).plot(
        ax=ax, color=list(colours[keep]), alpha=alpha, zorder=zorder, aspect=None,
        **({"edgecolor": "none"} | style))


def plot_sheet(result: Segmentation | Chiefs, boundaries: Boundaries, *,
               chiefs: Chiefs | None = None, county: str | None = None,
               river: str | None = None, paper: Literal["A4", "A3"] = "A4",
               orientation: Literal["portrait", "landscape"] | None = None,
               field: dict | None = None, neighbours: gpd.GeoDataFrame | None = None,
               data_date: str | None = None) -> Figure:
    """A print sheet of the distribution map (分布示意图): the city, a county or a river.

    Parameters
    ----------
    result : hzgeo.Segmentation
    boundaries : hzgeo.Boundaries
    chiefs : hzgeo.Chiefs, optional
        Reaches then come from the chiefs' table (same geometry); a river sheet then
        carries the table of the river's chiefs (city, county and township reaches, with
        the number of village reaches under each township reach).
    county : str, optional
        Code or name of one county: its sheet, reaches coloured by township, the other
        counties of the city drawn and named in grey around it.
    river : str, optional
        Code or name of a main river (e.g. ``"郁江干流"`` or ``"R03"``): its sheet,
        reaches coloured by township; other rivers thin for orientation.
    paper : {"A4", "A3"}
    orientation : {"portrait", "landscape"}, optional
        Default: whichever fits the area better.
    field : dict, optional
        ``{"sections": ..., "confluences": ...}`` from :mod:`hzgeo.field`: drawn on county
        sheets (the sites in the county) and river sheets (the sites on the river).
    neighbours : GeoDataFrame, optional
        Units outside the data to draw and name in grey around the area (``name`` and
        polygons, optionally ``level`` and ``synthetic``); default the boundaries' own
        (:attr:`hzgeo.Boundaries.neighbours`: the bundled data has the five cities around
        贵港市). They are clipped to the frame (the map stays on the area) and each is named
        inside its visible part. Without any, the city sheet says that its neighbours are
        not drawn. Nothing is drawn that the data does not have.
    data_date : str, optional
        The date of the data, printed in the footnote with the hzgeo version.

    Returns
    -------
    matplotlib.figure.Figure
        Sized to the paper (inches); save with ``fig.savefig(path)`` (PNG or PDF). In a
        notebook it shows itself as a PNG.

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
    rows = parts.chief_rows(area) if river is not None and chiefs is not None else []

    if river is not None:
        x0, y0, x1, y1 = reaches.total_bounds
    else:
        x0, y0, x1, y1 = units["county"].total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    if orientation is None:
        wide = (x1 - x0) > (y1 - y0) * (0.8 if rows else 1.15)
        orientation = "landscape" if wide else "portrait"
    short, long_ = PAPER_MM[paper]
    width_mm, height_mm = (long_, short) if orientation == "landscape" else (short, long_)
    scale = short / 210.0  # type grows with the paper

    fig = Sheet(figsize=(width_mm / 25.4, height_mm / 25.4))
    FigureCanvasAgg(fig)
    map_box, legend_box, table_box = _layout(orientation, bool(rows))
    ax = fig.add_axes(map_box)
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
    view = shapely.box(x0, y0, x1, y1)

    # around the area: the units outside the data (the cities around the city, given as
    # ``neighbours`` or carried by the boundaries) and, on a county sheet, the city's other
    # counties; clipped to the frame
    if neighbours is None:
        neighbours = boundaries.neighbours
    around = _around(boundaries, crs, area, neighbours, view)
    if len(around):
        _fill(ax, around, parts.NEIGHBOUR, alpha=1.0, zorder=0.5)
        _lines(ax, around.geometry.values, colors="#888888", linewidths=0.6, zorder=0.6)

    # units filled pale in their reach colour
    colour_units = units.get(colour_level)
    colours = unit_colours(colour_units) if colour_units is not None else {}
    if colour_units is not None:
        # units with reaches or zones of their own; the others stay white
        fills = [colours[c] if c in shown else "#ffffff"
                 for c in colour_units["code"].astype(str)]
        _fill(ax, colour_units, fills, alpha=0.16, zorder=1)
    if len(lakes):
        _fill(ax, lakes, parts.LAKE, alpha=1.0, zorder=2, edgecolor="#1f78b4",
              linewidth=0.4)
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
    others = area.all_reaches[colour_level].iloc[:0]
    if river is not None:
        others = area.all_reaches["county"]
        others = others[~others["river_code"].astype(str).isin(area.river_codes)
                        & others["primary"].astype(bool)].to_crs(crs)
        _lines(ax, others.geometry.values, colors="#7fa7c9", linewidths=0.7, zorder=6)
    # zones and reaches in their unit's colour; 界河: the other bank dashed over the first
    if len(zones):
        _fill(ax, zones, [colours.get(str(c), "#555555") for c in zones["admin_code"]],
              alpha=0.6, zorder=7)
    width = 1.8 * scale
    boundary = reaches["boundary"].astype(bool).to_numpy()
    # the far bank of a 界河 whose unit across is not in the data (a county run: the
    # county across was left out) has no row: it is drawn from the near bank's line, in
    # the colour of the unit across (grey, off the map), and the banks in the order the
    # whole city has them (the smaller code primary, drawn first)
    lone = far_bank_missing(reaches, area.all_reaches[colour_level])
    across = reaches["shared_with"].fillna("").astype(str).to_numpy()
    near_first = np.where(lone, reaches["admin_code"].astype(str).to_numpy() < across,
                          reaches["primary"].astype(bool).to_numpy())
    far = reaches[lone].assign(admin_code=across[lone])
    far_first = ~near_first[lone]
    plain = reaches[~boundary]
    first, second = reaches[boundary & near_first], reaches[boundary & ~near_first]
    for frame, style, z in ((plain, "solid", 8), (first, "solid", 9),
                            (far[far_first], "solid", 9), (second, (0, (3, 3)), 10),
                            (far[~far_first], (0, (3, 3)), 10)):
        for code, group in frame.groupby(frame["admin_code"].astype(str)):
            _lines(ax, group.geometry.values, colors=colours.get(code, "#555555"),
                   linewidths=width * (1.4 if z > 8 else 1.0), linestyles=style, zorder=z,
                   capstyle="butt")
    sites = _field_sites(field, area, boundaries, crs, county, river)
    for key, marks in (("sections", parts.SECTION_STYLE),
                       ("confluences", parts.CONFLUENCE_STYLE)):
        if len(sites[key]):
            ax.plot(sites[key].geometry.x, sites[key].geometry.y, linestyle="none",
                    markeredgecolor="white", markeredgewidth=0.5, zorder=12,
                    **(marks | {"markersize": marks["markersize"] * scale}))

    # furniture where the data is not, then labels around it
    drawn = list(reaches.geometry.values) + list(others.geometry.values)
    borders = [g.boundary for level in ("county", "city") if level in units
               for g in units[level].geometry.values]
    parts.scale_bar(ax, 7 * scale, parts.emptiest_corner(ax, drawn, parts.SCALE_CORNERS,
                                                         borders))
    parts.north_arrow(ax, 9 * scale, parts.emptiest_corner(ax, drawn, parts.ARROW_CORNERS,
                                                           borders))
    renderer = cast(FigureCanvasAgg, fig.canvas).get_renderer()
    taken = [a.get_window_extent(renderer) for a in [*ax.patches, *ax.texts]
             if a.get_gid() == parts.FURNITURE]
    named = area.reaches["county"]
    named = named[named["primary"].astype(bool)].to_crs(crs)
    rivers = labels_.river_lines(named) + [
        (n, g, False) for n, g, _ in labels_.river_lines(others)]
    placed, missed = labels_.place_river_labels(
        fig, ax, rivers, (_font(9 * scale, "bold"), _font(7 * scale)), taken)
    fig.hz_labels = {"rivers": len(placed), "rivers_missed": missed}
    unit_labels = []
    if county is None:
        for row in units["county"].itertuples():
            p = row.geometry.representative_point()
            unit_labels.append((p.x, p.y, _plain(row.name), _font(12 * scale, "bold"),
                                "#111111", row.geometry.intersection(view)))
    placed_units, skipped = labels_.place_unit_labels(fig, ax, unit_labels, taken,
                                                      avoid=reaches.geometry.values)
    # the units around, each inside what shows of it (clear of the area's own names)
    area_shape = units["county"].union_all()
    named_around = [(row.geometry.difference(area_shape), _plain(row.name),
                     _font(10 * scale, "bold"), parts.NEIGHBOUR_TEXT)
                    for row in around.itertuples()]
    placed_around, missed_around = labels_.place_area_labels(fig, ax, named_around, taken)
    town_labels = []
    if "township" in units:
        town = units["township"]
        town = town.iloc[np.argsort(-town.geometry.area.to_numpy(), kind="stable")]
        for row in town.itertuples():
            p = row.geometry.representative_point()
            if x0 <= p.x <= x1 and y0 <= p.y <= y1:
                town_labels.append((p.x, p.y, _plain(row.name), _font(6.5 * scale),
                                    "#333333"))
    placed_towns, skipped_towns = labels_.place_unit_labels(fig, ax, town_labels, taken)
    fig.hz_labels |= {"units": len(placed_units) + len(placed_towns),
                      "units_missed": skipped + skipped_towns,
                      "around": len(placed_around), "around_missed": len(missed_around)}

    # title, legend, table, footnote
    fig.text(0.5, 0.955, _plain(area.title), ha="center", va="center",
             fontproperties=_font(18 * scale, "bold"))
    far = (bool(len(reaches)) and not reaches["admin_code"].astype(str).isin(colours).all()
           ) or not far["admin_code"].astype(str).isin(colours).all()
    parts.legend(fig, legend_box, colour_level, colour_units, colours, shown, orientation,
                 scale, has_lakes=bool(len(lakes)), villages=county is not None,
                 far_bank=far, boundary_rivers=bool(boundary.any()),
                 neighbours=around_words(around) if len(around) else "",
                 sections=bool(len(sites["sections"])),
                 confluences=bool(len(sites["confluences"])), narrow=bool(rows))
    if rows:  # the village summary row last, whatever fits above it
        fig.hz_labels["table_left_out"] = parts.chief_table(
            fig, table_box, rows, scale, keep_last=rows[-1][0] == "村级",
            more="见 PDF 附页（河长名单）")
    extra = ""
    if county is None and river is None and not len(around):
        extra = "所用数据未含市外相邻县（市、区）界线，图中未绘。"
    elif len(around):
        extra = around_note(around)
    parts.footnote(fig, area, boundaries, orientation, scale, data_date=data_date,
                   extra=extra)
    return fig


def _layout(orientation: str, table: bool):
    """(map, legend, table) boxes in figure fractions."""
    if orientation == "landscape":
        if table:
            return (0.03, 0.13, 0.58, 0.78), (0.63, 0.13, 0.35, 0.30), (0.63, 0.46, 0.35, 0.45)
        return (0.03, 0.13, 0.72, 0.78), (0.76, 0.13, 0.22, 0.78), None
    if table:
        return (0.05, 0.34, 0.90, 0.58), (0.05, 0.09, 0.43, 0.23), (0.50, 0.09, 0.45, 0.23)
    return (0.05, 0.22, 0.90, 0.70), (0.05, 0.09, 0.90, 0.12), None


def _around(boundaries, crs, area, neighbours, view) -> gpd.GeoDataFrame:
    """Units drawn in grey around the area (:func:`~hzgeo.maps._content.around_units`),
    clipped to ``view``."""
    frame = around_units(boundaries, area, neighbours, crs)
    frame = frame.set_geometry(clip_polygons(frame.geometry.values, view), crs=crs)
    return frame[~frame.geometry.is_empty].reset_index(drop=True)


def _field_sites(field, area, boundaries, crs, county, river) -> dict:
    """Sections and confluences in the county or on the river (none on the city sheet)."""
    empty = gpd.GeoDataFrame(geometry=[], crs=crs)
    out = {"sections": empty, "confluences": empty}
    if not field or (county is None and river is None):
        return out
    for key in out:
        frame = field.get(key)
        if frame is None or not len(frame):
            continue
        frame = frame.to_crs(crs)
        if river is not None:
            on = frame["river_code"].astype(str).isin(area.river_codes)
            if "into_code" in frame:
                on |= frame["into_code"].astype(str).isin(area.river_codes)
            frame = frame[on]
        else:
            counties = boundaries["county"].to_crs(crs)
            outline = counties.loc[counties["code"].astype(str) == area.county].union_all()
            frame = frame[frame.geometry.intersects(outline.buffer(1.0))]
        out[key] = frame
    return out


def chief_pages(result, boundaries, *, chiefs, river: str, paper: Literal["A4", "A3"] = "A4",
                data_date: str | None = None) -> list[Figure]:
    """The annex of a river sheet: every chief of the river, village reaches included.

    Portrait pages of ``paper`` listing the city chief, then the county, township and
    village reaches with their chief and post, upstream first (the sheet itself has room
    for the county and township reaches only). The PDF river sheets ``hzgeo run`` writes
    carry these pages after the map.

    Returns
    -------
    list of matplotlib.figure.Figure
        One per page; empty without chiefs.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> result = hzgeo.segment_waters(boundaries, waters)
    >>> chiefs = hzgeo.assign_chiefs(result, boundaries, waters,
    ...     hzgeo.read_officials(hzgeo.datasets.guigang_officials()), hzgeo.read_rules())
    >>> len(chiefs.reaches["village"].query("river_code == 'R07'")) > 0
    True
    >>> pages = chief_pages(result, boundaries, chiefs=chiefs, river="R07")
    >>> len(pages)
    1
    """
    from hzgeo import __version__

    if chiefs is None:
        return []
    if paper not in PAPER_MM:
        raise InputError(f"`paper` was {paper!r} but is expected to be in {list(PAPER_MM)}")
    area = select_area(result, boundaries, chiefs=chiefs, river=river)
    rows = parts.chief_rows(area, villages=True)
    short, long_ = PAPER_MM[paper]
    scale = short / 210.0
    box = (0.07, 0.06, 0.86, 0.86)
    size_pt = (short / 25.4 * 72, long_ / 25.4 * 72)
    chunks, rest = [], rows
    while rest:  # as many rows a page as fit it (long cells wrap onto more lines)
        _, _, left_out = parts.table_layout(size_pt, box, rest, scale)
        take = max(1, len(rest) - left_out)
        chunks.append(rest[:take])
        rest = rest[take:]
    stamp = f"hzgeo {__version__}" + (f"；数据日期：{data_date}" if data_date else "")
    pages: list[Figure] = []
    for number, chunk in enumerate(chunks, start=1):
        fig = Sheet(figsize=(short / 25.4, long_ / 25.4))
        FigureCanvasAgg(fig)
        fig.text(0.5, 0.96, _plain(f"{area.title}　附页：河长名单"), ha="center",
                 va="center", fontproperties=_font(14 * scale, "bold"))
        parts.chief_table(fig, box, chunk, scale,
                          title=f"第 {number} 页，共 {len(chunks)} 页")
        fig.text(0.07, 0.03, _plain(stamp), ha="left", va="bottom",
                 fontproperties=_font(6.5 * scale), color="#333333")
        pages.append(fig)
    return pages
