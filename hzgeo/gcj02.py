"""GCJ-02 (the obfuscated datum of Chinese web maps) to WGS84 and back.

The forward transform is the public GCJ-02 formula (WGS84 -> GCJ-02, shifts of a few
hundred metres in Guangxi). It has no closed-form inverse; :func:`gcj02_to_wgs84`
inverts it by fixed-point iteration until the round trip closes to under 1e-9 degrees
(about 0.1 mm), far below the 0.1 m asked of it. Points outside China are not shifted,
as in the formula's reference implementations.

Examples
--------
>>> lon, lat = wgs84_to_gcj02([109.6], [23.1])
>>> round(float(lon[0]) - 109.6, 4), round(float(lat[0]) - 23.1, 4)
(0.0042, -0.0029)
>>> back = gcj02_to_wgs84(lon, lat)
>>> bool(abs(back[0][0] - 109.6) < 1e-9 and abs(back[1][0] - 23.1) < 1e-9)
True
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["gcj02_to_wgs84", "geometry_gcj02_to_wgs84", "geometry_wgs84_to_gcj02", "wgs84_to_gcj02"]

_A = 6378245.0
_EE = 0.00669342162296594323


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS84 longitudes and latitudes (degrees) to GCJ-02."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, *, tolerance: float = 1e-10,
                   max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration.

    Parameters
    ----------
    lon, lat : array-like
        GCJ-02 coordinates in degrees.
    tolerance : float, default 1e-10
        Stop when the round trip closes to this many degrees (1e-10 deg is ~0.01 mm).
    max_iter : int, default 30
        The iteration converges in 3-6 steps in China.
    """
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if max(np.max(np.abs(elon), initial=0.0), np.max(np.abs(elat), initial=0.0)) < tolerance:
            break
    return wlon, wlat


def _apply(geometry, func):
    def xy(coords: np.ndarray) -> np.ndarray:
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, xy)


def geometry_gcj02_to_wgs84(geometry):
    """Move shapely geometries (array or scalar, lon/lat degrees) from GCJ-02 to WGS84."""
    return _apply(geometry, gcj02_to_wgs84)


def geometry_wgs84_to_gcj02(geometry):
    """Move shapely geometries (array or scalar, lon/lat degrees) from WGS84 to GCJ-02."""
    return _apply(geometry, wgs84_to_gcj02)
