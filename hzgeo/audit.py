"""The duty audit: is every metre of water inside the city covered by exactly one unit
(and one chief) at each level, and where not, where and how much?

:func:`audit` gathers, in one table, the defects of the boundaries and waters
(:func:`hzgeo.validate.find_defects`), the water duty per level measured on the reaches
that segmentation would publish, and, when office holders are given, the chief duty
(:class:`hzgeo.chiefs.Chiefs`). ``hzgeo check`` prints its :meth:`AuditReport.text` and
writes its JSON and GeoPackage.

Kinds
-----
Every row of :attr:`AuditReport.defects` has one of these ``kind`` identifiers (stable:
scripts may rely on them). Information kinds (``information`` True) describe the result
and never make the audit fail; all others are defects (exit status 1).

======================  =========  ==========================================================
kind                    unit       meaning
======================  =========  ==========================================================
``invalid_geometry``    --         a polygon GEOS calls invalid (bow tie ...), at the point
                                   GEOS names; ``--fix`` makes it valid
``overlap``             m²         two units of one level share area (``--fix``: to the
                                   neighbour with the longest common border)
``gap``                 m²         part of a parent in none of its children: a missing unit
                                   or a hole; ``level`` is the level that has the hole,
                                   ``codes`` the parent. ``--fix`` closes gaps narrower than
                                   5 m
``outside_parent``      m²         part of a unit outside its parent (``--fix`` clips it)
``code_mismatch``       --         ``parent_code`` names no unit of the level above
``duplicate_code``      --         several features of one level share a code (read with
                                   ``keep_duplicates=True``); they are audited as one unit
``near_miss_edge``      m          neighbours whose common edge is not shared vertex for
                                   vertex (``--fix`` snaps it)
``zero_length_river``   --         a river with fewer than two distinct points
``unknown_flows_into``  --         ``flows_into`` names no river
``mouth_off_river``     m          a river's mouth farther from the river it flows into than
                                   its ``accuracy_m`` (else 20 m); measure: the distance
``uncovered_water``     m or m²    river length (lake area) inside the city in no reach
                                   (zone) of that level
``double_counted_water`` m or m²   river length (lake area) counted in two units of the
                                   level, other than a 界河 shared on purpose
``no_chief``            m or m²    a reach, zone or main river the rules give a chief, and
                                   nobody holds the post; measure: its length (area)
``vacant_total_chief``  --         a unit's 总河长 / 副总河长 post is vacant
``no_convenor``         --         a joint meeting (河长联席会议) without a convenor
``overloaded_chief``    --         one person holds more reaches than the stated limit
                                   (only when a limit is given); measure: reaches held
``sliver``              m          information: a reach shorter than the minimum length,
                                   merged into its neighbour
``boundary_reach``      m          information: a 界河 shared by the two banks on purpose
``outside_city``        m          information: river length outside the city
======================  =========  ==========================================================

Columns of the table (and fields of each JSON defect): ``kind``, ``level``, ``codes``,
``names`` (comma-joined in the table, lists in JSON), ``water_code``, ``water_name``,
``measure`` (in ``unit``: ``m`` or ``m2``; null where nothing is measured), ``unit``,
``lon``/``lat`` (WGS84 degrees of a point on the defect: ``representative_point``),
``detail``, ``fixable`` (``hzgeo check --fix`` would repair it), ``information``; the
geometry in EPSG:4490. Lengths and areas are geodesic (CGCS2000 ellipsoid).

How water duty is measured
--------------------------
Independently of segmentation, each river's length inside the city is measured as the
geodesic length of ``river ∩ city`` (the city layer, else the union of the top level).
When segmentation can run, at each level the reaches counted once (``primary``) are
summed: inside minus that sum is ``uncovered_water``, a negative difference is
``double_counted_water``; lakes likewise with their zones. Segmentation refuses some
defective data (overlapping villages where a river runs, codes that do not nest ...):
then the same measures come from the geometry (``river ∩ city`` minus the union of the
level's units, ``river ∩`` the overlaps of the level's units) and the summary says why
the reaches could not be measured.

Examples
--------
>>> import hzgeo
>>> report = hzgeo.audit(*hzgeo.datasets.guigang())
>>> report.ok
True
>>> sorted(report.coverage["level"])
['county', 'township', 'village']
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import HzgeoError, InputError
from hzgeo.geodesy import geodesic_area, geodesic_length, segment_lengths
from hzgeo.io import Boundaries, Waters, work_crs_for
from hzgeo.settings import (
    AUDIT_MIN_AREA_M2,
    AUDIT_MIN_WIDTH_M,
    LEVELS,
    MIN_REACH_M,
    REACH_LEVELS,
    REPAIR_GAP_WIDTH_M,
    STORE_CRS,
)

__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_MIN_AREA_M2",
    "DEFAULT_MIN_WIDTH_M",
    "DEFECT_KINDS",
    "INFORMATION_KINDS",
    "AuditReport",
    "audit",
]

#: Every kind of row, with the unit of its measure ("" where nothing is measured).
DEFECT_KINDS: dict[str, str] = {
    "invalid_geometry": "", "overlap": "m2", "gap": "m2", "outside_parent": "m2",
    "code_mismatch": "", "duplicate_code": "", "near_miss_edge": "m", "zero_length_river": "",
    "unknown_flows_into": "", "mouth_off_river": "m", "uncovered_water": "m",
    "double_counted_water": "m", "no_chief": "m", "vacant_total_chief": "",
    "no_convenor": "", "overloaded_chief": "", "sliver": "m", "boundary_reach": "m",
    "outside_city": "m",
}
#: Kinds that describe the result; they never make the audit fail.
INFORMATION_KINDS = frozenset({"sliver", "boundary_reach", "outside_city"})
#: Kinds ``hzgeo check --fix`` repairs (a gap only when narrower than 5 m).
_FIXABLE = frozenset({"invalid_geometry", "overlap", "outside_parent", "near_miss_edge"})

#: Gaps, overlaps and other area defects smaller than this (m²) are not reported.
#: (Below 1 m² the boundary checks treat them as numerical noise anyway.)
DEFAULT_MIN_AREA_M2 = AUDIT_MIN_AREA_M2
#: Area defects narrower than this (m, the diameter of the largest circle inside them),
#: and uncovered or double-counted river stretches shorter than this, are not reported.
DEFAULT_MIN_WIDTH_M = AUDIT_MIN_WIDTH_M

AUDIT_COLUMNS = ["kind", "level", "codes", "names", "water_code", "water_name", "measure",
                 "unit", "lon", "lat", "detail", "fixable", "information", "geometry"]
_WGS84 = Transformer.from_crs(STORE_CRS, "EPSG:4326", always_xy=True)
_LEVEL_ORDER = {name: i for i, name in enumerate(
    [*LEVELS, "rivers", "lakes", ""])}


# --------------------------------------------------------------------------- the report


@dataclass
class AuditReport:
    """What :func:`audit` found.

    Attributes
    ----------
    ok : bool
        True when nothing needs fixing (information kinds do not count).
    summary : dict
        Counts by kind and level, the coverage per level, what was measured how.
    defects : GeoDataFrame
        One row per finding (see the module's table of kinds), EPSG:4490, largest first
        within each kind.
    coverage : DataFrame
        Per level: ``water_m`` (river length inside the city), ``uncovered_m``,
        ``double_m``, ``vacant_m``, ``exactly_one_m``, ``percent``, ``basis`` (``unit`` or
        ``chief``), and the same for lakes in m² (``lake_m2`` ...).
    """

    ok: bool
    summary: dict
    defects: gpd.GeoDataFrame
    coverage: pd.DataFrame

    # ---- text
    def coverage_lines(self) -> list[str]:
        """One line per level, e.g. ``village: 652.36 km of river, 100.000 % with exactly
        one unit``."""
        lines = []
        for row in self.coverage.itertuples():
            line = (f"{row.level}: {row.water_m / 1000:,.2f} km of river, "
                    f"{row.percent:.3f} % with exactly one {row.basis}")
            if row.lake_m2 > 0:
                line += (f"; {row.lake_m2 / 1e6:,.2f} km² of lakes, {row.lake_percent:.3f} % "
                         f"with exactly one {row.basis}")
            lines.append(line)
        return lines

    def text(self, largest: int = 10) -> str:
        """The terminal summary: counts by kind and level, the largest defects with place
        names, a coverage line per level."""
        lines = []
        real = self.defects[~self.defects["information"].astype(bool)]
        info = self.defects[self.defects["information"].astype(bool)]
        if real.empty:
            lines.append("no defects")
        else:
            lines.append(f"{len(real)} defect(s):")
            lines += _counts(real)
        if len(info):
            lines.append(f"{len(info)} for information:")
            lines += _counts(info)
        if len(real):
            lines.append(f"largest defects (of {len(real)}):")
            ranked = real.assign(_size=real["measure"].fillna(0.0)).sort_values(
                "_size", ascending=False, kind="stable").head(largest)
            for row in ranked.itertuples():
                lines.append("  " + _describe(row))
        fixable = int(real["fixable"].astype(bool).sum())
        if fixable:
            lines.append(f"--fix would repair {fixable} of them (fixable in the report)")
        lines.append(self.summary.get("water_duty", ""))
        if self.summary.get("chief_duty", "checked") != "checked":
            lines.append("chief duty " + self.summary["chief_duty"])
        lines += self.coverage_lines()
        return "\n".join(line for line in lines if line)

    # ---- files
    def to_dict(self) -> dict:
        """The JSON document: ``{"ok", "summary", "defects": [...]}``."""
        records = []
        for row in self.defects.drop(columns="geometry").to_dict("records"):
            row["codes"] = [c for c in str(row["codes"]).split(",") if c]
            row["names"] = [n for n in str(row["names"]).split(",") if n]
            for key in ("measure", "lon", "lat"):
                value = row[key]
                row[key] = None if value is None or value != value else float(value)
            row["fixable"] = bool(row["fixable"])
            row["information"] = bool(row["information"])
            records.append(row)
        return {"ok": bool(self.ok), "summary": self.summary, "defects": records}

    def to_json(self, path: str | os.PathLike, *, outputs: AtomicOutputs | None = None
                ) -> None:
        """Write the JSON report (UTF-8), atomically."""
        if outputs is None:
            with atomic_outputs() as own:
                self.to_json(path, outputs=own)
            return
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        outputs.path(path).write_text(text + "\n", encoding="utf-8")

    def to_file(self, path: str | os.PathLike, *, outputs: AtomicOutputs | None = None,
                extra_layers: dict | None = None) -> None:
        """Write the GeoPackage: layer ``defects`` (EPSG:4490), plus ``extra_layers``."""
        from hzgeo.output import write_layers

        write_layers({"defects": self.defects} | dict(extra_layers or {}), path,
                     outputs=outputs)

    def write(self, target: str | os.PathLike | dict, *, outputs: AtomicOutputs | None = None
              ) -> dict[str, Path]:
        """Write the JSON and the GeoPackage together, all or nothing.

        ``target`` is a folder (files ``audit.json`` and ``defects.gpkg`` in it) or
        ``{"json": path, "gpkg": path}`` (either may be left out). With ``outputs``
        the files join that set of outputs (as ``hzgeo run`` writes its results).
        Returns the paths written.
        """
        if isinstance(target, dict):
            unknown = set(target) - {"json", "gpkg"}
            if unknown:
                raise ValueError(f"`target` keys were {sorted(unknown)} but are expected "
                                 "to be in ['gpkg', 'json']")
            paths = {k: Path(v) for k, v in target.items() if v is not None}
        else:
            folder = Path(target)
            paths = {"json": folder / "audit.json", "gpkg": folder / "defects.gpkg"}
        if outputs is None:
            with atomic_outputs() as own:
                return self.write(paths, outputs=own)
        if "json" in paths:
            self.to_json(paths["json"], outputs=outputs)
        if "gpkg" in paths:
            self.to_file(paths["gpkg"], outputs=outputs)
        return paths


def _counts(rows: pd.DataFrame) -> list[str]:
    out = []
    for (kind, level), group in rows.groupby(["kind", "level"], sort=False):
        total = group["measure"].sum(min_count=1)
        unit = group["unit"].iloc[0]
        size = "" if total != total or not unit else f", {_amount(total, unit)} in all"
        out.append(f"  {kind:<22} {level or '-':<9} {len(group):5d}{size}")
    return out


def _amount(value: float, unit: str) -> str:
    if unit == "m2":
        return f"{value / 1e6:,.3f} km²" if value >= 1e5 else f"{value:,.0f} m²"
    if unit == "m":
        return f"{value / 1000:,.2f} km" if value >= 1e4 else f"{value:,.1f} m"
    return f"{value:g}"


def _describe(row) -> str:
    names = str(row.names).replace(",", "、")
    codes = str(row.codes)
    what = f"{row.kind} ({row.level})" if row.level else row.kind
    water = f"{row.water_name} " if row.water_name else ""
    size = "" if row.measure != row.measure or not row.unit else \
        f" {_amount(row.measure, row.unit)}"
    where = f" in {names} ({codes})" if codes else ""
    at = f" at {row.lon:.5f}, {row.lat:.5f}" if row.lon == row.lon else ""
    return f"{what}:{size} {water}{where}{at}".replace("  ", " ")


# --------------------------------------------------------------------------- building rows


def _frame(rows: list[dict], crs) -> gpd.GeoDataFrame:
    """Rows (dicts with the audit fields and a geometry in ``crs``) as the table."""
    if not rows:
        return gpd.GeoDataFrame({c: pd.Series(dtype=_dtype(c)) for c in AUDIT_COLUMNS[:-1]},
                                geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
    table = pd.DataFrame(rows)
    geometry = gpd.GeoSeries(table.pop("geometry").to_numpy(), crs=crs).to_crs(STORE_CRS)
    return gpd.GeoDataFrame(table, geometry=geometry.values, crs=STORE_CRS)


def _dtype(column: str):
    return {"measure": float, "lon": float, "lat": float, "fixable": bool,
            "information": bool}.get(column, object)


def _row(kind, level, codes, names, geometry, *, measure=np.nan, detail="", water=("", ""),
         fixable=False) -> dict:
    return {"kind": kind, "level": level, "codes": ",".join(str(c) for c in codes if c),
            "names": ",".join(str(n) for n in names if n), "water_code": water[0],
            "water_name": water[1], "measure": float(measure), "unit": DEFECT_KINDS[kind],
            "detail": detail, "fixable": fixable, "information": kind in INFORMATION_KINDS,
            "geometry": geometry}


def _width(geoms: np.ndarray) -> np.ndarray:
    """Diameter of the largest circle inside each polygon (m, work CRS)."""
    out = np.zeros(len(geoms))
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty or shapely.area(geom) <= 0:
            continue
        radius = shapely.maximum_inscribed_circle(geom, tolerance=0.01)
        out[i] = 2 * shapely.length(radius)
    return out


def _finish(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add lon/lat (WGS84) of a point on each row, sort, keep the columns in order."""
    frame = frame.reset_index(drop=True)
    geoms = frame.geometry.values
    has = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    if has.any():
        points = shapely.point_on_surface(geoms[has])
        lon[has], lat[has] = _WGS84.transform(shapely.get_x(points), shapely.get_y(points))
    frame["lon"], frame["lat"] = lon, lat
    order = frame.assign(
        _info=frame["information"].astype(bool),
        _level=frame["level"].map(_LEVEL_ORDER).fillna(len(_LEVEL_ORDER)),
        _size=-frame["measure"].fillna(0.0)).sort_values(
        ["_info", "kind", "_level", "_size"], kind="stable").index
    frame = frame.loc[order].reset_index(drop=True)
    for column in ("fixable", "information"):
        frame[column] = frame[column].astype(bool)
    return gpd.GeoDataFrame(frame[AUDIT_COLUMNS], geometry="geometry", crs=STORE_CRS)


# --------------------------------------------------------------------------- the audit


def audit(boundaries: Boundaries | None, waters: Waters | None, *, chiefs=None,
          officials=None, rules=None,
          min_area_m2: float = DEFAULT_MIN_AREA_M2, min_width_m: float = DEFAULT_MIN_WIDTH_M,
          overloaded_limit: int | None = None, min_length: float = MIN_REACH_M,
          boundary_tolerance: float | None = None, segmentation=None) -> AuditReport:
    """Audit the boundaries, the waters, the water duty per level and the chief duty.

    Never raises for data problems: what it cannot measure it says so in the report.

    Parameters
    ----------
    boundaries : Boundaries, or None
    waters : Waters, or None
        Either may be None: then only the other's own defects are listed, and the water
        and chief duty, which need both, are not checked (the summary says so).
    chiefs : hzgeo.Chiefs, optional
        The office holders assigned to the reaches (:func:`hzgeo.assign_chiefs`); or give
        ``officials`` (and ``rules``) and they are assigned here.
    officials : DataFrame, optional
        Office holders (:func:`hzgeo.read_officials`).
    rules : optional
        The rules (:func:`hzgeo.read_rules`); default the bundled Guigang rules for the
        bundled sample, else the generic national rules.
    min_area_m2 : float, default 1.0
        Area defects (gaps, overlaps, units outside their parent, lake area) smaller than
        this are not reported.
    min_width_m : float, default 0.5
        Area defects narrower than this (largest inscribed circle), and uncovered or
        double-counted river stretches shorter than this, are not reported.
    overloaded_limit : int, optional
        Report people holding more reaches than this (``overloaded_chief``). Off by
        default: a county head chairs many reaches.
    min_length, boundary_tolerance
        As in :func:`hzgeo.segment_waters`, for the reaches that would be published.
    segmentation : Segmentation, optional
        Reaches already computed on these inputs (else computed here).

    Returns
    -------
    AuditReport
    """
    from hzgeo.validate import find_defects

    if boundaries is None or waters is None:
        return _audit_given(boundaries, waters, min_area_m2, min_width_m)
    _check_inputs(boundaries, waters)
    present = [level for level in LEVELS if level in boundaries]
    work = work_crs_for(boundaries[present[-1]])
    boundaries, duplicates = _merge_duplicates(boundaries)
    names = _names(boundaries)
    rows: list[gpd.GeoDataFrame] = [
        _frame(duplicates, boundaries.crs),
        _input_defects(find_defects(boundaries, waters), boundaries, work, min_area_m2,
                       min_width_m)]
    result, reason = segmentation, None
    if duplicates:
        result = None
        reason = "duplicate codes: " + ", ".join(
            sorted({f"{d['level']} {d['codes']}" for d in duplicates})[:10])
    elif result is None:
        result, reason = _try_segment(boundaries, waters, min_length, boundary_tolerance)
    chief_duty = "checked" if chiefs is not None else "not checked: no office holders given"
    if chiefs is None and officials is not None:
        if result is None:
            chief_duty = f"not checked: chiefs could not be assigned ({reason})"
        else:
            from hzgeo.chiefs import assign_chiefs

            chiefs = assign_chiefs(result, boundaries, waters, officials, rules)
            chief_duty = "checked"
    duty = _WaterDuty(boundaries, waters, work, names, result, chiefs)
    rows.append(_frame(duty.rows(min_area_m2, min_width_m), work))
    rows.append(_frame(duty.information(), STORE_CRS))
    if chiefs is not None:
        rows.append(_frame(_chief_rows(chiefs, names, duty, overloaded_limit), work))
    rows = [r for r in rows if len(r)]
    defects = _finish(pd.concat(rows, ignore_index=True) if rows else _frame([], work))
    coverage = duty.coverage()
    if result is not None:
        water_duty = "water duty measured on the reaches that would be published"
    else:
        water_duty = ("water duty could not be measured on the reaches (segmentation "
                      f"refused the data: {reason}); measured on the geometry instead")
    real = defects[~defects["information"]]
    summary = {
        "defects": len(real),
        "information": int(defects["information"].sum()),
        "fixable": int(real["fixable"].sum()),
        "by_kind": {kind: {lvl or "-": len(g) for lvl, g in group.groupby("level", sort=False)}
                    for kind, group in defects.groupby("kind", sort=False)},
        "coverage": coverage.set_index("level").to_dict("index"),
        "coverage_lines": [],
        "water_duty": water_duty,
        "chief_duty": chief_duty,
        "tolerance": {"min_area_m2": min_area_m2, "min_width_m": min_width_m,
                      "overloaded_limit": overloaded_limit},
    }
    report = AuditReport(ok=real.empty, summary=summary, defects=defects, coverage=coverage)
    summary["coverage_lines"] = report.coverage_lines()
    return report


def _audit_given(boundaries: Boundaries | None, waters: Waters | None, min_area_m2: float,
                 min_width_m: float) -> AuditReport:
    """The audit of one input alone: its own defects; no duty can be measured without both."""
    from hzgeo.validate import find_defects

    if boundaries is None and waters is None:
        raise InputError("nothing to audit: give boundaries, waters or both")
    if boundaries is not None and not isinstance(boundaries, Boundaries):
        raise InputError(f"'boundaries' should be hzgeo.Boundaries, got {type(boundaries)}")
    if waters is not None and not isinstance(waters, Waters):
        raise InputError(f"'waters' should be hzgeo.Waters, got {type(waters)}")
    duplicates: list[dict] = []
    if boundaries is not None:
        present = [level for level in LEVELS if level in boundaries]
        work = work_crs_for(boundaries[present[-1]])
        boundaries, duplicates = _merge_duplicates(boundaries)
        missing, unchecked = "no waters given", "the rivers and lakes"
    else:
        work = work_crs_for(waters.rivers)
        missing, unchecked = "no boundaries given", "the boundaries"
    rows = [_frame(duplicates, work if boundaries is None else boundaries.crs),
            _input_defects(find_defects(boundaries, waters), boundaries, work, min_area_m2,
                           min_width_m)]
    rows = [r for r in rows if len(r)]
    defects = _finish(pd.concat(rows, ignore_index=True) if rows else _frame([], work))
    coverage = pd.DataFrame({c: pd.Series(dtype=object if c in ("level", "basis") else float)
                             for c in ("level", "water_m", "uncovered_m", "double_m",
                                       "vacant_m", "exactly_one_m", "percent", "basis",
                                       "lake_m2")})
    real = defects[~defects["information"]]
    summary = {
        "defects": len(real), "information": int(defects["information"].sum()),
        "fixable": int(real["fixable"].sum()),
        "by_kind": {kind: {lvl or "-": len(g) for lvl, g in group.groupby("level", sort=False)}
                    for kind, group in defects.groupby("kind", sort=False)},
        "coverage": {}, "coverage_lines": [],
        "water_duty": f"not checked: {unchecked} and the water duty ({missing})",
        "chief_duty": f"not checked: {missing}",
        "tolerance": {"min_area_m2": min_area_m2, "min_width_m": min_width_m,
                      "overloaded_limit": None},
    }
    return AuditReport(ok=real.empty, summary=summary, defects=defects, coverage=coverage)


def _merge_duplicates(boundaries: Boundaries) -> tuple[Boundaries, list[dict]]:
    """Units sharing a code at one level merged into one (first row's attributes), and a
    ``duplicate_code`` row for each such code (geometry in the boundaries' CRS)."""
    rows, levels = [], dict(boundaries.levels)
    for level, frame in boundaries.levels.items():
        dup = frame["code"].duplicated(keep=False)
        if not dup.any():
            continue
        for code, group in frame[dup].groupby("code", sort=True):
            rows.append(_row("duplicate_code", level, [code], [group["name"].iloc[0]],
                             shapely.union_all(group.geometry.values),
                             detail=f"{len(group)} features share code {code}"))
        geoms = frame.geometry.values
        valid = np.where(shapely.is_valid(geoms), geoms, shapely.make_valid(geoms))
        merged = pd.Series(valid, index=frame.index).groupby(frame["code"].to_numpy(),
                                                             sort=False).agg(
            lambda g: shapely.union_all(np.asarray(g.to_list(), dtype=object)))
        first = frame.drop_duplicates("code").copy()
        first = first.set_geometry(merged.reindex(first["code"].to_numpy()).to_numpy(),
                                   crs=frame.crs)
        levels[level] = first.reset_index(drop=True)
    return Boundaries(levels, dict(boundaries.origin)), rows


def _names(boundaries: Boundaries | None) -> dict[str, str]:
    out = {}
    if boundaries is None:
        return out
    for level in LEVELS:
        if level in boundaries:
            frame = boundaries[level]
            out.update(zip(frame["code"].astype(str), frame["name"].astype(str), strict=True))
    return out


def _try_segment(boundaries, waters, min_length, boundary_tolerance):
    """The segmentation, or None and the reason it could not run."""
    from hzgeo.errors import HzgeoWarning
    from hzgeo.segment import segment_waters
    from hzgeo.validate import validate_boundaries, validate_waters

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HzgeoWarning)
            validate_boundaries(boundaries, coverage=False)
            validate_waters(waters)
            return segment_waters(boundaries, waters, min_length=min_length,
                                  boundary_tolerance=boundary_tolerance), None
    except (HzgeoError, shapely.errors.GEOSException) as err:
        reason = getattr(err, "message", str(err)).split("\n  what to do")[0]
        return None, " ".join(reason.split())


