"""The audit itself: :func:`audit` puts the input checks, the water duty and the chief
duty into one :class:`~hzgeo.audit.report.AuditReport`."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from hzgeo.audit.checks import check_types, input_defects, merge_duplicates, try_segment, unit_names
from hzgeo.audit.chief import chief_rows
from hzgeo.audit.report import AuditReport
from hzgeo.audit.table import DEFAULT_MIN_AREA_M2, DEFAULT_MIN_WIDTH_M, finish, make_frame
from hzgeo.audit.water import WaterDuty
from hzgeo.errors import InputError
from hzgeo.io import work_crs_for
from hzgeo.model import Boundaries, Chiefs, Segmentation, Waters
from hzgeo.settings import LEVELS, MIN_REACH_M, STORE_CRS

if TYPE_CHECKING:
    from hzgeo.chiefs.rules import Rules

__all__ = ["audit"]


def audit(boundaries: Boundaries | None, waters: Waters | None, *, chiefs: Chiefs | None = None,
          officials: pd.DataFrame | None = None, rules: Rules | None = None,
          min_area_m2: float = DEFAULT_MIN_AREA_M2, min_width_m: float = DEFAULT_MIN_WIDTH_M,
          overloaded_limit: int | None = None, min_length: float = MIN_REACH_M,
          boundary_tolerance: float | None = None, segmentation: Segmentation | None = None,
          defects=None,
          refused: str | None = None, data_date: str | None = None) -> AuditReport:
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
        Office holders (:func:`hzgeo.read_officials`); not used when ``chiefs`` is given.
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
        The most reaches one person may hold (reach rows of every level, each bank of a
        界河 its own): holding more is ``overloaded_chief``, holding exactly this many is
        not. Off by default: a county head chairs many reaches.
    min_length, boundary_tolerance
        As in :func:`hzgeo.segment_waters`, for the reaches that would be published.
    segmentation : Segmentation, optional
        Reaches already computed on these inputs (else validated and computed here).
    defects : GeoDataFrame, optional
        :func:`hzgeo.find_defects` of these inputs, found already (else found here).
    refused : str, optional
        Why these inputs could not be segmented, when that was tried already: then it is
        not tried again, and the water duty is measured on the geometry.
    data_date : str, optional
        The date the data describes (``YYYY-MM-DD``), written into the report with the
        hzgeo version (``summary["data_date"]``, ``summary["hzgeo_version"]``, and the
        ``about`` layer of the GeoPackage); default today.

    Given ``segmentation`` (or ``refused``), ``defects`` and ``chiefs``, the audit
    validates, segments and assigns nothing again: it measures what it was given.

    Returns
    -------
    AuditReport
    """
    from hzgeo.validate import find_defects

    if boundaries is None or waters is None:
        return audit_one(boundaries, waters, min_area_m2, min_width_m, defects, data_date)
    check_types(boundaries, waters)
    present = [level for level in LEVELS if level in boundaries]
    work = work_crs_for(boundaries[present[-1]])
    boundaries, duplicates = merge_duplicates(boundaries)
    names = unit_names(boundaries)
    if defects is None or duplicates:  # found on the units as given, not as merged here
        defects = find_defects(boundaries, waters)
    rows: list[gpd.GeoDataFrame] = [
        make_frame(duplicates, boundaries.crs),
        input_defects(defects, boundaries, work, min_area_m2, min_width_m)]
    result, reason = segmentation, refused
    if duplicates:
        result = None
        reason = "duplicate codes: " + ", ".join(
            sorted({f"{d['level']} {d['codes']}" for d in duplicates})[:10])
    elif result is None and refused is None:
        result, reason = try_segment(boundaries, waters, min_length, boundary_tolerance)
    chief_duty = "checked" if chiefs is not None else "not checked: no office holders given"
    if chiefs is None and officials is not None:
        if result is None:
            chief_duty = f"not checked: chiefs could not be assigned ({reason})"
        else:
            from hzgeo.chiefs import assign_chiefs

            chiefs = assign_chiefs(result, boundaries, waters, officials, rules)
            chief_duty = "checked"
    duty = WaterDuty(boundaries, waters, work, names, result, chiefs)
    rows.append(make_frame(duty.rows(min_area_m2, min_width_m), work))
    rows.append(make_frame(duty.information(), STORE_CRS))
    if chiefs is not None:
        rows.append(make_frame(chief_rows(chiefs, names, duty, overloaded_limit), work))
    rows = [r for r in rows if len(r)]
    found = finish(pd.concat(rows, ignore_index=True) if rows else make_frame([], work))
    coverage = duty.coverage()
    if result is not None:
        water_duty = "water duty measured on the reaches that would be published"
    else:
        water_duty = ("water duty could not be measured on the reaches (segmentation "
                      f"refused the data: {reason}); measured on the geometry instead")
    return _report(found, coverage, water_duty=water_duty, chief_duty=chief_duty,
                   tolerance={"min_area_m2": min_area_m2, "min_width_m": min_width_m,
                              "overloaded_limit": overloaded_limit}, data_date=data_date)


