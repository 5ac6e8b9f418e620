"""A GeoDataFrame as an Arrow stream, for GDAL's batch writer (``pyogrio.write_arrow``).

pyogrio's default writer hands GDAL one feature and one field at a time (about 0.4 µs a
field); GDAL's Arrow path takes whole columns. The stream is built with nanoarrow (a few
MB, no pyarrow: with pyarrow installed pandas would keep every string column of the
package in Arrow). The file GDAL writes is the one the default writer writes: the same
field types (booleans as integer fields of subtype boolean), the geometry column named
``geom``, single LineStrings and Polygons promoted to one-part multi geometries.

Only what hzgeo's layers hold is taken: text without missing values, booleans, floats,
integers, and one kind of non-empty geometry; :func:`arrow_stream` answers None for
anything else, and the caller writes that frame the default way.

Examples
--------
>>> import geopandas, shapely
>>> frame = geopandas.GeoDataFrame({"code": ["A", "乙"], "ok": [True, False]},
...     geometry=[shapely.LineString([(0, 0), (1, 1)]), shapely.LineString([(1, 1), (2, 0)])],
...     crs="EPSG:4490")
>>> arrow_stream(frame, "MultiLineString") is not None
True
>>> arrow_stream(frame.assign(code=["A", None]), "MultiLineString") is None  # missing text
True
"""

from __future__ import annotations

import itertools
import struct
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import shapely

from hzgeo._batch import batches

__all__ = ["GEOMETRY_COLUMN", "IpcWriter", "LazyStream", "arrow_batches", "arrow_stream"]

#: The geometry column's name in the file (GDAL's GeoPackage default).
GEOMETRY_COLUMN = "geom"

#: WKB header of a one-part multi geometry (little endian, type, one part), by the type
#: of the part it is put in front of.
_MULTI_HEADER = {"LineString": b"\x01" + struct.pack("<II", 5, 1),
                 "Polygon": b"\x01" + struct.pack("<II", 6, 1)}
_MULTI_OF = {"LineString": "MultiLineString", "Polygon": "MultiPolygon"}


#: Points of lines made into WKB at a time (:func:`_one_part_lines`): its temporaries
#: are about 50 bytes a point.
_POINTS = 262_144

#: Rows per batch of the stream (and at most :data:`_POINTS` points): each batch's
#: geometry and text are encoded (and their items let go) before the next batch's, so
#: that the copies made for GDAL are one batch's items and the joined buffers, not every
#: row's items at once. The 42,700 village reaches of 50,000 villages written alone:
#: peak +12 MiB over the frame at 16,384 rows a batch, +2 at 4,096 (+28 and +3 through
#: :class:`LazyStream`, which copies each batch twice); the same CPU within the noise.
BATCH_ROWS = 4096


def arrow_stream(frame, geometry_type: str, batch_rows: int = BATCH_ROWS):
    """``frame`` as a stream of batches of at most ``batch_rows`` rows (a
    :class:`LazyStream`: each made when the reader asks for it), with its geometry as WKB
    of ``geometry_type`` (``MultiLineString``, ``MultiPolygon`` or ``Point``); None if
    nanoarrow is missing or a column holds what this does not write."""
    made = arrow_batches(frame, geometry_type, batch_rows)
    return None if made is None else LazyStream(made)


class IpcWriter:
    """Arrow batches as one Arrow IPC stream into ``sink`` (an object with ``write`` and
    ``flush``): the schema with the first batch, the end mark at :meth:`close`."""

    def __init__(self, sink) -> None:
        self.sink = sink
        self._writer: Any = None  # nanoarrow's IPC writer, made with the first batch

    def write(self, batch) -> None:
        if self._writer is None:
            import nanoarrow.ipc

            self._writer = nanoarrow.ipc.StreamWriter.from_writable(self.sink)
            self._writer.write_array(batch, write_schema=True)
        else:
            self._writer.write_array(batch, write_schema=False)

    def close(self) -> None:
        """The stream's end mark (after a batch), and ``sink`` flushed."""
        if self._writer is not None:
            self._writer.close()
        self.sink.flush()


