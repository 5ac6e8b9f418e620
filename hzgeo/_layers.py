"""Reading one input layer: formats, encodings, geometry that cannot be built, Z/M, CRS.

Every problem is added to a :class:`~hzgeo._checks.Problems` (raised once by the reader,
naming file, layer and features); what was guessed or dropped is said in a warning.
"""

from __future__ import annotations

import contextlib
import difflib
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from hzgeo._checks import POLYGON_TYPES, Problems, check_geometry, crs_label, crs_problem
from hzgeo._checks import where as _where
from hzgeo.columns import ALIASES, _rename
from hzgeo.errors import HzgeoWarning, InputError
from hzgeo.gcj02 import geometry_gcj02_to_wgs84
from hzgeo.model import NEIGHBOUR_COLUMNS


def _gdal_says(err: Exception) -> str:
    """GDAL's message, without its advice on driver prefixes (not for our users)."""
    return str(err).split("; It might help")[0].rstrip(".; ")


def _list_layers(path: Path) -> list[str]:
    """Layer names of a vector file; an :class:`InputError` if it is missing or unreadable."""
    if not path.exists():
        raise InputError("file not found", file=path, hint="check the path")
    try:
        with warnings.catch_warnings():  # e.g. "Measured (M) geometry types are not supported"
            warnings.simplefilter("ignore")
            return [name for name, _ in pyogrio.list_layers(path)]
    except Exception as err:
        raise InputError(f"cannot be read as a vector file ({_gdal_says(err)})", file=path,
                         hint="give a GeoPackage, shapefile or GeoJSON") from None


#: Encodings tried, in order, on a shapefile whose .dbf declares none (no .cpg): GDAL
#: then reads it as ISO-8859-1, which turns Chinese text into ``¹ó³Ç½ÖµÀ``.
_GUESSED_ENCODINGS = ("UTF-8", "GB18030")


def _undeclared_encoding(path: Path, layer: str | None) -> bool:
    """A shapefile with no declared encoding (no .cpg, no code page in the .dbf)."""
    if path.suffix.lower() not in (".shp", ".dbf"):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_info(path, layer=layer).get("encoding") == "ISO-8859-1"
    except Exception:
        return False


def _decode_name(raw: bytes, encoding: str) -> str:
    """A .dbf column name: at most 10 bytes, so a UTF-8 乡镇名称 (12 bytes) is cut inside
    its fourth character; the cut character is dropped (乡镇名)."""
    for cut in range(4):
        try:
            return raw[:len(raw) - cut].decode(encoding)
        except UnicodeDecodeError:
            if cut == 3 or len(raw) - cut <= 1:
                raise
    raise UnicodeDecodeError(encoding, raw, 0, len(raw), "undecodable")  # pragma: no cover


