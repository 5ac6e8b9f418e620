"""Find and refuse data that loads but that segmentation cannot work with.

:func:`find_defects` lists every defect of the boundaries and waters as a table (one row
per defect: layer, code, kind, detail, and a geometry showing where), for ``hzgeo check``.
:func:`validate_boundaries` and :func:`validate_waters` are the gate of every command
that computes reaches: they raise one :class:`~hzgeo.errors.DataQualityError` naming
every defect, by level and code, or return ``None``.

Kinds of defect (stable identifiers; :mod:`hzgeo.audit` documents them all):
``invalid_geometry`` (with GEOS's reason and location), ``overlap`` (two units of a level
share area), ``near_miss_edge`` (neighbours do not share their common edge vertex for
vertex), ``gap`` (part of a parent covered by none of its children), ``outside_parent``
(part of a unit outside its parent), ``code_mismatch`` (``parent_code`` names no unit of
the level above), and for waters ``zero_length_river``, ``unknown_flows_into``,
``mouth_off_river`` (its nearer end farther from the river it flows into than its
``accuracy_m``, else 20 m; segmentation only warns of it), ``invalid_geometry`` (lakes).
Areas are measured in the projected work CRS; gaps and overlaps under
:data:`~hzgeo.settings.COVERAGE_AREA_TOLERANCE_M2` are numerical noise and not reported.
"""

from __future__ import annotations

import itertools
import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo._checks import _FIX_HINT, check_boundaries, check_waters, origin_files
from hzgeo.errors import DataQualityError, HzgeoWarning, InputError
from hzgeo.io import Boundaries, Waters, work_crs_for
from hzgeo.settings import (
    BOUNDARY_TOLERANCE_M,
    COVERAGE_AREA_TOLERANCE_M2,
    LEVELS,
    STORE_CRS,
)

__all__ = [
    "DEFECT_COLUMNS",
    "boundary_defects",
    "find_defects",
    "polygonal",
    "records_frame",
    "validate_boundaries",
    "validate_defects",
    "validate_waters",
    "water_defects",
]

DEFECT_COLUMNS = ["layer", "code", "name", "kind", "detail", "area_m2", "length_m",
                  "geometry"]



def _listing(codes) -> str:
    codes = [str(c) for c in codes]
    return ", ".join(codes[:10]) + (f" and {len(codes) - 10} more" if len(codes) > 10 else "")


def _rows(layer, frame, index, kind, detail, geometry, area=np.nan, length=np.nan
          ) -> pd.DataFrame:
    index = np.asarray(index, dtype=int)
    return pd.DataFrame({
        "layer": layer, "code": frame["code"].to_numpy()[index] if len(index) else [],
        "name": frame["name"].to_numpy()[index] if len(index) else [],
        "kind": kind, "detail": detail, "area_m2": area, "length_m": length,
        "geometry": np.asarray(geometry, dtype=object)})


_WHERE = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")


def _invalid(layer: str, frame: gpd.GeoDataFrame) -> list[pd.DataFrame]:
    geoms = frame.geometry.values
    bad = np.flatnonzero(~shapely.is_valid(geoms))
    if not len(bad):
        return []
    reasons = shapely.is_valid_reason(geoms[bad])
    where = []
    for geom, reason in zip(geoms[bad], reasons, strict=True):
        found = _WHERE.search(reason or "")
        where.append(shapely.Point(float(found[1]), float(found[2])) if found
                     else shapely.point_on_surface(geom) if geom is not None else None)
    return [_rows(layer, frame, bad, "invalid_geometry", reasons, where)]


