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
from typing import NamedTuple

import numpy as np
import pandas as pd
import shapely

from hzgeo._batch import batches

__all__ = ["GEOMETRY_COLUMN", "arrow_batches", "arrow_stream"]

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

#: Rows per batch of the stream: each batch's geometry and text are encoded (and their
#: items let go) before the next batch's, so that the copies made for GDAL are one
#: batch's items and the joined buffers, not every row's items at once.
BATCH_ROWS = 16384


def arrow_stream(frame, geometry_type: str, batch_rows: int = BATCH_ROWS):
    """``frame`` as a nanoarrow stream of batches of at most ``batch_rows`` rows, with its
    geometry as WKB of ``geometry_type`` (``MultiLineString``, ``MultiPolygon`` or
    ``Point``); None if nanoarrow is missing or a column holds what this does not write."""
    made = arrow_batches(frame, geometry_type, batch_rows)
    if made is None:
        return None
    import nanoarrow as na

    batches = list(made)
    schema = batches[-1][0]
    batches = [batch for _, batch in batches]
    if len(batches) == 1:
        return na.ArrayStream(batches[0])
    from nanoarrow._array_stream import CArrayStream

    return CArrayStream.from_c_arrays(batches, na.c_schema(schema))


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
    for at in range(0, len(frame), batch_rows):
        rows = slice(at, at + batch_rows)
        yield from _made(na, frame.iloc[rows], geoms[rows], kinds[rows], geometry_type,
                         single_id)


def _made(na, frame, geoms, kinds, geometry_type, single_id):
    """The batch of these rows; in halves where it is past 2 GB (32-bit offsets)."""
    made = _batch(na, frame, geoms, kinds, geometry_type, single_id)
    if made is not None:
        yield made
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
