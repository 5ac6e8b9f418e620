"""The audit's input checks: argument types, units sharing a code, whether segmentation
can run, and the boundary and water defects (:func:`hzgeo.validate.find_defects`) as
audit rows with geodesic measures and the tolerances applied."""

from __future__ import annotations

import dataclasses
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo.audit.table import FIXABLE, make_frame, make_row
from hzgeo.errors import HzgeoError, InputError
from hzgeo.geodesy import geodesic_area, geodesic_length
from hzgeo.model import Boundaries, Waters
from hzgeo.settings import LEVELS, REPAIR_GAP_WIDTH_M

__all__ = ["check_types", "input_defects", "merge_duplicates", "try_segment", "unit_names"]


def check_types(boundaries, waters) -> None:
    if not isinstance(boundaries, Boundaries):
        raise InputError(f"'boundaries' should be hzgeo.Boundaries, got {type(boundaries)}")
    if not isinstance(waters, Waters):
        raise InputError(f"'waters' should be hzgeo.Waters, got {type(waters)}")


def merge_duplicates(boundaries: Boundaries) -> tuple[Boundaries, list[dict]]:
    """Units sharing a code at one level merged into one (first row's attributes), and a
    ``duplicate_code`` row for each such code (geometry in the boundaries' CRS)."""
    rows, levels = [], dict(boundaries.levels)
    for level, frame in boundaries.levels.items():
        dup = frame["code"].duplicated(keep=False)
        if not dup.any():
            continue
        for code, group in frame[dup].groupby("code", sort=True):
            rows.append(make_row("duplicate_code", level, [code], [group["name"].iloc[0]],
                                 shapely.union_all(group.geometry.values),
                                 detail=f"{len(group)} features share code {code}"))
        geoms = frame.geometry.values
        valid = np.where(shapely.is_valid(geoms), geoms, shapely.make_valid(geoms))
        merged = pd.Series(valid, index=frame.index).groupby(frame["code"].to_numpy(),
                                                             sort=False).agg(
            lambda g: shapely.union_all(np.asarray(g.to_list(), dtype=object)))
        first = frame.drop_duplicates("code").copy()
        first = first.set_geometry(merged.reindex(first["code"].to_numpy()).to_numpy(),
                                   crs=frame.crs)
        levels[level] = first.reset_index(drop=True)
    return dataclasses.replace(boundaries, levels=levels, origin=dict(boundaries.origin)), rows


def unit_names(boundaries: Boundaries | None) -> dict[str, str]:
    out: dict[str, str] = {}
    if boundaries is None:
        return out
    for level in LEVELS:
        if level in boundaries:
            frame = boundaries[level]
            out.update(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))
    return out


def try_segment(boundaries, waters, min_length, boundary_tolerance):
    """The segmentation, or None and the reason it could not run."""
    from hzgeo.errors import HzgeoWarning
    from hzgeo.segment import segment_waters
    from hzgeo.validate import validate_boundaries, validate_waters

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HzgeoWarning)
            validate_boundaries(boundaries, coverage=False)
            validate_waters(waters)
            return segment_waters(boundaries, waters, min_length=min_length,
                                  boundary_tolerance=boundary_tolerance), None
    except (HzgeoError, shapely.errors.GEOSException) as err:
        reason = (err.message if isinstance(err, HzgeoError) else str(err)
                  ).split("\n  what to do")[0]
        return None, " ".join(reason.split())


def input_defects(found: gpd.GeoDataFrame, boundaries: Boundaries | None, work, min_area_m2,
                  min_width_m) -> gpd.GeoDataFrame:
    """The boundary and water defects as audit rows, measured geodesically, tolerances
    applied."""
    if found.empty:
        return make_frame([], work)
    below = {"city": "county", "county": "township", "township": "village"}
    names_of = unit_names(boundaries)
    local = found.to_crs(work).geometry.values
    area = geodesic_area(found.geometry.values)
    length = geodesic_length(found.geometry.values)
    polygonal = np.isin(found["kind"].to_numpy(), ["overlap", "gap", "outside_parent"])
    width = np.zeros(len(found))
    width[polygonal] = _width(local[polygonal])
    rows = []
    for i, d in enumerate(found.itertuples()):
        kind, level, codes, names = d.kind, d.layer, [d.code], [d.name]
        measure, fixable = np.nan, kind in FIXABLE
        detail = d.detail
        if polygonal[i]:
            measure = area[i]
            if measure < min_area_m2 or width[i] < min_width_m:
                continue
            detail += f" ({width[i]:,.1f} m wide)"
        if kind == "gap":  # a hole in the level below, inside this unit
            level = below.get(d.layer, d.layer)
            fixable = width[i] < REPAIR_GAP_WIDTH_M
        elif kind == "overlap":
            other = str(d.detail).removeprefix("overlaps ")
            codes.append(other)
            names.append(names_of.get(other, other))
        elif kind == "near_miss_edge":
            measure = length[i]
        elif kind == "mouth_off_river":
            measure = d.length_m
        water = (d.code, d.name) if d.layer in ("rivers", "lakes") else ("", "")
        rows.append(make_row(kind, level, codes if not water[0] else [],
                             names if not water[0] else [], local[i], measure=measure,
                             detail=detail, water=water, fixable=bool(fixable)))
    return make_frame(rows, work)



def _width(geoms: np.ndarray) -> np.ndarray:
    """Diameter of the largest circle inside each polygon (m, work CRS)."""
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty or shapely.area(geom) <= 0:
            continue
        radius = shapely.maximum_inscribed_circle(geom, tolerance=0.01)
        out[i] = 2 * shapely.length(radius)
    return out
