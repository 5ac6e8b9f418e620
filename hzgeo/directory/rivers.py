"""The river list (河湖名录), 起止 as offices write them, and which bank a 界河 row holds.

- :func:`river_list`: one row per river, lake and reservoir in the area: code, name,
  what it flows into, its length (km, geodesic, counted once) or area (km²) in the area,
  the counties it crosses and its highest-level chief;
- :func:`reach_spans`: 起止 of every reach row: a county row names the township and
  village at each end (起于甲镇一村（市界入境），止于乙镇三村（…）), a township row the
  village, a village row the point words;
- :func:`bank_side`: 左岸 or 右岸 (looking downstream) of a unit along a river line.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo.directory._common import KIND_NAME, chief, text
from hzgeo.labels import LEVEL_NAMES, VACANT
from hzgeo.settings import REACH_LEVELS

__all__ = ["bank_key", "bank_rows", "bank_side", "reach_banks", "reach_spans", "river_list"]

#: Width (metres) of the strip beside a river in which :func:`bank_side` looks for the unit.
BANK_STRIP_M = 100.0
LEFT, RIGHT = "左岸", "右岸"


# --------------------------------------------------------------------------- banks


def bank_side(lines, polygons, others=None, *, strip: float = BANK_STRIP_M) -> np.ndarray:
    """Which bank of each line its polygon holds: 左岸, 右岸 or "" (neither side).

    Looking downstream (the line's direction), the left bank is on the left hand. The
    polygon is on the side where it covers more of a strip ``strip`` wide along the line
    (less of it, where the polygon across, ``others``, covers more); a river digitised a
    little off the border (within the boundary tolerance) still gets the bank of the side
    the unit lies on. Where both sides tie, strips 5 and 25 times as wide decide.

    Parameters
    ----------
    lines, polygons : array of shapely geometries
        Pairwise, in one projected CRS (metres); lines from upstream to downstream.
    others : array of shapely geometries, optional
        The unit across the river of each line (None where unknown).
    strip : float
        Width of the strip on each side, metres.

    Examples
    --------
    >>> import shapely
    >>> east = shapely.LineString([(0, 0), (1000, 0)])          # flows east
    >>> north, south = shapely.box(0, 0, 1000, 800), shapely.box(0, -800, 1000, 0)
    >>> bank_side([east, east.reverse()], [north, north]).tolist()
    ['左岸', '右岸']
    >>> bank_side([east], [south], [north]).tolist()
    ['右岸']
    """
    lines = np.asarray(lines, dtype=object)
    polygons = np.asarray(polygons, dtype=object)
    others = np.full(len(lines), None, dtype=object) if others is None else np.asarray(
        others, dtype=object)
    out = np.full(len(lines), "", dtype=object)
    todo = np.arange(len(lines))
    for width in (strip, 5 * strip, 25 * strip):
        if not len(todo):
            break
        left = shapely.buffer(lines[todo], width, single_sided=True)
        right = shapely.buffer(lines[todo], -width, single_sided=True)
        score = (shapely.area(shapely.intersection(left, polygons[todo]))
                 - shapely.area(shapely.intersection(right, polygons[todo])))
        across = others[todo]
        known = np.array([g is not None for g in across], dtype=bool)
        if known.any():
            score[known] -= (
                shapely.area(shapely.intersection(left[known], across[known]))
                - shapely.area(shapely.intersection(right[known], across[known])))
        decided = np.abs(score) > 1e-6 * width * width
        out[todo[decided & (score > 0)]] = LEFT
        out[todo[decided & (score < 0)]] = RIGHT
        todo = todo[~decided]
    return out


def bank_key(row, *, across: bool = False) -> tuple:
    """The key of a 界河 row: (river, unit, unit across, from_km to 1e-6 km); with
    ``across``, the key of the row of the other bank (the two units swapped).

    Examples
    --------
    >>> row = {"river_code": "R1", "admin_code": "A", "shared_with": "B", "from_km": 1.0}
    >>> bank_key(row), bank_key(row, across=True)
    (('R1', 'A', 'B', 1.0), ('R1', 'B', 'A', 1.0))
    """
    own, other = str(row["admin_code"]), str(row.get("shared_with") or "")
    return (row["river_code"], *((other, own) if across else (own, other)),
            round(float(row["from_km"]), 6))


def bank_rows(frames) -> dict[tuple, dict]:
    """The 界河 rows of ``frames`` (reach tables; None or empty ones skipped) as dicts, by
    :func:`bank_key`: ``bank_rows(…).get(bank_key(row, across=True))`` is the row of the
    other bank."""
    return {bank_key(r): r for f in frames if f is not None and len(f) and "boundary" in f
            for r in f[f["boundary"].fillna(False).astype(bool)].drop(
                columns="geometry", errors="ignore").to_dict("records")}


def reach_banks(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame | None) -> np.ndarray:
    """左岸 / 右岸 of every 界河 row of ``frame`` (its ``admin_code``'s unit, across from
    ``shared_with``), "" elsewhere.

    ``units`` are the polygons of the frame's level (``code``, geometry); without them,
    or without geometry, every row gets "".
    """
    out = np.full(len(frame), "", dtype=object)
    if units is None or not isinstance(frame, gpd.GeoDataFrame) or not len(frame):
        return out
    shared = np.flatnonzero(frame["boundary"].fillna(False).astype(bool).to_numpy())
    if not len(shared):
        return out
    from hzgeo.io import work_crs_for

    crs = work_crs_for(units)
    polygons = units.to_crs(crs).set_index(units["code"].astype(str)).geometry
    polygons = polygons[~polygons.index.duplicated()]
    rows = frame.iloc[shared]
    codes = text(rows["admin_code"]).to_numpy()
    found = np.isin(codes, polygons.index)
    across = text(rows["shared_with"]).to_numpy() if "shared_with" in rows else np.full(
        len(rows), "", dtype=object)
    others = [polygons.get(c) for c in across[found]]
    lines = rows.geometry.to_crs(crs).to_numpy()[found]
    out[shared[found]] = bank_side(lines, polygons.loc[codes[found]].to_numpy(), others)
    return out


# --------------------------------------------------------------------------- 起止


def _flat(words: str) -> str:
    """Point words inside parentheses: 市界（入境） -> 市界入境."""
    return words.replace("（", "").replace("）", "")


def _ends(children: pd.DataFrame, label: pd.Series) -> tuple[dict, dict]:
    """Parent reach code -> the labels of its children at its upstream and downstream end
    (two where a 界河 within the parent puts both banks there), joined by 、."""
    if not len(children):
        return {}, {}
    frame = pd.DataFrame({"parent": text(children["parent_reach_code"]).to_numpy(),
                          "from": children["from_km"].to_numpy(float),
                          "to": children["to_km"].to_numpy(float),
                          "label": label.to_numpy(dtype=object)})
    first, last = {}, {}
    for parent, group in frame.groupby("parent", sort=False):
        lo = group[group["from"] <= group["from"].min() + 1e-9].sort_values("label")
        hi = group[group["to"] >= group["to"].max() - 1e-9].sort_values("label")
        first[parent] = "、".join(dict.fromkeys(lo["label"]))
        last[parent] = "、".join(dict.fromkeys(hi["label"]))
    return first, last


def _span(start_where: str, start: str, end_where: str, end: str) -> str:
    def one(verb, where, words):
        if where and words:
            return f"{verb}{where}（{_flat(words)}）"
        return f"{verb}{where or words}"
    return f"{one('起于', start_where, start)}，{one('止于', end_where, end)}"


def reach_spans(reaches: Mapping[str, pd.DataFrame]) -> dict[str, np.ndarray]:
    """起止 of every row of every reach level, as a chief office writes it.

    A county row names the township and village at each end, a township row the
    village (through ``parent_reach_code``: the villages of the reach at its first and
    last chainage); the point words (市界（入境）, X村与Y村交界处) follow in parentheses.
    A village row reads 起于<起点>，止于<终点>.

    Examples
    --------
    >>> _span("甲镇一村", "市界（入境）", "乙镇三村", "二村与三村交界处")
    '起于甲镇一村（市界入境），止于乙镇三村（二村与三村交界处）'
    """
    village = reaches.get("village", pd.DataFrame())
    township = reaches.get("township", pd.DataFrame())
    out: dict[str, np.ndarray] = {}
    if len(village):
        town_name = dict(zip(text(township["reach_code"]), text(township["admin_name"]),
                             strict=True)) if len(township) else {}
        town_parent = dict(zip(text(township["reach_code"]),
                               text(township["parent_reach_code"]), strict=True)) if len(
            township) else {}
        vparent = text(village["parent_reach_code"])
        names = text(village["admin_name"])
        by_town = _ends(village, names)
        # .get, not .map(dict).fillna(""): an empty dict maps to float NaN ("" can't fill)
        with_town = vparent.map(lambda c: town_name.get(c, "")) + names
        by_county = _ends(village.assign(parent_reach_code=vparent.map(
            lambda c: town_parent.get(c, "")).to_numpy()), with_town)
    else:
        by_town = by_county = ({}, {})
    for level in REACH_LEVELS:
        frame = reaches.get(level)
        if frame is None or not len(frame):
            out[level] = np.zeros(0, dtype=object)
            continue
        codes = text(frame["reach_code"]).tolist()
        first, last = {"county": by_county, "township": by_town}.get(level, ({}, {}))
        out[level] = np.array([
            _span(first.get(c, ""), s, last.get(c, ""), e) for c, s, e in zip(
                codes, text(frame["start_desc"]), text(frame["end_desc"]), strict=True)],
            dtype=object)
    return out


# --------------------------------------------------------------------------- 河湖名录


def _top_chief(frames: Mapping[str, pd.DataFrame], code_column: str, code: str,
               city: pd.DataFrame) -> tuple[str, str]:
    """(level name, chief and post) of the highest level that gives ``code`` a chief."""
    if len(city):
        rows = city[text(city["river_code"]) == code]
        if len(rows):
            held = [f"{n}（{p}）" if p else n for n, p in zip(
                chief(rows), text(rows["post"]), strict=True)]
            return LEVEL_NAMES["city"], "、".join(dict.fromkeys(held))
    for level in REACH_LEVELS:
        frame = frames.get(level)
        if frame is None or not len(frame):
            continue
        rows = frame[text(frame[code_column]) == code]
        required = rows["chief_required"].fillna(False).astype(bool) if (
            "chief_required" in rows) else pd.Series(True, index=rows.index)
        names = chief(rows).to_numpy(dtype=object)
        keep = required.to_numpy() | (names != "")
        if not keep.any():
            continue
        rows, names = rows[keep], names[keep]
        units = text(rows["admin_name"]).to_numpy(dtype=object)
        posts = text(rows["chief_post"]).to_numpy(dtype=object)
        by_unit: dict[str, list[str]] = {}
        for unit, name, post in zip(units, names, posts, strict=True):
            by_unit.setdefault(unit, []).append(f"{name}（{post}）" if post and name != VACANT
                                                else name)
        if len(by_unit) == 1:
            return LEVEL_NAMES[level], "、".join(dict.fromkeys(next(iter(by_unit.values()))))
        return LEVEL_NAMES[level], "；".join(f"{u}：{'、'.join(dict.fromkeys(h))}"
                                             for u, h in by_unit.items())
    return "", ""


def river_list(chiefs, waters=None) -> pd.DataFrame:
    """河湖名录: one row per river, lake and reservoir with reaches or zones in the area.

    Parameters
    ----------
    chiefs : hzgeo.Chiefs
        The assignment.
    waters : hzgeo.Waters, optional
        The waters read: what each river flows into (``flows_into``) and whether it is
        synthetic; without them 汇入 is empty and 示意数据 follows the reaches.

    Returns
    -------
    pandas.DataFrame
        English columns (``joint_water_code``, ``joint_water_name``, ``kind``,
        ``main_river``, ``flows_into``, ``length_km``, ``area_km2``, ``counties``,
        ``top_level``, ``top_chief``, ``synthetic``) and ``_counties`` (county codes, for
        the summary). Rivers first, by code, then lakes and reservoirs.
    """
    reaches, zones = chiefs.reaches, chiefs.zones
    city = chiefs.city_chiefs if chiefs.city_chiefs is not None else pd.DataFrame()
    main = dict(zip(text(city["river_code"]), text(city["main_river"]), strict=True)) if len(
        city) else {}
    rivers = waters.rivers if waters is not None else None
    names = into = synthetic = {}
    if rivers is not None and len(rivers):
        codes = text(rivers["river_code"])
        names = dict(zip(codes, text(rivers["name"]), strict=True))
        into = dict(zip(codes, text(rivers["flows_into"]) if "flows_into" in rivers
                        else [""] * len(rivers), strict=True))
        synthetic = dict(zip(codes, rivers["synthetic"].fillna(False).astype(bool),
                             strict=True)) if "synthetic" in rivers else {}
    rows = []
    county = next((reaches[lvl] for lvl in REACH_LEVELS if len(reaches.get(lvl, ()))), None)
    if county is not None:
        frame = county.assign(_code=text(county["river_code"]).to_numpy(),
                              _unit=text(county["admin_code"]).to_numpy())
        for code, group in frame.groupby("_code", sort=True):
            group = group.sort_values(["from_km", "_unit"])
            once = group[group["primary"].fillna(True).astype(bool)] if (
                "primary" in group) else group
            counties = dict.fromkeys(zip(group["_unit"], text(group["admin_name"]),
                                         strict=True))
            level, top = _top_chief(reaches, "river_code", code, city)
            target = into.get(code, "")
            rows.append({
                "joint_water_code": code, "joint_water_name": text(group["river_name"]).iloc[0],
                "kind": KIND_NAME["river"], "main_river": main.get(code, ""),
                "flows_into": names.get(target, target), "length_km":
                float(once["length_m"].sum()) / 1000.0, "area_km2": np.nan,
                "counties": "、".join(n for _, n in counties), "top_level": level,
                "top_chief": top, "synthetic": bool(synthetic.get(
                    code, group["synthetic"].fillna(False).astype(bool).any())),
                "_counties": [c for c, _ in counties]})
    lakes = waters.lakes if waters is not None else None
    lake_into = {}
    if lakes is not None and len(lakes) and "flows_into" in lakes:
        lake_into = dict(zip(text(lakes["code"]), text(lakes["flows_into"]), strict=True))
    zone = next((zones[lvl] for lvl in REACH_LEVELS if len(zones.get(lvl, ()))), None)
    if zone is not None:
        frame = zone.assign(_code=text(zone["water_code"]).to_numpy(),
                            _unit=text(zone["admin_code"]).to_numpy())
        for code, group in frame.groupby("_code", sort=True):
            group = group.sort_values("_unit")
            counties = dict.fromkeys(zip(group["_unit"], text(group["admin_name"]),
                                         strict=True))
            level, top = _top_chief(zones, "water_code", code, city)
            kind = text(group["kind"]).iloc[0]
            target = lake_into.get(code, "")
            rows.append({
                "joint_water_code": code, "joint_water_name": text(group["water_name"]).iloc[0],
                "kind": KIND_NAME.get(kind, kind), "main_river": "",
                "flows_into": names.get(target, target), "length_km": np.nan,
                "area_km2": float(group["area_m2"].sum()) / 1e6,
                "counties": "、".join(n for _, n in counties), "top_level": level,
                "top_chief": top,
                "synthetic": bool(group["synthetic"].fillna(False).astype(bool).any()),
                "_counties": [c for c, _ in counties]})
    columns = ["joint_water_code", "joint_water_name", "kind", "main_river", "flows_into",
               "length_km", "area_km2", "counties", "top_level", "top_chief", "synthetic",
               "_counties"]
    return pd.DataFrame(rows, columns=columns)