def _coverage(layer: str, frame: gpd.GeoDataFrame) -> tuple[list[pd.DataFrame], np.ndarray]:
    """Overlaps and unmatched edges within one level (frame in the work CRS); and the rows
    with an invalid coverage edge (overlapping or not matching a neighbour)."""
    geoms = frame.geometry.values
    if len(geoms) < 2 or shapely.coverage_is_valid(geoms):
        return [], np.zeros(0, dtype=int)
    edges = shapely.coverage_invalid_edges(geoms)
    suspects = np.flatnonzero(~shapely.is_empty(edges))
    out = []
    left, right = frame.sindex.query(geoms[suspects], predicate="intersects")
    left = suspects[left]
    keep = left < right
    left, right = left[keep], right[keep]
    common = shapely.intersection(geoms[left], geoms[right])
    area = shapely.area(common)
    big = area > COVERAGE_AREA_TOLERANCE_M2
    if big.any():
        codes = frame["code"].to_numpy()
        out.append(_rows(layer, frame, left[big], "overlap",
                         [f"overlaps {codes[j]}" for j in right[big]],
                         common[big], area[big]))
    overlapping = set(left[big].tolist()) | set(right[big].tolist())
    edge_only = [i for i in suspects.tolist() if i not in overlapping]
    if edge_only:
        out.append(_rows(layer, frame, edge_only, "near_miss_edge",
                         "shares an edge with a neighbour, but not vertex for vertex",
                         edges[edge_only], length=shapely.length(edges[edge_only])))
    return out, suspects


def _nesting(parent_level: str, parent: gpd.GeoDataFrame, level: str,
             frame: gpd.GeoDataFrame, flagged: np.ndarray | None = None) -> list[pd.DataFrame]:
    """Children that name no parent; gaps in each parent; children outside their parent.

    ``flagged``: rows of ``frame`` with an invalid coverage edge (see :func:`_coverage`).
    A parent whose children all lie inside it and have valid edges has a gap exactly when
    their areas fall short of its own; only the other parents are unioned and differenced.
    """
    codes = parent["code"].to_numpy()
    where = pd.Index(codes).get_indexer(frame["parent_code"].to_numpy())
    out = _orphans(parent_level, parent, level, frame)
    geoms = frame.geometry.values
    parents = parent.geometry.values.copy()
    shapely.prepare(parents)
    nested = np.flatnonzero(where >= 0)
    inside = shapely.covers(parents[where[nested]], geoms[nested])
    loose = nested[~inside]  # reaching outside their parent, at least in part
    child_area = np.bincount(where[nested], weights=shapely.area(geoms[nested]),
                             minlength=len(codes))
    suspect = shapely.area(parents) - child_area > COVERAGE_AREA_TOLERANCE_M2 / 2
    suspect[where[loose]] = True
    if flagged is not None and len(flagged):
        mark = where[np.asarray(flagged, dtype=int)]
        suspect[mark[mark >= 0]] = True
    gap_rows, gap_geoms, gap_area = [], [], []
    for p in np.flatnonzero(suspect):
        children = np.flatnonzero(where == p)
        union = shapely.union_all(geoms[children]) if len(children) else shapely.Polygon()
        gap = shapely.difference(parent.geometry.values[p], union)
        area = shapely.area(gap)
        if area > COVERAGE_AREA_TOLERANCE_M2:
            gap_rows.append(p)
            gap_geoms.append(gap)
            gap_area.append(area)
    if gap_rows:
        out.append(_rows(parent_level, parent, gap_rows, "gap",
                         f"part of it is in no {level}", gap_geoms, np.array(gap_area)))
    outside = shapely.difference(geoms[loose], parent.geometry.values[where[loose]])
    area = shapely.area(outside)
    big = area > COVERAGE_AREA_TOLERANCE_M2
    if big.any():
        out.append(_rows(level, frame, loose[big], "outside_parent",
                         [f"part of it lies outside {parent_level} {codes[where[i]]}"
                          for i in loose[big]], outside[big], area[big]))
    return out


