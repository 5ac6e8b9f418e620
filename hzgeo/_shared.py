"""Stretches where a river runs along a shared border (界河), found top down by level."""

from __future__ import annotations

import numpy as np

from hzgeo._batch import batches as _batches
from hzgeo._batch import slices as _slices
from hzgeo._network import RiverNetwork, part_of

__all__ = ["following_pairs", "shared_stretches"]

#: Shared-stretch detection samples the river every tolerance / 2, but not closer than
#: this, and at most this many times per segment.
_MIN_SAMPLE_SPACING_M = 0.25
_MAX_SAMPLES = 2000


def shared_stretches(net: RiverNetwork, edges, edge_lo, edge_hi, edge_left, seg, ei,
                     unit_keys, tol_of_part, min_factor, max_crossing_deg):
    """Stretches that run along a shared border, as arrays (part, s0, s1, village_a, village_b).

    Borders are searched top down (``unit_keys``: one array per level mapping a village to
    its unit at that level, county first): a stretch along a county border is found among
    county-border edges only, so that village edges nearby do not break it up. Inside a
    stretch the two villages are those of the nearest border edge, so the stretch is shared
    at every level below too. The river is sampled every tolerance / 2 where it is within
    the tolerance of an edge it may follow (see :func:`_may_follow`); a stretch is a run of
    samples whose nearest border is the same pair of units, at least ``min_factor`` times
    the tolerance long. A run that starts on one side of the border and ends on the other
    is a crossing unless it is at least 2 tolerance / sin(``max_crossing_deg``) long: a
    river crossing a border at angle x stays within the tolerance of it for
    2 tolerance / sin(x). ``seg``, ``ei``: the candidate (segment, edge) pairs within the
    tolerance (:meth:`RiverNetwork.segment_pairs`) that :func:`following_pairs` keeps;
    ``edge_left``: the unit left of each edge (:func:`coverage_edges`).
    """
    empty = (np.zeros(0, dtype=int), np.zeros(0), np.zeros(0), np.zeros(0, dtype=int),
             np.zeros(0, dtype=int))
    if net.n_segments == 0 or not (edge_hi >= 0).any():
        return empty
    found = []
    taken = np.zeros(0)  # bounds of stretches found at a higher level, as sorted keys
    for keys in unit_keys:
        level = keys[edge_lo[ei]] != keys[np.maximum(edge_hi[ei], 0)]
        lseg, lei = seg[level], ei[level]
        if len(lseg) == 0:
            continue
        order = np.lexsort((lei, lseg))  # by segment, then edge: ties go the same way always
        lseg, lei = lseg[order], lei[order]
        # samples come in order of position (segments in order, each from its start)
        s, part, edge, step = _near_samples(net, lseg, lei, edges, tol_of_part)
        va, vb = edge_lo[edge], edge_hi[edge]
        ka, kb = keys[va], keys[vb]
        flip = ka > kb
        va, vb = np.where(flip, vb, va), np.where(flip, va, vb)
        key = np.minimum(ka, kb).astype(np.int64) * (int(keys.max()) + 1) + np.maximum(ka, kb)
        if len(taken):  # drop samples inside stretches found at a higher level
            free = ~_interval_member(s, taken)
            s, part, key, va, vb = s[free], part[free], key[free], va[free], vb[free]
            edge, step = edge[free], step[free]
        if len(s) == 0:
            continue
        planar = net.planar(s, part)
        new = np.ones(len(s), dtype=bool)
        # a run goes on over a gap of up to the tolerance, and always from one sample to
        # the next (samples are never closer than _MIN_SAMPLE_SPACING_M, which can be
        # more than a small tolerance)
        gap = np.maximum(tol_of_part[part[1:]], (1 + 1e-9) * np.maximum(step[1:], step[:-1]))
        new[1:] = (part[1:] != part[:-1]) | (key[1:] != key[:-1]) | (
            planar[1:] - planar[:-1] > gap)
        run = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(s)) - 1
        length, tol = planar[ends] - planar[starts], tol_of_part[part[starts]]
        accepted = length >= min_factor * tol
        side0 = _side(net.xy_at(s[starts], part[starts]), edge[starts], edges, edge_lo,
                      edge_hi, edge_left, keys)
        side1 = _side(net.xy_at(s[ends], part[ends]), edge[ends], edges, edge_lo, edge_hi,
                      edge_left, keys)
        crossing = (side0 >= 0) & (side1 >= 0) & (side0 != side1)  # on the border: no side
        accepted &= ~crossing | (length >= 2 * tol / np.sin(np.radians(max_crossing_deg)))
        if not accepted.any():
            continue
        # accepted runs that follow each other within the tolerance meet (the river passes a
        # tripoint from one border onto the next): they meet halfway between their samples
        acc = np.flatnonzero(accepted)
        run_s0, run_s1 = s[starts], s[ends]
        if len(acc) > 1:
            a, b = acc[:-1], acc[1:]
            reach = np.maximum(tol[a], (1 + 1e-9) * np.maximum(step[ends[a]], step[starts[b]]))
            meet = (part[starts[b]] == part[ends[a]]) & (
                planar[starts[b]] - planar[ends[a]] <= reach)
            a, b = a[meet], b[meet]
            run_s1[a] = run_s0[b] = (s[ends[a]] + s[starts[b]]) / 2
        # sub-stretches of accepted runs, one per pair of villages
        inside = accepted[run]
        pair = va.astype(np.int64) * (len(keys) + 1) + vb
        sub = new | np.concatenate([[True], pair[1:] != pair[:-1]])
        sub_start = np.flatnonzero(sub & inside)
        following = np.append(sub_start[1:], len(s))
        same_run = following < len(s)
        same_run[same_run] = run[following[same_run]] == run[sub_start[same_run]]
        sub_run = run[sub_start]
        s0 = np.where(new[sub_start], run_s0[sub_run], s[sub_start])
        s1 = np.where(same_run, s[np.minimum(following, len(s) - 1)], run_s1[sub_run])
        long = s1 > s0
        sub_start = sub_start[long]
        found.append((part[sub_start], s0[long], s1[long], va[sub_start], vb[sub_start]))
        taken = np.sort(np.concatenate([taken, run_s0[acc], run_s1[acc]]))
    if not found:
        return empty
    part, s0, s1, va, vb = (np.concatenate(x) for x in zip(*found, strict=True))
    order = np.argsort(s0, kind="stable")  # positions order the parts too
    part, s0, s1, va, vb = part[order], s0[order], s1[order], va[order], vb[order]
    # no overlaps: a stretch starts where the ones before it end
    before = np.concatenate([[-np.inf], np.maximum.accumulate(s1)[:-1]])
    s0 = np.maximum(s0, before)
    keep = s1 > s0
    return part[keep], s0[keep], s1[keep], va[keep], vb[keep]


