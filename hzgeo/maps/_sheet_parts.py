"""The furniture of a print sheet: scale bar, north arrow, legend, chiefs' table, footnote.

Furniture goes where the data is not: :func:`emptiest_corner` picks, among the corners a
piece may take, the one the fewest reaches cross. Every piece is tagged with a ``gid``
(:data:`FURNITURE`) so labels can keep off it and tests can find it.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle

from hzgeo.maps._content import DISCLAIMER, LEVEL_NAMES, UNIT_WORDS, sources_note, synthetic_note
from hzgeo.maps.assets import cjk_font

#: ``gid`` of scale bar, north arrow and chiefs' table artists.
FURNITURE = "hz-furniture"
LAKE = "#a6cee3"
NEIGHBOUR = "#efefef"
SECTION_STYLE: dict[str, Any] = {"marker": "^", "color": "#c2185b", "markersize": 6.0}
CONFLUENCE_STYLE: dict[str, Any] = {"marker": "o", "color": "#1f78b4", "markersize": 5.0}


def font(size: float, weight: str = "normal") -> FontProperties:
    """Noto Sans CJK at ``size`` points."""
    out = cjk_font().copy()
    out.set_size(size)
    out.set_weight(weight)
    return out


def plain(text) -> str:
    """Data text drawn as it is: a ``$`` would otherwise start matplotlib's mathtext."""
    return str(text).replace("$", r"\$")


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True,
                                   break_on_hyphens=False))


def emptiest_corner(ax, geoms, corners: list[tuple[float, float, float, float]]) -> int:
    """Index of the corner box (axes fractions x0, y0, x1, y1) the lines cross least.

    Ties go to the first corner given.
    """
    to_data = ax.transAxes + ax.transData.inverted()
    lines = [g for g in geoms if g is not None and not shapely.is_empty(g)]
    union = shapely.union_all(lines) if lines else None
    scores = []
    for x0, y0, x1, y1 in corners:
        (a, b), (c, d) = to_data.transform([(x0, y0), (x1, y1)])
        box = shapely.box(min(a, c), min(b, d), max(a, c), max(b, d))
        scores.append(0.0 if union is None else union.intersection(box).length)
    return int(np.argmin(scores))


def nice_length(span_m: float) -> float:
    """A round length about a fifth of ``span_m`` (1, 2 or 5 times a power of ten)."""
    target = span_m / 5
    power = 10 ** np.floor(np.log10(target))
    for step in (5, 2, 1):
        if step * power <= target:
            return float(step * power)
    return float(power)


#: Where the scale bar may go: bottom left, bottom right (axes fractions).
SCALE_CORNERS = [(0.02, 0.02, 0.30, 0.10), (0.70, 0.02, 0.98, 0.10)]
#: Where the north arrow may go: top right, top left (axes fractions).
ARROW_CORNERS = [(0.90, 0.86, 1.0, 1.0), (0.0, 0.86, 0.10, 1.0)]


