"""Measures along the river network: planar and geodesic chainage of positions ``s``.

Chainage is kept as cumulative sums per vertex (built once, :func:`cumulative`); a
position between vertices adds the geodesic from the segment's first vertex to the
point, so the chainage of a cut point is exact on the ellipsoid and monotone in ``s``.
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer

from hzgeo._threads import in_threads
from hzgeo.geodesy import GEOD, segment_lengths

__all__ = ["chainage", "cumulative", "lonlat", "planar"]

#: Vertices transformed and measured at a time.
_CHUNK = 65_536


def cumulative(xy: np.ndarray, seg_ok: np.ndarray, to_lonlat: Transformer):
    """The cumulative planar and geodesic metres at every vertex (the lon/lat the
    geodesic is measured in is let go chunk by chunk: :func:`lonlat` makes it again).

    ``seg_ok[i]``: the segment from vertex ``i`` to ``i + 1`` exists (both in one part);
    elsewhere the step is 0, so each part's measures start where the last one ended.

    Examples
    --------
    >>> from pyproj import Transformer
    >>> t = Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True)
    >>> xy = np.array([[400000.0, 2560000.0], [400100.0, 2560000.0], [400100.0, 2560100.0]])
    >>> planar_cum, geod_cum = cumulative(xy, np.array([True, True]), t)
    >>> planar_cum.tolist()
    [0.0, 100.0, 200.0]
    """
    n = len(xy)
    if n < 2:
        return np.zeros(max(n, 1)), np.zeros(max(n, 1))
    planar_cum = np.empty(n)
    geod_cum = np.empty(n)
    planar_cum[0] = geod_cum[0] = 0.0

    def measure(lo: int) -> None:
        hi = min(lo + _CHUNK, n - 1)  # segments lo .. hi - 1, vertices lo .. hi
        chunk = xy[lo:hi + 1]
        step = chunk[1:] - chunk[:-1]
        planar_step = np.hypot(step[:, 0], step[:, 1])
        lon, lat = to_lonlat.transform(chunk[:, 0], chunk[:, 1])
        geodesic = segment_lengths(lon, lat)
        ok = seg_ok[lo:hi]
        planar_cum[lo + 1:hi + 1] = np.where(ok, planar_step, 0.0)
        geod_cum[lo + 1:hi + 1] = np.where(ok, geodesic, 0.0)

    # in chunks of vertices (the last of one is the first of the next): the temporaries
    # of the transformation and of the geodesic stay a few MB at any size; on two
    # threads (PROJ, the geodesic and numpy release the GIL), each chunk written to its
    # own slice: the same arrays
    in_threads(measure, range(0, n - 1, _CHUNK))
    np.cumsum(planar_cum, out=planar_cum)
    np.cumsum(geod_cum, out=geod_cum)
    return planar_cum, geod_cum


def lonlat(xy: np.ndarray, to_lonlat: Transformer) -> np.ndarray:
    """Every vertex transformed, in chunks on two threads: the same numbers as the
    chunks :func:`cumulative` measures in (a point's transformation is the point's alone).

    >>> from pyproj import Transformer
    >>> t = Transformer.from_crs("EPSG:4546", "EPSG:4490", always_xy=True)
    >>> lonlat(np.array([[500000.0, 0.0]]), t).tolist()
    [[111.0, 0.0]]
    """
    out = np.empty((len(xy), 2))

    def transform(lo: int) -> None:
        chunk = xy[lo:lo + _CHUNK]
        out[lo:lo + _CHUNK, 0], out[lo:lo + _CHUNK, 1] = to_lonlat.transform(chunk[:, 0],
                                                                               chunk[:, 1])

    in_threads(transform, range(0, len(xy), _CHUNK))
    return out


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
