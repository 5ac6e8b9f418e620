"""Bounded-memory batching for the vectorised steps of the segmentation."""

from __future__ import annotations

import numpy as np

__all__ = ["BATCH", "batches"]

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
