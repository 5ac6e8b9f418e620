"""Joint meetings (河长联席会议) of the waters that cross a county border."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from hzgeo.chiefs.rules import Rules
from hzgeo.io import Waters

__all__ = ["joint_meetings"]


def _fmt_members(members: pd.DataFrame, names: dict, unit: str, scale: float) -> str:
    return "；".join(f"{names.get(c, c)} {v / scale:.2f} {unit}"
                    for c, v in zip(members["admin_code"], members["size"], strict=True))


def joint_meetings(reaches: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, waters: Waters,
                    rules: Rules, names: dict) -> pd.DataFrame:
    jm = rules["joint_meetings"]
    tol = float(jm.get("tie_tolerance_m", 1.0))
    rows = []
    main = dict(zip(waters.rivers["river_code"], waters.rivers["main"], strict=True))
    for river, group in reaches.groupby("river_code", sort=True):
        if main.get(river, False):  # led by the city
            continue
        # every row counts: a 界河 stretch is a row per bank, so it counts for both
        members = (group.groupby("admin_code", sort=True)
                   .agg(size=("length_m", "sum"), start=("from_km", "min"))
                   .reset_index())
        if len(members) < 2:
            continue
        chief = dict(zip(group["admin_code"], group["chief_name"], strict=False))
        longest = members["size"].max()
        tied = members[members["size"] >= longest - tol]
        if len(tied) == 1:
            convenor, rule, note = tied["admin_code"].iloc[0], "longest_reach", ""
        else:
            pick = tied.sort_values(["start", "admin_code"]).iloc[0]
            convenor, rule = pick["admin_code"], "tie"
            note = ("、".join(names.get(c, c) for c in tied["admin_code"])
                    + f" have reaches within {tol:g} m of the longest "
                    f"({longest / 1000:.2f} km); the upstream county (first reach from "
                    f"km {pick['start']:.2f}) convenes, then the lower code")
        rows.append({"water_code": river, "water_name": group["river_name"].iloc[0],
                     "kind": "river", "members": _fmt_members(members, names, "km", 1000.0),
                     "member_codes": ",".join(members["admin_code"]),
                     "convenor_code": convenor, "convenor_name": names.get(convenor, convenor),
                     "convenor_chief": chief.get(convenor), "rule": rule, "note": note})
    lakes = waters.lakes.set_index("code") if len(waters.lakes) else None
    commander_kinds = set(jm.get("commander_kinds", []))
    for water, group in zones.groupby("water_code", sort=True):
        members = (group.groupby("admin_code", sort=True).agg(size=("area_m2", "sum"))
                   .reset_index())
        if len(members) < 2:
            continue
        chief = dict(zip(group["admin_code"], group["chief_name"], strict=False))
        kind = str(group["kind"].iloc[0])
        commander = ""
        if lakes is not None and water in lakes.index and "commander_county" in lakes.columns:
            commander = str(lakes.at[water, "commander_county"] or "")
        largest = members["size"].max()
        top = members[members["size"] == largest].sort_values("admin_code")
        note = ""
        if kind in commander_kinds and commander in set(members["admin_code"]):
            convenor, rule = commander, "commander"
            note = f"防汛抗旱指挥长 in {names.get(commander, commander)}"
        else:
            convenor = top["admin_code"].iloc[0]
            rule = "largest_area" if len(top) == 1 else "tie"
            if kind in commander_kinds:
                note = ("no commander_county in the data" if not commander else
                        f"commander_county {commander} is not a member county")
                note += "; the county with the largest zone area convenes"
            if len(top) > 1:
                note += ("; " if note else "") + "equal largest areas: the lower code convenes"
        rows.append({"water_code": water, "water_name": group["water_name"].iloc[0],
                     "kind": kind, "members": _fmt_members(members, names, "km²", 1e6),
                     "member_codes": ",".join(members["admin_code"]),
                     "convenor_code": convenor, "convenor_name": names.get(convenor, convenor),
                     "convenor_chief": chief.get(convenor), "rule": rule, "note": note})
    columns = ["water_code", "water_name", "kind", "members", "member_codes", "convenor_code",
               "convenor_name", "convenor_chief", "rule", "note"]
    return pd.DataFrame(rows, columns=columns)
