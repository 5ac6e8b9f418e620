"""The directory as tables: one per sheet, English columns turned into Chinese headers."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from hzgeo.directory._common import (
    KIND_NAME,
    LEVEL_NAME,
    RULE_NAMES,
    SHEETS,
    chief,
    city_code,
    flag,
    text,
    unit_names,
)
from hzgeo.directory.rivers import reach_banks, reach_spans, river_list
from hzgeo.directory.summary import person_sheet, summary_sheet
from hzgeo.hierarchy import Hierarchy
from hzgeo.labels import HEADERS, SCALE_NAMES, VACANT
from hzgeo.model import Boundaries, Chiefs, Waters
from hzgeo.select import limited_to
from hzgeo.settings import REACH_LEVELS

__all__ = ["directory_tables"]

_ZONE_COLUMNS = ["zone_code", "water_name", "kind", "scale", "level", "county_name",
                 "admin_name", "admin_code", "area_km2", "chief_name", "chief_post",
                 "chief_phone", "vacant", "synthetic", "water_code"]


def _reach_sheet(frame: pd.DataFrame, names: dict[str, str], spans: np.ndarray,
                 banks: np.ndarray, units: Hierarchy) -> gpd.GeoDataFrame:
    frame = frame.reset_index(drop=True)
    code = text(frame["admin_code"])
    out = pd.DataFrame({
        "reach_code": text(frame["reach_code"]), "river_name": text(frame["river_name"]),
        "reach_name": text(frame["reach_name"]),
        "county_name": code.map(lambda c: names.get(units.county_of(c), "")),
        "township_name": code.map(lambda c: names.get(units.township_of(c), "")),
        "admin_name": text(frame["admin_name"]), "admin_code": code,
        "admin_full_name": text(frame.get("admin_full_name", frame["admin_name"])),
        "start_end": pd.Series(spans, dtype=object),
        "start_desc": text(frame["start_desc"]), "end_desc": text(frame["end_desc"]),
        "from_km": frame["from_km"].to_numpy(float), "to_km": frame["to_km"].to_numpy(float),
        "length_km": frame["length_m"].to_numpy(float) / 1000.0,
        "boundary": flag(frame["boundary"]), "bank": pd.Series(banks, dtype=object),
        "shared_with_name": text(frame["shared_with_name"]),
        "chief_name": chief(frame), "chief_post": text(frame["chief_post"]),
        "chief_phone": text(frame["chief_phone"]),
        "other_bank_chief": text(frame["other_bank_chief"]) if "other_bank_chief" in frame
        else "",
        "vacant": flag(frame["vacant"]), "synthetic": flag(frame["synthetic"]),
        "parent_reach_code": text(frame["parent_reach_code"]),
        "river_code": text(frame["river_code"])})
    level = frame["level"].iloc[0] if len(frame) else ""
    drop = {"county": ["county_name", "township_name", "admin_full_name",
                       "parent_reach_code"],
            "township": ["township_name", "admin_full_name"]}.get(level, [])
    if not (out["other_bank_chief"] != "").any():  # no 界河, or chiefs without the column
        drop.append("other_bank_chief")
    out = out.drop(columns=drop)
    geometry = frame.geometry.to_numpy() if isinstance(frame, gpd.GeoDataFrame) else None
    return gpd.GeoDataFrame(out, geometry=geometry,
                            crs=frame.crs if isinstance(frame, gpd.GeoDataFrame) else None)


def _zone_sheet(zones: Mapping[str, pd.DataFrame], names: dict[str, str], units: Hierarchy
                ) -> gpd.GeoDataFrame:
    frames = [zones[level] for level in REACH_LEVELS if level in zones and len(zones[level])]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in _ZONE_COLUMNS}, geometry=[], crs="EPSG:4490")
    frame = pd.concat(frames, ignore_index=True)
    code = text(frame["admin_code"])  # one index from here on
    out = pd.DataFrame({
        "zone_code": text(frame["zone_code"]), "water_name": text(frame["water_name"]),
        "kind": text(frame["kind"]).map(lambda k: KIND_NAME.get(k, k)),
        "scale": text(frame["scale"]).map(SCALE_NAMES).fillna(""),
        "level": text(frame["level"]).map(LEVEL_NAME),
        "county_name": code.map(lambda c: names.get(units.county_of(c), "")),
        "admin_name": text(frame["admin_name"]), "admin_code": code,
        "area_km2": frame["area_m2"].to_numpy(float) / 1e6,
        "chief_name": chief(frame), "chief_post": text(frame["chief_post"]),
        "chief_phone": text(frame["chief_phone"]), "vacant": flag(frame["vacant"]),
        "synthetic": flag(frame["synthetic"]), "water_code": text(frame["water_code"])})
    crs = frames[0].crs if isinstance(frames[0], gpd.GeoDataFrame) else None
    geometry = frame.geometry.to_numpy() if "geometry" in frame else None
    return gpd.GeoDataFrame(out, geometry=geometry, crs=crs if geometry is not None else None)


def _total_sheet(total: pd.DataFrame) -> pd.DataFrame:
    total = total.reset_index(drop=True)
    return pd.DataFrame({
        "level": text(total["level"]).map(LEVEL_NAME), "admin_name": text(total["admin_name"]),
        "admin_code": text(total["admin_code"]), "role": text(total["role"]),
        "chief_name": chief(total), "post": text(total["post"]),
        "chief_phone": text(total["chief_phone"]), "vacant": flag(total["vacant"])})


def _city_sheet(city: pd.DataFrame) -> pd.DataFrame:
    city = city.reset_index(drop=True)
    return pd.DataFrame({
        "river_code": text(city["river_code"]), "river_name": text(city["river_name"]),
        "main_river": text(city["main_river"]), "chief_name": chief(city),
        "post": text(city["post"]), "chief_phone": text(city["chief_phone"]),
        "vacant": flag(city["vacant"])})


def _joint_sheet(joint: pd.DataFrame) -> pd.DataFrame:
    joint = joint.reset_index(drop=True)
    return pd.DataFrame({
        "joint_water_code": text(joint["water_code"]),
        "joint_water_name": text(joint["water_name"]),
        "kind": text(joint["kind"]).map(lambda k: KIND_NAME.get(k, k)),
        "members": text(joint["members"]), "convenor_name": text(joint["convenor_name"]),
        "convenor_chief": text(joint["convenor_chief"]).replace("", VACANT),
        "rule": text(joint["rule"]).map(lambda r: RULE_NAMES.get(r, r)),
        "note": text(joint["note"]), "member_codes": text(joint["member_codes"]),
        "convenor_code": text(joint["convenor_code"])})


def _vacancy_sheet(vacancies: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    vacancies = vacancies.reset_index(drop=True)
    code = text(vacancies["admin_code"])
    return pd.DataFrame({
        "level": text(vacancies["level"]).map(lambda v: LEVEL_NAME.get(v, v)),
        "admin_name": code.map(names).fillna(text(vacancies["admin_name"])),
        "admin_code": text(vacancies["admin_code"]), "post": text(vacancies["post"]),
        "what": text(vacancies["what"])})


def _office_sheet(offices: pd.DataFrame) -> pd.DataFrame:
    offices = offices.reset_index(drop=True)
    return pd.DataFrame({
        "level": text(offices["level"]).map(lambda v: LEVEL_NAME.get(v, v)),
        "admin_name": text(offices["admin_name"]), "admin_code": text(offices["admin_code"]),
        "office": text(offices["office"]), "seat": text(offices["seat"]),
        "supervision_phone": text(offices["supervision_phone"])})


def directory_tables(chiefs: Chiefs, *, previous=None, boundaries: Boundaries | None = None,
                     waters: Waters | None = None) -> dict[str, pd.DataFrame]:
    """The directory as tables by sheet name (see :data:`SHEETS`), Chinese headers applied.

    Parameters
    ----------
    chiefs : hzgeo.Chiefs
        The assignment (:func:`hzgeo.assign_chiefs`).
    previous : path or dict of DataFrame, optional
        A directory written earlier (XLSX by hzgeo, or tables as :func:`read_directory`
        returns them): adds the sheet 变更 (see :func:`roster_changes`).
    boundaries : hzgeo.Boundaries, optional
        The units: which bank (左岸/右岸, looking downstream) each 界河 row holds
        (所辖岸别); without them that column is empty. Limited to one county (a
        ``--county`` run), they make 汇总 name its first scope after the county
        (贵港市港北区).
    waters : hzgeo.Waters, optional
        The waters: what each river flows into (汇入) in 河湖名录.

    Returns
    -------
    dict of str -> DataFrame
        Sheets in workbook order. Reach and zone sheets are GeoDataFrames (geometry in
        EPSG:4490); every other column is text, a number (km, 2 decimals when written) or
        是/否. Codes are text.

    Examples
    --------
    >>> import hzgeo
    >>> from hzgeo.directory import SHEETS
    >>> list(SHEETS.values())[:3]
    ['汇总', '河湖名录', '县级河段']
    """
    names = unit_names(chiefs)
    hierarchy = chiefs.hierarchy()  # by parent_code, not by the codes' prefixes
    spans = reach_spans(chiefs.reaches)
    raw: dict[str, pd.DataFrame] = {}
    rivers = river_list(chiefs, waters)
    raw[SHEETS["rivers"]] = rivers.drop(columns="_counties").assign(
        synthetic=flag(rivers["synthetic"]).to_numpy())
    for level in REACH_LEVELS:
        frame = chiefs.reaches[level]
        units = None
        if boundaries is not None and level in boundaries:
            units = boundaries[level]
        sheet = _reach_sheet(frame, names, spans[level], reach_banks(frame, units), hierarchy)
        sheet["_primary"] = frame["primary"].fillna(True).astype(bool).to_numpy() if len(
            frame) else np.zeros(0, dtype=bool)
        raw[SHEETS[level]] = sheet
    raw[SHEETS["zones"]] = _zone_sheet(chiefs.zones, names, hierarchy)
    raw[SHEETS["total"]] = _total_sheet(chiefs.total_chiefs)
    raw[SHEETS["city"]] = _city_sheet(chiefs.city_chiefs)
    raw[SHEETS["joint"]] = _joint_sheet(chiefs.joint_meetings)
    raw[SHEETS["person"]] = person_sheet(
        chiefs, {level: raw[SHEETS[level]] for level in REACH_LEVELS}, raw[SHEETS["zones"]],
        names, city_code(chiefs.total_chiefs))
    raw[SHEETS["vacancies"]] = _vacancy_sheet(chiefs.vacancies, names)
    offices = chiefs.offices
    if len(offices):
        raw[SHEETS["offices"]] = _office_sheet(offices)
    summary = summary_sheet(raw, rivers, hierarchy, limited_to(boundaries))
    for level in REACH_LEVELS:
        raw[SHEETS[level]] = raw[SHEETS[level]].drop(columns="_primary")
    out = {SHEETS["summary"]: summary}
    for key, sheet in raw.items():
        out[key] = sheet.rename(columns=HEADERS)
    if previous is not None:
        from hzgeo.directory.changes import roster_changes

        out[SHEETS["changes"]] = roster_changes(out, previous).rename(columns=HEADERS)
    return out
