"""The GeoPackage writer process (hzgeo.output.LayerWriter, hzgeo/_layer_process.py):
``hzgeo segment`` hands GDAL's part of writing each level to a second process while it
makes the next. The file must be the one written in turn, layer for layer and in the
same order; a failure there must stop the run with the error writing in turn would have
raised, and leave no file behind."""

from __future__ import annotations

import collections
import itertools
import os
import subprocess
import sys
import time
import weakref
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import hzgeo
from hzgeo import _layer_process as output_process
from hzgeo import output
from hzgeo._reaches import ReachWriter
from hzgeo.atomic import atomic_outputs
from hzgeo.cli import commands, main
from hzgeo.output import LayerWriter, write_layers

ROOT = Path(hzgeo.__file__).resolve().parent.parent


def _lines(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    xy = 109 + np.random.default_rng(seed).random((n, 5, 2))
    return gpd.GeoDataFrame({
        "code": [f"4508020010{i:06d}" for i in range(n)],
        "name": ["甲村与乙村交界处", "", "社区"] * (n // 3) + ["丙"] * (n % 3),
        "boundary": np.arange(n) % 2 == 0,
        "length_m": np.linspace(0.1, 1e6, n),
        "count": np.arange(n, dtype=np.int64),
    }, geometry=shapely.linestrings(xy), crs="EPSG:4490")


def _layers() -> dict:
    """What a run writes: reach layers of several batches, polygons, points, a plain
    table, an empty layer, and a layer the writer cannot take (missing text: written
    in this process, after the ones before it)."""
    polygons = _lines(3).set_geometry([shapely.box(109, 23, 109.1, 23.1)] * 3)
    return {
        "reaches_county": _lines(40_000, 1),  # three batches of 16,384 rows
        "reaches_township": _lines(5, 2),
        "zones_county": polygons,
        "points": _lines(2).set_geometry([shapely.Point(109, 23), shapely.Point(110, 24)]),
        "river_lengths": pd.DataFrame({"river_code": ["R1", "R2"], "length_m": [1.0, 2.0]}),
        "reaches_village": _lines(7, 3).assign(name=["甲", None, "乙", "丙", "丁", "戊", "己"]),
        "empty": _lines(3).iloc[:0],
        "slivers": _lines(4, 4),
    }


def _same_file(one: Path, other: Path) -> None:
    assert pyogrio.list_layers(one).tolist() == pyogrio.list_layers(other).tolist()
    for name, _ in pyogrio.list_layers(one):
        a, b = pyogrio.read_info(one, layer=name), pyogrio.read_info(other, layer=name)
        for key in ("fields", "dtypes", "ogr_types", "ogr_subtypes"):
            assert list(a[key]) == list(b[key]), (name, key)
        for key in ("geometry_type", "geometry_name", "crs", "features", "fid_column"):
            assert a[key] == b[key], (name, key)
        got, want = pyogrio.read_dataframe(one, layer=name), \
            pyogrio.read_dataframe(other, layer=name)
        if "geometry" in want:
            assert shapely.equals_exact(got.geometry.values, want.geometry.values, 0).all()
            got, want = got.drop(columns="geometry"), want.drop(columns="geometry")
        pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want))


def test_the_writer_process_writes_the_file_written_in_turn(tmp_path):
    layers = _layers()
    in_turn, handed = tmp_path / "in_turn.gpkg", tmp_path / "handed.gpkg"
    write_layers(layers, in_turn)
    with atomic_outputs() as outputs, LayerWriter() as writer:
        writer.start()
        assert writer.running()  # the layers do go to the process
        for name, frame in layers.items():  # one call per layer, as hzgeo segment does
            write_layers({name: frame}, handed, outputs=outputs, writer=writer)
        writer.wait()
    _same_file(handed, in_turn)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handed.gpkg", "in_turn.gpkg"]


@pytest.fixture
def every_size(monkeypatch):
    """``hzgeo segment`` hands its layers to the writer process whatever the size."""
    monkeypatch.setattr(commands, "LAYER_PROCESS_MIN_VILLAGES", 0)


