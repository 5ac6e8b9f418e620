"""The optional columns of rivers and lakes, completed with their defaults.

(Used by :mod:`hzgeo.io` when reading and by :mod:`hzgeo._checks` on waters a caller
built; apart from both so that neither imports the other.)

Examples
--------
>>> import pandas as pd
>>> as_flag(pd.Series(["是", "否", "Y", "maybe"]))[0].tolist()
[True, False, True, False]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["as_flag", "complete_lake_columns", "complete_river_columns"]

_TRUE = {"true", "t", "yes", "y", "1", "1.0", "是", "真", "对"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", "否", "假", "", "nan", "none"}


def as_flag(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Yes/no values (True, 1, "是", "Y" ...) as bools; and where a value is neither."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(bool), np.zeros(len(series), dtype=bool)
    text = series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v).strip().lower())
    yes, no = text.isin(_TRUE).to_numpy(), text.isin(_FALSE).to_numpy()
    return pd.Series(yes, index=series.index), ~(yes | no)


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

    ``kind`` "lake", ``scale`` and ``commander_county`` empty, ``synthetic`` False.
    """
    lakes = lakes.copy()
    for column, value in {"kind": "lake", "scale": "", "commander_county": ""}.items():
        if column not in lakes.columns:
            lakes[column] = value
        lakes[column] = lakes[column].fillna("").astype(str)
    lakes["synthetic"] = as_flag(lakes["synthetic"])[0] if "synthetic" in lakes.columns \
        else False
    return lakes
