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

import difflib
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from hzgeo.errors import CRSError, HzgeoWarning, InputError
from hzgeo.gcj02 import geometry_gcj02_to_wgs84
from hzgeo.settings import LEVELS

__all__ = ["Boundaries", "Waters", "read_boundaries", "read_waters", "work_crs_for"]

PathLike = str | os.PathLike

#: Column names met in real data, by the name hzgeo uses.
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "XZQDM", "xzqdm", "adcode", "ADCODE", "行政区划代码", "区划代码", "代码",
             "CODE", "PAC", "pac"),
    "name": ("name", "XZQMC", "xzqmc", "NAME", "名称", "行政区名称", "name_zh"),
    "parent_code": ("parent_code", "PARENT", "parent", "上级代码"),
    # names of the units above, carried on a village layer (used when those are derived)
    "township_name": ("township_name", "乡镇名称", "乡镇街道", "乡镇", "XZMC", "xzmc", "TOWN"),
    "county_name": ("county_name", "县区名称", "区县名称", "县区", "区县", "QXMC", "qxmc",
                    "COUNTY"),
    "river_code": ("river_code", "河流编码", "河流代码", "HLDM", "hldm", "RIVER_CODE"),
    "river_name": ("name", "河流名称", "HLMC", "hlmc", "NAME", "名称", "name_zh"),
    "lake_code": ("code", "湖库编码", "水库编码", "CODE"),
    "lake_name": ("name", "湖库名称", "水库名称", "名称", "NAME"),
}

LINE_TYPES = ("LineString", "MultiLineString")
POLYGON_TYPES = ("Polygon", "MultiPolygon")


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


@dataclass
class Boundaries:
    """Administrative units at each level, nested by code.

    Each level is a GeoDataFrame with ``code``, ``name``, ``parent_code``, ``synthetic``,
    ``geometry_source``, ``source``, ``licence``. ``levels`` holds only the levels present
    (the city may be missing). ``origin`` says where each level was read from.
    """

    levels: dict[str, gpd.GeoDataFrame]
    origin: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, level: str) -> gpd.GeoDataFrame:
        if level not in self.levels:
            raise KeyError(f"no {level!r} level; levels present: {list(self.levels)}")
        return self.levels[level]

    def __contains__(self, level: str) -> bool:
        return level in self.levels

    @property
    def crs(self) -> CRS:
        return next(iter(self.levels.values())).crs

    def to_crs(self, crs) -> Boundaries:
        """The same boundaries in another CRS."""
        return Boundaries({k: v.to_crs(crs) for k, v in self.levels.items()}, dict(self.origin))

    def summary(self) -> pd.DataFrame:
        """Units per level, with how many are synthetic."""
        rows = [{"level": lvl, "units": len(f), "synthetic": int(f["synthetic"].sum())}
                for lvl, f in self.levels.items()]
        return pd.DataFrame(rows)


@dataclass
class Waters:
    """Rivers (centerlines) and lakes/reservoirs (polygons)."""

    rivers: gpd.GeoDataFrame
    lakes: gpd.GeoDataFrame
    origin: dict[str, str] = field(default_factory=dict)

    def to_crs(self, crs) -> Waters:
        return Waters(self.rivers.to_crs(crs), self.lakes.to_crs(crs), dict(self.origin))