def records_frame(parts: list[pd.DataFrame], crs, columns: list[str] = DEFECT_COLUMNS
                  ) -> gpd.GeoDataFrame:
    """Row tables with a ``geometry`` column in ``crs``, as one GeoDataFrame in EPSG:4490
    (empty, with ``columns``, when there are none)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return gpd.GeoDataFrame({c: [] for c in columns if c != "geometry"},
                                geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    table = pd.concat(parts, ignore_index=True)
    geometry = gpd.GeoSeries(table.pop("geometry").to_numpy(), crs=crs).to_crs(STORE_CRS)
    return gpd.GeoDataFrame(table, geometry=geometry.values, crs=STORE_CRS)


def boundary_defects(boundaries: Boundaries, *, coverage: bool = True) -> gpd.GeoDataFrame:
    """Every defect of the boundaries, one row each, geometry in EPSG:4490.

    ``coverage=False`` skips overlaps, unmatched edges, gaps and units outside their
    parent (the costly checks), keeping invalid geometry and codes that do not nest.

    Examples
    --------
    >>> from hzgeo.io import read_boundaries
    >>> len(boundary_defects(read_boundaries()))
    0
    """
    check_boundaries(boundaries)
    present = [level for level in LEVELS if level in boundaries]
    duplicated = {lvl: _duplicates(lvl, boundaries[lvl]) for lvl in present}
    if any(duplicated.values()):  # nesting needs unique codes: report these first
        return records_frame([d for found in duplicated.values() for d in found],
                             boundaries[present[-1]].crs)
    # areas need metres; the codes-only check needs no reprojection
    work = work_crs_for(boundaries[present[-1]]) if coverage else boundaries[present[-1]].crs
    levels = {lvl: boundaries[lvl].to_crs(work) if coverage else boundaries[lvl]
              for lvl in present}
    parts, flagged = [], {}
    for level in present:
        found = _invalid(level, levels[level])
        parts += found
        if found:  # the other checks see the polygons as make_valid would repair them
            frame = levels[level]
            levels[level] = frame.set_geometry(polygonal(frame.geometry.values))
        if coverage:
            found, flagged[level] = _coverage(level, levels[level])
            parts += found
    for parent, child in itertools.pairwise(present):
        if coverage:
            parts += _nesting(parent, levels[parent], child, levels[child], flagged[child])
        else:  # codes only
            parts += _orphans(parent, levels[parent], child, levels[child])
    return records_frame(parts, work)


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """``make_valid`` keeping only the polygonal parts (a bow tie becomes two triangles)."""
    fixed = shapely.make_valid(geoms, method="structure", keep_collapsed=False)
    keep = shapely.get_type_id(fixed) >= 3  # polygon, multipolygon or collection
    out = fixed.copy()
    for i in np.flatnonzero(shapely.get_type_id(fixed) == 7):
        parts = shapely.get_parts(fixed[i])
        out[i] = shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])
    out[~keep] = shapely.Polygon()
    return out


def _duplicates(level: str, frame: gpd.GeoDataFrame) -> list[pd.DataFrame]:
    """Units sharing a code: one row each, at a point inside it."""
    dup = np.flatnonzero(frame["code"].duplicated(keep=False).to_numpy())
    if not len(dup):
        return []
    geoms = (frame.geometry.values if isinstance(frame, gpd.GeoDataFrame)
             else np.asarray(frame["geometry"], dtype=object))[dup]
    what = ("another river has the same river_code; merge the parts of one river into one "
            "MultiLineString" if level == "rivers" else
            "another unit of the level has the same code; every unit needs its own")
    return [_rows(level, frame, dup, "duplicate_code", what,
                  shapely.point_on_surface(geoms))]


def _orphans(parent_level, parent, level, frame) -> list[pd.DataFrame]:
    orphan = np.flatnonzero(~frame["parent_code"].isin(set(parent["code"])).to_numpy())
    if not len(orphan):
        return []
    return [_rows(level, frame, orphan, "code_mismatch",
                  [f"parent_code {p!r} is no {parent_level}"
                   for p in frame["parent_code"].to_numpy()[orphan]],
                  shapely.point_on_surface(frame.geometry.values[orphan]))]


def water_defects(waters: Waters) -> gpd.GeoDataFrame:
    """Every defect of the waters, one row each, geometry in EPSG:4490.

    Examples
    --------
    >>> from hzgeo.io import read_waters
    >>> len(water_defects(read_waters()))
    0
    """
    waters = check_waters(waters, unique=False)
    parts = []
    rivers = pd.DataFrame({"code": waters.rivers["river_code"].to_numpy(),
                           "name": waters.rivers["name"].to_numpy(),
                           "flows_into": waters.rivers["flows_into"].to_numpy()})
    geoms = waters.rivers.geometry.values
    twice = _duplicates("rivers", rivers.assign(geometry=geoms))
    if twice:  # the network needs unique codes: report these first
        return records_frame(twice, waters.rivers.crs)
    short = np.flatnonzero(~(shapely.length(geoms) > 0))
    if len(short):
        parts.append(_rows("rivers", rivers, short, "zero_length_river",
                           "fewer than two distinct points", geoms[short]))
    into = rivers["flows_into"].to_numpy()
    # (hashed: np.isin sorts text arrays, 15 s for 41,520 rivers)
    unknown = np.flatnonzero((into != "") & ~pd.Series(into).isin(rivers["code"]).to_numpy())
    if len(unknown):
        parts.append(_rows("rivers", rivers, unknown, "unknown_flows_into",
                           [f"flows_into {into[i]!r} is no river_code" for i in unknown],
                           shapely.get_point(shapely.get_geometry(geoms[unknown], -1), -1)))
    parts += _mouths_off(waters, rivers, unknown)
    if len(waters.lakes):
        parts += _invalid("lakes", waters.lakes)
    crs = waters.rivers.crs if len(waters.rivers) else waters.lakes.crs
    return records_frame(parts, crs)


def _mouths_off(waters: Waters, rivers: pd.DataFrame, unknown: np.ndarray) -> list:
    """Rivers whose nearer end is farther from the river they flow into than their
    tolerance (``accuracy_m``, else the boundary tolerance): the network is broken there,
    and 汇入 words and flow order depend on it. Rows in the rivers' CRS."""
    into = rivers["flows_into"].to_numpy()
    codes = rivers["code"].to_numpy()
    check = np.flatnonzero((into != "") & ~np.isin(np.arange(len(into)), unknown))
    check = check[shapely.length(waters.rivers.geometry.values[check]) > 0]
    if not len(check):
        return []
    work = waters.rivers.to_crs(work_crs_for(waters.rivers)).geometry.values
    target = work[pd.Index(codes).get_indexer(into[check])]
    parts = [shapely.get_parts(g) for g in work[check]]
    start = shapely.points([shapely.get_coordinates(p[0])[0] for p in parts])
    end = shapely.points([shapely.get_coordinates(p[-1])[-1] for p in parts])
    gap = np.minimum(shapely.distance(start, target), shapely.distance(end, target))
    acc = pd.to_numeric(waters.rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                        errors="coerce").to_numpy(dtype=float)[check]
    tol = np.where(np.isfinite(acc) & (acc > 0), acc, BOUNDARY_TOLERANCE_M)
    off = gap > tol
    if not off.any():
        return []
    rows = check[off]
    ends = waters.rivers.geometry.values[rows]
    nearer = np.where(shapely.distance(start[off], target[off])
                      < shapely.distance(end[off], target[off]), 0, -1)
    where = [shapely.get_point(shapely.get_geometry(g, n), n) for g, n in zip(ends, nearer,
                                                                              strict=True)]
    return [_rows("rivers", rivers, rows, "mouth_off_river",
                  [f"ends {d:,.0f} m from {t} (tolerance {x:g} m)" for d, t, x in zip(
                      gap[off], into[rows], tol[off], strict=True)], where, np.nan,
                  gap[off])]