def _recover_text(frame: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    """Column names and text of a layer read as ISO-8859-1, decoded as UTF-8 or GB18030.

    ISO-8859-1 maps every byte to one character, so ``encode("latin-1")`` gives back the
    file's bytes exactly; the first encoding that decodes all of them is taken.
    """
    text = [c for c in frame.columns if c != frame.geometry.name
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    names = [str(c) for c in frame.columns if c != frame.geometry.name]
    values = [v for c in text for v in frame[c].dropna().unique().tolist() if isinstance(v, str)]
    raw = [v.encode("latin-1") for v in values if any(ord(ch) > 127 for ch in v)]
    raw_names = [v.encode("latin-1") for v in names if any(ord(ch) > 127 for ch in v)]
    if not raw and not raw_names:
        return frame
    for encoding in _GUESSED_ENCODINGS:
        try:
            for b in raw:
                b.decode(encoding)
            for b in raw_names:
                _decode_name(b, encoding)
        except UnicodeDecodeError:
            continue

        def fix(v, encoding=encoding):
            return v.encode("latin-1").decode(encoding) if isinstance(v, str) else v

        frame = frame.rename(columns={c: _decode_name(c.encode("latin-1"), encoding)
                                      for c in names})
        for c in text:
            column = _decode_name(c.encode("latin-1"), encoding)
            frame[column] = frame[column].map(fix)
        warnings.warn(f"{where}: the shapefile declares no encoding (no .cpg file); its text "
                      f"was read as {encoding}. If names look wrong, give the encoding "
                      "(`encoding`, e.g. GBK) or add a .cpg file.", HzgeoWarning, stacklevel=4)
        return frame
    return frame


def _unreadable_features(path: Path, layer: str | None) -> list[str] | None:
    """Features whose geometry GEOS cannot build (e.g. an unclosed ring), by code or row."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, _, wkb, fields = pyogrio.raw.read(path, layer=layer)
    except Exception:
        return None
    if wkb is None:
        return None
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    bad = np.flatnonzero(pd.isna(geoms) & pd.notna(wkb))
    names = list(meta["fields"])
    key = next((names.index(a) for k in ("code", "river_code", "lake_code")
                for a in ALIASES[k] if a in names), None)
    return [str(fields[key][i]) if key is not None else f"row {i}" for i in bad]


_TABLE = "has no geometry: it is a table, not a map layer"
_TABLE_HINT = ("give a GeoPackage, shapefile or GeoJSON with the features' geometry (a CSV "
               "has none)")


def _is_table(path: Path, layer: str | None) -> bool:
    """Whether the layer has no geometry, whatever its text encoding (read as Latin-1,
    which decodes any byte: a GBK-encoded CSV is still recognised as a table)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = pyogrio.read_info(path, layer=layer, encoding="ISO-8859-1")
    except Exception:
        return False
    return info.get("geometry_type") is None


def _read_layer(path: Path, layer: str | None, problems: Problems,
                encoding: str | None = None, *, allow_empty: bool = False
                ) -> gpd.GeoDataFrame | None:
    where = _where(path, layer)
    if not path.exists():
        problems.add(str(path), "file not found", hint="check the path")
        return None
    if path.suffix.lower() not in (".shp", ".dbf"):
        encoding = None  # GeoPackage and GeoJSON are UTF-8 by definition
    try:
        if layer is not None:
            available = _list_layers(path)
            if layer not in available:
                close = difflib.get_close_matches(layer, available, n=1)
                problems.add(where, f"no such layer; the file has {available}",
                             hint=(f"did you mean layer {close[0]!r}?" if close else
                                   "name the layers with `layers={\"level\": \"LAYER\"}`"))
                return None
        with warnings.catch_warnings():  # GDAL's notes (M dropped ...): ours are below
            warnings.simplefilter("ignore")
            frame = gpd.read_file(path, layer=layer, engine="pyogrio", encoding=encoding)
    except InputError as err:
        problems.add(where, err.message, hint=err.hint)
        return None
    except shapely.errors.GEOSException as err:  # a geometry GEOS cannot even build
        bad = _unreadable_features(path, layer)
        problems.add(where, f"geometry that cannot be built ({err})", bad,
                     hint="close every ring (its last point must repeat its first) and fix "
                          "the features in your GIS (e.g. QGIS 'Fix geometries')")
        return None
    except Exception as err:  # pyogrio/GDAL errors: report them as ours
        if isinstance(err, UnicodeDecodeError) and _is_table(path, layer):
            problems.add(where, _TABLE, hint=_TABLE_HINT)  # a GBK-encoded CSV
            return None
        problems.add(where, f"cannot be read ({type(err).__name__}: {_gdal_says(err)})",
                     hint="give a GeoPackage, shapefile or GeoJSON, and open it in a GIS to "
                          "check it is a vector layer"
                     + (f"; check that {encoding!r} is its encoding" if encoding else ""))
        return None
    if not isinstance(frame, gpd.GeoDataFrame):
        problems.add(where, _TABLE, hint=_TABLE_HINT)
        return None
    if not len(frame) and not allow_empty:
        problems.add(where, "the layer is empty (no features)",
                     hint="give the layer that holds the features")
        return None
    if encoding is None and _undeclared_encoding(path, layer):
        frame = _recover_text(frame, where)
    return _drop_zm(frame, where, _declares_m(path, layer))


def _declares_m(path: Path, layer: str | None) -> bool:
    """Whether a shapefile or GeoPackage layer stores M (measure) values, which GDAL's
    reader drops without a word."""
    try:
        if path.suffix.lower() == ".shp":
            with path.open("rb") as f:
                f.seek(32)
                return int.from_bytes(f.read(4), "little") in (21, 23, 25, 28, 31)
        if path.suffix.lower() == ".gpkg":
            import sqlite3

            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                rows = db.execute("SELECT table_name, m FROM gpkg_geometry_columns").fetchall()
            return any(m in (1, 2) for name, m in rows if layer is None or name == layer)
    except Exception:
        return False
    return False


def _drop_zm(frame: gpd.GeoDataFrame, where: str, declares_m: bool = False
             ) -> gpd.GeoDataFrame:
    """Heights (Z) and measures (M) dropped, with a note: hzgeo works on the surface."""
    geoms = frame.geometry.values
    has_z = shapely.has_z(geoms)
    has_m = shapely.has_m(geoms) if hasattr(shapely, "has_m") else np.zeros(len(geoms), bool)
    extra = [name for name, found in (("Z (height)", has_z.any()),
                                      ("M (measure)", has_m.any() or declares_m)) if found]
    if not extra:
        return frame
    warnings.warn(f"{where}: the geometry has {' and '.join(extra)} coordinates; they were "
                  "dropped (lengths and areas are measured on the ellipsoid's surface)",
                  HzgeoWarning, stacklevel=4)
    return frame.set_geometry(shapely.force_2d(geoms))


def _set_crs(frame: gpd.GeoDataFrame, crs: CRS | None, gcj02: bool, where: str,
             problems: Problems) -> gpd.GeoDataFrame | None:
    """The layer in its CRS: declared, or given (``crs`` wins, with a warning); None, with
    the problem recorded, if it has none or its coordinates cannot be in it."""
    declared = frame.crs
    if frame.crs is None:
        if crs is None:
            problems.add(where, "the layer has no CRS", crs=True,
                         hint="declare it with `crs` (e.g. `crs=\"EPSG:4490\"` for lon/lat), "
                              "or set it in your GIS")
            return None
        frame = frame.set_crs(crs)
    elif crs is not None and not _same_crs(frame.crs, crs):
        warnings.warn(f"{where}: the file declares {crs_label(frame.crs)}; `crs` "
                      f"{crs_label(crs)} overrides it", HzgeoWarning, stacklevel=4)
        frame = frame.set_crs(crs, allow_override=True)
    if gcj02:
        if not frame.crs.is_geographic:
            problems.add(where, "`gcj02` declares lon/lat GCJ-02 coordinates, but the "
                                f"layer's CRS is projected ({crs_label(frame.crs)})", crs=True,
                         hint="drop `gcj02`, or give the lon/lat layer")
            return None
    found = crs_problem(frame)
    if found:
        what, hint = found
        if crs is not None:
            what += (f" (the CRS given with `crs`; the file declares {crs_label(declared)})"
                     if declared is not None else " (the CRS given with `crs`)")
            if declared is not None and crs_problem(
                    frame.set_crs(declared, allow_override=True)) is None:
                hint = (f"leave out `crs`: the file's own {crs_label(declared)} fits its "
                        "coordinates")
        problems.add(where, what, hint=hint, crs=True)
        return None
    if gcj02:
        frame = frame.copy()
        frame.geometry = gpd.GeoSeries(geometry_gcj02_to_wgs84(frame.geometry.values),
                                       index=frame.index).set_crs("EPSG:4326",
                                                                   allow_override=True)
    return frame


def _same_crs(a: CRS, b: CRS) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    epsg = a.to_epsg(min_confidence=70)
    return epsg is not None and epsg == b.to_epsg(min_confidence=70)


def _check_layer(frame: gpd.GeoDataFrame, key: str, types: tuple[str, ...], where: str,
                 problems: Problems, crs, gcj02: bool, duplicate: str | None,
                 duplicate_hint: str, keep_duplicates: bool = False
                 ) -> gpd.GeoDataFrame | None:
    """Duplicate keys, geometry types, NaN coordinates and the CRS of one layer.

    Problems go to ``problems`` (duplicate keys not, with ``keep_duplicates`` or
    ``duplicate`` None: :func:`hzgeo.find_defects` reports them); returns the layer in its
    CRS, or None when it has none or one its coordinates cannot be in.
    """
    if duplicate is not None and not keep_duplicates:
        dup = frame[key][frame[key].duplicated(keep=False)]
        if len(dup):
            problems.add(where, duplicate, sorted(set(dup)), hint=duplicate_hint)
    check_geometry(frame, key, types, where, problems)
    return _set_crs(frame, crs, gcj02, where, problems)


def _fill_provenance(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    defaults = {"synthetic": False, "geometry_source": str(path.name), "source": str(path.name),
                "licence": ""}
    for column, value in defaults.items():
        if column not in frame.columns:
            frame[column] = value
        elif column == "synthetic":
            frame[column] = frame[column].fillna(False).astype(bool)
        else:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def _read_neighbours(path: Path, layer: str | None, columns, crs, gcj02: bool,
                     encoding: str | None) -> gpd.GeoDataFrame | None:
    """The ``neighbours`` layer (units around the data, drawn only), or None.

    Never an error: the layer only adds grey around the maps, so a layer that cannot be
    used is left out with a warning saying why (the boundaries themselves are read).
    """
    problems = Problems()
    where = _where(path, layer)
    frame = _read_layer(path, layer, problems, encoding, allow_empty=True)
    if frame is not None:
        frame = _rename(frame, {"code": "code", "name": "name"}, columns, where, problems,
                        required=())
        if "name" not in frame.columns:
            problems.add(where, "no name column", hint="give the neighbours a `name` column "
                                                      "(their names are drawn on the maps)")
        else:
            frame["name"] = frame["name"].fillna("").astype(str).str.strip()
            frame["code"] = (frame["code"].astype(str) if "code" in frame.columns
                             else frame["name"])
            frame = _check_layer(frame, "code", POLYGON_TYPES, where, problems,
                                 crs, gcj02, None, "")
    if problems.items or frame is None:
        warnings.warn(f"the neighbours layer is left out (the maps show no units around the "
                      f"data): {'; '.join(problems.items)}"
                      + (f" ({'; '.join(problems.hints)})" if problems.hints else ""),
                      HzgeoWarning, stacklevel=3)
        return None
    if "level" not in frame.columns:
        frame["level"] = ""
    frame["level"] = frame["level"].fillna("").astype(str)
    frame = _fill_provenance(frame, path)
    return frame[NEIGHBOUR_COLUMNS].reset_index(drop=True)
