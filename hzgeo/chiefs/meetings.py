"""Joint meetings (河长联席会议) of the waters that cross a county border."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from hzgeo.chiefs.rules import Rules
from hzgeo.io import Waters

__all__ = ["joint_meetings"]


def _fmt_members(members: dict[str, float], names: dict, unit: str, scale: float) -> str:
    return "；".join(f"{names.get(c, c)} {v / scale:.2f} {unit}" for c, v in members.items())


def _by_water(frame: pd.DataFrame, water: str, size: str, start: str | None) -> dict:
    """water -> {"members": {county: summed size} by code, "start": {county: min start},
    "chief": {county: chief}, "name": water name, "kind": kind}, in one pass."""
    out: dict[str, dict] = {}
    starts = frame[start].tolist() if start else [0.0] * len(frame)
    kinds = frame["kind"].tolist() if "kind" in frame.columns else ["river"] * len(frame)
    name_col = "river_name" if "river_name" in frame.columns else "water_name"
    for w, name, kind, code, value, first, chief in zip(
            frame[water].tolist(), frame[name_col].tolist(), kinds, frame["admin_code"].tolist(),
            frame[size].tolist(), starts, frame["chief_name"].tolist(), strict=True):
        entry = out.setdefault(w, {"members": {}, "start": {}, "chief": {}, "name": name,
                                   "kind": str(kind)})
        entry["members"][code] = entry["members"].get(code, 0.0) + float(value)
        entry["start"][code] = min(entry["start"].get(code, float("inf")), float(first))
        entry["chief"].setdefault(code, chief)
    for entry in out.values():
        entry["members"] = dict(sorted(entry["members"].items()))
    return dict(sorted(out.items()))


def joint_meetings(reaches: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, waters: Waters,
                   rules: Rules, names: dict) -> pd.DataFrame:
    """One row per water with county reaches or zones in more than one county, not led by
    the city (the main rivers); convenor by the rules' ``joint_meetings`` table."""
    jm = rules["joint_meetings"]
    tol = float(jm.get("tie_tolerance_m", 1.0))
    rows = []

    def row(code, entry, unit, scale, convenor, rule, note):
        members = entry["members"]
        return {"water_code": code, "water_name": entry["name"], "kind": entry["kind"],
                "members": _fmt_members(members, names, unit, scale),
                "member_codes": ",".join(members), "convenor_code": convenor,
                "convenor_name": names.get(convenor, convenor),
                "convenor_chief": entry["chief"].get(convenor), "rule": rule, "note": note}

    main = dict(zip(waters.rivers["river_code"], waters.rivers["main"], strict=True))
    # every row counts: a 界河 stretch is a row per bank, so it counts for both
    for river, entry in _by_water(reaches, "river_code", "length_m", "from_km").items():
        members = entry["members"]
        if main.get(river, False) or len(members) < 2:  # led by the city, or in one county
            continue
        longest = max(members.values())
        tied = [c for c, v in members.items() if v >= longest - tol]
        if len(tied) == 1:
            rows.append(row(river, entry, "公里", 1000.0, tied[0], "longest_reach", ""))
            continue
        convenor = min(tied, key=lambda c: (entry["start"][c], c))
        note = ("、".join(names.get(c, c) for c in tied)
                + f"的河段长度与最长者（{longest / 1000:.2f} 公里）相差不超过 {tol:g} 米："
                f"由上游县召集（其首个河段起于 {entry['start'][convenor]:.2f} 公里处），"
                "再按代码较小者")
        rows.append(row(river, entry, "公里", 1000.0, convenor, "tie", note))

    commanders = {}
    if len(waters.lakes) and "commander_county" in waters.lakes.columns:
        commanders = dict(zip(waters.lakes["code"], waters.lakes["commander_county"].fillna(""),
                              strict=True))
    commander_kinds = set(jm.get("commander_kinds", []))
    for water, entry in _by_water(zones, "water_code", "area_m2", None).items():
        members = entry["members"]
        if len(members) < 2:
            continue
        commander = str(commanders.get(water, "") or "")
        commander = next((c for c in members if names.get(c) == commander), commander)  # a name
        if entry["kind"] in commander_kinds and commander in members:
            rows.append(row(water, entry, "平方公里", 1e6, commander, "commander",
                            f"防汛抗旱指挥长在{names.get(commander, commander)}"))
            continue
        largest = max(members.values())
        top = [c for c, v in members.items() if v == largest]  # by code
        note = ""
        if entry["kind"] in commander_kinds:
            note = ("数据未给出防汛抗旱指挥长所在县（commander_county）" if not commander else
                    f"防汛抗旱指挥长所在县 {commander} 不是成员县")
            note += "；由分片面积最大的县召集"
        if len(top) > 1:
            note += ("；" if note else "") + "分片面积并列最大：由代码较小者召集"
        rows.append(row(water, entry, "平方公里", 1e6, top[0],
                        "largest_area" if len(top) == 1 else "tie", note))
    columns = ["water_code", "water_name", "kind", "members", "member_codes", "convenor_code",
               "convenor_name", "convenor_chief", "rule", "note"]
    return pd.DataFrame(rows, columns=columns)
