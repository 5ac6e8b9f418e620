"""Segment rivers into nested county, township and village reaches, and zone lakes.

How it works (all geometry work in one projected CRS, all reported lengths geodesic):

1. Every river is a sequence of vertices; a position on it is ``s = i + t``: vertex
   ``i`` plus a fraction ``t`` of the next segment. Chainage (geodesic metres from the
   upstream end) is a monotone function of ``s``, so reach lengths are differences of
   chainage and add up exactly.
2. The river is cut where it crosses a village boundary edge (segment-segment
   intersections, found with one STRtree over the unique edges of the village coverage),
   and each piece is given the village that contains its midpoint.
3. Where the river runs along a village border within the tolerance (the river's
   ``accuracy_m``, else :data:`~hzgeo.settings.BOUNDARY_TOLERANCE_M`), over at least
   ``BOUNDARY_MIN_FACTOR`` x tolerance, the stretch is shared by the two villages (界河).
4. Pieces shorter than ``min_length`` are slivers, merged into the longer neighbour.
5. Township and county reaches are runs of village reaches with the same parent: the
   nesting holds by construction, with no second overlay that could disagree.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from hzgeo.errors import InputError, SliverWarning
from hzgeo.geodesy import GEOD, geodesic_area, segment_lengths
from hzgeo.io import Boundaries, Waters, complete_river_columns, work_crs_for
from hzgeo.settings import (
    BOUNDARY_MIN_FACTOR,
    BOUNDARY_TOLERANCE_M,
    MIN_REACH_M,
    REACH_LEVELS,
    STORE_CRS,
)

__all__ = ["Segmentation", "segment_waters"]

GAP = -1  # inside the city, but in no village
OUTSIDE = -2  # outside the city
_PARENT_LEVEL = {"village": "township", "township": "county", "county": ""}

REACH_COLUMNS = ["reach_code", "reach_name", "river_code", "river_name", "main", "level",
                 "admin_code", "admin_name", "parent_reach_code", "length_m", "from_km",
                 "to_km", "start_desc", "end_desc", "boundary", "shared_with",
                 "shared_with_name", "primary", "synthetic", "geometry"]
ZONE_COLUMNS = ["zone_code", "water_code", "water_name", "kind", "scale", "level",
                "admin_code", "admin_name", "parent_zone_code", "area_m2", "synthetic",
                "geometry"]


@dataclass
class Segmentation:
    """The result of :func:`segment_waters`; every frame in EPSG:4490.

    Attributes
    ----------
    reaches : dict of level -> GeoDataFrame
        One row per continuous reach and unit. A shared boundary reach (界河) has a row per
        side, ``boundary`` True, with the same chainage; ``primary`` is True on exactly one
        of them, so ``reaches[reaches["primary"]]["length_m"].sum()`` counts every metre once.
    zones : dict of level -> GeoDataFrame
        One row per (lake or reservoir, unit).
    slivers : GeoDataFrame
        Short pieces merged into a neighbouring reach, for review.
    gaps : GeoDataFrame
        River stretches inside the city that fall in no village (a coverage gap).
    overrides : DataFrame
        The overrides given, with what each did.
    river_lengths : DataFrame
        Per river: ``length_m`` inside the city (geodesic), counted once.
    """

    reaches: dict[str, gpd.GeoDataFrame]
    zones: dict[str, gpd.GeoDataFrame]
    slivers: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    overrides: pd.DataFrame
    river_lengths: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def layers(self) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
        """Output layers by name, as ``hzgeo segment`` writes them."""
        out: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
        for level in REACH_LEVELS:
            out[f"reaches_{level}"] = self.reaches[level]
        for level in REACH_LEVELS:
            out[f"zones_{level}"] = self.zones[level]
        out["slivers"] = self.slivers
        out["gaps"] = self.gaps
        out["overrides"] = self.overrides
        out["river_lengths"] = self.river_lengths
        return out

    def to_file(self, path) -> None:
        """Write every layer to one GeoPackage, atomically."""
        from hzgeo.output import write_layers

        write_layers(self.layers(), path)


# --------------------------------------------------------------------------- geometry


class _Network:
    """All river parts as one vertex array, with positions ``s`` in vertex-index space."""

    def __init__(self, rivers: gpd.GeoDataFrame, to_lonlat: Transformer):
        coords, part_river, part_start, part_end = [], [], [], []
        n = 0
        for r, geom in enumerate(rivers.geometry.values):
            for part in shapely.get_parts(geom):
                xy = shapely.get_coordinates(part)
                keep = np.ones(len(xy), dtype=bool)
                keep[1:] = np.any(np.diff(xy, axis=0) != 0, axis=1)  # drop repeated points
                xy = xy[keep]
                if len(xy) < 2:
                    continue
                coords.append(xy)
                part_river.append(r)
                part_start.append(n)
                n += len(xy)
                part_end.append(n - 1)
        self.xy = np.concatenate(coords) if coords else np.zeros((0, 2))
        self.part_river = np.asarray(part_river, dtype=int)
        self.part_start = np.asarray(part_start, dtype=int)
        self.part_end = np.asarray(part_end, dtype=int)
        self.vertex_part = np.repeat(np.arange(len(part_start)), self.part_end - self.part_start + 1)
        # segments i -> i + 1 exist where both vertices are in the same part
        seg_ok = np.zeros(max(n - 1, 0), dtype=bool)
        if n > 1:
            seg_ok = self.vertex_part[:-1] == self.vertex_part[1:]
        self.seg_index = np.flatnonzero(seg_ok)
        self.to_lonlat = to_lonlat
        self.lonlat = np.zeros((n, 2))
        planar = np.zeros(max(n - 1, 0))
        geodesic = np.zeros(max(n - 1, 0))
        if n > 1:
            planar = np.hypot(*np.diff(self.xy, axis=0).T)
            lon, lat = to_lonlat.transform(self.xy[:, 0], self.xy[:, 1])
            self.lonlat = np.column_stack([lon, lat])
            geodesic = segment_lengths(lon, lat)
            planar[~seg_ok] = 0.0
            geodesic[~seg_ok] = 0.0
        self.planar_cum = np.concatenate([[0.0], np.cumsum(planar)])
        self.geod_cum = np.concatenate([[0.0], np.cumsum(geodesic)])

    def _locate(self, s: np.ndarray, part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        i = np.floor(s).astype(int)
        i = np.minimum(i, self.part_end[part] - 1)
        return i, s - i

    def xy_at(self, s, part):
        i, f = self._locate(np.asarray(s, float), np.asarray(part, int))
        return self.xy[i] + f[:, None] * (self.xy[i + 1] - self.xy[i])

    def chainage(self, s, part):
        """Geodesic metres from the start of the river's first part.

        Exact on the ellipsoid at cut points too: the geodesic from the segment's first
        vertex to the point is added, not a fraction of the segment's length.
        """
        s, part = np.atleast_1d(np.asarray(s, float)), np.atleast_1d(np.asarray(part, int))
        i, f = self._locate(s, part)
        out = self.geod_cum[i].copy()
        inner = f > 0
        if inner.any():
            xy = self.xy[i[inner]] + f[inner, None] * (self.xy[i[inner] + 1] - self.xy[i[inner]])
            lon0, lat0 = self.lonlat[i[inner], 0], self.lonlat[i[inner], 1]
            lon1, lat1 = self.to_lonlat.transform(xy[:, 0], xy[:, 1])
            partial = np.asarray(GEOD.inv(lon0, lat0, lon1, lat1)[2], dtype=float)
            out[inner] += np.minimum(partial, self.geod_cum[i[inner] + 1] - self.geod_cum[i[inner]])
        return out

    def planar(self, s, part):
        i, f = self._locate(np.asarray(s, float), np.asarray(part, int))
        return self.planar_cum[i] + f * (self.planar_cum[i + 1] - self.planar_cum[i])

    def lines(self, s0, s1, part) -> np.ndarray:
        """LineStrings of the stretches ``s0 .. s1`` (vectorised substring)."""
        s0, s1, part = np.asarray(s0, float), np.asarray(s1, float), np.asarray(part, int)
        if len(s0) == 0:
            return np.array([], dtype=object)
        first = np.floor(s0).astype(int) + 1
        last = np.ceil(s1).astype(int) - 1
        inner = np.maximum(last - first + 1, 0)
        counts = inner + 2
        offsets = np.concatenate([[0], np.cumsum(counts)])
        out = np.empty((offsets[-1], 2))
        out[offsets[:-1]] = self.xy_at(s0, part)
        out[offsets[1:] - 1] = self.xy_at(s1, part)
        line_of = np.repeat(np.arange(len(s0)), inner)
        within = np.arange(len(line_of)) - np.repeat(np.cumsum(inner) - inner, inner)
        out[np.repeat(offsets[:-1] + 1, inner) + within] = self.xy[first[line_of] + within]
        return shapely.linestrings(out, indices=np.repeat(np.arange(len(s0)), counts))


def _coverage_edges(polygons: np.ndarray):
    """Unique edges of a polygon coverage: (N, 2, 2) coordinates, left and right unit index.

    An edge on the outer boundary has -1 as its second unit.
    """
    parts, poly_of_part = shapely.get_parts(polygons, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    unit = poly_of_part[part_of_ring[ring_of[:-1][same]]]
    # canonical orientation so that the two copies of a shared edge are equal
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    key = np.column_stack([lo, hi])
    order = np.lexsort(key.T[::-1])
    key, unit = key[order], unit[order]
    new = np.ones(len(key), dtype=bool)
    new[1:] = np.any(key[1:] != key[:-1], axis=1)
    group = np.cumsum(new) - 1
    n = int(group[-1]) + 1 if len(group) else 0
    left = np.full(n, -1)
    right = np.full(n, -1)
    first = np.flatnonzero(new)
    left[:] = unit[first]
    second = ~new
    right[group[second]] = unit[second]
    edges = key[first].reshape(-1, 2, 2)
    lo_u = np.minimum(left, np.where(right < 0, left, right))
    hi_u = np.where(right < 0, -1, np.maximum(left, right))
    return edges, lo_u, hi_u


def _segment_crossings(net: _Network, edges: np.ndarray, tree: shapely.STRtree):
    """Positions ``s`` where river segments cross coverage edges."""
    seg = net.seg_index
    if len(seg) == 0:
        return np.zeros(0), np.zeros(0, dtype=int)
    p0, p1 = net.xy[seg], net.xy[seg + 1]
    boxes = shapely.box(np.minimum(p0[:, 0], p1[:, 0]), np.minimum(p0[:, 1], p1[:, 1]),
                        np.maximum(p0[:, 0], p1[:, 0]), np.maximum(p0[:, 1], p1[:, 1]))
    ri, ei = tree.query(boxes)
    p, r = p0[ri], p1[ri] - p0[ri]
    q, sv = edges[ei, 0], edges[ei, 1] - edges[ei, 0]
    denom = r[:, 0] * sv[:, 1] - r[:, 1] * sv[:, 0]
    qp = q - p
    scale = np.hypot(*r.T) * np.hypot(*sv.T)
    ok = np.abs(denom) > 1e-12 * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * sv[:, 1] - qp[:, 1] * sv[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    eps = 1e-12
    hit = ok & (t >= -eps) & (t <= 1 + eps) & (u >= -eps) & (u <= 1 + eps)
    s = seg[ri[hit]] + np.clip(t[hit], 0.0, 1.0)
    return s, net.vertex_part[seg[ri[hit]]]


#: Boundary detection samples the river every tolerance / 2, but not closer than this,
#: and at most this many times per segment.
_MIN_SAMPLE_SPACING_M = 0.25
_MAX_SAMPLES = 2000


def _boundary_runs(net: _Network, edges, edge_lo, edge_hi, unit_keys, tol_of_part, min_factor):
    """Stretches that run along a shared border: list of (part, s0, s1, village_a, village_b).

    Borders are searched top down (``unit_keys``: one array per level mapping a village to
    its unit at that level, county first): a stretch along a county border is found among
    county-border edges only, so that village edges nearby do not break it up. Inside a
    stretch the two villages are those of the nearest border edge, so the stretch is shared
    at every level below too.
    """
    seg = net.seg_index
    shared = edge_hi >= 0
    if len(seg) == 0 or not shared.any():
        return []
    seg_part = net.vertex_part[seg]
    seg_tol = tol_of_part[seg_part]
    seg_lines = shapely.linestrings(
        np.stack([net.xy[seg], net.xy[seg + 1]], axis=1).reshape(-1, 2),
        indices=np.repeat(np.arange(len(seg)), 2))
    taken: list[tuple[int, float, float]] = []  # intervals found at a higher level
    out = []
    for keys in unit_keys:
        level_edge = shared & (keys[edge_lo] != keys[np.maximum(edge_hi, 0)])
        level_idx = np.flatnonzero(level_edge)
        if len(level_idx) == 0:
            continue
        tree = shapely.STRtree(shapely.linestrings(
            edges[level_idx].reshape(-1, 2), indices=np.repeat(np.arange(len(level_idx)), 2)))
        near, _ = tree.query(seg_lines, predicate="dwithin", distance=seg_tol)
        near = np.unique(near)
        if len(near) == 0:
            continue
        length = np.hypot(*(net.xy[seg[near] + 1] - net.xy[seg[near]]).T)
        spacing = np.maximum(seg_tol[near] / 2, _MIN_SAMPLE_SPACING_M)
        count = np.clip(np.ceil(length / spacing).astype(int), 1, _MAX_SAMPLES) + 1
        owner = np.repeat(near, count)
        within = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        s = seg[owner] + within / np.repeat(count - 1, count)
        part = seg_part[owner]
        points = shapely.points(net.xy_at(s, part))
        pi, ei, dist = _nearest(tree, points, float(seg_tol[near].max()))
        good = dist <= seg_tol[owner[pi]]
        pi, ei = pi[good], level_idx[ei[good]]
        s, part = s[pi], part[pi]
        va, vb = edge_lo[ei], edge_hi[ei]
        ka, kb = keys[va], keys[vb]
        flip = ka > kb
        va, vb = np.where(flip, vb, va), np.where(flip, va, vb)
        key = np.minimum(ka, kb).astype(np.int64) * (int(keys.max()) + 1) + np.maximum(ka, kb)
        order = np.lexsort((s, part))
        s, part, key, va, vb = s[order], part[order], key[order], va[order], vb[order]
        if taken:  # drop samples inside stretches found at a higher level
            inside = np.zeros(len(s), dtype=bool)
            for p, a0, a1 in taken:
                inside |= (part == p) & (s >= a0) & (s <= a1)
            s, part, key, va, vb = s[~inside], part[~inside], key[~inside], va[~inside], vb[~inside]
        if len(s) == 0:
            continue
        planar = net.planar(s, part)
        new = np.ones(len(s), dtype=bool)
        new[1:] = (part[1:] != part[:-1]) | (key[1:] != key[:-1]) | (
            planar[1:] - planar[:-1] > tol_of_part[part[1:]])
        run_id = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:], len(s)) - 1
        span = planar[ends] - planar[starts]
        accept = span >= min_factor * tol_of_part[part[starts]]
        for r in np.flatnonzero(accept):
            i0, i1 = starts[r], ends[r]
            p = int(part[i0])
            taken.append((p, s[i0], s[i1]))
            # sub-stretches by village pair
            pair = va[i0:i1 + 1].astype(np.int64) * (len(keys) + 1) + vb[i0:i1 + 1]
            change = np.flatnonzero(np.diff(pair) != 0) + 1
            bounds = np.concatenate([[i0], i0 + change, [i1]])
            for k in range(len(bounds) - 1):
                j0, j1 = bounds[k], bounds[k + 1]
                if s[j1] > s[j0]:
                    out.append((p, float(s[j0]), float(s[j1]), int(va[j0]), int(vb[j0])))
        del run_id
    out.sort(key=lambda r: (r[0], r[1]))
    cleaned = []
    for run in out:
        if cleaned and cleaned[-1][0] == run[0] and run[1] < cleaned[-1][2]:
            if run[2] <= cleaned[-1][2]:
                continue
            run = (run[0], cleaned[-1][2], *run[2:])
        cleaned.append(run)
    return cleaned


def _nearest(tree: shapely.STRtree, points: np.ndarray, max_distance: float):
    """For each point, its nearest tree geometry within ``max_distance`` (one per point)."""
    pi, ti = tree.query_nearest(points, max_distance=max_distance, all_matches=False)
    dist = shapely.distance(points[pi], tree.geometries[ti])
    return pi, ti, dist


# --------------------------------------------------------------------------- labels


@dataclass
class _Run:
    part: int
    s0: float
    s1: float
    label: tuple  # (unit,) or (unit_a, unit_b) sorted; unit GAP / OUTSIDE below 0
    block: int = 0  # cut-override block: runs in different blocks never merge

    def key(self):
        return (self.label, self.block)


def _coalesce(runs: list[_Run]) -> list[_Run]:
    out: list[_Run] = []
    for run in runs:
        if out and out[-1].part == run.part and out[-1].key() == run.key() and \
                abs(out[-1].s1 - run.s0) < 1e-12:
            out[-1] = _Run(run.part, out[-1].s0, run.s1, run.label, run.block)
        else:
            out.append(_Run(run.part, run.s0, run.s1, run.label, run.block))
    return out


def _merge_slivers(runs, net, min_length):
    """Merge in-city runs shorter than ``min_length`` into their longer in-city neighbour."""
    slivers = []
    runs = list(runs)
    while True:
        length = np.array([net.chainage([r.s1], [r.part])[0] - net.chainage([r.s0], [r.part])[0]
                           for r in runs]) if runs else np.zeros(0)
        candidates = [i for i, r in enumerate(runs)
                      if r.label[0] != OUTSIDE and length[i] < min_length]
        best = None
        for i in sorted(candidates, key=lambda i: length[i]):
            nbrs = [j for j in (i - 1, i + 1) if 0 <= j < len(runs)
                    and runs[j].part == runs[i].part and runs[j].label[0] != OUTSIDE
                    and runs[j].block == runs[i].block]
            if nbrs:
                best = (i, max(nbrs, key=lambda j: length[j]))
                break
        if best is None:
            return runs, slivers
        i, j = best
        slivers.append((runs[i].part, runs[i].s0, runs[i].s1, runs[i].label, runs[j].label,
                        length[i]))
        runs[i] = _Run(runs[i].part, runs[i].s0, runs[i].s1, runs[j].label, runs[j].block)
        runs = _coalesce(runs)


# --------------------------------------------------------------------------- main entry


def _tolerance_per_river(rivers: gpd.GeoDataFrame, boundary_tolerance) -> np.ndarray:
    if boundary_tolerance is not None:
        return np.full(len(rivers), float(boundary_tolerance))
    acc = pd.to_numeric(rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                        errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(acc) & (acc > 0), acc, BOUNDARY_TOLERANCE_M)


def _orient(rivers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Turn rivers that are digitised against their ``flows_into`` river."""
    rivers = rivers.copy()
    by_code = dict(zip(rivers["river_code"], rivers.geometry.values, strict=True))
    geoms = rivers.geometry.values.copy()
    for i, (geom, into) in enumerate(zip(geoms, rivers["flows_into"], strict=True)):
        if not into or into not in by_code:
            continue
        parts = shapely.get_parts(geom)
        start = shapely.get_point(parts[0], 0)
        end = shapely.get_point(parts[-1], -1)
        target = by_code[into]
        if shapely.distance(start, target) < shapely.distance(end, target):
            geoms[i] = shapely.reverse(geom) if len(parts) == 1 else \
                shapely.multilinestrings([shapely.reverse(p) for p in parts[::-1]])
    rivers.geometry = geoms
    return rivers


