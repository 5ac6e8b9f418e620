"""The grid join: every pair of boxes from two sets that meet, in bounded memory."""

from __future__ import annotations

import numpy as np

from hzgeo.errors import DataQualityError

__all__ = ["box_pairs"]

#: The grid lists each box in the cells it covers: at most this many entries per box on
#: average (plus a floor), whatever the extent. A box far larger than the others (an
#: implausible extent: coordinates in degrees among metres, a stray vertex) makes the
#: cells larger, never the arrays.
_ENTRIES_PER_BOX = 8
_MIN_ENTRIES = 100_000
#: Candidate pairs are enumerated this many at a time (each costs about 100 bytes of
#: temporaries while its batch is tested).
_PAIR_BATCH = 500_000
#: More candidate pairs than this is not a river network and its boundaries but boxes
#: piled on each other (all data within a few cells of a vast extent): refused.
MAX_CANDIDATE_PAIRS = 2_000_000_000


def _grid_cell(a: np.ndarray, b: np.ndarray, origin: np.ndarray, top: np.ndarray) -> float:
    """Cell size: twice the median box size, grown until the grid lists each box in a
    bounded number of cells on average and cell numbers fit in int64."""
    size = np.concatenate([a[:, 2:] - a[:, :2], b[:, 2:] - b[:, :2]]).max(axis=1)
    size = size[size > 0] if (size > 0).any() else size  # points (a box of nothing) aside
    extent = float(max(top[0] - origin[0], top[1] - origin[1], 0.0))
    cell = max(2.0 * float(np.median(size)), 1e-9, extent * 2.0 ** -30)
    budget = _ENTRIES_PER_BOX * (len(a) + len(b)) + _MIN_ENTRIES
    while True:
        entries = 0.0
        for box in (a, b):
            n = (np.floor((box[:, 2:] - origin) / cell) - np.floor((box[:, :2] - origin) / cell)
                 + 1)
            entries += float((n[:, 0] * n[:, 1]).sum())
        if entries <= budget:
            return cell
        cell *= 2.0


def box_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j) of boxes ``a[i]``, ``b[j]`` (rows xmin, ymin, xmax, ymax) that meet.

    A uniform grid, all in numpy: each box is listed in the cells it covers, boxes of the
    two sets are paired within each cell, and a pair is kept only in the cell holding
    the lower-left corner of the two boxes' intersection, so it comes out once. The
    cell is twice the median box size, so a typical box covers one to four cells; it is
    sized by the boxes, not the extent: if some boxes are so large that the grid would
    list more than a few cells per box on average, the cells grow. Memory is bounded by
    the number of boxes and of pairs found, never by the extent.

    Raises
    ------
    DataQualityError
        If a coordinate is not finite, or the boxes pile up into more than
        :data:`MAX_CANDIDATE_PAIRS` candidate pairs.

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
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise DataQualityError("a river or boundary has coordinates that are not finite "
                               "numbers (NaN or infinite)",
                               hint="run `hzgeo check` to find the feature, and fix or "
                                    "remove it")
    origin = np.minimum(a[:, :2].min(axis=0), b[:, :2].min(axis=0))
    top = np.maximum(a[:, 2:].max(axis=0), b[:, 2:].max(axis=0))
    cell = _grid_cell(a, b, origin, top)
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
    total = int(count.sum())
    if total > MAX_CANDIDATE_PAIRS:
        raise DataQualityError(
            f"{total:,} candidate pairs of river stretches and boundary edges: the features "
            "pile up in a few places of a vast extent, which real rivers and boundaries do "
            "not", hint="check that every layer's coordinates are in the CRS it declares "
                        "(degrees labelled as metres?) and that no feature has a stray vertex")
    out_i, out_j = [empty], [empty]
    bounds = np.searchsorted(np.cumsum(count), np.arange(_PAIR_BATCH, total, _PAIR_BATCH),
                             side="left")
    for lo_e, hi_e in zip(np.concatenate([[0], bounds]), np.append(bounds, len(cell_a)),
                          strict=True):
        c = count[lo_e:hi_e]
        i = np.repeat(item_a[lo_e:hi_e], c)
        here = np.repeat(cell_a[lo_e:hi_e], c)
        j = item_b[np.repeat(begin[lo_e:hi_e], c) + (np.arange(c.sum())
                                                     - np.repeat(np.cumsum(c) - c, c))]
        meet = ((a[i, 0] <= b[j, 2]) & (a[i, 2] >= b[j, 0])
                & (a[i, 1] <= b[j, 3]) & (a[i, 3] >= b[j, 1]))
        i, j, here = i[meet], j[meet], here[meet]
        corner = (np.maximum(a[i, :2], b[j, :2]) - origin) // cell
        once = corner[:, 0].astype(np.int64) * n_y + corner[:, 1].astype(np.int64) == here
        out_i.append(i[once])
        out_j.append(j[once])
    return np.concatenate(out_i), np.concatenate(out_j)
