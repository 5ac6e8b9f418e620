"""The directory's 汇总 (counts per county and level) and 河长责任清单 (rows per person)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hzgeo.directory._common import (
    LAKES_COUNTED,
    LEVEL_NAME,
    RIVERS_COUNTED,
    SHEETS,
    city_code,
    scope_name,
    text,
)
from hzgeo.hierarchy import Hierarchy
from hzgeo.labels import KIND_NAMES, VACANT
from hzgeo.settings import LEVELS, REACH_LEVELS

__all__ = ["person_sheet", "summary_sheet"]


def person_sheet(chiefs, reaches: dict, zones: pd.DataFrame, unit: dict[str, str],
                 city_code: str) -> pd.DataFrame:
    """One row per (chief, thing they answer for), grouped by person."""
    rows = []
    for level in REACH_LEVELS:
        frame = reaches[level]
        held = frame[frame["chief_name"] != VACANT]
        held = held[held["chief_name"] != ""]
        rows.append(pd.DataFrame({
            "chief_name": held["chief_name"], "chief_post": held["chief_post"],
            "admin_name": held["admin_name"], "admin_code": held["admin_code"],
            "chief_phone": held["chief_phone"], "level": LEVEL_NAME[level],
            "item_kind": "河段", "item_code": held["reach_code"],
            "item_name": held["reach_name"], "extent": held["length_km"]}))
    held = zones[(zones["chief_name"] != VACANT) & (zones["chief_name"] != "")]
    rows.append(pd.DataFrame({
        "chief_name": held["chief_name"], "chief_post": held["chief_post"],
        "admin_name": held["admin_name"], "admin_code": held["admin_code"],
        "chief_phone": held["chief_phone"], "level": held["level"],
        "item_kind": "湖库分片", "item_code": held["zone_code"],
        "item_name": text(held["water_name"]) + text(held["admin_name"]) + "片",
        "extent": held["area_km2"]}))  # (text: an empty sheet's columns are float)
    total = chiefs.total_chiefs
    total = total[text(total["chief_name"]) != ""]
    rows.append(pd.DataFrame({
        "chief_name": text(total["chief_name"]), "chief_post": text(total["post"]),
        "admin_name": text(total["admin_name"]), "admin_code": text(total["admin_code"]),
        "chief_phone": text(total["chief_phone"]),
        "level": text(total["level"]).map(LEVEL_NAME), "item_kind": text(total["role"]),
        "item_code": text(total["admin_code"]),
        "item_name": text(total["admin_name"]) + "全域", "extent": np.nan}))
    city = chiefs.city_chiefs
    city = city[text(city["chief_name"]) != ""]
    # each river by its name (黔江 and 浔江 are both 西江干流) and its length in the area,
    # a 界河 once (the primary bank's county rows)
    county = reaches["county"]
    primary = county[county["_primary"]] if "_primary" in county else county
    length = primary.groupby("river_code")["length_km"].sum()
    river, group = text(city["river_name"]), text(city["main_river"])
    rows.append(pd.DataFrame({
        "chief_name": text(city["chief_name"]), "chief_post": text(city["post"]),
        "admin_name": unit.get(city_code, ""), "admin_code": city_code,
        "chief_phone": text(city["chief_phone"]), "level": LEVEL_NAME["city"],
        "item_kind": LEVEL_NAME["city"] + "河长",
        "item_code": text(city["river_code"]),
        "item_name": river.where((group == "") | (group == river),
                                 river + "（" + group + "）"),
        "extent": text(city["river_code"]).map(length).to_numpy(float)}))
    out = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(
        len(r) for r in rows) else pd.DataFrame(columns=list(rows[0].columns))
    # one person's rows together: units top down, in a unit the total chiefs first
    level = out["level"].map({LEVEL_NAME[lv]: i for i, lv in enumerate(LEVELS)})
    kind = out["item_kind"].map({"总河长": 0, "副总河长": 1, LEVEL_NAME["city"] + "河长": 2,
                                 "河段": 3, "湖库分片": 4}).fillna(5)
    person = out["chief_name"] + "|" + out["chief_post"] + "|" + out["admin_code"]
    out = out.assign(_level=level, _kind=kind,
                     _rank=kind.groupby(person).transform("min"), _person=person)
    out = out.sort_values(["admin_code", "_level", "_rank", "_person", "_kind", "item_code"],
                          kind="stable").drop(columns=["_level", "_kind", "_rank", "_person"])
    return out.reset_index(drop=True)


def _people(frame: pd.DataFrame, post: str = "chief_post") -> set:
    held = frame[(frame["chief_name"] != VACANT) & (frame["chief_name"] != "")]
    return set(zip(held["chief_name"], held[post], held["admin_code"], strict=True))


def summary_sheet(tables: dict, rivers: pd.DataFrame, units: Hierarchy,
                  limited: tuple[str, str] | None = None) -> pd.DataFrame:
    """Counts per county and level, and for the whole city; each equals rows of the other
    sheets (a scope's 县级 + 乡级 + 村级 河段数 are the rows of the three reach sheets in
    it, and so on). The first row of a scope counts its rivers (条) and lakes and
    reservoirs (座): the rows of ``rivers`` (:func:`~hzgeo.directory.rivers.river_list`)
    that cross it.

    ``limited``: (code, name) of the county a county run is limited to
    (:func:`hzgeo.select.limited_to`); the first scope, which holds the
    run's figures, is then that county of the city (贵港市港北区, with its code), not the
    city."""
    reaches = {LEVEL_NAME[level]: tables[SHEETS[level]] for level in REACH_LEVELS}
    zones, total = tables[SHEETS["zones"]], tables[SHEETS["total"]]
    city_chiefs = tables[SHEETS["city"]]
    county = reaches[LEVEL_NAME["county"]]
    counties = sorted(set(county["admin_code"])
                      | set(total.loc[total["level"] == LEVEL_NAME["county"], "admin_code"]))
    names = dict(zip(total["admin_code"], total["admin_name"], strict=True))
    names.update(zip(county["admin_code"], county["admin_name"], strict=True))
    the_city = city_code(total)
    is_river = (rivers["kind"] == KIND_NAMES["river"]).to_numpy()

    def count(label, code, pick, city=False) -> list[dict]:
        rows: list[dict] = []
        for level in [LEVEL_NAME[lv] for lv in LEVELS]:
            out: dict[str, Any] = {"范围": label, "行政区划代码": code, "层级": level}
            if not rows:  # the scope's first row: its rivers and lakes
                crossed = rivers["_counties"].map(lambda c: city or code in c).to_numpy(bool)
                out |= {RIVERS_COUNTED: int((crossed & is_river).sum()),
                        LAKES_COUNTED: int((crossed & ~is_river).sum())}
            tot = pick(total[total["level"] == level])
            zone = pick(zones[zones["level"] == level])
            if level == LEVEL_NAME["city"]:
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

    city = names.get(the_city, "全市") if the_city else "全市"
    if limited is not None and city == "全市":
        city = ""
    rows = count(scope_name(city, limited), limited[0] if limited is not None else the_city,
                 lambda f: f, city=True)
    for code in counties:
        rows += count(names.get(code, code), code,
                      lambda f, c=code: f[f["admin_code"].map(units.county_of) == c])
    return pd.DataFrame(rows)
