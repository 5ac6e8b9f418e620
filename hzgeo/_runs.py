"""Runs: stretches of one river part with one label, the unit(s) responsible for them.

A label is ``(village,)`` for an ordinary stretch, ``(village_a, village_b)`` (sorted)
for a stretch shared along a border, or ``(GAP,)`` / ``(OUTSIDE,)``. Runs are built at the
village level; every level above is the same runs relabelled and coalesced, which is why
reaches nest by construction.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hzgeo._network import RiverNetwork
from hzgeo.errors import InputError

__all__ = ["GAP", "OUTSIDE", "Run", "apply_overrides", "coalesce", "merge_slivers",
           "run_lengths"]

GAP = -1  # inside the city, but in no village
OUTSIDE = -2  # outside the city


@dataclass(slots=True)
class Run:
    part: int
    s0: float
    s1: float
    label: tuple  # (unit,) or (unit_a, unit_b) sorted; unit GAP / OUTSIDE below 0
    block: int = 0  # cut-override block: runs in different blocks never merge


def coalesce(runs: list[Run]) -> tuple[list[Run], np.ndarray]:
    """Merge neighbouring runs with the same label and block.

    Returns the merged runs and, for each input run, the index of the merged run it is in.
    """
    out: list[Run] = []
    index = np.empty(len(runs), dtype=int)
    for i, run in enumerate(runs):
        last = out[-1] if out else None
        if last is not None and last.part == run.part and last.label == run.label and \
                last.block == run.block and abs(last.s1 - run.s0) < 1e-12:
            last.s1 = run.s1
        else:
            out.append(Run(run.part, run.s0, run.s1, run.label, run.block))
        index[i] = len(out) - 1
    return out, index


def run_lengths(runs: list[Run], net: RiverNetwork) -> np.ndarray:
    """Geodesic length of each run (vectorised)."""
    if not runs:
        return np.zeros(0)
    parts = np.array([r.part for r in runs])
    c = net.chainage(np.array([r.s0 for r in runs] + [r.s1 for r in runs]),
                     np.concatenate([parts, parts]))
    return c[len(runs):] - c[:len(runs)]


def merge_slivers(runs: list[Run], net: RiverNetwork, min_length: float):
    """Merge in-city runs shorter than ``min_length`` into their longer in-city neighbour.

    Shortest first; a merged run that is still short is considered again. Returns the new
    runs and the slivers as (part, s0, s1, label, merged_into_label, length).
    """
    n = len(runs)
    if n == 0 or min_length <= 0:
        return runs, []
    s0 = [r.s0 for r in runs]
    s1 = [r.s1 for r in runs]
    part = [r.part for r in runs]
    label = [r.label for r in runs]
    block = [r.block for r in runs]
    length = run_lengths(runs, net).tolist()
    prev = [i - 1 if i > 0 and part[i - 1] == part[i] else -1 for i in range(n)]
    nxt = [i + 1 if i + 1 < n and part[i + 1] == part[i] else -1 for i in range(n)]
    alive = [True] * n
    heap = [(length[i], i) for i in range(n) if label[i][0] != OUTSIDE and length[i] < min_length]
    heapq.heapify(heap)
    slivers = []

    def absorb(j: int, i: int) -> None:
        """Run j takes over its neighbour i."""
        if prev[i] == j:
            s1[j] = s1[i]
            nxt[j] = nxt[i]
            if nxt[i] >= 0:
                prev[nxt[i]] = j
        else:
            s0[j] = s0[i]
            prev[j] = prev[i]
            if prev[i] >= 0:
                nxt[prev[i]] = j
        length[j] += length[i]
        alive[i] = False

    while heap:
        size, i = heapq.heappop(heap)
        if not alive[i] or size != length[i] or length[i] >= min_length:
            continue
        nbrs = [j for j in (prev[i], nxt[i]) if j >= 0 and label[j][0] != OUTSIDE
                and block[j] == block[i]]
        if not nbrs:
            continue
        j = max(nbrs, key=lambda k: length[k])
        slivers.append((part[i], s0[i], s1[i], label[i], label[j], length[i]))
        beyond = nxt[i] if prev[i] == j else prev[i]
        absorb(j, i)
        if beyond >= 0 and label[beyond] == label[j] and block[beyond] == block[j]:
            absorb(j, beyond)
        if length[j] < min_length:
            heapq.heappush(heap, (length[j], j))
    kept = [Run(part[i], s0[i], s1[i], label[i], block[i]) for i in range(n) if alive[i]]
    return kept, slivers


def apply_overrides(overrides, runs, net, rivers, units, cuts):
    """Apply the override table to the village runs (in place); return the log."""
    columns = ["river_code", "action", "admin_code", "from_km", "to_km", "at_km", "name",
               "status"]
    if overrides is None or len(overrides) == 0:
        return pd.DataFrame(columns=columns)
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
        runs_r = [k for k, run in enumerate(runs) if net.part_river[run.part] == r]
        origin = min((net.chainage([runs[k].s0], [runs[k].part])[0] for k in runs_r
                      if runs[k].label[0] != OUTSIDE), default=0.0)

        def km(run, origin=origin):
            c = net.chainage([run.s0, run.s1], [run.part, run.part])
            return (c[0] - origin) / 1e3, (c[1] - origin) / 1e3

        if row.action == "assign":
            done = 0
            for k in runs_r:
                run = runs[k]
                if len(run.label) != 2:
                    continue
                a, b = km(run)
                lo = row.from_km if pd.notna(row.from_km) else -np.inf
                hi = row.to_km if pd.notna(row.to_km) else np.inf
                if b <= lo or a >= hi:
                    continue
                side = [u for u in run.label if str(row.admin_code) in
                        (units.lift((u,), "village")[0], units.lift((u,), "township")[0],
                         units.lift((u,), "county")[0])]
                if len(side) == 1:
                    runs[k] = Run(run.part, run.s0, run.s1, (side[0],), run.block)
                    done += 1
            statuses.append(f"assigned {done} shared stretch(es)" if done else
                            "no shared stretch of this river borders that unit")
        else:
            at = float(row.at_km)
            hit = False
            for k in runs_r:
                run = runs[k]
                a, b = km(run)
                if a < at < b:
                    lo_s, hi_s = run.s0, run.s1  # bisect the position of the chainage
                    for _ in range(60):
                        mid = (lo_s + hi_s) / 2
                        if (net.chainage([mid], [run.part])[0] - origin) / 1e3 < at:
                            lo_s = mid
                        else:
                            hi_s = mid
                    runs[k] = Run(run.part, run.s0, hi_s, run.label, run.block)
                    runs.insert(k + 1, Run(run.part, hi_s, run.s1, run.label, run.block))
                    cuts[(run.part, hi_s)] = str(row.name) if pd.notna(row.name) and \
                        str(row.name) else f"{at:g} km"
                    for j in range(k + 1, len(runs)):  # downstream runs: a new block
                        if net.part_river[runs[j].part] == r:
                            later = runs[j]
                            runs[j] = Run(later.part, later.s0, later.s1, later.label,
                                           later.block + 1)
                    hit = True
                    break
            statuses.append(f"cut at {at:g} km" if hit else "at_km is not inside the river")
    table["status"] = statuses
    return table[columns]
