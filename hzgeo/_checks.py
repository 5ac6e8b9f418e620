"""Checks shared by hzgeo's public calls, so that each problem has one message.

Argument types, option values (lengths, encodings, CRS, ``columns`` and ``layers``
keys), whether a layer's coordinates can be in its CRS at all, and the structure of a
layer (CRS, columns, geometry types, NaN coordinates). Each check raises, or collects
into :class:`Problems`, an :class:`~hzgeo.errors.HzgeoError` whose text is what the
command line prints; :mod:`hzgeo.io` and every public call use them.

Examples
--------
>>> check_metres(-5, "min_length", "`min_length`")
Traceback (most recent call last):
...
hzgeo.errors.InputError: min_length (`min_length`) must be 0 or more metres, got -5
  what to do: give `min_length` as 0 or more metres
>>> import geopandas, shapely
>>> frame = geopandas.GeoDataFrame(geometry=[shapely.box(109.2, 22.6, 110.6, 24.0)],
...                                crs="EPSG:4546")
>>> what, hint = crs_problem(frame)
>>> print(what)
its coordinates cannot be in EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E): they
are degree-sized (x 109.2 to 110.6, y 22.6 to 24), but that CRS is projected, in metres
>>> hint.startswith('the coordinates are longitude/latitude: give `crs="EPSG:4490"`')
True
"""

from __future__ import annotations

import codecs
import difflib
import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError

from hzgeo._columns import complete_lake_columns, complete_river_columns
from hzgeo.errors import CRSError, DataQualityError, HzgeoWarning, InputError, InputTypeError
from hzgeo.model import Boundaries, Waters
from hzgeo.settings import LEVELS

_FIX_HINT = ("run `hzgeo check --out defects.gpkg` to see every defect on a map; "
             "`fix=True` repairs invalid polygons, overlaps and gaps narrower than 5 m "
             "(and says what it changed); anything else needs repair in your GIS")

LINE_TYPES = ("LineString", "MultiLineString")
POLYGON_TYPES = ("Polygon", "MultiPolygon")

#: A layer narrower and lower than this (metres) is no region and no river network.
MIN_EXTENT_M = 10.0
#: Degrees by which data may lie beside its CRS's area of use: one 3-degree zone for a
#: projected CRS (prefectures are often kept in a neighbouring zone's CRS); for lon/lat,
#: where the range check already catches projected numbers and swapped axes, enough that
#: EPSG:4490's area (to 16.7 N) admits the islands of the South China Sea.
AREA_MARGIN_DEG = {"projected": 3.0, "geographic": 13.0}
#: China, roughly, in lon/lat: where hzgeo expects its data.
CHINA = (73.0, 15.0, 136.0, 55.0)

_COMMON_ENCODINGS = ("UTF-8", "GBK", "GB18030", "GB2312", "Big5", "CP936", "Latin-1")


# --------------------------------------------------------------------------- collecting


class Problems:
    """Collect the problems of several files and layers; raise them once.

    :meth:`raise_if_any` raises a :class:`~hzgeo.errors.CRSError` if any problem is
    about a CRS, else an :class:`~hzgeo.errors.InputError`.
    """

    def __init__(self) -> None:
        self.items: list[str] = []
        self.hints: list[str] = []
        self.crs = False

    def add(self, where: str, what: str, features=None, hint: str | None = None, *,
            crs: bool = False) -> None:
        text = f"{where}: {what}"
        if features is not None and len(features):
            shown = [str(f) for f in list(features)[:10]]
            more = f" and {len(features) - 10} more" if len(features) > 10 else ""
            text += f" (features: {', '.join(shown)}{more})"
        self.items.append(text)
        self.crs |= crs
        if hint and hint not in self.hints:
            self.hints.append(hint)

    def raise_if_any(self, what: str) -> None:
        if not self.items:
            return
        kind = CRSError if self.crs else InputError
        if len(self.items) == 1:
            message = f"{what} cannot be used: {self.items[0]}"
        else:
            message = f"{what} cannot be used:\n- " + "\n- ".join(self.items)
        raise kind(message, hint="; ".join(self.hints) or None)


