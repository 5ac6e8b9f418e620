"""The graded, segmented directory (分级分段名录) as a river chief office publishes it.

:func:`directory_tables` turns a :class:`hzgeo.Chiefs` into one table per sheet, with the
Chinese headers of :data:`HEADERS`; :func:`write_directory` writes them by suffix:

- ``.xlsx``: one sheet per table, a title row with the data date, the header row frozen
  and repeated on every printed page, codes stored as text, lengths in km with two
  decimals, 是/否 for flags, widths that fit the text, fit to the page width, page numbers
  in the footer, and a footnote with the data sources;
- ``.gpkg``: the same tables, reaches and zones with their geometry (opens in QGIS);
- ``.csv``: one ``<stem>.<sheet>.csv`` per sheet, UTF-8 with BOM. Spreadsheets turn long
  digit strings (12-digit village codes) into numbers whatever the quoting: open the XLSX
  in Excel, use the CSVs for programs.

With ``previous`` (a directory written earlier by hzgeo) a sheet 变更 and a file
``<stem>.changes.csv`` list what changed, keyed by reach and zone code: who replaced
whom, reaches and zones that appeared or disappeared, total and city chiefs changed.
Every file is written through :mod:`hzgeo.atomic`: all or nothing.
"""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import InputError
from hzgeo.labels import HEADERS, KIND_NAMES, LEVEL_NAMES, SCALE_NAMES, VACANT
from hzgeo.settings import REACH_LEVELS

__all__ = ["HEADERS", "SHEETS", "directory_tables", "read_directory", "roster_changes",
           "write_directory"]

#: Sheet names, in workbook order.
SHEETS = {"summary": "汇总", "county": "县级河段", "township": "乡级河段", "village": "村级河段",
          "zones": "湖库分片", "total": "总河长", "city": "市级河长", "joint": "联席会议",
          "person": "河长责任清单", "vacancies": "空缺岗位", "offices": "河长制办公室",
          "changes": "变更"}

_LEVEL_NAME = LEVEL_NAMES
_KIND_NAME = KIND_NAMES
_RULE_NAME = {"longest_reach": "河段最长", "largest_area": "水面面积最大",
              "commander": "防汛抗旱指挥长所在县", "tie": "长度相同"}
_VACANT = VACANT
_FLAGS = ("boundary", "chief_required", "vacant", "synthetic")
_KM = ("from_km", "to_km", "length_km", "area_km2", "extent")
_CODES = ("reach_code", "river_code", "admin_code", "parent_reach_code", "zone_code",
          "water_code", "joint_water_code", "member_codes", "convenor_code", "item_code",
          "chief_phone")

_REACH_COLUMNS = ["reach_code", "river_name", "reach_name", "county_name", "township_name",
                  "admin_name", "admin_code", "admin_full_name", "start_desc", "end_desc",
                  "from_km", "to_km", "length_km", "boundary", "shared_with_name",
                  "chief_name", "chief_post", "chief_phone", "vacant", "synthetic",
                  "parent_reach_code", "river_code"]
_ZONE_COLUMNS = ["zone_code", "water_name", "kind", "scale", "level", "county_name",
                 "admin_name", "admin_code", "area_km2", "chief_name", "chief_post",
                 "chief_phone", "vacant", "synthetic", "water_code"]

DEFAULT_SOURCES = ("行政区划与水系：hzgeo 输入数据；河段由 hzgeo 按行政区划自动分段"
                   "（长度为椭球面测地长度）；河长：任职表。")


# --------------------------------------------------------------------------- tables


def _flag(values) -> pd.Series:
    return pd.Series(np.where(pd.Series(values).fillna(False).astype(bool), "是", "否"))


def _text(values) -> pd.Series:
    """Strings, with missing values as empty text (codes never become numbers)."""
    series = pd.Series(values, dtype=object)
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v))


def _chief(frame: pd.DataFrame) -> pd.Series:
    name = _text(frame["chief_name"]).to_numpy(dtype=object)
    vacant = frame["vacant"].fillna(False).astype(bool).to_numpy() if "vacant" in frame else (
        np.zeros(len(frame), dtype=bool))
    return pd.Series(np.where(vacant & (name == ""), _VACANT, name), dtype=object)


