"""Turn labelled runs into the reach tables: codes, names, chainage, 起止, nesting.

Vectorised over the runs of a level; output geometry is built straight in lon/lat from
the river's own lon/lat vertices, so no reach is reprojected.
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo._names import short_names
from hzgeo._network import RiverNetwork
from hzgeo._runs import GAP, NONE, OUTSIDE, Runs
from hzgeo._units import UnitTable
from hzgeo.model import REACH_COLUMNS
from hzgeo.settings import STORE_CRS

__all__ = ["REACH_COLUMNS", "ParentCodes", "ReachWriter", "river_spans"]

_PARENT_LEVEL = {"village": "township", "township": "county", "county": ""}


class ReachWriter:
    """Builds the output frames of one segmentation."""

    def __init__(self, net: RiverNetwork, rivers: gpd.GeoDataFrame, units: UnitTable,
                 city_border, tol_river: np.ndarray, cuts: dict, runs: Runs, *,
                 outline: str = "市界"):
        self.net, self.rivers, self.units = net, rivers, units
        self.entry, self.exit = f"{outline}（入境）", f"{outline}（出境）"
        self.cuts = cuts
        self.river_code = rivers["river_code"].to_numpy(dtype=object)
        self.river_name = rivers["name"].to_numpy(dtype=object)
        self.river_main = rivers["main"].to_numpy(bool)
        self.river_synthetic = rivers["synthetic"].to_numpy(bool)
        self.origin = self._origin(runs)
        self.short = short_names(units.name, units.parent, units.level_of)
        self._part_words(city_border, tol_river)

    def network_done(self) -> None:
        """Let the river network go: no reach, sliver or gap is made after this."""
        del self.net

    # -- chainage and words ------------------------------------------------------------

    def _chainage(self, runs: Runs) -> tuple[np.ndarray, np.ndarray]:
        if runs.c0 is not None and runs.c1 is not None:
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
        """起止 words at the two ends of every river part.

        A river's first point is 市界（入境） on the city border, the confluence that
        makes it where rivers flowing into it end there (黔江与郁江汇合口, 郁江汇入处),
        else its source (源头); its last point is 市界（出境）, 汇入<river>处 or 河口.
        Where a river's line is broken, the ends of the break are 断开处.
        """
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
        into = self.rivers["flows_into"].fillna("").to_numpy(dtype=object)
        mouth = np.array([("汇入" + names.get(into[r], into[r]) + "处") if into[r] else "河口"
                          for r in river], dtype=object)
        source = np.where(first, "源头", "断开处").astype(object)
        # rivers that end where another begins: that river starts at their confluence
        first_part = {int(r): int(p) for p, r in zip(np.flatnonzero(first)[::-1],
                                                     river[first][::-1], strict=True)}
        last_parts = np.flatnonzero(last)
        joining: dict[int, list[str]] = {}
        code_index = {c: i for i, c in enumerate(self.river_code)}
        for p in last_parts.tolist():
            r = int(river[p])
            target = code_index.get(into[r])
            if target is None or target not in first_part:
                continue
            q = first_part[target]
            if shapely.distance(end_pt[p], start_pt[q]) <= max(tol[p], tol[q]):
                joining.setdefault(q, []).append(self.river_name[r])
        for q, rivers in joining.items():
            source[q] = ("与".join(rivers) + "汇合口") if len(rivers) > 1 else (
                rivers[0] + "汇入处")
        self.part_start_word = np.where(near_start, self.entry, source).astype(object)
        self.part_end_word = np.where(near_end, self.exit,
                                      np.where(last, mouth, "断开处")).astype(object)

    def _words(self, runs: Runs, meeting: np.ndarray, entering: bool,
               idx: np.ndarray) -> np.ndarray:
        """起 (``entering``) or 止 of runs ``idx``: what is there, at that end.

        The words depend on the point only (never on which bank's row asks), so both rows
        of a 界河 read alike: the units that meet there, by code (X村与Y村交界处, three
        at a tripoint; ``meeting`` from :func:`_junctions`), the city border, a named cut,
        or the river's own end.
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
        na = runs.a[j]
        words[has & (na == OUTSIDE)] = self.entry if entering else self.exit
        words[has & (na == GAP)] = "无归属区域"
        cut = has & (na >= 0) & (runs.block[j] != runs.block[idx])
        for i in np.flatnonzero(cut).tolist():
            at = runs.s0[idx[i]] if entering else runs.s1[idx[i]]
            words[i] = next((name for (p, s), name in self.cuts.items()
                             if p == runs.part[idx[i]] and abs(s - at) < 1e-9), "分段点")
        live = np.flatnonzero(has & (na >= 0) & ~cut)
        words[live] = meeting[np.maximum(idx[live], j[live])]  # the later run's entry
        return words

    # -- frames ------------------------------------------------------------------------

    def reaches(self, runs: Runs, level: str, codes: np.ndarray,
                piece_runs: int | None = None, *,
                network_done: bool = False) -> Iterator[gpd.GeoDataFrame]:
        """One row per run and responsible unit (two for a shared run), in flow order: the
        level's table in pieces of whole rivers of about ``piece_runs`` runs each (one
        piece without), each made when asked for. Every row depends on its own river's
        runs only, so the pieces, one after the other, are the table made whole.

        ``runs`` are labelled with unit ids at ``level``; ``codes[id]`` is the unit's code.
        ``_run`` is the row's index in ``runs``. ``network_done``: the last piece is
        handed over without the network (:meth:`network_done` once it is made).
        """
        labels = _Labels(self.units, self.short, level, codes)
        spans = river_spans(self.net.part_river[runs.part], piece_runs)
        for k, (start, stop) in enumerate(spans, 1):
            piece = self._piece(runs.take(slice(start, stop)), start, labels)
            if network_done and k == len(spans):
                self.network_done()
            yield piece
            del piece

    def _piece(self, runs: Runs, first: int, labels: _Labels) -> gpd.GeoDataFrame:
        """The rows of ``runs`` (whole rivers: the level's runs from ``first`` on)."""
        names, codes = labels.names, labels.codes
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
        meeting = _junctions(runs, names)
        start = self._words(runs, meeting, True, idx)
        end = self._words(runs, meeting, False, idx)
        start, end = _apart(start, end, c0[idx] - self.origin[river], c1[idx] - self.origin[river])
        frame = pd.DataFrame({
            "river_code": self.river_code[river], "river_name": self.river_name[river],
            "main": self.river_main[river], "level": labels.level, "admin_code": code,
            "admin_name": names[unit], "admin_full_name": labels.full_names[unit],
            "length_m": c1[idx] - c0[idx],
            "from_km": (c0[idx] - self.origin[river]) / 1000.0,
            "to_km": (c1[idx] - self.origin[river]) / 1000.0,
            "start_desc": start, "end_desc": end, "boundary": has_other,
            "shared_with": np.where(has_other, codes[other_safe], ""),
            "shared_with_name": np.where(has_other, names[other_safe], ""),
            "primary": ~has_other | (unit < other_safe),
            "synthetic": self.river_synthetic[river] | labels.synthetic[unit]
            | (has_other & labels.synthetic[other_safe]),
            "_run": idx + first})
        # numbered within each river and unit in flow order (by their ids, which name the
        # codes one to one: hashing integers, not text)
        group = frame.groupby([river, unit], sort=False)
        number = (group.cumcount() + 1).tolist()
        count = group["admin_code"].transform("size").tolist()
        rivers, admins = frame["river_code"].tolist(), frame["admin_code"].tolist()
        frame["reach_code"] = [f"{r}-{a}-{n:02d}" for r, a, n in zip(rivers, admins, number,
                                                                      strict=True)]
        frame["reach_name"] = [f"{r}{a}段（{n}）" if c > 1 else f"{r}{a}段" for r, a, n, c in zip(
            frame["river_name"].tolist(), frame["admin_name"].tolist(), number, count,
            strict=True)]
        frame["parent_reach_code"] = ""
        if labels.parents is not None:
            frame["_parent_admin"] = labels.parents[unit]
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


def _junctions(runs: Runs, names: np.ndarray) -> np.ndarray:
    """The words where each run begins after the one before it (entry ``k``: runs ``k - 1``
    and ``k``) if both are in units, on one part and in one block (:func:`_meeting`); None
    elsewhere. One per point: the run that ends there and the run that begins read them."""
    words = np.full(len(runs), None, dtype=object)
    k = np.flatnonzero((runs.part[1:] == runs.part[:-1]) & (runs.a[1:] >= 0)
                       & (runs.a[:-1] >= 0) & (runs.block[1:] == runs.block[:-1])) + 1
    words[k] = _meeting(names, np.column_stack([runs.a[k], runs.b[k], runs.a[k - 1],
                                                runs.b[k - 1]]))
    return words


def _meeting(names: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Words for the point where the units of each row meet: 甲村与乙村交界处, three or
    more as 甲村、乙村与丙村交界处, in code order (unit ids follow the codes), so the
    words do not depend on which side asks. ``NONE`` entries are ignored.

    >>> _meeting(np.array(["甲村", "乙村", "丙村"], dtype=object),
    ...          np.array([[1, NONE, 0, NONE], [2, 0, 1, 0], [1, NONE, 1, NONE]])).tolist()
    ['甲村与乙村交界处', '甲村、乙村与丙村交界处', '分段点']
    """
    u = np.sort(units, axis=1)
    u[:, 1:][u[:, 1:] == u[:, :-1]] = NONE  # each unit once
    u = np.sort(u, axis=1)  # NONE (negative) first, units in code order after it
    count = (u != NONE).sum(axis=1)
    out = np.full(len(u), "分段点", dtype=object)
    width = u.shape[1]
    for k in range(2, width + 1):  # rows of k units: their names are the last k columns
        rows = np.flatnonzero(count == k)
        if len(rows):
            label = [names[u[rows, c]].tolist() for c in range(width - k, width)]
            out[rows] = ["、".join(head) + "与" + last + "交界处"
                         for *head, last in zip(*label, strict=True)]
    return out


def _apart(start: np.ndarray, end: np.ndarray, km0: np.ndarray,
           km1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where a reach would start and end at the same words (a 界河 stretch between two
    ordinary reaches of one unit: 港南区与覃塘区交界处 at both ends), add the chainage
    (桩号, from the river's first point in the city) to both.

    >>> _apart(np.array(["甲与乙交界处", "源头"], dtype=object),
    ...        np.array(["甲与乙交界处", "甲与乙交界处"], dtype=object),
    ...        np.array([2465.9, 0.0]), np.array([41234.2, 800.0]))[0].tolist()
    ['甲与乙交界处（K2+466）', '源头']
    """
    same = start == end
    if not same.any():
        return start, end
    start, end = start.copy(), end.copy()
    for i in np.flatnonzero(same).tolist():
        start[i] = f"{start[i]}（{_stake(km0[i])}）"
        end[i] = f"{end[i]}（{_stake(km1[i])}）"
    return start, end


def _stake(metres: float) -> str:
    """Chainage as a stake number: 2465.9 m -> K2+466."""
    m = round(float(metres))
    return f"K{m // 1000}+{m % 1000:03d}"


class ParentCodes:
    """A level's reach codes, found by its run and unit code for the level below.

    ``run``, ``admin``, ``code``: the level's rows in their order (a run's rows are
    consecutive, one per side: at most two); ``runs``: how many runs the level has.
    """

    def __init__(self, run: np.ndarray, admin: np.ndarray, code: np.ndarray, runs: int):
        self.admin, self.code = admin, code
        self.run = run
        self.first = np.full(runs, -1)  # each run's first row (-1: none)
        self.first[run[::-1]] = np.arange(len(run))[::-1]

    def of(self, run: np.ndarray, admin: np.ndarray) -> np.ndarray:
        """The code of the reach of run ``run[i]`` held by ``admin[i]``; "" where none."""
        found = np.full(len(run), "", dtype=object)
        first = self.first[run]
        for step in (0, 1):  # the run's first row, or its second
            row = first + step
            ok = (first >= 0) & (row < len(self.run))
            ok[ok] = (self.run[row[ok]] == run[ok]) & (self.admin[row[ok]] == admin[ok])
            found[ok] = self.code[row[ok]]
        return found


class _Labels:
    """What the rows of one level take from its units, looked up once for all pieces:
    short and full names, synthetic flags, parent codes, by unit id."""

    def __init__(self, units: UnitTable, short: dict, level: str, codes: np.ndarray):
        self.level, self.codes = level, codes
        self.names = np.array([short.get(c, c) for c in codes], dtype=object)
        self.full_names = units.names_of(codes)
        self.synthetic = units.synthetic_of(codes)
        up = _PARENT_LEVEL[level]
        self.parents = units.parents(level, up) if up else None


def river_spans(river: np.ndarray, size: int | None) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive runs, whole rivers each, of about ``size`` runs
    (the last maybe fewer; without ``size``, one span of them all).

    >>> river_spans(np.array([0, 0, 1, 2, 2, 2, 3]), 2)
    [(0, 2), (2, 6), (6, 7)]
    >>> river_spans(np.array([0, 0, 1]), None), river_spans(np.array([], dtype=int), 2)
    ([(0, 3)], [(0, 0)])
    """
    n = len(river)
    if size is None or n <= size:
        return [(0, n)]
    begins = np.flatnonzero(river[1:] != river[:-1]) + 1  # where a river begins
    # the first river that begins at or after every size-th run
    at = np.searchsorted(begins, np.arange(size, n, size))
    cuts = np.unique(begins[at[at < len(begins)]]).tolist()
    return list(zip([0, *cuts], [*cuts, n], strict=True))
