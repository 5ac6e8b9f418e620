"""The grid join: every pair of boxes from two sets that meet, in bounded memory."""

from __future__ import annotations

import numpy as np

__all__ = ["box_pairs"]


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