class LazyStream:
    """``(schema, batch)`` pairs as one Arrow stream whose reader makes each batch when it
    asks for the next: one batch held at a time, however many a layer has.

    nanoarrow (0.9) makes a C stream only of a list of arrays, not of a Python iterator;
    its Arrow IPC reader does read from a Python object, so the batches go through Arrow's
    IPC format in memory, one at a time (each batch's buffers copied twice, into the IPC
    bytes and by the reader: batches of :data:`BATCH_ROWS` rows keep that a few MB).
    What the reader gets is the batches, the same arrays. Anything raised while making
    a batch (an error, a Ctrl-C) stops the reader (GDAL's write fails with a text of
    its own) and is kept as :attr:`error`, for the caller to raise instead, also where a
    reader took the failure for the stream's end.

    >>> import nanoarrow as na
    >>> schema = na.struct({"n": na.int64()}, nullable=False)
    >>> def batches(*rows):
    ...     for values in rows:
    ...         print("made", values)
    ...         column = na.c_array(values, na.int64())
    ...         yield schema, na.c_array_from_buffers(schema, len(values), [None],
    ...                                               children=[column])
    >>> stream = na.ArrayStream(LazyStream(batches([1, 2], [3])))  # reads the schema
    made [1, 2]
    >>> for batch in stream:
    ...     print(batch.to_pylist())
    [{'n': 1}, {'n': 2}]
    made [3]
    [{'n': 3}]
    """

    def __init__(self, batches) -> None:
        self.batches = iter(batches)
        self.error: BaseException | None = None
        self._bytes = bytearray()  # the IPC bytes of the batch being read
        self._at = 0
        self._ipc = IpcWriter(self)  # (writes into _bytes)
        self._ended = False

    def __arrow_c_stream__(self, requested_schema=None):
        import nanoarrow.ipc

        return nanoarrow.ipc.InputStream.from_readable(self).__arrow_c_stream__(
            requested_schema=requested_schema)

    def readinto(self, buffer) -> int:
        """The IPC reader's read: the next bytes, the next batch made when they are
        all read; 0 at the stream's end.

        nanoarrow's read callback catches ``Exception`` only and takes anything else
        (KeyboardInterrupt, SystemExit) for the end of the stream: GDAL would write a
        truncated layer and succeed. So whatever is raised here (in making a batch, or
        a Ctrl-C landing in this code) is kept as :attr:`error` and a RuntimeError is
        raised in its place; after a failure every read fails."""
        try:
            if self.error is not None:
                raise RuntimeError("the stream failed before")
            while not self._bytes and not self._ended:
                self._next()
            target = memoryview(buffer).cast("B")
            size = min(len(target), len(self._bytes) - self._at)
            with memoryview(self._bytes) as view:
                target[:size] = view[self._at:self._at + size]
            self._at += size
            if self._at >= len(self._bytes):  # (read: let go before GDAL writes the batch)
                self._bytes, self._at = bytearray(), 0
            return size
        except BaseException as err:
            if self.error is None:
                self.error = err
            raise RuntimeError(f"the stream failed: {type(self.error).__name__}: "
                               f"{self.error}") from None

    def write(self, data) -> int:
        """The IPC writer's write (into this stream's bytes)."""
        self._bytes += data
        return memoryview(data).nbytes

    def flush(self) -> None:
        pass

    def _next(self) -> None:
        made = next(self.batches, None)
        if made is None:
            self._ended = True
            self._ipc.close()
        else:
            self._ipc.write(made[1])