def origin_files(origin: Mapping[str, str] | None, layers) -> str | None:
    """The files that ``layers`` were read from (``Boundaries.origin``), for messages."""
    files = []
    for layer in layers:
        found = (origin or {}).get(layer, "")
        path = found.split(", layer ")[0]
        if path and not found.startswith("derived ") and path not in files:
            files.append(path)
    return ", ".join(files) or None


def where(path, layer: str | None) -> str:
    """``path, layer 'name'``: how messages name a layer."""
    return f"{path}" + (f", layer {layer!r}" if layer else "")


# --------------------------------------------------------------------------- arguments


def check_type(value, name: str, expected: type | tuple[type, ...], label: str,
               hint: str | None = None) -> None:
    """Raise :class:`~hzgeo.errors.InputTypeError` in geopandas' wording."""
    if not isinstance(value, expected):
        raise InputTypeError(f"{name!r} should be {label}, got {type(value).__name__}",
                             hint=hint)


@overload
def check_metres(value, name: str, option: str, *, positive: bool = False,
                 optional: Literal[False] = False) -> float: ...
@overload
def check_metres(value, name: str, option: str, *, positive: bool = False,
                 optional: bool) -> float | None: ...
def check_metres(value, name: str, option: str, *, positive: bool = False,
                 optional: bool = False) -> float | None:
    """A length or tolerance option as a float: finite, >= 0 (> 0 if ``positive``)."""
    if value is None and optional:
        return None
    bound = "more than 0" if positive else "0 or more"
    try:
        if isinstance(value, bool | str):
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} ({option}) must be a number of metres, got {value!r}",
                         hint=f"give {option} as {bound} metres") from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise InputError(f"{name} ({option}) must be {bound} metres, got {value!r}",
                         hint=f"give {option} as {bound} metres")
    return number


def check_encoding(encoding: str | None) -> str | None:
    """An encoding Python knows, else an :class:`InputError` naming the closest."""
    if encoding is None:
        return None
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        close = difflib.get_close_matches(str(encoding).upper(),
                                          [e.upper() for e in _COMMON_ENCODINGS], n=1)
        raise InputError(f"unknown encoding {encoding!r} (`encoding`)",
                         hint=(f"did you mean {close[0]}? " if close else "")
                         + "Chinese shapefiles are usually GBK (GB18030) or UTF-8") from None
    return encoding


def parse_crs(crs) -> CRS | None:
    """The ``crs`` option as a pyproj CRS; a :class:`CRSError` if it cannot be parsed."""
    if crs is None:
        return None
    try:
        return CRS.from_user_input(crs)
    except (ProjCRSError, TypeError, ValueError):
        raise CRSError(f"`crs` {crs!r} is not a CRS that pyproj knows",
                       hint="give an EPSG code: EPSG:4490 for CGCS2000 lon/lat, "
                            "EPSG:4546 for CGCS2000 / 3-degree Gauss-Kruger CM 111E "
                            "(EPSG:4534-4554 for the other central meridians)") from None


def check_keys(given: Mapping | None, known: Iterable[str], what: str, option: str,
               name: str) -> dict:
    """``given`` as a dict whose keys are all in ``known``; else name the closest."""
    if given is None:
        return {}
    check_type(given, name, Mapping, "a mapping (dict)")
    known = list(known)
    unknown = [k for k in given if k not in known]
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), known, n=1)
        raise InputError(
            f"unknown {what} {', '.join(repr(k) for k in unknown)} in {option}; "
            f"{what}s are {', '.join(known)}",
            hint=(f"did you mean {option} {close[0]}=...?" if close
                  else f"use one of the {what}s above"))
    return dict(given)


# --------------------------------------------------------------------------- layers


