"""Candidate (river segment, boundary edge) pairs: boxes within a distance of each other.

The grid join (:func:`hzgeo._gridjoin.box_pairs`) matches runs of a few segments with the
edges; each run's segments are then kept where their own box, grown by the distance,
meets the edge's. The pairs are a superset of those that cross or run within the
distance; :mod:`hzgeo._crossings` and :mod:`hzgeo._shared` test them exactly. The set
of pairs depends only on the two boxes of each pair, never on which other edges are
searched at the same time, so a search split by partition of the edges gives the same
pairs (:mod:`hzgeo.distributed`).
"""

from __future__ import annotations

import numpy as np

from hzgeo._gridjoin import box_pairs

__all__ = ["edge_boxes", "pairs_of_runs", "run_boxes", "segment_pairs"]


def edge_boxes(edges: np.ndarray) -> np.ndarray:
    """Bounding boxes (xmin, ymin, xmax, ymax) of (N, 2, 2) edges."""
    return np.column_stack([edges[:, :, 0].min(axis=1), edges[:, :, 1].min(axis=1),
                            edges[:, :, 0].max(axis=1), edges[:, :, 1].max(axis=1)])


def segment_pairs(net, edges: np.ndarray, *, distance: np.ndarray | float = 0.0,
                  chunk: int = 8, batch: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """(segment, edge) pairs of ``net`` and ``edges`` whose boxes are within ``distance``.

    ``distance`` is per part or one number. A segment is named by its first vertex.

    Examples
    --------
    >>> import shapely
    >>> from pyproj import Transformer
    >>> from hzgeo._network import RiverNetwork
    >>> t = Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True)
    >>> net = RiverNetwork(np.array([shapely.LineString(
    ...     [(400000, 2560000), (400100, 2560000), (400200, 2560000)])]), t)
    >>> edges = np.array([[[400150.0, 2559990.0], [400150.0, 2560010.0]]])
    >>> [a.tolist() for a in segment_pairs(net, edges)]
    [[1], [0]]
    """
    if net.n_segments == 0 or len(edges) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    first, last, grow, run_box = run_boxes(net, distance=distance, chunk=chunk)
    return pairs_of_runs(net.xy, first, last, grow, run_box, edges, batch=batch)


def run_boxes(net, *, distance: np.ndarray | float = 0.0, chunk: int = 8):
    """Runs of up to ``chunk`` segments of every part: first and last vertex, the distance
    they are grown by, and their boxes grown by it."""
    starts = [np.arange(a, b, chunk) for a, b in zip(net.part_start, net.part_end,
                                                        strict=True)]
    if not starts:
        return (np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0),
                np.zeros((0, 4)))
    first = np.concatenate(starts)
    part = np.repeat(np.arange(len(starts)), [len(x) for x in starts])
    del starts
    last = np.minimum(first + chunk, net.part_end[part])
    grow = np.broadcast_to(np.asarray(distance, dtype=float), part.shape) \
        if np.ndim(distance) == 0 else np.asarray(distance, dtype=float)[part]
    # the runs tile the vertices from first[k] up to the next run's first, which is
    # run k's last too (within a part): reduced over the vertex array itself, with that
    # last vertex added, not over a copy of every run's vertices
    x, y = net.xy[:, 0], net.xy[:, 1]
    run_box = np.column_stack([
        np.minimum(np.minimum.reduceat(x, first), x[last]) - grow,
        np.minimum(np.minimum.reduceat(y, first), y[last]) - grow,
        np.maximum(np.maximum.reduceat(x, first), x[last]) + grow,
        np.maximum(np.maximum.reduceat(y, first), y[last]) + grow])
    return first, last, np.ascontiguousarray(grow), run_box


def pairs_of_runs(xy: np.ndarray, first, last, grow, run_box, edges: np.ndarray, *,
                  batch: int = 200_000) -> tuple[np.ndarray, np.ndarray]:
    """(segment, edge) pairs of the runs (from :func:`run_boxes`) and ``edges``."""
    if len(first) == 0 or len(edges) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    edge_box = edge_boxes(edges)
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
        p0, p1 = xy[seg], xy[seg + 1]
        box = edge_box[edge]
        near = ((np.minimum(p0[:, 0], p1[:, 0]) - g <= box[:, 2])
                & (np.maximum(p0[:, 0], p1[:, 0]) + g >= box[:, 0])
                & (np.minimum(p0[:, 1], p1[:, 1]) - g <= box[:, 3])
                & (np.maximum(p0[:, 1], p1[:, 1]) + g >= box[:, 1]))
        out_seg.append(seg[near])
        out_edge.append(edge[near])
    return np.concatenate(out_seg), np.concatenate(out_edge)
