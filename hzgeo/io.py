"""Read boundaries and waters, from our bundled data or from a user's own files.

Boundaries come as one GeoPackage with a layer per level, or one file per level
(shapefile, GeoJSON, GeoPackage). Waters come as a rivers layer and an optional lakes
layer. Column names real data uses (``XZQDM``/``XZQMC``, ``河流名称`` ...) are recognised
or mapped with ``columns``. When only villages are given, townships, counties and the
city are derived by dissolving on the code prefix.

Every problem that makes an input unusable is collected and raised once, as an
:class:`~hzgeo.errors.InputError` naming file, layer and features.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from hzgeo._bundled import get_path
from hzgeo._checks import (
    LINE_TYPES,
    POLYGON_TYPES,
    Problems,
    check_encoding,
    check_geometry,
    check_keys,
    check_type,
    crs_label,
    crs_problem,
    parse_crs,
)
from hzgeo._checks import where as _where
from hzgeo._columns import as_flag as _as_flag
from hzgeo._columns import complete_lake_columns, complete_river_columns
from hzgeo.errors import HzgeoWarning, InputError
from hzgeo.gcj02 import geometry_gcj02_to_wgs84
from hzgeo.model import BOUNDARY_COLUMNS, LAKE_COLUMNS, Boundaries, Waters
from hzgeo.settings import LEVELS

__all__ = ["Boundaries", "Waters", "read_boundaries", "read_seats", "read_waters",
           "work_crs_for"]

PathLike = str | os.PathLike

#: Column names met in real data, by the name hzgeo uses.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "XZQDM", "xzqdm", "adcode", "ADCODE", "行政区划代码", "区划代码", "代码",
             "CODE", "PAC", "pac"),
    "name": ("name", "XZQMC", "xzqmc", "NAME", "名称", "行政区名称", "name_zh"),
    # (a shapefile cuts column names to 10 characters: parent_cod, township_n, county_nam)
    "parent_code": ("parent_code", "parent_cod", "PARENT", "parent", "上级代码"),
    # names of the units above, carried on a village layer (used when those are derived)
    # (a UTF-8 shapefile keeps 3 Chinese characters of a column name: 乡镇名, 县区名)
    "township_name": ("township_name", "township_n", "乡镇名称", "乡镇名", "乡镇街道", "乡镇",
                      "XZMC", "xzmc", "TOWN"),
    "county_name": ("county_name", "county_nam", "县区名称", "县区名", "区县名称", "区县名",
                    "县区", "区县", "QXMC", "qxmc", "COUNTY"),
    "river_code": ("river_code", "河流编码", "河流代码", "HLDM", "hldm", "RIVER_CODE"),
    "river_name": ("name", "河流名称", "HLMC", "hlmc", "NAME", "名称", "name_zh"),
    "lake_code": ("code", "湖库编码", "水库编码", "CODE"),
    "lake_name": ("name", "湖库名称", "水库名称", "名称", "NAME"),
    # optional river columns
    "flows_into": ("flows_into", "FLOWS_INTO", "汇入", "汇入河流", "汇入河流编码", "汇入水体",
                   "流入河流", "HRHL", "hrhl"),
    "accuracy_m": ("accuracy_m", "ACCURACY_M", "精度", "精度_m", "精度(米)", "精度（米）",
                   "定位精度", "ACCURACY"),
    "main": ("main", "MAIN", "干流", "是否干流", "市级河流", "是否市级河流"),
    "main_river": ("main_river", "MAIN_RIVER", "所属干流"),
}
_BOUNDARY_KEYS = ("code", "name", "parent_code", "township_name", "county_name")


def work_crs_for(frame: gpd.GeoDataFrame) -> CRS:
    """Projected CRS for geometry work on ``frame``.

    A projected input keeps its CRS. A geographic one gets the CGCS2000 3-degree
    Gauss-Kruger zone of its centre (EPSG:4534-4554, central meridians 75E-135E), or
    its UTM zone outside China.

    Examples
    --------
    >>> import shapely
    >>> f = gpd.GeoDataFrame(geometry=[shapely.Point(109.6, 23.1)], crs="EPSG:4490")
    >>> work_crs_for(f).to_epsg()
    4546
    """
    if frame.crs is not None and frame.crs.is_projected:
        return frame.crs
    minx, miny, maxx, maxy = frame.to_crs("EPSG:4490").total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    central = round(lon / 3.0) * 3
    if 75 <= central <= 135 and 15 <= lat <= 55:
        return CRS.from_epsg(4534 + (central - 75) // 3)
    zone = int((lon + 180) // 6) + 1
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


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
                      "(--encoding, e.g. GBK) or add a .cpg file.", HzgeoWarning, stacklevel=4)
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
                                   "name the layers with --layers level=LAYER"))
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
        problems.add(where, f"cannot be read ({type(err).__name__}: {_gdal_says(err)})",
                     hint="give a GeoPackage, shapefile or GeoJSON, and open it in a GIS to "
                          "check it is a vector layer"
                     + (f"; check that {encoding!r} is its encoding" if encoding else ""))
        return None
    if not isinstance(frame, gpd.GeoDataFrame):
        problems.add(where, "has no geometry: it is a table, not a map layer",
                     hint="give a GeoPackage, shapefile or GeoJSON with the features' "
                          "geometry (a CSV has none)")
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


def _rename(frame: gpd.GeoDataFrame, wanted: Mapping[str, str], columns: Mapping[str, str],
            where: str, problems: Problems, required: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Rename the columns hzgeo needs: user mapping first, then known aliases.

    ``wanted`` maps hzgeo's column in this layer to its ``columns`` key (``name`` ->
    ``river_name`` on a rivers layer), so that mappings and hints use the key.
    """
    rename = {}
    for ours, key in wanted.items():
        if key in columns:
            if columns[key] not in frame.columns:
                have = [c for c in frame.columns if c != frame.geometry.name]
                close = difflib.get_close_matches(columns[key], have, n=1)
                problems.add(where, f"column {columns[key]!r} (given for {key!r}) not found; "
                                    f"columns are {have}",
                             hint=(f"did you mean --columns {key}={close[0]}?" if close else
                                   f"map an existing column with --columns {key}=COLUMN"))
                continue
            rename[columns[key]] = ours
            continue
        for alias in ALIASES.get(key, (ours,)):
            if alias in frame.columns and alias not in rename:
                rename[alias] = ours
                break
    frame = frame.rename(columns=rename)
    for ours in required:
        if ours not in frame.columns:
            key = wanted.get(ours, ours)
            if key in columns:
                continue  # reported above
            have = [c for c in frame.columns if c != frame.geometry.name]
            free = [c for c in have if c not in set(rename.values()) | set(ALIASES)]
            close = difflib.get_close_matches(key, free, n=1, cutoff=0.3)
            hint = (f"the closest column is {close[0]!r}: map it with --columns "
                    f"{key}={close[0]}" if close else f"map a column with --columns {key}=COLUMN")
            problems.add(where, f"missing column {key!r}; columns are {have}", hint=hint)
    return frame


