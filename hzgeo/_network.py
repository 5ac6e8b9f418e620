"""Rivers as one vertex array, and where they cross or follow the edges of a coverage.

A position on a river part is ``s = i + t``: vertex ``i`` plus the fraction ``t`` of the
segment to vertex ``i + 1``. Positions are monotone along each part, so cutting, ordering
and measuring reaches is arithmetic on ``s``; chainage (geodesic metres) is a monotone
function of ``s``, so reach lengths are differences of chainage and add up exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import Transformer

if TYPE_CHECKING:
    import geopandas as gpd

from hzgeo.geodesy import GEOD, segment_lengths

__all__ = ["RiverNetwork", "coverage_edges", "crossings", "shared_stretches"]

#: Shared-stretch detection samples the river every tolerance / 2, but not closer than
#: this, and at most this many times per segment.
_MIN_SAMPLE_SPACING_M = 0.25
_MAX_SAMPLES = 2000


class RiverNetwork:
    """All river parts as one vertex array, with positions ``s`` in vertex-index space."""

    def __init__(self, rivers: gpd.GeoDataFrame, to_lonlat: Transformer):
        coords, part_river, part_start, part_end = [], [], [], []
        n = 0
        for r, geom in enumerate(rivers.geometry.values):
            for part in shapely.get_parts(geom):
                xy = shapely.get_coordinates(part)
                keep = np.ones(len(xy), dtype=bool)
                keep[1:] = np.any(np.diff(xy, axis=0) != 0, axis=1)  # drop repeated points
                xy = xy[keep]
                if len(xy) < 2:
                    continue
                coords.append(xy)
                part_river.append(r)
                part_start.append(n)
                n += len(xy)
                part_end.append(n - 1)
        self.xy = np.concatenate(coords) if coords else np.zeros((0, 2))
        self.part_river = np.asarray(part_river, dtype=int)
        self.part_start = np.asarray(part_start, dtype=int)
        self.part_end = np.asarray(part_end, dtype=int)
        self.vertex_part = np.repeat(np.arange(len(part_start)), self.part_end - self.part_start + 1)
        # segments i -> i + 1 exist where both vertices are in the same part
        seg_ok = np.zeros(max(n - 1, 0), dtype=bool)
        if n > 1:
            seg_ok = self.vertex_part[:-1] == self.vertex_part[1:]
        self.seg_index = np.flatnonzero(seg_ok)
        self.to_lonlat = to_lonlat
        self.lonlat = np.zeros((n, 2))
        planar = np.zeros(max(n - 1, 0))
        geodesic = np.zeros(max(n - 1, 0))
        if n > 1:
            planar = np.hypot(*np.diff(self.xy, axis=0).T)
            lon, lat = to_lonlat.transform(self.xy[:, 0], self.xy[:, 1])
            self.lonlat = np.column_stack([lon, lat])
            geodesic = segment_lengths(lon, lat)
            planar[~seg_ok] = 0.0
            geodesic[~seg_ok] = 0.0
        self.planar_cum = np.concatenate([[0.0], np.cumsum(planar)])
        self.geod_cum = np.concatenate([[0.0], np.cumsum(geodesic)])

    def _locate(self, s: np.ndarray, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        i = np.floor(s).astype(int)
        i = np.minimum(i, self.part_end[part] - 1)
        return i, s - i

    def xy_at(self, s, part):
        i, f = self._locate(np.asarray(s, float), np.asarray(part, int))
        return self.xy[i] + f[:, None] * (self.xy[i + 1] - self.xy[i])

    def chainage(self, s, part):
        """Geodesic metres from the start of the river's first part.

        Exact on the ellipsoid at cut points too: the geodesic from the segment's first
        vertex to the point is added, not a fraction of the segment's length.
        """
        s, part = np.atleast_1d(np.asarray(s, float)), np.atleast_1d(np.asarray(part, int))
        i, f = self._locate(s, part)
        out = self.geod_cum[i].copy()
        inner = f > 0
        if inner.any():
            xy = self.xy[i[inner]] + f[inner, None] * (self.xy[i[inner] + 1] - self.xy[i[inner]])
            lon0, lat0 = self.lonlat[i[inner], 0], self.lonlat[i[inner], 1]
            lon1, lat1 = self.to_lonlat.transform(xy[:, 0], xy[:, 1])
            partial = np.asarray(GEOD.inv(lon0, lat0, lon1, lat1)[2], dtype=float)
            out[inner] += np.minimum(partial, self.geod_cum[i[inner] + 1] - self.geod_cum[i[inner]])
        return out

    def planar(self, s, part):
        i, f = self._locate(np.asarray(s, float), np.asarray(part, int))
        return self.planar_cum[i] + f * (self.planar_cum[i + 1] - self.planar_cum[i])

    def lines(self, s0, s1, part) -> np.ndarray:
        """LineStrings of the stretches ``s0 .. s1`` (vectorised substring)."""
        s0, s1, part = np.asarray(s0, float), np.asarray(s1, float), np.asarray(part, int)
        if len(s0) == 0:
            return np.array([], dtype=object)
        first = np.floor(s0).astype(int) + 1
        last = np.ceil(s1).astype(int) - 1
        inner = np.maximum(last - first + 1, 0)
        counts = inner + 2
        offsets = np.concatenate([[0], np.cumsum(counts)])
        out = np.empty((offsets[-1], 2))
        out[offsets[:-1]] = self.xy_at(s0, part)
        out[offsets[1:] - 1] = self.xy_at(s1, part)
        line_of = np.repeat(np.arange(len(s0)), inner)
        within = np.arange(len(line_of)) - np.repeat(np.cumsum(inner) - inner, inner)
        out[np.repeat(offsets[:-1] + 1, inner) + within] = self.xy[first[line_of] + within]
        return shapely.linestrings(out, indices=np.repeat(np.arange(len(s0)), counts))


def coverage_edges(polygons: np.ndarray):
    """Unique edges of a polygon coverage: (N, 2, 2) coordinates, left and right unit index.

    An edge on the outer boundary has -1 as its second unit.
    """
    parts, poly_of_part = shapely.get_parts(polygons, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    unit = poly_of_part[part_of_ring[ring_of[:-1][same]]]
    # canonical orientation so that the two copies of a shared edge are equal
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    key = np.column_stack([lo, hi])
    order = np.lexsort(key.T[::-1])
    key, unit = key[order], unit[order]
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
    edges = key[first].reshape(-1, 2, 2)
    lo_u = np.minimum(left, np.where(right < 0, left, right))
    hi_u = np.where(right < 0, -1, np.maximum(left, right))
    return edges, lo_u, hi_u


def crossings(net: RiverNetwork, edges: np.ndarray, tree: shapely.STRtree):
    """Positions ``s`` where river segments cross coverage edges."""
    seg = net.seg_index
    if len(seg) == 0:
        return np.zeros(0), np.zeros(0, dtype=int)
    p0, p1 = net.xy[seg], net.xy[seg + 1]
    boxes = shapely.box(np.minimum(p0[:, 0], p1[:, 0]), np.minimum(p0[:, 1], p1[:, 1]),
                        np.maximum(p0[:, 0], p1[:, 0]), np.maximum(p0[:, 1], p1[:, 1]))
    ri, ei = tree.query(boxes)
    p, r = p0[ri], p1[ri] - p0[ri]
    q, sv = edges[ei, 0], edges[ei, 1] - edges[ei, 0]
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    qp = q - p
    scale = np.hypot(*r.T) * np.hypot(*sv.T)
    ok = np.abs(denom) > 1e-12 * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * sv[:, 1] - qp[:, 1] * sv[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    eps = 1e-12
    hit = ok & (t >= -eps) & (t <= 1 + eps) & (u >= -eps) & (u <= 1 + eps)
    s = seg[ri[hit]] + np.clip(t[hit], 0.0, 1.0)
    return s, net.vertex_part[seg[ri[hit]]]


def shared_stretches(net: RiverNetwork, edges, edge_lo, edge_hi, unit_keys, tol_of_part, min_factor):
    """Stretches that run along a shared border: list of (part, s0, s1, village_a, village_b).

    Borders are searched top down (``unit_keys``: one array per level mapping a village to
    its unit at that level, county first): a stretch along a county border is found among
    county-border edges only, so that village edges nearby do not break it up. Inside a
    stretch the two villages are those of the nearest border edge, so the stretch is shared
    at every level below too.
    """
    seg = net.seg_index
    shared = edge_hi >= 0
    if len(seg) == 0 or not shared.any():
        return []
    seg_part = net.vertex_part[seg]
    seg_tol = tol_of_part[seg_part]
    seg_lines = shapely.linestrings(
        np.stack([net.xy[seg], net.xy[seg + 1]], axis=1).reshape(-1, 2),
        indices=np.repeat(np.arange(len(seg)), 2))
    taken: list[tuple[int, float, float]] = []  # intervals found at a higher level
    out = []
    for keys in unit_keys:
        level_edge = shared & (keys[edge_lo] != keys[np.maximum(edge_hi, 0)])
        level_idx = np.flatnonzero(level_edge)
        if len(level_idx) == 0:
            continue
        tree = shapely.STRtree(shapely.linestrings(
            edges[level_idx].reshape(-1, 2), indices=np.repeat(np.arange(len(level_idx)), 2)))
        pair_seg, pair_edge = tree.query(seg_lines, predicate="dwithin", distance=seg_tol)
        near = np.unique(pair_seg[_may_follow(net, seg[pair_seg], edges[level_idx[pair_edge]],
                                              seg_tol[pair_seg])])
        if len(near) == 0:
            continue
        length = np.hypot(*(net.xy[seg[near] + 1] - net.xy[seg[near]]).T)
        spacing = np.maximum(seg_tol[near] / 2, _MIN_SAMPLE_SPACING_M)
        count = np.clip(np.ceil(length / spacing).astype(int), 1, _MAX_SAMPLES) + 1
        owner = np.repeat(near, count)
        within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        s = seg[owner] + within / np.repeat(count - 1, count)
        part = seg_part[owner]
        points = shapely.points(net.xy_at(s, part))
        pi, ei, dist = _nearest(tree, points, float(seg_tol[near].max()))
        good = dist <= seg_tol[owner[pi]]
        pi, ei = pi[good], level_idx[ei[good]]
        s, part = s[pi], part[pi]
        va, vb = edge_lo[ei], edge_hi[ei]
        ka, kb = keys[va], keys[vb]
        flip = ka > kb
        va, vb = np.where(flip, vb, va), np.where(flip, va, vb)
        key = np.minimum(ka, kb).astype(np.int64) * (int(keys.max()) + 1) + np.maximum(ka, kb)
        order = np.lexsort((s, part))
        s, part, key, va, vb = s[order], part[order], key[order], va[order], vb[order]
        if taken:  # drop samples inside stretches found at a higher level
            inside = np.zeros(len(s), dtype=bool)
            for p, a0, a1 in taken:
                inside |= (part == p) & (s >= a0) & (s <= a1)
            s, part, key, va, vb = s[~inside], part[~inside], key[~inside], va[~inside], vb[~inside]
        if len(s) == 0:
            continue
        planar = net.planar(s, part)
        new = np.ones(len(s), dtype=bool)
        new[1:] = (part[1:] != part[:-1]) | (key[1:] != key[:-1]) | (
            planar[1:] - planar[:-1] > tol_of_part[part[1:]])
        run_id = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(s)) - 1
        span = planar[ends] - planar[starts]
        accept = span >= min_factor * tol_of_part[part[starts]]
        for r in np.flatnonzero(accept):
            i0, i1 = starts[r], ends[r]
            p = int(part[i0])
            taken.append((p, s[i0], s[i1]))
            # sub-stretches by village pair
            pair = va[i0:i1 + 1].astype(np.int64) * (len(keys) + 1) + vb[i0:i1 + 1]
            change = np.flatnonzero(np.diff(pair) != 0) + 1
            bounds = np.concatenate([[i0], i0 + change, [i1]])
            for k in range(len(bounds) - 1):
                j0, j1 = bounds[k], bounds[k + 1]
                if s[j1] > s[j0]:
                    out.append((p, float(s[j0]), float(s[j1]), int(va[j0]), int(vb[j0])))
        del run_id
    out.sort(key=lambda r: (r[0], r[1]))
    cleaned = []
    for run in out:
        if cleaned and cleaned[-1][0] == run[0] and run[1] < cleaned[-1][2]:
            if run[2] <= cleaned[-1][2]:
                continue
            run = (run[0], cleaned[-1][2], *run[2:])
        cleaned.append(run)
    return cleaned


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    denom = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(denom > 0, denom, 1.0), 0.0, 1.0)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


def _may_follow(net: RiverNetwork, seg: np.ndarray, edge: np.ndarray,
                tol: np.ndarray) -> np.ndarray:
    """Which (river segment, edge) pairs may be part of a stretch along the edge.

    A segment that merely crosses an edge (steep, one end farther than the tolerance)
    is not sampled: only its ends near the crossing could be within the tolerance, far
    less than a shared stretch needs. Kept: segments with both ends within the tolerance
    (a zig-zag along the border), nearly parallel ones, and long ones (generalised lines).
    """
    p0, p1 = net.xy[seg], net.xy[seg + 1]
    a, b = edge[:, 0], edge[:, 1]
    both_near = (_point_segment_distance(p0, a, b) <= tol) & \
        (_point_segment_distance(p1, a, b) <= tol)
    u, v = p1 - p0, b - a
    cos = np.abs(np.einsum("ij,ij->i", u, v)) / np.maximum(
        np.hypot(*u.T) * np.hypot(*v.T), 1e-300)
    long = np.hypot(*u.T) > 2 * tol
    return both_near | (cos > 0.9) | long


def _nearest(tree: shapely.STRtree, points: np.ndarray, max_distance: float):
    """For each point, its nearest tree geometry within ``max_distance`` (one per point)."""
    pi, ti = tree.query_nearest(points, max_distance=max_distance, all_matches=False)
    dist = shapely.distance(points[pi], tree.geometries[ti])
    return pi, ti, dist