def _unit_names(chiefs) -> dict[str, str]:
    """Directory name of every unit the chiefs name, by code."""
    names: dict[str, str] = {}
    frames = [*chiefs.reaches.values(), *chiefs.zones.values(), chiefs.total_chiefs]
    for frame in frames:
        if len(frame) and {"admin_code", "admin_name"} <= set(frame.columns):
            names.update(zip(_text(frame["admin_code"]), _text(frame["admin_name"]),
                             strict=True))
    return names


def _reach_sheet(frame: pd.DataFrame, names: dict[str, str]) -> gpd.GeoDataFrame:
    frame = frame.reset_index(drop=True)
    code = _text(frame["admin_code"])
    out = pd.DataFrame({
        "reach_code": _text(frame["reach_code"]), "river_name": _text(frame["river_name"]),
        "reach_name": _text(frame["reach_name"]),
        "county_name": code.str[:6].map(names).fillna(""),
        "township_name": code.str[:9].map(names).fillna(""),
        "admin_name": _text(frame["admin_name"]), "admin_code": code,
        "admin_full_name": _text(frame.get("admin_full_name", frame["admin_name"])),
        "start_desc": _text(frame["start_desc"]), "end_desc": _text(frame["end_desc"]),
        "from_km": frame["from_km"].to_numpy(float), "to_km": frame["to_km"].to_numpy(float),
        "length_km": frame["length_m"].to_numpy(float) / 1000.0,
        "boundary": _flag(frame["boundary"]),
        "shared_with_name": _text(frame["shared_with_name"]),
        "chief_name": _chief(frame), "chief_post": _text(frame["chief_post"]),
        "chief_phone": _text(frame["chief_phone"]),
        "other_bank_chief": _text(frame["other_bank_chief"]) if "other_bank_chief" in frame
        else "",
        "vacant": _flag(frame["vacant"]), "synthetic": _flag(frame["synthetic"]),
        "parent_reach_code": _text(frame["parent_reach_code"]),
        "river_code": _text(frame["river_code"])})
    level = frame["level"].iloc[0] if len(frame) else ""
    drop = {"county": ["county_name", "township_name", "admin_full_name",
                       "parent_reach_code"],
            "township": ["township_name", "admin_full_name"]}.get(level, [])
    if not (out["other_bank_chief"] != "").any():  # no 界河, or chiefs without the column
        drop.append("other_bank_chief")
    out = out.drop(columns=drop)
    geometry = frame.geometry.to_numpy() if isinstance(frame, gpd.GeoDataFrame) else None
    return gpd.GeoDataFrame(out, geometry=geometry,
                            crs=getattr(frame, "crs", None) if geometry is not None else None)


def _zone_sheet(zones: Mapping[str, pd.DataFrame], names: dict[str, str]) -> gpd.GeoDataFrame:
    frames = [zones[level] for level in REACH_LEVELS if level in zones and len(zones[level])]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in _ZONE_COLUMNS}, geometry=[], crs="EPSG:4490")
    frame = pd.concat(frames, ignore_index=True)
    code = _text(frame["admin_code"])  # one index from here on
    out = pd.DataFrame({
        "zone_code": _text(frame["zone_code"]), "water_name": _text(frame["water_name"]),
        "kind": _text(frame["kind"]).map(lambda k: _KIND_NAME.get(k, k)),
        "scale": _text(frame["scale"]).map(
            SCALE_NAMES).fillna(""),
        "level": _text(frame["level"]).map(_LEVEL_NAME),
        "county_name": code.str[:6].map(names).fillna(""),
        "admin_name": _text(frame["admin_name"]), "admin_code": code,
        "area_km2": frame["area_m2"].to_numpy(float) / 1e6,
        "chief_name": _chief(frame), "chief_post": _text(frame["chief_post"]),
        "chief_phone": _text(frame["chief_phone"]), "vacant": _flag(frame["vacant"]),
        "synthetic": _flag(frame["synthetic"]), "water_code": _text(frame["water_code"])})
    crs = frames[0].crs if isinstance(frames[0], gpd.GeoDataFrame) else None
    geometry = frame.geometry.to_numpy() if "geometry" in frame else None
    return gpd.GeoDataFrame(out, geometry=geometry, crs=crs if geometry is not None else None)


def _total_sheet(total: pd.DataFrame) -> pd.DataFrame:
    total = total.reset_index(drop=True)
    return pd.DataFrame({
        "level": _text(total["level"]).map(_LEVEL_NAME), "admin_name": _text(total["admin_name"]),
        "admin_code": _text(total["admin_code"]), "role": _text(total["role"]),
        "chief_name": _chief(total), "post": _text(total["post"]),
        "chief_phone": _text(total["chief_phone"]), "vacant": _flag(total["vacant"])})


