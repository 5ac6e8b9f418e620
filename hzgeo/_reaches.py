"""Turn labelled runs into the reach tables: codes, names, chainage, 起止, nesting.

Vectorised over the runs of a level; output geometry is built straight in lon/lat from
the river's own lon/lat vertices, so no reach is reprojected.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo._network import RiverNetwork
from hzgeo._runs import GAP, NONE, OUTSIDE, Runs
from hzgeo._units import UnitTable
from hzgeo.settings import STORE_CRS

__all__ = ["REACH_COLUMNS", "ReachWriter", "link_parents"]

REACH_COLUMNS = ["reach_code", "reach_name", "river_code", "river_name", "main", "level",
                 "admin_code", "admin_name", "parent_reach_code", "length_m", "from_km",
                 "to_km", "start_desc", "end_desc", "boundary", "shared_with",
                 "shared_with_name", "primary", "synthetic", "geometry"]
_PARENT_LEVEL = {"village": "township", "township": "county", "county": ""}


class ReachWriter:
    """Builds the output frames of one segmentation."""

    def __init__(self, net: RiverNetwork, rivers: gpd.GeoDataFrame, units: UnitTable,
                 city_border, tol_river: np.ndarray, cuts: dict, runs: Runs):
        self.net, self.rivers, self.units = net, rivers, units
        self.cuts = cuts
        self.river_code = rivers["river_code"].to_numpy(dtype=object)
        self.river_name = rivers["name"].to_numpy(dtype=object)
        self.river_main = rivers["main"].to_numpy(bool)
        self.river_synthetic = rivers["synthetic"].to_numpy(bool)
        self.origin = self._origin(runs)
        self._part_words(city_border, tol_river)

    # -- chainage and words ------------------------------------------------------------

    def _chainage(self, runs: Runs) -> tuple[np.ndarray, np.ndarray]:
        if runs.c0 is not None:
            return runs.c0, runs.c1
        c = self.net.chainage(np.concatenate([runs.s0, runs.s1]),
                              np.concatenate([runs.part, runs.part]))
        return c[:len(runs)], c[len(runs):]

    def _origin(self, runs: Runs) -> np.ndarray:
        """Chainage of each river's first in-city point: its 0 km."""
        origin = np.zeros(len(self.rivers))
        inside = runs.take(runs.inside)
        if len(inside):
            c0, _ = self._chainage(inside)
            river = self.net.part_river[inside.part]
            first = pd.Series(c0).groupby(river).min()
            origin[first.index.to_numpy()] = first.to_numpy()
        return origin

    def _part_words(self, city_border, tol_river: np.ndarray) -> None:
        """起止 words at the two ends of every river part."""
        net = self.net
        n = len(net.part_start)
        river = net.part_river
        start_pt = shapely.points(net.xy[net.part_start])
        end_pt = shapely.points(net.xy[net.part_end])
        tol = np.maximum(tol_river[river], 1.0) if n else np.zeros(0)
        near_start = shapely.distance(start_pt, city_border) <= tol
        near_end = shapely.distance(end_pt, city_border) <= tol
        first = np.ones(n, dtype=bool)
        first[1:] = river[1:] != river[:-1]
        last = np.ones(n, dtype=bool)
        last[:-1] = river[1:] != river[:-1]
        names = dict(zip(self.river_code, self.river_name, strict=True))
        into = self.rivers["flows_into"].to_numpy(dtype=object)
        mouth = np.array([("汇入" + names.get(into[r], into[r])) if into[r] else "河口"
                          for r in river], dtype=object)
        self.part_start_word = np.where(near_start, "市界（入境）",
                                        np.where(first, "源头", "断开处")).astype(object)
        self.part_end_word = np.where(near_end, "市界（出境）",
                                      np.where(last, mouth, "断开处")).astype(object)

    def _words(self, runs: Runs, names: np.ndarray, entering: bool, idx: np.ndarray,
               unit: np.ndarray, other: np.ndarray) -> np.ndarray:
        """起 (``entering``) or 止 of every row: what lies across that end of its reach.

        Rows are (run ``idx``, responsible ``unit``, the ``other`` side of a shared run).
        """
        n = len(runs)
        j = idx + (-1 if entering else 1)
        has = (j >= 0) & (j < n)
        j = np.clip(j, 0, max(n - 1, 0))
        has &= runs.part[j] == runs.part[idx]
        ends = self.part_start_word if entering else self.part_end_word
        words = np.where(has, "", ends[runs.part[idx]]).astype(object)
        if not len(idx):
            return words
        na, nb = runs.a[j], runs.b[j]
        words[has & (na == OUTSIDE)] = "市界（入境）" if entering else "市界（出境）"
        words[has & (na == GAP)] = "无归属区域"
        cut = has & (na >= 0) & (runs.block[j] != runs.block[idx])
        for i in np.flatnonzero(cut).tolist():
            at = runs.s0[idx[i]] if entering else runs.s1[idx[i]]
            words[i] = next((name for (p, s), name in self.cuts.items()
                             if p == runs.part[idx[i]] and abs(s - at) < 1e-9), "分段点")
        live = np.flatnonzero(has & (na >= 0) & ~cut)
        if not len(live):
            return words
        u, o, a, b = unit[live], other[live], na[live], nb[live]
        b_ok = b != NONE
        a_across = (a != u) & (a != o)
        b_across = b_ok & (b != u) & (b != o)
        edge, opposite = ("起点", "终点") if entering else ("终点", "起点")
        partner_is_a = a != u
        partner_is_b = ~partner_is_a & b_ok & (b != u)
        cases = [  # first match wins: (rows, unit whose name is said, text around it)
            (a_across & b_across, None, None),  # crosses into / out of two units
            (a_across, a, ("", "界")),  # the river crosses into or out of another unit
            (b_across, b, ("", "界")),
            ((o != NONE) & ~b_ok & (a == u), o, ("与", "界河段" + edge)),  # turns shared
            ((o == NONE) & partner_is_a, a, ("与", "界河段" + opposite)),  # shared ends
            ((o == NONE) & partner_is_b, b, ("与", "界河段" + opposite)),
            (o == NONE, None, "界"),
            (np.ones(len(live), dtype=bool), None, None),
        ]
        todo = np.ones(len(live), dtype=bool)
        for rows, who, text in cases:
            rows = rows & todo
            todo &= ~rows
            if not rows.any():
                continue
            if who is not None:
                words[live[rows]] = text[0] + names[who[rows]] + text[1]
            elif text is not None:
                words[live[rows]] = text
            else:
                both = names[a[rows]] + np.where(b_ok[rows], "、" + names[np.maximum(b[rows], 0)],
                                                 "")
                words[live[rows]] = both + "界"
        return words

    # -- frames ------------------------------------------------------------------------

    def reaches(self, runs: Runs, level: str, codes: np.ndarray) -> gpd.GeoDataFrame:
        """One row per run and responsible unit (two for a shared run).

        ``runs`` are labelled with unit ids at ``level``; ``codes[id]`` is the unit's code.
        """
        units = self.units
        names, synthetic = units.names_of(codes), units.synthetic_of(codes)
        c0, c1 = self._chainage(runs)
        ordinary = np.flatnonzero(runs.a >= 0)
        shared = ordinary[runs.b[ordinary] != NONE]
        # one row per run, a second for the other side of a shared run, in flow order
        idx = np.concatenate([ordinary, shared])
        unit = np.concatenate([runs.a[ordinary], runs.b[shared]])
        other = np.concatenate([runs.b[ordinary], runs.a[shared]])
        order = np.lexsort((unit, idx))
        idx, unit, other = idx[order], unit[order], other[order]
        has_other = other != NONE
        other_safe = np.where(has_other, other, 0)
        river = self.net.part_river[runs.part[idx]]
        code = codes[unit]
        start = self._words(runs, names, True, idx, unit, other)
        end = self._words(runs, names, False, idx, unit, other)
        frame = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name[river],
            "main": self.river_main[river], "level": level, "admin_code": code,
            "admin_name": names[unit], "length_m": c1[idx] - c0[idx],
            "from_km": (c0[idx] - self.origin[river]) / 1000.0,
            "to_km": (c1[idx] - self.origin[river]) / 1000.0,
            "start_desc": start, "end_desc": end, "boundary": has_other,
            "shared_with": np.where(has_other, codes[other_safe], ""),
            "shared_with_name": np.where(has_other, names[other_safe], ""),
            "primary": ~has_other | (unit < other_safe),
            "synthetic": self.river_synthetic[river] | synthetic[unit]
            | (has_other & synthetic[other_safe]),
            "_run": idx})
        group = frame.groupby(["river_code", "admin_code"], sort=False)
        number = (group.cumcount() + 1).tolist()
        count = group["admin_code"].transform("size").tolist()
        rivers, admins = frame["river_code"].tolist(), frame["admin_code"].tolist()
        frame["reach_code"] = [f"{r}-{a}-{n:02d}" for r, a, n in zip(rivers, admins, number,
                                                                      strict=True)]
        frame["reach_name"] = [f"{r}{a}段（{n}）" if c > 1 else f"{r}{a}段" for r, a, n, c in zip(
            frame["river_name"].tolist(), frame["admin_name"].tolist(), number, count,
            strict=True)]
        frame["parent_reach_code"] = ""
        up = _PARENT_LEVEL[level]
        if up:
            frame["_parent_admin"] = units.parents(level, up)[unit]
        lines = self.net.lonlat_lines(runs.s0[idx], runs.s1[idx], runs.part[idx])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=STORE_CRS),
                                crs=STORE_CRS)

    def _stretch_frame(self, records: pd.DataFrame, s0, s1, part) -> gpd.GeoDataFrame:
        lines = self.net.lonlat_lines(np.asarray(s0, float), np.asarray(s1, float),
                                      np.asarray(part, int))
        return gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(lines, crs=STORE_CRS),
                                crs=STORE_CRS)

    def slivers(self, slivers: list) -> gpd.GeoDataFrame:
        """The short pieces merged into a neighbour, with where they went."""
        part = np.array([s[0] for s in slivers], dtype=int)
        s0 = np.array([s[1] for s in slivers], dtype=float)
        s1 = np.array([s[2] for s in slivers], dtype=float)
        river = self.net.part_river[part] if len(part) else np.zeros(0, dtype=int)
        start = self.net.chainage(s0, part) if len(part) else np.zeros(0)
        village = self.units.village_codes

        def codes(label):
            if label[0] < 0:
                return "无归属"
            return "、".join(village[u] for u in label if u != NONE)

        records = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name[river],
            "admin_code": [codes(s[3]) for s in slivers],
            "merged_into": [codes(s[4]) for s in slivers],
            "length_m": np.array([s[5] for s in slivers], dtype=float),
            "from_km": (start - self.origin[river]) / 1000.0})
        return self._stretch_frame(records, s0, s1, part)

    def gaps(self, runs: Runs) -> gpd.GeoDataFrame:
        """River stretches inside the city that fall in no village."""
        gap = runs.take(runs.a == GAP)
        c0, c1 = self._chainage(gap)
        river = self.net.part_river[gap.part]
        records = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name[river],
            "length_m": c1 - c0, "from_km": (c0 - self.origin[river]) / 1000.0,
            "to_km": (c1 - self.origin[river]) / 1000.0})
        return self._stretch_frame(records, gap.s0, gap.s1, gap.part)

    def lengths(self, runs: Runs) -> pd.DataFrame:
        """Per river: geodesic length inside the city, and the part of it in no village."""
        inside = runs.take(runs.inside)
        c0, c1 = self._chainage(inside)
        river = self.net.part_river[inside.part]
        n = len(self.rivers)
        total = np.bincount(river, weights=c1 - c0, minlength=n)
        gap = inside.a == GAP
        unassigned = np.bincount(river[gap], weights=(c1 - c0)[gap], minlength=n)
        return pd.DataFrame({"river_code": self.river_code, "river_name": self.river_name,
                             "length_m": total, "unassigned_m": unassigned})


def link_parents(child: pd.DataFrame, parent: pd.DataFrame, up_index: np.ndarray) -> None:
    """Fill ``child["parent_reach_code"]``: the parent-level reach, same side, containing it.

    ``up_index[i]`` is the parent-level run that child-level run ``i`` lies in.
    """
    if len(child) == 0:
        return
    keys = pd.DataFrame({"_up": up_index[child["_run"].to_numpy()],
                         "_parent_admin": child["_parent_admin"].to_numpy()})
    table = pd.DataFrame({"_up": parent["_run"].to_numpy(),
                          "_parent_admin": parent["admin_code"].to_numpy(),
                          "code": parent["reach_code"].to_numpy()})
    found = keys.merge(table, how="left", on=["_up", "_parent_admin"])
    child["parent_reach_code"] = found["code"].fillna("").to_numpy()
