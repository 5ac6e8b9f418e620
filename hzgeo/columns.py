"""Input columns: the names real data gives them, and the values they hold.

Every column hzgeo reads has a key (``code``, ``river_name``, ``lake_kind``,
``official_name`` ...), the same in Python (``columns={key: "YOUR_COLUMN"}``) and on the
command line (``--columns key=YOUR_COLUMN``). Without a mapping, the column is found by
its usual names (:data:`ALIASES`): English, Chinese headers and the pinyin-initial field
codes of 河湖名录 and 区划 data (XZQDM, HLMC, SFGL, HKLX, ZHXQ ...).

Values are read leniently and never silently: yes/no flags take 是/否, Y/N, 1/0,
True/False, 干流/支流; lake types take 湖泊/水库 (or lake/reservoir); what is neither is
reported.

Examples
--------
>>> import pandas as pd
>>> flags, unknown = as_flag(pd.Series(["是", "否", "Y", "0", "True", "干流", "?"]))
>>> flags.tolist(), unknown.tolist()
([True, False, True, False, True, True, False], [False, False, False, False, False, False, True])
>>> kinds, unknown = as_kind(pd.Series(["水库", "湖泊", "reservoir", "池塘"]))
>>> kinds.tolist(), unknown.tolist()
(['reservoir', 'lake', 'reservoir', 'lake'], [False, False, False, True])
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

if TYPE_CHECKING:  # (hzgeo._checks imports this module)
    from hzgeo._checks import Problems

__all__ = ["ALIASES", "COLUMN_KEYS", "OFFICIAL_KEYS", "as_code", "as_flag", "as_kind",
           "as_scale", "as_text", "official_columns"]

#: Column names met in real data, by the key hzgeo uses for the column.
ALIASES: dict[str, tuple[str, ...]] = {
    # boundaries (every level)
    "code": ("code", "XZQDM", "xzqdm", "adcode", "ADCODE", "行政区划代码", "区划代码", "代码",
             "CODE", "PAC", "pac", "QHDM", "qhdm"),
    "name": ("name", "XZQMC", "xzqmc", "NAME", "名称", "行政区名称", "name_zh", "QHMC", "qhmc"),
    # (a shapefile cuts column names to 10 characters: parent_cod, township_n, county_nam)
    "parent_code": ("parent_code", "parent_cod", "PARENT", "parent", "上级代码", "SJDM", "sjdm"),
    # names of the units above, carried on a village layer (used when those are derived)
    # (a UTF-8 shapefile keeps 3 Chinese characters of a column name: 乡镇名, 县区名)
    "township_name": ("township_name", "township_n", "乡镇名称", "乡镇名", "乡镇街道", "乡镇",
                      "XZMC", "xzmc", "TOWN"),
    "county_name": ("county_name", "county_nam", "县区名称", "县区名", "区县名称", "区县名",
                    "县区", "区县", "QXMC", "qxmc", "COUNTY"),
    # rivers
    "river_code": ("river_code", "河流编码", "河流代码", "河流编号", "HLDM", "hldm", "HLBM",
                   "hlbm", "RVCD", "RV_CD", "RIVER_CODE"),
    "river_name": ("name", "河流名称", "HLMC", "hlmc", "RVNM", "RV_NM", "NAME", "名称",
                   "name_zh"),
    "flows_into": ("flows_into", "FLOWS_INTO", "汇入", "汇入河流", "汇入河流编码", "汇入河流名称",
                   "汇入水体", "流入河流", "HRHL", "hrhl", "HRHLBM", "HRHLMC"),
    "accuracy_m": ("accuracy_m", "ACCURACY_M", "精度", "精度_m", "精度(米)", "精度（米）",
                   "定位精度", "ACCURACY"),
    "main": ("main", "MAIN", "是否干流", "干流", "SFGL", "sfgl", "是否主要河流", "主要河流",
             "SFZYHL", "市级河流", "是否市级河流", "SFSJHL"),
    "main_river": ("main_river", "MAIN_RIVER", "所属干流", "干流名称", "SSGL", "ssgl"),
    # lakes and reservoirs
    "lake_code": ("code", "湖库编码", "湖库代码", "水库编码", "水库代码", "湖泊编码", "HKBM",
                  "hkbm", "HKDM", "LKCD", "LK_CD", "RSCD", "RES_CD", "CODE"),
    "lake_name": ("name", "湖库名称", "水库名称", "湖泊名称", "HKMC", "hkmc", "LKNM", "LK_NM",
                  "RSNM", "RES_NM", "名称", "NAME"),
    "lake_kind": ("kind", "KIND", "湖库类型", "水体类型", "水域类型", "HKLX", "hklx", "STLX"),
    "lake_scale": ("scale", "SCALE", "规模", "工程规模", "水库规模", "GCGM", "gcgm", "SKGM"),
    "commander_county": ("commander_county", "commander_c", "指挥长所在县", "指挥长所在县区",
                         "防汛抗旱指挥长所在县", "ZHXQ", "zhxq", "ZHZSZX"),
}

#: The office-holder table's columns, by ``--columns`` key: key -> the table's column
#: (:func:`hzgeo.read_officials` takes either spelling in ``columns=``).
OFFICIAL_KEYS: dict[str, str] = {"official_code": "admin_code", "official_post": "post",
                                 "official_name": "name", "official_phone": "phone",
                                 "official_waters": "waters"}

#: Every ``--columns`` key, of every input.
COLUMN_KEYS: tuple[str, ...] = (*ALIASES, *OFFICIAL_KEYS)


def official_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """The office-holder part of a ``--columns`` mapping, by the table's own names.

    >>> official_columns({"code": "XZQDM", "official_name": "河长", "official_post": "职位"})
    {'name': '河长', 'post': '职位'}
    """
    return {OFFICIAL_KEYS[k]: v for k, v in (columns or {}).items() if k in OFFICIAL_KEYS}


def as_code(series: pd.Series) -> pd.Series:
    """Codes as strings: 450802.0 -> '450802'."""
    if pd.api.types.is_float_dtype(series):
        return series.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return as_text(series)


def as_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings, missing ones as ``""`` (what
    ``series.fillna("").astype(str).str.strip()`` gives, in a tenth of its time).

    >>> as_text(pd.Series([" 甲村 ", None, 12])).tolist()
    ['甲村', '', '12']
    """
    text = series.fillna("").astype(str)
    return pd.Series([v.strip() for v in text.tolist()], index=text.index, dtype=text.dtype,
                     name=text.name)


