"""What the directory's modules share: sheet names, cell helpers, the words of its cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hzgeo.labels import KIND_NAMES, LEVEL_NAMES, VACANT

__all__ = ["SHEETS"]

#: Sheet names, in workbook order.
SHEETS = {"summary": "汇总", "rivers": "河湖名录", "county": "县级河段", "township": "乡级河段",
          "village": "村级河段", "zones": "湖库分片", "total": "总河长", "city": "市级河长",
          "joint": "联席会议", "person": "河长责任清单", "vacancies": "空缺岗位",
          "offices": "河长制办公室", "changes": "变更"}

RULE_NAMES = {"longest_reach": "河段最长", "largest_area": "水面面积最大",
              "commander": "防汛抗旱指挥长所在县", "tie": "长度相同"}
#: Summary columns of the rivers and lakes counted in a scope.
RIVERS_COUNTED, LAKES_COUNTED = "河流（条）", "湖泊水库（座）"

LEVEL_NAME = LEVEL_NAMES
KIND_NAME = KIND_NAMES


def flag(values) -> pd.Series:
    """是 / 否 for a boolean column (missing is 否)."""
    return pd.Series(np.where(pd.Series(values).fillna(False).astype(bool), "是", "否"))


def text(values) -> pd.Series:
    """Strings, with missing values as empty text (codes never become numbers)."""
    series = pd.Series(values, dtype=object)
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v))


def chief(frame: pd.DataFrame) -> pd.Series:
    """The chief's name, or （空缺） where the post is vacant."""
    name = text(frame["chief_name"]).to_numpy(dtype=object)
    vacant = frame["vacant"].fillna(False).astype(bool).to_numpy() if "vacant" in frame else (
        np.zeros(len(frame), dtype=bool))
    return pd.Series(np.where(vacant & (name == ""), VACANT, name), dtype=object)


def unit_names(chiefs) -> dict[str, str]:
    """Directory name of every unit the chiefs name, by code."""
    names: dict[str, str] = {}
    frames = [*chiefs.reaches.values(), *chiefs.zones.values(), chiefs.total_chiefs]
    for frame in frames:
        if len(frame) and {"admin_code", "admin_name"} <= set(frame.columns):
            names.update(zip(text(frame["admin_code"]), text(frame["admin_name"]),
                             strict=True))
    return names


def city_code(total: pd.DataFrame) -> str:
    """The city's code among the total chiefs (level ``city`` or 市级), else empty."""
    if not len(total):
        return ""
    city = total[total["level"].isin(["city", LEVEL_NAMES["city"]])]["admin_code"]
    return str(city.iloc[0]) if len(city) else ""


def scope_name(city: str, county: tuple[str, str] | None) -> str:
    """What the directory covers: the city (贵港市), or the county of a county run after
    the city's name (贵港市港北区).

    Examples
    --------
    >>> scope_name("贵港市", None), scope_name("贵港市", ("450802", "港北区"))
    ('贵港市', '贵港市港北区')
    """
    return city + (county[1] if county is not None else "")
