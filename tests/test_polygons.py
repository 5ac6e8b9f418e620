"""Village polygons held as coordinate arrays: the point tests are GEOS's on the
polygons themselves (an STRtree of them is the reference)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from hzgeo._crossings import coverage_edges
from hzgeo._polygons import PolygonArrays


def _coverage():
    """A coverage of Voronoi cells, one of them with a hole filled by another cell, one a
    MultiPolygon of two cells."""
    rng = np.random.default_rng(2)
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(rng.uniform(0, 1000, (60, 2))),
        extend_to=shapely.box(0, 0, 1000, 1000)))
    cells = shapely.intersection(cells, shapely.box(0, 0, 1000, 1000))
    cells = list(cells)
    inner = shapely.buffer(shapely.centroid(cells[0]), 5, quad_segs=2)
    cells[0] = shapely.difference(cells[0], inner)
    cells.append(inner)
    cells[1] = shapely.MultiPolygon([cells[1], cells.pop(2)])
    return np.array(cells, dtype=object)


def _points(polygons):
    """Points inside, outside, on edges and on vertices of the polygons."""
    rng = np.random.default_rng(4)
    vertices = shapely.get_coordinates(polygons)[::3]
    edge_mids = shapely.get_coordinates(shapely.line_interpolate_point(
        shapely.boundary(polygons[:20]), 0.37, normalized=True))
    return shapely.points(np.concatenate([rng.uniform(-50, 1050, (500, 2)), vertices,
                                          edge_mids]))


@pytest.mark.parametrize("chunk", [1, 7, 16_384])
def test_point_queries_equal_the_strtree(monkeypatch, chunk):
    """Points in, out, on edges and vertices, against polygons made a chunk at a time:
    the pairs an STRtree of the polygons gives, and the polygons themselves."""
    from hzgeo import _polygons

    monkeypatch.setattr(_polygons, "_CHUNK", chunk)
    polygons = _coverage()
    points = _points(polygons)
    shapes = PolygonArrays(polygons)
    tree = shapely.STRtree(polygons)
    for predicate, distance in (("intersects", 0.0), ("dwithin", 1e-6), ("dwithin", 3.0)):
        got = shapes.query(points, predicate=predicate, distance=distance)
        want = tree.query(points, predicate=predicate,
                          **({"distance": distance} if predicate == "dwithin" else {}))
        assert set(zip(*(a.tolist() for a in got), strict=True)) == set(
            zip(*want.tolist(), strict=True)), predicate
    ids = np.array([5, 1, 1, len(polygons) - 1, 0])
    for got, want in zip(shapes.of(ids), polygons[ids], strict=True):  # the same rings
        assert shapely.equals_exact(shapely.normalize(got), shapely.normalize(
            want if want.geom_type == "MultiPolygon" else shapely.MultiPolygon([want])), 0)


def test_coverage_edges_of_the_arrays_are_those_of_the_polygons():
    """The edges of the coverage from its arrays: those of its polygons, in order."""
    polygons = _coverage()
    for got, want in zip(coverage_edges(PolygonArrays(polygons)), coverage_edges(polygons),
                         strict=True):
        np.testing.assert_array_equal(got, want)