def arrow_batches(frame, geometry_type: str, batch_rows: int = BATCH_ROWS):
    """What :func:`arrow_stream` streams, one ``(schema, batch)`` at a time, each made
    when asked for (``hzgeo.output.LayerWriter`` hands each to the writer process as it
    is made); None, before any batch is made, for a frame not written this way: the
    columns are checked first, so that every batch can be made."""
    try:
        import nanoarrow as na
    except ImportError:  # a core dependency; without it the default writer still works
        return None
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if not len(geoms) or pd.isna(geoms).any() or shapely.is_empty(geoms).any():
        return None
    kinds = shapely.get_type_id(geoms)
    present = set(np.unique(kinds).tolist())
    single_id = None
    if geometry_type in ("MultiLineString", "MultiPolygon"):
        single = next(k for k, v in _MULTI_OF.items() if v == geometry_type)
        single_id, multi_id = shapely.GeometryType[single.upper()], \
            shapely.GeometryType[geometry_type.upper()]
        if not present <= {single_id, multi_id}:
            return None
    elif geometry_type != "Point" or present != {shapely.GeometryType.POINT}:
        return None
    for name in frame.columns:
        if name != frame.geometry.name and not _writable(frame[name]):
            return None
    return _batches(na, frame, geoms, kinds, geometry_type, single_id, batch_rows)


def _writable(series: pd.Series) -> bool:
    """Whether :func:`_column` makes this column's arrays (checked once, for the whole
    column: text must be all text, no missing value)."""
    dtype = series.dtype
    if dtype in (np.bool_, np.float64, np.int64):
        return True
    if pd.api.types.is_string_dtype(dtype):  # one pass in C over the items
        return pd.api.types.infer_dtype(series.to_numpy(dtype=object), skipna=False) \
            in ("string", "empty")
    return False


def _batches(na, frame, geoms, kinds, geometry_type, single_id, batch_rows):
    """Batches of at most ``batch_rows`` rows and :data:`_POINTS` points (a row of more
    alone): a county's few long reaches in several batches, not one of every vertex."""
    for part in batches(shapely.get_num_coordinates(geoms), size=_POINTS):
        for at in range(part.start, part.stop, batch_rows):
            rows = slice(at, min(at + batch_rows, part.stop))
            yield from _made(na, frame.iloc[rows], geoms[rows], kinds[rows], geometry_type,
                             single_id)


def _made(na, frame, geoms, kinds, geometry_type, single_id):
    """The batch of these rows; in halves where it is past 2 GB (32-bit offsets)."""
    made = [_batch(na, frame, geoms, kinds, geometry_type, single_id)]
    if made[0] is not None:
        yield made.pop()  # (not held here while the reader has it)
        return
    if len(frame) == 1:
        raise ValueError("a row of more than 2 GB cannot be written")
    half = len(frame) // 2
    yield from _made(na, frame.iloc[:half], geoms[:half], kinds[:half], geometry_type,
                     single_id)
    yield from _made(na, frame.iloc[half:], geoms[half:], kinds[half:], geometry_type,
                     single_id)


def _batch(na, frame, geoms: np.ndarray, kinds: np.ndarray, geometry_type: str,
           single_id):
    """(schema, struct array) of the rows of ``frame``; None for a column not written
    this way."""
    wkb: _Joined | list[bytes] | tuple[list[bytes], list[bytes]] | None
    if single_id == shapely.GeometryType.LINESTRING and (kinds == single_id).all():
        wkb = _one_part_lines(geoms)  # reaches: made from the coordinates, no item per row
    else:
        each = shapely.to_wkb(geoms, byte_order=1, output_dimension=2).tolist()
        wkb = each
        if single_id is not None and (kinds == single_id).any():
            # one-part multi geometries, as promote_to_multi makes
            head = _MULTI_HEADER[next(k for k, v in _MULTI_OF.items() if v == geometry_type)]
            wkb = ([head if one else b"" for one in (kinds == single_id).tolist()], each)
        del each  # (wkb holds the items: they go when it does)
    fields, arrays = [], []
    for name in frame.columns:
        if name == frame.geometry.name:
            array = _binary(na, wkb, na.binary())
            wkb = None  # (the items: freed before the other columns are encoded)
            if array is None:
                return None
            fields.append(na.Schema(na.Type.BINARY, name=GEOMETRY_COLUMN,
                                    metadata={"ARROW:extension:name": "ogc.wkb"}))
            arrays.append(array)
            continue
        column = _column(na, frame[name])
        if column is None:
            return None
        fields.append(na.Schema(column[0], name=str(name)))
        arrays.append(column[1])
    schema = na.struct({f.name: f for f in fields}, nullable=False)
    return schema, na.c_array_from_buffers(schema, len(frame), [None], children=arrays)


