"""Printable notice boards (公示牌): one A4 page per board, Chinese in Noto Sans CJK.

Each front page carries the board's content (see :func:`hzgeo.field.notice_boards`) and
a small schematic map of the reach (河湖示意图): the reach in red, the rest of the river
and its neighbours in blue, the village(s) outlined, the board's site as a star. The
back of every board is the same list of prohibited behaviours, so it is printed once, as
the last page, to be copied onto every board's back.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import shapely

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import InputError
from hzgeo.labels import LEVEL_NAMES
from hzgeo.maps.assets import cjk_font

__all__ = ["write_boards_pdf"]

A4 = (8.27, 11.69)  # inches, portrait
_RED, _BLUE, _GREY = "#c62828", "#1565c0", "#9e9e9e"


def _font(size: float, weight: str = "normal"):
    font = cjk_font().copy()
    font.set_size(size)
    font.set_weight(weight)
    return font


def _wrap(text: str, width: int) -> list[str]:
    """Break ``text`` every ``width`` characters (CJK text has no spaces to break at)."""
    out = []
    for paragraph in str(text).split("\n"):
        while len(paragraph) > width:
            out.append(paragraph[:width])
            paragraph = paragraph[width:]
        out.append(paragraph)
    return out


def _context(board, chiefs, boundaries, crs):
    """(reach or zone geometry, village polygons) of ``board``, in ``crs``."""
    item = village = None
    if chiefs is not None:
        frame = (chiefs.zones["village"] if board["kind"] == "zone"
                 else chiefs.reaches["village"])
        column = "zone_code" if board["kind"] == "zone" else "reach_code"
        hit = frame[frame[column] == board["item_code"]]
        if len(hit):
            item = hit.to_crs(crs).geometry.iloc[0]
    if boundaries is not None and "village" in boundaries:
        codes = str(board["admin_codes"]).split(",")
        units = boundaries["village"]
        village = units[units["code"].isin(codes)].to_crs(crs)
    return item, village


def _draw_map(ax, board, point, item, village, rivers, lakes) -> None:
    extent = [point]
    if item is not None:
        extent.append(item)
    if village is not None and len(village):
        extent.extend(village.geometry.values)
    minx, miny, maxx, maxy = shapely.union_all(extent).bounds
    pad = max(maxx - minx, maxy - miny) * 0.12 + 300
    box = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    if village is not None and len(village):
        village.boundary.plot(ax=ax, color=_GREY, linewidth=0.8, linestyle="--")
    if lakes is not None and len(lakes):
        near = lakes[lakes.intersects(box)]
        if len(near):
            near.clip(box).plot(ax=ax, color="#bbdefb", edgecolor=_BLUE, linewidth=0.5)
    if rivers is not None:
        near = rivers[rivers.intersects(box)]
        if len(near):
            near.clip(box).plot(ax=ax, color=_BLUE, linewidth=1.0)
    if item is not None:
        if item.geom_type.endswith("Polygon"):
            gpd.GeoSeries([item]).plot(ax=ax, facecolor="#ef9a9a", edgecolor=_RED,
                                       linewidth=1.5)
        else:
            gpd.GeoSeries([item]).plot(ax=ax, color=_RED, linewidth=4.0, zorder=11)
    ax.plot([point.x], [point.y], marker="*", markersize=13, color="#ff8f00",
            markeredgecolor="black", markeredgewidth=0.6, zorder=10)
    ax.set_xlim(box.bounds[0], box.bounds[2])
    ax.set_ylim(box.bounds[1], box.bounds[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    width_km = (box.bounds[2] - box.bounds[0]) / 1000
    bar = 10 ** int(f"{width_km / 4:e}".split("e")[1])
    x0, y0 = box.bounds[0] + pad * 0.3, box.bounds[1] + pad * 0.3
    ax.plot([x0, x0 + bar * 1000], [y0, y0], color="black", linewidth=2)
    ax.text(x0, y0 + pad * 0.1, f"{bar:g} 公里", fontproperties=_font(7), va="bottom")
    ax.annotate("N", xy=(0.95, 0.93), xycoords="axes fraction", ha="center",
                fontproperties=_font(10, "bold"))
    ax.annotate("", xy=(0.95, 0.92), xytext=(0.95, 0.82), xycoords="axes fraction",
                arrowprops={"arrowstyle": "->", "lw": 1.2})
    ax.set_title("河湖示意图（红：本河段　蓝：水系　虚线：村界　★：公示牌）",
                 fontproperties=_font(8))


def _front(fig, board, point, context, lakes) -> None:
    f = fig
    synthetic = bool(board["synthetic"])
    f.text(0.5, 0.955, f"{board['water_name']}{'湖长' if board['kind'] == 'zone' else '河长'}"
           "公示牌", ha="center", va="center", fontproperties=_font(24, "bold"), color=_RED)
    f.text(0.93, 0.985, str(board["board_code"]), ha="right", va="top",
           fontproperties=_font(7), color="#555555")
    if synthetic:
        f.text(0.07, 0.985, "示意数据：河道或行政区为合成数据，河长姓名电话为虚构，不可用于实地",
               ha="left", va="top", fontproperties=_font(7), color=_RED)
    rows = [("河湖名称", board["water_name"]), ("河湖简介", board["description"]),
            ("河段（片）", board["item_name"]
             + ("（界河，两岸共用本牌）" if board["kind"] == "boundary_reach" else ""))]
    if board["kind"] != "zone":
        rows += [("起止", f"{board['start_desc']} 至 {board['end_desc']}"),
                 ("里程", f"K{board['from_km']:.3f} 至 K{board['to_km']:.3f}，"
                          f"长 {board['length_km']:.2f} 公里"
                          + (f"（本段第 {board['board_index']} / {board['boards_on_item']} 块）"
                             if board["boards_on_item"] > 1 else ""))]
    else:
        rows += [("水面面积", f"{board['area_km2']:.2f} 平方公里")]
    rows += [("所在行政区", f"{board['county_name']} {board['township_name']} "
                          f"{board['village_name']}")]
    if board["city_chief"]:
        rows.append(("市级河长", board["city_chief"]))
    for key, label in ((f"{lvl}_chiefs", LEVEL_NAMES[lvl])
                       for lvl in ("county", "township", "village")):
        if board[key]:
            rows.append((label + ("湖长" if board["kind"] == "zone" else "河长"),
                         board[key].replace("；", "\n")))
    rows += [("河长职责", board["duties"].replace("。", "。\n").strip()),
             ("治理目标", board["targets"]),
             ("监督电话", board["supervision_phone"]),
             ("投诉电话", board["complaint_phone"]),
             ("设立单位", board["issuing_office"])]
    y = 0.915
    size = 8.6
    step = 0.0155
    for label, value in rows:
        lines = _wrap(value, 44)
        f.text(0.07, y, label, fontproperties=_font(size, "bold"), va="top", color="#0d47a1")
        for line in lines:
            f.text(0.22, y, line, fontproperties=_font(size), va="top")
            y -= step
        y -= step * 0.35
    ax = fig.add_axes((0.12, 0.04, 0.76, max(0.12, y - 0.07)))
    item, village, rivers = context
    _draw_map(ax, board, point, item, village, rivers, lakes)
    f.text(0.5, 0.015, f"坐标（WGS84）：{board['lon']:.6f}, {board['lat']:.6f}　"
           f"{board['xy_crs']}：X {board['x']:.1f}, Y {board['y']:.1f}", ha="center",
           fontproperties=_font(7), color="#555555")


def _back(fig, board) -> None:
    fig.text(0.5, 0.93, "公示牌背面：禁止行为", ha="center", fontproperties=_font(24, "bold"),
             color=_RED)
    fig.text(0.5, 0.895, "（各公示牌背面通用，印制于每块公示牌的背面）", ha="center",
             fontproperties=_font(9), color="#555555")
    y = 0.84
    for i, item in enumerate(str(board["prohibited"]).split("；"), start=1):
        for j, line in enumerate(_wrap(item, 30)):
            fig.text(0.1, y, (f"{i}. " if j == 0 else "    ") + line,
                     fontproperties=_font(14), va="top")
            y -= 0.032
        y -= 0.012
    y -= 0.03
    for label in ("complaint_phone", "supervision_phone", "issuing_office"):
        name = {"complaint_phone": "投诉电话", "supervision_phone": "监督电话",
                "issuing_office": "设立单位"}[label]
        fig.text(0.1, y, f"{name}：{board[label]}", fontproperties=_font(12), va="top")
        y -= 0.035


def write_boards_pdf(boards: gpd.GeoDataFrame, path: str | os.PathLike, *,
                     county: str | None = None, chiefs=None, boundaries=None, waters=None,
                     outputs: AtomicOutputs | None = None) -> Path:
    """Write printable boards: one A4 front page per board, then the common back page.

    Parameters
    ----------
    boards : GeoDataFrame
        From :func:`hzgeo.field.notice_boards`.
    path : path
        The PDF to write (atomically).
    county : str, optional
        Only the boards of this county (6-digit code).
    chiefs, boundaries, waters : optional
        For the schematic map: the reach or zone (from ``chiefs``), the village outlines,
        the rivers and lakes. Without them the map shows the board's site only.

    Returns
    -------
    pathlib.Path
        ``path``. The PDF has ``len(boards) + 1`` pages (the last is the back).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    path = Path(path)
    if county is not None:
        boards = boards[boards["county_code"].astype(str) == str(county)]
        if not len(boards):
            raise InputError(f"no board in county {county!r}",
                             hint="give a 6-digit county code present in the data, e.g. "
                                  "450802")
    if not len(boards):
        raise InputError("no boards to print", hint="check the chiefs and the rules")
    if outputs is None:
        with atomic_outputs() as own:
            return write_boards_pdf(boards, path, chiefs=chiefs, boundaries=boundaries,
                                    waters=waters, outputs=own)
    crs = f"EPSG:{int(str(boards['xy_crs'].iloc[0]).split(':')[1])}"
    points = boards.to_crs(crs).geometry.values
    lakes = waters.lakes.to_crs(crs) if waters is not None and len(waters.lakes) else None
    rivers_all = None
    with PdfPages(outputs.path(path)) as pdf:
        for board, point in zip(boards.drop(columns="geometry").to_dict("records"), points,
                                strict=True):
            item, village = _context(board, chiefs, boundaries, crs)
            if waters is not None and rivers_all is None:
                rivers_all = waters.rivers.to_crs(crs)
            fig = Figure(figsize=A4)
            _front(fig, board, point, (item, village, rivers_all), lakes)
            pdf.savefig(fig)
        fig = Figure(figsize=A4)
        _back(fig, boards.iloc[0])
        pdf.savefig(fig)
    return path
