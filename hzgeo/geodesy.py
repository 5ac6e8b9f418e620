"""Lengths and areas on the ellipsoid, so that reported numbers do not depend on a projection.

Examples
--------
>>> import shapely
>>> line = shapely.LineString([(109.0, 23.0), (109.0, 23.1)])  # 0.1 degree of latitude
>>> round(float(geodesic_length([line])[0]))
11074
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Geod

from hzgeo.settings import STORE_CRS

__all__ = ["GEOD", "geodesic_area", "geodesic_length", "segment_lengths"]

#: The CGCS2000 ellipsoid (practically GRS80).
GEOD: Geod = CRS(STORE_CRS).get_geod()


def segment_lengths(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic lengths (m) of the segments between consecutive lon/lat points."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if len(lon) < 2:
        return np.zeros(0)
    _, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.asarray(dist, dtype=float)


def geodesic_length(geometries) -> np.ndarray:
    """Geodesic length in metres of each (Multi)LineString, given in lon/lat degrees."""
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        out[i] = GEOD.geometry_length(geom)
    return out


def geodesic_area(geometries) -> np.ndarray:
    """Geodesic area in square metres of each (Multi)Polygon, given in lon/lat degrees."""
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty:
            continue
        geom = shapely.orient_polygons(geom)  # counter-clockwise shells: positive area
        out[i] = abs(GEOD.geometry_area_perimeter(geom)[0])
    return out