def _set_crs(frame: gpd.GeoDataFrame, crs: CRS | None, gcj02: bool, where: str,
             problems: Problems) -> gpd.GeoDataFrame | None:
    """The layer in its CRS: declared, or given (``crs`` wins, with a warning); None, with
    the problem recorded, if it has none or its coordinates cannot be in it."""
    declared = frame.crs
    if frame.crs is None:
        if crs is None:
            problems.add(where, "the layer has no CRS", crs=True,
                         hint="declare it with --crs (e.g. --crs EPSG:4490 for lon/lat), "
                              "or set it in your GIS")
            return None
        frame = frame.set_crs(crs)
    elif crs is not None and not _same_crs(frame.crs, crs):
        warnings.warn(f"{where}: the file declares {crs_label(frame.crs)}; --crs "
                      f"{crs_label(crs)} overrides it", HzgeoWarning, stacklevel=4)
        frame = frame.set_crs(crs, allow_override=True)
    if gcj02:
        if not frame.crs.is_geographic:
            problems.add(where, "--gcj02 declares lon/lat GCJ-02 coordinates, but the "
                                f"layer's CRS is projected ({crs_label(frame.crs)})", crs=True,
                         hint="drop --gcj02, or give the lon/lat layer")
            return None
    found = crs_problem(frame)
    if found:
        what, hint = found
        if crs is not None:
            what += (f" (the CRS given with --crs; the file declares {crs_label(declared)})"
                     if declared is not None else " (the CRS given with --crs)")
            if declared is not None and crs_problem(
                    frame.set_crs(declared, allow_override=True)) is None:
                hint = (f"leave out --crs: the file's own {crs_label(declared)} fits its "
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


def _as_code(series: pd.Series) -> pd.Series:
    """Codes as strings: 450802.0 -> '450802'."""
    if pd.api.types.is_float_dtype(series):
        return series.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return series.fillna("").astype(str).str.strip()


def _parent_of(code: str, level: str) -> str:
    if level == "village":
        return code[:9]
    if level == "township":
        return code[:6]
    if level == "county":
        return code[:4] + "00"
    return ""


def read_boundaries(source: PathLike | Mapping[str, PathLike] | None = None, *,
                    layers: Mapping[str, str] | None = None,
                    columns: Mapping[str, str] | None = None, crs=None,
                    gcj02: bool = False, encoding: str | None = None,
                    keep_duplicates: bool = False) -> Boundaries:
    """Read administrative boundaries: city, county, township, village.

    Parameters
    ----------
    source : path or mapping of level -> path, optional
        One GeoPackage with a layer per level, or one file per level
        (``{"village": "villages.shp", ...}``). ``None`` reads the bundled Guigang data.
    layers : mapping, optional
        Layer name of each level in a GeoPackage; default the level's name. Levels
        whose layer is missing are derived from the level below, but the village level
        must be there.
    columns : mapping, optional
        hzgeo column -> your column, e.g. ``{"code": "XZQDM", "name": "XZQMC"}``.
        Common names (XZQDM/XZQMC, adcode, 名称 ...) are found without it. A village
        layer may carry ``township_name`` and ``county_name`` (乡镇名称, 县区名称 ...): the
        derived units take those names, else their codes.
    crs : optional
        CRS of layers that have none. A layer with no CRS is an error without it.
    gcj02 : bool, default False
        The input is lon/lat in GCJ-02 (Chinese web maps): move it to WGS84.
    encoding : str, optional
        Text encoding of shapefiles, e.g. ``"GBK"``. By default a shapefile's .cpg is
        used; one without (read by GDAL as ISO-8859-1) is decoded as UTF-8 or else
        GB18030 (a superset of GBK), with a warning.
    keep_duplicates : bool, default False
        Keep units whose code is not unique instead of refusing the layer (for the audit,
        ``hzgeo check``, which reports them as ``duplicate_code``).

    Returns
    -------
    Boundaries

    Raises
    ------
    InputError
        Listing every problem that makes the input unusable: missing file, layer or
        column, wrong geometry type, duplicate codes, NaN coordinates.
    CRSError
        A layer has no CRS and ``crs`` was not given.

    Examples
    --------
    >>> b = read_boundaries()  # the bundled Guigang data
    >>> [len(b[level]) for level in ("city", "county", "township", "village")]
    [1, 5, 74, 1195]
    """
    if source is None:
        source = get_path("boundaries")
    check_type(source, "source", (str, os.PathLike, Mapping),
               "a path, or a mapping of level -> path")
    columns = check_keys(columns, ALIASES, "column key", "--columns", "columns")
    layers = check_keys(layers, LEVELS, "level", "--layers", "layers")
    encoding = check_encoding(encoding)
    crs = parse_crs(crs)
    problems = Problems()
    frames: dict[str, gpd.GeoDataFrame] = {}
    origin: dict[str, str] = {}
    if isinstance(source, Mapping):
        check_keys(source, LEVELS, "level", "--boundaries", "source")
        wanted = {level: (Path(path), layers.get(level)) for level, path in source.items()}
    else:
        path = Path(source)
        available = _list_layers(path)
        if len(available) == 1 and not layers:
            layers = {"village": available[0]}
        wanted = {}
        for level in LEVELS:
            name = layers.get(level, level)
            if name in available:
                wanted[level] = (path, name)
            elif level in layers or level == "village":
                wanted[level] = (path, name)  # reported as a missing layer
    unnamed: list[str] = []
    for level, (path, layer) in wanted.items():
        frame = _read_layer(path, layer, problems, encoding)
        if frame is None:
            continue
        where = _where(path, layer)
        frame = _rename(frame, {key: key for key in _BOUNDARY_KEYS}, columns, where, problems,
                        required=("code",))
        if "code" not in frame.columns:
            check_geometry(frame, "code", POLYGON_TYPES, where, problems)
            continue
        frame["code"] = _as_code(frame["code"])
        if "name" not in frame.columns:
            frame["name"] = frame["code"]
            unnamed.append(where)
        frame["name"] = frame["name"].fillna("").astype(str)
        if "parent_code" in frame.columns:
            frame["parent_code"] = _as_code(frame["parent_code"])
        else:
            frame["parent_code"] = [_parent_of(c, level) for c in frame["code"]]
        empty_code = frame["code"] == ""
        if empty_code.any():
            problems.add(where, "features without a code",
                         [f"row {i}" for i in np.flatnonzero(empty_code)][:10],
                         hint="give every unit its statistical code")
        frame = _check_layer(frame, "code", POLYGON_TYPES, where, problems, crs, gcj02,
                             "duplicate codes", "every unit needs its own code (`hzgeo "
                             "check` maps them)", keep_duplicates=keep_duplicates)
        if frame is None:
            continue
        frames[level] = _fill_provenance(frame, path)
        origin[level] = where
    if "village" not in frames and not problems.items:
        problems.add(str(source), "no village level", hint="give the village layer")
    problems.raise_if_any("The boundaries")
    if unnamed:
        warnings.warn(f"{'; '.join(unnamed)}: no name column found, so the units are named by "
                      "their codes (reach names read 黔江450881段): map the names with "
                      "--columns name=COLUMN", HzgeoWarning, stacklevel=2)
    derived = [lvl for lvl in ("township", "county") if lvl not in frames
               and not _carries_names(frames, lvl)]
    if derived:
        warnings.warn(f"{origin['village']}: the {' and '.join(derived)} level(s) are derived "
                      "from the village codes and named by their codes, for lack of a name "
                      "column: map the village layer's columns with "
                      + " and ".join(f"--columns {lvl}_name=COLUMN" for lvl in derived)
                      + " (or give those levels' own layers)", HzgeoWarning, stacklevel=2)

    # Derive missing levels upwards by dissolving on the code prefix.
    for child, level in (("village", "township"), ("township", "county"), ("county", "city")):
        if level in frames or child not in frames:
            continue
        frames[level] = _dissolve_up(frames[child], level)
        origin[level] = f"derived from {child} by code prefix"
    ordered = {level: frames[level] for level in LEVELS if level in frames}
    base_crs = ordered["village"].crs
    for level, frame in ordered.items():
        columns_out = BOUNDARY_COLUMNS
        extra = [c for c in frame.columns if c not in columns_out]
        frame = frame[columns_out + extra]
        ordered[level] = frame.to_crs(base_crs) if frame.crs != base_crs else frame
    return Boundaries(ordered, origin)


def read_seats(source: PathLike | None = None, *, layer: str | None = None,
               crs=None) -> gpd.GeoDataFrame | None:
    """Village seats (村委会 locations, 驻地): points with the village ``code``.

    Notice boards stand nearest their village's seat (:func:`hzgeo.notice_boards`
    takes them as ``seats``). Read from the ``seats`` layer of the boundaries file.

    Parameters
    ----------
    source : path, optional
        The file; default the bundled Guigang boundaries (whose ``seats`` layer holds
        1,269 place points).
    layer : str, optional
        The layer; default ``seats``, and no seats (None) if the file has no such layer.
    crs : optional
        The CRS of a layer that declares none.

    Returns
    -------
    geopandas.GeoDataFrame or None
        ``code`` (text) and point geometry, with the layer's other columns.

    Raises
    ------
    InputError
        The file or a named layer is missing, the layer has no ``code`` column, or holds
        something other than points.

    Examples
    --------
    >>> seats = read_seats()
    >>> len(seats), sorted(set(seats.geom_type))
    (1269, ['Point'])
    """
    path = Path(get_path("boundaries") if source is None else source)
    problems = Problems()
    if path.exists() and layer is None and "seats" not in _list_layers(path):
        return None
    frame = _read_layer(path, layer or "seats", problems)
    where = _where(path, layer or "seats")
    if frame is not None and "code" not in frame.columns:
        problems.add(where, f"no 'code' column (columns: {list(frame.columns)})",
                     hint="give each seat the 12-digit code of its village")
    elif frame is not None:
        frame["code"] = _as_code(frame["code"])
        bad = ~frame.geom_type.isin(["Point"])
        if bad.any():
            problems.add(where, "features that are not points", [f"row {i}" for i in
                                                                 np.flatnonzero(bad)][:10],
                         hint="give one point per village seat")
        crs = parse_crs(crs)
        if frame.crs is None and crs is None:
            problems.add(where, "no CRS", hint="declare it (e.g. EPSG:4490) in your GIS")
        elif frame.crs is None:
            frame = frame.set_crs(crs)
    problems.raise_if_any("The village seats")
    return frame


def _carries_names(frames: dict[str, gpd.GeoDataFrame], level: str) -> bool:
    """Whether the level below ``level`` carries its names (``township_name`` ...)."""
    child = frames["township"] if level == "county" and "township" in frames \
        else frames["village"]
    column = f"{level}_name"
    return column in child.columns and bool((child[column].fillna("").astype(str) != "").any())


def _first(frame: pd.DataFrame, column: str) -> str:
    return str(frame[column].iloc[0]) if column in frame.columns and len(frame) else ""


def _dissolve_up(child: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """The level above ``child``, as the union of the children sharing a ``parent_code``."""
    groups = child.groupby("parent_code", sort=True)
    codes, geoms, synthetic = [], [], []
    for code, grp in groups:
        codes.append(code)
        parts = grp.geometry.values
        invalid = ~shapely.is_valid(parts)
        if invalid.any():  # a bow tie: the parent as `hzgeo check --fix` would see it
            parts = parts.copy()
            parts[invalid] = shapely.make_valid(parts[invalid], method="structure",
                                                keep_collapsed=False)
        geoms.append(shapely.coverage_union_all(parts)
                     if not invalid.any() and shapely.coverage_is_valid(parts)
                     else shapely.union_all(parts))
        synthetic.append(bool(grp["synthetic"].any()) if "synthetic" in grp else False)
    # the unit's name where the children carry it (e.g. a 乡镇名称 column), else its code
    names = _carried(groups, f"{level}_name", codes)
    frame = gpd.GeoDataFrame({"code": codes, "name": names,
                              "parent_code": [_parent_of(c, level) for c in codes],
                              "synthetic": synthetic,
                              "geometry_source": "dissolved from the level below",
                              "source": _first(child, "source"),
                              "licence": _first(child, "licence")},
                             geometry=geoms, crs=child.crs)
    if level == "city":
        frame["parent_code"] = ""
    if "county_name" in child.columns:  # passed up for the next level's name
        frame["county_name"] = _carried(groups, "county_name", [""] * len(codes))
    return frame


def _carried(groups, column: str, default: list) -> list:
    """Per group, the first non-empty value of ``column``; ``default`` where there is none."""
    if column not in groups.obj.columns:
        return list(default)
    values = groups[column].agg(lambda v: next((x for x in v if isinstance(x, str) and x), ""))
    return [value or fallback for value, fallback in zip(values.tolist(), default, strict=True)]


#: Mean vertex spacing (m) from which a river without ``accuracy_m`` gets a note.
COARSE_SPACING_M = 1000.0
_WATER_KEYS = {"river_code": "river_code", "name": "river_name", "flows_into": "flows_into",
               "accuracy_m": "accuracy_m", "main": "main", "main_river": "main_river"}


def _river_columns(rivers: gpd.GeoDataFrame, where: str, problems: Problems
                   ) -> gpd.GeoDataFrame:
    """Check the optional columns' values; flows_into given as names becomes codes."""
    if "main" in rivers.columns:
        _, bad = _as_flag(rivers["main"])
        if bad.any():
            problems.add(where, "column 'main' holds values that are not yes/no: "
                                f"{sorted(set(map(str, rivers['main'][bad])))[:5]}",
                         rivers["river_code"][bad].tolist(),
                         hint="mark the plan's main rivers with 是/否, 1/0 or true/false")
    if "accuracy_m" in rivers.columns:
        raw = rivers["accuracy_m"]
        value = pd.to_numeric(raw, errors="coerce")
        bad = (raw.notna() & (raw.astype(str).str.strip() != "") & value.isna()) | (value <= 0)
        if bad.any():
            problems.add(where, "column 'accuracy_m' holds values that are not positive "
                                "metres", rivers["river_code"][bad.to_numpy()].tolist(),
                         hint="give accuracy_m in metres (e.g. 1000 for a 1:1,000,000 map), "
                              "or leave it empty")
    if "flows_into" in rivers.columns:
        into = _as_code(rivers["flows_into"])  # 450802.0 -> '450802', as river_code
        codes = set(rivers["river_code"])
        names = rivers.drop_duplicates("name", keep=False).set_index("name")["river_code"]
        by_name = into.map(lambda v: names.get(v, v) if v and v not in codes else v)
        rivers["flows_into"] = by_name  # 汇入河流 given as names
    return rivers


def _degraded_rivers(rivers: gpd.GeoDataFrame, where: str) -> None:
    """Warn when the rivers lack what some results need: flows_into, accuracy_m."""
    if len(rivers) > 1 and not (rivers["flows_into"] != "").any():
        warnings.warn(f"{where}: no flows_into column (汇入河流), so mouths and confluences "
                      "cannot be named (起止 say 市界 or 源头 instead of 汇入…) and flow "
                      "direction is taken as drawn: map the column with --columns "
                      "flows_into=COLUMN", HzgeoWarning, stacklevel=3)
    unknown = ~np.isfinite(rivers["accuracy_m"].to_numpy(dtype=float))
    if not unknown.any():
        return
    geoms = rivers.geometry.values[unknown]
    if rivers.crs.is_geographic:
        lon_lat = rivers.crs
        length = gpd.GeoSeries(geoms, crs=lon_lat).to_crs(work_crs_for(rivers)).length
        length = length.to_numpy()
    else:
        length = shapely.length(geoms) * rivers.crs.axis_info[0].unit_conversion_factor
    segments = shapely.get_num_coordinates(geoms) - shapely.get_num_geometries(geoms)
    spacing = length / np.maximum(segments, 1)
    coarse = spacing >= COARSE_SPACING_M
    if coarse.any():
        codes = rivers["river_code"].to_numpy()[unknown][coarse]
        km = spacing[coarse].min() / 1000
        warnings.warn(f"{where}: {len(codes)} river(s) have vertices {km:.1f} km or more "
                      f"apart and no accuracy_m ({', '.join(codes[:10])}"
                      + (" ..." if len(codes) > 10 else "") + "): such a line can stray from a "
                      "border it follows by more than the 20 m tolerance, so 界河 may be "
                      "missed: give accuracy_m (--columns accuracy_m=COLUMN, or 精度) or "
                      "--boundary-tolerance", HzgeoWarning, stacklevel=3)


def read_waters(source: PathLike | None = None, *, lakes: PathLike | None = None,
                rivers_layer: str | None = None, lakes_layer: str | None = None,
                columns: Mapping[str, str] | None = None, crs=None,
                gcj02: bool = False, encoding: str | None = None) -> Waters:
    """Read rivers (centerlines) and lakes/reservoirs (polygons).

    Parameters
    ----------
    source : path, optional
        A file with the rivers (a GeoPackage may also hold a ``lakes`` layer).
        ``None`` reads the bundled Guigang data.
    lakes : path, optional
        A separate file with lakes and reservoirs.
    rivers_layer, lakes_layer : str, optional
        Layer names in a multi-layer file; default ``rivers`` and ``lakes`` (or the only layer).
    columns : mapping, optional
        ``columns`` key -> your column: ``river_code``, ``river_name``, ``flows_into``
        (the river_code, or the name, of the river it flows into), ``accuracy_m``,
        ``main`` (yes/no), ``main_river``, ``lake_code``, ``lake_name``. Keys of the
        boundaries (``code``, ``name`` ...) are accepted and ignored, so that one mapping
        serves both readers. ``河流名称``, ``汇入河流``, ``精度``, ``干流`` and similar are
        found without it.
    crs, gcj02, encoding
        As in :func:`read_boundaries`.

    Raises
    ------
    InputError, CRSError
        As :func:`read_boundaries`; also ``main`` values that are not yes/no,
        ``accuracy_m`` values that are not positive metres. (Duplicate river codes are a
        defect that :func:`hzgeo.find_defects` reports.)

    Warns
    -----
    HzgeoWarning
        Rivers without ``flows_into`` (mouths and confluences cannot be named), rivers
        without ``accuracy_m`` whose vertices are a kilometre or more apart.

    Examples
    --------
    >>> w = read_waters()
    >>> sorted(w.rivers.loc[w.rivers["main"], "main_river"].unique())
    ['大同江', '武思江', '白沙河', '西江干流', '郁江干流', '马来河', '鲤鱼江']
    """
    if source is None:
        source = get_path("waters")
    check_type(source, "source", (str, os.PathLike), "a path")
    columns = check_keys(columns, ALIASES, "column key", "--columns", "columns")
    encoding = check_encoding(encoding)
    crs = parse_crs(crs)
    problems = Problems()
    source = Path(source)
    available = _list_layers(source)
    if rivers_layer is None:
        rivers_layer = "rivers" if "rivers" in available or len(available) > 1 else available[0]
    rivers = _read_layer(source, rivers_layer, problems, encoding)
    origin = {"rivers": _where(source, rivers_layer)}
    if rivers is not None:
        where = origin["rivers"]
        rivers = _rename(rivers, _WATER_KEYS, columns, where, problems, required=("name",))
        if "name" in rivers.columns:
            rivers["name"] = rivers["name"].fillna("").astype(str)
            if "river_code" not in rivers.columns:
                rivers["river_code"] = rivers["name"]
            rivers["river_code"] = _as_code(rivers["river_code"])
            rivers = _river_columns(rivers, where, problems)
            # duplicate river codes are a defect that `hzgeo check` reports
            rivers = _check_layer(rivers, "river_code", LINE_TYPES, where, problems, crs,
                                  gcj02, None, "")
            if rivers is not None:
                rivers = complete_river_columns(_fill_provenance(rivers, source))
    lake_frame = None
    lake_source, lake_layer = (Path(lakes), lakes_layer) if lakes is not None else (
        source, lakes_layer or ("lakes" if "lakes" in available else None))
    if lake_layer is not None or lakes is not None:
        lake_frame = _read_layer(lake_source, lake_layer, problems, encoding, allow_empty=True)
        origin["lakes"] = _where(lake_source, lake_layer)
    if lake_frame is not None:
        where = origin["lakes"]
        lake_frame = _rename(lake_frame, {"code": "lake_code", "name": "lake_name"}, columns,
                             where, problems, required=("code", "name"))
        if {"code", "name"} <= set(lake_frame.columns):
            lake_frame["code"] = _as_code(lake_frame["code"])
            lake_frame = _check_layer(lake_frame, "code", POLYGON_TYPES, where, problems, crs,
                                      gcj02, "duplicate lake codes",
                                      "give every lake or reservoir its own code")
            if lake_frame is not None:
                lake_frame = _fill_provenance(complete_lake_columns(lake_frame), lake_source)
    problems.raise_if_any("The waters")
    assert rivers is not None  # (else a problem was raised)
    _degraded_rivers(rivers, origin["rivers"])
    if lake_frame is None:
        lake_frame = gpd.GeoDataFrame(
            {c: pd.Series(dtype=bool if c == "synthetic" else object)
             for c in LAKE_COLUMNS[:-1]},
            geometry=gpd.GeoSeries([], crs=rivers.crs), crs=rivers.crs)
    elif lake_frame.crs != rivers.crs:
        lake_frame = lake_frame.to_crs(rivers.crs)
    return Waters(rivers.reset_index(drop=True), lake_frame.reset_index(drop=True), origin)