def _column(na, series: pd.Series):
    """(Arrow type, array) of a column, or None for a kind not written this way."""
    dtype = series.dtype
    if dtype == np.bool_:
        bits = np.packbits(series.to_numpy(dtype=bool), bitorder="little")
        return na.Type.BOOL, na.c_array_from_buffers(na.bool_(), len(series), [None, bits])
    if dtype == np.float64:
        return na.Type.DOUBLE, na.c_array(np.ascontiguousarray(series.to_numpy()),
                                          na.float64())
    if dtype == np.int64:
        return na.Type.INT64, na.c_array(np.ascontiguousarray(series.to_numpy()), na.int64())
    if pd.api.types.is_string_dtype(dtype):
        try:  # one pass over the items (str.encode refuses missing values and non-text)
            items = list(map(str.encode, series.to_numpy(dtype=object)))
        except TypeError:
            return None
        array = _binary(na, items, na.string())
        return None if array is None else (na.Type.STRING, array)
    return None


def _one_part_lines(lines: np.ndarray) -> _Joined:
    """The WKB of LineStrings as one-part MultiLineStrings, one after the other (what
    ``to_wkb`` of each with the multi header in front gives), made from their
    coordinates: the bytes and, as ``lengths``, each line's size. Each is 18 bytes of
    headers (multi, one part; line, n points) and 16 bytes a point. Made
    :data:`_POINTS` points at a time into the joined bytes (a county's few lines hold
    every vertex of the rivers)."""
    count = shapely.get_num_coordinates(lines)
    size = 18 + 16 * count.astype(np.int64)
    data = np.empty(int(size.sum()), dtype=np.uint8)
    end = np.cumsum(size)
    for rows in batches(count, size=_POINTS):
        data[end[rows.start] - size[rows.start]:end[rows.stop - 1]] = _line_bytes(
            lines[rows], count[rows], size[rows])
    return _Joined(size, data)


def _line_bytes(lines: np.ndarray, count: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The bytes of :func:`_one_part_lines` for these lines (``count`` points each,
    ``size`` bytes)."""
    coords = shapely.get_coordinates(lines)  # x, y: 2D, as output_dimension=2
    head = np.empty((len(lines), 18), dtype=np.uint8)
    head[:, :14] = np.frombuffer(_MULTI_HEADER["LineString"] + b"\x01"
                                 + struct.pack("<I", 2), dtype=np.uint8)
    head[:, 14:] = count.astype("<u4").view(np.uint8).reshape(-1, 4)
    data = np.empty(int(size.sum()), dtype=np.uint8)
    at = ((np.cumsum(size) - size)[:, None] + np.arange(18)).ravel()
    data[at] = head.ravel()
    point = np.ones(len(data), dtype=bool)
    point[at] = False
    data[point] = coords.astype("<f8", copy=False).view(np.uint8).ravel()
    return data


class _Joined(NamedTuple):
    """Items joined already: each one's length, and the bytes."""

    lengths: np.ndarray
    data: np.ndarray


def _binary(na, items, schema):
    """A string or binary array of encoded items, of ``(heads, items)`` (each item with
    its head in front) or of items joined already (:class:`_Joined`); None past 2 GB
    (32-bit offsets)."""
    data: bytes | np.ndarray
    if isinstance(items, _Joined):
        lengths, data = items
    else:
        heads, items = items if isinstance(items, tuple) else (None, items)
        lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
        if heads is not None:
            lengths += np.fromiter(map(len, heads), dtype=np.int64, count=len(heads))
            items = itertools.chain.from_iterable(zip(heads, items, strict=True))
        data = b"".join(items)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] >= 2**31:
        return None
    return na.c_array_from_buffers(schema, len(lengths), [None, offsets.astype(np.int32), data])
