"""The candidate search under segmentation: every pair of boxes that meet, once."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from hzgeo._batch import batches as _batches
from hzgeo._gridjoin import box_pairs
from hzgeo._pairs import run_boxes


def brute_force(a, b):
    meet = ((a[:, None, 0] <= b[None, :, 2]) & (a[:, None, 2] >= b[None, :, 0])
            & (a[:, None, 1] <= b[None, :, 3]) & (a[:, None, 3] >= b[None, :, 1]))
    return set(zip(*np.nonzero(meet), strict=True))


def random_boxes(rng, n, size):
    corner = rng.uniform(0, 1000, (n, 2))
    extent = rng.exponential(size, (n, 2))
    return np.column_stack([corner, corner + extent])


@pytest.mark.parametrize("seed", range(5))
def test_box_pairs_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    a = random_boxes(rng, 300, 10)
    b = random_boxes(rng, 400, 15)
    b[:5] = [[0, 0, 1000, 2], [500, 0, 501, 1000], [0, 0, 1000, 1000],  # long and huge
             [100, 100, 100, 100], [200, 200, 200, 300]]  # a point, a vertical segment
    i, j = box_pairs(a, b)
    got = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(got) == len(set(got)), "every pair once"
    assert set(got) == brute_force(a, b)


def test_box_pairs_match_the_strtree():
    """The same pairs as a GEOS STRtree of the boxes (shapely's own test of envelopes)."""
    rng = np.random.default_rng(7)
    a, b = random_boxes(rng, 500, 20), random_boxes(rng, 500, 20)
    tree = shapely.STRtree(shapely.box(*b.T))
    qa, qb = tree.query(shapely.box(*a.T))
    i, j = box_pairs(a, b)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == set(
        zip(qa.tolist(), qb.tolist(), strict=True))


def test_batches_cover_everything_once():
    weights = np.array([5, 1, 1, 30, 2, 2, 2])
    slices = list(_batches(weights, size=6))
    assert [x for s in slices for x in range(s.start, s.stop)] == list(range(7))
    assert all(weights[s].sum() <= 6 or s.stop - s.start == 1 for s in slices)
    assert list(_batches(np.zeros(0))) == []


def _peak_mib(run) -> float:
    """Peak traced allocation (numpy's included) while ``run()`` runs, in MiB."""
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_box_pairs_memory_does_not_grow_with_an_implausible_extent():
    """Tiny boxes in degrees and a few boxes in metres millions of units away (one layer
    mislabelled): a grid by the median box size would list 10^8 cells per metre box."""
    rng = np.random.default_rng(1)
    degrees = random_boxes(rng, 2000, 1e-4) * 1e-4 + np.array([109, 23, 109, 23])
    metres = random_boxes(rng, 50, 1000) + np.array([400_000, 2_560_000] * 2)
    huge = np.array([[0.0, 0.0, 1e12, 1e12]])  # a stray vertex far away
    a, b = degrees, np.vstack([metres, huge, degrees[:10]])
    got = {}
    peak = _peak_mib(lambda: got.update(pairs=box_pairs(a, b)))
    assert peak < 20, f"{peak:.0f} MiB"
    assert set(zip(*(x.tolist() for x in got["pairs"]), strict=True)) == brute_force(a, b)


def test_box_pairs_refuse_non_finite_and_piled_up_boxes(monkeypatch):
    import hzgeo._gridjoin as gridjoin
    from hzgeo import DataQualityError

    box = np.array([[0.0, 0, 1, 1]])
    with pytest.raises(DataQualityError, match="not finite"):
        box_pairs(box, np.array([[0.0, np.nan, 1, 1]]))
    monkeypatch.setattr(gridjoin, "MAX_CANDIDATE_PAIRS", 100)
    with pytest.raises(DataQualityError, match=r"(?s)candidate pairs.*CRS it declares"):
        box_pairs(np.repeat(box, 20, axis=0), np.repeat(box, 20, axis=0))


def test_segmentation_memory_is_bounded_for_degrees_labelled_as_metres():
    """Villages in degrees declared as EPSG:4546 with rivers in real EPSG:4546 metres
    asked for 3 GiB (36 TiB on a larger region) in the grid join; now a few MiB (or an
    error saying what is wrong, if the input checks catch it first)."""
    from toy import line, make_boundaries, make_waters

    from hzgeo import HzgeoError, segment_waters
    from hzgeo.io import Boundaries

    def in_degrees(frame):
        return frame.set_geometry(frame.geometry.to_crs("EPSG:4490").values,
                                  crs="EPSG:4546")

    boundaries = Boundaries({k: in_degrees(v) for k, v in make_boundaries().levels.items()})
    waters = make_waters(line((0, 500), (4000, 500)))

    def run():
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                segment_waters(boundaries, waters)
        except HzgeoError:
            pass

    assert _peak_mib(run) < 100


def _river_network():
    """Three rivers in EPSG:4546: a repeated point, a two-part river, a part of one point
    (dropped) and a reversed river; with the parts and vertices as shapely and pyproj see
    them."""
    from pyproj import Transformer

    from hzgeo._network import RiverNetwork

    rivers = np.array([
        shapely.LineString([(400000, 2560000), (400000, 2560000), (400100, 2560050),
                            (400300, 2560000)]),
        shapely.MultiLineString([[(401000, 2561000), (401500, 2561200)],
                                 [(403000, 2562000), (403000, 2562000)],
                                 [(402000, 2561000), (402100, 2561100), (402300, 2561000)]]),
        shapely.LineString([(405000, 2565000), (405500, 2565300)])], dtype=object)
    to_lonlat = Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True)
    net = RiverNetwork(rivers, to_lonlat, np.array([False, False, True]))
    return rivers, to_lonlat, net


