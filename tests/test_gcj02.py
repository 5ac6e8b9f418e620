"""GCJ-02 <-> WGS84 against the real converted county polygons."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod

from hzgeo.gcj02 import gcj02_to_wgs84, geometry_gcj02_to_wgs84, wgs84_to_gcj02

DATA = Path(__file__).parent / "data"
GEOD = Geod(ellps="WGS84")


def _metres(lon0, lat0, lon1, lat1):
    return GEOD.inv(lon0, lat0, lon1, lat1)[2]


def test_matches_the_converted_counties():
    gcj = gpd.read_file(DATA / "guigang_counties_cnmaps_gcj02.geojson")
    wgs = gpd.read_file(DATA / "guigang_counties_cnmaps_wgs84.geojson")
    moved = shapely.get_coordinates(geometry_gcj02_to_wgs84(gcj.geometry.values))
    want = shapely.get_coordinates(wgs.geometry.values)
    err = _metres(moved[:, 0], moved[:, 1], want[:, 0], want[:, 1])
    assert err.max() < 0.1  # the files round to 1e-6 degrees (about 0.1 m)
    shift = _metres(*shapely.get_coordinates(gcj.geometry.values).T, *want.T)
    assert 400 < np.median(shift) < 700, "GCJ-02 is hundreds of metres off here"


def test_inverse_round_trip_under_a_millimetre():
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(74, 134, 1000), rng.uniform(18, 53, 1000)
    glon, glat = wgs84_to_gcj02(lon, lat)
    back = gcj02_to_wgs84(glon, glat)
    assert np.max(_metres(lon, lat, *back)) < 1e-3


def test_outside_china_is_not_shifted():
    lon, lat = wgs84_to_gcj02([2.35], [48.85])
    assert (lon[0], lat[0]) == (2.35, 48.85)