def _input_defects(found: gpd.GeoDataFrame, boundaries: Boundaries, work, min_area_m2,
                   min_width_m) -> gpd.GeoDataFrame:
    """The boundary and water defects as audit rows, measured geodesically, tolerances
    applied."""
    if found.empty:
        return _frame([], work)
    below = {"city": "county", "county": "township", "township": "village"}
    names_of = _names(boundaries)
    local = found.to_crs(work).geometry.values
    area = geodesic_area(found.geometry.values)
    length = geodesic_length(found.geometry.values)
    polygonal = np.isin(found["kind"].to_numpy(), ["overlap", "gap", "outside_parent"])
    width = np.zeros(len(found))
    width[polygonal] = _width(local[polygonal])
    rows = []
    for i, d in enumerate(found.itertuples()):
        kind, level, codes, names = d.kind, d.layer, [d.code], [d.name]
        measure, fixable = np.nan, kind in _FIXABLE
        detail = d.detail
        if polygonal[i]:
            measure = area[i]
            if measure < min_area_m2 or width[i] < min_width_m:
                continue
            detail += f" ({width[i]:,.1f} m wide)"
        if kind == "gap":  # a hole in the level below, inside this unit
            level = below.get(d.layer, d.layer)
            fixable = width[i] < REPAIR_GAP_WIDTH_M
        elif kind == "overlap":
            other = str(d.detail).removeprefix("overlaps ")
            codes.append(other)
            names.append(names_of.get(other, other))
        elif kind == "near_miss_edge":
            measure = length[i]
        elif kind == "mouth_off_river":
            measure = d.length_m
        water = (d.code, d.name) if d.layer in ("rivers", "lakes") else ("", "")
        rows.append(_row(kind, level, codes if not water[0] else [],
                         names if not water[0] else [], local[i], measure=measure,
                         detail=detail, water=water, fixable=bool(fixable)))
    return _frame(rows, work)


