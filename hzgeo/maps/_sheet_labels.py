"""Labels of a print sheet: river names along their lines, unit names at their centres.

Labels are placed greedily, most important first (rivers, then counties, then townships),
each at the first of its candidate positions whose box (in display coordinates, the box
around the rotated text) lies inside the map and overlaps neither a label already placed
nor the furniture (scale bar, north arrow). A label with no such position is left off and
counted.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
import shapely.ops
from matplotlib import patheffects

#: ``gid`` of river-name labels and of unit-name labels.
RIVER_LABEL = "hz-river-label"
UNIT_LABEL = "hz-unit-label"
RIVER_COLOUR = "#0b4f8a"
_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]
#: Where along a line a river name is tried, as fractions of its length.
_FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88)


def _fits(box, frame, taken) -> bool:
    inside = (frame.x0 + 2 <= box.x0 and box.x1 <= frame.x1 - 2
              and frame.y0 + 2 <= box.y0 and box.y1 <= frame.y1 - 2)
    return inside and not any(box.overlaps(t) for t in taken)


def river_lines(reaches) -> list[tuple[str, shapely.LineString, bool]]:
    """(name, longest merged line, main) per river name, longest river first."""
    out: list[tuple[str, shapely.LineString, bool]] = []
    if not len(reaches):
        return out
    main = reaches["main"].astype(bool) if "main" in reaches else False
    frame = reaches.assign(_main=main)
    for name, rows in frame.groupby(frame["river_name"].astype(str), sort=False):
        merged = shapely.line_merge(shapely.union_all(rows.geometry.values))
        parts = [p for p in shapely.get_parts(merged) if p.length > 0]
        if not parts or not name or name == "nan":
            continue
        longest = max(parts, key=lambda p: p.length)
        out.append((name, longest, bool(rows["_main"].any())))
    out.sort(key=lambda t: (not t[2], -t[1].length))
    return out


def place_river_labels(fig, ax, rivers, fonts: tuple, taken: list) -> tuple[list, int]:
    """Write each river's name along its line, rotated to it, beside it.

    ``rivers`` from :func:`river_lines`; ``fonts`` (main, other); ``taken`` display
    boxes to keep off, extended with the boxes placed. A main river whose line is longer
    than the map's diagonal gets its name twice.

    Returns
    -------
    (list of Text, int)
        The labels placed, and the number of names left off.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    to_px = ax.transData
    to_data = ax.transData.inverted()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    diagonal = math.hypot(x1 - x0, y1 - y0)
    px_per_m = frame.width / (x1 - x0)
    placed, missed = [], 0
    for name, line, main in rivers:
        line = shapely.intersection(line, view)
        parts = [p for p in shapely.get_parts(shapely.line_merge(line))
                 if p.geom_type == "LineString" and p.length > 0]
        if not parts:
            continue
        line = max(parts, key=lambda p: p.length)
        font = fonts[0] if main else fonts[1]
        text_m = len(name) * font.get_size_in_points() * fig.dpi / 72 / px_per_m
        if line.length < text_m * 1.2:
            missed += 1
            continue
        wanted = 2 if main and line.length > diagonal else 1
        groups = ([_FRACTIONS] if wanted == 1 else
                  [tuple(f / 2 for f in _FRACTIONS), tuple(0.5 + f / 2 for f in _FRACTIONS)])
        for fractions in groups:
            artist = _along(ax, line, name, font, fractions, text_m, frame, taken, to_px,
                            to_data, renderer)
            if artist is None:
                missed += 1
            else:
                placed.append(artist)
    return placed, missed


def _along(ax, line, name, font, fractions, text_m, frame, taken, to_px, to_data, renderer):
    for f in fractions:
        at = f * line.length
        half = text_m / 2
        if at - half < 0 or at + half > line.length:
            continue
        a, m, b = (np.asarray(line.interpolate(d).coords[0]) for d in (at - half, at,
                                                                      at + half))
        pa, pm, pb = to_px.transform([a, m, b])
        d1, d2 = pm - pa, pb - pm
        bend = abs(math.degrees(math.atan2(d1[0] * d2[1] - d1[1] * d2[0], d1 @ d2)))
        if bend > 30:  # too curved here for straight text
            continue
        d = pb - pa
        if d[0] < 0:
            d = -d
        d = d / (np.hypot(*d) or 1.0)
        angle = math.degrees(math.atan2(d[1], d[0]))
        height = font.get_size_in_points() * ax.figure.dpi / 72
        for side in (1, -1):  # beside the line: above it, else below
            normal = np.array([-d[1], d[0]]) * side
            pos = to_data.transform(pm + normal * (height * 0.75 + 1.5))
            artist = ax.text(pos[0], pos[1], name, rotation=angle, rotation_mode="anchor",
                             ha="center", va="center", fontproperties=font,
                             color=RIVER_COLOUR, zorder=16, gid=RIVER_LABEL,
                             path_effects=_HALO)
            box = artist.get_window_extent(renderer)
            if _fits(box, frame, taken):
                taken.append(box)
                return artist
            artist.remove()
    return None


