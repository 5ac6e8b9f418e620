"""hzgeo against geopandas.overlay on a synthetic region (benchmarks/make_region.py).

Which (river, village) pairs are compared is decided before comparing, from hzgeo's own
output and overlay's (see ``check_against_overlay`` in test_properties.py): every pair
except where a 界河 or a listed sliver of hzgeo, or a stretch that overlay puts in two
villages, explains a difference. Those must agree to 1e-9 relative; every river's
reaches, counted once, add up to its length in the region measured independently
(shapely intersection, pyproj.Geod on the vertices).
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from test_properties import check_against_overlay, check_conservation, geodesic

import hzgeo
from hzgeo.io import Boundaries, Waters

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def region():
    spec = importlib.util.spec_from_file_location("make_region",
                                                  ROOT / "benchmarks" / "make_region.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    levels, rivers = module.make_region(300, seed=7)
    return Boundaries(levels), Waters(rivers, rivers.iloc[:0])


@pytest.mark.parametrize(("min_length", "tolerance"), [(0, 0.01), (30, None)])
def test_matches_overlay_except_where_explained_and_counts_borders_once(region, min_length,
                                                                       tolerance):
    boundaries, waters = region
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hzgeo.SliverWarning)
        seg = hzgeo.segment_waters(boundaries, waters, min_length=min_length,
                                   boundary_tolerance=tolerance)
    check_conservation(boundaries, waters, seg)
    compared, total = check_against_overlay(boundaries, waters, seg)
    assert compared >= 0.5 * total, f"only {compared} of {total} pairs compared"
    # rivers laid along township borders: overlay counts them in both townships
    pieces = gpd.overlay(waters.rivers, boundaries["village"][["code", "geometry"]],
                         keep_geom_type=True)
    overlay_total = pieces.groupby("river_code").geometry.agg(
        lambda g: sum(geodesic(x) for x in g))
    region_geom = shapely.union_all(boundaries["village"].geometry.values)
    truth = waters.rivers.set_index("river_code").geometry.map(
        lambda g: geodesic(shapely.intersection(g, region_geom)))
    doubled = overlay_total.index[overlay_total > truth[overlay_total.index] + 1.0]
    assert len(doubled) >= 1, "the region has rivers along borders"
    once = seg.reaches["village"].query("primary").groupby("river_code")["length_m"].sum()
    np.testing.assert_allclose(once[doubled], truth[doubled], rtol=1e-9)