def _fast_length(geoms: np.ndarray) -> np.ndarray:
    """Geodesic length (m) of each lon/lat geometry's lines, vectorised over all vertices
    (:func:`hzgeo.geodesy.segment_lengths`, within 1e-9 of pyproj's geodesic)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    parts, inner = shapely.get_parts(parts, return_index=True)  # collections of multis
    owner = owner[inner]
    xy, part = shapely.get_coordinates(parts, return_index=True)
    if len(xy) < 2:
        return np.zeros(len(geoms))
    seg = segment_lengths(xy[:, 0], xy[:, 1])
    same = part[1:] == part[:-1]
    lines = shapely.get_type_id(parts) != 0  # a point has no length
    seg = np.where(same & lines[part[1:]], seg, 0.0)
    per_part = np.bincount(part[1:], weights=seg, minlength=len(parts))
    return np.bincount(owner, weights=per_part, minlength=len(geoms))


class _Lazy:
    """``lazy[i]``: ``make(i)``, computed when first asked for (where a defect is)."""

    def __init__(self, make):
        self.make, self.done = make, {}

    def __getitem__(self, i):
        if i not in self.done:
            self.done[i] = self.make(i)
        return self.done[i]


class _WaterDuty:
    """River length and lake area per level: inside the city, uncovered, counted twice."""

    def __init__(self, boundaries, waters, work, names, result, chiefs):
        self.work, self.names, self.result, self.chiefs = work, names, result, chiefs
        self.levels = [lvl for lvl in REACH_LEVELS if lvl in boundaries]
        self.units = {lvl: boundaries[lvl].to_crs(work).reset_index(drop=True)
                      for lvl in self.levels}
        for lvl, frame in self.units.items():  # as make_valid repairs them
            from hzgeo.validate import polygonal

            bad = ~shapely.is_valid(frame.geometry.values)
            if bad.any():
                geoms = frame.geometry.values.copy()
                geoms[bad] = polygonal(geoms[bad])
                self.units[lvl] = frame.set_geometry(geoms)
        if "city" in boundaries:
            city = boundaries["city"].to_crs(work).geometry.values
            city = shapely.union_all(city[shapely.is_valid(city)]) if shapely.is_valid(
                city).any() else shapely.union_all(self._top().geometry.values)
        else:
            city = shapely.union_all(self._top().geometry.values)
        self.city = city
        shapely.prepare(city)
        self.city_units = boundaries["city"].to_crs(work).reset_index(drop=True) \
            if "city" in boundaries else None
        rivers = waters.rivers.reset_index(drop=True)
        self.rivers = rivers.to_crs(work)
        self.river_code = rivers["river_code"].astype(str).to_numpy()
        self.river_name = rivers["name"].astype(str).to_numpy()
        geoms = self.rivers.geometry.values
        # the city closed, as segmentation takes it: a river lying on its outline (a border
        # river of the city, or of the county a run is limited to) is inside. GEOS drops
        # most of a line lying exactly on a polygon's boundary from their intersection,
        # so the outline is grown by a millimetre (at most 2 mm more per crossing)
        self.river_inside = shapely.intersection(geoms, shapely.buffer(city, 1e-3))
        self.inside_m = self._length(self.river_inside)
        self.total_m = self._length(geoms)
        lakes = waters.lakes.reset_index(drop=True)
        self.lakes = lakes.to_crs(work) if len(lakes) else None
        if self.lakes is not None:
            lake_geoms = self.lakes.geometry.values
            valid = shapely.is_valid(lake_geoms)
            lake_geoms = np.where(valid, lake_geoms, shapely.make_valid(lake_geoms))
            self.lake_inside = shapely.intersection(lake_geoms, city)
            self.lake_inside_m2 = self._area(self.lake_inside)
        self._per_level: dict[str, dict] = {}
        self._overlap_cache: dict[str, list] = {}

    def _top(self):
        return self.units[self.levels[0]]

    def _to_store(self, geoms):
        return gpd.GeoSeries(geoms, crs=self.work).to_crs(STORE_CRS).values

    def _length(self, geoms) -> np.ndarray:
        return _fast_length(self._to_store(np.asarray(geoms, dtype=object)))

    def _area(self, geoms) -> np.ndarray:
        return geodesic_area(self._to_store(np.asarray(geoms, dtype=object)))

    def _around(self, geom, level: str) -> tuple[list[str], list[str]]:
        """Codes and names of the units one level up that a stretch lies in."""
        up = {"village": "township", "township": "county", "county": "city"}[level]
        if geom is None or geom.is_empty or (up not in self.units and up != "city"):
            return [], []
        frame = self.units[up] if up in self.units else self.city_units
        if frame is None:
            return [], []
        hits = frame.sindex.query(geom, predicate="intersects")
        codes = [str(c) for c in frame["code"].to_numpy()[np.sort(hits)]]
        return codes, [self.names.get(c, c) for c in codes]

    def _at(self, geom, level: str) -> tuple[list[str], list[str]]:
        """Codes and names of the level's units holding a point of ``geom``."""
        if geom is None or geom.is_empty:
            return [], []
        frame = self.units[level]
        hits = frame.sindex.query(shapely.point_on_surface(geom), predicate="intersects")
        codes = [str(c) for c in frame["code"].to_numpy()[np.sort(hits)]]
        return codes, [self.names.get(c, c) for c in codes]

    # ---- per level
    def level(self, level: str) -> dict:
        """Per river and lake at ``level``: uncovered and double-counted measures and
        where (on the published reaches when there are some, else on the geometry)."""
        if level in self._per_level:
            return self._per_level[level]
        n = len(self.rivers)
        out = {"uncovered": np.zeros(n), "double": np.zeros(n),
               "uncovered_geom": np.full(n, None, dtype=object),
               "double_geom": np.full(n, None, dtype=object), "double_rows": [],
               "lake_uncovered": None, "lake_double": None, "lake_uncovered_geom": None,
               "lake_double_geom": None, "lake_double_rows": []}
        units = self.units[level]
        if self.result is not None:
            self._on_reaches(level, out)
        else:
            covered = shapely.union_all(units.geometry.values)
            stretch = shapely.difference(self.river_inside, covered)
            out["uncovered"] = self._length(stretch)
            out["uncovered_geom"] = stretch
            for a, b, poly in self._overlaps(level):
                hit = shapely.intersection(self.river_inside, poly)
                length = self._length(hit)
                for i in np.flatnonzero(length > 0):
                    out["double_rows"].append((i, a, b, length[i], hit[i]))
            if self.lakes is not None:
                stretch = shapely.difference(self.lake_inside, covered)
                out["lake_uncovered"] = self._area(stretch)
                out["lake_uncovered_geom"] = stretch
                out["lake_double"] = np.zeros(len(self.lakes))
                for a, b, poly in self._overlaps(level):
                    hit = shapely.intersection(self.lake_inside, poly)
                    area = self._area(hit)
                    for i in np.flatnonzero(area > 0):
                        out["lake_double_rows"].append((i, a, b, area[i], hit[i]))
        self._per_level[level] = out
        return out

    def _on_reaches(self, level: str, out: dict) -> None:
        """Inside the city (measured here) against the published reaches and zones."""
        reaches = self.result.reaches[level]
        primary = reaches[reaches["primary"].astype(bool)]
        counted = primary.groupby("river_code")["length_m"].sum()
        diff = self.inside_m - counted.reindex(self.river_code, fill_value=0.0).to_numpy()
        out["uncovered"] = np.maximum(diff, 0.0)
        out["double"] = np.maximum(-diff, 0.0)
        out["uncovered_geom"] = _Lazy(lambda i: shapely.difference(
            self.river_inside[i], shapely.buffer(shapely.union_all(self._to_work(
                primary.geometry.values[primary["river_code"].to_numpy() == self.river_code[i]]
            )), 0.01)))
        out["double_geom"] = _Lazy(lambda i: self._in_overlaps(level, self.river_inside[i]))
        if self.lakes is None:
            return
        zones = self.result.zones[level]
        counted = zones.groupby("water_code")["area_m2"].sum().reindex(
            self.lakes["code"].astype(str).to_numpy(), fill_value=0.0).to_numpy()
        diff = self.lake_inside_m2 - counted
        out["lake_uncovered"] = np.maximum(diff, 0.0)
        out["lake_double"] = np.maximum(-diff, 0.0)
        lake_code = self.lakes["code"].astype(str).to_numpy()
        out["lake_uncovered_geom"] = _Lazy(lambda i: shapely.difference(
            self.lake_inside[i], shapely.union_all(self._to_work(
                zones.geometry.values[zones["water_code"].astype(str).to_numpy()
                                      == lake_code[i]]))))
        out["lake_double_geom"] = _Lazy(lambda i: self._in_overlaps(level,
                                                                    self.lake_inside[i]))

    def _to_work(self, geoms):
        return gpd.GeoSeries(geoms, crs=STORE_CRS).to_crs(self.work).values

    def _in_overlaps(self, level: str, geom):
        """The part of ``geom`` in overlaps of the level's units (else all of it)."""
        polys = [poly for _, _, poly in self._overlaps(level)]
        part = shapely.intersection(geom, shapely.union_all(polys)) if polys else None
        return geom if part is None or part.is_empty else part

    def _overlaps(self, level: str) -> list[tuple[str, str, object]]:
        """Pairs of the level's units that share area, with the shared part (computed once,
        only when needed: it touches every pair of neighbours)."""
        if level in self._overlap_cache:
            return self._overlap_cache[level]
        units = self.units[level]
        geoms = units.geometry.values
        left, right = units.sindex.query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        common = shapely.intersection(geoms[left], geoms[right])
        area = shapely.area(common)
        codes = units["code"].astype(str).to_numpy()
        found = [(codes[a], codes[b], c) for a, b, c, x in zip(left, right, common, area,
                                                               strict=True) if x > 0]
        self._overlap_cache[level] = found
        return found

    # ---- rows
    def rows(self, min_area_m2: float, min_width_m: float) -> list[dict]:
        rows = []
        for level in self.levels:
            found = self.level(level)
            for i in np.flatnonzero(found["uncovered"] >= max(min_width_m, 1e-9)):
                geom = found["uncovered_geom"][i]
                codes, names = self._around(geom, level)
                rows.append(_row("uncovered_water", level, codes, names, geom,
                                 measure=found["uncovered"][i], water=self._water(i),
                                 detail=f"river length inside the city in no {level} reach"))
            if self.result is not None:
                for i in np.flatnonzero(found["double"] >= max(min_width_m, 1e-9)):
                    rows.append(_row("double_counted_water", level,
                                     *self._at(found["double_geom"][i], level),
                                     found["double_geom"][i], measure=found["double"][i],
                                     water=self._water(i),
                                     detail=f"{level} reaches add up to more than the river"))
            for i, a, b, length, geom in found["double_rows"]:
                if length >= min_width_m:
                    rows.append(_row("double_counted_water", level, [a, b],
                                     [self.names.get(a, a), self.names.get(b, b)], geom,
                                     measure=length, water=self._water(i),
                                     detail=f"river runs where {level}s {a} and {b} overlap"))
            rows += self._lake_rows(level, found, min_area_m2)
        rows += self._outside()
        return rows

    def _water(self, i: int) -> tuple[str, str]:
        return self.river_code[i], self.river_name[i]

    def _lake_rows(self, level, found, min_area_m2) -> list[dict]:
        if self.lakes is None:
            return []
        rows = []
        code = self.lakes["code"].astype(str).to_numpy()
        name = self.lakes["name"].astype(str).to_numpy()
        for i in np.flatnonzero(found["lake_uncovered"] >= max(min_area_m2, 1e-9)):
            geom = found["lake_uncovered_geom"][i]
            codes, names = self._around(geom, level)
            rows.append(_row("uncovered_water", level, codes, names, geom,
                             measure=found["lake_uncovered"][i], water=(code[i], name[i]),
                             detail=f"lake area inside the city in no {level} zone")
                        | {"unit": "m2"})
        if self.result is not None:
            for i in np.flatnonzero(found["lake_double"] >= max(min_area_m2, 1e-9)):
                rows.append(_row("double_counted_water", level,
                                 *self._at(found["lake_double_geom"][i], level),
                                 found["lake_double_geom"][i], measure=found["lake_double"][i],
                                 water=(code[i], name[i]),
                                 detail=f"{level} zones add up to more than the lake")
                            | {"unit": "m2"})
        else:
            for i, a, b, area, geom in found["lake_double_rows"]:
                if area >= min_area_m2:
                    rows.append(_row("double_counted_water", level, [a, b],
                                     [self.names.get(a, a), self.names.get(b, b)], geom,
                                     measure=area, water=(code[i], name[i]),
                                     detail=f"lake lies where {level}s {a} and {b} overlap")
                                | {"unit": "m2"})
        return rows

    def _outside(self) -> list[dict]:
        rows = []
        outside = self.total_m - self.inside_m
        geoms = self.rivers.geometry.values
        for i in np.flatnonzero(outside > 1e-6):
            rows.append(_row("outside_city", "", [], [], shapely.difference(geoms[i], self.city),
                             measure=outside[i], water=self._water(i),
                             detail=f"{outside[i] / 1000:,.3f} km of its "
                                    f"{self.total_m[i] / 1000:,.3f} km lie outside the city"))
        return rows

    def information(self) -> list[dict]:
        """``sliver`` and ``boundary_reach`` rows, geometry in EPSG:4490 (as published)."""
        if self.result is None:
            return []
        rows = []
        for s in self.result.slivers.itertuples():
            codes = [c for c in str(s.admin_code).split("、") if c and c != "无归属"]
            rows.append(_row("sliver", "village", codes,
                             [self.names.get(c, c) for c in codes], s.geometry,
                             measure=s.length_m, water=(s.river_code, s.river_name),
                             detail=f"merged into {s.merged_into}"))
        for level in self.levels:
            reaches = self.result.reaches[level]
            shared = reaches[reaches["boundary"].astype(bool) & reaches["primary"].astype(bool)]
            for r in shared.itertuples():
                codes = [r.admin_code, r.shared_with]
                rows.append(_row("boundary_reach", level, codes,
                                 [self.names.get(c, c) for c in codes], r.geometry,
                                 measure=r.length_m, water=(r.river_code, r.river_name),
                                 detail=f"界河 {r.reach_name}, shared by both banks"))
        return rows

    # ---- coverage
    def coverage(self) -> pd.DataFrame:
        records = []
        for level in self.levels:
            found = self.level(level)
            rivers = np.ones(len(self.rivers), dtype=bool)
            vacant = 0.0
            lake_vacant = 0.0
            lakes = np.ones(0 if self.lakes is None else len(self.lakes), dtype=bool)
            if self.chiefs is not None:
                reaches = self.chiefs.reaches[level]
                required = reaches[reaches["chief_required"].astype(bool)]
                rivers = np.isin(self.river_code, required["river_code"].astype(str))
                empty = required[required["vacant"].astype(bool)]
                empty = empty.drop_duplicates(["river_code", "from_km", "to_km"])
                vacant = float(empty["length_m"].sum())
                if self.lakes is not None:
                    zones = self.chiefs.zones[level]
                    zreq = zones[zones["chief_required"].astype(bool)]
                    lakes = np.isin(self.lakes["code"].astype(str),
                                    zreq["water_code"].astype(str))
                    lake_vacant = float(zreq.loc[zreq["vacant"].astype(bool), "area_m2"].sum())
            water = float(self.inside_m[rivers].sum())
            uncovered = float(found["uncovered"][rivers].sum())
            double = float(found["double"][rivers].sum()) + sum(
                r[3] for r in found["double_rows"] if rivers[r[0]])
            ok = max(water - uncovered - double - vacant, 0.0)
            record = {"level": level, "water_m": water, "uncovered_m": uncovered,
                      "double_m": double, "vacant_m": vacant, "exactly_one_m": ok,
                      "percent": min(100.0 * ok / water, 100.0) if water > 0 else 100.0,
                      "basis": "chief" if self.chiefs is not None else "unit",
                      "lake_m2": 0.0, "lake_uncovered_m2": 0.0, "lake_double_m2": 0.0,
                      "lake_vacant_m2": 0.0, "lake_exactly_one_m2": 0.0,
                      "lake_percent": 100.0}
            if self.lakes is not None:
                area = float(self.lake_inside_m2[lakes].sum())
                lu = float(found["lake_uncovered"][lakes].sum())
                ld = float(found["lake_double"][lakes].sum()) + sum(
                    r[3] for r in found["lake_double_rows"] if lakes[r[0]])
                lok = max(area - lu - ld - lake_vacant, 0.0)
                record |= {"lake_m2": area, "lake_uncovered_m2": lu, "lake_double_m2": ld,
                           "lake_vacant_m2": lake_vacant, "lake_exactly_one_m2": lok,
                           "lake_percent": min(100.0 * lok / area, 100.0) if area > 0
                           else 100.0}
            records.append(record)
        return pd.DataFrame(records)


