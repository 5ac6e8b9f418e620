"""Rivers as one vertex array, and where they cross or follow the edges of a coverage.

A position on a river part is ``s = i + t``: vertex ``i`` plus the fraction ``t`` of the
segment to vertex ``i + 1``. Positions are monotone along each part, so cutting, ordering
and measuring reaches is arithmetic on ``s``; chainage (geodesic metres) is a monotone
function of ``s``, so reach lengths are differences of chainage and add up exactly.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from hzgeo.geodesy import GEOD, segment_lengths

__all__ = ["RiverNetwork", "box_pairs", "coverage_edges", "crossings", "shared_stretches"]

#: Shared-stretch detection samples the river every tolerance / 2, but not closer than
#: this, and at most this many times per segment.
_MIN_SAMPLE_SPACING_M = 0.25
_MAX_SAMPLES = 2000
#: Vectorised steps over candidate pairs or samples run this many rows at a time, so
#: that their temporaries stay a few tens of MB whatever the size of the region.
_BATCH = 100_000


def _batches(weights: np.ndarray, size: int = _BATCH):
    """Consecutive slices of items whose summed ``weights`` stay within ``size`` (at least
    one item each).

    >>> [(s.start, s.stop) for s in _batches(np.array([3, 3, 3, 3]), size=6)]
    [(0, 2), (2, 4)]
    """
    total = np.cumsum(weights)
    start = 0
    while start < len(total):
        base = total[start - 1] if start else 0
        stop = max(int(np.searchsorted(total, base + size, side="right")), start + 1)
        yield slice(start, stop)
        start = stop


class RiverNetwork:
    """All river parts as one vertex array, with positions ``s`` in vertex-index space."""

    def __init__(self, geometries: np.ndarray, to_lonlat: Transformer,
                 reverse: np.ndarray | None = None):
        """``geometries``: (Multi)LineStrings in a projected CRS, parts in flow order;
        ``reverse``: rivers to turn round (parts and vertices)."""
        geometries = np.asarray(geometries, dtype=object)
        if reverse is not None and reverse.any():
            geometries = geometries.copy()
            for i in np.flatnonzero(reverse):
                parts = shapely.get_parts(geometries[i])
                geometries[i] = shapely.multilinestrings(shapely.reverse(parts[::-1]))
        parts, river = shapely.get_parts(geometries, return_index=True)
        xy, part = shapely.get_coordinates(parts, return_index=True)
        keep = np.ones(len(xy), dtype=bool)  # drop repeated points
        keep[1:] = (part[1:] != part[:-1]) | np.any(xy[1:] != xy[:-1], axis=1)
        xy, part = xy[keep], part[keep]
        count = np.bincount(part, minlength=len(parts))
        good = count >= 2
        xy, part = xy[good[part]], part[good[part]]
        # renumber parts 0..n-1 (a part left with one point is no part)
        new_id = np.cumsum(good) - 1
        part = new_id[part]
        self.part_river = river[good]
        count = count[good]
        n = len(xy)
        self.xy = xy
        self.part_start = (np.cumsum(count) - count).astype(int)
        self.part_end = (self.part_start + count - 1).astype(int)
        self.vertex_part = part
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
            step = self.xy[1:] - self.xy[:-1]
            planar = np.hypot(step[:, 0], step[:, 1])
            del step
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

    def segment_pairs(self, edges: np.ndarray, *, distance: np.ndarray | float = 0.0,
                      chunk: int = 8, batch: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
        """(segment, edge) pairs whose bounding boxes are within ``distance``.

        ``distance`` is per part or one number. Runs of ``chunk`` segments are matched
        with the edges on a uniform grid (:func:`box_pairs`; one box per segment would
        cost more than the search), and each run's segments are then kept where their own
        box, grown by the distance, meets the edge's. The caller tests the pairs exactly.
        """
        if len(self.seg_index) == 0 or len(edges) == 0:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        starts = [np.arange(a, b, chunk) for a, b in zip(self.part_start, self.part_end,
                                                            strict=True)]
        first = np.concatenate(starts)
        part = np.repeat(np.arange(len(starts)), [len(x) for x in starts])
        last = np.minimum(first + chunk, self.part_end[part])
        grow = np.broadcast_to(np.asarray(distance, dtype=float), part.shape) \
            if np.ndim(distance) == 0 else np.asarray(distance, dtype=float)[part]
        n_vertices = last - first + 1
        bounds = np.concatenate([[0], np.cumsum(n_vertices)[:-1]])
        vertex = np.repeat(first, n_vertices) + (np.arange(n_vertices.sum())
                                                 - np.repeat(bounds, n_vertices))
        x, y = self.xy[vertex, 0], self.xy[vertex, 1]
        run_box = np.column_stack([np.minimum.reduceat(x, bounds) - grow,
                                   np.minimum.reduceat(y, bounds) - grow,
                                   np.maximum.reduceat(x, bounds) + grow,
                                   np.maximum.reduceat(y, bounds) + grow])
        del x, y, vertex
        edge_box = np.column_stack([edges[:, :, 0].min(axis=1), edges[:, :, 1].min(axis=1),
                                    edges[:, :, 0].max(axis=1), edges[:, :, 1].max(axis=1)])
        pi, ei = box_pairs(run_box, edge_box)
        if len(pi) == 0:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        n_seg = last[pi] - first[pi]
        # expand the (run, edge) pairs to (segment, edge) pairs in batches: bounded memory
        out_seg, out_edge = [], []
        cut = np.searchsorted(np.cumsum(n_seg), np.arange(batch, n_seg.sum() + batch, batch),
                              side="right")
        cut[-1] = len(pi)
        for lo, hi in zip(np.concatenate([[0], cut[:-1]]), cut, strict=True):
            k = n_seg[lo:hi]
            seg = np.repeat(first[pi[lo:hi]], k) + (
                np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
            edge = np.repeat(ei[lo:hi], k)
            g = np.repeat(grow[pi[lo:hi]], k)
            p0, p1 = self.xy[seg], self.xy[seg + 1]
            box = edge_box[edge]
            near = ((np.minimum(p0[:, 0], p1[:, 0]) - g <= box[:, 2])
                    & (np.maximum(p0[:, 0], p1[:, 0]) + g >= box[:, 0])
                    & (np.minimum(p0[:, 1], p1[:, 1]) - g <= box[:, 3])
                    & (np.maximum(p0[:, 1], p1[:, 1]) + g >= box[:, 1]))
            out_seg.append(seg[near])
            out_edge.append(edge[near])
        return np.concatenate(out_seg), np.concatenate(out_edge)

    def lonlat_at(self, s, part) -> np.ndarray:
        """Lon/lat of positions: the vertex's own where ``s`` is a vertex, else transformed."""
        i, f = self._locate(np.asarray(s, float), np.asarray(part, int))
        out = np.where((f == 0)[:, None], self.lonlat[i], self.lonlat[i + 1])
        inner = (f > 0) & (f < 1)
        if inner.any():
            xy = self.xy[i[inner]] + f[inner, None] * (self.xy[i[inner] + 1] - self.xy[i[inner]])
            out[inner] = np.column_stack(self.to_lonlat.transform(xy[:, 0], xy[:, 1]))
        return out

    def lonlat_lines(self, s0, s1, part) -> np.ndarray:
        """LineStrings of the stretches ``s0 .. s1`` in EPSG:4490 (vectorised substring),
        built from the river's own lon/lat vertices: no reach is reprojected."""
        s0, s1, part = np.asarray(s0, float), np.asarray(s1, float), np.asarray(part, int)
        if len(s0) == 0:
            return np.array([], dtype=object)
        first = np.floor(s0).astype(int) + 1
        last = np.ceil(s1).astype(int) - 1
        inner = np.maximum(last - first + 1, 0)
        counts = inner + 2
        offsets = np.concatenate([[0], np.cumsum(counts)])
        out = np.empty((offsets[-1], 2))
        out[offsets[:-1]] = self.lonlat_at(s0, part)
        out[offsets[1:] - 1] = self.lonlat_at(s1, part)
        line_of = np.repeat(np.arange(len(s0)), inner)
        within = np.arange(len(line_of)) - np.repeat(np.cumsum(inner) - inner, inner)
        out[np.repeat(offsets[:-1] + 1, inner) + within] = self.lonlat[first[line_of] + within]
        return shapely.linestrings(out, indices=np.repeat(np.arange(len(s0)), counts))