def segment_waters(boundaries: Boundaries, waters: Waters, *, min_length: float = MIN_REACH_M,
                   boundary_tolerance: float | None = None,
                   overrides: pd.DataFrame | None = None,
                   work_crs=None) -> Segmentation:
    """Derive the nested reaches of every river and the zones of every lake.

    Parameters
    ----------
    boundaries : Boundaries
        Village level required; township, county and city used where present (derived
        from the village codes otherwise).
    waters : Waters
        Rivers with ``river_code``, ``name``; optional ``flows_into``, ``accuracy_m``.
    min_length : float, default 30
        Reaches shorter than this (geodesic metres) are slivers, merged into the longer
        neighbouring reach of the same river and listed in ``slivers``.
    boundary_tolerance : float, optional
        Metres within which a river counts as running along a border. Default: each
        river's ``accuracy_m``, else 20 m.
    overrides : DataFrame, optional
        Rows with ``river_code``, ``action`` (``assign`` or ``cut``) and, for ``assign``,
        ``admin_code`` (the side that takes the shared stretch; any level) with optional
        ``from_km``/``to_km``; for ``cut``, ``at_km`` and ``name`` (the point's name).
    work_crs : optional
        Projected CRS for the geometry work; default chosen from the data.

    Returns
    -------
    Segmentation

    Examples
    --------
    >>> import geopandas, shapely
    >>> from hzgeo.io import Boundaries, Waters
    >>> villages = geopandas.GeoDataFrame(
    ...     {"code": ["450802001001", "450802001002"], "name": ["甲村", "乙村"],
    ...      "parent_code": ["450802001"] * 2},
    ...     geometry=[shapely.box(400000, 2560000, 401000, 2561000),
    ...               shapely.box(401000, 2560000, 402000, 2561000)], crs="EPSG:4546")
    >>> rivers = geopandas.GeoDataFrame({"river_code": ["R1"], "name": ["示例河"]},
    ...     geometry=[shapely.LineString([(400000, 2560500), (402000, 2560500)])],
    ...     crs="EPSG:4546")
    >>> seg = segment_waters(Boundaries({"village": villages}), Waters(rivers, rivers.iloc[:0]))
    >>> seg.reaches["village"][["reach_name", "from_km", "to_km", "end_desc"]].round(4)
      reach_name  from_km   to_km end_desc
    0    示例河甲村段   0.0000  0.9999      乙村界
    1    示例河乙村段   0.9999  1.9998   市界（出境）
    """
    boundaries = _complete_levels(boundaries)
    rivers = complete_river_columns(waters.rivers.reset_index(drop=True))
    if work_crs is None:
        work_crs = work_crs_for(boundaries["village"])
    work_crs = CRS(work_crs)
    if not work_crs.is_projected:
        raise InputError(f"work_crs must be projected, got {work_crs.name}",
                         hint="use e.g. EPSG:4546 (CGCS2000 / 3-degree GK CM 111E)")
    villages = boundaries["village"].to_crs(work_crs).reset_index(drop=True)
    rivers = _orient(rivers.to_crs(work_crs)) if len(rivers) else rivers.to_crs(work_crs)
    to_lonlat = Transformer.from_crs(work_crs, STORE_CRS, always_xy=True)

    units = _UnitTable(boundaries)
    village_codes = villages["code"].to_numpy()
    net = _Network(rivers, to_lonlat)
    tol_river = _tolerance_per_river(rivers, boundary_tolerance)
    tol_part = tol_river[net.part_river] if len(net.part_river) else np.zeros(0)

    edges, edge_lo, edge_hi = _coverage_edges(villages.geometry.values)
    edge_lines = shapely.linestrings(edges.reshape(-1, 2),
                                     indices=np.repeat(np.arange(len(edges)), 2))
    tree = shapely.STRtree(edge_lines)
    cut_s, cut_part = _segment_crossings(net, edges, tree)

    # city outline: pieces outside it are not counted
    if "city" in boundaries:
        city = shapely.union_all(boundaries["city"].to_crs(work_crs).geometry.values)
    else:
        city = shapely.coverage_union_all(villages.geometry.values)
    shapely.prepare(city)
    city_border = city.boundary

    # pieces between consecutive cuts, labelled by the village of their midpoint
    runs: list[_Run] = []
    n_parts = len(net.part_start)
    bounds_s = np.concatenate([net.part_start, net.part_end, cut_s]).astype(float)
    bounds_p = np.concatenate([np.arange(n_parts), np.arange(n_parts), cut_part])
    order = np.lexsort((bounds_s, bounds_p))
    bounds_s, bounds_p = bounds_s[order], bounds_p[order]
    keep = np.ones(len(bounds_s), dtype=bool)
    keep[1:] = ~((bounds_p[1:] == bounds_p[:-1]) & (np.abs(bounds_s[1:] - bounds_s[:-1]) < 1e-12))
    bounds_s, bounds_p = bounds_s[keep], bounds_p[keep]
    same = bounds_p[:-1] == bounds_p[1:]
    piece_s0, piece_s1, piece_p = bounds_s[:-1][same], bounds_s[1:][same], bounds_p[:-1][same]
    mids = shapely.points(net.xy_at((piece_s0 + piece_s1) / 2, piece_p))
    pi, vi = villages.sindex.query(mids, predicate="intersects")
    piece_unit = np.full(len(mids), GAP)
    if len(pi):
        order = np.lexsort((vi, pi))
        pi, vi = pi[order], vi[order]
        first = np.ones(len(pi), dtype=bool)
        first[1:] = pi[1:] != pi[:-1]
        piece_unit[pi[first]] = vi[first]
    unassigned = piece_unit == GAP
    if unassigned.any():
        inside = shapely.contains(city, mids[unassigned]) | shapely.intersects(
            city_border, mids[unassigned])
        piece_unit[np.flatnonzero(unassigned)[~inside]] = OUTSIDE

    # shared boundary stretches override the pieces they cover
    unit_keys = [units.level_keys(level) for level in ("county", "township", "village")]
    shared = _boundary_runs(net, edges, edge_lo, edge_hi, unit_keys, tol_part,
                            BOUNDARY_MIN_FACTOR)
    shared_by_part: dict[int, list] = {}
    for p, s0, s1, a, b in shared:
        shared_by_part.setdefault(p, []).append((s0, s1, a, b))
    for p in range(n_parts):
        sel = piece_p == p
        ps0, ps1, pu = piece_s0[sel], piece_s1[sel], piece_unit[sel]
        stretches = shared_by_part.get(p, [])
        if not stretches:
            runs.extend(_Run(p, a, b, (int(u),)) for a, b, u in zip(ps0, ps1, pu, strict=True))
            continue
        cuts = np.unique(np.concatenate([ps0, ps1, [x for st in stretches for x in st[:2]]]))
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            m = (a + b) / 2
            label = None
            for s0, s1, ua, ub in stretches:
                if s0 <= m <= s1:
                    label = (int(ua), int(ub))
                    break
            if label is None:
                k = np.searchsorted(ps1, m)
                label = (int(pu[min(k, len(pu) - 1)]),)
            runs.append(_Run(p, a, b, label))
    runs = _coalesce(runs)

    # overrides: a shared stretch given to one side, cuts at named points
    cuts: dict[tuple[int, float], str] = {}
    overrides_log = _apply_overrides(overrides, runs, net, rivers, units, village_codes, cuts)
    runs = _coalesce(runs)
    runs, sliver_list = _merge_slivers(runs, net, min_length)
    if sliver_list:
        warnings.warn(f"{len(sliver_list)} sliver reach(es) shorter than {min_length} m were "
                      "merged into their neighbours; see the 'slivers' layer.",
                      SliverWarning, stacklevel=2)

    # chainage origin: the first in-city point of each river
    origin = np.full(len(rivers), np.nan)
    for run in runs:
        if run.label[0] != OUTSIDE:
            r = net.part_river[run.part]
            if np.isnan(origin[r]):
                origin[r] = net.chainage([run.s0], [run.part])[0]
    origin = np.nan_to_num(origin)

    ctx = _Context(net, rivers, units, village_codes, origin, city_border, tol_river, cuts)
    reaches = {}
    for level in ("village", "township", "county"):
        level_runs = runs if level == "village" else _coalesce(
            [_Run(r.part, r.s0, r.s1, units.lift(r.label, level, village_codes), r.block)
             for r in runs])
        reaches[level] = ctx.rows(level_runs, level)
    _link_parents(reaches)
    for level in REACH_LEVELS:
        reaches[level] = reaches[level][REACH_COLUMNS].reset_index(drop=True)

    slivers = ctx.sliver_frame(sliver_list)
    gaps = ctx.gap_frame(runs)
    river_lengths = ctx.length_table(runs)
    zones = _zone_lakes(waters.lakes, boundaries, villages, work_crs)
    return Segmentation(reaches, zones, slivers, gaps, overrides_log, river_lengths,
                        settings={"min_length_m": min_length,
                                  "boundary_tolerance_m": boundary_tolerance,
                                  "work_crs": work_crs.to_string()})


