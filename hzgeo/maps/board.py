"""Printable notice boards (公示牌): one A4 page per board, Chinese in Noto Sans CJK.

Each front page carries the board's content (see :func:`hzgeo.field.notice_boards`):
chiefs and duties in the order 市、县、乡、村, the supervision phones of the county and
city offices, a QR code of the board's ``qr_url`` (drawn with :mod:`segno`), the 落款
(issuing office and date), and a small schematic map of the reach (河湖示意图): the reach
in red, the rest of the river and its neighbours in blue, the village(s) outlined, the
board's site as a star. The
back of every board is the same list of prohibited behaviours, so it is printed once, as
the last page, to be copied onto every board's back.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import InputError
from hzgeo.labels import LEVEL_NAMES
from hzgeo.maps._sheet_parts import wrap
from hzgeo.maps.assets import cjk_font

__all__ = ["qr_matrix", "write_boards_pdf"]

A4 = (8.27, 11.69)  # inches, portrait
QR_PIXELS = 8  # image pixels per QR module
_RED, _BLUE, _GREY = "#c62828", "#1565c0", "#9e9e9e"


def _font(size: float, weight: str = "normal"):
    font = cjk_font().copy()
    font.set_size(size)
    font.set_weight(weight)
    return font


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, each paragraph broken as the
    sheets break their footnotes (never inside a bracketed group that fits a line)."""
    return [line for paragraph in str(text).split("\n")
            for line in (wrap(paragraph, width).split("\n") if paragraph else [""])]


def _context(board, chiefs, boundaries, crs):
    """(reach or zone geometry, village polygons) of ``board``, in ``crs``."""
    item = village = None
    if chiefs is not None:
        frame = (chiefs.zones["village"] if board["kind"] == "zone"
                 else chiefs.reaches["village"])
        column = "zone_code" if board["kind"] == "zone" else "reach_code"
        hit = frame[frame[column].isin(str(board["item_code"]).split(","))]
        if len(hit):
            item = shapely.union_all(hit.to_crs(crs).geometry.values)
    if boundaries is not None and "village" in boundaries:
        codes = str(board["admin_codes"]).split(",")
        units = boundaries["village"]
        village = units[units["code"].isin(codes)].to_crs(crs)
    return item, village


