"""A toy region with exact answers.

Four 1 km x 1 km villages in a row (EPSG:4546, about 100 km west of its central
meridian), two townships of two villages, one county::

    y = 1000 +--------+--------+--------+--------+
             | V11    | V12    | V21    | V22    |
    y = 0    +--------+--------+--------+--------+
             x=0      1000     2000     3000     4000   (+ X0, Y0)
               township T1       township T2
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer

from hzgeo.io import Boundaries, Waters
from hzgeo.model import Chiefs

X0, Y0 = 400_000.0, 2_560_000.0
CRS = "EPSG:4546"
V = ["450802001001", "450802001002", "450802002001", "450802002002"]
T = ["450802001", "450802002"]
_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True)
_GEOD = Geod(ellps="GRS80")


def box(x0, x1, y0=0.0, y1=1000.0):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def line(*points):
    """A LineString from local (x, y) points."""
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in points])


def geodesic(geom) -> float:
    """Independent geodesic length of a local-CRS line (pyproj on the lon/lat vertices)."""
    total = 0.0
    for part in shapely.get_parts(geom):
        xy = shapely.get_coordinates(part)
        lon, lat = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
        total += _GEOD.line_length(lon, lat)
    return total


def make_boundaries(villages: gpd.GeoDataFrame | None = None) -> Boundaries:
    if villages is None:
        villages = gpd.GeoDataFrame(
            {"code": V, "name": ["一村", "二村", "三村", "四村"],
             "parent_code": [T[0], T[0], T[1], T[1]], "synthetic": True},
            geometry=[box(0, 1000), box(1000, 2000), box(2000, 3000), box(3000, 4000)],
            crs=CRS)
    townships = gpd.GeoDataFrame(
        {"code": T, "name": ["甲镇", "乙镇"], "parent_code": ["450802"] * 2, "synthetic": True},
        geometry=[box(0, 2000), box(2000, 4000)], crs=CRS)
    county = gpd.GeoDataFrame({"code": ["450802"], "name": ["港北区"], "parent_code": ["450800"],
                               "synthetic": True}, geometry=[box(0, 4000)], crs=CRS)
    return Boundaries({"county": county, "township": townships, "village": villages})


def make_waters(*geoms, codes=None, names=None, flows_into=None, accuracy=None,
                lakes=None) -> Waters:
    n = len(geoms)
    rivers = gpd.GeoDataFrame(
        {"river_code": codes or [f"R{i + 1}" for i in range(n)],
         "name": names or [f"河{i + 1}" for i in range(n)],
         "main": True, "main_river": names or [f"河{i + 1}" for i in range(n)],
         "flows_into": flows_into or [""] * n,
         "accuracy_m": accuracy or [np.nan] * n, "synthetic": False},
        geometry=list(geoms), crs=CRS)
    if lakes is None:
        lakes = gpd.GeoDataFrame({"code": [], "name": []}, geometry=gpd.GeoSeries([], crs=CRS),
                                 crs=CRS)
    return Waters(rivers, lakes)




def make_chiefs(reaches, zones, *, total_chiefs=None, city_chiefs=None, joint_meetings=None,
                vacancies=None, offices=None, rules=None) -> Chiefs:
    """A hand-made :class:`hzgeo.Chiefs`: the frames not given are empty, with the columns
    of their schema; ``rules`` default to the bundled ones."""
    from hzgeo import model
    from hzgeo.chiefs import read_rules

    def given(frame, columns):
        return pd.DataFrame(columns=columns) if frame is None else frame

    return Chiefs(reaches, zones, given(total_chiefs, model.TOTAL_CHIEF_COLUMNS),
                  given(city_chiefs, model.CITY_CHIEF_COLUMNS),
                  given(joint_meetings, model.JOINT_MEETING_COLUMNS),
                  given(vacancies, model.VACANCY_COLUMNS), given(offices, model.OFFICE_COLUMNS),
                  read_rules() if rules is None else rules)