def test_network_parts_and_lonlat_equal_shapely_and_pyproj():
    """The part of each vertex (searched, not stored), the segments and the lon/lat made
    when first asked for: the parts shapely splits the rivers into, their vertices
    without the repeated point, each transformed by pyproj on its own."""
    rivers, to_lonlat, net = _river_network()
    rivers = rivers.copy()
    rivers[2] = shapely.reverse(rivers[2])
    parts = shapely.get_parts(rivers)
    xy, part = shapely.get_coordinates(parts, return_index=True)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = (part[1:] != part[:-1]) | np.any(xy[1:] != xy[:-1], axis=1)
    xy, part = xy[keep], part[keep]
    kept = np.bincount(part) >= 2  # the part of one point is no part
    xy, part = xy[kept[part]], (np.cumsum(kept) - 1)[part[kept[part]]]
    np.testing.assert_array_equal(net.xy, xy)
    np.testing.assert_array_equal(net.part_of(np.arange(len(xy))), part)
    assert net.n_segments == len(xy) - kept.sum() == 6
    assert "lonlat" not in vars(net)  # not held while the rivers are cut
    lon, lat = zip(*(to_lonlat.transform(x, y) for x, y in xy.tolist()), strict=True)
    np.testing.assert_array_equal(net.lonlat, np.column_stack([lon, lat]))


def test_network_after_cutting_keeps_chainage_without_planar_measures():
    """Once cut, the network lets its planar measures go; chainage (geodesic, from each
    river's first point) is what pyproj's Geod gives for the vertices."""
    from hzgeo.geodesy import GEOD

    _, to_lonlat, net = _river_network()
    net.cutting_done()
    assert net.planar_cum is None
    lon, lat = to_lonlat.transform(net.xy[:, 0], net.xy[:, 1])
    first, last = net.part_start[1], net.part_end[1]  # the first part of the second river
    expected = GEOD.line_length(lon[first:last + 1], lat[first:last + 1])
    got = net.chainage(np.array([float(last)]), np.array([1]))[0] - net.chainage(
        np.array([float(first)]), np.array([1]))[0]
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("chunk", [1, 2, 3, 8])
def test_run_boxes_are_the_boxes_of_their_vertices(chunk):
    """Each run's box (grown by its part's distance) is the box of the vertices from its
    first to its last, as shapely bounds them; the runs of a part cover its segments."""
    from pyproj import Transformer

    from hzgeo._network import RiverNetwork

    rng = np.random.default_rng(11)  # random walks: any vertex of a run may be its corner
    origin = np.array([400000.0, 2560000.0])
    rivers = np.array([shapely.LineString(origin + np.cumsum(rng.normal(0, 50, (n, 2)), axis=0))
                       for n in (2, 5, 9, 17, 30)])
    net = RiverNetwork(rivers, Transformer.from_crs("EPSG:4546", "EPSG:4490",
                                                    always_xy=True))
    distance = np.array([1.0, 2.5, 4.0, 0.5, 3.0])  # per part
    first, last, _, box = run_boxes(net, distance=distance, chunk=chunk)
    for k in range(len(first)):
        part = int(net.part_of(first[k]))
        assert net.part_start[part] <= first[k] < last[k] <= net.part_end[part]
        want = shapely.bounds(shapely.multipoints(net.xy[first[k]:last[k] + 1]))
        np.testing.assert_array_equal(box[k], want + np.array([-1, -1, 1, 1]) * distance[part])
    covered = np.zeros(len(net.xy), dtype=int)
    for a, b in zip(first, last, strict=True):
        covered[a:b] += 1  # the segments a .. b - 1
    assert (covered[net.part_end] == 0).all() and covered.sum() == net.n_segments


