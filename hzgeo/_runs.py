"""Runs: stretches of one river part with one label, the unit(s) responsible for them.

Runs are kept as arrays (one entry per run, in flow order): ``part``, ``s0``, ``s1``
(positions, see :mod:`hzgeo._network`), ``a`` and ``b`` (the label) and ``block``.
The label is a unit index ``a`` with ``b == NONE``; a pair ``a < b`` for a stretch shared
along a border; or ``a`` = ``GAP`` / ``OUTSIDE``. Runs are built at the village level;
every level above is the same runs relabelled (:meth:`Runs.lift`) and coalesced, which is
why reaches nest by construction. ``block`` only changes at a cut override: runs in
different blocks never merge.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hzgeo._network import RiverNetwork
from hzgeo.errors import InputError
from hzgeo.model import OVERRIDE_COLUMNS

__all__ = ["GAP", "NONE", "OUTSIDE", "Runs", "apply_overrides", "label_runs", "merge_slivers"]

GAP = -1  # inside the city, but in no village
OUTSIDE = -2  # outside the city
NONE = -9  # no second unit: not a shared stretch


@dataclass
class Runs:
    part: np.ndarray
    s0: np.ndarray
    s1: np.ndarray
    a: np.ndarray
    b: np.ndarray
    block: np.ndarray
    #: chainage (geodesic m) of s0 and s1, once :meth:`with_chainage` has measured them
    c0: np.ndarray | None = None
    c1: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.part)

    def take(self, index) -> Runs:
        return Runs(self.part[index], self.s0[index], self.s1[index], self.a[index],
                    self.b[index], self.block[index],
                    None if self.c0 is None else self.c0[index],
                    None if self.c1 is None else self.c1[index])

    def with_chainage(self, net: RiverNetwork) -> Runs:
        """The same runs with ``c0``/``c1`` measured (kept through lift and coalesce).

        A run mostly begins where the one before it ends: that point is measured once."""
        c1 = net.chainage(self.s1, self.part)
        c0 = np.empty_like(c1)
        carried = np.zeros(len(self), dtype=bool)
        carried[1:] = (self.part[1:] == self.part[:-1]) & (self.s0[1:] == self.s1[:-1])
        c0[carried] = c1[np.flatnonzero(carried) - 1]
        c0[~carried] = net.chainage(self.s0[~carried], self.part[~carried])
        return Runs(self.part, self.s0, self.s1, self.a, self.b, self.block, c0, c1)

    @property
    def shared(self) -> np.ndarray:
        return self.b != NONE

    @property
    def inside(self) -> np.ndarray:
        return self.a != OUTSIDE

    def coalesce(self) -> tuple[Runs, np.ndarray]:
        """Merge neighbouring runs with the same label and block.

        Returns the merged runs and, for each run, the index of the merged run it is in.

        Examples
        --------
        >>> r = Runs(np.array([0, 0, 0]), np.array([0.0, 1, 2]), np.array([1.0, 2, 3]),
        ...          np.array([5, 5, 6]), np.full(3, NONE), np.zeros(3, int))
        >>> merged, index = r.coalesce()
        >>> merged.s1.tolist(), index.tolist()
        ([2.0, 3.0], [0, 0, 1])
        """
        n = len(self)
        new = np.ones(n, dtype=bool)
        if n > 1:
            new[1:] = ((self.part[1:] != self.part[:-1]) | (self.a[1:] != self.a[:-1])
                       | (self.b[1:] != self.b[:-1]) | (self.block[1:] != self.block[:-1])
                       | (np.abs(self.s0[1:] - self.s1[:-1]) > 1e-12))
        starts = np.flatnonzero(new)
        ends = np.concatenate([starts[1:], [n]])[:len(starts)].astype(int) - 1
        merged = Runs(self.part[starts], self.s0[starts], self.s1[ends], self.a[starts],
                      self.b[starts], self.block[starts],
                      None if self.c0 is None else self.c0[starts],
                      None if self.c1 is None else self.c1[ends])
        return merged, np.cumsum(new) - 1

    def lift(self, keys: np.ndarray) -> Runs:
        """The same runs labelled one level up: ``keys[village]`` is the village's unit.

        A stretch shared by two villages of the same unit is that unit's alone.
        """
        special = self.a < 0
        a = np.where(special, self.a, keys[np.maximum(self.a, 0)])
        b = np.where(self.b == NONE, NONE, keys[np.maximum(self.b, 0)])
        b = np.where(b == a, NONE, b)
        lo = np.where((b != NONE) & (b < a), b, a)
        hi = np.where((b != NONE) & (b < a), a, b)
        return Runs(self.part, self.s0, self.s1, lo, hi, self.block, self.c0, self.c1)

    def lengths(self, net: RiverNetwork) -> np.ndarray:
        """Geodesic length of each run."""
        if self.c0 is not None:
            return self.c1 - self.c0
        c = net.chainage(np.concatenate([self.s0, self.s1]),
                         np.concatenate([self.part, self.part]))
        return c[len(self):] - c[:len(self)]


def label_runs(s0, s1, part, unit, stretches) -> Runs:
    """Runs from the pieces between crossings, with the shared stretches laid over them.

    ``stretches``: arrays (part, s0, s1, village_a, village_b), sorted, not overlapping.
    """
    sp, sa, sb, ua, ub = stretches
    if len(sp):
        bounds_s = np.concatenate([s0, s1, sa, sb])
        bounds_p = np.concatenate([part, part, sp, sp])
    else:
        bounds_s, bounds_p = np.concatenate([s0, s1]), np.concatenate([part, part])
    order = np.lexsort((bounds_s, bounds_p))
    kp, ks = bounds_p[order], bounds_s[order]
    new = np.ones(len(kp), dtype=bool)
    new[1:] = (kp[1:] != kp[:-1]) | (ks[1:] != ks[:-1])
    kp, ks = kp[new], ks[new]
    same = kp[1:] == kp[:-1]
    p = kp[:-1][same].astype(int)
    lo, hi = ks[:-1][same], ks[1:][same]
    mid = (lo + hi) / 2
    # the piece each elementary interval lies in
    # positions are global vertex indices (+ fraction): they order every part at once
    k = np.searchsorted(s0, mid, side="right") - 1
    a = unit[k].astype(int)
    b = np.full(len(a), NONE)
    if len(sp):
        j = np.searchsorted(sa, mid, side="right") - 1
        ok = j >= 0
        ok[ok] = (sp[j[ok]] == p[ok]) & (sb[j[ok]] >= mid[ok])
        # a stretch sampled along a border that ends on the city outline can reach past
        # it by up to the tolerance: what lies outside the city stays outside
        ok &= a != OUTSIDE
        first = np.minimum(ua[j[ok]], ub[j[ok]])
        second = np.maximum(ua[j[ok]], ub[j[ok]])
        a[ok], b[ok] = first, second
    runs = Runs(p, lo, hi, a, b, np.zeros(len(p), dtype=int))
    return runs.coalesce()[0]


def merge_slivers(runs: Runs, net: RiverNetwork, min_length: float):
    """Merge in-city runs shorter than ``min_length`` into their longer in-city neighbour.

    Shortest first; a merged run that is still short is considered again. Returns the new
    runs (with their chainage, if ``runs`` had it) and the slivers as
    (part, s0, s1, (a, b), (into_a, into_b), length).
    """
    n = len(runs)
    if n == 0 or min_length <= 0:
        return runs, []
    length = runs.lengths(net)
    short = np.flatnonzero(runs.inside & (length < min_length))
    if len(short) == 0:
        return runs, []
    part, block = runs.part.tolist(), runs.block.tolist()
    s0, s1 = runs.s0.tolist(), runs.s1.tolist()
    c0 = runs.c0.tolist() if runs.c0 is not None else [0.0] * n
    c1 = runs.c1.tolist() if runs.c1 is not None else [0.0] * n
    a, b = runs.a.tolist(), runs.b.tolist()
    length = length.tolist()
    alive = [True] * n
    prev: dict[int, int] = {}
    nxt: dict[int, int] = {}

    def prev_of(i: int) -> int:
        j = prev.get(i, i - 1)
        return j if j >= 0 and part[j] == part[i] else -1

    def next_of(i: int) -> int:
        j = nxt.get(i, i + 1)
        return j if j < n and part[j] == part[i] else -1

    def absorb(j: int, i: int) -> None:
        """Run j takes over its neighbour i."""
        if prev_of(i) == j:
            s1[j], c1[j] = s1[i], c1[i]
            k = next_of(i)
            nxt[j] = k if k >= 0 else n
            if k >= 0:
                prev[k] = j
        else:
            s0[j], c0[j] = s0[i], c0[i]
            k = prev_of(i)
            prev[j] = k
            if k >= 0:
                nxt[k] = j
        length[j] += length[i]
        alive[i] = False

    heap = [(length[i], i) for i in short.tolist()]
    heapq.heapify(heap)
    slivers = []
    while heap:
        size, i = heapq.heappop(heap)
        if not alive[i] or size != length[i] or length[i] >= min_length:
            continue
        nbrs = [j for j in (prev_of(i), next_of(i)) if j >= 0 and a[j] != OUTSIDE
                and block[j] == block[i]]
        if not nbrs:
            continue
        j = max(nbrs, key=lambda k: length[k])
        slivers.append((part[i], s0[i], s1[i], (a[i], b[i]), (a[j], b[j]), length[i]))
        beyond = next_of(i) if prev_of(i) == j else prev_of(i)
        absorb(j, i)
        if beyond >= 0 and (a[beyond], b[beyond], block[beyond]) == (a[j], b[j], block[j]):
            absorb(j, beyond)
        if length[j] < min_length:
            heapq.heappush(heap, (length[j], j))
    keep = np.flatnonzero(alive)
    out = Runs(runs.part[keep], np.asarray(s0)[keep], np.asarray(s1)[keep], runs.a[keep],
               runs.b[keep], runs.block[keep],
               None if runs.c0 is None else np.asarray(c0)[keep],
               None if runs.c1 is None else np.asarray(c1)[keep])
    return out, slivers


def apply_overrides(overrides: pd.DataFrame | None, runs: Runs, net: RiverNetwork, rivers,
                    units, cuts: dict) -> tuple[Runs, pd.DataFrame]:
    """Apply the override table to the village runs; return the new runs and the log.

    ``assign`` gives the shared stretches of a river that border ``admin_code`` (any level)
    to that side, within ``from_km``-``to_km`` if given. ``cut`` splits the run at
    ``at_km``; ``cuts`` receives (part, s) -> the point's name, for the 起止 words.
    """
    columns = OVERRIDE_COLUMNS
    if overrides is None or len(overrides) == 0:
        return runs, pd.DataFrame(columns=columns)
    table = overrides.copy()
    for column in columns[:-1]:
        if column not in table.columns:
            table[column] = np.nan if column.endswith("_km") else ""
    bad = ~table["action"].isin(["assign", "cut"])
    if bad.any():
        raise InputError(f"override action must be 'assign' or 'cut', got "
                         f"{sorted(set(table['action'][bad].astype(str)))}", layer="overrides",
                         hint="write assign (give a shared stretch to one side) or cut")
    code_of = {c: i for i, c in enumerate(rivers["river_code"])}
    unknown = table["river_code"][~table["river_code"].isin(list(code_of))]
    if len(unknown):
        raise InputError("override names rivers that are not in the data", layer="overrides",
                         features=sorted(set(unknown)), hint="check the river_code column")
    statuses = []
    for row in table.itertuples(index=False):
        r = code_of[row.river_code]
        mine = net.part_river[runs.part] == r
        c0 = net.chainage(runs.s0, runs.part)
        c1 = net.chainage(runs.s1, runs.part)
        origin = c0[mine & runs.inside].min() if (mine & runs.inside).any() else 0.0
        km0, km1 = (c0 - origin) / 1e3, (c1 - origin) / 1e3
        if row.action == "assign":
            lo = row.from_km if pd.notna(row.from_km) else -np.inf
            hi = row.to_km if pd.notna(row.to_km) else np.inf
            target = str(row.admin_code)
            done = 0
            for k in np.flatnonzero(mine & runs.shared & (km1 > lo) & (km0 < hi)):
                side = [u for u in (runs.a[k], runs.b[k]) if target in units.lineage(u)]
                if len(side) == 1:
                    runs.a[k], runs.b[k] = side[0], NONE
                    done += 1
            statuses.append(f"assigned {done} shared stretch(es)" if done else
                            "no shared stretch of this river borders that unit")
            continue
        at = float(row.at_km)
        hit = np.flatnonzero(mine & (km0 < at) & (km1 > at))
        if len(hit) == 0:
            statuses.append("at_km is not inside the river")
            continue
        k = hit[0]
        lo_s, hi_s = runs.s0[k], runs.s1[k]  # bisect the position of the chainage
        for _ in range(60):
            mid = (lo_s + hi_s) / 2
            if (net.chainage(np.array([mid]), runs.part[k:k + 1])[0] - origin) / 1e3 < at:
                lo_s = mid
            else:
                hi_s = mid
        order = np.insert(np.arange(len(runs)), k + 1, k)
        runs = runs.take(order)
        runs.s1[k], runs.s0[k + 1] = hi_s, hi_s
        downstream = np.zeros(len(runs), dtype=bool)
        downstream[k + 1:] = net.part_river[runs.part[k + 1:]] == r
        runs.block = runs.block + downstream
        name = str(row.name) if isinstance(row.name, str) and row.name else f"{at:g} km"
        cuts[(int(runs.part[k]), float(hi_s))] = name
        statuses.append(f"cut at {at:g} km")
    table["status"] = statuses
    return runs, table[columns]
