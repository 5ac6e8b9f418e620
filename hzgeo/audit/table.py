"""The audit's table: its kinds, its columns, and how a row is built and the table finished.

Every module of the audit builds its findings as :func:`make_row` dicts (geometry in the
CRS it works in) and :func:`make_frame` turns a list of them into the table; :func:`finish`
adds the WGS84 point of each row and sorts.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from hzgeo.model import AUDIT_COLUMNS
from hzgeo.settings import AUDIT_MIN_AREA_M2, AUDIT_MIN_WIDTH_M, LEVELS, STORE_CRS

__all__ = ["AUDIT_COLUMNS", "DEFAULT_MIN_AREA_M2", "DEFAULT_MIN_WIDTH_M", "DEFECT_KINDS",
           "FIXABLE", "INFORMATION_KINDS", "finish", "make_frame", "make_row"]

#: Every kind of row, with the unit of its measure ("" where nothing is measured).
DEFECT_KINDS: dict[str, str] = {
    "invalid_geometry": "", "overlap": "m2", "gap": "m2", "outside_parent": "m2",
    "code_mismatch": "", "duplicate_code": "", "near_miss_edge": "m", "zero_length_river": "",
    "unknown_flows_into": "", "mouth_off_river": "m", "uncovered_water": "m",
    "double_counted_water": "m", "no_chief": "m", "vacant_total_chief": "",
    "no_convenor": "", "overloaded_chief": "", "sliver": "m", "boundary_reach": "m",
    "outside_city": "m",
}
#: Kinds that describe the result; they never make the audit fail.
INFORMATION_KINDS = frozenset({"sliver", "boundary_reach", "outside_city"})
#: Kinds ``hzgeo check --fix`` repairs (a gap only when narrower than 5 m).
FIXABLE = frozenset({"invalid_geometry", "overlap", "outside_parent", "near_miss_edge"})

#: Gaps, overlaps and other area defects smaller than this (m²) are not reported.
#: (Below 1 m² the boundary checks treat them as numerical noise anyway.)
DEFAULT_MIN_AREA_M2 = AUDIT_MIN_AREA_M2
#: Area defects narrower than this (m, the diameter of the largest circle inside them),
#: and uncovered or double-counted river stretches shorter than this, are not reported.
DEFAULT_MIN_WIDTH_M = AUDIT_MIN_WIDTH_M



@functools.cache
def _wgs84() -> Transformer:
    """CGCS2000 -> WGS84, built on first use (building it takes 40 ms of every start)."""
    return Transformer.from_crs(STORE_CRS, "EPSG:4326", always_xy=True)

_LEVEL_ORDER = {name: i for i, name in enumerate(
    [*LEVELS, "rivers", "lakes", ""])}



def make_frame(rows: list[dict], crs) -> gpd.GeoDataFrame:
    """Rows (dicts with the audit fields and a geometry in ``crs``) as the table."""
    if not rows:
        return gpd.GeoDataFrame({c: pd.Series(dtype=_dtype(c)) for c in AUDIT_COLUMNS[:-1]},
                                geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    table = pd.DataFrame(rows)
    geometry = gpd.GeoSeries(table.pop("geometry").to_numpy(), crs=crs).to_crs(STORE_CRS)
    return gpd.GeoDataFrame(table, geometry=geometry.values, crs=STORE_CRS)


def _dtype(column: str):
    return {"measure": float, "lon": float, "lat": float, "fixable": bool,
            "information": bool}.get(column, object)


def make_row(kind, level, codes, names, geometry, *, measure=np.nan, detail="", water=("", ""),
             fixable=False) -> dict:
    return {"kind": kind, "level": level, "codes": ",".join(str(c) for c in codes if c),
            "names": ",".join(str(n) for n in names if n), "water_code": water[0],
            "water_name": water[1], "measure": float(measure), "unit": DEFECT_KINDS[kind],
            "detail": detail, "fixable": fixable, "information": kind in INFORMATION_KINDS,
            "geometry": geometry}


def finish(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add lon/lat (WGS84) of a point on each row, sort, keep the columns in order."""
    frame = frame.reset_index(drop=True)
    geoms = frame.geometry.values
    has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    if has.any():
        points = shapely.point_on_surface(geoms[has])
        lon[has], lat[has] = _wgs84().transform(shapely.get_x(points), shapely.get_y(points))
    frame["lon"], frame["lat"] = lon, lat
    order = frame.assign(
        _info=frame["information"].astype(bool),
        _level=frame["level"].map(_LEVEL_ORDER).fillna(len(_LEVEL_ORDER)),
        _size=-frame["measure"].fillna(0.0)).sort_values(
        ["_info", "kind", "_level", "_size"], kind="stable").index
    frame = frame.loc[order].reset_index(drop=True)
    for column in ("fixable", "information"):
        frame[column] = frame[column].astype(bool)
    return gpd.GeoDataFrame(frame[AUDIT_COLUMNS], geometry="geometry", crs=STORE_CRS)
