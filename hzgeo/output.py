"""Write result layers: one GeoPackage with many layers, through the atomic writer.

Examples
--------
>>> import tempfile, pathlib, geopandas, shapely
>>> path = pathlib.Path(tempfile.mkdtemp()) / "out.gpkg"
>>> frame = geopandas.GeoDataFrame({"code": ["A"]}, geometry=[shapely.Point(109, 23)],
...                                crs="EPSG:4490")
>>> mixed = geopandas.GeoDataFrame({"code": ["A", "B"]}, crs="EPSG:4490",
...     geometry=[shapely.Point(109, 23), shapely.box(109, 23, 110, 24)])
>>> write_layers({"points": frame, "empty": frame.iloc[:0], "mixed": mixed}, path)
>>> sorted(read_layer_names(path))
['empty', 'mixed', 'points']
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pickle
import queue
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import geopandas as gpd
import pandas as pd
import pyogrio

from hzgeo._arrow import GEOMETRY_COLUMN, IpcWriter, LazyStream, arrow_batches, arrow_stream
from hzgeo._layer_process import HEAD, message, read_message
from hzgeo._stages import stage
from hzgeo.atomic import AtomicOutputs, atomic_outputs, check_output_path

__all__ = ["GPKG_OPTIONS", "LayerWriter", "read_layer_names", "write_layers"]

#: GDAL options for every GeoPackage hzgeo writes: version 1.2, which GDAL 3.6 and older
#: QGIS read without "user_version ... 1.4.0 may only be partially supported" (GDAL 3.7+
#: writes 1.4 by default; hzgeo uses nothing of 1.3/1.4).
GPKG_OPTIONS = {"VERSION": "1.2"}

#: GDAL's Arrow writer (GDAL 3.8+; pyogrio's wheels carry a newer one).
_ARROW_WRITE = pyogrio.__gdal_version__ >= (3, 8, 0)

_GEOMETRY_TYPE = {"LineString": "MultiLineString", "MultiLineString": "MultiLineString",
                  "Polygon": "MultiPolygon", "MultiPolygon": "MultiPolygon",
                  "Point": "Point"}


def _write_one(frame, tmp, layer: str, writer: LayerWriter | None = None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if isinstance(frame, gpd.GeoDataFrame):
            kind, options = _geometry_options(frame)
            if writer is not None and writer.running() and _ARROW_WRITE \
                    and kind != "Unknown":
                batches = arrow_batches(frame, kind)
                if batches is not None:  # GDAL's part in the writer process
                    writer.send(batches, tmp, layer, options)
                    return
            if writer is not None:  # written here: after what the writer has been given
                writer.wait()
            stream = arrow_stream(frame, kind) if _ARROW_WRITE and kind != "Unknown" else None
            if stream is not None:  # whole columns at a time: the same file, faster
                _write_stream(stream, tmp, layer, options)
                return
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG",
                                    geometry_type=kind if kind != "Unknown" else None,
                                    promote_to_multi=kind.startswith("Multi"),
                                    dataset_options=GPKG_OPTIONS)
        else:
            if writer is not None:
                writer.wait()
            pyogrio.write_dataframe(pd.DataFrame(frame), tmp, layer=layer, driver="GPKG",
                                    dataset_options=GPKG_OPTIONS)


def _write_stream(stream: LazyStream, tmp, layer: str, options: dict) -> None:
    """GDAL's Arrow writer on ``stream``, here; an error (or Ctrl-C) in making a batch
    raised as it was raised, not GDAL's text for a stream that failed, and never a
    layer cut short by it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_arrow(stream, tmp, layer=layer, **options)
    except BaseException:
        if stream.error is not None:
            raise stream.error from None
        raise
    if stream.error is not None:  # (a reader that took the failure for the end)
        raise stream.error


