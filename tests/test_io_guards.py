"""io behaviours that the segmentation relies on, each pinned by a test that fails if a
one-line change breaks it (the work CRS's hemisphere; the UTF-8 guess for shapefiles
without .cpg)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from toy import make_boundaries

import hzgeo
from hzgeo.io import read_boundaries, work_crs_for


@pytest.mark.parametrize(("lon", "lat", "epsg"), [
    (109.6, 23.1, 4546),  # Guigang: CGCS2000 3-degree GK, CM 111E ((111 - 75) / 3 + 4534)
    (20.5, -30.0, 32734),  # South Africa: UTM 34S (zone 1 + 200.5 // 6 = 34; south: 327xx)
    (-70.0, -33.4, 32719),  # Santiago: UTM 19S
    (10.0, 50.0, 32632),  # Germany: UTM 32N
    (151.2, -33.9, 32756),  # Sydney: 56S
])
def test_work_crs_outside_china_is_the_utm_zone_of_the_right_hemisphere(lon, lat, epsg):
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(lon, lat)], crs="EPSG:4490")
    assert work_crs_for(frame).to_epsg() == epsg


def test_utf8_shapefile_without_cpg_reads_as_chinese(tmp_path):
    """UTF-8 is tried first: its bytes would also decode as GB18030, into nonsense."""
    villages = make_boundaries()["village"].rename(columns={"code": "XZQDM", "name": "村名"})
    villages[["XZQDM", "村名", "geometry"]].to_file(tmp_path / "cun.shp", encoding="UTF-8")
    (tmp_path / "cun.cpg").unlink()
    with pytest.warns(hzgeo.HzgeoWarning) as said:  # also: units above named by codes
        loaded = read_boundaries({"village": tmp_path / "cun.shp"},
                                 columns={"code": "XZQDM", "name": "村名"})
    assert any("no .cpg file" in str(w.message) and "read as UTF-8" in str(w.message)
               for w in said)
    assert loaded["village"]["name"].tolist() == ["一村", "二村", "三村", "四村"]