def qr_matrix(url: str) -> np.ndarray:
    """The QR code of ``url`` as a 0/1 module matrix with its 4-module quiet zone (1 =
    dark), as :mod:`segno` makes it."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return np.array([list(row) for row in code.matrix_iter(scale=1, border=4)], dtype=np.uint8)


def _draw_qr(fig, url: str, rect) -> None:
    ax = fig.add_axes(rect)
    # each module 8 x 8 pixels, so that a viewer that smooths images keeps it sharp
    pixels = np.kron(1 - qr_matrix(url), np.ones((QR_PIXELS, QR_PIXELS), dtype=np.uint8))
    ax.imshow(pixels, cmap="gray", vmin=0, vmax=1, interpolation="none")
    ax.set_axis_off()
    ax.set_title("扫码查看河长信息", fontproperties=_font(7), pad=2)


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


def _value(board, key) -> str:
    value = board.get(key)
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _across(board) -> str:
    """（界河左岸，对岸为乙村）: where a 界河 board stands and who is across."""
    across = _value(board, "across_names")
    return f"（界河{_value(board, 'bank')}" + (f"，对岸为{across}" if across else "") + "）"


def _rows(board) -> list[tuple[str, str]]:
    """(label, text) of the front, chiefs and duties in the order 市、县、乡、村."""
    zone = board["kind"] == "zone"
    chief = "湖长" if zone else "河长"
    rows = [("河湖名称", board["water_name"]), ("河湖简介", board["description"]),
            ("河段（片）", board["item_name"]
             + (_across(board) if board["kind"] == "boundary_reach" else ""))]
    if not zone:
        starts = _value(board, "start_desc").split("；")
        ends = _value(board, "end_desc").split("；")
        rows += [("起止", "\n".join(f"{a} 至 {b}" for a, b in zip(starts, ends, strict=False))),
                 ("里程", f"K{board['from_km']:.3f} 至 K{board['to_km']:.3f}，"
                          f"长 {board['length_km']:.2f} 公里"
                          + (f"（本段第 {board['board_index']} / {board['boards_on_item']} 块）"
                             if board["boards_on_item"] > 1 else ""))]
    else:
        rows += [("水面面积", f"{board['area_km2']:.2f} 平方公里")]
    rows += [("所在行政区", f"{board['county_name']} {board['township_name']} "
                          f"{board['village_name']}")]
    for key, label in (("city_chief", LEVEL_NAMES["city"]),
                       *((f"{lvl}_chiefs", LEVEL_NAMES[lvl]) for lvl in ("county", "township",
                                                                         "village"))):
        if _value(board, key):
            rows.append((label + chief, _value(board, key).replace("；", "\n")))
    rows += [(f"{chief}职责", board["duties"].replace("。", "。\n").strip()),
             ("治理目标", board["targets"])]
    for key, label in (("county_phone", "县级监督电话"), ("city_phone", "市级监督电话"),
                       ("complaint_phone", "投诉电话")):
        if _value(board, key):
            rows.append((label, _value(board, key).replace("；", "\n")))
    return rows


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
    y = 0.915
    size = 8.6
    step = 0.0155
    for label, value in _rows(board):
        f.text(0.07, y, label, fontproperties=_font(size, "bold"), va="top", color="#0d47a1")
        for line in _wrap(value, 44):
            f.text(0.22, y, line, fontproperties=_font(size), va="top")
            y -= step
        y -= step * 0.35
    url = _value(board, "qr_url")
    top = max(0.16, y - 0.01)
    map_right = 0.70 if url else 0.88
    ax = fig.add_axes((0.07, 0.07, map_right - 0.07, top - 0.07))
    item, village, rivers = context
    _draw_map(ax, board, point, item, village, rivers, lakes)
    if url:
        _draw_qr(fig, url, (0.73, 0.07 + max(0.0, (top - 0.07) - 0.2), 0.2, 0.18))
    f.text(0.93, 0.045, f"{_value(board, 'issuing_office')}　{_value(board, 'issued_on')}",
           ha="right", fontproperties=_font(10, "bold"))
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
    fig.text(0.1, y, f"投诉电话：{board['complaint_phone']}", fontproperties=_font(12),
             va="top")
    fig.text(0.1, y - 0.035, "监督电话：见各公示牌正面（县级、市级河长制办公室）",
             fontproperties=_font(12), va="top")


def _stamp(fig, stamp: str) -> None:
    """The hzgeo version and the data date, small at the foot of the page (left)."""
    fig.text(0.07, 0.045, stamp, ha="left", fontproperties=_font(6.5), color="#555555")


def write_boards_pdf(boards: gpd.GeoDataFrame, path: str | os.PathLike, *,
                     county: str | None = None, chiefs=None, boundaries=None, waters=None,
                     data_date: str | None = None,
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
    data_date : str, optional
        The date of the data (default today). Every page's
        foot and the PDF's metadata (Creator, Subject, Keywords) say it with the hzgeo
        version, as the sheets do.

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
        boards = boards[[str(county) in str(c).split(",") for c in boards["county_code"]]]
        if not len(boards):
            raise InputError(f"no board in county {county!r}",
                             hint="give a 6-digit county code present in the data, e.g. "
                                  "450802")
    if not len(boards):
        raise InputError("no boards to print", hint="check the chiefs and the rules")
    if outputs is None:
        with atomic_outputs() as own:
            return write_boards_pdf(boards, path, chiefs=chiefs, boundaries=boundaries,
                                    waters=waters, data_date=data_date, outputs=own)
    from hzgeo import __version__

    if data_date is None:
        data_date = _dt.date.today().isoformat()
    stamp = f"hzgeo {__version__}；数据日期：{data_date}"
    metadata = {"Creator": f"hzgeo {__version__}", "Title": "河湖长公示牌",
                "Subject": f"河湖长公示牌（hzgeo {__version__}，数据日期：{data_date}）",
                "Keywords": f"数据日期：{data_date}"}
    crs = f"EPSG:{int(str(boards['xy_crs'].iloc[0]).split(':')[1])}"
    points = boards.to_crs(crs).geometry.values
    lakes = waters.lakes.to_crs(crs) if waters is not None and len(waters.lakes) else None
    rivers_all = None
    with PdfPages(outputs.path(path), metadata=metadata) as pdf:
        for board, point in zip(boards.drop(columns="geometry").to_dict("records"), points,
                                strict=True):
            item, village = _context(board, chiefs, boundaries, crs)
            if waters is not None and rivers_all is None:
                rivers_all = waters.rivers.to_crs(crs)
            fig = Figure(figsize=A4)
            _front(fig, board, point, (item, village, rivers_all), lakes)
            _stamp(fig, stamp)
            pdf.savefig(fig)
        fig = Figure(figsize=A4)
        _back(fig, boards.iloc[0])
        _stamp(fig, stamp)
        pdf.savefig(fig)
    return path