def scale_bar(ax, size: float, corner: int = 0) -> None:
    """A scale bar in one of :data:`SCALE_CORNERS`, its length a round number of km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    height = (y1 - y0) * 0.008
    base = y0 + (y1 - y0) * 0.04
    left = x0 + (x1 - x0) * 0.04 if corner == 0 else x1 - (x1 - x0) * 0.04 - length
    for i in range(4):
        ax.add_patch(Rectangle((left + i * length / 4, base), length / 4, height,
                               facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=20, gid=FURNITURE))
    unit, factor = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    for x, text in ((left, "0"), (left + length, f"{length / factor:g} {unit}")):
        ax.text(x, base + height * 1.8, text, ha="center", va="bottom", zorder=20,
                fontproperties=font(size), gid=FURNITURE)


def north_arrow(ax, size: float, corner: int = 0) -> None:
    """A north arrow (grid north) in one of :data:`ARROW_CORNERS`."""
    bx0, by0, bx1, _ = ARROW_CORNERS[corner]
    x, y, h, w = (bx0 + bx1) / 2, by0 + 0.04, 0.07, 0.022
    for side, colour in ((-w, "black"), (w, "white")):
        ax.add_patch(Polygon([(x, y + h), (x + side, y), (x, y + h * 0.3)], closed=True,
                             transform=ax.transAxes, facecolor=colour, edgecolor="black",
                             linewidth=0.8, zorder=20, gid=FURNITURE))
    ax.text(x, y + h + 0.01, "北", transform=ax.transAxes, ha="center", va="bottom",
            zorder=20, fontproperties=font(size, "bold"), gid=FURNITURE)


def legend(fig, box, level, units, colours, shown, orientation, scale, *, has_lakes,
           villages, far_bank, neighbours=False, sections=False, confluences=False) -> None:
    """The legend: one entry per colour listing the units it stands for, then the symbols."""
    ax = fig.add_axes(box)
    ax.set_axis_off()
    handles: list[Artist] = []
    names: list[str] = []
    width = 16 if orientation == "landscape" else 22
    if units is not None:
        name_of = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
        by_colour: dict[str, list[str]] = {}
        for code in sorted(c for c in shown if c in colours):
            by_colour.setdefault(colours[code], []).append(plain(name_of.get(code, code)))
        for colour, unit_names in by_colour.items():
            handles.append(Line2D([], [], color=colour, linewidth=2.5))
            names.append(wrap("、".join(unit_names), width))
    handles += [Line2D([], [], color="#d62728", linewidth=3, linestyle=(0, (3, 3)),
                       gapcolor="#2ca02c")]
    names += ["界河（两岸单位颜色相间）"]
    if far_bank:
        handles.append(Line2D([], [], color="#555555", linewidth=3, linestyle=(0, (3, 3))))
        names.append("界河对岸（图外单位）")
    if has_lakes:
        handles.append(Patch(facecolor=LAKE, edgecolor="#1f78b4", linewidth=0.4))
        names.append("湖库水面（分片按单位着色）")
    if sections:
        handles.append(Line2D([], [], linestyle="none", markeredgecolor="white",
                              markeredgewidth=0.5, **SECTION_STYLE))
        names.append("跨界断面")
    if confluences:
        handles.append(Line2D([], [], linestyle="none", markeredgecolor="white",
                              markeredgewidth=0.5, **CONFLUENCE_STYLE))
        names.append("主要交汇处")
    if neighbours:
        handles.append(Patch(facecolor=NEIGHBOUR, edgecolor="#888888", linewidth=0.6))
        names.append("相邻县（市、区）（灰色注记）")
    handles += [Line2D([], [], color="#000000", linewidth=2.0),
                Line2D([], [], color="#222222", linewidth=1.3),
                Line2D([], [], color="#6e6e6e", linewidth=0.5, linestyle=(0, (4, 2)))]
    names += ["市界", UNIT_WORDS["county"], UNIT_WORDS["township"]]
    if villages:
        handles.append(Line2D([], [], color="#b5b5b5", linewidth=0.4))
        names.append(UNIT_WORDS["village"])
    n = len(handles)
    ncol = (1 if n <= 26 else 2) if orientation == "landscape" else (3 if n <= 18 else 4)
    size = (7.0 if n <= 20 else 6.0) * scale
    title = f"图例（{LEVEL_NAMES[level]}河段按责任单位着色，相邻单位不同色）"
    out = ax.legend(handles, names, loc="upper left", ncol=ncol, frameon=True,
                    prop=font(size), title=wrap(title, 20 if orientation == "landscape"
                                                else 60),
                    title_fontproperties=font(size + 0.5, "bold"), borderaxespad=0.0,
                    handlelength=2.2, columnspacing=1.0)
    out.get_frame().set_linewidth(0.6)


def chief_rows(area) -> list[tuple[str, str, str, str]]:
    """(level, reach, chief with post, note) rows of a river sheet's chiefs' table.

    The city chief, every county reach and every township reach of the river, upstream
    first; village reaches are counted per township reach (their chiefs are in the
    directory's 村级河段 sheet).
    """
    from hzgeo.maps._content import _person, city_chief

    rows = []
    for code in area.river_codes:
        chief = city_chief(area, code, hide_phones=True)
        if chief is not None:
            name = area.all_reaches["county"]
            name = name.loc[name["river_code"].astype(str) == code, "river_name"]
            rows.append(("市级", f"{name.iloc[0] if len(name) else code}全段", chief, ""))
    villages = area.reaches["village"]
    counts = villages["parent_reach_code"].astype(str).value_counts()
    for level in ("county", "township"):
        frame = area.reaches[level]
        frame = frame.sort_values(["river_code", "from_km"] if "from_km" in frame else
                                  ["river_code"], kind="stable")
        for row in frame.drop(columns="geometry").to_dict("records"):
            person = _person(row, hide_phones=True) or ("空缺" if row.get("chief_required")
                                                        else "未设")
            note = f"村级 {counts[row['reach_code']]} 段" if (
                level == "township" and row["reach_code"] in counts) else ""
            rows.append((LEVEL_NAMES[level], str(row["reach_name"]), person, note))
    return rows


def chief_table(fig, box, rows, scale) -> None:
    """The chiefs' table in ``box`` (figure fractions), type sized to fit."""
    if not rows:
        return
    x0, y0, w, h = box
    fig_w, fig_h = (v * 72 for v in fig.get_size_inches())
    header = ("层级", "河段", "河长（职务）", "备注")
    widths = np.array([0.10, 0.36, 0.38, 0.16])
    chars = np.array([max(len(str(r[i])) for r in [header, *rows]) for i in range(4)])
    # a CJK glyph is one em wide: the widest cell of each column fits its column
    size = min(7.0 * scale, *(widths * w * fig_w / np.maximum(chars, 1) / 1.02),
               h * fig_h / (len(rows) + 2.5) / 1.35)
    line = size * 1.35 / fig_h
    top = y0 + h
    fig.text(x0, top, "河长名单", ha="left", va="top", fontproperties=font(size + 1, "bold"),
             gid=FURNITURE)
    lefts = x0 + np.concatenate([[0.0], np.cumsum(widths)[:-1]]) * w
    for i, row in enumerate([header, *rows]):
        y = top - line * (i + 1.3)
        for left, text in zip(lefts, row, strict=True):
            fig.text(left, y, plain(text), ha="left", va="top", gid=FURNITURE,
                     fontproperties=font(size, "bold" if i == 0 else "normal"))
    fig.add_artist(Line2D([x0, x0 + w], [top - line * 2.3] * 2, linewidth=0.5,
                          color="#555555", transform=fig.transFigure, gid=FURNITURE))


def footnote(fig, area, boundaries, orientation, scale, *, data_date: str | None,
             extra: str = "") -> None:
    """Disclaimer, sources, hzgeo version and data date, synthetic note (in red)."""
    from hzgeo._version import __version__

    width = 120 if orientation == "landscape" else 80
    lines = [DISCLAIMER]
    sources = sources_note(boundaries)
    if sources:
        lines.append(plain(f"资料来源：{sources}。"))
    stamp = f"河段划分与制图：hzgeo {__version__}"
    if data_date:
        stamp += f"；数据日期：{data_date}"
    lines.append(plain(stamp + "。" + extra))
    note = plain(synthetic_note(area))
    size = 6.5 * scale
    line_height = size * 1.45 / (fig.get_size_inches()[1] * 72)  # in figure fractions
    bottom = 0.012
    if note:
        wrapped = wrap(note, width)
        fig.text(0.03, bottom, wrapped, ha="left", va="bottom", color="#b00020",
                 fontproperties=font(size, "bold"), linespacing=1.35)
        bottom += line_height * (wrapped.count("\n") + 1)
    fig.text(0.03, bottom, "\n".join(wrap(line, width) for line in lines), ha="left",
             va="bottom", fontproperties=font(size), color="#333333", linespacing=1.35)