def _complete_levels(boundaries: Boundaries) -> Boundaries:
    if "village" not in boundaries:
        raise InputError("segmentation needs the village level",
                         hint="give a village layer (townships and counties can be derived)")
    from hzgeo.io import _dissolve_up

    levels = dict(boundaries.levels)
    for child, level in (("village", "township"), ("township", "county")):
        if level not in levels:
            levels[level] = _dissolve_up(levels[child], level)
    for level in ("village", "township", "county"):
        frame = levels[level]
        if "synthetic" not in frame.columns:
            frame = frame.assign(synthetic=False)
        levels[level] = frame
    return Boundaries(levels, dict(boundaries.origin))


class _UnitTable:
    """Codes, names and parents of every unit, and the village -> level lookups."""

    def __init__(self, boundaries: Boundaries):
        self.name: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        self.synthetic: dict[str, bool] = {}
        self.level_of: dict[str, str] = {}
        for level in ("city", "county", "township", "village"):
            if level not in boundaries:
                continue
            frame = boundaries[level]
            self.level_of.update(dict.fromkeys(frame["code"], level))
            self.name.update(zip(frame["code"], frame["name"], strict=True))
            self.parent.update(zip(frame["code"], frame["parent_code"], strict=True))
            self.synthetic.update(zip(frame["code"], frame["synthetic"].astype(bool),
                                      strict=True))
        self._village_codes = list(boundaries["village"]["code"])
        self._up: dict[str, list[str]] = {}
        for level in ("township", "county"):
            self._up[level] = [self.ancestor(c, level) for c in self._village_codes]

    def level_keys(self, level: str) -> np.ndarray:
        """Integer id, per village, of its unit at ``level``."""
        codes = self._village_codes if level == "village" else self._up[level]
        return pd.factorize(pd.Series(codes), sort=True)[0]

    def ancestor(self, code: str, level: str) -> str:
        """The unit at ``level`` that contains unit ``code`` (itself if at that level)."""
        seen = 0
        while code and self.level_of.get(code) != level and seen < 4:
            code = self.parent.get(code, "")
            seen += 1
        return code if self.level_of.get(code) == level else ""

    def code_at(self, unit: int, level: str, village_codes) -> str:
        if unit < 0:
            return ""
        return village_codes[unit] if level == "village" else self._up[level][unit]

    def lift(self, label: tuple, level: str, village_codes) -> tuple:
        """A village label as a label at ``level`` (codes as strings, sorted pairs)."""
        if label[0] < 0:
            return label
        codes = sorted({self.code_at(u, level, village_codes) for u in label})
        return tuple(codes)


