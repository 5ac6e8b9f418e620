"""Turn labelled runs into the reach tables: codes, names, chainage, 起止, nesting.

Everything here is vectorised over the runs of a level, except the few words of the start
and end description, which are a dictionary look-up per run.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo._network import RiverNetwork
from hzgeo._runs import GAP, OUTSIDE, Run
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
                 city_border, tol_river: np.ndarray, cuts: dict, runs: list[Run]):
        self.net, self.rivers, self.units = net, rivers, units
        self.cuts = cuts
        self.work_crs = rivers.crs
        self.river_code = rivers["river_code"].to_numpy()
        self.river_name_arr = rivers["name"].to_numpy()
        self.river_main = rivers["main"].to_numpy(bool)
        self.river_synthetic = rivers["synthetic"].to_numpy(bool)
        self.origin = self._origin(runs)
        self._part_words(city_border, tol_river)
        self._names: dict[tuple, str] = {}

    # -- chainage and words ------------------------------------------------------------

    def _chainage(self, runs: list[Run]) -> tuple[np.ndarray, np.ndarray]:
        n = len(runs)
        part = np.fromiter((r.part for r in runs), int, n)
        s = np.fromiter((r.s0 for r in runs), float, n)
        e = np.fromiter((r.s1 for r in runs), float, n)
        c = self.net.chainage(np.concatenate([s, e]), np.concatenate([part, part]))
        return c[:n], c[n:]

    def _origin(self, runs: list[Run]) -> np.ndarray:
        """Chainage of each river's first in-city point: its 0 km."""
        origin = np.zeros(len(self.rivers))
        inside = [r for r in runs if r.label[0] != OUTSIDE]
        if inside:
            c0, _ = self._chainage(inside)
            river = self.net.part_river[[r.part for r in inside]]
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
        names = dict(zip(self.river_code, self.river_name_arr, strict=True))
        into = self.rivers["flows_into"].to_numpy()
        self.part_start_word = np.where(near_start, "市界（入境）",
                                        np.where(first, "源头", "断开处")).astype(object)
        end = [("汇入" + names.get(into[r], into[r])) if into[r] else "河口" for r in river]
        self.part_end_word = np.where(near_end, "市界（出境）",
                                      np.where(last, np.array(end, dtype=object), "断开处"))

    def name_of(self, codes: tuple) -> str:
        if codes not in self._names:
            self._names[codes] = "、".join(self.units.name.get(c, c) for c in codes)
        return self._names[codes]

    def _neighbour_word(self, mine: tuple, other: Run, at: float, part: int,
                        same_block: bool, entering: bool) -> str:
        if not same_block:
            return next((name for (p, s), name in self.cuts.items()
                         if p == part and abs(s - at) < 1e-9), "分段点")
        if other.label[0] == OUTSIDE:
            return "市界（入境）" if entering else "市界（出境）"
        if other.label[0] == GAP:
            return "无归属区域"
        across = tuple(c for c in other.label if c not in mine) or other.label
        return self.name_of(across) + "界"

    # -- frames ------------------------------------------------------------------------

    def reaches(self, runs: list[Run], level: str) -> gpd.GeoDataFrame:
        """One row per run and responsible unit (two for a shared run)."""
        net = self.net
        n = len(runs)
        c0, c1 = self._chainage(runs) if n else (np.zeros(0), np.zeros(0))
        rows_run, rows_code, rows_other = [], [], []
        start, end = [""] * n, [""] * n
        for i, run in enumerate(runs):
            label = run.label
            if not isinstance(label[0], str):
                continue
            prev = runs[i - 1] if i > 0 and runs[i - 1].part == run.part else None
            nxt = runs[i + 1] if i + 1 < n and runs[i + 1].part == run.part else None
            start[i] = self.part_start_word[run.part] if prev is None else \
                self._neighbour_word(label, prev, run.s0, run.part, prev.block == run.block,
                                     True)
            end[i] = self.part_end_word[run.part] if nxt is None else \
                self._neighbour_word(label, nxt, run.s1, run.part, nxt.block == run.block,
                                     False)
            if len(label) == 1:
                rows_run.append(i)
                rows_code.append(label[0])
                rows_other.append("")
            else:
                rows_run += [i, i]
                rows_code += [label[0], label[1]]
                rows_other += [label[1], label[0]]
        idx = np.asarray(rows_run, dtype=int)
        part = np.fromiter((runs[i].part for i in idx), int, len(idx))
        river = net.part_river[part] if len(idx) else np.zeros(0, dtype=int)
        code = np.asarray(rows_code, dtype=object)
        other = np.asarray(rows_other, dtype=object)
        name = self.units.name
        synthetic = self.units.synthetic
        frame = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name_arr[river],
            "main": self.river_main[river], "level": level, "admin_code": code,
            "admin_name": [name.get(c, c) for c in code],
            "length_m": c1[idx] - c0[idx],
            "from_km": (c0[idx] - self.origin[river]) / 1000.0,
            "to_km": (c1[idx] - self.origin[river]) / 1000.0,
            "start_desc": np.asarray(start, dtype=object)[idx],
            "end_desc": np.asarray(end, dtype=object)[idx],
            "boundary": other != "", "shared_with": other,
            "shared_with_name": [name.get(o, o) if o else "" for o in other],
            "primary": (other == "") | (code < other),
            "synthetic": self.river_synthetic[river] | np.array(
                [synthetic.get(c, False) or synthetic.get(o, False) for c, o in
                 zip(code, other, strict=True)], dtype=bool),
            "_run": idx, "_parent_admin": self._parents(code, level)})
        group = frame.groupby(["river_code", "admin_code"], sort=False)
        number = group.cumcount() + 1
        count = group["admin_code"].transform("size")
        frame["reach_code"] = (frame["river_code"] + "-" + frame["admin_code"] + "-"
                               + number.map("{:02d}".format))
        frame["reach_name"] = (frame["river_name"] + frame["admin_name"] + "段"
                               + np.where(count > 1, "（" + number.astype(str) + "）", ""))
        frame["parent_reach_code"] = ""
        lines = net.lines(np.fromiter((runs[i].s0 for i in idx), float, len(idx)),
                          np.fromiter((runs[i].s1 for i in idx), float, len(idx)), part)
        geo = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=self.work_crs),
                               crs=self.work_crs)
        return geo.to_crs(STORE_CRS)

    def _parents(self, codes: np.ndarray, level: str) -> list[str]:
        up = _PARENT_LEVEL[level]
        if not up:
            return [""] * len(codes)
        cache: dict[str, str] = {}
        out = []
        for c in codes:
            if c not in cache:
                cache[c] = self.units.ancestor(c, up)
            out.append(cache[c])
        return out

    def _stretch_frame(self, records: pd.DataFrame, s0, s1, part) -> gpd.GeoDataFrame:
        lines = self.net.lines(np.asarray(s0, float), np.asarray(s1, float),
                               np.asarray(part, int))
        return gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(lines, crs=self.work_crs),
                                crs=self.work_crs).to_crs(STORE_CRS)

    def slivers(self, slivers: list) -> gpd.GeoDataFrame:
        """The short pieces merged into a neighbour, with where they went."""
        part = np.array([s[0] for s in slivers], dtype=int)
        s0 = np.array([s[1] for s in slivers], dtype=float)
        s1 = np.array([s[2] for s in slivers], dtype=float)
        river = self.net.part_river[part] if len(part) else np.zeros(0, dtype=int)
        start = self.net.chainage(s0, part) if len(part) else np.zeros(0)

        def codes(label):
            if not isinstance(label[0], (int, np.integer)) or label[0] < 0:
                return "无归属" if label[0] in (GAP, OUTSIDE) else "、".join(label)
            return "、".join(self.units.village_codes[list(label)])

        records = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name_arr[river],
            "admin_code": [codes(s[3]) for s in slivers],
            "merged_into": [codes(s[4]) for s in slivers],
            "length_m": np.array([s[5] for s in slivers], dtype=float),
            "from_km": (start - self.origin[river]) / 1000.0})
        return self._stretch_frame(records, s0, s1, part)

    def gaps(self, runs: list[Run]) -> gpd.GeoDataFrame:
        """River stretches inside the city that fall in no village."""
        gap = [r for r in runs if r.label[0] == GAP]
        c0, c1 = self._chainage(gap) if gap else (np.zeros(0), np.zeros(0))
        part = np.array([r.part for r in gap], dtype=int)
        river = self.net.part_river[part] if gap else np.zeros(0, dtype=int)
        records = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name_arr[river],
            "length_m": c1 - c0, "from_km": (c0 - self.origin[river]) / 1000.0,
            "to_km": (c1 - self.origin[river]) / 1000.0})
        return self._stretch_frame(records, [r.s0 for r in gap], [r.s1 for r in gap], part)

    def lengths(self, runs: list[Run]) -> pd.DataFrame:
        """Per river: geodesic length inside the city, and the part of it in no village."""
        inside = [r for r in runs if r.label[0] != OUTSIDE]
        total = np.zeros(len(self.rivers))
        unassigned = np.zeros(len(self.rivers))
        if inside:
            c0, c1 = self._chainage(inside)
            river = self.net.part_river[[r.part for r in inside]]
            gap = np.array([r.label[0] == GAP for r in inside])
            np.add.at(total, river, c1 - c0)
            np.add.at(unassigned, river[gap], (c1 - c0)[gap])
        return pd.DataFrame({"river_code": self.river_code, "river_name": self.river_name_arr,
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
