"""Output geometry of stretches of the river network, in EPSG:4490.

Built from the river's own lon/lat vertices (transformed once, with the network), so no
reach is reprojected and two reaches that meet share their end point exactly.
"""

from __future__ import annotations

import numpy as np
import shapely

from hzgeo._batch import batches

__all__ = ["lonlat_at", "lonlat_lines"]

#: Lines are made this many points at a time: their coordinates and indices are
#: temporaries of about 40 bytes a point (a county level's lines hold every vertex).
_POINTS = 262_144


def lonlat_at(net, s, part) -> np.ndarray:
    """Lon/lat of positions: the vertex's own where ``s`` is a vertex, else transformed."""
    i, f = net.locate(np.asarray(s, float), np.asarray(part, int))
    out = np.where((f == 0)[:, None], net.lonlat[i], net.lonlat[i + 1])
    inner = (f > 0) & (f < 1)
    if inner.any():
        ii = i[inner]
        xy = net.xy[ii] + f[inner, None] * (net.xy[ii + 1] - net.xy[ii])
        out[inner] = np.column_stack(net.to_lonlat.transform(xy[:, 0], xy[:, 1]))
    return out


def lonlat_lines(net, s0, s1, part) -> np.ndarray:
    """LineStrings of the stretches ``s0 .. s1`` of ``part`` (a vectorised substring),
    made :data:`_POINTS` points at a time."""
    s0, s1, part = np.asarray(s0, float), np.asarray(s1, float), np.asarray(part, int)
    lines = np.empty(len(s0), dtype=object)
    if len(s0) == 0:
        return lines
    first = np.floor(s0).astype(int) + 1
    inner = np.maximum(np.ceil(s1).astype(int) - first, 0)  # vertices strictly inside
    head, tail = _end_points(net, s0, s1, part)
    for rows in batches(inner + 2, size=_POINTS):
        lines[rows] = _lines(net.lonlat, first[rows], inner[rows], head[rows], tail[rows])
    return lines


def _lines(lonlat: np.ndarray, first, inner, head, tail) -> np.ndarray:
    """LineStrings from ``head`` through the ``inner`` vertices from ``first`` on to
    ``tail``."""
    counts = inner + 2
    offsets = np.concatenate([[0], np.cumsum(counts)])
    out = np.empty((offsets[-1], 2))
    out[offsets[:-1]], out[offsets[1:] - 1] = head, tail
    # the inner vertices of line k are lonlat[first[k] ...], written from offsets[k] + 1
    start = np.cumsum(inner) - inner  # where line k's inner vertices begin among all
    base = np.arange(int(inner.sum()))
    out[base + np.repeat(offsets[:-1] + 1 - start, inner)] = \
        lonlat[base + np.repeat(first - start, inner)]
    del base
    return shapely.linestrings(out, indices=np.repeat(np.arange(len(first)), counts))


def _end_points(net, s0, s1, part) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of the two ends of each stretch, each point transformed once: the two rows
    of a 界河 are one stretch, and a stretch mostly begins where the one before it ends
    (a position names its part: it is a global vertex index plus a fraction)."""
    new = np.ones(len(s0), dtype=bool)
    new[1:] = (s0[1:] != s0[:-1]) | (s1[1:] != s1[:-1])
    row = np.flatnonzero(new)  # the first row of each run of equal stretches
    end = lonlat_at(net, s1[row], part[row])
    start = np.empty_like(end)
    carried = np.zeros(len(row), dtype=bool)
    carried[1:] = s0[row[1:]] == s1[row[:-1]]
    start[carried] = end[np.flatnonzero(carried) - 1]
    start[~carried] = lonlat_at(net, s0[row[~carried]], part[row[~carried]])
    back = np.cumsum(new) - 1
    return start[back], end[back]
