"""Repair what can be repaired in boundaries without a judgement call: ``--fix``.

Invalid polygons are made valid (``shapely.make_valid``, keeping the polygonal parts), and
a level whose units overlap, do not share their common edges, or leave narrow gaps
between them is cleaned as a coverage (``shapely.coverage_clean``): each overlap goes to
the neighbour with the longest common border, gaps narrower than ``gap_width`` are closed,
shared edges are snapped to match. Every change is logged with the area it moved, so an
office can see (and report to the surveying department) what was assumed.

Examples
--------
>>> import geopandas, shapely
>>> from hzgeo.io import Boundaries
>>> villages = geopandas.GeoDataFrame(
...     {"code": ["1", "2"], "name": ["甲村", "乙村"], "parent_code": ["", ""]},
...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(990, 0, 2000, 1000)],
...     crs="EPSG:4546")
>>> fixed, log = repair_boundaries(Boundaries({"village": villages}))
>>> log[["code", "action"]].to_dict("records")
[{'code': '2', 'action': 'lost area'}]
>>> round(log["area_after_m2"].iloc[0] - log["area_before_m2"].iloc[0])
-10000
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo._checks import check_boundaries, check_metres
from hzgeo.errors import DataQualityError
from hzgeo.io import Boundaries, work_crs_for
from hzgeo.settings import LEVELS, REPAIR_GAP_WIDTH_M, STORE_CRS
from hzgeo.validate import boundary_defects, polygonal, records_frame

__all__ = ["REPAIR_COLUMNS", "repair_boundaries"]

REPAIR_COLUMNS = ["layer", "code", "name", "action", "area_before_m2", "area_after_m2",
                  "geometry"]


def repair_boundaries(boundaries: Boundaries, *, gap_width: float = REPAIR_GAP_WIDTH_M
                      ) -> tuple[Boundaries, gpd.GeoDataFrame]:
    """The boundaries repaired, and a log of every unit changed (geometry: the area moved).

    Levels are repaired top down, each against its repaired parent: invalid polygons are
    made valid; a unit reaching outside its parent is clipped to it (the parent decides);
    inside each parent, overlaps go to the neighbour with the longest common border and
    gaps narrower than ``gap_width`` (metres) to the unit around them; finally shared
    edges are snapped vertex for vertex. Levels without defects are returned as they are.
    Geometry work happens in the projected work CRS; levels keep their own CRS.
    """
    check_boundaries(boundaries)
    gap_width = check_metres(gap_width, "gap_width", "`gap_width`")
    present = [level for level in LEVELS if level in boundaries]
    if not present:
        return boundaries, records_frame([], STORE_CRS, REPAIR_COLUMNS)
    work = work_crs_for(boundaries[present[-1]])
    defects = boundary_defects(boundaries)
    duplicate = defects[defects["kind"] == "duplicate_code"]
    if len(duplicate):
        raise DataQualityError(
            "units share a code, which `fix` cannot decide: " + ", ".join(
                f"{lvl} {code}" for lvl, code in
                duplicate[["layer", "code"]].drop_duplicates().values.tolist()[:10]),
            hint="give every unit its own code in your GIS, then run `hzgeo check` again")
    levels, logs, parent_geoms = dict(boundaries.levels), [], None
    for i, level in enumerate(present):
        frame = boundaries[level]
        kinds = set(defects.loc[defects["layer"] == level, "kind"])
        # a gap between a level's units is reported on their parent
        gaps = i > 0 and "gap" in set(defects.loc[defects["layer"] == present[i - 1], "kind"])
        before = frame.geometry.to_crs(work).values
        if not (kinds - {"code_mismatch"} or gaps or parent_geoms is not None):
            parent_geoms = None
            continue
        after = before
        if "invalid_geometry" in kinds:
            after = polygonal(after)
        if parent_geoms is not None or i > 0:
            parent = parent_geoms if parent_geoms is not None else \
                boundaries[present[i - 1]].geometry.to_crs(work).values
            codes = boundaries[present[i - 1]]["code"]
            where = pd.Index(codes.to_numpy()).get_indexer(frame["parent_code"].to_numpy())
            after = _within_parents(after, where, parent, gap_width)
        else:
            after = shapely.coverage_clean(after, gap_width=gap_width)
        if not shapely.coverage_is_valid(after):  # edges across parents
            after = shapely.coverage_clean(after, gap_width=0.0)
        logs.append(_changes(level, frame, before, after))
        parent_geoms = after
        geometry = gpd.GeoSeries(after, crs=work).to_crs(frame.crs).values
        levels[level] = frame.set_geometry(geometry)
    repaired = Boundaries(levels, dict(boundaries.origin), boundaries.outline,
                          boundaries.neighbours)
    return repaired, records_frame(logs, work, REPAIR_COLUMNS)


def _within_parents(geoms: np.ndarray, where: np.ndarray, parents: np.ndarray,
                    gap_width: float) -> np.ndarray:
    """Clip each unit to its parent, then clean each parent's units as a coverage.

    The parent's outside is one more polygon of the coverage, so a narrow gap along the
    parent's border is closed too (it goes to the unit with the longest border with it).
    """
    out = geoms.copy()
    nested = np.flatnonzero(where >= 0)
    out[nested] = shapely.intersection(geoms[nested], parents[where[nested]])
    out[nested] = polygonal(out[nested])
    for p in np.unique(where[nested]):
        members = np.flatnonzero(where == p)
        parent = parents[p]
        frame = shapely.box(*shapely.bounds(parent) + np.array([-1, -1, 1, 1]) * 10 * max(
            gap_width, 1.0))
        outside = shapely.difference(frame, parent)
        cleaned = shapely.coverage_clean(np.append(out[members], outside), gap_width=gap_width)
        out[members] = polygonal(shapely.intersection(cleaned[:-1], parent))
    return out


def _changes(level, frame, before, after) -> pd.DataFrame:
    # a unit whose edges only gained the neighbour's vertices keeps its shape: not logged
    invalid = ~shapely.is_valid(before)
    base = before.copy()
    base[invalid] = polygonal(before[invalid])  # what GEOS can compare
    changed = np.flatnonzero(invalid | ~shapely.equals(base, after))
    moved = shapely.symmetric_difference(base[changed], after[changed])
    return pd.DataFrame({
        "layer": level, "code": frame["code"].to_numpy()[changed],
        "name": frame["name"].to_numpy()[changed],
        "action": np.where(invalid[changed], "made valid",
                           np.where(shapely.area(after[changed]) < shapely.area(
                               before[changed]), "lost area", "gained area")),
        "area_before_m2": shapely.area(base[changed]),
        "area_after_m2": shapely.area(after[changed]),
        "geometry": moved})