def box_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j) of boxes ``a[i]``, ``b[j]`` (rows xmin, ymin, xmax, ymax) that meet.

    A uniform grid, all in numpy: each box is listed in the cells it covers, boxes of the
    two sets are paired within each cell, and a pair is kept only in the cell holding
    the lower-left corner of the two boxes' intersection, so it comes out once. The
    cell is twice the median box size, so a typical box covers one to four cells.

    Examples
    --------
    >>> a = np.array([[0.0, 0, 1, 1], [5, 5, 6, 6]])
    >>> b = np.array([[0.5, 0.5, 2, 2], [3, 3, 4, 4], [0, 0, 10, 10]])
    >>> i, j = box_pairs(a, b)
    >>> sorted(zip(i.tolist(), j.tolist()))
    [(0, 0), (0, 2), (1, 2)]
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(a) == 0 or len(b) == 0:
        return empty, empty
    size = np.concatenate([a[:, 2:] - a[:, :2], b[:, 2:] - b[:, :2]]).max(axis=1)
    cell = max(2.0 * float(np.median(size)), 1e-9)
    origin = np.minimum(a[:, :2].min(axis=0), b[:, :2].min(axis=0))
    top = np.maximum(a[:, 2:].max(axis=0), b[:, 2:].max(axis=0))
    n_y = int((top[1] - origin[1]) // cell) + 1

    def cells(box):
        lo = ((box[:, :2] - origin) // cell).astype(np.int64)
        hi = ((box[:, 2:] - origin) // cell).astype(np.int64)
        nx, ny = hi[:, 0] - lo[:, 0] + 1, hi[:, 1] - lo[:, 1] + 1
        count = nx * ny
        item = np.repeat(np.arange(len(box)), count)
        k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        ix = lo[item, 0] + k // ny[item]
        iy = lo[item, 1] + k % ny[item]
        return ix * n_y + iy, item

    cell_a, item_a = cells(a)
    cell_b, item_b = cells(b)
    order = np.argsort(cell_b, kind="stable")
    cell_b, item_b = cell_b[order], item_b[order]
    begin = np.searchsorted(cell_b, cell_a, side="left")
    count = np.searchsorted(cell_b, cell_a, side="right") - begin
    i = np.repeat(item_a, count)
    here = np.repeat(cell_a, count)
    j = item_b[np.repeat(begin, count) + (np.arange(count.sum())
                                         - np.repeat(np.cumsum(count) - count, count))]
    meet = ((a[i, 0] <= b[j, 2]) & (a[i, 2] >= b[j, 0])
            & (a[i, 1] <= b[j, 3]) & (a[i, 3] >= b[j, 1]))
    i, j, here = i[meet], j[meet], here[meet]
    corner = (np.maximum(a[i, :2], b[j, :2]) - origin) // cell
    once = corner[:, 0].astype(np.int64) * n_y + corner[:, 1].astype(np.int64) == here
    return i[once], j[once]


def coverage_edges(polygons: np.ndarray):
    """Unique edges of a polygon coverage: (N, 2, 2) coordinates, their two units, and
    the unit on the left of each edge (from its first to its second point).

    Returns ``edges, lo_unit, hi_unit, left_unit``; an edge on the outer boundary has -1
    as its second unit (and as ``left_unit`` when the coverage lies on its right).
    """
    parts, poly_of_part = shapely.get_parts(polygons, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    # the polygon lies left of a ring's segments if the ring is an exterior drawn
    # counter-clockwise or a hole drawn clockwise
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = part_of_ring[1:] != part_of_ring[:-1]
    poly_left = shapely.is_ccw(rings) == exterior
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    ring = ring_of[:-1][same]
    unit = poly_of_part[part_of_ring[ring]]
    # canonical orientation so that the two copies of a shared edge are equal
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    on_left = poly_left[ring] != swap
    key = np.column_stack([lo, hi])
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


def crossings(net: RiverNetwork, edges: np.ndarray, seg: np.ndarray, ei: np.ndarray):
    """Positions ``s`` (and parts) where river segments cross coverage edges.

    ``seg``, ``ei``: candidate (segment, edge) pairs from :meth:`RiverNetwork.segment_pairs`.
    """
    out_s, out_part = [np.zeros(0)], [np.zeros(0, dtype=int)]
    for batch in _batches(np.ones(len(seg))):
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
        out_part.append(net.vertex_part[sg[hit]])
    return np.concatenate(out_s), np.concatenate(out_part)


def shared_stretches(net: RiverNetwork, edges, edge_lo, edge_hi, edge_left, seg, ei,
                     unit_keys, tol_of_part, min_factor, max_crossing_deg):
    """Stretches that run along a shared border, as arrays (part, s0, s1, village_a, village_b).

    Borders are searched top down (``unit_keys``: one array per level mapping a village to
    its unit at that level, county first): a stretch along a county border is found among
    county-border edges only, so that village edges nearby do not break it up. Inside a
    stretch the two villages are those of the nearest border edge, so the stretch is shared
    at every level below too. The river is sampled every tolerance / 2 where it is within
    the tolerance of an edge it may follow (see :func:`_may_follow`); a stretch is a run of
    samples whose nearest border is the same pair of units, at least ``min_factor`` times
    the tolerance long. A run that starts on one side of the border and ends on the other
    is a crossing unless it is at least 2 tolerance / sin(``max_crossing_deg``) long: a
    river crossing a border at angle x stays within the tolerance of it for
    2 tolerance / sin(x). ``seg``, ``ei``: candidate (segment, edge) pairs within the
    tolerance, from :meth:`RiverNetwork.segment_pairs`; ``edge_left``: the unit left of
    each edge (:func:`coverage_edges`).
    """
    empty = (np.zeros(0, dtype=int), np.zeros(0), np.zeros(0), np.zeros(0, dtype=int),
             np.zeros(0, dtype=int))
    if len(net.seg_index) == 0 or not (edge_hi >= 0).any():
        return empty
    seg_tol = tol_of_part[net.vertex_part]  # by first vertex of a segment
    keep = edge_hi[ei] >= 0
    seg, ei = seg[keep], ei[keep]
    keep = np.concatenate([np.zeros(0, dtype=bool)] + [
        _may_follow(net.xy[seg[b]], net.xy[seg[b] + 1], edges[ei[b], 0], edges[ei[b], 1],
                    seg_tol[seg[b]]) for b in _batches(np.ones(len(seg)))])
    seg, ei = seg[keep], ei[keep]
    found = []
    taken = np.zeros(0)  # bounds of stretches found at a higher level, as sorted keys
    for keys in unit_keys:
        level = keys[edge_lo[ei]] != keys[np.maximum(edge_hi[ei], 0)]
        lseg, lei = seg[level], ei[level]
        if len(lseg) == 0:
            continue
        order = np.lexsort((lei, lseg))  # by segment, then edge: ties go the same way always
        lseg, lei = lseg[order], lei[order]
        s, part, edge, pxy = _near_samples(net, lseg, lei, edges, seg_tol)
        va, vb = edge_lo[edge], edge_hi[edge]
        ka, kb = keys[va], keys[vb]
        flip = ka > kb
        va, vb = np.where(flip, vb, va), np.where(flip, va, vb)
        key = np.minimum(ka, kb).astype(np.int64) * (int(keys.max()) + 1) + np.maximum(ka, kb)
        order = np.lexsort((s, part))
        if len(taken):  # drop samples inside stretches found at a higher level
            order = order[~_interval_member(s[order], taken)]
        s, part, key, va, vb = s[order], part[order], key[order], va[order], vb[order]
        edge, pxy = edge[order], pxy[order]
        if len(s) == 0:
            continue
        planar = net.planar(s, part)
        new = np.ones(len(s), dtype=bool)
        new[1:] = (part[1:] != part[:-1]) | (key[1:] != key[:-1]) | (
            planar[1:] - planar[:-1] > tol_of_part[part[1:]])
        run = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(s)) - 1
        length, tol = planar[ends] - planar[starts], tol_of_part[part[starts]]
        accepted = length >= min_factor * tol
        side0 = _side(pxy[starts], edge[starts], edges, edge_lo, edge_hi, edge_left, keys)
        side1 = _side(pxy[ends], edge[ends], edges, edge_lo, edge_hi, edge_left, keys)
        crossing = (side0 >= 0) & (side1 >= 0) & (side0 != side1)  # on the border: no side
        accepted &= ~crossing | (length >= 2 * tol / np.sin(np.radians(max_crossing_deg)))
        if not accepted.any():
            continue
        # accepted runs that follow each other within the tolerance meet (the river passes a
        # tripoint from one border onto the next): they meet halfway between their samples
        acc = np.flatnonzero(accepted)
        run_s0, run_s1 = s[starts], s[ends]
        if len(acc) > 1:
            a, b = acc[:-1], acc[1:]
            meet = (part[starts[b]] == part[ends[a]]) & (
                planar[starts[b]] - planar[ends[a]] <= tol[a])
            a, b = a[meet], b[meet]
            run_s1[a] = run_s0[b] = (s[ends[a]] + s[starts[b]]) / 2
        # sub-stretches of accepted runs, one per pair of villages
        inside = accepted[run]
        pair = va.astype(np.int64) * (len(keys) + 1) + vb
        sub = new | np.concatenate([[True], pair[1:] != pair[:-1]])
        sub_start = np.flatnonzero(sub & inside)
        following = np.append(sub_start[1:], len(s))
        same_run = following < len(s)
        same_run[same_run] = run[following[same_run]] == run[sub_start[same_run]]
        sub_run = run[sub_start]
        s0 = np.where(new[sub_start], run_s0[sub_run], s[sub_start])
        s1 = np.where(same_run, s[np.minimum(following, len(s) - 1)], run_s1[sub_run])
        long = s1 > s0
        sub_start = sub_start[long]
        found.append((part[sub_start], s0[long], s1[long], va[sub_start], vb[sub_start]))
        taken = np.sort(np.concatenate([taken, run_s0[acc], run_s1[acc]]))
    if not found:
        return empty
    part, s0, s1, va, vb = (np.concatenate(x) for x in zip(*found, strict=True))
    order = np.argsort(s0, kind="stable")  # positions order the parts too
    part, s0, s1, va, vb = part[order], s0[order], s1[order], va[order], vb[order]
    # no overlaps: a stretch starts where the ones before it end
    before = np.concatenate([[-np.inf], np.maximum.accumulate(s1)[:-1]])
    s0 = np.maximum(s0, before)
    keep = s1 > s0
    return part[keep], s0[keep], s1[keep], va[keep], vb[keep]


def _near_samples(net: RiverNetwork, seg: np.ndarray, ei: np.ndarray, edges: np.ndarray,
                  seg_tol: np.ndarray):
    """Samples every tolerance / 2 along the segments of the (segment, edge) pairs (sorted
    by segment), each with its nearest candidate edge, kept where that edge is within the
    tolerance: positions, parts, edges and points. In batches of segments."""
    near, pair_first, pairs_per_seg = np.unique(seg, return_index=True, return_counts=True)
    length = np.hypot(*(net.xy[near + 1] - net.xy[near]).T)
    spacing = np.maximum(seg_tol[near] / 2, _MIN_SAMPLE_SPACING_M)
    count = np.clip(np.ceil(length / spacing).astype(int), 1, _MAX_SAMPLES) + 1
    out = []
    for batch in _batches(count * pairs_per_seg):
        b_near, b_count = near[batch], count[batch]
        b_first, b_pairs = pair_first[batch], pairs_per_seg[batch]
        n_samples = int(b_count.sum())
        seg_of_sample = np.repeat(np.arange(len(b_near)), b_count)
        within = np.arange(n_samples) - np.repeat(np.cumsum(b_count) - b_count, b_count)
        sample_s = b_near[seg_of_sample] + within / (b_count[seg_of_sample] - 1)
        part = net.vertex_part[b_near[seg_of_sample]]
        xy = net.xy_at(sample_s, part)
        # each sample against each candidate edge of its segment; keep the nearest
        per_sample = b_pairs[seg_of_sample]
        sample_idx = np.repeat(np.arange(n_samples), per_sample)
        offset = np.arange(per_sample.sum()) - np.repeat(np.cumsum(per_sample) - per_sample,
                                                         per_sample)
        cand = ei[b_first[seg_of_sample[sample_idx]] + offset]
        dist = _point_segment_distance(xy[sample_idx], edges[cand, 0], edges[cand, 1])
        group = np.concatenate([[0], np.cumsum(per_sample)[:-1]])
        best_d = np.minimum.reduceat(dist, group)
        first_best = np.flatnonzero(dist == np.repeat(best_d, per_sample))
        first_best = first_best[np.unique(sample_idx[first_best], return_index=True)[1]]
        ok = best_d <= seg_tol[b_near[seg_of_sample]]
        out.append((sample_s[ok], part[ok], cand[first_best][ok], xy[ok]))
    if not out:
        return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros((0, 2))
    return tuple(np.concatenate(x) for x in zip(*out, strict=True))


def _side(p: np.ndarray, edge: np.ndarray, edges, edge_lo, edge_hi, edge_left,
          keys: np.ndarray) -> np.ndarray:
    """The level's unit (key) on whose side of ``edge`` each point lies; -1 on the edge or
    outside the coverage."""
    a, b = edges[edge, 0], edges[edge, 1]
    cross = (b[:, 0] - a[:, 0]) * (p[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (p[:, 0] - a[:, 0])
    left = edge_left[edge]
    other = np.where(edge_lo[edge] == left, edge_hi[edge], edge_lo[edge])
    unit = np.where(cross > 0, left, np.where(cross < 0, other, -1))
    return np.where(unit >= 0, keys[np.maximum(unit, 0)], -1)


def _interval_member(s: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Whether each position lies in one of the closed intervals ``bounds`` (sorted pairs).

    Positions are global vertex indices plus a fraction, so they order all parts at once.
    """
    pos = np.searchsorted(bounds, s, side="right")
    return (pos % 2 == 1) | np.isin(s, bounds)


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    denom = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(denom > 0, denom, 1.0), 0.0, 1.0)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


def _segment_distance(p0, p1, q0, q1) -> np.ndarray:
    """Distance between segments p0-p1 and q0-q1 (0 where they cross)."""
    d = np.minimum.reduce([_point_segment_distance(p0, q0, q1),
                           _point_segment_distance(p1, q0, q1),
                           _point_segment_distance(q0, p0, p1),
                           _point_segment_distance(q1, p0, p1)])
    r, sv = p1 - p0, q1 - q0
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    qp = q0 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * sv[:, 1] - qp[:, 1] * sv[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    cross = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    return np.where(cross, 0.0, d)


def _may_follow(p0: np.ndarray, p1: np.ndarray, a: np.ndarray, b: np.ndarray,
                tol: np.ndarray) -> np.ndarray:
    """Which (river segment p0-p1, edge a-b) pairs may be part of a stretch along the edge.

    A segment crossing an edge at angle x is within the tolerance of it for at most
    2 tol / sin(x); below 42 degrees that can reach the 3 tol a shared stretch needs, so
    such segments are kept where they come within the tolerance, as are segments with
    both ends within the tolerance (a zig-zag along the border). Steeper crossings are
    plain crossings: not sampled. The cheap angle test goes first, so each pair costs two
    or four point-segment distances, not six.
    """
    u, v = p1 - p0, b - a
    cos = np.abs(u[:, 0] * v[:, 0] + u[:, 1] * v[:, 1]) / np.maximum(
        np.hypot(u[:, 0], u[:, 1]) * np.hypot(v[:, 0], v[:, 1]), 1e-300)
    keep = np.zeros(len(p0), dtype=bool)
    shallow = cos > 0.74
    keep[shallow] = _segment_distance(p0[shallow], p1[shallow], a[shallow], b[shallow]) \
        <= tol[shallow]
    steep = ~shallow
    keep[steep] = (_point_segment_distance(p0[steep], a[steep], b[steep]) <= tol[steep]) & \
        (_point_segment_distance(p1[steep], a[steep], b[steep]) <= tol[steep])
    return keep
