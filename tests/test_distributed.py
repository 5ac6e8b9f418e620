"""Segmentation county by county on dask.distributed equals the single-process result.

Two local worker processes (as a cluster of machines would run it, each county's task
pickled to another process). The bundled sample has 5 counties, rivers that cross from one
to another and 界河 on county borders, so the county partition cuts through all of them.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from toy import line, make_waters

from hzgeo import datasets, segment_waters
from hzgeo._crossings import coverage_edges, crossings
from hzgeo._network import RiverNetwork
from hzgeo._shared import following_pairs
from hzgeo.distributed import cut_by_county, local_client
from hzgeo.errors import HzgeoWarning, InputError
from hzgeo.io import work_crs_for


@pytest.fixture(scope="module")
def client():
    with local_client(2) as client:
        yield client


@pytest.fixture(scope="module")
def sample():
    return datasets.guigang()


def _segment(boundaries, waters, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HzgeoWarning)
        return segment_waters(boundaries, waters, **kwargs)


def _assert_same_layers(one, other, tol=1e-9):
    for name, frame in one.layers().items():
        got = other.layers()[name]
        assert list(got.columns) == list(frame.columns), name
        assert len(got) == len(frame), name
        for column in frame.columns:
            if column == "geometry":
                a = shapely.get_coordinates(frame.geometry.values)
                b = shapely.get_coordinates(got.geometry.values)
                assert a.shape == b.shape, name
                assert np.abs(a - b).max(initial=0.0) <= tol, name
            elif frame[column].dtype.kind == "f":
                np.testing.assert_allclose(got[column].to_numpy(), frame[column].to_numpy(),
                                           rtol=0, atol=tol, err_msg=f"{name}.{column}")
            else:
                assert got[column].tolist() == frame[column].tolist(), f"{name}.{column}"


def test_distributed_segmentation_equals_single_process(client, sample):
    boundaries, waters = sample
    single = _segment(boundaries, waters)
    county = single.reaches["county"]
    # the partition is not trivial: rivers cross counties, 界河 run on county borders
    assert county["boundary"].sum() >= 4
    assert (county.groupby("river_code")["admin_code"].nunique() > 1).sum() >= 4
    _assert_same_layers(single, _segment(boundaries, waters, client=client))


def test_county_tasks_give_the_coverage_edges_pairs_and_crossings(client, sample):
    """The arrays the workers make, combined, are those of the whole coverage: every edge
    once with both its units, the same crossings, and the same (segment, edge) pairs that
    may follow a shared edge."""
    boundaries, waters = sample
    crs = work_crs_for(boundaries["village"])
    villages = boundaries["village"].to_crs(crs).geometry.values
    rivers = waters.rivers.to_crs(crs)
    from pyproj import Transformer

    net = RiverNetwork(rivers.geometry.values,
                       Transformer.from_crs(crs, "EPSG:4490", always_xy=True))
    tol = np.full(len(net.part_start), 20.0)
    edges, lo, hi, left = coverage_edges(villages)
    seg, ei = net.segment_pairs(edges, distance=tol)
    cut_s, cut_part = crossings(net, edges, seg, ei)
    county = boundaries["village"]["code"].str[:6].to_numpy()
    got = cut_by_county(net, villages, np.unique(county, return_inverse=True)[1], tol,
                        client=client)
    np.testing.assert_array_equal(got[0], edges)
    for mine, theirs in zip(got[1:4], (lo, hi, left), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    assert (hi >= 0).sum() > 1000  # shared edges, some on county borders
    seg, ei = following_pairs(net, seg, ei, edges, hi, tol)
    assert len(seg) > 100  # pairs along shared edges, to be sampled for 界河
    assert sorted(zip(got[4].tolist(), got[5].tolist(), strict=True)) == sorted(
        zip(seg.tolist(), ei.tolist(), strict=True))
    assert sorted(zip(got[7].tolist(), got[6].tolist(), strict=True)) == sorted(
        zip(cut_part.tolist(), cut_s.tolist(), strict=True))


def test_workers_option_runs_its_own_cluster(boundaries):
    """``workers=2``: a local cluster for one call (the toy region of tests/toy.py, a river
    across the four villages and one along the border of the two townships)."""
    waters = make_waters(line((-100, 500), (4100, 500)), line((2000, -50), (2000, 1050)))
    single = _segment(boundaries, waters)
    _assert_same_layers(single, _segment(boundaries, waters, workers=2))


def test_a_scheduler_address_connects_to_that_cluster(client, boundaries):
    """``client="tcp://..."``: the running scheduler at that address (here the module's)."""
    waters = make_waters(line((-100, 300), (4100, 700)), line((1000, -50), (1000, 1050)))
    single = _segment(boundaries, waters)
    _assert_same_layers(single, _segment(boundaries, waters, client=client.scheduler.address))


def test_an_unreachable_scheduler_is_named(boundaries, monkeypatch):
    import hzgeo.distributed

    monkeypatch.setattr(hzgeo.distributed, "CONNECT_TIMEOUT", "1s")
    waters = make_waters(line((-100, 500), (4100, 500)))
    with pytest.raises(InputError, match=r"cannot reach the dask scheduler at tcp://127\.0\.0\.1:9"):
        _segment(boundaries, waters, client="tcp://127.0.0.1:9")


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_workers_must_be_a_positive_whole_number(workers):
    with pytest.raises(InputError, match="workers must be a positive whole number"):
        with local_client(workers):
            pass


def test_segment_command_on_a_scheduler_writes_what_it_writes_alone(client, tmp_path):
    """``hzgeo segment --scheduler ADDRESS``: the same GeoPackage, layer by layer, as the
    command without it (the bundled sample: 界河 on county borders, rivers across them)."""
    import geopandas as gpd

    from hzgeo.cli import main
    from hzgeo.output import read_layer_names

    alone, spread = tmp_path / "alone.gpkg", tmp_path / "spread.gpkg"
    assert main(["segment", "--out", str(alone), "-q"]) == 0
    assert main(["segment", "--scheduler", client.scheduler.address, "--out", str(spread),
                 "-q"]) == 0
    names = read_layer_names(alone)
    assert read_layer_names(spread) == names and "reaches_village" in names
    for name in names:
        a, b = gpd.read_file(alone, layer=name), gpd.read_file(spread, layer=name)
        assert list(a.columns) == list(b.columns) and len(a) == len(b), name
        if "geometry" in a:
            assert np.abs(shapely.get_coordinates(a.geometry.values)
                          - shapely.get_coordinates(b.geometry.values)).max(initial=0) <= 1e-9
        plain = [c for c in a.columns if c != "geometry"]
        assert a[plain].equals(b[plain]), name


def test_segment_command_refuses_no_workers(capsys):
    from hzgeo.cli import main

    assert main(["segment", "--workers", "0", "--out", "x.gpkg"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_segment_command_names_an_unreachable_scheduler(tmp_path, capsys, monkeypatch):
    from hzgeo import distributed
    from hzgeo.cli import main

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    out = tmp_path / "r.gpkg"
    assert main(["segment", "--scheduler", "tcp://127.0.0.1:9", "--out", str(out), "-q"]) == 2
    assert "cannot reach the dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
    assert not out.exists()