def check_geometry(frame: gpd.GeoDataFrame, key: str, types: tuple[str, ...], where: str,
                   problems: Problems) -> None:
    """Null or empty geometries, wrong geometry types, NaN or infinite coordinates."""
    ids = frame[key].astype(str) if key in frame.columns else pd.Series(
        [f"row {i}" for i in range(len(frame))])
    ids = ids.reset_index(drop=True)
    geoms = frame.geometry.values
    missing = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    if missing.any():
        problems.add(where, "features without geometry (null or empty)",
                     ids[missing].tolist(), hint="delete those features or give them a geometry")
    present = ~missing
    wrong = present & ~frame.geom_type.isin(types).to_numpy()
    if wrong.any():
        got = sorted(set(frame.geom_type[wrong]))
        problems.add(where, f"geometry must be {' or '.join(types)}, found {got}",
                     ids[wrong].tolist(),
                     hint="give the layer of the right kind: polygons for boundaries and "
                          "lakes, lines (centerlines) for rivers")
    coords_nan = np.zeros(len(frame), dtype=bool)
    if present.any():
        coords, index = shapely.get_coordinates(geoms[present], return_index=True)
        bad = np.unique(index[~np.isfinite(coords).all(axis=1)])
        coords_nan[np.flatnonzero(present)[bad]] = True
    if coords_nan.any():
        problems.add(where, "NaN or infinite coordinates", ids[coords_nan].tolist(),
                     hint="fix or delete those features")


def check_frame(frame, where: str, problems: Problems, *, name: str, key: str,
                required: tuple[str, ...], types: tuple[str, ...], allow_empty: bool = False,
                unique: bool = True, hint: str | None = None, geometry: bool = True) -> bool:
    """A layer handed to a library call: GeoDataFrame, CRS, columns, geometry.

    ``geometry=False`` leaves out :func:`check_geometry` (for layers a validation has just
    checked). Returns False (after raising nothing) if the layer is unusable enough that
    later checks would only repeat it.
    """
    check_type(frame, name, gpd.GeoDataFrame, "a GeoDataFrame")
    ok = True
    if frame.crs is None and len(frame):
        problems.add(where, "the layer has no CRS", crs=True,
                     hint="set it (GeoDataFrame.set_crs, or the `crs` argument)")
        ok = False
    missing = [c for c in required if c not in frame.columns]
    if missing:
        have = [c for c in frame.columns if c != frame.geometry.name]
        problems.add(where, f"missing column(s) {missing}; columns are {have}",
                     hint=hint or "read the layer with hzgeo.read_boundaries / read_waters, "
                                  "which map and complete the columns")
        ok = False
    if not len(frame) and not allow_empty:
        problems.add(where, "the layer is empty", hint="give a layer with features")
        return False
    if unique and key in frame.columns:
        dup = frame[key][frame[key].duplicated(keep=False)]
        if len(dup):
            problems.add(where, f"duplicate {key} values", sorted(set(map(str, dup))),
                         hint=f"give every feature its own {key}")
    if geometry:
        check_geometry(frame, key, types, where, problems)
    return ok


def check_boundaries(boundaries, *, name: str = "boundaries", need_village: bool = False,
                     unique: bool = False,
                     columns: tuple[str, ...] = ("code", "name", "parent_code"),
                     geometry: bool = True) -> None:
    """Raise unless ``boundaries`` is a usable :class:`~hzgeo.Boundaries`.

    ``unique``: duplicate codes are an error too (else a defect for
    :func:`hzgeo.find_defects` to report). ``geometry=False``: the geometry was checked
    already (:func:`check_geometry` is not repeated)."""
    check_type(boundaries, name, Boundaries, "hzgeo.Boundaries (from hzgeo.read_boundaries)",
               hint="read them with hzgeo.read_boundaries(...), or wrap your layers: "
                    "hzgeo.Boundaries({'village': villages})")
    unknown = [lvl for lvl in boundaries.levels if lvl not in LEVELS]
    if unknown:
        raise InputError(f"unknown level(s) {unknown} in {name!r}; levels are {list(LEVELS)}")
    if need_village and not {"county", "township", "village"} & set(boundaries.levels):
        raise InputError(f"{name!r} has no county, township or village level; segmentation "
                         "needs one", hint="give the finest level the city has (the levels "
                                           "above it can be derived)")
    if not boundaries.levels:
        raise InputError(f"{name!r} has no levels", hint="give at least the village layer")
    problems = Problems()
    for level, frame in boundaries.levels.items():
        at = boundaries.origin.get(level) or f"{name}[{level!r}]"
        check_frame(frame, at, problems, name=f"{name}[{level!r}]", key="code",
                    required=columns, types=POLYGON_TYPES, unique=unique, geometry=geometry,
                    hint="read the layers with hzgeo.read_boundaries, which derives "
                         "parent_code from the statistical codes, or add the columns")
    problems.raise_if_any(f"The {name}")