def audit_one(boundaries: Boundaries | None, waters: Waters | None, min_area_m2: float,
              min_width_m: float, defects=None, data_date: str | None = None) -> AuditReport:
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
        boundaries, duplicates = merge_duplicates(boundaries)
        missing, unchecked = "no waters given", "the rivers and lakes"
    else:
        assert waters is not None  # (one of them is given)
        work = work_crs_for(waters.rivers)
        missing, unchecked = "no boundaries given", "the boundaries"
    if defects is None or duplicates:
        defects = find_defects(boundaries, waters)
    rows = [make_frame(duplicates, work if boundaries is None else boundaries.crs),
            input_defects(defects, boundaries, work, min_area_m2, min_width_m)]
    rows = [r for r in rows if len(r)]
    found = finish(pd.concat(rows, ignore_index=True) if rows else make_frame([], work))
    coverage = pd.DataFrame({c: pd.Series(dtype=object if c in ("level", "basis") else float)
                             for c in ("level", "water_m", "uncovered_m", "double_m",
                                       "vacant_m", "exactly_one_m", "percent", "basis",
                                       "lake_m2")})
    return _report(found, coverage, water_duty=f"not checked: {unchecked} and the water "
                                               f"duty ({missing})",
                   chief_duty=f"not checked: {missing}",
                   tolerance={"min_area_m2": min_area_m2, "min_width_m": min_width_m,
                              "overloaded_limit": None}, data_date=data_date)


def _report(found: gpd.GeoDataFrame, coverage: pd.DataFrame, *, water_duty: str,
            chief_duty: str, tolerance: dict, data_date: str | None) -> AuditReport:
    """The report of the findings: counts, coverage, what was measured how, and which
    hzgeo measured which data (version, data date)."""
    from hzgeo._version import __version__

    real = found[~found["information"]]
    summary = {
        "defects": len(real),
        "information": int(found["information"].sum()),
        "fixable": int(real["fixable"].sum()),
        "by_kind": {kind: {lvl or "-": len(g) for lvl, g in group.groupby("level", sort=False)}
                    for kind, group in found.groupby("kind", sort=False)},
        "coverage": (coverage.set_index("level").to_dict("index") if len(coverage) else {}),
        "coverage_lines": [],
        "water_duty": water_duty,
        "chief_duty": chief_duty,
        "tolerance": tolerance,
        "hzgeo_version": __version__,
        "data_date": data_date or _dt.date.today().isoformat(),
    }
    report = AuditReport(ok=real.empty, summary=summary, defects=found, coverage=coverage)
    return dataclasses.replace(report, summary=summary | {"coverage_lines":
                                                          report.coverage_lines()})