_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "真", "对", "√", "✓", "干流", "主要河流"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "假", "", "nan", "none", "×", "✗", "支流",
          "一般河流"}


def _text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip().lower())


def as_flag(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Yes/no values (True, 1, "是", "Y", "干流" ...) as bools; and where a value is neither
    (taken as no)."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(bool), np.zeros(len(series), dtype=bool)
    text = _text(series)
    yes, no = text.isin(_TRUE).to_numpy(), text.isin(_FALSE).to_numpy()
    return pd.Series(yes, index=series.index), ~(yes | no)


_KINDS = {"lake": "lake", "湖": "lake", "湖泊": "lake", "天然湖泊": "lake", "湖库": "lake",
          "reservoir": "reservoir", "水库": "reservoir", "人工水库": "reservoir",
          "塘坝": "reservoir", "山塘": "reservoir"}


def as_kind(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Lake types (湖泊/水库, lake/reservoir ...) as ``lake`` or ``reservoir``; and where a
    value is neither (taken as a lake) or empty."""
    text = _text(series)
    kinds = text.map(_KINDS)
    return kinds.fillna("lake"), kinds.isna().to_numpy()


_SCALES = {"large": "large", "大型": "large", "大(1)型": "large", "大(2)型": "large",
           "大（1）型": "large", "大（2）型": "large", "大1型": "large", "大2型": "large",
           "medium": "medium", "中型": "medium", "small": "small", "小型": "small",
           "小(1)型": "small", "小(2)型": "small", "小（1）型": "small", "小（2）型": "small",
           "小1型": "small", "小2型": "small", "": ""}


def as_scale(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Reservoir scales (大型/中型/小(1)型 ..., large/medium/small) as ``large``,
    ``medium``, ``small`` or ''; and where a value is none of them (kept as given)."""
    text = _text(series)
    scales = text.map(_SCALES)
    return scales.fillna(series.fillna("").astype(str)), scales.isna().to_numpy()


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
                             hint=(f"did you mean `columns={{{key!r}: {close[0]!r}}}`?" if close
                                   else f"map an existing column with "
                                        f"`columns={{{key!r}: 'COLUMN'}}`"))
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
            hint = (f"the closest column is {close[0]!r}: map it with "
                    f"`columns={{{key!r}: {close[0]!r}}}`" if close
                    else f"map a column with `columns={{{key!r}: 'COLUMN'}}`")
            problems.add(where, f"missing column {key!r}; columns are {have}", hint=hint)
    return frame


def complete_river_columns(rivers: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The optional river columns, with their defaults where missing.

    ``main`` False, ``main_river`` and ``flows_into`` empty, ``accuracy_m`` NaN (unknown),
    ``synthetic`` False. ``main`` and ``synthetic`` read yes/no values (是/否, 1/0, Y/N).
    """
    rivers = rivers.copy()
    defaults = {"main": False, "main_river": "", "flows_into": "", "accuracy_m": np.nan,
                "synthetic": False}
    for column, value in defaults.items():
        if column not in rivers.columns:
            rivers[column] = value
    for column in ("main", "synthetic"):
        rivers[column] = as_flag(rivers[column])[0]
    for column in ("main_river", "flows_into"):
        rivers[column] = rivers[column].fillna("").astype(str)
    rivers["accuracy_m"] = pd.to_numeric(rivers["accuracy_m"], errors="coerce")
    return rivers


def complete_lake_columns(lakes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The optional lake columns, with their defaults where missing.

    ``kind`` "lake" or "reservoir" (湖泊/水库 read as such; missing or unknown: a
    reservoir if the name ends in 水库, else a lake), ``scale`` large/medium/small (大型,
    中型, 小(1)型 ... read as such) or empty, ``commander_county`` a code or empty,
    ``synthetic`` False.
    """
    lakes = lakes.copy()
    for column, value in {"kind": "", "scale": "", "commander_county": ""}.items():
        if column not in lakes.columns:
            lakes[column] = value
        lakes[column] = lakes[column].fillna("").astype(str)
    kinds, unknown = as_kind(lakes["kind"])
    by_name = lakes["name"].fillna("").astype(str).str.endswith("水库") \
        if "name" in lakes.columns else pd.Series(False, index=lakes.index)
    lakes["kind"] = kinds.where(~unknown, np.where(by_name, "reservoir", "lake"))
    lakes["scale"] = as_scale(lakes["scale"])[0]
    lakes["commander_county"] = as_code(lakes["commander_county"])
    lakes["synthetic"] = as_flag(lakes["synthetic"])[0] if "synthetic" in lakes.columns \
        else False
    return lakes


_WATER_KEYS = {"river_code": "river_code", "name": "river_name", "flows_into": "flows_into",
               "accuracy_m": "accuracy_m", "main": "main", "main_river": "main_river"}


_LAKE_KEYS = {"code": "lake_code", "name": "lake_name", "kind": "lake_kind",
              "scale": "lake_scale", "commander_county": "commander_county"}


def _listed(values, most: int = 5) -> str:
    values = [str(v) for v in values]
    return "、".join(values[:most]) + (f" … ({len(values)} in all)" if len(values) > most else "")


def _lake_notes(lakes: gpd.GeoDataFrame, where: str) -> list[str]:
    """What :func:`complete_lake_columns` had to guess, said (never silently)."""
    notes: list[str] = []
    if not len(lakes):
        return notes
    reservoirs = lakes["name"].fillna("").astype(str).str.endswith("水库")
    if "kind" not in lakes.columns:
        notes.append(f"{where}: no lake type column (湖库类型, HKLX), so the type is taken "
                     f"from the names: {int(reservoirs.sum())} reservoir(s) (…水库), "
                     f"{int((~reservoirs).sum())} lake(s); a cross-county reservoir's joint "
                     "meeting follows the rules' commander_kinds: map the column with "
                     "`columns={\"lake_kind\": \"COLUMN\"}` (values 湖泊/水库)")
    else:
        _, unknown = as_kind(lakes["kind"])
        if unknown.any():
            bad = lakes.loc[unknown]
            values = sorted({str(v) for v in bad["kind"].fillna("")} - {""})
            notes.append(f"{where}: lake type not recognised for {int(unknown.sum())} "
                         f"water(s) ({_listed(bad['code'])})"
                         + (f", values {values[:5]}" if values else ", values empty")
                         + ": taken from the name (…水库 a reservoir, else a lake); use "
                           "湖泊/水库 (or lake/reservoir)")
    if "scale" in lakes.columns:
        _, unknown = as_scale(lakes["scale"])
        if unknown.any():
            notes.append(f"{where}: reservoir scale not recognised: "
                         f"{sorted(set(lakes.loc[unknown, 'scale'].astype(str)))[:5]}; use "
                         "大型/中型/小型 (or large/medium/small)")
    return notes


def _main_notes(rivers: gpd.GeoDataFrame, where: str) -> list[str]:
    """A missing main-river flag, said: without it no river has a city chief."""
    if not len(rivers) or "main" in rivers.columns:
        return []
    if "main_river" in rivers.columns and (rivers["main_river"].fillna("").astype(str)
                                           .str.strip() != "").any():
        rivers["main"] = rivers["main_river"].fillna("").astype(str).str.strip() != ""
        return [f"{where}: no main-river flag column (是否干流, SFGL); the rivers with a "
                f"main_river (所属干流) are taken as the main rivers "
                f"({int(rivers['main'].sum())} of {len(rivers)})"]
    return [f"{where}: no main-river flag column (是否干流, SFGL), so no river is a main "
            "river: none gets a city chief (市级河长) and that sheet stays empty; map the "
            "column with `columns={\"main\": \"COLUMN\"}` (values 是/否, Y/N, 1/0)"]


def _river_columns(rivers: gpd.GeoDataFrame, where: str, problems: Problems
                   ) -> gpd.GeoDataFrame:
    """Check the optional columns' values; flows_into given as names becomes codes."""
    if "main" in rivers.columns:
        _, bad = as_flag(rivers["main"])
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
        into = as_code(rivers["flows_into"])  # 450802.0 -> '450802', as river_code
        codes = set(rivers["river_code"])
        names = rivers.drop_duplicates("name", keep=False).set_index("name")["river_code"]
        by_name = into.map(lambda v: names.get(v, v) if v and v not in codes else v)
        rivers["flows_into"] = by_name  # 汇入河流 given as names
    return rivers
