"""The chief duty: reaches, zones and main rivers without their chief, vacant total
chiefs, joint meetings without a convenor, people holding more reaches than a limit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from hzgeo.audit.table import make_row
from hzgeo.audit.water import WaterDuty
from hzgeo.settings import STORE_CRS

__all__ = ["chief_rows"]


def chief_rows(chiefs, names, duty: WaterDuty, overloaded_limit) -> list[dict]:
    """``no_chief``, ``vacant_total_chief``, ``no_convenor``, ``overloaded_chief``."""
    back = Transformer.from_crs(STORE_CRS, duty.work, always_xy=True)

    def local(geom):
        if geom is None or geom.is_empty:
            return None
        return shapely.transform(geom, lambda xy: np.column_stack(back.transform(*xy.T)))

    def unit_point(code):
        for frame in duty.units.values():
            hit = frame.index[frame["code"].astype(str) == str(code)]
            if len(hit):
                return shapely.point_on_surface(frame.geometry.values[hit[0]])
        return None

    rows = []
    for level, reaches in chiefs.reaches.items():
        empty = reaches[reaches["chief_required"].astype(bool) & reaches["vacant"].astype(bool)]
        for r in empty.itertuples():
            post = r.chief_post or "segment chief"
            rows.append(make_row("no_chief", level, [r.admin_code],
                                 [names.get(r.admin_code, r.admin_code)], local(r.geometry),
                                 measure=r.length_m, water=(r.river_code, r.river_name),
                                 detail=f"reach {r.reach_code}: nobody holds the post ({post})"))
    for level, zones in chiefs.zones.items():
        empty = zones[zones["chief_required"].astype(bool) & zones["vacant"].astype(bool)]
        for z in empty.itertuples():
            rows.append(make_row("no_chief", level, [z.admin_code],
                                 [names.get(z.admin_code, z.admin_code)], local(z.geometry),
                                 measure=z.area_m2, water=(z.water_code, z.water_name),
                                 detail=f"zone {z.zone_code}: nobody holds the post")
                        | {"unit": "m2"})
    city = chiefs.city_chiefs
    if len(city):
        for c in city[city["vacant"].astype(bool)].itertuples():
            i = np.flatnonzero(duty.river_code == str(c.river_code))
            rows.append(make_row("no_chief", "city", [], [],
                                 duty.river_inside[i[0]] if len(i) else None,
                                 measure=float(duty.inside_m[i].sum()),
                                 water=(c.river_code, c.river_name),
                                 detail=f"main river {c.main_river}: no city chief (市河长)"))
    totals = chiefs.total_chiefs
    for t in totals[totals["vacant"].astype(bool)].itertuples():
        rows.append(make_row("vacant_total_chief", t.level, [t.admin_code], [t.admin_name],
                             unit_point(t.admin_code), detail=f"{t.role} ({t.post}) is vacant"))
    meetings = chiefs.joint_meetings
    if len(meetings):
        none = meetings["convenor_code"].fillna("").astype(str).eq("") | \
            meetings["convenor_chief"].isna()
        for m in meetings[none].itertuples():
            codes = [c for c in str(m.member_codes).split(",") if c]
            i = np.flatnonzero(duty.river_code == str(m.water_code))
            where = duty.river_inside[i[0]] if len(i) else unit_point(codes[0]) if codes \
                else None
            rows.append(make_row("no_convenor", "county", codes, [names.get(c, c) for c in codes],
                                 where, water=(m.water_code, m.water_name),
                                 detail=f"joint meeting ({m.members}) has no convenor"
                                        + (f": {m.note}" if isinstance(m.note, str) and m.note
                                           else "")))
    if overloaded_limit is not None:
        held = []
        for reaches in chiefs.reaches.values():
            named = reaches[reaches["chief_name"].notna()]
            held.append(named[["chief_name", "admin_code", "geometry"]])
        if held:
            table = pd.concat(held, ignore_index=True)
            for person, group in table.groupby("chief_name"):
                if len(group) > overloaded_limit:
                    codes = sorted(set(group["admin_code"].astype(str)))
                    rows.append(make_row("overloaded_chief", "", codes,
                                         [names.get(c, c) for c in codes],
                                         local(shapely.union_all(group.geometry.values)),
                                         measure=float(len(group)),
                                         detail=f"{person} holds {len(group)} reaches "
                                                f"(limit {overloaded_limit})"))
    return rows