def check_waters(waters, *, name: str = "waters", unique: bool = True,
                 geometry: bool = True):
    """Raise unless ``waters`` is a usable :class:`~hzgeo.Waters`; return it with the
    optional columns completed (rivers: ``main``, ``flows_into``, ``accuracy_m``,
    ``synthetic`` ...; lakes: ``kind``, ``scale``, ``synthetic`` ...). ``unique``:
    duplicate river codes are an error too (else a defect for find_defects).
    ``geometry=False``: the geometry was checked already."""
    check_type(waters, name, Waters, "hzgeo.Waters (from hzgeo.read_waters)",
               hint="read them with hzgeo.read_waters(...), or wrap your layers: "
                    "hzgeo.Waters(rivers, lakes)")
    problems = Problems()
    check_frame(waters.rivers, waters.origin.get("rivers") or f"{name}.rivers",
                            problems, name=f"{name}.rivers", key="river_code",
                            required=("river_code", "name"), types=LINE_TYPES,
                            allow_empty=True, unique=unique, geometry=geometry)
    lakes = waters.lakes
    if lakes is None or (isinstance(lakes, gpd.GeoDataFrame) and not len(lakes)):
        lakes = gpd.GeoDataFrame({"code": pd.Series(dtype=object),
                                  "name": pd.Series(dtype=object)},
                                 geometry=gpd.GeoSeries([], crs=waters.rivers.crs))
    check_frame(lakes, waters.origin.get("lakes") or f"{name}.lakes", problems,
                           name=f"{name}.lakes", key="code", required=("code", "name"),
                           types=POLYGON_TYPES, allow_empty=True, geometry=geometry)
    problems.raise_if_any(f"The {name}")
    return Waters(complete_river_columns(waters.rivers), complete_lake_columns(lakes),
                  dict(waters.origin))


# --------------------------------------------------------------------------- CRS


