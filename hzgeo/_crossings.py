"""The unique edges of a polygon coverage, and where river segments cross them."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from hzgeo._batch import slices as _slices
from hzgeo._network import part_of
from hzgeo._polygons import polygon_rings

__all__ = ["Vertices", "coverage_edges", "crossings"]


class Vertices(Protocol):
    """What :func:`crossings` reads of a river network: the vertices and the first vertex
    of each part (a :class:`~hzgeo._network.RiverNetwork`, or the arrays a distributed
    task gets)."""

    xy: np.ndarray
    part_start: np.ndarray


def coverage_edges(polygons):
    """Unique edges of a polygon coverage (GEOS polygons or a
    :class:`~hzgeo._polygons.PolygonArrays`):
    (N, 2, 2) coordinates, their two units, and the unit on the left of each edge (from
    its first to its second point).

    Returns ``edges, lo_unit, hi_unit, left_unit``; an edge on the outer boundary has -1
    as its second unit (and as ``left_unit`` when the coverage lies on its right).
    """
    # rings as coordinates and offsets, without a geometry object per ring
    coords, (ring_off, part_off, poly_off) = polygon_rings(polygons)
    n_rings = len(ring_off) - 1
    part_of_ring = np.repeat(np.arange(len(part_off) - 1), np.diff(part_off))
    poly_of_part = np.repeat(np.arange(len(poly_off) - 1), np.diff(poly_off))
    ring_of = np.repeat(np.arange(n_rings), np.diff(ring_off))
    # the polygon lies left of a ring's segments if the ring is an exterior drawn
    # counter-clockwise or a hole drawn clockwise
    exterior = np.zeros(n_rings, dtype=bool)
    exterior[part_off[:-1][np.diff(part_off) > 0]] = True
    poly_left = _ccw(coords, ring_off) == exterior
    same = ring_of[:-1] == ring_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    ring = ring_of[:-1][same]
    del coords, ring_of, same  # (each temporary let go once used: at 200,000 villages
    unit = poly_of_part[part_of_ring[ring]]  # they are tens of MB each)
    # canonical orientation so that the two copies of a shared edge are equal
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    key = np.empty((len(a), 4))  # lo, hi
    key[:, :2] = np.where(swap[:, None], b, a)
    key[:, 2:] = np.where(swap[:, None], a, b)
    del a, b
    on_left = poly_left[ring] != swap
    del ring, swap
    order = np.lexsort(key.T[::-1])
    key, unit, on_left = key[order], unit[order], on_left[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = np.any(key[1:] != key[:-1], axis=1)
    group = np.cumsum(new) - 1
    n = int(group[-1]) + 1 if len(group) else 0
    left = np.full(n, -1)
    right = np.full(n, -1)
    first = np.flatnonzero(new)
    left[:] = unit[first]
    second = ~new
    right[group[second]] = unit[second]
    left_unit = np.full(n, -1)
    left_unit[group[on_left]] = unit[on_left]
    edges = key[first].reshape(-1, 2, 2)
    lo_u = np.minimum(left, np.where(right < 0, left, right))
    hi_u = np.where(right < 0, -1, np.maximum(left, right))
    return edges, lo_u, hi_u, left_unit


def _ccw(coords: np.ndarray, ring_off: np.ndarray) -> np.ndarray:
    """Whether each closed ring runs counter-clockwise: its signed area is positive (as
    :func:`shapely.is_ccw` says for the valid rings of a coverage).

    Twice the area is the sum over the ring's steps of (x0 - x1)(y0 + y1), with y taken
    from the lowest point of all: each term is a step's width times a height within the
    extent, so the sum keeps the sign of areas far below a square metre.
    """
    n = len(ring_off) - 1
    if n == 0:
        return np.zeros(0, dtype=bool)
    x, y = coords[:, 0], coords[:, 1] - coords[:, 1].min()
    term = np.append((x[:-1] - x[1:]) * (y[:-1] + y[1:]), 0.0)
    term[ring_off[1:] - 1] = 0.0  # no step from a ring's last point to the next ring
    start = ring_off[:-1]
    area = np.add.reduceat(term, np.minimum(start, len(term) - 1))
    area[np.diff(ring_off) == 0] = 0.0
    return area > 0


def crossings(net: Vertices, edges: np.ndarray, seg: np.ndarray, ei: np.ndarray):
    """Positions ``s`` (and parts) where river segments cross coverage edges.

    ``seg``, ``ei``: candidate (segment, edge) pairs from :meth:`RiverNetwork.segment_pairs`.
    """
    out_s, out_part = [np.zeros(0)], [np.zeros(0, dtype=int)]
    for batch in _slices(len(seg)):
        sg, e = seg[batch], ei[batch]
        p, r = net.xy[sg], net.xy[sg + 1] - net.xy[sg]
        q, sv = edges[e, 0], edges[e, 1] - edges[e, 0]
        denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
        qp = q - p
        scale = np.hypot(r[:, 0], r[:, 1]) * np.hypot(sv[:, 0], sv[:, 1])
        ok = np.abs(denom) > 1e-12 * scale  # parallel segments do not cross
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qp[:, 0] * sv[:, 1] - qp[:, 1] * sv[:, 0]) / denom
            u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
        eps = 1e-12
        hit = ok & (t >= -eps) & (t <= 1 + eps) & (u >= -eps) & (u <= 1 + eps)
        out_s.append(sg[hit] + np.clip(t[hit], 0.0, 1.0))
        out_part.append(part_of(net.part_start, sg[hit]))
    return np.concatenate(out_s), np.concatenate(out_part)
