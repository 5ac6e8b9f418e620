"""What the field modules share: point columns, Chinese headers and names, table text."""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hzgeo.io import work_crs_for
from hzgeo.labels import FIELD_HEADERS, LEVEL_NAMES, PLACEMENT_NAMES, SITE_KIND_NAMES
from hzgeo.model import Chiefs, Segmentation
from hzgeo.settings import BOUNDARY_TOLERANCE_M, STORE_CRS

#: Columns holding codes (kept as text in XLSX and CSV).
CODE_COLUMNS = {"section_code", "confluence_code", "board_code", "river_code",
                "upstream_code", "downstream_code", "into_code", "county_code",
                "township_code", "village_code", "water_code", "item_code", "admin_codes",
                "chief_keys", "reach_code"}
#: Chinese names of the levels (层级), of the kinds of site (类型), of the placements.
LEVEL_CN, KIND_CN, PLACEMENT_CN = LEVEL_NAMES, SITE_KIND_NAMES, PLACEMENT_NAMES
_VALUE_CN = {"kind": KIND_CN, "level": LEVEL_CN, "placement": PLACEMENT_CN}


def is_missing(value) -> bool:
    """None, NaN or empty text."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def display(column: str, value) -> str:
    """``value`` of ``column`` as people read it: flags 是/否, kinds and levels in Chinese."""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    names = _VALUE_CN.get(column)
    if names is not None:
        return names.get(value, str(value))
    return str(value)


def labelled(row: Mapping, columns: list[str]):
    """(Chinese header, text) of the ``columns`` of ``row`` that have a value."""
    for column in columns:
        value = row.get(column)
        if not is_missing(value):
            yield FIELD_HEADERS.get(column, column), display(column, value)


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """A field table for people: Chinese headers and values, codes as text, no geometry."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for column in out.columns:
        if column in CODE_COLUMNS:
            out[column] = out[column].map(lambda v: "" if is_missing(v) else str(v))
        elif out[column].dtype == bool or column in _VALUE_CN:
            out[column] = out[column].map(
                lambda v, c=column: v if is_missing(v) else display(c, v))
    return out.rename(columns=FIELD_HEADERS)


def settings_of(result: Segmentation | Chiefs | None) -> dict:
    """The segmentation's settings (a :class:`~hzgeo.Chiefs` carries none)."""
    return result.settings if isinstance(result, Segmentation) else {}


def tolerance(rivers: pd.DataFrame, result: Segmentation | Chiefs | None = None
              ) -> dict[str, float]:
    """Each river's accuracy (m): ``accuracy_m``, else the segmentation's tolerance."""
    forced = settings_of(result).get("boundary_tolerance_m")
    acc = pd.to_numeric(rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                        errors="coerce").to_numpy(dtype=float)
    if forced is not None:
        acc = np.full(len(rivers), float(forced))
    acc = np.where(np.isfinite(acc) & (acc > 0), acc, BOUNDARY_TOLERANCE_M)
    return dict(zip(rivers["river_code"], acc.tolist(), strict=True))


def work_crs(result: Segmentation | Chiefs) -> pyproj.CRS:
    """The projected CRS the segmentation worked in."""
    crs = settings_of(result).get("work_crs")
    if crs:
        return pyproj.CRS.from_user_input(crs)
    frame = next(f for f in result.reaches.values() if len(f))
    return work_crs_for(frame)


def point_columns(points: np.ndarray, crs) -> dict[str, np.ndarray]:
    """lon/lat (WGS84) and x/y (``crs``) of shapely points given in ``crs``."""
    xy = shapely.get_coordinates(points) if len(points) else np.empty((0, 2))
    to_wgs = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1]) if len(xy) else (np.array([]),) * 2
    return {"lon": np.round(np.asarray(lon, float), 7), "lat": np.round(np.asarray(lat, float), 7),
            "x": np.round(xy[:, 0], 2), "y": np.round(xy[:, 1], 2)}


def point_frame(rows: list[dict], columns: list[str], points: list, crs) -> gpd.GeoDataFrame:
    """Rows and their points (in ``crs``) as a frame of ``columns`` in EPSG:4490, with
    lon/lat, x/y and ``xy_crs`` filled from the points."""
    frame = pd.DataFrame(rows, columns=[c for c in columns if c not in
                                        ("lon", "lat", "x", "y", "xy_crs")])
    geoms = np.asarray(points, dtype=object) if points else np.empty(0, dtype=object)
    for key, values in point_columns(geoms, crs).items():
        frame[key] = values
    frame["xy_crs"] = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.to_string()
    out = gpd.GeoDataFrame(frame[columns], geometry=gpd.GeoSeries(geoms, crs=crs).values,
                           crs=crs)
    return out.to_crs(STORE_CRS)


def first_point(geom) -> shapely.Point:
    return shapely.Point(shapely.get_coordinates(geom)[0])


def last_point(geom) -> shapely.Point:
    return shapely.Point(shapely.get_coordinates(geom)[-1])


def unit_names(boundaries) -> dict[str, str]:
    """Code -> name of every county, township and village."""
    names: dict[str, str] = {}
    for level in ("county", "township", "village"):
        if level in boundaries:
            names.update(zip(boundaries[level]["code"], boundaries[level]["name"],
                             strict=True))
    return names