class _Context:
    """Turns runs into output rows."""

    def __init__(self, net, rivers, units, village_codes, origin, city_border, tol_river, cuts):
        self.net, self.rivers, self.units = net, rivers, units
        self.village_codes = village_codes
        self.origin = origin
        self.city_border = city_border
        self.tol = tol_river
        self.cuts = cuts
        self.work_crs = rivers.crs
        self.river_name = dict(zip(rivers["river_code"], rivers["name"], strict=True))

    def _codes(self, label, level):
        if label[0] in (GAP, OUTSIDE):
            return []
        if isinstance(label[0], str):
            return list(label)
        return [self.units.code_at(u, level, self.village_codes) for u in label]

    def _names(self, codes):
        return "、".join(self.units.name.get(c, c) for c in codes)

    def _end_words(self, runs, i, level, at_start):
        run = runs[i]
        j = i - 1 if at_start else i + 1
        r = self.net.part_river[run.part]
        neighbour = runs[j] if 0 <= j < len(runs) and runs[j].part == run.part else None
        if neighbour is not None and neighbour.block != run.block:
            s = run.s0 if at_start else run.s1
            return next((name for (part, at), name in self.cuts.items()
                         if part == run.part and abs(at - s) < 1e-9), "分段点")
        if neighbour is not None and neighbour.label[0] == OUTSIDE:
            return "市界（入境）" if at_start else "市界（出境）"
        if neighbour is not None and neighbour.label[0] == GAP:
            return "无归属区域"
        if neighbour is not None:
            mine = set(self._codes(run.label, level))
            other = [c for c in self._codes(neighbour.label, level) if c not in mine]
            return f"{self._names(other or self._codes(neighbour.label, level))}界"
        # the river's own end: a part end
        s = run.s0 if at_start else run.s1
        point = shapely.Point(self.net.xy_at([s], [run.part])[0])
        tol = max(float(self.tol[r]), 1.0)
        if point.distance(self.city_border) <= tol:
            return "市界（入境）" if at_start else "市界（出境）"
        if at_start:
            return "源头"
        into = self.rivers["flows_into"].iloc[r]
        if into:
            return f"汇入{self.river_name.get(into, into)}"
        return "河口"

    def rows(self, runs: list[_Run], level: str) -> gpd.GeoDataFrame:
        net, rivers = self.net, self.rivers
        recs = []
        counter: dict[tuple[str, str], int] = {}
        for i, run in enumerate(runs):
            if run.label[0] in (GAP, OUTSIDE):
                continue
            r = int(net.part_river[run.part])
            codes = self._codes(run.label, level)
            start = self._end_words(runs, i, level, True)
            end = self._end_words(runs, i, level, False)
            c0, c1 = net.chainage([run.s0, run.s1], [run.part, run.part])
            for code in codes:
                others = [c for c in codes if c != code]
                recs.append((run.part, run.s0, run.s1, r, code, others, c0, c1, start, end))
        river_code = rivers["river_code"].to_numpy()
        river_name = rivers["name"].to_numpy()
        main = rivers["main"].to_numpy()
        river_syn = rivers["synthetic"].to_numpy()
        data = []
        for part, s0, s1, r, code, others, c0, c1, start, end in recs:
            key = (river_code[r], code)
            counter[key] = counter.get(key, 0) + 1
            data.append({
                "river_code": river_code[r], "river_name": river_name[r], "main": bool(main[r]),
                "level": level, "admin_code": code, "admin_name": self.units.name.get(code, code),
                "n": counter[key], "length_m": c1 - c0,
                "from_km": (c0 - self.origin[r]) / 1000.0, "to_km": (c1 - self.origin[r]) / 1000.0,
                "start_desc": start, "end_desc": end, "boundary": bool(others),
                "shared_with": "、".join(others), "shared_with_name": self._names(others),
                "primary": all(code < o for o in others),
                "synthetic": bool(river_syn[r]) or self.units.synthetic.get(code, False)
                or any(self.units.synthetic.get(o, False) for o in others),
                "_part": part, "_s0": s0, "_s1": s1,
                "_parent_admin": self.units.ancestor(code, _PARENT_LEVEL[level])
                if level != "county" else ""})
        frame = pd.DataFrame(data, columns=[
            "river_code", "river_name", "main", "level", "admin_code", "admin_name", "n",
            "length_m", "from_km", "to_km", "start_desc", "end_desc", "boundary", "shared_with",
            "shared_with_name", "primary", "synthetic", "_part", "_s0", "_s1", "_parent_admin"])
        totals = frame.groupby(["river_code", "admin_code"])["n"].transform("max") \
            if len(frame) else frame["n"]
        frame["reach_code"] = [f"{rc}-{ac}-{n:02d}" for rc, ac, n in
                               zip(frame["river_code"], frame["admin_code"], frame["n"],
                                   strict=True)]
        frame["reach_name"] = [f"{rn}{an}段" + (f"（{n}）" if t > 1 else "")
                               for rn, an, n, t in zip(frame["river_name"], frame["admin_name"],
                                                       frame["n"], totals, strict=True)]
        frame["parent_reach_code"] = ""
        lines = net.lines(frame["_s0"].to_numpy(), frame["_s1"].to_numpy(),
                          frame["_part"].to_numpy(int))
        geo = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=self.work_crs),
                               crs=self.work_crs)
        return geo.to_crs(STORE_CRS)

    def sliver_frame(self, slivers) -> gpd.GeoDataFrame:
        recs = []
        for part, s0, s1, label, into, length in slivers:
            r = int(self.net.part_river[part])
            recs.append({"river_code": self.rivers["river_code"].iloc[r],
                         "river_name": self.rivers["name"].iloc[r],
                         "admin_code": "、".join(self._codes(label, "village")) or "无归属",
                         "merged_into": "、".join(self._codes(into, "village")) or "无归属",
                         "length_m": length,
                         "from_km": (self.net.chainage([s0], [part])[0] - self.origin[r]) / 1e3,
                         "_part": part, "_s0": s0, "_s1": s1})
        frame = pd.DataFrame(recs, columns=["river_code", "river_name", "admin_code",
                                            "merged_into", "length_m", "from_km", "_part", "_s0",
                                            "_s1"])
        lines = self.net.lines(frame["_s0"].to_numpy(), frame["_s1"].to_numpy(),
                               frame["_part"].to_numpy(int))
        frame = frame.drop(columns=["_part", "_s0", "_s1"])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=self.work_crs),
                                crs=self.work_crs).to_crs(STORE_CRS)

    def gap_frame(self, runs) -> gpd.GeoDataFrame:
        gap = [r for r in runs if r.label[0] == GAP]
        recs = []
        for run in gap:
            r = int(self.net.part_river[run.part])
            c0, c1 = self.net.chainage([run.s0, run.s1], [run.part, run.part])
            recs.append({"river_code": self.rivers["river_code"].iloc[r],
                         "river_name": self.rivers["name"].iloc[r], "length_m": c1 - c0,
                         "from_km": (c0 - self.origin[r]) / 1e3,
                         "to_km": (c1 - self.origin[r]) / 1e3})
        lines = self.net.lines([g.s0 for g in gap], [g.s1 for g in gap], [g.part for g in gap])
        frame = pd.DataFrame(recs, columns=["river_code", "river_name", "length_m", "from_km",
                                            "to_km"])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=self.work_crs),
                                crs=self.work_crs).to_crs(STORE_CRS)

    def length_table(self, runs) -> pd.DataFrame:
        inside = np.zeros(len(self.rivers))
        gap = np.zeros(len(self.rivers))
        for run in runs:
            if run.label[0] == OUTSIDE:
                continue
            r = int(self.net.part_river[run.part])
            c0, c1 = self.net.chainage([run.s0, run.s1], [run.part, run.part])
            inside[r] += c1 - c0
            if run.label[0] == GAP:
                gap[r] += c1 - c0
        return pd.DataFrame({"river_code": self.rivers["river_code"].to_numpy(),
                             "river_name": self.rivers["name"].to_numpy(),
                             "length_m": inside, "unassigned_m": gap})


