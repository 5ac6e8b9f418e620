"""Read boundaries and waters, from our bundled data or from a user's own files.

Boundaries come as one GeoPackage with a layer per level, or one file per level
(shapefile, GeoJSON, GeoPackage). Waters come as a rivers layer and an optional lakes
layer. Column names real data uses (``XZQDM``/``XZQMC``, ``河流名称`` ...) are recognised
or mapped with ``columns``. When only villages are given, townships, counties and the
city are derived by dissolving on the code prefix.

Every problem that makes an input unusable is collected and raised once, as an
:class:`~hzgeo.errors.InputError` naming file, layer and features.

The work is shared with three modules: :mod:`hzgeo.columns` (the column names real data
uses, and the values in them), :mod:`hzgeo._layers` (reading one layer: formats,
encodings, CRS) and :mod:`hzgeo._levels` (levels derived, levels given, levels mixed up).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
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
    parse_crs,
)
from hzgeo._checks import where as _where
from hzgeo._layers import (
    _check_layer,
    _fill_provenance,
    _list_layers,
    _read_layer,
    _read_neighbours,
)
from hzgeo._levels import (
    _REACH_LEVELS,
    _carries_names,
    _check_level_identity,
    _dissolve_up,
    _finest,
    _given,
    _parent_of,
    _source_label,
)
from hzgeo.columns import (
    _LAKE_KEYS,
    _WATER_KEYS,
    COLUMN_KEYS,
    _lake_notes,
    _listed,
    _main_notes,
    _rename,
    _river_columns,
    as_code,
    as_text,
    complete_lake_columns,
    complete_river_columns,
)
from hzgeo.errors import HzgeoWarning
from hzgeo.labels import LEVEL_NAMES
from hzgeo.model import BOUNDARY_COLUMNS, LAKE_COLUMNS, Boundaries, Waters
from hzgeo.settings import LEVELS

__all__ = ["Boundaries", "Waters", "complete_lake_columns", "complete_river_columns",
           "is_bundled_sample", "read_boundaries", "read_seats", "read_waters", "work_crs_for"]

PathLike = str | os.PathLike

_BOUNDARY_KEYS = ("code", "name", "parent_code", "township_name", "county_name")
#: The optional layer of units around the data, drawn only (:attr:`Boundaries.neighbours`).
NEIGHBOURS = "neighbours"


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
        A ``neighbours`` layer (or ``"neighbours"`` file), polygons with a ``name``, is
        read too when there: the units around the data (the cities around the city),
        drawn in grey and named on the maps, never segmented (``Boundaries.neighbours``).
        Without it the maps show nothing around the data; one that cannot be used is
        left out with a warning.
    layers : mapping, optional
        Layer name of each level (and of ``neighbours``) in a GeoPackage; default the
        level's name. Levels whose layer is missing are derived from the level below,
        but the village level must be there.
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
    >>> b.neighbours["name"].tolist()
    ['南宁市', '梧州市', '钦州市', '玉林市', '来宾市']
    """
    if source is None:
        source = get_path("boundaries")
    check_type(source, "source", (str, os.PathLike, Mapping),
               "a path, or a mapping of level -> path")
    columns = check_keys(columns, COLUMN_KEYS, "column key", "`columns`", "columns")
    layers = check_keys(layers, (*LEVELS, NEIGHBOURS), "level", "`layers`", "layers")
    encoding = check_encoding(encoding)
    crs = parse_crs(crs)
    problems = Problems()
    frames: dict[str, gpd.GeoDataFrame] = {}
    origin: dict[str, str] = {}
    around: tuple[Path, str | None] | None = None
    if isinstance(source, Mapping):
        check_keys(source, (*LEVELS, NEIGHBOURS), "level", "`boundaries`", "source")
        wanted = {level: (Path(path), layers.get(level)) for level, path in source.items()
                  if level != NEIGHBOURS}
        if NEIGHBOURS in source:
            around = (Path(source[NEIGHBOURS]), layers.get(NEIGHBOURS))
    else:
        path = Path(source)
        available = _list_layers(path)
        if len(available) == 1 and not layers:  # one layer: villages, unless named a level
            layers = {available[0] if available[0] in LEVELS else "village": available[0]}
        if layers.get(NEIGHBOURS, NEIGHBOURS) in available:
            around = (path, layers.get(NEIGHBOURS, NEIGHBOURS))
        elif NEIGHBOURS in layers:
            warnings.warn(f"{path.name}: no layer {layers[NEIGHBOURS]!r} for the neighbours "
                          f"(the file has {available}): the maps show no units around the "
                          "data", HzgeoWarning, stacklevel=2)
        wanted = {}
        for level in LEVELS:
            name = layers.get(level, level)
            if name in available:
                wanted[level] = (path, name)
            elif level in layers:
                wanted[level] = (path, name)  # reported as a missing layer
        if not set(wanted) & set(_REACH_LEVELS):
            wanted["village"] = (path, layers.get("village", "village"))  # reported missing
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
        frame["code"] = as_code(frame["code"])
        if "name" in frame.columns:
            frame["name"] = as_text(frame["name"])
            if (frame["name"] == "").all():
                frame = frame.drop(columns="name")  # a name column with no names in it
        if "name" not in frame.columns:
            frame["name"] = frame["code"]
            unnamed.append(where)
        nameless = frame["name"] == ""
        if nameless.any():
            frame.loc[nameless, "name"] = frame.loc[nameless, "code"]
            warnings.warn(f"{where}: {int(nameless.sum())} unit(s) without a name are named "
                          f"by their codes ({_listed(frame.loc[nameless, 'code'])})",
                          HzgeoWarning, stacklevel=2)
        if "parent_code" in frame.columns:
            frame["parent_code"] = as_code(frame["parent_code"])
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
    if not set(frames) & set(_REACH_LEVELS) and not problems.items:
        problems.add(_source_label(source), "no county, township or village level",
                     hint="give the finest level the city has (the levels above it are "
                          "derived): `boundaries={\"village\": \"FILE\"}`, township=FILE or "
                          "county=FILE")
    if not problems.items:
        _check_level_identity(frames, origin, problems)
    problems.raise_if_any("The boundaries")
    missing = list(_REACH_LEVELS[_REACH_LEVELS.index(_finest(frames)) + 1:])
    if missing:
        warnings.warn(f"{_source_label(source)}: no {' or '.join(missing)} level: reaches, "
                      f"chiefs and the audit are at {' and '.join(_given(frames))} level only "
                      f"(no {' or '.join(LEVEL_NAMES[m] for m in missing)} reaches, chiefs or "
                      "notice boards); give the "
                      + " and ".join(missing) + " layer(s) for them", HzgeoWarning,
                      stacklevel=2)
    if unnamed:
        warnings.warn(f"{'; '.join(unnamed)}: no name column found, so the units are named by "
                      "their codes (reach names read 黔江450881段): map the names with "
                      "`columns={\"name\": \"COLUMN\"}`", HzgeoWarning, stacklevel=2)
    derived = [lvl for lvl in ("township", "county") if lvl not in frames
               and "village" in frames and not _carries_names(frames, lvl)]
    if derived:
        warnings.warn(f"{origin['village']}: the {' and '.join(derived)} level(s) are derived "
                      "from the village codes and named by their codes, for lack of a name "
                      "column: map the village layer's columns with "
                      + "`columns={" + ", ".join(f"'{lvl}_name': 'COLUMN'" for lvl in derived)
                      + "}`"
                      + " (or give those levels' own layers)", HzgeoWarning, stacklevel=2)

    # Derive missing levels upwards by dissolving on the code prefix.
    for child, level in (("village", "township"), ("township", "county"), ("county", "city")):
        if level in frames or child not in frames:
            continue
        frames[level] = _dissolve_up(frames[child], level)
        origin[level] = f"derived from {child} by code prefix"
    ordered = {level: frames[level] for level in LEVELS if level in frames}
    base_crs = ordered[_finest(frames)].crs
    for level, frame in ordered.items():
        columns_out = BOUNDARY_COLUMNS
        extra = [c for c in frame.columns if c not in columns_out]
        frame = frame[columns_out + extra]
        ordered[level] = frame.to_crs(base_crs) if frame.crs != base_crs else frame
    neighbours = None if around is None else _read_neighbours(*around, columns, crs, gcj02,
                                                              encoding)
    if neighbours is not None and neighbours.crs != base_crs:
        neighbours = neighbours.to_crs(base_crs)
    return Boundaries(ordered, origin, neighbours=neighbours)


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
        frame["code"] = as_code(frame["code"])
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