def _city_sheet(city: pd.DataFrame) -> pd.DataFrame:
    city = city.reset_index(drop=True)
    return pd.DataFrame({
        "river_code": _text(city["river_code"]), "river_name": _text(city["river_name"]),
        "main_river": _text(city["main_river"]), "chief_name": _chief(city),
        "post": _text(city["post"]), "chief_phone": _text(city["chief_phone"]),
        "vacant": _flag(city["vacant"])})


def _joint_sheet(joint: pd.DataFrame) -> pd.DataFrame:
    joint = joint.reset_index(drop=True)
    return pd.DataFrame({
        "joint_water_code": _text(joint["water_code"]),
        "joint_water_name": _text(joint["water_name"]),
        "kind": _text(joint["kind"]).map(lambda k: _KIND_NAME.get(k, k)),
        "members": _text(joint["members"]), "convenor_name": _text(joint["convenor_name"]),
        "convenor_chief": _text(joint["convenor_chief"]).replace("", _VACANT),
        "rule": _text(joint["rule"]).map(lambda r: _RULE_NAME.get(r, r)),
        "note": _text(joint["note"]), "member_codes": _text(joint["member_codes"]),
        "convenor_code": _text(joint["convenor_code"])})


def _vacancy_sheet(vacancies: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    vacancies = vacancies.reset_index(drop=True)
    code = _text(vacancies["admin_code"])
    return pd.DataFrame({
        "level": _text(vacancies["level"]).map(lambda v: _LEVEL_NAME.get(v, v)),
        "admin_name": code.map(names).fillna(_text(vacancies["admin_name"])),
        "admin_code": _text(vacancies["admin_code"]), "post": _text(vacancies["post"]),
        "what": _text(vacancies["what"])})


def _office_sheet(offices: pd.DataFrame) -> pd.DataFrame:
    offices = offices.reset_index(drop=True)
    return pd.DataFrame({
        "level": _text(offices["level"]).map(lambda v: _LEVEL_NAME.get(v, v)),
        "admin_name": _text(offices["admin_name"]), "admin_code": _text(offices["admin_code"]),
        "office": _text(offices["office"]), "seat": _text(offices["seat"]),
        "supervision_phone": _text(offices["supervision_phone"])})


def _issuer(chiefs) -> str:
    """发布单位 and 监督电话 from the rules, where the chiefs carry them."""
    try:
        offices = chiefs.rules["offices"]
    except (AttributeError, KeyError, TypeError):
        return ""
    words = []
    if offices.get("issuing_office"):
        words.append(f"发布单位：{offices['issuing_office']}")
    if offices.get("supervision_phone"):
        words.append(f"监督电话：{offices['supervision_phone']}")
    return "；".join(words)


def _city_code(total: pd.DataFrame) -> str:
    city = total[total["level"] == "city"]["admin_code"] if len(total) else []
    return str(city.iloc[0]) if len(city) else ""


def _person_sheet(chiefs, reaches: dict, zones: pd.DataFrame) -> pd.DataFrame:
    """One row per (chief, thing they answer for), grouped by person."""
    rows = []
    city_code = _city_code(chiefs.total_chiefs)
    unit = _unit_names(chiefs)
    for level in REACH_LEVELS:
        frame = reaches[level]
        held = frame[frame["chief_name"] != _VACANT]
        held = held[held["chief_name"] != ""]
        rows.append(pd.DataFrame({
            "chief_name": held["chief_name"], "chief_post": held["chief_post"],
            "admin_name": held["admin_name"], "admin_code": held["admin_code"],
            "chief_phone": held["chief_phone"], "level": _LEVEL_NAME[level],
            "item_kind": "河段", "item_code": held["reach_code"],
            "item_name": held["reach_name"], "extent": held["length_km"]}))
    held = zones[(zones["chief_name"] != _VACANT) & (zones["chief_name"] != "")]
    rows.append(pd.DataFrame({
        "chief_name": held["chief_name"], "chief_post": held["chief_post"],
        "admin_name": held["admin_name"], "admin_code": held["admin_code"],
        "chief_phone": held["chief_phone"], "level": held["level"],
        "item_kind": "湖库分片", "item_code": held["zone_code"],
        "item_name": held["water_name"] + held["admin_name"] + "片", "extent": held["area_km2"]}))
    total = chiefs.total_chiefs
    total = total[_text(total["chief_name"]) != ""]
    rows.append(pd.DataFrame({
        "chief_name": _text(total["chief_name"]), "chief_post": _text(total["post"]),
        "admin_name": _text(total["admin_name"]), "admin_code": _text(total["admin_code"]),
        "chief_phone": _text(total["chief_phone"]),
        "level": _text(total["level"]).map(_LEVEL_NAME), "item_kind": _text(total["role"]),
        "item_code": _text(total["admin_code"]),
        "item_name": _text(total["admin_name"]) + "全域", "extent": np.nan}))
    city = chiefs.city_chiefs
    city = city[_text(city["chief_name"]) != ""]
    rows.append(pd.DataFrame({
        "chief_name": _text(city["chief_name"]), "chief_post": _text(city["post"]),
        "admin_name": unit.get(city_code, ""), "admin_code": city_code,
        "chief_phone": _text(city["chief_phone"]), "level": "市级", "item_kind": "市级河长",
        "item_code": _text(city["river_code"]),
        "item_name": _text(city["main_river"]).where(_text(city["main_river"]) != "",
                                                      _text(city["river_name"])),
        "extent": np.nan}))
    out = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(
        len(r) for r in rows) else pd.DataFrame(columns=list(rows[0].columns))
    # one person's rows together: units top down, in a unit the total chiefs first
    level = out["level"].map({"市级": 0, "县级": 1, "乡级": 2, "村级": 3})
    kind = out["item_kind"].map({"总河长": 0, "副总河长": 1, "市级河长": 2, "河段": 3,
                                 "湖库分片": 4}).fillna(5)
    person = out["chief_name"] + "|" + out["chief_post"] + "|" + out["admin_code"]
    out = out.assign(_level=level, _kind=kind,
                     _rank=kind.groupby(person).transform("min"), _person=person)
    out = out.sort_values(["admin_code", "_level", "_rank", "_person", "_kind", "item_code"],
                          kind="stable").drop(columns=["_level", "_kind", "_rank", "_person"])
    return out.reset_index(drop=True)


def _people(frame: pd.DataFrame, post: str = "chief_post") -> set:
    held = frame[(frame["chief_name"] != _VACANT) & (frame["chief_name"] != "")]
    return set(zip(held["chief_name"], held[post], held["admin_code"], strict=True))


def _summary_sheet(tables: dict) -> pd.DataFrame:
    """Counts per county and level, and for the whole city; each equals rows of the other
    sheets (a scope's 县级 + 乡级 + 村级 河段数 are the rows of the three reach sheets in
    it, and so on)."""
    reaches = {_LEVEL_NAME[level]: tables[SHEETS[level]] for level in REACH_LEVELS}
    zones, total = tables[SHEETS["zones"]], tables[SHEETS["total"]]
    city_chiefs = tables[SHEETS["city"]]
    counties = sorted(set(reaches["县级"]["admin_code"])
                      | set(total.loc[total["level"] == "县级", "admin_code"]))
    names = dict(zip(total["admin_code"], total["admin_name"], strict=True))
    names.update(zip(reaches["县级"]["admin_code"], reaches["县级"]["admin_name"],
                     strict=True))
    city_code = _city_code(total.assign(level=total["level"].replace("市级", "city")))

    def count(label, code, pick, city=False) -> list[dict]:
        rows = []
        for level in ("市级", "县级", "乡级", "村级"):
            out: dict[str, Any] = {"范围": label, "行政区划代码": code, "层级": level}
            tot = pick(total[total["level"] == level])
            zone = pick(zones[zones["level"] == level])
            if level == "市级":
                if not city:
                    continue
                held = city_chiefs[city_chiefs["vacant"] == "否"]
                out |= {"河段数": None, "界河河段数": None, "河段长度（公里）": None,
                        "河长人数": len(set(zip(held["chief_name"], held["post"],
                                                strict=True))),
                        "河长空缺": int((city_chiefs["vacant"] == "是").sum())}
            else:
                frame = pick(reaches[level])
                # a 界河 counts once for the city, for each bank in a county's rows
                once = frame[(frame["boundary"] == "否") | frame["_primary"]] if city else frame
                out |= {"河段数": len(frame),
                        "界河河段数": int((frame["boundary"] == "是").sum()),
                        "河段长度（公里）": float(once["length_km"].sum()),
                        "河长人数": len(_people(frame) | _people(zone)),
                        "河长空缺": int((frame["vacant"] == "是").sum())}
            out |= {"湖库分片数": len(zone), "湖库分片空缺": int((zone["vacant"] == "是").sum()),
                    "总河长人数": int((tot["vacant"] == "否").sum()),
                    "总河长空缺": int((tot["vacant"] == "是").sum())}
            rows.append(out)
        return rows

    rows = count(names.get(city_code, "全市") if city_code else "全市", city_code,
                 lambda f: f, city=True)
    for code in counties:
        rows += count(names.get(code, code), code,
                      lambda f, c=code: f[f["admin_code"].str[:6] == c])
    return pd.DataFrame(rows)


def directory_tables(chiefs, *, previous=None) -> dict[str, pd.DataFrame]:
    """The directory as tables by sheet name (see :data:`SHEETS`), Chinese headers applied.

    Parameters
    ----------
    chiefs : hzgeo.Chiefs
        The assignment (:func:`hzgeo.assign_chiefs`).
    previous : path or dict of DataFrame, optional
        A directory written earlier (XLSX by hzgeo, or tables as :func:`read_directory`
        returns them): adds the sheet 变更 (see :func:`roster_changes`).

    Returns
    -------
    dict of str -> DataFrame
        Sheets in workbook order. Reach and zone sheets are GeoDataFrames (geometry in
        EPSG:4490); every other column is text, a number (km, 2 decimals when written) or
        是/否. Codes are text.
    """
    names = _unit_names(chiefs)
    raw: dict[str, pd.DataFrame] = {}
    for level in REACH_LEVELS:
        frame = chiefs.reaches[level]
        sheet = _reach_sheet(frame, names)
        sheet["_primary"] = frame["primary"].fillna(True).astype(bool).to_numpy() if len(
            frame) else np.zeros(0, dtype=bool)
        raw[SHEETS[level]] = sheet
    raw[SHEETS["zones"]] = _zone_sheet(chiefs.zones, names)
    raw[SHEETS["total"]] = _total_sheet(chiefs.total_chiefs)
    raw[SHEETS["city"]] = _city_sheet(chiefs.city_chiefs)
    raw[SHEETS["joint"]] = _joint_sheet(chiefs.joint_meetings)
    raw[SHEETS["person"]] = _person_sheet(
        chiefs, {level: raw[SHEETS[level]] for level in REACH_LEVELS}, raw[SHEETS["zones"]])
    raw[SHEETS["vacancies"]] = _vacancy_sheet(chiefs.vacancies, names)
    offices = getattr(chiefs, "offices", None)
    if offices is not None and len(offices):
        raw[SHEETS["offices"]] = _office_sheet(offices)
    summary = _summary_sheet(raw)
    for level in REACH_LEVELS:
        raw[SHEETS[level]] = raw[SHEETS[level]].drop(columns="_primary")
    out = {SHEETS["summary"]: summary}
    for key, sheet in raw.items():
        out[key] = sheet.rename(columns=HEADERS)
    if previous is not None:
        out[SHEETS["changes"]] = roster_changes(out, previous).rename(columns=HEADERS)
    return out


# --------------------------------------------------------------------------- changes


_KEYED = {  # sheet -> (key column, name column, chief column, post column)
    SHEETS["county"]: ("河段编码", "河段名称", "河长", "职务"),
    SHEETS["township"]: ("河段编码", "河段名称", "河长", "职务"),
    SHEETS["village"]: ("河段编码", "河段名称", "河长", "职务"),
    SHEETS["zones"]: ("分片编码", "湖库名称", "河长", "职务"),
    SHEETS["city"]: ("河流编码", "河流名称", "河长", "职务"),
}


def _total_key(frame: pd.DataFrame) -> pd.Series:
    return frame["行政区划代码"].astype(str) + "|" + frame["职责"].astype(str) + "|" + frame[
        "职务"].astype(str)


def roster_changes(current: Mapping[str, pd.DataFrame], previous) -> pd.DataFrame:
    """What changed since ``previous``: the list a chief office acts on (notice boards).

    Rows are keyed by reach or zone code (河流编码 for city chiefs; unit and post for total
    chiefs): 河长更换 (who replaced whom), 新增 / 撤销 (a reach or zone that appeared or
    disappeared), 空缺 (a post that fell vacant) and 补缺 (a vacancy filled).

    Parameters
    ----------
    current : dict of DataFrame
        Tables as :func:`directory_tables` returns them.
    previous : path or dict of DataFrame
        An XLSX directory written by hzgeo, or its tables.
    """
    if not isinstance(previous, Mapping):
        previous = read_directory(previous, sheets=[*_KEYED, SHEETS["total"]])
    rows = []
    keyed = dict(_KEYED)
    for sheet, (key, name, chief, post) in keyed.items():
        if sheet not in current:
            continue
        new = current[sheet]
        old = previous.get(sheet)
        if old is None:
            continue
        rows.append(_compare(sheet, new, old, new[key].astype(str), old[key].astype(str),
                             name, chief, post))
    sheet = SHEETS["total"]
    if sheet in current and sheet in previous:
        new, old = current[sheet], previous[sheet]
        new = new.assign(名称=new["行政区"] + new["职责"])
        old = old.assign(名称=old["行政区"] + old["职责"])
        rows.append(_compare(sheet, new, old, _total_key(new), _total_key(old), "名称",
                             "河长", "职务"))
    columns = ["scope", "change", "item_code", "item_name", "admin_name", "old_chief",
               "old_post", "new_chief", "new_post"]
    rows = [r for r in rows if len(r)]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(rows, ignore_index=True)[columns]


def _compare(sheet, new, old, new_key, old_key, name, chief, post) -> pd.DataFrame:
    a = pd.DataFrame({"item_code": old_key.to_numpy(), "old_name": old[name].astype(str).values,
                      "old_admin": old["行政区"].astype(str).values if "行政区" in old else "",
                      "old_chief": old[chief].fillna("").astype(str).values,
                      "old_post": old[post].fillna("").astype(str).values})
    b = pd.DataFrame({"item_code": new_key.to_numpy(), "new_name": new[name].astype(str).values,
                      "new_admin": new["行政区"].astype(str).values if "行政区" in new else "",
                      "new_chief": new[chief].fillna("").astype(str).values,
                      "new_post": new[post].fillna("").astype(str).values})
    both = a.merge(b, on="item_code", how="outer", indicator=True)
    both = both.fillna("")
    change = np.select(
        [both["_merge"] == "right_only", both["_merge"] == "left_only",
         (both["old_chief"] != both["new_chief"]) & (both["new_chief"] == _VACANT),
         (both["old_chief"] != both["new_chief"]) & (both["old_chief"] == _VACANT),
         (both["old_chief"] != both["new_chief"]) | (both["old_post"] != both["new_post"])],
        ["新增", "撤销", "空缺", "补缺", "河长更换"], default="")
    both["change"] = change
    both = both[both["change"] != ""]
    return pd.DataFrame({
        "scope": sheet, "change": both["change"], "item_code": both["item_code"],
        "item_name": both["new_name"].where(both["new_name"] != "", both["old_name"]),
        "admin_name": both["new_admin"].where(both["new_admin"] != "", both["old_admin"]),
        "old_chief": both["old_chief"], "old_post": both["old_post"],
        "new_chief": both["new_chief"], "new_post": both["new_post"]})


def read_directory(path: str | os.PathLike, sheets=None) -> dict[str, pd.DataFrame]:
    """Read back a directory XLSX written by hzgeo: sheet name -> table, all text.

    ``sheets``: the sheet names to read (default all; absent ones are skipped).

    Raises
    ------
    InputError
        If the file is missing or is not a directory written by hzgeo.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path,
                         hint="give the directory (XLSX) written earlier by hzgeo roster")
    if path.suffix.lower() != ".xlsx":
        raise InputError("the previous directory must be an XLSX written by hzgeo",
                         file=path, hint="give the .xlsx that hzgeo roster wrote")
    wanted = [SHEETS[k] for k in ("county", "township", "village")]
    try:
        with pd.ExcelFile(path) as book:
            present = book.sheet_names
            if not all(s in present for s in wanted):
                raise InputError(f"not a directory written by hzgeo: sheets {wanted} missing",
                                 file=path, hint="give the .xlsx that hzgeo roster wrote")
            names = [s for s in present if sheets is None or s in sheets]
            sheets = pd.read_excel(book, sheet_name=names, header=1, dtype=str)
    except InputError:
        raise
    except Exception as err:  # not a workbook at all
        raise InputError(f"cannot read it as a workbook ({err})", file=path,
                         hint="give the .xlsx that hzgeo roster wrote") from None
    out = {}
    for sheet, frame in sheets.items():
        blank = frame.isna().all(axis=1).to_numpy()
        end = int(np.argmax(blank)) if blank.any() else len(frame)  # footnotes follow a gap
        out[sheet] = frame.iloc[:end].fillna("").reset_index(drop=True)
    return out


# --------------------------------------------------------------------------- writing


#: Columns whose long text wraps (at this many half-width characters) instead of widening
#: the sheet beyond the printed page.
_WRAP_AT = 44
_WRAPPED = {HEADERS[c] for c in ("start_desc", "end_desc", "reach_name", "admin_full_name",
                                 "members", "note", "item_name", "what")}


def _display_width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_km(header: str) -> bool:
    return "公里" in header


def _is_code(header: str) -> bool:
    return header in {HEADERS[c] for c in _CODES} or header == "行政区划代码"


def _write_xlsx(tables: dict, path: Path, *, title: str, data_date: str, sources: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    synth_fill = PatternFill("solid", fgColor="F2F2F2")
    for sheet, frame in tables.items():
        frame = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
        ws = book.create_sheet(sheet)
        headers = [str(c) for c in frame.columns]
        ncol = max(len(headers), 1)
        ws.cell(row=1, column=1, value=f"{title}·{sheet}（数据日期：{data_date}）").font = Font(
            bold=True, size=14)
        if ncol > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        for j, header in enumerate(headers, start=1):
            cell = ws.cell(row=2, column=j, value=header)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        columns = []  # cell values column by column: None for missing, codes as text
        for header in headers:
            column = frame[header] if not isinstance(frame[header], pd.DataFrame) else \
                frame[header].iloc[:, 0]
            values = [None if (isinstance(v, float) and np.isnan(v)) or v is None
                      else (v.item() if isinstance(v, np.generic) else v)
                      for v in column.tolist()]
            if _is_code(header):
                values = [None if v is None else str(v) for v in values]
            columns.append(values)
        widths = []
        for header, values in zip(headers, columns, strict=True):
            shown = {f"{v:.2f}" if _is_km(header) and isinstance(v, float) else str(v)
                     for v in values if v is not None}
            # headers wrap onto two lines; long 起止 and names wrap at _WRAP_AT
            longest = max([0, *map(_display_width, shown)])
            head = _display_width(header)
            widths.append(max(head if head <= 12 else -(-head // 2) + 4,
                              min(longest, _WRAP_AT if header in _WRAPPED else longest)))
        n = len(frame)
        for record in zip(*columns, strict=True):
            ws.append(record)
        wrap = Alignment(wrap_text=True, vertical="top")
        lines = np.ones(n, dtype=int)
        for j, header in enumerate(headers, start=1):
            if header in _WRAPPED and widths[j - 1] >= _WRAP_AT:
                for (cell,) in ws.iter_rows(min_row=3, max_row=n + 2, min_col=j, max_col=j):
                    cell.alignment = wrap
                need = [-(-_display_width(v) // (widths[j - 1] + 2)) if v else 1
                        for v in columns[j - 1]]
                lines = np.maximum(lines, need)
        for i in np.flatnonzero(lines > 1).tolist():  # spreadsheets do not grow rows on load
            ws.row_dimensions[i + 3].height = 15 * int(lines[i])
        for j, header in enumerate(headers, start=1):
            fmt = "0.00" if _is_km(header) else "@" if _is_code(header) else None
            if fmt is None and header != HEADERS["synthetic"]:
                continue
            for (cell,) in ws.iter_rows(min_row=3, max_row=n + 2, min_col=j, max_col=j):
                if fmt is not None:
                    cell.number_format = fmt
                elif cell.value == "是":  # synthetic (示意) rows: the flag cell shaded
                    cell.fill = synth_fill
        values = columns[0] if columns else []
        last = n + 2
        notes = [f"数据来源：{sources}",
                 "注：示意数据为“是”（灰底）的行含合成（示意）数据，不是真实地理或真实人员；"
                 "长度为椭球面测地长度（公里，保留两位小数）；界河由两岸各列一行，起止相同。"]
        span = sum(min(max(w + 2, 6), 60) for w in widths)
        for k, note in enumerate(notes):
            row = last + 2 + k
            cell = ws.cell(row=row, column=1, value=note)
            cell.font = Font(italic=True, size=9)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if ncol > 1:  # the note wraps within the table's width, not beyond the page
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
            ws.row_dimensions[row].height = 13 * max(1, -(-_display_width(note) * 9 // 11
                                                         // max(span, 1)))
        ws.print_area = f"A1:{get_column_letter(ncol)}{last + 1 + len(notes)}"
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 6), 60)
        wide = sum(widths) > 160  # a reach sheet: A3 landscape keeps the print legible
        ws.row_dimensions[2].height = 30
        ws.freeze_panes = "A3"
        ws.print_title_rows = "1:2"
        ws.page_setup.paperSize = ws.PAPERSIZE_A3 if wide else ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if sum(widths) > 90 else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.print_options.gridLines = True  # cell borders on paper, without a style per cell
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.left.text = sheet
        ws.oddHeader.right.text = f"数据日期：{data_date}"
        if n:
            ws.auto_filter.ref = f"A2:{get_column_letter(ncol)}{last}"
    book.save(path)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    for column in out.columns:
        if _is_km(str(column)) and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(2)
    return out


def _write_gpkg(tables: dict, path: Path, outputs: AtomicOutputs) -> None:
    from hzgeo.output import write_layers

    layers = {}
    for sheet, frame in tables.items():
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
            geo = gpd.GeoDataFrame(_plain(frame), geometry=frame.geometry.values,
                                   crs=frame.crs)
            layers[sheet] = geo
        else:
            layers[sheet] = _plain(frame)
    write_layers(layers, path, outputs=outputs)


def write_directory(chiefs, path: str | os.PathLike, *, previous=None,
                    title: str | None = None, data_date: str | None = None,
                    sources: str | None = None,
                    outputs: AtomicOutputs | None = None) -> dict[str, Path]:
    """Write the directory to ``path`` by its suffix (.xlsx, .gpkg or .csv), all or nothing.

    Parameters
    ----------
    chiefs : hzgeo.Chiefs
        The assignment (:func:`hzgeo.assign_chiefs`).
    path : path
        ``.xlsx`` (one sheet per table), ``.gpkg`` (one layer per table, reaches and
        zones with geometry) or ``.csv`` (one ``<stem>.<sheet>.csv`` per table, UTF-8
        with BOM).
    previous : path or dict of DataFrame, optional
        A directory XLSX written earlier by hzgeo: adds the sheet 变更 and writes
        ``<stem>.changes.csv`` beside ``path``.
    title : str, optional
        Title of every sheet; default ``<city>河长制分级分段名录``.
    data_date : str, optional
        Date of the data, shown in every sheet's title; default today.
    sources : str, optional
        Data sources, in every sheet's footnote.
    outputs : AtomicOutputs, optional
        Join this set of outputs (all moved into place together).

    Returns
    -------
    dict of str -> Path
        The files written, by table (``"directory"`` for a single file, ``"changes"``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".gpkg", ".csv"):
        raise InputError(f"unknown directory format {path.suffix!r}", file=path,
                         hint="write .xlsx (for people), .gpkg (for GIS) or .csv")
    if outputs is None:
        with atomic_outputs() as own:
            return write_directory(chiefs, path, previous=previous, title=title,
                                   data_date=data_date, sources=sources, outputs=own)
    tables = directory_tables(chiefs, previous=previous)
    if title is None:
        total = chiefs.total_chiefs
        city = total.loc[total["level"] == "city", "admin_name"] if len(total) else []
        title = (str(city.iloc[0]) if len(city) else "") + "河长制分级分段名录"
    data_date = data_date or _dt.date.today().isoformat()
    sources = sources or DEFAULT_SOURCES
    issuer = _issuer(chiefs)
    if issuer:
        sources = f"{sources} {issuer}。"
    written: dict[str, Path] = {}
    if suffix == ".xlsx":
        _write_xlsx(tables, outputs.path(path), title=title, data_date=data_date,
                    sources=sources)
        written["directory"] = path
    elif suffix == ".gpkg":
        _write_gpkg(tables, path, outputs)
        written["directory"] = path
    else:
        for sheet, frame in tables.items():
            target = path.with_name(f"{path.stem}.{sheet}.csv")
            _plain(frame).to_csv(outputs.path(target), index=False, encoding="utf-8-sig")
            written[sheet] = target
    if previous is not None:
        target = path.with_name(f"{path.stem}.changes.csv")
        tables[SHEETS["changes"]].to_csv(outputs.path(target), index=False,
                                         encoding="utf-8-sig")
        written["changes"] = target
    return written