def _started(monkeypatch) -> list:
    started: list = []
    real = LayerWriter.start
    monkeypatch.setattr(LayerWriter, "start", lambda self: started.append(1) or real(self))
    return started


def test_segment_writes_what_it_wrote_in_turn(tmp_path, monkeypatch, every_size):
    """The bundled data through ``hzgeo segment``: with the writer process and without
    (where it cannot start, every layer is written in this process)."""
    handed, in_turn = tmp_path / "handed.gpkg", tmp_path / "in_turn.gpkg"
    started = _started(monkeypatch)
    assert main(["segment", "--out", str(handed), "-q"]) == 0
    assert started

    def cannot_start(*args, **kwargs):
        raise OSError("no Python executable here")

    monkeypatch.setattr(output.subprocess, "Popen", cannot_start)
    assert main(["segment", "--out", str(in_turn), "-q"]) == 0
    _same_file(handed, in_turn)


def test_small_inputs_are_written_in_turn(tmp_path, monkeypatch):
    """Below LAYER_PROCESS_MIN_VILLAGES (the bundled city's 1,000-odd villages) no
    process is started: at that size it costs more than it hides."""
    started = _started(monkeypatch)
    assert main(["segment", "--out", str(tmp_path / "s.gpkg"), "-q"]) == 0
    assert not started
    monkeypatch.setattr(commands, "LAYER_PROCESS_MIN_VILLAGES", 1)
    assert main(["segment", "--out", str(tmp_path / "s.gpkg"), "-q"]) == 0
    assert started


