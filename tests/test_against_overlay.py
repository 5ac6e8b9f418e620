"""hzgeo against geopandas.overlay on a synthetic region (benchmarks/make_region.py).

Away from borders the two must agree to the micrometre, river by river and village by
village; along borders overlay counts the river twice and hzgeo once.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

import hzgeo
from hzgeo.geodesy import geodesic_length
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


def test_matches_overlay_away_from_borders_and_counts_borders_once(region):
    boundaries, waters = region
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hzgeo.SliverWarning)
        seg = hzgeo.segment_waters(boundaries, waters, min_length=0, boundary_tolerance=0.01)
    village = seg.reaches["village"]
    ours = village.groupby(["river_code", "admin_code"])["length_m"].sum()
    pieces = gpd.overlay(waters.rivers, boundaries["village"][["code", "geometry"]],
                         keep_geom_type=True).to_crs("EPSG:4490")
    pieces["length_m"] = geodesic_length(pieces.geometry.values)
    theirs = pieces.groupby(["river_code", "code"])["length_m"].sum()
    theirs.index.names = ours.index.names
    per_river = theirs.groupby(level=0).sum() - ours.groupby(level=0).sum()
    plain = per_river.index[per_river.abs() < 1e-6]
    border = per_river.index[per_river > 1.0]
    assert len(plain) >= 5 and len(border) >= 1, "the region has both kinds of river"
    a = theirs[theirs.index.get_level_values(0).isin(plain)]
    b = ours.reindex(a.index)
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=0, atol=1e-6)
    # along borders overlay doubles what hzgeo counts once
    truth = seg.river_lengths.set_index("river_code")["length_m"]
    once = village[village["primary"]].groupby("river_code")["length_m"].sum()
    np.testing.assert_allclose(once[border], truth[border], rtol=1e-9)
    assert (theirs.groupby(level=0).sum()[border] > truth[border] + 1.0).all()