class _Problems:
    """Collect problems across files and layers; raise them once."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.hints: list[str] = []

    def add(self, where: str, what: str, features=None, hint: str | None = None) -> None:
        text = f"{where}: {what}"
        if features is not None and len(features):
            shown = [str(f) for f in list(features)[:10]]
            more = f" and {len(features) - 10} more" if len(features) > 10 else ""
            text += f" (features: {', '.join(shown)}{more})"
        self.items.append(text)
        if hint and hint not in self.hints:
            self.hints.append(hint)

    def raise_if_any(self, what: str) -> None:
        if not self.items:
            return
        message = f"{what} cannot be used:\n- " + "\n- ".join(self.items)
        raise InputError(message, hint="; ".join(self.hints) or None)


def _where(path: PathLike, layer: str | None) -> str:
    return f"{path}" + (f", layer {layer!r}" if layer else "")


def _list_layers(path: Path) -> list[str]:
    """Layer names of a vector file; an :class:`InputError` if it is missing or unreadable."""
    if not path.exists():
        raise InputError("file not found", file=path, hint="check the path")
    try:
        return [name for name, _ in pyogrio.list_layers(path)]
    except Exception as err:
        raise InputError(f"cannot be read as a vector file ({err})", file=path,
                         hint="give a GeoPackage, shapefile or GeoJSON") from None


#: Encodings tried, in order, on a shapefile whose .dbf declares none (no .cpg): GDAL
#: then reads it as ISO-8859-1, which turns Chinese text into ``¹ó³Ç½ÖµÀ``.
_GUESSED_ENCODINGS = ("UTF-8", "GB18030")


def _undeclared_encoding(path: Path, layer: str | None) -> bool:
    """A shapefile with no declared encoding (no .cpg, no code page in the .dbf)."""
    if path.suffix.lower() not in (".shp", ".dbf"):
        return False
    try:
        return pyogrio.read_info(path, layer=layer).get("encoding") == "ISO-8859-1"
    except Exception:
        return False


def _recover_text(frame: gpd.GeoDataFrame, where: str) -> gpd.GeoDataFrame:
    """Column names and text of a layer read as ISO-8859-1, decoded as UTF-8 or GB18030.

    ISO-8859-1 maps every byte to one character, so ``encode("latin-1")`` gives back the
    file's bytes exactly; the first encoding that decodes all of them is taken.
    """
    text = [c for c in frame.columns if c != frame.geometry.name
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
    values = [str(c) for c in frame.columns] + [
        v for c in text for v in frame[c].dropna().unique().tolist() if isinstance(v, str)]
    raw = [v.encode("latin-1") for v in values if any(ord(ch) > 127 for ch in v)]
    if not raw:
        return frame
    for encoding in _GUESSED_ENCODINGS:
        try:
            for b in raw:
                b.decode(encoding)
        except UnicodeDecodeError:
            continue

        def fix(v, encoding=encoding):
            return v.encode("latin-1").decode(encoding) if isinstance(v, str) else v

        frame = frame.rename(columns={c: fix(c) for c in frame.columns
                                      if c != frame.geometry.name})
        for c in text:
            frame[fix(c)] = frame[fix(c)].map(fix)
        warnings.warn(f"{where}: the shapefile declares no encoding (no .cpg file); its text "
                      f"was read as {encoding}. If names look wrong, give the encoding "
                      "(--encoding, e.g. GBK) or add a .cpg file.", HzgeoWarning, stacklevel=4)
        return frame
    return frame


def _read_layer(path: Path, layer: str | None, problems: _Problems,
                encoding: str | None = None) -> gpd.GeoDataFrame | None:
    where = _where(path, layer)
    if not path.exists():
        problems.add(str(path), "file not found", hint="check the path")
        return None
    if path.suffix.lower() not in (".shp", ".dbf"):
        encoding = None  # GeoPackage and GeoJSON are UTF-8 by definition
    try:
        if layer is not None:
            available = [name for name, _ in pyogrio.list_layers(path)]
            if layer not in available:
                close = difflib.get_close_matches(layer, available, n=1)
                problems.add(where, f"no such layer; the file has {available}",
                             hint=(f"did you mean layer {close[0]!r}?" if close else
                                   "name the layers with --layers level=LAYER"))
                return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = gpd.read_file(path, layer=layer, engine="pyogrio", encoding=encoding)
    except Exception as err:  # pyogrio/GDAL errors: report them as ours
        problems.add(where, f"cannot be read ({type(err).__name__}: {err})",
                     hint="open the file in a GIS to check it is a vector layer"
                     + (f", and that {encoding!r} is its encoding" if encoding else ""))
        return None
    if encoding is None and _undeclared_encoding(path, layer):
        frame = _recover_text(frame, where)
    return frame


def _rename(frame: gpd.GeoDataFrame, wanted: Mapping[str, str], columns: Mapping[str, str],
            where: str, problems: _Problems, required: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Rename the columns hzgeo needs: user mapping first, then known aliases."""
    rename = {}
    for ours, alias_key in wanted.items():
        if ours in columns:
            if columns[ours] not in frame.columns:
                close = difflib.get_close_matches(columns[ours], list(frame.columns), n=1)
                problems.add(where, f"column {columns[ours]!r} (given for {ours!r}) not found",
                             hint=f"did you mean {close[0]!r}?" if close else None)
                continue
            rename[columns[ours]] = ours
            continue
        for alias in ALIASES.get(alias_key, (ours,)):
            if alias in frame.columns and alias not in rename:
                rename[alias] = ours
                break
    frame = frame.rename(columns=rename)
    for ours in required:
        if ours not in frame.columns:
            have = [c for c in frame.columns if c != "geometry"]
            close = difflib.get_close_matches(ours, have, n=1, cutoff=0.3)
            hint = (f"the closest column is {close[0]!r}: map it with --columns "
                    f"{ours}={close[0]}" if close else f"map a column with --columns {ours}=COLUMN")
            problems.add(where, f"missing column {ours!r}; columns are {have}", hint=hint)
    return frame