def find_defects(boundaries: Boundaries | None = None, waters: Waters | None = None, *,
                 coverage: bool = True) -> gpd.GeoDataFrame:
    """Every defect of the boundaries and waters, one row each, for review on a map.

    Columns: ``layer``, ``code``, ``name``, ``kind``, ``detail``, ``area_m2`` (gaps,
    overlaps and units outside their parent, work CRS), ``length_m`` (near-miss edges; the
    distance of a mouth off its river) and a geometry in EPSG:4490 showing where (the
    overlap, the gap, the unmatched edge, the point GEOS names for invalid geometry).
    ``kind`` is one of the stable identifiers listed in :mod:`hzgeo.audit`.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> find_defects(boundaries, waters).empty
    True
    """
    if boundaries is None and waters is None:
        raise InputError("find_defects needs boundaries, waters or both",
                         hint="pass hzgeo.read_boundaries(...) and/or hzgeo.read_waters(...)")
    parts = []
    if boundaries is not None:
        parts.append(boundary_defects(boundaries, coverage=coverage))
    if waters is not None:
        parts.append(water_defects(waters))
    parts = [p for p in parts if len(p)]
    if not parts:
        return records_frame([], STORE_CRS)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=STORE_CRS)


def _refuse(defects: gpd.GeoDataFrame, what: str, origin: dict | None = None) -> None:
    if defects.empty:
        return
    lines = []
    for (layer, kind), rows in defects.groupby(["layer", "kind"], sort=False):
        lines.append(f"{layer}: {kind}: " + _listing(dict.fromkeys(  # once per code
            f"{c} ({d})" for c, d in zip(rows["code"], rows["detail"], strict=True))))
    raise DataQualityError(f"the {what} have defects that segmentation cannot work "
                           "around:\n- " + "\n- ".join(lines), hint=_FIX_HINT,
                           file=origin_files(origin, set(defects["layer"])))


