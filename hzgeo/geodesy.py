"""Lengths and areas on the ellipsoid, so that reported numbers do not depend on a projection.

Examples
--------
>>> import shapely
>>> line = shapely.LineString([(109.0, 23.0), (109.0, 23.1)])  # 0.1 degree of latitude
>>> round(float(geodesic_length([line])[0]))
11074
"""

from __future__ import annotations

from typing import cast

import numpy as np
import shapely
from pyproj import CRS, Geod

from hzgeo.settings import STORE_CRS

__all__ = ["GEOD", "geodesic_area", "geodesic_length", "segment_lengths"]

#: The CGCS2000 ellipsoid (practically GRS80).
GEOD: Geod = cast(Geod, CRS(STORE_CRS).get_geod())


#: Below this length (m) a segment is measured with the ellipsoid's radii of curvature at
#: its mid-latitude, which agrees with the geodesic to better than 1e-9 relative there
#: (the error grows as (length / earth radius)^2); longer ones go to pyproj's geodesic.
SHORT_SEGMENT_M = 50.0


def segment_lengths(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Geodesic lengths (m) of the segments between consecutive lon/lat points.

    Examples
    --------
    >>> lengths = segment_lengths([109.0, 109.0005, 109.5], [23.0, 23.0, 23.0])
    >>> exact = GEOD.inv([109.0, 109.0005], [23.0, 23.0], [109.0005, 109.5], [23.0, 23.0])[2]
    >>> bool(np.allclose(lengths, exact, rtol=1e-9, atol=0))
    True
    """
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if len(lon) < 2:
        return np.zeros(0)
    a, f = GEOD.a, GEOD.f
    e2 = f * (2 - f)
    phi = np.radians((lat[:-1] + lat[1:]) / 2)
    sin = np.sin(phi)
    w = 1 - e2 * sin * sin
    root = np.sqrt(w)
    normal = a / root  # N, the prime vertical radius of curvature
    meridian = normal * (1 - e2) / w  # M = a (1 - e2) / w^1.5
    dphi = np.radians(lat[1:] - lat[:-1])
    dlam = np.radians(lon[1:] - lon[:-1])
    out = np.hypot(meridian * dphi, normal * np.cos(phi) * dlam)
    long = out >= SHORT_SEGMENT_M
    if long.any():
        i = np.flatnonzero(long)
        out[i] = GEOD.inv(lon[i], lat[i], lon[i + 1], lat[i + 1])[2]
    return out


def _each(geometries, measure) -> np.ndarray:
    geoms = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is not None and not geom.is_empty:
            out[i] = measure(geom)
    return out


def geodesic_length(geometries) -> np.ndarray:
    """Geodesic length in metres of each (Multi)LineString, given in lon/lat degrees."""
    return _each(geometries, GEOD.geometry_length)


def geodesic_area(geometries) -> np.ndarray:
    """Geodesic area in square metres of each (Multi)Polygon, given in lon/lat degrees."""
    return _each(geometries, lambda g: abs(GEOD.geometry_area_perimeter(
        shapely.orient_polygons(g))[0]))