def _check_geometry(frame: gpd.GeoDataFrame, key: str, types: tuple[str, ...], where: str,
                    problems: _Problems) -> None:
    ids = frame[key].astype(str) if key in frame.columns else pd.Series(frame.index.astype(str))
    geoms = frame.geometry.values
    missing = frame.geometry.isna() | frame.geometry.is_empty
    if missing.any():
        problems.add(where, "features without geometry", ids[missing.to_numpy()].tolist(),
                     hint="delete those features or give them a geometry")
    present = ~missing.to_numpy()
    wrong = present & ~frame.geom_type.isin(types).to_numpy()
    if wrong.any():
        got = sorted(set(frame.geom_type[wrong]))
        problems.add(where, f"geometry must be {' or '.join(types)}, found {got}",
                     ids[wrong].tolist(), hint="pass the layer of the right kind")
    coords_nan = np.zeros(len(frame), dtype=bool)
    if present.any():
        coords, index = shapely.get_coordinates(geoms[present], return_index=True)
        bad = np.unique(index[~np.isfinite(coords).all(axis=1)])
        coords_nan[np.flatnonzero(present)[bad]] = True
    if coords_nan.any():
        problems.add(where, "NaN or infinite coordinates", ids[coords_nan].tolist(),
                     hint="fix or delete those features")