def validate_boundaries(boundaries: Boundaries, *, coverage: bool = True) -> None:
    """Raise if a level has invalid polygons, units that do not nest, or gaps/overlaps.

    Parameters
    ----------
    boundaries : Boundaries
    coverage : bool, default True
        Also check that each level is a valid coverage that tiles its parent (no
        overlaps, neighbours share edges, no gaps): see :func:`boundary_defects`.

    Examples
    --------
    >>> from hzgeo.io import read_boundaries
    >>> validate_boundaries(read_boundaries()) is None
    True
    """
    _refuse(boundary_defects(boundaries, coverage=coverage), "boundaries", boundaries.origin)


def validate_waters(waters: Waters) -> None:
    """Raise if a river has fewer than two distinct points, flows into an unknown river,
    or a lake polygon is invalid; warn (:class:`~hzgeo.errors.HzgeoWarning`) if a river's
    mouth is off the river it flows into, which segmentation can live with.

    Examples
    --------
    >>> from hzgeo.io import read_waters
    >>> validate_waters(read_waters()) is None
    True
    """
    _refuse_waters(water_defects(waters), waters, stacklevel=3)


def _refuse_waters(defects: gpd.GeoDataFrame, waters: Waters, stacklevel: int) -> None:
    tolerable = defects["kind"] == "mouth_off_river"
    if tolerable.any():
        rows = defects[tolerable]
        warnings.warn(f"{len(rows)} river(s) end away from the river they flow into, so their "
                      "汇入 words and flow direction rest on the nearer end: " + _listing(
                          f"{c} ({d})" for c, d in zip(rows["code"], rows["detail"],
                                                      strict=True))
                      + "; `hzgeo check` maps them", HzgeoWarning, stacklevel=stacklevel)
    _refuse(defects[~tolerable], "waters", waters.origin)


#: Kinds of boundary defect segmentation cannot work around (the others are the audit's).
BLOCKING_BOUNDARY_KINDS = ("duplicate_code", "invalid_geometry", "code_mismatch")


def validate_defects(defects: gpd.GeoDataFrame, boundaries: Boundaries,
                     waters: Waters) -> None:
    """Refuse, from the defects :func:`find_defects` found already, what
    :func:`validate_boundaries` (``coverage=False``) and :func:`validate_waters` refuse:
    the inputs are not checked a second time.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> validate_defects(find_defects(boundaries, waters), boundaries, waters) is None
    True
    """
    water = defects["layer"].isin(["rivers", "lakes"])
    _refuse(defects[~water & defects["kind"].isin(BLOCKING_BOUNDARY_KINDS)], "boundaries",
            boundaries.origin)
    _refuse_waters(defects[water], waters, stacklevel=3)