def is_bundled_sample(boundaries: Boundaries) -> bool:
    """Whether ``boundaries`` were read from the bundled Guigang sample file.

    Recognised by where its levels were read from (``Boundaries.origin``, which repair,
    reprojection and limiting to a county keep): the bundled GeoPackage. Only the sample
    gets the Guigang rules by default; a city's own data (even Guigang's) gets the generic
    national ones.

    Examples
    --------
    >>> import hzgeo
    >>> is_bundled_sample(hzgeo.datasets.guigang()[0])
    True
    """
    bundled = get_path("boundaries").resolve()
    read = [origin.split(", layer ")[0] for origin in boundaries.origin.values()
            if not origin.startswith("derived")]
    if not read:
        return False
    try:
        return all(Path(p).resolve() == bundled for p in read)
    except OSError:
        return False


#: Mean vertex spacing (m) from which a river without ``accuracy_m`` gets a note.
COARSE_SPACING_M = 1000.0


def _degraded_rivers(rivers: gpd.GeoDataFrame, where: str) -> None:
    """Warn when the rivers lack what some results need: flows_into, accuracy_m."""
    if len(rivers) > 1 and not (rivers["flows_into"] != "").any():
        warnings.warn(f"{where}: no flows_into column (汇入河流), so mouths and confluences "
                      "cannot be named (起止 say 市界 or 源头 instead of 汇入…) and flow "
                      "direction is taken as drawn: map the column with "
                      "`columns={\"flows_into\": \"COLUMN\"}`", HzgeoWarning, stacklevel=3)
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
                      "missed: give accuracy_m (`columns={\"accuracy_m\": \"COLUMN\"}`, "
                      "or 精度) or `boundary_tolerance`", HzgeoWarning, stacklevel=3)


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
        ``main`` (yes/no), ``main_river``, ``lake_code``, ``lake_name``, ``lake_kind``
        (湖泊/水库), ``lake_scale`` (大型/中型/小型), ``commander_county`` (the code or
        name of the county where a reservoir's flood-control commander sits). Keys of the
        boundaries (``code``, ``name`` ...) and of the office holders (``official_name``
        ...) are accepted and ignored, so that one mapping serves every reader.
        ``河流名称``, ``汇入河流``, ``精度``, ``是否干流``/``SFGL``, ``湖库类型``/``HKLX``,
        ``指挥长所在县``/``ZHXQ`` and the like (:data:`hzgeo.columns.ALIASES`) are found
        without it.
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
        without ``accuracy_m`` whose vertices are a kilometre or more apart; rivers without
        a ``main`` flag (no river gets a city chief), lakes whose type is missing or not
        recognised (taken from the name: …水库 a reservoir).

    Examples
    --------
    >>> w = read_waters()
    >>> sorted(w.rivers.loc[w.rivers["main"], "main_river"].unique())
    ['大同江', '武思江', '白沙河', '西江干流', '郁江干流', '马来河', '鲤鱼江']
    """
    if source is None:
        source = get_path("waters")
    check_type(source, "source", (str, os.PathLike), "a path")
    columns = check_keys(columns, COLUMN_KEYS, "column key", "`columns`", "columns")
    encoding = check_encoding(encoding)
    crs = parse_crs(crs)
    problems = Problems()
    source = Path(source)
    available = _list_layers(source)
    if rivers_layer is None:
        rivers_layer = "rivers" if "rivers" in available or len(available) > 1 else available[0]
    rivers = _read_layer(source, rivers_layer, problems, encoding)
    origin = {"rivers": _where(source, rivers_layer)}
    notes: list[str] = []  # said once the waters are known to be usable
    if rivers is not None:
        where = origin["rivers"]
        rivers = _rename(rivers, _WATER_KEYS, columns, where, problems, required=("name",))
        if "name" in rivers.columns:
            rivers["name"] = rivers["name"].fillna("").astype(str)
            if "river_code" not in rivers.columns:
                rivers["river_code"] = rivers["name"]
            rivers["river_code"] = as_code(rivers["river_code"])
            notes += _main_notes(rivers, where)
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
        lake_frame = _rename(lake_frame, _LAKE_KEYS, columns, where, problems,
                             required=("code", "name"))
        if {"code", "name"} <= set(lake_frame.columns):
            lake_frame["code"] = as_code(lake_frame["code"])
            notes += _lake_notes(lake_frame, where)
            lake_frame = _check_layer(lake_frame, "code", POLYGON_TYPES, where, problems, crs,
                                      gcj02, "duplicate lake codes",
                                      "give every lake or reservoir its own code")
            if lake_frame is not None:
                lake_frame = _fill_provenance(complete_lake_columns(lake_frame), lake_source)
    problems.raise_if_any("The waters")
    assert rivers is not None  # (else a problem was raised)
    for note in notes:
        warnings.warn(note, HzgeoWarning, stacklevel=2)
    _degraded_rivers(rivers, origin["rivers"])
    if lake_frame is None:
        lake_frame = gpd.GeoDataFrame(
            {c: pd.Series(dtype=bool if c == "synthetic" else object)
             for c in LAKE_COLUMNS[:-1]},
            geometry=gpd.GeoSeries([], crs=rivers.crs), crs=rivers.crs)
    elif lake_frame.crs != rivers.crs:
        lake_frame = lake_frame.to_crs(rivers.crs)
    return Waters(rivers.reset_index(drop=True), lake_frame.reset_index(drop=True), origin)
