"""Rivers as one vertex array, with positions ``s`` in vertex-index space.

A position on a river part is ``s = i + t``: vertex ``i`` plus the fraction ``t`` of the
segment to vertex ``i + 1``. Positions are monotone along each part and across parts (they
are global vertex indices), so cutting, ordering and measuring reaches is arithmetic on
``s``; chainage (geodesic metres) is a monotone function of ``s``, so reach lengths are
differences of chainage and add up exactly.

This module builds the arrays; the jobs done on them live beside it, one each:
:mod:`hzgeo._measure` (chainage), :mod:`hzgeo._pairs` (candidate segment-edge pairs),
:mod:`hzgeo._lines` (output geometry), :mod:`hzgeo._crossings` (where rivers cross
edges), :mod:`hzgeo._shared` (stretches along a border, 界河).
"""

from __future__ import annotations

import functools

import numpy as np
import shapely
from pyproj import Transformer

from hzgeo import _lines, _measure, _pairs

__all__ = ["RiverNetwork"]


class RiverNetwork:
    """All river parts as one vertex array.

    Four numbers a vertex while the rivers are cut (its two coordinates, the planar and
    the geodesic measure at it), five while the reaches are made (its coordinates, lon/lat
    and the geodesic measure): what only one of the two needs is made or let go between
    them (:attr:`lonlat`, :meth:`cutting_done`).

    Attributes
    ----------
    xy : (n, 2) float array
        Vertices in the work CRS, parts one after the other, repeated points dropped.
    lonlat : (n, 2) float array
        The same vertices in EPSG:4490 (transformed when first asked for).
    part_start, part_end : int arrays
        First and last vertex of each part; ``part_river`` the river of each part.
    n_segments : int
        Segments (vertex to next vertex of the same part).
    planar_cum, geod_cum : float arrays
        Planar and geodesic metres from the start of the network at each vertex (each
        part's first step is 0); ``planar_cum`` until :meth:`cutting_done`.

    Examples
    --------
    >>> from pyproj import Transformer
    >>> t = Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True)
    >>> net = RiverNetwork(np.array([shapely.LineString(
    ...     [(400000, 2560000), (400000, 2560000), (400100, 2560000)])]), t)
    >>> net.part_start.tolist(), net.part_end.tolist(), net.planar(np.array([0.5]),
    ...     np.array([0])).tolist()
    ([0], [1], [50.0])
    """

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
        n_parts = len(parts)
        del parts
        keep = np.ones(len(xy), dtype=bool)  # drop repeated points
        keep[1:] = (part[1:] != part[:-1]) | np.any(xy[1:] != xy[:-1], axis=1)
        if not keep.all():
            xy, part = xy[keep], part[keep]
        del keep
        count = np.bincount(part, minlength=n_parts)
        good = count >= 2
        if not good.all():
            xy, part = xy[good[part]], part[good[part]]
        # (a part left with one point is no part)
        del part
        self.part_river = river[good]
        count = count[good]
        n = len(xy)
        self.xy = xy
        self.part_start = (np.cumsum(count) - count).astype(int)
        self.part_end = (self.part_start + count - 1).astype(int)
        # segments i -> i + 1 exist where both vertices are in the same part
        seg_ok = np.ones(max(n - 1, 0), dtype=bool)
        seg_ok[self.part_end[:-1]] = False
        self.n_segments = int(seg_ok.sum())
        self.to_lonlat = to_lonlat
        self.planar_cum, self.geod_cum = _measure.cumulative(xy, seg_ok, to_lonlat)

    def part_of(self, vertex) -> np.ndarray:
        """The part of each vertex (:func:`part_of`)."""
        return part_of(self.part_start, vertex)

    @functools.cached_property
    def lonlat(self) -> np.ndarray:
        """The vertices in EPSG:4490: made when the reaches are, not kept while the
        rivers are cut (:func:`hzgeo._measure.lonlat`)."""
        return _measure.lonlat(self.xy, self.to_lonlat)

    def cutting_done(self) -> None:
        """Let go of what only cutting the rivers and finding the shared stretches use
        (the planar measures): :meth:`planar` is not asked again."""
        self.planar_cum = None

    def locate(self, s: np.ndarray, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Vertex ``i`` and fraction ``t`` of positions ``s`` (the last segment of a part
        holds its end: ``t == 1`` there)."""
        i = np.floor(s).astype(int)
        i = np.minimum(i, self.part_end[part] - 1)
        return i, s - i

    def xy_at(self, s, part) -> np.ndarray:
        """Work-CRS coordinates of positions."""
        i, f = self.locate(np.asarray(s, float), np.asarray(part, int))
        return self.xy[i] + f[:, None] * (self.xy[i + 1] - self.xy[i])

    def chainage(self, s, part) -> np.ndarray:
        """Geodesic metres from the start of the river's first part
        (:func:`hzgeo._measure.chainage`)."""
        return _measure.chainage(self, s, part)

    def planar(self, s, part) -> np.ndarray:
        """Planar metres along the network (:func:`hzgeo._measure.planar`)."""
        return _measure.planar(self, s, part)

    def segment_pairs(self, edges: np.ndarray, **kwargs) -> tuple[np.ndarray, np.ndarray]:
        """Candidate (segment, edge) pairs (:func:`hzgeo._pairs.segment_pairs`)."""
        return _pairs.segment_pairs(self, edges, **kwargs)

    def lonlat_at(self, s, part) -> np.ndarray:
        """Lon/lat of positions (:func:`hzgeo._lines.lonlat_at`)."""
        return _lines.lonlat_at(self, s, part)

    def lonlat_lines(self, s0, s1, part) -> np.ndarray:
        """LineStrings of stretches in EPSG:4490 (:func:`hzgeo._lines.lonlat_lines`)."""
        return _lines.lonlat_lines(self, s0, s1, part)


def part_of(part_start: np.ndarray, vertex) -> np.ndarray:
    """The part of each vertex, of parts that follow each other from vertex 0
    (``part_start``: their first vertices, increasing): no array of a part per vertex.

    >>> part_of(np.array([0, 3, 5]), np.array([0, 2, 3, 4, 7])).tolist()
    [0, 0, 1, 1, 2]
    """
    return np.searchsorted(part_start, vertex, side="right") - 1