@pytest.mark.parametrize("points", [1, 4, 262_144])
def test_lines_made_a_few_points_at_a_time_are_the_rivers_stretches(monkeypatch, points):
    """Stretches of the rivers as lon/lat lines, made a few points at a time: each is the
    two ends (the work-CRS point between vertices, transformed by pyproj) and the river's
    own vertices between them, transformed by pyproj one by one."""
    from hzgeo import _lines

    _, to_lonlat, net = _river_network()
    monkeypatch.setattr(_lines, "_POINTS", points)
    s0 = np.array([0.0, 0.25, 3.0, 3.5, 5.0, 5.5, 8.1])  # parts 0-2, 3-4, 5-7, 8-9
    s1 = np.array([2.0, 1.75, 4.0, 4.0, 7.0, 6.25, 9.0])
    part = net.part_of(np.floor(s0).astype(int))
    got = net.lonlat_lines(s0, s1, part)

    def at(s):
        i = min(int(np.floor(s)), int(net.part_end[net.part_of(int(np.floor(s)))]) - 1)
        x, y = net.xy[i] + (s - i) * (net.xy[i + 1] - net.xy[i])
        return to_lonlat.transform(x, y)

    for line, a, b in zip(got, s0, s1, strict=True):
        inner = [to_lonlat.transform(x, y) for x, y in
                 net.xy[int(np.floor(a)) + 1:int(np.ceil(b))].tolist()]
        want = shapely.LineString([at(a), *inner, at(b)])
        assert shapely.equals_exact(line, want, 1e-12), (line, want)


@pytest.mark.parametrize("size", [3, 100_000])
def test_following_pairs_are_the_pairs_near_a_shared_edge(monkeypatch, size):
    """The pairs kept for the shared stretches, tested a few at a time: those whose edge
    is between two units and whose segment runs within the tolerance of it at a shallow
    angle (below 42 degrees, as shapely measures the distance) or has both ends within
    it."""
    from pyproj import Transformer

    from hzgeo import _batch
    from hzgeo._network import RiverNetwork
    from hzgeo._shared import following_pairs

    rng = np.random.default_rng(5)
    origin = np.array([400000.0, 2560000.0])
    rivers = np.array([shapely.LineString(origin + np.cumsum(rng.normal(0, 20, (n, 2)), axis=0))
                       for n in (12, 30)])
    net = RiverNetwork(rivers, Transformer.from_crs("EPSG:4546", "EPSG:4490",
                                                    always_xy=True))
    a = origin + rng.normal(0, 60, (40, 2))
    edges = np.stack([a, a + rng.normal(0, 30, (40, 2))], axis=1)
    edge_hi = np.where(np.arange(40) % 4 == 0, -1, 7)  # every fourth on the outline
    tol = np.array([15.0, 25.0])
    seg = np.repeat(np.flatnonzero(np.arange(len(net.xy) - 1) != net.part_end[0]), 40)
    ei = np.tile(np.arange(40), len(seg) // 40)
    monkeypatch.setattr(_batch, "BATCH", size)
    got = set(zip(*(x.tolist() for x in following_pairs(net, seg, ei, edges, edge_hi, tol)),
                  strict=True))
    want = set()
    for s, e in zip(seg.tolist(), ei.tolist(), strict=True):
        river, edge = shapely.LineString(net.xy[s:s + 2]), shapely.LineString(edges[e])
        t = tol[int(net.part_of(s))]
        u, v = np.diff(net.xy[s:s + 2], axis=0)[0], np.diff(edges[e], axis=0)[0]
        shallow = abs(u @ v) / (np.hypot(*u) * np.hypot(*v)) > 0.74
        ends = max(shapely.distance(shapely.points(net.xy[s:s + 2]), edge)) <= t
        if edge_hi[e] >= 0 and ((shallow and shapely.distance(river, edge) <= t) or ends):
            want.add((s, e))
    assert want and got == want