def _link_parents(reaches: dict[str, gpd.GeoDataFrame]) -> None:
    """Fill ``parent_reach_code``: the reach one level up, same side, that contains it."""
    for child, parent in (("village", "township"), ("township", "county")):
        c, p = reaches[child], reaches[parent]
        index: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for key, grp in p.groupby(["_part", "admin_code"], sort=False):
            index[key] = (grp["_s0"].to_numpy(), grp["_s1"].to_numpy(),
                          grp["reach_code"].to_numpy())
        codes = []
        for part, s0, s1, admin in zip(c["_part"], c["_s0"], c["_s1"], c["_parent_admin"],
                                       strict=True):
            found = index.get((part, admin))
            code = ""
            if found is not None:
                m = (s0 + s1) / 2
                hit = np.flatnonzero((found[0] <= m) & (found[1] >= m))
                if len(hit):
                    code = found[2][hit[0]]
            codes.append(code)
        c["parent_reach_code"] = codes


def _apply_overrides(overrides, runs, net, rivers, units, village_codes, cuts):
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
                        (village_codes[u], units.ancestor(village_codes[u], "township"),
                         units.ancestor(village_codes[u], "county"))]
                if len(side) == 1:
                    runs[k] = _Run(run.part, run.s0, run.s1, (side[0],), run.block)
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
                    runs[k] = _Run(run.part, run.s0, hi_s, run.label, run.block)
                    runs.insert(k + 1, _Run(run.part, hi_s, run.s1, run.label, run.block))
                    cuts[(run.part, hi_s)] = str(row.name) if pd.notna(row.name) and \
                        str(row.name) else f"{at:g} km"
                    for j in range(k + 1, len(runs)):  # downstream runs: a new block
                        if net.part_river[runs[j].part] == r:
                            later = runs[j]
                            runs[j] = _Run(later.part, later.s0, later.s1, later.label,
                                           later.block + 1)
                    hit = True
                    break
            statuses.append(f"cut at {at:g} km" if hit else "at_km is not inside the river")
    table["status"] = statuses
    return table[columns]