def place_unit_labels(fig, ax, labels, taken: list, avoid=()) -> tuple[list, int]:
    """Draw unit names in the order given; shift one up or down, or leave it off, when it
    would overlap a box in ``taken`` (extended with the boxes placed).

    ``labels``: (x, y, text, font, colour) in data coordinates, or (x, y, text, font,
    colour, polygon): then the deepest points of the polygon are tried after the shifts.
    ``avoid``: lines (the reaches, in data coordinates) a name should not stand on: of
    the places that fit, the first clear of them is taken, else the first.

    Returns
    -------
    (list of Text, int)
        The labels placed, and the number left off.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    lines = shapely.transform(np.asarray(avoid, dtype=object), ax.transData.transform)
    drawn = shapely.STRtree(lines) if len(lines) else None
    placed, skipped = [], 0
    for x, y, text, font, colour, *polygon in labels:
        artist = ax.text(x, y, text, ha="center", va="center", fontproperties=font,
                         color=colour, zorder=15, gid=UNIT_LABEL,
                         bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                               "edgecolor": "none", "alpha": 0.55})
        box = artist.get_window_extent(renderer)
        (px, py), = ax.transData.transform([(x, y)])
        shifts = [(0.0, dy * box.height) for dy in (0.0, 1.1, -1.1)]
        if polygon and drawn is not None:
            step = ax.transData.inverted().transform([(0, 0), (0, box.height)])
            spots = ax.transData.transform(np.reshape(
                _spots(polygon[0], step=abs(step[1][1] - step[0][1])), (-1, 2)))
            shifts += [(sx - px, sy - py) for sx, sy in spots]
        best = None
        for dx, dy in shifts:
            moved = box.translated(dx, dy)
            if not _fits(moved, frame, taken):
                continue
            best = best or (dx, dy)
            if drawn is None or not len(drawn.query(shapely.box(*moved.extents),
                                                    "intersects")):
                best = (dx, dy)
                break
        if best is None:
            artist.remove()
            skipped += 1
            continue
        if best != (0.0, 0.0):
            artist.set_position(ax.transData.inverted().transform([(px + best[0],
                                                                   py + best[1])])[0])
        taken.append(box.translated(*best))
        placed.append(artist)
    return placed, skipped


def _spots(polygon, step: float, limit: int = 60) -> list[tuple[float, float]]:
    """Points inside ``polygon`` (data coordinates), deepest first: its pole of
    inaccessibility, then grid points ``step`` apart by their distance to its edge."""
    if polygon.is_empty or polygon.area <= 0:
        return []
    parts = sorted(shapely.get_parts(polygon), key=lambda p: -p.area)
    out = []
    for part in parts[:3]:
        pole = shapely.ops.polylabel(part, tolerance=step / 4) if part.geom_type == "Polygon" \
            else part.representative_point()
        out.append((pole.x, pole.y))
    x0, y0, x1, y1 = polygon.bounds
    xs = np.arange(x0 + step / 2, x1, step)
    ys = np.arange(y0 + step / 2, y1, step)
    if len(xs) and len(ys):
        gx, gy = np.meshgrid(xs, ys)
        points = shapely.points(gx.ravel(), gy.ravel())
        inside = shapely.contains_xy(polygon, gx.ravel(), gy.ravel())
        points = points[inside]
        depth = shapely.distance(points, polygon.boundary)
        for i in np.argsort(-depth, kind="stable")[:limit]:
            out.append((points[i].x, points[i].y))
    return out


def place_area_labels(fig, ax, labels, taken: list) -> tuple[list, list[str]]:
    """Write each name inside the visible part of its unit, clear of ``taken``.

    ``labels``: (polygon, text, font, colour), the polygon in data coordinates (the part
    of the unit inside the map). A name goes at the deepest point of the polygon where its
    box lies inside the polygon, inside the map, and overlaps no box in ``taken``
    (extended with the boxes placed); a name with no such point is left off.

    Returns
    -------
    (list of Text, list of str)
        The labels placed, and the names left off.
    """
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    to_data = ax.transData.inverted()
    placed, missed = [], []
    for polygon, text, font, colour in labels:
        artist = ax.text(0, 0, text, ha="center", va="center", fontproperties=font,
                         color=colour, zorder=15, gid=UNIT_LABEL)
        box = artist.get_window_extent(renderer)
        (ax0, ay0), (ax1, ay1) = to_data.transform([(box.x0, box.y0), (box.x1, box.y1)])
        half_w, half_h = abs(ax1 - ax0) / 2, abs(ay1 - ay0) / 2
        shapely.prepare(polygon)
        for x, y in _spots(polygon, step=half_h):
            if not polygon.contains(shapely.box(x - half_w, y - half_h, x + half_w,
                                                y + half_h)):
                continue
            artist.set_position((x, y))
            box = artist.get_window_extent(renderer)
            if _fits(box, frame, taken):
                taken.append(box)
                placed.append(artist)
                break
        else:
            artist.remove()
            missed.append(text)
    return placed, missed