@pytest.mark.parametrize("where", ["in turn", "writer process"])
def test_an_error_in_the_writer_is_the_error_written_in_turn(tmp_path, where):
    """GDAL's error, raised in the writer process, is raised here as the same exception
    with the same text (a folder that is not there)."""
    frame, path = _lines(3), tmp_path / "missing folder" / "out.gpkg"
    with pytest.raises(pyogrio.errors.DataSourceError) as caught:
        if where == "in turn":
            output._write_one(frame, path, "reaches")
        else:
            with LayerWriter() as writer:
                writer.start()
                output._write_one(frame, path, "reaches", writer)
                writer.wait()
    assert "unable to open database file" in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_failing_layer_in_the_writer_stops_segment_with_no_output(tmp_path, monkeypatch,
                                                                     capsys, every_size):
    """The third layer fails in the writer process (its CRS refused by GDAL) while the run
    goes on: the run stops with GDAL's error as writing in turn would have, exit 2; the
    earlier output is as it was and nothing else is left (no temporary file, no SQLite
    journal)."""
    out = tmp_path / "s.gpkg"
    out.write_bytes(b"an earlier result")
    real, calls = output._crs_text, []

    def third_refused(crs):
        calls.append(crs)
        return "EPSG:999999" if len(calls) == 3 else real(crs)

    monkeypatch.setattr(output, "_crs_text", third_refused)
    assert main(["segment", "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "hzgeo: error: CRSError: Could not set CRS: EPSG:999999" in err, err
    assert out.read_bytes() == b"an earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]


def test_a_writer_process_that_dies_is_a_clear_error(tmp_path):
    path = tmp_path / "out.gpkg"
    with pytest.raises(OSError, match="the GeoPackage writer process stopped before the "
                                      "output was written"):
        with atomic_outputs() as outputs, LayerWriter() as writer:
            writer.start()
            write_layers({"a": _lines(3)}, path, outputs=outputs, writer=writer)
            writer.wait()
            writer._process.kill()  # (killed by the system, out of memory)
            writer._process.wait()
            write_layers({"b": _lines(40_000)}, path, outputs=outputs, writer=writer)
            writer.wait()
    assert list(tmp_path.iterdir()) == []


def test_an_error_in_the_run_stops_the_writer_and_leaves_nothing(tmp_path):
    """The run fails while the writer is busy: the process is stopped (killed) before the
    temporary file is removed (on Windows an open file cannot be), and its journal too."""
    with pytest.raises(RuntimeError, match="the next level failed"):
        with atomic_outputs() as outputs, LayerWriter() as writer:
            writer.start()
            write_layers({"a": _lines(200_000)}, tmp_path / "out.gpkg", outputs=outputs,
                         writer=writer)
            process = writer._process
            for _ in range(1000):  # GDAL is writing: SQLite's journal is there
                if any(p.name.endswith("-journal") for p in tmp_path.iterdir()):
                    break
                time.sleep(0.01)
            assert process.poll() is None
            raise RuntimeError("the next level failed")
    assert process.poll() not in (None, 0)  # stopped, not let finish the layer
    assert list(tmp_path.iterdir()) == []


def test_the_writer_process_starts_as_on_windows(tmp_path):
    """Started as ``python -c`` with the module's file (no fork, no re-import of the
    caller's main module, which on Windows a spawned process would run again); it imports
    neither hzgeo nor geopandas, and `segment` runs with os.fork gone."""
    code = """
import os, sys
del os.fork  # as on Windows
from hzgeo.cli import main
status = main(["segment", "--out", "s.gpkg", "-q"])
print("status", status)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert "status 0" in done.stdout, done.stderr
    assert pyogrio.list_layers(tmp_path / "s.gpkg")[0][0] == "reaches_county"
    child = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u, sys; "
         "s = u.spec_from_file_location('w', sys.argv[1]); m = u.module_from_spec(s); "
         "s.loader.exec_module(m); import io; sys.stdin = io.TextIOWrapper(io.BytesIO("
         "m.message(b'Q'))); m.serve(); "
         "print(sorted(n for n in sys.modules if n.split('.')[0] in "
         "('hzgeo', 'geopandas', 'pandas', 'shapely') and sys.modules[n] is not None), "
         "file=sys.stderr)", str(ROOT / "hzgeo" / "_layer_process.py")],
        capture_output=True, timeout=60)
    assert child.stdout == b"R" + b"\0" * 8, child.stderr  # ready, then it quit
    assert child.stderr.decode().strip().splitlines()[-1] == "[]"


# -- levels in pieces: the writer process writes a level while the rest of it is made --


def _pieces(frame: gpd.GeoDataFrame, cuts: list[int]):
    """``frame`` as pieces cut at the rows ``cuts`` (equal cuts give an empty piece)."""
    edges = [0, *cuts, len(frame)]
    return (frame.iloc[a:b].reset_index(drop=True) for a, b in itertools.pairwise(edges))


@pytest.mark.parametrize("writer_runs", [True, False])
def test_a_layer_in_pieces_is_the_layer_written_whole(tmp_path, writer_runs):
    """Pieces of one table, some empty, some a batch long and more: to the writer process
    piece by piece, or (no writer) put together: the file of the table written whole."""
    frame, cuts = _lines(40_000, 1), [0, 0, 3, 20_000, 20_000, 36_384, 39_999]
    whole, pieces = tmp_path / "whole.gpkg", tmp_path / "pieces.gpkg"
    write_layers({"reaches_village": frame, "empty": frame.iloc[:0]}, whole)
    with atomic_outputs() as outputs, LayerWriter() as writer:
        if writer_runs:
            writer.start()
            assert writer.running()
        write_layers({"reaches_village": _pieces(frame, cuts)}, pieces, outputs=outputs,
                     writer=writer)
        write_layers({"empty": _pieces(frame.iloc[:0], [0])}, pieces, outputs=outputs,
                     writer=writer)
        writer.wait()
    _same_file(pieces, whole)


@pytest.mark.parametrize("writer_runs", [True, False])
def test_a_piece_unlike_the_first_is_refused(tmp_path, writer_runs):
    """The pieces are one stream of one layer: a piece whose columns are of other types
    stops the run (ValueError, not GDAL's text for a stream that failed), and nothing is
    left."""
    frame = _lines(100)
    odd = frame.iloc[50:].assign(count=frame["count"].iloc[50:].astype(float))
    with pytest.raises(ValueError, match="a piece of layer 'reaches' is not like the first"):
        with atomic_outputs() as outputs, LayerWriter() as writer:
            if writer_runs:
                writer.start()
            write_layers({"reaches": iter([frame.iloc[:50], odd])}, tmp_path / "out.gpkg",
                         outputs=outputs, writer=writer)
            writer.wait()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt, SystemExit])
def test_a_run_that_fails_between_pieces_here_leaves_nothing(tmp_path, error):
    """Written in this process, a piece that cannot be made, or a Ctrl-C while it is
    made, stops GDAL mid-layer: that very exception is raised (not GDAL's text, and not
    swallowed as the stream's end with a layer cut short), and no file is left."""
    def pieces():
        yield from _pieces(_lines(20_000, 5), [10_000])
        raise error("the next piece failed")

    with pytest.raises(error, match=r"^the next piece failed$"):
        with atomic_outputs() as outputs:
            write_layers({"reaches": pieces()}, tmp_path / "out.gpkg", outputs=outputs)
    assert list(tmp_path.iterdir()) == []


def test_gdal_writes_a_piece_before_the_next_is_made(tmp_path, monkeypatch):
    """In this process the pieces are not gathered first: GDAL's writer has begun (and
    asked for the first piece's rows) before the second piece is made."""
    writing, seen, real = [], [], pyogrio.write_arrow
    monkeypatch.setattr(pyogrio, "write_arrow",
                        lambda *args, **kw: writing.append(1) or real(*args, **kw))

    def pieces():
        for piece in _pieces(_lines(3_000, 6), [1_000, 2_000]):
            seen.append(bool(writing))
            yield piece

    write_layers({"reaches": pieces()}, tmp_path / "out.gpkg")
    assert seen == [False, True, True]


def test_a_run_that_fails_between_pieces_stops_the_writer_and_leaves_nothing(tmp_path):
    """The next piece cannot be made while the writer writes the ones before: the run's
    error, the writer killed, no file left: no journal, nor the R-tree GDAL builds
    beside the file (``<file>.tmp_rtree_<layer>.db``)."""
    def pieces():
        yield from _pieces(_lines(120_000, 5), [60_000])
        for _ in range(1000):  # GDAL is writing: its R-tree is being built beside
            if any(".tmp_rtree_" in p.name for p in tmp_path.iterdir()):
                break
            time.sleep(0.01)
        raise RuntimeError("the next piece failed")

    with pytest.raises(RuntimeError, match="the next piece failed"):
        with atomic_outputs() as outputs, LayerWriter() as writer:
            writer.start()
            process = writer._process
            write_layers({"reaches": pieces()}, tmp_path / "out.gpkg", outputs=outputs,
                         writer=writer)
    assert process.poll() not in (None, 0)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def small_pieces(monkeypatch) -> collections.Counter:
    """``hzgeo segment`` makes each level in pieces of about 7 runs (the bundled city's
    400-odd village reaches in tens of pieces); counts the pieces made, by level."""
    monkeypatch.setattr(commands, "LEVEL_PIECE_RUNS", 7)
    made: collections.Counter = collections.Counter()
    real = ReachWriter._piece

    def counted(self, runs, first, labels):
        made[labels.level] += 1
        return real(self, runs, first, labels)

    monkeypatch.setattr(ReachWriter, "_piece", counted)
    return made


def test_segment_in_pieces_writes_what_it_wrote_whole(tmp_path, monkeypatch, every_size,
                                                      small_pieces):
    """Each level made and written piece by piece, by the writer process and in this
    process: the file written with each level whole and in turn, row for row."""
    handed, here, whole = (tmp_path / f"{name}.gpkg" for name in ("handed", "here", "whole"))
    started = _started(monkeypatch)
    assert main(["segment", "--out", str(handed), "-q"]) == 0
    assert started and min(small_pieces.values()) > 1 and small_pieces["village"] > 10
    made = dict(small_pieces)
    small_pieces.clear()
    monkeypatch.setattr(commands, "LAYER_PROCESS_MIN_VILLAGES", 10**9)  # (no process)
    assert main(["segment", "--out", str(here), "-q"]) == 0
    assert dict(small_pieces) == made and len(started) == 1
    small_pieces.clear()
    monkeypatch.setattr(commands, "LEVEL_PIECE_RUNS", 10**9)
    assert main(["segment", "--out", str(whole), "-q"]) == 0
    assert dict(small_pieces) == {"county": 1, "township": 1, "village": 1}
    _same_file(handed, whole)
    _same_file(here, whole)


@pytest.mark.parametrize("writer_runs", [True, False])
def test_no_more_than_a_piece_is_held(tmp_path, writer_runs):
    """Each piece is taken when the rows before it are written and let go once its
    batches are made, by the writer process or here: when a piece is made, the ones
    two before it are gone (not gathered and written at the end)."""
    frame, alive, seen = _lines(3_000, 6), [], []

    def pieces():
        for number, piece in enumerate(_pieces(frame, list(range(500, 3_000, 500)))):
            seen.append(sum(ref() is not None for ref in alive[:max(number - 1, 0)]))
            alive.append(weakref.ref(piece))
            yield piece
            del piece

    out, whole = tmp_path / "pieces.gpkg", tmp_path / "whole.gpkg"
    with atomic_outputs() as outputs, LayerWriter() as writer:
        if writer_runs:
            writer.start()
            assert writer.running()
        write_layers({"reaches": pieces()}, out, outputs=outputs, writer=writer)
        writer.wait()
    assert len(seen) == 6 and seen == [0] * 6
    write_layers({"reaches": frame}, whole)
    _same_file(out, whole)


def test_a_piece_that_fails_stops_segment_with_no_output(tmp_path, monkeypatch, capsys,
                                                        every_size, small_pieces):
    """A village piece cannot be made while the writer process writes the ones before it:
    the run stops with that error, exit 2; the writer process is killed; the earlier
    output is as it was and nothing else is left."""
    out = tmp_path / "s.gpkg"
    out.write_bytes(b"an earlier result")
    started, real_popen = [], output.subprocess.Popen
    monkeypatch.setattr(output.subprocess, "Popen",
                        lambda *args, **kw: started.append(real_popen(*args, **kw))
                        or started[-1])
    real = ReachWriter._piece

    def fifth_fails(self, runs, first, labels):
        if labels.level == "village" and small_pieces["village"] == 5:
            raise RuntimeError("the fifth village piece failed")
        return real(self, runs, first, labels)

    monkeypatch.setattr(ReachWriter, "_piece", fifth_fails)
    assert main(["segment", "--out", str(out), "-q"]) == 2
    assert "RuntimeError: the fifth village piece failed" in capsys.readouterr().err
    assert len(started) == 1 and started[0].poll() not in (None, 0)
    assert out.read_bytes() == b"an earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]


@pytest.mark.parametrize("given", [None, "64"])
def test_the_writer_process_gives_sqlite_a_page_cache(given):
    """GDAL's SQLite connections in the writer process get SQLITE_CACHE_MB of page cache
    (a layer's R-tree of millions of rows thrashes SQLite's default 2 MB), unless the
    user set OGR_SQLITE_CACHE."""
    env = {k: v for k, v in os.environ.items() if k != "OGR_SQLITE_CACHE"}
    if given is not None:
        env["OGR_SQLITE_CACHE"] = given
    child = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u, os, sys; "
         "s = u.spec_from_file_location('w', sys.argv[1]); m = u.module_from_spec(s); "
         "s.loader.exec_module(m); import io; sys.stdin = io.TextIOWrapper(io.BytesIO("
         "m.message(b'Q'))); m.serve(); print(os.environ['OGR_SQLITE_CACHE'], "
         "file=sys.stderr)", str(ROOT / "hzgeo" / "_layer_process.py")],
        capture_output=True, timeout=60, env=env)
    want = given or str(output_process.SQLITE_CACHE_MB)
    assert child.stderr.decode().strip().splitlines()[-1] == want, child.stderr
