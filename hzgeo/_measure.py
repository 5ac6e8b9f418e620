"""Measures along the river network: planar and geodesic chainage of positions ``s``.

Chainage is kept as cumulative sums per vertex (built once, :func:`cumulative`); a
position between vertices adds the geodesic from the segment's first vertex to the
point, so the chainage of a cut point is exact on the ellipsoid and monotone in ``s``.
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer

from hzgeo.geodesy import GEOD, segment_lengths

__all__ = ["chainage", "cumulative", "planar"]


def cumulative(xy: np.ndarray, seg_ok: np.ndarray, to_lonlat: Transformer):
    """Lon/lat of every vertex and the cumulative planar and geodesic metres at it.

    ``seg_ok[i]``: the segment from vertex ``i`` to ``i + 1`` exists (both in one part);
    elsewhere the step is 0, so each part's measures start where the last one ended.

    Examples
    --------
    >>> from pyproj import Transformer
    >>> t = Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True)
    >>> xy = np.array([[400000.0, 2560000.0], [400100.0, 2560000.0], [400100.0, 2560100.0]])
    >>> lonlat, planar_cum, geod_cum = cumulative(xy, np.array([True, True]), t)
    >>> planar_cum.tolist()
    [0.0, 100.0, 200.0]
    """
    n = len(xy)
    if n < 2:
        return np.zeros((n, 2)), np.zeros(max(n, 1)), np.zeros(max(n, 1))
    step = xy[1:] - xy[:-1]
    planar_step = np.hypot(step[:, 0], step[:, 1])
    del step
    lon, lat = to_lonlat.transform(xy[:, 0], xy[:, 1])
    geodesic = segment_lengths(lon, lat)
    planar_step[~seg_ok] = 0.0
    geodesic[~seg_ok] = 0.0
    planar_cum = np.empty(n)
    planar_cum[0] = 0.0
    np.cumsum(planar_step, out=planar_cum[1:])
    del planar_step
    geod_cum = np.empty(n)
    geod_cum[0] = 0.0
    np.cumsum(geodesic, out=geod_cum[1:])
    del geodesic
    lonlat = np.empty((n, 2))
    lonlat[:, 0], lonlat[:, 1] = lon, lat
    return lonlat, planar_cum, geod_cum


def chainage(net, s, part) -> np.ndarray:
    """Geodesic metres from the start of the river's first part (see the module)."""
    s, part = np.atleast_1d(np.asarray(s, float)), np.atleast_1d(np.asarray(part, int))
    i, f = net.locate(s, part)
    out = net.geod_cum[i].copy()
    inner = f > 0
    if inner.any():
        ii = i[inner]
        xy = net.xy[ii] + f[inner, None] * (net.xy[ii + 1] - net.xy[ii])
        lon0, lat0 = net.lonlat[ii, 0], net.lonlat[ii, 1]
        lon1, lat1 = net.to_lonlat.transform(xy[:, 0], xy[:, 1])
        partial = np.asarray(GEOD.inv(lon0, lat0, lon1, lat1)[2], dtype=float)
        out[inner] += np.minimum(partial, net.geod_cum[ii + 1] - net.geod_cum[ii])
    return out


def planar(net, s, part) -> np.ndarray:
    """Planar metres (work CRS) from the start of the river's first part."""
    i, f = net.locate(np.asarray(s, float), np.asarray(part, int))
    return net.planar_cum[i] + f * (net.planar_cum[i + 1] - net.planar_cum[i])
