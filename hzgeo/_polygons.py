"""Polygons held as coordinate arrays, made into GEOS objects a chunk at a time.

Once the coverage edges are found, segmentation asks of the village polygons only which
village holds a point. Held as shapely's ragged arrays (coordinates and the offsets of
rings, parts and polygons) and their bounds, 50,000 villages take about a third of the
memory of their GEOS objects; a point test finds candidates by box
(:func:`hzgeo._gridjoin.box_pairs`) and makes the candidates' polygons a chunk at a time.
The answers are GEOS's own, on the same coordinates.
"""

from __future__ import annotations

import numpy as np
import shapely

from hzgeo._batch import slices
from hzgeo._gridjoin import box_pairs

__all__ = ["PolygonArrays", "polygon_rings"]

#: Polygons made into GEOS objects at a time by a point test.
_CHUNK = 16_384


class PolygonArrays:
    """(Multi)Polygons as coordinates, offsets (:func:`polygon_rings`) and bounds.

    Examples
    --------
    >>> shapes = PolygonArrays(np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)]))
    >>> [a.tolist() for a in shapes.query(shapely.points([(0.5, 0.5), (1, 0.5), (5, 5)]))]
    [[0, 1, 1], [0, 0, 1]]
    """

    def __init__(self, polygons: np.ndarray):
        polygons = np.asarray(polygons, dtype=object)
        self.coords, self.offsets = polygon_rings(polygons)
        self.bounds = shapely.bounds(polygons)

    def __len__(self) -> int:
        return len(self.bounds)

    def take(self, ids: np.ndarray) -> np.ndarray:
        """Polygons ``ids`` (sorted, each once) as GEOS objects (MultiPolygons: a polygon
        is one part)."""
        ring_off, part_off, poly_off = self.offsets
        ids = np.asarray(ids, dtype=np.int64)
        parts, part_count = _ranges(poly_off[ids], poly_off[ids + 1])
        rings, ring_count = _ranges(part_off[parts], part_off[parts + 1])
        points, point_count = _ranges(ring_off[rings], ring_off[rings + 1])
        return shapely.from_ragged_array(
            shapely.GeometryType.MULTIPOLYGON, self.coords[points],
            tuple(np.concatenate([[0], np.cumsum(count)])
                  for count in (point_count, ring_count, part_count)))

    def query(self, points: np.ndarray, predicate: str = "intersects",
              distance: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (point, polygon) for which ``predicate`` (``intersects``, or ``dwithin``
        ``distance``) holds, as an STRtree of the polygons would give them (order aside):
        candidates whose boxes meet, then GEOS's test."""
        xy = shapely.get_coordinates(points)
        pi, vi = box_pairs(np.column_stack([xy - distance, xy + distance]), self.bounds)
        keep = np.zeros(len(pi), dtype=bool)
        for rows, polygons in self._in_chunks(vi):
            if predicate == "dwithin":
                keep[rows] = shapely.dwithin(polygons, points[pi[rows]], distance)
            else:
                keep[rows] = shapely.intersects_xy(polygons, xy[pi[rows], 0], xy[pi[rows], 1])
        return pi[keep], vi[keep]

    def of(self, index: np.ndarray) -> np.ndarray:
        """The polygons ``index`` as GEOS objects (for a few: all are made at once)."""
        out = np.empty(len(index), dtype=object)
        for rows, polygons in self._in_chunks(np.asarray(index)):
            out[rows] = polygons
        return out

    def _in_chunks(self, index: np.ndarray):
        """``(rows, polygons)``: the polygons ``index[rows]``, for the rows of each chunk
        of :data:`_CHUNK` of the polygons asked for in turn (each chunk made, used and
        let go)."""
        order = np.argsort(index, kind="stable")
        ordered = index[order]
        ids = np.unique(ordered)
        for chunk in slices(len(ids), _CHUNK):
            wanted = ids[chunk]
            rows = order[np.searchsorted(ordered, wanted[0], side="left"):
                         np.searchsorted(ordered, wanted[-1], side="right")]
            yield rows, self.take(wanted)[np.searchsorted(wanted, index[rows])]


def _ranges(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index of the ranges ``start[k] .. stop[k] - 1``, one range after the other,
    and the length of each.

    >>> [a.tolist() for a in _ranges(np.array([2, 7, 4]), np.array([4, 7, 7]))]
    [[2, 3, 4, 5, 6], [2, 0, 3]]
    """
    count = stop - start
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(count.sum()), \
        count


def polygon_rings(polygons):
    """Coordinates of every ring of (Multi)Polygons (x, y), and the offsets of the rings
    into them, of the polygon parts into the rings and of the geometries into the parts
    (as :func:`shapely.to_ragged_array` gives them for MultiPolygons); of a
    :class:`PolygonArrays`, its own."""
    if isinstance(polygons, PolygonArrays):
        return polygons.coords, polygons.offsets
    polygons = np.asarray(polygons, dtype=object)
    if not len(polygons):
        zero = np.zeros(1, dtype=np.int64)
        return np.zeros((0, 2)), (zero, zero, np.zeros(1, dtype=np.int64))
    kind, coords, offsets = shapely.to_ragged_array(polygons, include_z=False)
    if kind == shapely.GeometryType.POLYGON:  # one part each
        return coords, (*offsets, np.arange(len(polygons) + 1))
    return coords, tuple(offsets)
