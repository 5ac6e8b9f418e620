"""The GeoPackage writer process: GDAL's part of writing a layer, done beside the run.

``pyogrio.write_arrow`` holds the GIL while GDAL inserts the rows and builds the spatial
index (a thread beside it gets no time), so ``hzgeo segment`` hands each layer's Arrow
batches to this process (:class:`hzgeo.output.LayerWriter`) and computes the next level
meanwhile: the second core does GDAL's work. The process is started as
``python -c`` with this file (no ``fork``, no ``multiprocessing`` re-import of the
caller's main module: the same on Windows), imports only the standard library, numpy,
nanoarrow and pyogrio (not geopandas nor hzgeo: 60 MB, half a second), and makes the
same ``pyogrio.write_arrow`` call the run would have made itself, on the same batches:
the same file. GDAL's SQLite connections here get a larger page cache
(:data:`SQLITE_CACHE_MB`; it changes how fast, not what is written).

The protocol, over the process's standard input and output, is frames: one byte of
kind, eight of length (little endian), the payload. In: ``L`` a layer (JSON: path,
layer, the write_arrow options), then ``D`` chunks of its Arrow IPC stream, ``E`` its
end; ``Q`` quit. Out: ``R`` ready (after the imports), then for each layer in turn
``K`` written (the file closed) or ``X`` its error, pickled (``T`` the error's type and
text where it does not pickle). With ``HZGEO_STAGES`` set it prints each layer's wall
and CPU seconds to stderr. Ctrl-C is the run's to handle: this process ignores it,
and the run stops it (kill) when it fails.

This module is loaded by path in the writer process: nothing of hzgeo is imported here.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import struct
import sys
import time
import warnings

HEAD = struct.Struct("<cQ")

#: ``OGR_SQLITE_CACHE`` of the writer process: 2.44 M reaches written with it took 9.2-9.3
#: CPU s (3.2-3.3 s after the last batch) against 13.4-13.7 (7.5-9.8 s) with SQLite's
#: default; 1024 MB was no faster.
SQLITE_CACHE_MB = 256


def message(kind: bytes, payload: bytes = b"") -> bytes:
    return HEAD.pack(kind, len(payload)) + payload


def read_message(pipe) -> tuple[bytes, bytes]:
    """The next frame of ``pipe``; kind ``b""`` at its end (the other side gone)."""
    head = _read_exactly(pipe, HEAD.size)
    if head is None:
        return b"", b""
    kind, size = HEAD.unpack(head)
    payload = _read_exactly(pipe, size) if size else b""
    if payload is None:
        return b"", b""
    return kind, payload


def _read_exactly(pipe, size: int) -> bytes | None:
    data = pipe.read(size)
    while data and len(data) < size:  # (a pipe may answer short)
        more = pipe.read(size - len(data))
        if not more:
            return None
        data += more
    return data if len(data) == size else None


class _LayerInput:
    """The ``D`` frames of one layer as a readable (what nanoarrow's IPC reader reads),
    ending at ``E``."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.chunk = memoryview(b"")
        self.ended = False

    def readinto(self, buffer) -> int:
        while not self.chunk and not self.ended:
            kind, payload = read_message(self.pipe)
            if kind == b"D":
                self.chunk = memoryview(payload)
            elif kind == b"E":
                self.ended = True
            else:  # the run is gone (or out of step): no more of this layer
                raise EOFError("the layer's data ended before its end mark")
        if self.ended:
            return 0
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self.chunk))
        target[:size] = self.chunk[:size]
        self.chunk = self.chunk[size:]
        return size

    def drain(self) -> None:
        """Skip what is left of this layer (after an error)."""
        while not self.ended:
            kind, _ = read_message(self.pipe)
            if kind in (b"E", b""):
                self.ended = True


def serve() -> None:
    """The writer process's loop (see the module's text)."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run handles Ctrl-C, then stops us
    source = sys.stdin.buffer
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    try:  # a stray print must not garble the answers
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no stderr (a windowed program)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    for name in ("geopandas", "pandas", "pyproj", "shapely", "pyarrow"):
        # pyogrio's optional imports, not needed here: `import name` raises ImportError
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    warnings.simplefilter("ignore", RuntimeWarning)  # as the run's own writes do
    # SQLite's page cache for GDAL's connections, in MB (unless the user set it): at
    # SQLite's default of 2 MB the R-tree of a layer of millions of rows, built beside it
    # and copied in at the layer's end, is read and written again and again
    os.environ.setdefault("OGR_SQLITE_CACHE", str(SQLITE_CACHE_MB))
    import nanoarrow.ipc
    from pyogrio.raw import write_arrow

    timed = bool(os.environ.get("HZGEO_STAGES"))
    answer.write(message(b"R"))
    while True:
        kind, payload = read_message(source)
        if kind != b"L":  # Q, or the run is gone
            return
        task = json.loads(payload)
        layer = _LayerInput(source)
        start, cpu = time.perf_counter(), time.process_time()
        try:
            with nanoarrow.ipc.InputStream.from_readable(layer) as stream:
                write_arrow(stream, task["path"], layer=task["layer"], **task["options"])
        except BaseException as err:  # handed to the run, which raises it
            layer.drain()  # (the IPC reader stops at the stream's end mark: the rest,
            try:           # and the layer's E, are read here)
                answer.write(message(b"X", pickle.dumps(err)))
            except Exception:  # an error that does not pickle
                answer.write(message(b"T", json.dumps([type(err).__name__,
                                                     str(err)]).encode()))
        else:
            layer.drain()
            answer.write(message(b"K"))
            if timed:  # as hzgeo/_stages.py prints the run's stages
                print(f"hzgeo writer {task['layer']:<16} {time.perf_counter() - start:7.3f} s"
                      f"  cpu {time.process_time() - cpu:6.3f} s (the writer process)",
                      file=sys.stderr, flush=True)


if __name__ == "__main__":
    serve()
