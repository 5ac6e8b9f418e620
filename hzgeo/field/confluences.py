"""Confluences (主要交汇处): every tributary's mouth on the river its ``flows_into`` names."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from hzgeo.field._common import first_point, last_point, point_frame, work_crs
from hzgeo.field._common import unit_names as names_of
from hzgeo.hierarchy import Hierarchy
from hzgeo.labels import extent_name
from hzgeo.model import Boundaries, Chiefs, Segmentation, Waters

__all__ = ["CONFLUENCE_COLUMNS", "confluences"]

CONFLUENCE_COLUMNS = ["confluence_code", "river_code", "river_name", "main", "into_code",
                      "into_name", "into_main", "at_km", "into_km", "gap_m", "county_code",
                      "county_name", "township_code", "township_name", "village_code",
                      "village_name", "lon", "lat", "x", "y", "xy_crs", "note", "synthetic"]


def _chainage_at(reaches: gpd.GeoDataFrame, river: str, point) -> float | None:
    """Chainage (km) of ``point`` on ``river``, from its nearest reach (interpolated)."""
    rows = reaches[reaches["river_code"] == river]
    if "primary" in rows.columns:
        rows = rows[rows["primary"].astype(bool)]
    if not len(rows):
        return None
    dist = shapely.distance(rows.geometry.values, point)
    i = int(np.argmin(dist))
    geom = rows.geometry.iloc[i]
    frac = shapely.line_locate_point(shapely.line_merge(geom) if geom.geom_type ==
                                     "MultiLineString" else geom, point, normalized=True)
    f, t = float(rows["from_km"].iloc[i]), float(rows["to_km"].iloc[i])
    return round(f + (t - f) * float(frac), 3)


def confluences(result: Segmentation | Chiefs, waters: Waters, boundaries: Boundaries
                ) -> gpd.GeoDataFrame:
    """Every point where a river flows into another (主要交汇处).

    For each river whose ``flows_into`` names a river of ``waters``: its mouth is the end of
    its line nearer the receiving river (lines digitised against the flow are turned
    round, as segmentation does). The point is the tributary's mouth vertex itself;
    ``gap_m`` says how far it lies from the receiving river's line.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`CONFLUENCE_COLUMNS` (EPSG:4490 points): both rivers, the chainage
        of the mouth on the tributary (``at_km``, its end inside the city) and on the
        receiving river (``into_km``, interpolated on its reach), and the county, township
        and village the point lies in (empty outside the city; ``note`` then says 河口不在市域内,
        or 河口不在港北区内 for boundaries limited to 港北区). Main receiving rivers first.
    """
    crs = work_crs(result)
    rivers = waters.rivers.to_crs(crs)
    by_code = dict(zip(rivers["river_code"], rivers.geometry.values, strict=True))
    names = dict(zip(rivers["river_code"], rivers["name"], strict=True))
    main = dict(zip(rivers["river_code"], rivers["main"].astype(bool), strict=True))
    synthetic = dict(zip(rivers["river_code"], rivers["synthetic"].astype(bool), strict=True))
    finest = next((lvl for lvl in ("village", "township") if len(result.reaches[lvl])),
                  "county")  # a city without villages: its township (or county) reaches
    village_reaches = result.reaches[finest].to_crs(crs)  # (every level: one chainage)
    villages = boundaries["village"].to_crs(crs) if "village" in boundaries else None
    unit_names = names_of(boundaries)
    units = Hierarchy.from_boundaries(boundaries)
    # a run limited to one county: a mouth outside it is not in the county (not the city)
    extent = extent_name(str(boundaries["county"]["name"].iloc[0])
                         if boundaries.around is not None else None)
    rows, points = [], []
    for code, geom, into in zip(rivers["river_code"], rivers.geometry.values,
                                rivers["flows_into"].fillna(""), strict=True):
        if not into or into not in by_code:
            continue
        parts = shapely.get_parts(geom)
        start, end = first_point(parts[0]), last_point(parts[-1])
        target = by_code[into]
        mouth = start if shapely.distance(start, target) < shapely.distance(end, target) else end
        village = ""
        note = ""
        if villages is not None:
            hit = villages[villages.geometry.intersects(mouth)]
            if len(hit):
                village = sorted(hit["code"])[0]
                if len(hit) > 1:
                    note = "河口位于村界上：" + "、".join(unit_names.get(c, c)
                                                      for c in sorted(hit["code"]))
            else:
                note = f"河口不在{extent}内"
        county, township = units.county_of(village), units.township_of(village)
        tributary = village_reaches[village_reaches["river_code"] == code]
        at_km = round(float(tributary["to_km"].max()), 3) if len(tributary) else None
        rows.append({"river_code": code, "river_name": names[code], "main": main[code],
                     "into_code": into, "into_name": names[into], "into_main": main[into],
                     "at_km": at_km, "into_km": _chainage_at(village_reaches, into, mouth),
                     "gap_m": round(float(shapely.distance(mouth, target)), 1),
                     "county_code": county, "county_name": unit_names.get(county, ""),
                     "township_code": township, "township_name": unit_names.get(township, ""),
                     "village_code": village, "village_name": unit_names.get(village, ""),
                     "note": note, "synthetic": synthetic[code] or synthetic[into]})
        points.append(mouth)
    order = sorted(range(len(rows)), key=lambda i: (not rows[i]["into_main"],
                                                    rows[i]["into_code"],
                                                    rows[i]["into_km"] or 0.0,
                                                    rows[i]["river_code"]))
    rows = [rows[i] for i in order]
    points = [points[i] for i in order]
    for row in rows:
        row["confluence_code"] = f"J-{row['river_code']}-{row['into_code']}"
    return point_frame(rows, CONFLUENCE_COLUMNS, points, crs)
