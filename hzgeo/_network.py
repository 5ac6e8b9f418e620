"""Rivers as one vertex array: positions, chainage and the (segment, edge) candidates.

A position on a river part is ``s = i + t``: vertex ``i`` plus the fraction ``t`` of the
segment to vertex ``i + 1``. Positions are monotone along each part, so cutting, ordering
and measuring reaches is arithmetic on ``s``; chainage (geodesic metres) is a monotone
function of ``s``, so reach lengths are differences of chainage and add up exactly.

The other steps of the segmentation live beside it, one job each: :mod:`hzgeo._gridjoin`
(which boxes meet), :mod:`hzgeo._crossings` (the coverage's edges and where rivers cross
them), :mod:`hzgeo._shared` (stretches along a border, 界河).
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from hzgeo._gridjoin import box_pairs
from hzgeo.geodesy import GEOD, segment_lengths

__all__ = ["RiverNetwork"]

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
