"""The candidate search under segmentation: every pair of boxes that meet, once."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from hzgeo._gridjoin import box_pairs
from hzgeo._network import _batches


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