def _set_crs(frame: gpd.GeoDataFrame, crs, gcj02: bool, where: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        if crs is None:
            raise CRSError(f"{where}: the layer has no CRS",
                           hint="declare it with --crs (e.g. --crs EPSG:4490), "
                                "or set it in your GIS")
        frame = frame.set_crs(crs)
    if gcj02:
        if not frame.crs.is_geographic:
            raise CRSError(f"{where}: --gcj02 declares lon/lat GCJ-02 coordinates, but the "
                           f"layer's CRS is projected ({frame.crs.name})",
                           hint="drop --gcj02, or give the lon/lat layer")
        frame = frame.copy()
        frame.geometry = gpd.GeoSeries(geometry_gcj02_to_wgs84(frame.geometry.values),
                                       index=frame.index).set_crs("EPSG:4326",
                                                                   allow_override=True)
    return frame


def _check_layer(frame: gpd.GeoDataFrame, key: str, types: tuple[str, ...], where: str,
                 problems: _Problems, crs, gcj02: bool, duplicate: str,
                 duplicate_hint: str, keep_duplicates: bool = False
                 ) -> gpd.GeoDataFrame | None:
    """Duplicate keys, geometry types, NaN coordinates and the CRS of one layer.

    Problems go to ``problems`` (duplicate keys not, with ``keep_duplicates``); returns the
    layer in its declared CRS, or None when it has none.
    """
    dup = frame[key][frame[key].duplicated(keep=False)]
    if len(dup) and not keep_duplicates:
        problems.add(where, duplicate, sorted(set(dup)), hint=duplicate_hint)
    _check_geometry(frame, key, types, where, problems)
    try:
        return _set_crs(frame, crs, gcj02, where)
    except CRSError as err:
        problems.add(where, "no CRS" if "no CRS" in err.message else err.message,
                     hint=err.hint)
        return None


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
    from hzgeo import datasets

    if source is None:
        source = datasets.get_path("boundaries")
    columns = dict(columns or {})
    problems = _Problems()
    frames: dict[str, gpd.GeoDataFrame] = {}
    origin: dict[str, str] = {}
    if isinstance(source, Mapping):
        unknown = set(source) - set(LEVELS)
        if unknown:
            raise InputError(f"unknown level(s) {sorted(unknown)}; levels are {list(LEVELS)}")
        wanted = {level: (Path(path), (layers or {}).get(level)) for level, path in source.items()}
    else:
        path = Path(source)
        available = _list_layers(path)
        layers = dict(layers or {})
        if len(available) == 1 and not layers:
            layers = {"village": available[0]}
        wanted = {}
        for level in LEVELS:
            name = layers.get(level, level)
            if name in available:
                wanted[level] = (path, name)
            elif level in layers or level == "village":
                wanted[level] = (path, name)  # reported as a missing layer
    for level, (path, layer) in wanted.items():
        frame = _read_layer(path, layer, problems, encoding)
        if frame is None:
            continue
        where = _where(path, layer)
        frame = _rename(frame, {"code": "code", "name": "name", "parent_code": "parent_code",
                                "township_name": "township_name",
                                "county_name": "county_name"},
                        columns, where, problems, required=("code",))
        if "code" not in frame.columns:
            _check_geometry(frame, "code", POLYGON_TYPES, where, problems)
            continue
        frame["code"] = _as_code(frame["code"])
        if "name" not in frame.columns:
            frame["name"] = frame["code"]
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
                             "duplicate codes", "every unit needs its own code",
                             keep_duplicates=keep_duplicates)
        if frame is None:
            continue
        frames[level] = _fill_provenance(frame, path)
        origin[level] = where
    if "village" not in frames and not problems.items:
        problems.add(str(source), "no village level", hint="give the village layer")
    problems.raise_if_any("The boundaries")

    # Derive missing levels upwards by dissolving on the code prefix.
    for child, level in (("village", "township"), ("township", "county"), ("county", "city")):
        if level in frames or child not in frames:
            continue
        frames[level] = _dissolve_up(frames[child], level)
        origin[level] = f"derived from {child} by code prefix"
    ordered = {level: frames[level] for level in LEVELS if level in frames}
    base_crs = ordered["village"].crs
    for level, frame in ordered.items():
        columns_out = ["code", "name", "parent_code", "synthetic", "geometry_source", "source",
                       "licence", "geometry"]
        extra = [c for c in frame.columns if c not in columns_out]
        frame = frame[columns_out + extra]
        ordered[level] = frame.to_crs(base_crs) if frame.crs != base_crs else frame
    return Boundaries(ordered, origin)


def _first(frame: pd.DataFrame, column: str) -> str:
    return str(frame[column].iloc[0]) if column in frame.columns and len(frame) else ""


