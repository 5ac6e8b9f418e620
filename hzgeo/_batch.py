"""Bounded-memory batching for the vectorised steps of the segmentation."""

from __future__ import annotations

import numpy as np

__all__ = ["BATCH", "batches", "slices"]

#: Vectorised steps over candidate pairs or samples run this many rows at a time, so
#: that their temporaries stay a few tens of MB whatever the size of the region.
BATCH = 100_000


def batches(weights: np.ndarray, size: int = BATCH):
    """Consecutive slices of items whose summed ``weights`` stay within ``size`` (at least
    one item each).

    >>> [(s.start, s.stop) for s in batches(np.array([3, 3, 3, 3]), size=6)]
    [(0, 2), (2, 4)]
    """
    total = np.cumsum(weights)
    start = 0
    while start < len(total):
        base = total[start - 1] if start else 0
        stop = max(int(np.searchsorted(total, base + size, side="right")), start + 1)
        yield slice(start, stop)
        start = stop


def slices(n: int, size: int | None = None):
    """Consecutive slices of ``size`` (default :data:`BATCH`) items of ``n``
    (:func:`batches` of equal weights, without an array of them).

    >>> [(s.start, s.stop) for s in slices(5, size=2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    size = BATCH if size is None else size
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))