def _zone_lakes(lakes: gpd.GeoDataFrame, boundaries: Boundaries, villages: gpd.GeoDataFrame,
                work_crs) -> dict[str, gpd.GeoDataFrame]:
    empty = {level: gpd.GeoDataFrame({c: [] for c in ZONE_COLUMNS[:-1]},
                                     geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
             for level in REACH_LEVELS}
    if lakes is None or len(lakes) == 0:
        return empty
    lakes = lakes.to_crs(work_crs).reset_index(drop=True)
    li, vi = villages.sindex.query(lakes.geometry.values, predicate="intersects")
    pieces = shapely.intersection(lakes.geometry.values[li], villages.geometry.values[vi])
    geoms, idx = shapely.get_parts(pieces, return_index=True)
    geoms, idx2 = shapely.get_parts(geoms, return_index=True)  # collections of multipolygons
    idx = idx[idx2]
    polygon = shapely.get_type_id(geoms) == 3
    geoms, idx = geoms[polygon], idx[polygon]
    base = pd.DataFrame({"lake": li[idx], "village": vi[idx]})
    base["geometry"] = geoms
    base = base[shapely.area(geoms) > 0]
    units = _UnitTable(boundaries)
    codes = villages["code"].to_numpy()
    out = {}
    for level in ("village", "township", "county"):
        base["admin"] = [units.code_at(v, level, codes) for v in base["village"]]
        grouped = base.groupby(["lake", "admin"], sort=True)["geometry"].apply(
            lambda g: shapely.union_all(np.asarray(g.to_list(), dtype=object)))
        frame = grouped.reset_index()
        lake = lakes.iloc[frame["lake"].to_numpy()].reset_index(drop=True)
        parent_level = {"village": "township", "township": "county", "county": None}[level]
        frame = pd.DataFrame({
            "zone_code": [f"{w}-{a}" for w, a in zip(lake["code"], frame["admin"], strict=True)],
            "water_code": lake["code"], "water_name": lake["name"],
            "kind": lake.get("kind", "lake"), "scale": lake.get("scale", ""), "level": level,
            "admin_code": frame["admin"].to_numpy(),
            "admin_name": [units.name.get(a, a) for a in frame["admin"]],
            "parent_zone_code": [f"{w}-{units.ancestor(a, parent_level)}" if parent_level else ""
                                 for w, a in zip(lake["code"], frame["admin"], strict=True)],
            "synthetic": [bool(s) or units.synthetic.get(a, False) for s, a in
                          zip(lake.get("synthetic", False), frame["admin"], strict=True)],
            "geometry": frame["geometry"].to_numpy()})
        geo = gpd.GeoDataFrame(frame, geometry="geometry", crs=work_crs).to_crs(STORE_CRS)
        geo.insert(9, "area_m2", geodesic_area(geo.geometry.values))
        out[level] = geo[ZONE_COLUMNS]
    return out

