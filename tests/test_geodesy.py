"""Geodesic lengths and areas against values computed by hand from the ellipsoid's own
formulas (not against the pyproj call that hzgeo wraps)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from hzgeo.geodesy import SHORT_SEGMENT_M, geodesic_area, geodesic_length, segment_lengths

A = 6_378_137.0  # CGCS2000 / GRS80 semi-major axis (m)
F = 1 / 298.257222101  # CGCS2000 flattening
E2 = F * (2 - F)


def meridian_arc(lat_deg: float) -> float:
    """Metres along a meridian from the equator to ``lat_deg``: the classical series
    (Helmert) in e², to e^8, whose truncation error is below 1e-12 relative."""
    phi = math.radians(lat_deg)
    e4, e6, e8 = E2 * E2, E2 ** 3, E2 ** 4
    c0 = 1 - E2 / 4 - 3 * e4 / 64 - 5 * e6 / 256 - 175 * e8 / 16384
    c2 = 3 / 8 * (E2 + e4 / 4 + 15 * e6 / 128 - 455 * e8 / 4096)
    c4 = 15 / 256 * (e4 + 3 * e6 / 4 - 77 * e8 / 128)
    c6 = 35 / 3072 * (e6 - 41 * e8 / 32)
    c8 = -315 / 131072 * e8
    return A * (c0 * phi - c2 * math.sin(2 * phi) + c4 * math.sin(4 * phi)
                - c6 * math.sin(6 * phi) + c8 * math.sin(8 * phi))


def test_meridian_arc_of_the_series_is_right():
    """The series itself, against the published quarter meridian of GRS80, 10 001 965.729 m
    (Moritz, Geodetic Reference System 1980, Bulletin Géodésique 54, 1980)."""
    assert meridian_arc(90.0) == pytest.approx(10_001_965.729, abs=1e-3)


@pytest.mark.parametrize("step_deg", [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1])  # 0.1 m to 11 km
def test_segments_along_a_meridian_match_the_meridian_arc(step_deg):
    lat = 23.0 + np.arange(0, 50) * step_deg
    lon = np.full(len(lat), 109.6)
    want = np.diff([meridian_arc(x) for x in lat])
    # atol: the difference of two arcs of 2,500 km carries ~1e-9 m of rounding
    np.testing.assert_allclose(segment_lengths(lon, lat), want, rtol=1e-9, atol=5e-9)


def test_short_formula_covers_the_segments_tested_against_the_arc():
    # 1e-6 .. 1e-4 degree steps (0.1 to 11 m) run on the radii of curvature, the longer
    # ones on pyproj's geodesic: both are tested against the arc above
    assert 11.1 < SHORT_SEGMENT_M < 1e-2 * 111_000


def test_along_the_equator_is_a_times_the_longitude_difference():
    """The equator is a geodesic (for less than (1 - f) 180 degrees): length a dλ."""
    line = shapely.LineString([(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (30.0, 0.0)])
    assert geodesic_length([line])[0] == pytest.approx(A * math.radians(30.0), rel=1e-12)
    lengths = segment_lengths(np.array([109.0, 109.0001, 109.0002]), np.zeros(3))
    np.testing.assert_allclose(lengths, A * math.radians(1e-4), rtol=1e-9)


def test_multilinestring_length_adds_its_parts():
    m = shapely.MultiLineString([[(109.6, 23.0), (109.6, 23.1)], [(109.6, 24.0), (109.6, 24.2)]])
    want = (meridian_arc(23.1) - meridian_arc(23.0)) + (meridian_arc(24.2) - meridian_arc(24.0))
    assert geodesic_length([m])[0] == pytest.approx(want, rel=1e-9)
    assert geodesic_length([None, shapely.LineString()]).tolist() == [0.0, 0.0]


def quadrangle_area(lon0, lat0, lon1, lat1) -> float:
    """Area between two meridians and two parallels on the ellipsoid (closed form)."""
    e = math.sqrt(E2)
    b2 = (A * (1 - F)) ** 2

    def q(lat):
        s = math.sin(math.radians(lat))
        return s / (1 - E2 * s * s) + math.log((1 + e * s) / (1 - e * s)) / (2 * e)

    return b2 / 2 * math.radians(lon1 - lon0) * (q(lat1) - q(lat0))


def test_area_of_a_thin_quadrangle():
    """A 0.01 x 0.1 degree box: its east-west sides are geodesics, not parallels, and
    bulge poleward by ~1 cm, which changes the area by ~5e-7 relative."""
    square = shapely.box(109.6, 23.0, 109.61, 23.1)
    want = quadrangle_area(109.6, 23.0, 109.61, 23.1)
    assert geodesic_area([square])[0] == pytest.approx(want, rel=2e-6)
    assert geodesic_area([shapely.reverse(square)])[0] == geodesic_area([square])[0]
