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

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["ALIASES", "COLUMN_KEYS", "OFFICIAL_KEYS", "as_code", "as_flag", "as_kind",
           "as_scale", "official_columns"]

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
    return series.fillna("").astype(str).str.strip()


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

