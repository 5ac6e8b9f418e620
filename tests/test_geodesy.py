"""Geodesic lengths and areas: agree with pyproj's geodesic (Karney) everywhere."""

from __future__ import annotations

import numpy as np
import shapely

from hzgeo.geodesy import GEOD, SHORT_SEGMENT_M, geodesic_area, geodesic_length, segment_lengths


def test_segment_lengths_match_karney_at_every_scale():
    rng = np.random.default_rng(3)
    for scale_deg in (1e-6, 1e-4, 1e-3, 1e-2, 1.0):  # 0.1 m to 100 km
        lon = 109 + np.cumsum(rng.normal(0, scale_deg, 2000))
        lat = 23 + np.cumsum(rng.normal(0, scale_deg, 2000))
        exact = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]
        np.testing.assert_allclose(segment_lengths(lon, lat), exact, rtol=1e-9, atol=1e-8)  # 10 nm


def test_short_threshold_is_where_it_says():
    assert SHORT_SEGMENT_M <= 50  # the 1e-9 test above covers the formula up to here


def test_length_and_area_of_geometries():
    line = shapely.LineString([(109.0, 23.0), (109.0, 23.1)])
    assert abs(geodesic_length([line])[0] - GEOD.geometry_length(line)) < 1e-6
    square = shapely.box(109.0, 23.0, 109.1, 23.1)
    reversed_square = shapely.reverse(square)  # clockwise: area stays positive
    assert geodesic_area([square])[0] == geodesic_area([reversed_square])[0] > 1e8