def _geometry_options(frame: gpd.GeoDataFrame) -> tuple[str, dict]:
    """The layer's geometry type and ``write_arrow``'s options: one geometry type per
    layer where the rows allow it (promoted to multi), else ``Unknown``, a generic
    geometry layer (a defects layer holds points and polygons)."""
    kinds = {_GEOMETRY_TYPE.get(t, "Unknown") for t in frame.geom_type.dropna().unique()}
    kind = kinds.pop() if len(kinds) == 1 else "Unknown"
    return kind, {"driver": "GPKG", "geometry_name": GEOMETRY_COLUMN, "geometry_type": kind,
                  "crs": _crs_text(frame.crs), "dataset_options": GPKG_OPTIONS}


def _write_pieces(pieces: Iterator[gpd.GeoDataFrame], tmp, layer: str,
                  writer: LayerWriter | None) -> None:
    """A layer given in pieces, each made when GDAL's Arrow writer asks for its rows and
    let go once its batches are made: no more than a piece is held. To the writer
    process where it runs (GDAL writes the rows while the next piece is made), else
    written here; put together and written whole only where the first piece cannot be
    written through Arrow (a column this does not write)."""
    pieces = _with_rows(pieces)
    first = next(pieces)
    kind, options = _geometry_options(first)
    if _ARROW_WRITE and kind != "Unknown":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            batches = arrow_batches(first, kind)
        if batches is not None:
            dtypes = first.dtypes
            del first  # (each piece let go once its batches are made)
            made = _piece_batches(batches, dtypes, pieces, kind, layer)
            if writer is not None and writer.running():  # GDAL's part in the process
                writer.send(made, tmp, layer, options)
                return
            if writer is not None:  # written here: after what the writer has been given
                writer.wait()
            _write_stream(LazyStream(made), tmp, layer, options)
            return
    rest = list(pieces)
    with stage("write"):
        _write_one(pd.concat([first, *rest], ignore_index=True) if rest else first, tmp,
                   layer, writer)


def _with_rows(pieces: Iterator[gpd.GeoDataFrame]) -> Iterator[gpd.GeoDataFrame]:
    """The pieces that have rows; the first piece if none has (an empty layer)."""
    rows, empty = False, None
    for piece in pieces:
        if len(piece):
            rows, empty = True, None
            yield piece
        elif not rows and empty is None:
            empty = piece
    if empty is not None:
        yield empty


