"""Zones (片) of lakes and reservoirs: one per (water body, unit) at every level."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo._names import short_names
from hzgeo._units import UnitTable
from hzgeo.geodesy import geodesic_area
from hzgeo.model import ZONE_COLUMNS
from hzgeo.settings import REACH_LEVELS, STORE_CRS

__all__ = ["ZONE_COLUMNS", "zone_lakes"]



def zone_lakes(lakes: gpd.GeoDataFrame, units: UnitTable, villages: gpd.GeoDataFrame,
               work_crs) -> dict[str, gpd.GeoDataFrame]:
    """Cut every lake by the villages once; townships and counties are unions of those.

    ``area_m2`` is ellipsoidal, so the zones of a lake add up to its area in the city.
    """
    empty = {level: gpd.GeoDataFrame({c: [] for c in ZONE_COLUMNS[:-1]},
                                     geometry=gpd.GeoSeries([], crs=STORE_CRS), crs=STORE_CRS)
             for level in REACH_LEVELS}
    if lakes is None or len(lakes) == 0:
        return empty
    lakes = lakes.to_crs(work_crs).reset_index(drop=True)
    li, vi = villages.sindex.query(lakes.geometry.values, predicate="intersects")
    pieces = shapely.intersection(lakes.geometry.values[li], villages.geometry.values[vi])
    geoms, idx = shapely.get_parts(pieces, return_index=True)
    geoms, idx2 = shapely.get_parts(geoms, return_index=True)  # collections of multipolygons
    idx = idx[idx2]
    polygon = shapely.get_type_id(geoms) == 3
    geoms, idx = geoms[polygon], idx[polygon]
    base = pd.DataFrame({"lake": li[idx], "village": vi[idx]})
    base["geometry"] = geoms
    base = base[shapely.area(geoms) > 0]
    out = {}
    short = short_names(units.name, units.parent, units.level_of)
    for level in ("village", "township", "county"):
        keys, codes = units.index(level)
        base["admin"] = codes[keys[base["village"].to_numpy()]]
        grouped = base.groupby(["lake", "admin"], sort=True)["geometry"].apply(
            lambda g: shapely.union_all(np.asarray(g.to_list(), dtype=object)))
        frame = grouped.reset_index()
        lake = lakes.iloc[frame["lake"].to_numpy()].reset_index(drop=True)
        parent_level = {"village": "township", "township": "county", "county": None}[level]
        frame = pd.DataFrame({
            "zone_code": [f"{w}-{a}" for w, a in zip(lake["code"], frame["admin"], strict=True)],
            "water_code": lake["code"], "water_name": lake["name"],
            "kind": lake.get("kind", "lake"), "scale": lake.get("scale", ""), "level": level,
            "admin_code": frame["admin"].to_numpy(),
            "admin_name": [short.get(a, a) for a in frame["admin"]],
            "admin_full_name": [units.name.get(a, a) for a in frame["admin"]],
            "parent_zone_code": [f"{w}-{units.ancestor(a, parent_level)}" if parent_level else ""
                                 for w, a in zip(lake["code"], frame["admin"], strict=True)],
            "synthetic": [bool(s) or units.synthetic.get(a, False) for s, a in
                          zip(lake.get("synthetic", False), frame["admin"], strict=True)],
            "geometry": frame["geometry"].to_numpy()})
        geo = gpd.GeoDataFrame(frame, geometry="geometry", crs=work_crs).to_crs(STORE_CRS)
        geo.insert(10, "area_m2", geodesic_area(geo.geometry.values))
        out[level] = geo[ZONE_COLUMNS]
    return out