def _dissolve_up(child: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """The level above ``child``, as the union of the children sharing a ``parent_code``."""
    groups = child.groupby("parent_code", sort=True)
    codes, geoms, synthetic = [], [], []
    for code, grp in groups:
        codes.append(code)
        geoms.append(shapely.coverage_union_all(grp.geometry.values)
                     if shapely.coverage_is_valid(grp.geometry.values)
                     else shapely.union_all(grp.geometry.values))
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


def complete_river_columns(rivers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The optional river columns, with their defaults where missing.

    ``main`` False, ``main_river`` and ``flows_into`` empty, ``accuracy_m`` NaN (unknown),
    ``synthetic`` False.
    """
    rivers = rivers.copy()
    defaults = {"main": False, "main_river": "", "flows_into": "", "accuracy_m": np.nan,
                "synthetic": False}
    for column, value in defaults.items():
        if column not in rivers.columns:
            rivers[column] = value
    for column in ("main", "synthetic"):
        rivers[column] = rivers[column].fillna(False).astype(bool)
    for column in ("main_river", "flows_into"):
        rivers[column] = rivers[column].fillna("").astype(str)
    rivers["accuracy_m"] = pd.to_numeric(rivers["accuracy_m"], errors="coerce")
    return rivers


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
        hzgeo column -> your column: ``river_code``, ``name`` (river), ``lake_code``,
        ``lake_name``. ``河流名称`` and similar are found without it.
    crs, gcj02, encoding
        As in :func:`read_boundaries`.

    Examples
    --------
    >>> w = read_waters()
    >>> sorted(w.rivers.loc[w.rivers["main"], "main_river"].unique())
    ['大同江', '武思江', '白沙河', '西江干流', '郁江干流', '马来河', '鲤鱼江']
    """
    from hzgeo import datasets

    if source is None:
        source = datasets.get_path("waters")
    columns = dict(columns or {})
    problems = _Problems()
    source = Path(source)
    available = _list_layers(source)
    if rivers_layer is None:
        rivers_layer = "rivers" if "rivers" in available or len(available) > 1 else available[0]
    rivers = _read_layer(source, rivers_layer, problems, encoding)
    origin = {"rivers": _where(source, rivers_layer)}
    if rivers is not None:
        where = origin["rivers"]
        mapping = {"river_code": columns.get("river_code"), "name": columns.get("name")}
        rivers = _rename(rivers, {"river_code": "river_code", "name": "river_name"},
                         {k: v for k, v in mapping.items() if v}, where, problems,
                         required=("name",))
        if "name" in rivers.columns:
            rivers["name"] = rivers["name"].fillna("").astype(str)
            if "river_code" not in rivers.columns:
                rivers["river_code"] = rivers["name"]
            rivers["river_code"] = _as_code(rivers["river_code"])
            rivers = _check_layer(rivers, "river_code", LINE_TYPES, where, problems, crs,
                                  gcj02, "duplicate river codes",
                                  "give every river its own river_code (merge the parts of "
                                  "one river into one MultiLineString)")
            if rivers is not None:
                rivers = complete_river_columns(_fill_provenance(rivers, source))
    lake_frame = None
    lake_source, lake_layer = (Path(lakes), lakes_layer) if lakes is not None else (
        source, lakes_layer or ("lakes" if "lakes" in available else None))
    if lake_layer is not None or lakes is not None:
        lake_frame = _read_layer(lake_source, lake_layer, problems, encoding)
        origin["lakes"] = _where(lake_source, lake_layer)
    if lake_frame is not None:
        where = origin["lakes"]
        lake_frame = _rename(lake_frame, {"code": "lake_code", "name": "lake_name"},
                             {k: columns[f"lake_{k}"] for k in ("code", "name")
                              if f"lake_{k}" in columns}, where, problems,
                             required=("code", "name"))
        if {"code", "name"} <= set(lake_frame.columns):
            lake_frame["code"] = _as_code(lake_frame["code"])
            lake_frame = _check_layer(lake_frame, "code", POLYGON_TYPES, where, problems, crs,
                                      gcj02, "duplicate lake codes",
                                      "give every lake or reservoir its own code")
            if lake_frame is not None:
                for column, value in {"kind": "lake", "scale": "", "commander_county": ""}.items():
                    if column not in lake_frame.columns:
                        lake_frame[column] = value
                    lake_frame[column] = lake_frame[column].fillna("").astype(str)
                lake_frame = _fill_provenance(lake_frame, lake_source)
    problems.raise_if_any("The waters")
    if lake_frame is None:
        lake_frame = gpd.GeoDataFrame(
            {c: pd.Series(dtype=object) for c in
             ("code", "name", "kind", "scale", "commander_county", "geometry_source", "source",
              "licence")} | {"synthetic": pd.Series(dtype=bool)},
            geometry=gpd.GeoSeries([], crs=rivers.crs), crs=rivers.crs)
    elif lake_frame.crs != rivers.crs:
        lake_frame = lake_frame.to_crs(rivers.crs)
    return Waters(rivers.reset_index(drop=True), lake_frame.reset_index(drop=True), origin)