def crs_label(crs: CRS) -> str:
    """``EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E)``, or the CRS's name."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def _area_of_use(crs: CRS):
    area = crs.area_of_use
    if area is None:  # e.g. a shapefile .prj in ESRI WKT: look the EPSG entry up
        epsg = crs.to_epsg(min_confidence=70)
        if epsg:
            area = CRS.from_epsg(epsg).area_of_use
    return None if area is None else area.bounds


def _fmt(value: float) -> str:
    return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _in_china(minx, miny, maxx, maxy) -> bool:
    return CHINA[0] <= minx and maxx <= CHINA[2] and CHINA[1] <= miny and maxy <= CHINA[3]


def _gauss_kruger_hint(minx, miny, maxx, maxy, declared: CRS) -> str | None:
    """The Gauss-Krüger CRS that eastings/northings of this size belong to."""
    zone = int(minx // 1_000_000)
    same_zone = int(maxx // 1_000_000) == zone
    china_north = 1_500_000 <= miny and maxy <= 6_500_000
    if same_zone and 25 <= zone <= 45 and china_north:
        epsg = 4513 + zone - 25
        return (f"the eastings carry the zone number ({zone} xxx xxx): they are CGCS2000 "
                f"3-degree Gauss-Kruger zone {zone}: give `crs=\"EPSG:{epsg}\"`")
    if same_zone and 13 <= zone <= 23 and china_north:
        epsg = 4491 + zone - 13
        return (f"the eastings carry the zone number ({zone} xxx xxx): they are CGCS2000 "
                f"6-degree Gauss-Kruger zone {zone}: give `crs=\"EPSG:{epsg}\"`")
    if -500_000 <= minx and maxx <= 1_500_000 and china_north:
        declared_epsg = declared.to_epsg() or 0
        if 4513 <= declared_epsg <= 4533:  # the same zone, without the zone number
            epsg = 4534 + declared_epsg - 4513
            return (f"the eastings carry no zone number: give `crs=\"EPSG:{epsg}\"` "
                    f"({CRS.from_epsg(epsg).name})")
        return ("the eastings carry no zone number: give the CGCS2000 3-degree Gauss-Kruger "
                "CRS of your central meridian, EPSG:4534-4554 (EPSG:4546 for CM 111E; "
                "6-degree zones: EPSG:4502-4512)")
    return None


def _likely_fix(minx, miny, maxx, maxy, declared: CRS) -> str:
    degrees = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    if degrees or (-180 <= miny and maxy <= 180 and -90 <= minx and maxx <= 90):
        if degrees and _in_china(minx, miny, maxx, maxy):
            return ("the coordinates are longitude/latitude: give `crs=\"EPSG:4490\"` "
                    "(CGCS2000; EPSG:4326 for WGS84)")
        if _in_china(miny, minx, maxy, maxx):
            return ("x and y look swapped (x holds latitudes, y longitudes): export the "
                    "layer with longitude as x, latitude as y")
    fix = _gauss_kruger_hint(minx, miny, maxx, maxy, declared)
    if fix:
        return fix
    swapped = _gauss_kruger_hint(miny, minx, maxy, maxx, declared)
    if swapped:
        return ("x and y look swapped (x holds northings): export the layer with eastings "
                "as x, northings as y")
    return ("check the layer's CRS in your GIS and give the right one with `crs` "
            "(EPSG:4490 for CGCS2000 lon/lat, EPSG:4534-4554 for CGCS2000 Gauss-Kruger)")


def crs_problem(frame: gpd.GeoDataFrame) -> tuple[str, str] | None:
    """``(what, hint)`` if the layer's coordinates cannot be in its CRS, else None.

    Caught: degree-sized coordinates under a projected CRS; coordinates beyond +-180 /
    +-90 under a geographic one; a layer a few metres across; bounds wholly outside the
    CRS's area of use (with a margin, so that national extents and a prefecture kept in
    a neighbouring zone's CRS pass). The hint names the likely CRS: EPSG:4490 for
    degrees, the Gauss-Kruger zone CRS for eastings that carry the zone number, EPSG:
    4534-4554 for those that do not.
    """
    crs = frame.crs
    if crs is None or not len(frame):
        return None
    bounds = shapely.bounds(frame.geometry.values)
    bounds = bounds[np.isfinite(bounds).all(axis=1)]
    if not len(bounds):
        return None
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    extent = (f"x {_fmt(minx)} to {_fmt(maxx)}, y {_fmt(miny)} to {_fmt(maxy)}")
    head = f"its coordinates cannot be in {crs_label(crs)}: "
    degree_sized = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    fix = _likely_fix(minx, miny, maxx, maxy, crs)
    if crs.is_projected and degree_sized:
        return (head + f"they are degree-sized ({extent}), but that CRS is projected, "
                       "in metres", fix)
    if crs.is_geographic and not degree_sized:
        return (head + f"they are beyond +-180 / +-90 ({extent}), but that CRS is in "
                       "degrees", fix)
    unit = 111_320.0 if crs.is_geographic else float(
        crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0)
    size = max(maxx - minx, maxy - miny) * unit
    if size < MIN_EXTENT_M:
        return (head + f"the layer spans only {size:.3g} m ({extent})",
                fix if "swapped" not in fix else "check the layer's CRS and units in your GIS")
    area = _area_of_use(crs)
    if area is None:
        return None
    if crs.is_geographic:  # degrees of its own datum: metres from WGS84's, near enough
        lon0, lat0, lon1, lat1 = minx, miny, maxx, maxy
    else:  # the inverse projection alone, no datum shift (fast: no transformation search)
        try:
            to_lonlat = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
            lon0, lat0, lon1, lat1 = to_lonlat.transform_bounds(minx, miny, maxx, maxy,
                                                                densify_pts=21)
        except Exception:  # pyproj cannot even place them
            lon0 = lat0 = lon1 = lat1 = math.inf
    margin = AREA_MARGIN_DEG["geographic" if crs.is_geographic else "projected"]
    west, south, east, north = area
    placed = all(math.isfinite(v) for v in (lon0, lat0, lon1, lat1))
    if placed and lon0 <= east + margin and lon1 >= west - margin and \
            lat0 <= north + margin and lat1 >= south - margin:
        return None
    at = (f"lon {lon0:.4g} to {lon1:.4g}, lat {lat0:.4g} to {lat1:.4g}" if placed
          else "nowhere on Earth")
    return (head + f"{extent} falls {at}, outside where that CRS is used "
                   f"(lon {west:g} to {east:g}, lat {south:g} to {north:g})", fix)


# --------------------------------------------------------------------------- results


def refuse_unusable_geometry(boundaries, waters) -> None:
    """Raise :class:`~hzgeo.errors.DataQualityError` for what GEOS cannot compute with:
    invalid polygons (bow ties, self-intersections) and rivers of zero length. Worded as
    :func:`hzgeo.validate.validate_boundaries` words them."""
    lines, layers = [], []
    for level, frame in boundaries.levels.items():
        geoms = frame.geometry.values
        bad = np.flatnonzero(~shapely.is_valid(geoms))
        if len(bad):
            reasons = shapely.is_valid_reason(geoms[bad])
            layers.append(level)
            lines.append(f"{level}: invalid_geometry: " + _listing(
                f"{c} ({r})" for c, r in zip(frame["code"].to_numpy()[bad], reasons,
                                             strict=True)))
    rivers = waters.rivers
    short = np.flatnonzero(~(shapely.length(rivers.geometry.values) > 0))
    if len(short):
        layers.append("rivers")
        lines.append("rivers: zero_length_river: " + _listing(
            f"{c} (fewer than two distinct points)" for c in
            rivers["river_code"].to_numpy()[short]))
    if lines:
        raise DataQualityError("the inputs have defects that segmentation cannot work "
                               "around:\n- " + "\n- ".join(lines), hint=_FIX_HINT,
                               file=origin_files({**boundaries.origin, **waters.origin},
                                                 layers))


def _listing(items) -> str:
    items = [str(i) for i in items]
    return ", ".join(items[:10]) + (f" and {len(items) - 10} more" if len(items) > 10 else "")


def warn_rivers_outside(river_lengths: pd.DataFrame, stacklevel: int = 3) -> None:
    """Warn of rivers with no length inside the region: they get no reach."""
    outside = river_lengths[(river_lengths["length_m"] <= 0)
                            & (river_lengths["unassigned_m"] <= 0)]
    if len(outside):
        codes = [f"{c} {n}" for c, n in zip(outside["river_code"], outside["river_name"],
                                            strict=True)]
        warnings.warn(f"{len(codes)} river(s) have no length inside the region (they lie "
                      f"outside it, or touch it only at points) and get no reach: "
                      f"{', '.join(codes[:10])}" + (" ..." if len(codes) > 10 else "")
                      + "; if that is unexpected, check that the rivers and the boundaries "
                        "are in the CRS their files declare", HzgeoWarning,
                      stacklevel=stacklevel)