def _piece_batches(batches, dtypes: pd.Series, pieces, kind: str, layer: str):
    """The first piece's Arrow ``batches``, then every other piece's as it is made (the
    same columns and types: one stream, one layer)."""
    while batches is not None:
        with stage("write"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            yield from batches
        piece = next(pieces, None)
        if piece is None:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            batches = arrow_batches(piece, kind) if piece.dtypes.equals(dtypes) else None
        del piece
    raise ValueError(f"a piece of layer {layer!r} is not like the first (its columns, "
                     "their types or its geometry) or holds what is not written through "
                     "Arrow (a missing text value, an empty or missing geometry)")


class LayerWriter:
    """GDAL's part of writing layers, in a second process while this one goes on.

    ``pyogrio.write_arrow`` holds the GIL (a thread would overlap nothing), so the Arrow
    batches of each layer are made here and handed, as they are made, to a writer
    process (:mod:`hzgeo._layer_process`, started with ``python -c``: the same on
    Windows), which makes the ``write_arrow`` call this process would have made, on the
    same batches: the same file. A thread here feeds the process's pipe (the pipe's
    writes release the GIL) while the caller computes the next layer. Layers are
    written in the order given; one this cannot hand over (a plain table, mixed
    geometry) is written here once the writer has done the ones before it.

    Use it as a context manager inside :func:`hzgeo.atomic.atomic_outputs`, call
    :meth:`start`, and call :meth:`wait` before the block ends: that returns when every
    layer is written and the file closed, and raises the writer's error (the same
    exception, with GDAL's text, as writing here would have raised). Leaving the block
    on an error stops the process (killed, its SQLite journal removed) before the
    temporary files are removed. Not started, or where it cannot start
    (``sys.executable`` is not a Python, as in a GIS's embedded Python or a frozen
    program; or it fails before it is ready), every layer is written here, in turn.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Condition()
        self._ready: bool | None = None  # None: not known yet; False: writing here
        self._sent = 0      # layers handed over
        self._done = 0      # layers the process has written
        self._error: BaseException | None = None
        self._threads: list[threading.Thread] = []
        self._paths: set[str] = set()  # the files handed over

    def __enter__(self) -> LayerWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            try:
                self.wait()
            finally:
                self.close()
        else:
            self.close(kill=True)

    def start(self) -> None:
        """Start the writer process (it imports while the caller goes on); without it,
        every layer is written in this process, in turn."""
        from hzgeo import _layer_process

        code = ("import importlib.util as u, sys; "
                "s = u.spec_from_file_location('_hzgeo_layer_process', sys.argv[1]); "
                "m = u.module_from_spec(s); s.loader.exec_module(m); m.serve()")
        if not Path(sys.executable or "").name.lower().startswith(("python", "pypy")):
            self._ready = False  # embedded (a GIS's own program): written here
            return
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", code, _layer_process.__file__],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        except OSError:
            self._ready = False
            return
        pipes = (self._process.stdin, self._process.stdout)
        for target, pipe in zip((self._feed, self._listen), pipes, strict=True):
            thread = threading.Thread(target=target, args=(pipe,), daemon=True,
                                      name=f"hzgeo layer writer {target.__name__}")
            thread.start()
            self._threads.append(thread)

    def running(self) -> bool:
        """Whether layers go to the process (it was started and said it is ready)."""
        if not self._threads and self._ready is None:  # never started: written here
            return False
        with self._lock:
            self._lock.wait_for(lambda: self._ready is not None)
            self._raise()
            return bool(self._ready)

    def send(self, batches, tmp, layer: str, options: dict) -> None:
        """Hand a layer over: its batches are made here, one by one, and each is queued
        for the process as soon as it is made."""
        self._raise()
        task = {"path": str(tmp), "layer": layer, "options": options}
        self._paths.add(str(tmp))
        self._queue.put(message(b"L", json.dumps(task).encode()))
        with self._lock:
            self._sent += 1
        for made in batches:
            self._queue.put(made)
        self._queue.put(None)  # the layer's end

    def wait(self) -> None:
        """Return once every layer handed over is written (its file closed); raise the
        writer's error if one failed."""
        with self._lock:
            self._lock.wait_for(lambda: self._done >= self._sent or self._error is not None
                                or self._ready is False)
            self._raise()

    def close(self, kill: bool = False) -> None:
        """Stop the process: asked to quit, or killed (on an error: at once)."""
        process, self._process = self._process, None
        if process is None:
            return
        if kill:
            process.kill()
        else:
            self._queue.put(message(b"Q"))
        self._queue.put(False)  # the feeding thread ends
        try:
            process.wait(timeout=None if kill else 60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for thread in self._threads:
            thread.join()
        for pipe in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        if kill:  # what GDAL leaves beside a file stopped mid-write (the file is the
            for path in self._paths:  # caller's): SQLite's journal, the R-tree being built
                left = [path + side for side in ("-journal", "-wal", "-shm")]
                for left_path in left + glob.glob(glob.escape(path) + ".tmp_rtree_*"):
                    with contextlib.suppress(OSError):
                        os.remove(left_path)

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            if self._error is None:
                self._error = error
            if self._ready is None:
                self._ready = False
            self._lock.notify_all()

    def _feed(self, pipe: IO[bytes]) -> None:
        """The thread that writes the queued layers into the process's pipe."""
        out: IpcWriter | None = None  # the layer's IPC stream, as D frames
        try:
            while True:
                item = self._queue.get()
                if item is False:
                    return
                if isinstance(item, bytes):
                    pipe.write(item)
                    pipe.flush()
                elif item is None:
                    if out is not None:
                        out.close()  # the IPC stream's end mark, the last D frame
                    out = None
                    pipe.write(message(b"E"))
                    pipe.flush()
                else:
                    if out is None:
                        out = IpcWriter(_Chunks(pipe))
                    out.write(item[1])
                    del item
        except Exception as err:  # the pipe broke (nanoarrow's writer wraps the OSError)
            if self._process is not None:  # (not when close() killed it)
                self._stopped(err)

    def _listen(self, pipe: IO[bytes]) -> None:
        """The thread that reads the process's answers."""
        while True:
            kind, payload = read_message(pipe)
            if kind == b"R":
                with self._lock:
                    self._ready = True
                    self._lock.notify_all()
            elif kind == b"K":
                with self._lock:
                    self._done += 1
                    self._lock.notify_all()
            elif kind in (b"X", b"T"):
                self._failed(_unpickled(kind, payload))
            else:  # the process ended
                with self._lock:
                    if self._ready is None:  # never started: written here
                        self._ready = False
                    elif self._done < self._sent or self._process is not None:
                        self._stopped(None)
                    self._lock.notify_all()
                return

    def _stopped(self, cause: BaseException | None) -> None:
        process = self._process
        code = process.poll() if process is not None else None
        self._failed(OSError(
            "the GeoPackage writer process stopped before the output was written"
            + (f" (exit status {code})" if code is not None else "")
            + (f": {cause}" if cause is not None else "")))


class _Chunks:
    """A writable for nanoarrow's IPC writer: what it writes, as ``D`` frames (small
    writes gathered into one)."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.small = bytearray()

    def write(self, data) -> int:
        size = memoryview(data).nbytes
        if size < 1 << 16:
            self.small += data
            if len(self.small) >= 1 << 16:
                self.flush()
        else:
            self.flush()
            self.pipe.write(HEAD.pack(b"D", size))
            self.pipe.write(data)
        return size

    def flush(self) -> None:
        if self.small:
            self.pipe.write(message(b"D", bytes(self.small)))
            self.small.clear()


def _unpickled(kind: bytes, payload: bytes) -> BaseException:
    """The writer process's error, as raised there (or its type's name and text)."""
    if kind == b"X":
        with contextlib.suppress(Exception):
            error = pickle.loads(payload)
            if isinstance(error, BaseException):
                return error
    with contextlib.suppress(Exception):
        name, text = json.loads(payload)
        return RuntimeError(f"{name}: {text}")
    return RuntimeError("the GeoPackage writer process failed")


def _crs_text(crs) -> str | None:
    """The CRS as pyogrio's own writer passes it to GDAL: ``EPSG:n`` where there is one."""
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt("WKT1_GDAL")


def write_layers(layers: dict, path: str | os.PathLike, *,
                 outputs: AtomicOutputs | None = None,
                 writer: LayerWriter | None = None) -> None:
    """Write ``{layer name: (Geo)DataFrame}`` to one GeoPackage, all or nothing.

    A layer may be given in pieces instead: an iterator of GeoDataFrames alike (the same
    columns, types and kind of geometry), one after the other its rows. Each piece is
    taken when the rows before it are written and let go once handed over, so that a
    layer of millions of rows is never held whole. Where the first piece cannot be
    written through Arrow (a missing text value, an empty geometry) the pieces are put
    together and written as one frame; a later piece that is not like the first, or
    cannot be written through Arrow, raises ValueError (nothing is written).

    With ``outputs`` the file joins that set of outputs (moved into place with them).
    With ``writer`` (a :class:`LayerWriter`, inside that set's block) GDAL's part of the
    writing is done by the writer process, and this returns once the layers are handed
    over: the file is complete when ``writer.wait()`` returns.

    Raises
    ------
    InputError
        ``path`` does not end in ``.gpkg``, is an existing folder, is not writable.
    """
    check_output_path(path, suffixes=(".gpkg",), option="the output")
    if outputs is None:
        with atomic_outputs() as own:
            write_layers(layers, path, outputs=own)
        return
    tmp = outputs.path(path)
    for layer, frame in layers.items():
        if isinstance(frame, pd.DataFrame):
            _write_one(frame, tmp, layer, writer)
        else:
            _write_pieces(iter(frame), tmp, layer, writer)


def read_layer_names(path: str | os.PathLike) -> list[str]:
    """Layer names of a GeoPackage."""
    return [name for name, _ in pyogrio.list_layers(path)]