def _chief_rows(chiefs, names, duty: _WaterDuty, overloaded_limit) -> list[dict]:
    """``no_chief``, ``vacant_total_chief``, ``no_convenor``, ``overloaded_chief``."""
    back = Transformer.from_crs(STORE_CRS, duty.work, always_xy=True)

    def local(geom):
        if geom is None or geom.is_empty:
            return None
        return shapely.transform(geom, lambda xy: np.column_stack(back.transform(*xy.T)))

    def unit_point(code):
        for frame in duty.units.values():
            hit = frame.index[frame["code"].astype(str) == str(code)]
            if len(hit):
                return shapely.point_on_surface(frame.geometry.values[hit[0]])
        return None

    rows = []
    for level, reaches in chiefs.reaches.items():
        empty = reaches[reaches["chief_required"].astype(bool) & reaches["vacant"].astype(bool)]
        for r in empty.itertuples():
            post = r.chief_post or "segment chief"
            rows.append(_row("no_chief", level, [r.admin_code],
                             [names.get(r.admin_code, r.admin_code)], local(r.geometry),
                             measure=r.length_m, water=(r.river_code, r.river_name),
                             detail=f"reach {r.reach_code}: nobody holds the post ({post})"))
    for level, zones in chiefs.zones.items():
        empty = zones[zones["chief_required"].astype(bool) & zones["vacant"].astype(bool)]
        for z in empty.itertuples():
            rows.append(_row("no_chief", level, [z.admin_code],
                             [names.get(z.admin_code, z.admin_code)], local(z.geometry),
                             measure=z.area_m2, water=(z.water_code, z.water_name),
                             detail=f"zone {z.zone_code}: nobody holds the post")
                        | {"unit": "m2"})
    city = getattr(chiefs, "city_chiefs", None)
    if city is not None and len(city):
        for c in city[city["vacant"].astype(bool)].itertuples():
            i = np.flatnonzero(duty.river_code == str(c.river_code))
            rows.append(_row("no_chief", "city", [], [],
                             duty.river_inside[i[0]] if len(i) else None,
                             measure=float(duty.inside_m[i].sum()),
                             water=(c.river_code, c.river_name),
                             detail=f"main river {c.main_river}: no city chief (市河长)"))
    totals = chiefs.total_chiefs
    for t in totals[totals["vacant"].astype(bool)].itertuples():
        rows.append(_row("vacant_total_chief", t.level, [t.admin_code], [t.admin_name],
                         unit_point(t.admin_code), detail=f"{t.role} ({t.post}) is vacant"))
    meetings = chiefs.joint_meetings
    if len(meetings):
        none = meetings["convenor_code"].fillna("").astype(str).eq("") | \
            meetings["convenor_chief"].isna()
        for m in meetings[none].itertuples():
            codes = [c for c in str(m.member_codes).split(",") if c]
            i = np.flatnonzero(duty.river_code == str(m.water_code))
            where = duty.river_inside[i[0]] if len(i) else unit_point(codes[0]) if codes \
                else None
            rows.append(_row("no_convenor", "county", codes, [names.get(c, c) for c in codes],
                             where, water=(m.water_code, m.water_name),
                             detail=f"joint meeting ({m.members}) has no convenor"
                                    + (f": {m.note}" if isinstance(m.note, str) and m.note
                                       else "")))
    if overloaded_limit is not None:
        held = []
        for reaches in chiefs.reaches.values():
            named = reaches[reaches["chief_name"].notna()]
            held.append(named[["chief_name", "admin_code", "geometry"]])
        if held:
            table = pd.concat(held, ignore_index=True)
            for person, group in table.groupby("chief_name"):
                if len(group) > overloaded_limit:
                    codes = sorted(set(group["admin_code"].astype(str)))
                    rows.append(_row("overloaded_chief", "", codes,
                                     [names.get(c, c) for c in codes],
                                     local(shapely.union_all(group.geometry.values)),
                                     measure=float(len(group)),
                                     detail=f"{person} holds {len(group)} reaches "
                                            f"(limit {overloaded_limit})"))
    return rows


def _check_inputs(boundaries, waters) -> None:
    if not isinstance(boundaries, Boundaries):
        raise InputError(f"'boundaries' should be hzgeo.Boundaries, got {type(boundaries)}")
    if not isinstance(waters, Waters):
        raise InputError(f"'waters' should be hzgeo.Waters, got {type(waters)}")