def following_pairs(net, seg: np.ndarray, ei: np.ndarray, edges, edge_hi,
                    tol_of_part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (segment, edge) pairs that may be part of a stretch along a shared edge
    (:func:`_may_follow`), of the candidates ``seg``, ``ei``: a test of each pair alone, so
    that it can be done on any subset of the pairs (:mod:`hzgeo.distributed`) and again
    on its result without changing it. In batches: no temporary of every pair."""
    keep = np.zeros(len(seg), dtype=bool)
    for batch in _slices(len(seg)):
        shared = np.flatnonzero(edge_hi[ei[batch]] >= 0)  # edges between two units
        s, e = seg[batch][shared], ei[batch][shared]
        keep[batch.start + shared] = _may_follow(
            net.xy[s], net.xy[s + 1], edges[e, 0], edges[e, 1],
            tol_of_part[part_of(net.part_start, s)])
    return seg[keep], ei[keep]


def _near_samples(net: RiverNetwork, seg: np.ndarray, ei: np.ndarray, edges: np.ndarray,
                  tol_of_part: np.ndarray):
    """Samples every tolerance / 2 along the segments of the (segment, edge) pairs (sorted
    by segment), each with its nearest candidate edge, kept where that edge is within the
    tolerance: positions, parts, edges and the spacing of the samples on their segment,
    in order of position. In batches of segments."""
    near, pair_first, pairs_per_seg = np.unique(seg, return_index=True, return_counts=True)
    near_part = net.part_of(near)
    near_tol = tol_of_part[near_part]
    length = np.hypot(*(net.xy[near + 1] - net.xy[near]).T)
    spacing = np.maximum(near_tol / 2, _MIN_SAMPLE_SPACING_M)
    count = np.clip(np.ceil(length / spacing).astype(int), 1, _MAX_SAMPLES) + 1
    out = []
    for batch in _batches(count * pairs_per_seg):
        b_near, b_count = near[batch], count[batch]
        b_first, b_pairs = pair_first[batch], pairs_per_seg[batch]
        n_samples = int(b_count.sum())
        seg_of_sample = np.repeat(np.arange(len(b_near)), b_count)
        within = np.arange(n_samples) - np.repeat(np.cumsum(b_count) - b_count, b_count)
        sample_s = b_near[seg_of_sample] + within / (b_count[seg_of_sample] - 1)
        part = near_part[batch][seg_of_sample]
        xy = net.xy_at(sample_s, part)
        # each sample against each candidate edge of its segment; keep the nearest
        per_sample = b_pairs[seg_of_sample]
        sample_idx = np.repeat(np.arange(n_samples), per_sample)
        offset = np.arange(per_sample.sum()) - np.repeat(np.cumsum(per_sample) - per_sample,
                                                         per_sample)
        cand = ei[b_first[seg_of_sample[sample_idx]] + offset]
        dist = _point_segment_distance(xy[sample_idx], edges[cand, 0], edges[cand, 1])
        group = np.concatenate([[0], np.cumsum(per_sample)[:-1]])
        best_d = np.minimum.reduceat(dist, group)
        first_best = np.flatnonzero(dist == np.repeat(best_d, per_sample))
        first_best = first_best[np.unique(sample_idx[first_best], return_index=True)[1]]
        ok = best_d <= near_tol[batch][seg_of_sample]
        step = (length[batch] / (b_count - 1))[seg_of_sample]
        out.append((sample_s[ok], part[ok], cand[first_best][ok], step[ok]))
    if not out:
        return np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
    return tuple(np.concatenate(x) for x in zip(*out, strict=True))


def _side(p: np.ndarray, edge: np.ndarray, edges, edge_lo, edge_hi, edge_left,
          keys: np.ndarray) -> np.ndarray:
    """The level's unit (key) on whose side of ``edge`` each point lies; -1 on the edge or
    outside the coverage."""
    a, b = edges[edge, 0], edges[edge, 1]
    cross = (b[:, 0] - a[:, 0]) * (p[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (p[:, 0] - a[:, 0])
    left = edge_left[edge]
    other = np.where(edge_lo[edge] == left, edge_hi[edge], edge_lo[edge])
    unit = np.where(cross > 0, left, np.where(cross < 0, other, -1))
    return np.where(unit >= 0, keys[np.maximum(unit, 0)], -1)


def _interval_member(s: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Whether each position lies in one of the closed intervals ``bounds`` (sorted pairs).

    Positions are global vertex indices plus a fraction, so they order all parts at once.
    """
    pos = np.searchsorted(bounds, s, side="right")
    # on a bound: the bound just before it (bounds[pos - 1] <= s) equals it (np.isin
    # would sort the positions again: 10 s of the nation's run)
    on_bound = (pos > 0) & (bounds[np.maximum(pos - 1, 0)] == s) if len(bounds) else \
        np.zeros(len(s), dtype=bool)
    return (pos % 2 == 1) | on_bound


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    denom = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(np.einsum("ij,ij->i", p - a, ab) / np.where(denom > 0, denom, 1.0), 0.0, 1.0)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


def _segment_distance(p0, p1, q0, q1) -> np.ndarray:
    """Distance between segments p0-p1 and q0-q1 (0 where they cross)."""
    d = np.minimum.reduce([_point_segment_distance(p0, q0, q1),
                           _point_segment_distance(p1, q0, q1),
                           _point_segment_distance(q0, p0, p1),
                           _point_segment_distance(q1, p0, p1)])
    r, sv = p1 - p0, q1 - q0
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    qp = q0 - p0
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * sv[:, 1] - qp[:, 1] * sv[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    cross = (denom != 0) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    return np.where(cross, 0.0, d)


def _may_follow(p0: np.ndarray, p1: np.ndarray, a: np.ndarray, b: np.ndarray,
                tol: np.ndarray) -> np.ndarray:
    """Which (river segment p0-p1, edge a-b) pairs may be part of a stretch along the edge.

    A segment crossing an edge at angle x is within the tolerance of it for at most
    2 tol / sin(x); below 42 degrees that can reach the 3 tol a shared stretch needs, so
    such segments are kept where they come within the tolerance, as are segments with
    both ends within the tolerance (a zig-zag along the border). Steeper crossings are
    plain crossings: not sampled. The cheap angle test goes first, so each pair costs two
    or four point-segment distances, not six.
    """
    u, v = p1 - p0, b - a
    cos = np.abs(u[:, 0] * v[:, 0] + u[:, 1] * v[:, 1]) / np.maximum(
        np.hypot(u[:, 0], u[:, 1]) * np.hypot(v[:, 0], v[:, 1]), 1e-300)
    keep = np.zeros(len(p0), dtype=bool)
    shallow = cos > 0.74
    keep[shallow] = _segment_distance(p0[shallow], p1[shallow], a[shallow], b[shallow]) \
        <= tol[shallow]
    steep = ~shallow
    keep[steep] = (_point_segment_distance(p0[steep], a[steep], b[steep]) <= tol[steep]) & \
        (_point_segment_distance(p1[steep], a[steep], b[steep]) <= tol[steep])
    return keep
