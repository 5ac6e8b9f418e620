"""The levels of the boundaries: parents by code, levels derived by dissolving, the
levels a city has, and a layer given for the wrong level."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
import shapely

from hzgeo._checks import Problems


def _parent_of(code: str, level: str) -> str:
    if level == "village":
        return code[:9]
    if level == "township":
        return code[:6]
    if level == "county":
        return code[:4] + "00"
    return ""


_REACH_LEVELS = ("county", "township", "village")
#: Digits of a statistical code, by level (GB/T 2260 + 统计用区划代码).
_CODE_DIGITS = {"county": 6, "township": 9, "village": 12}
#: Name endings of units of a level (to recognise a layer given for the wrong level).
_SUFFIXES = {"county": ("区", "县", "市", "旗"), "township": ("镇", "乡", "街道", "街道办事处")}


def _source_label(source) -> str:
    if isinstance(source, Mapping):
        return ", ".join(f"{level}={path}" for level, path in source.items())
    return str(source)


def _given(frames: Mapping) -> list[str]:
    return [lvl for lvl in _REACH_LEVELS if lvl in frames]


def _finest(frames: Mapping) -> str:
    return _given(frames)[-1]


def _check_level_identity(frames: dict[str, gpd.GeoDataFrame], origin: dict[str, str],
                          problems: Problems) -> None:
    """A layer given for the wrong level (townships as villages ...): its codes have the
    digits of another level, repeat another layer's codes, or its names all end as another
    level's do. Such a level would be segmented and named as what it is not."""
    code_sets = {level: set(frame["code"].astype(str).tolist())
                 for level, frame in frames.items() if level != "city"}
    for level, frame in frames.items():
        if level == "city":
            continue
        codes = frame["code"].astype(str)
        listed = codes.tolist()  # (iterating the pandas column costs a call per element)
        digits = {len(c) for c in listed if c.isascii() and c.isdigit()}
        other = None
        if len(digits) == 1 and all(c.isdigit() for c in listed):
            length = digits.pop()
            other = next((lvl for lvl, n in _CODE_DIGITS.items()
                          if n == length and lvl != level), None)
            why = f"codes of {length} digits (e.g. {codes.iloc[0]}), as {other} codes have"
        for same in frames:
            if other is None and same not in (level, "city") and \
                    code_sets[level] == code_sets[same]:
                other, why = same, f"the same codes as the {same} layer ({origin[same]})"
        names = frame["name"].astype(str).tolist()
        for lvl, endings in _SUFFIXES.items():
            if other is None and lvl != level and len(names) and \
                    sum(n.endswith(endings) for n in names) >= 0.9 * len(names) and not (
                    level == "township" and any(n.endswith(_SUFFIXES["township"])
                                                for n in names)):
                other, why = lvl, f"{lvl} names (e.g. {names[0]})"
        if other is not None:
            problems.add(origin[level], f"given as the {level} level, but it holds {why}: it "
                                        f"looks like the {other} layer",
                         hint=f"give it as the {other} level (`boundaries={{{other!r}: 'FILE'}}`, "
                              f"or `layers={{{other!r}: 'LAYER'}}`), and the {level} layer if "
                              "the city has one")


def _carries_names(frames: dict[str, gpd.GeoDataFrame], level: str) -> bool:
    """Whether the level below ``level`` carries its names (``township_name`` ...)."""
    child = frames["township"] if level == "county" and "township" in frames \
        else frames["village"]
    column = f"{level}_name"
    return column in child.columns and bool((child[column].fillna("").astype(str) != "").any())


def _first(frame: pd.DataFrame, column: str) -> str:
    return str(frame[column].iloc[0]) if column in frame.columns and len(frame) else ""


def _dissolve_up(child: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """The level above ``child``, as the union of the children sharing a ``parent_code``."""
    groups = child.groupby("parent_code", sort=True)
    codes, geoms, synthetic = [], [], []
    for code, grp in groups:
        codes.append(code)
        parts = grp.geometry.values
        invalid = ~shapely.is_valid(parts)
        if invalid.any():  # a bow tie: the parent as `hzgeo check --fix` would see it
            parts = parts.copy()
            parts[invalid] = shapely.make_valid(parts[invalid], method="structure",
                                                keep_collapsed=False)
        geoms.append(shapely.coverage_union_all(parts)
                     if not invalid.any() and shapely.coverage_is_valid(parts)
                     else shapely.union_all(parts))
        synthetic.append(bool(grp["synthetic"].any()) if "synthetic" in grp else False)
    # the unit's name where the children carry it (e.g. a 乡镇名称 column), else its code
    names = _carried(groups, f"{level}_name", codes)
    frame = gpd.GeoDataFrame({"code": codes, "name": names,
                              "parent_code": [_parent_of(c, level) for c in codes],
                              "synthetic": synthetic,
                              "geometry_source": "dissolved from the level below",
                              "source": _first(child, "source"),
                              "licence": _first(child, "licence")},
                             geometry=geoms, crs=child.crs)
    if level == "city":
        frame["parent_code"] = ""
    if "county_name" in child.columns:  # passed up for the next level's name
        frame["county_name"] = _carried(groups, "county_name", [""] * len(codes))
    return frame


def _carried(groups, column: str, default: list) -> list:
    """Per group, the first non-empty value of ``column``; ``default`` where there is none."""
    if column not in groups.obj.columns:
        return list(default)
    values = groups[column].agg(lambda v: next((x for x in v if isinstance(x, str) and x), ""))
    return [value or fallback for value, fallback in zip(values.tolist(), default, strict=True)]
