"""The water duty: river length and lake area per level inside the city, uncovered by
any unit (or reach) of the level, or counted in two; and the coverage table.

Measured on the reaches segmentation would publish when there are some, else on the
geometry (see :mod:`hzgeo.audit`, "How water duty is measured").
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo.audit.table import make_row
from hzgeo.geodesy import geodesic_area, segment_lengths
from hzgeo.settings import REACH_LEVELS, STORE_CRS

__all__ = ["WaterDuty"]


def _fast_length(geoms: np.ndarray) -> np.ndarray:
    """Geodesic length (m) of each lon/lat geometry's lines, vectorised over all vertices
    (:func:`hzgeo.geodesy.segment_lengths`, within 1e-9 of pyproj's geodesic)."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    parts, inner = shapely.get_parts(parts, return_index=True)  # collections of multis
    owner = owner[inner]
    xy, part = shapely.get_coordinates(parts, return_index=True)
    if len(xy) < 2:
        return np.zeros(len(geoms))
    seg = segment_lengths(xy[:, 0], xy[:, 1])
    same = part[1:] == part[:-1]
    lines = shapely.get_type_id(parts) != 0  # a point has no length
    seg = np.where(same & lines[part[1:]], seg, 0.0)
    per_part = np.bincount(part[1:], weights=seg, minlength=len(parts))
    return np.bincount(owner, weights=per_part, minlength=len(geoms))


class _Lazy:
    """``lazy[i]``: ``make(i)``, computed when first asked for (where a defect is)."""

    def __init__(self, make):
        self.make, self.done = make, {}

    def __getitem__(self, i):
        if i not in self.done:
            self.done[i] = self.make(i)
        return self.done[i]


class WaterDuty:
    """River length and lake area per level: inside the city, uncovered, counted twice."""

    def __init__(self, boundaries, waters, work, names, result, chiefs):
        self.work, self.names, self.result, self.chiefs = work, names, result, chiefs
        self.levels = [lvl for lvl in REACH_LEVELS if lvl in boundaries]
        self.units = {lvl: boundaries[lvl].to_crs(work).reset_index(drop=True)
                      for lvl in self.levels}
        for lvl, frame in self.units.items():  # as make_valid repairs them
            from hzgeo.validate import polygonal

            bad = ~shapely.is_valid(frame.geometry.values)
            if bad.any():
                geoms = frame.geometry.values.copy()
                geoms[bad] = polygonal(geoms[bad])
                self.units[lvl] = frame.set_geometry(geoms)
        if "city" in boundaries:
            city = boundaries["city"].to_crs(work).geometry.values
            city = shapely.union_all(city[shapely.is_valid(city)]) if shapely.is_valid(
                city).any() else shapely.union_all(self._top().geometry.values)
        else:
            city = shapely.union_all(self._top().geometry.values)
        self.city = city
        shapely.prepare(city)
        #: What the outline encloses, in the details: the city, or the county of a run
        #: limited to one
        self.area = (f"county {boundaries['county']['name'].iloc[0]}"
                     if getattr(boundaries, "around", None) is not None else "city")
        self.city_units = boundaries["city"].to_crs(work).reset_index(drop=True) \
            if "city" in boundaries else None
        rivers = waters.rivers.reset_index(drop=True)
        self.rivers = rivers.to_crs(work)
        self.river_code = rivers["river_code"].astype(str).to_numpy()
        self.river_name = rivers["name"].astype(str).to_numpy()
        geoms = self.rivers.geometry.values
        # the city closed, as segmentation takes it: a river lying on its outline (a border
        # river of the city, or of the county a run is limited to) is inside. GEOS drops
        # most of a line lying exactly on a polygon's boundary from their intersection,
        # so the outline is grown by a millimetre (at most 2 mm more per crossing)
        self.river_inside = shapely.intersection(geoms, shapely.buffer(city, 1e-3))
        self.inside_m = self._length(self.river_inside)
        if result is not None and getattr(boundaries, "around", None) is not None:
            self._county_water(result)
        self.total_m = self._length(geoms)
        lakes = waters.lakes.reset_index(drop=True)
        self.lakes = lakes.to_crs(work) if len(lakes) else None
        if self.lakes is not None:
            lake_geoms = self.lakes.geometry.values
            valid = shapely.is_valid(lake_geoms)
            lake_geoms = np.where(valid, lake_geoms, shapely.make_valid(lake_geoms))
            self.lake_inside = shapely.intersection(lake_geoms, city)
            self.lake_inside_m2 = self._area(self.lake_inside)
        self._per_level: dict[str, dict] = {}
        self._overlap_cache: dict[str, list] = {}

    def _county_water(self, result) -> None:
        """A run limited to a county: the river inside it away from its outline (a
        millimetre), with every stretch its top-level reaches cover (see
        :mod:`hzgeo.audit`, "How water duty is measured")."""
        levels = getattr(result, "levels", None) or self.levels
        top = result.reaches[levels[0]]
        top = top[top["primary"].astype(bool)]
        interior = shapely.difference(self.river_inside,
                                      shapely.buffer(self.city.boundary, 1e-3))
        code = top["river_code"].astype(str).to_numpy()
        lines = self._to_work(top.geometry.values) if len(top) else np.zeros(0, dtype=object)
        covered = np.array([shapely.union_all(lines[code == c]) for c in self.river_code],
                           dtype=object)
        rest = shapely.difference(interior, shapely.buffer(covered, 0.01))
        self.inside_m = self._length(rest) + self._length(covered)
        self.river_inside = shapely.union(rest, covered)

    def _top(self):
        return self.units[self.levels[0]]

    def _to_store(self, geoms):
        return gpd.GeoSeries(geoms, crs=self.work).to_crs(STORE_CRS).values

    def _length(self, geoms) -> np.ndarray:
        return _fast_length(self._to_store(np.asarray(geoms, dtype=object)))

    def _area(self, geoms) -> np.ndarray:
        return geodesic_area(self._to_store(np.asarray(geoms, dtype=object)))

    def _around(self, geom, level: str) -> tuple[list[str], list[str]]:
        """Codes and names of the units one level up that a stretch lies in."""
        up = {"village": "township", "township": "county", "county": "city"}[level]
        if geom is None or geom.is_empty or (up not in self.units and up != "city"):
            return [], []
        frame = self.units[up] if up in self.units else self.city_units
        if frame is None:
            return [], []
        hits = frame.sindex.query(geom, predicate="intersects")
        codes = [str(c) for c in frame["code"].to_numpy()[np.sort(hits)]]
        return codes, [self.names.get(c, c) for c in codes]

    def _at(self, geom, level: str) -> tuple[list[str], list[str]]:
        """Codes and names of the level's units holding a point of ``geom``."""
        if geom is None or geom.is_empty:
            return [], []
        frame = self.units[level]
        hits = frame.sindex.query(shapely.point_on_surface(geom), predicate="intersects")
        codes = [str(c) for c in frame["code"].to_numpy()[np.sort(hits)]]
        return codes, [self.names.get(c, c) for c in codes]

    # ---- per level
    def level(self, level: str) -> dict:
        """Per river and lake at ``level``: uncovered and double-counted measures and
        where (on the published reaches when there are some, else on the geometry)."""
        if level in self._per_level:
            return self._per_level[level]
        n = len(self.rivers)
        out: dict[str, Any] = {"uncovered": np.zeros(n), "double": np.zeros(n),
               "uncovered_geom": np.full(n, None, dtype=object),
               "double_geom": np.full(n, None, dtype=object), "double_rows": [],
               "lake_uncovered": None, "lake_double": None, "lake_uncovered_geom": None,
               "lake_double_geom": None, "lake_double_rows": []}
        units = self.units[level]
        if self.result is not None:
            self._on_reaches(level, out)
        else:
            covered = shapely.union_all(units.geometry.values)
            stretch = shapely.difference(self.river_inside, covered)
            out["uncovered"] = self._length(stretch)
            out["uncovered_geom"] = stretch
            for a, b, poly in self._overlaps(level):
                hit = shapely.intersection(self.river_inside, poly)
                length = self._length(hit)
                for i in np.flatnonzero(length > 0):
                    out["double_rows"].append((i, a, b, length[i], hit[i]))
            if self.lakes is not None:
                stretch = shapely.difference(self.lake_inside, covered)
                out["lake_uncovered"] = self._area(stretch)
                out["lake_uncovered_geom"] = stretch
                out["lake_double"] = np.zeros(len(self.lakes))
                for a, b, poly in self._overlaps(level):
                    hit = shapely.intersection(self.lake_inside, poly)
                    area = self._area(hit)
                    for i in np.flatnonzero(area > 0):
                        out["lake_double_rows"].append((i, a, b, area[i], hit[i]))
        self._per_level[level] = out
        return out

    def _on_reaches(self, level: str, out: dict) -> None:
        """Inside the city (measured here) against the published reaches and zones."""
        reaches = self.result.reaches[level]
        primary = reaches[reaches["primary"].astype(bool)]
        counted = primary.groupby("river_code")["length_m"].sum()
        diff = self.inside_m - counted.reindex(self.river_code, fill_value=0.0).to_numpy()
        out["uncovered"] = np.maximum(diff, 0.0)
        out["double"] = np.maximum(-diff, 0.0)
        out["uncovered_geom"] = _Lazy(lambda i: shapely.difference(
            self.river_inside[i], shapely.buffer(shapely.union_all(self._to_work(
                primary.geometry.values[primary["river_code"].to_numpy() == self.river_code[i]]
            )), 0.01)))
        out["double_geom"] = _Lazy(lambda i: self._in_overlaps(level, self.river_inside[i]))
        if self.lakes is None:
            return
        zones = self.result.zones[level]
        counted = zones.groupby("water_code")["area_m2"].sum().reindex(
            self.lakes["code"].astype(str).to_numpy(), fill_value=0.0).to_numpy()
        diff = self.lake_inside_m2 - counted
        out["lake_uncovered"] = np.maximum(diff, 0.0)
        out["lake_double"] = np.maximum(-diff, 0.0)
        lake_code = self.lakes["code"].astype(str).to_numpy()
        out["lake_uncovered_geom"] = _Lazy(lambda i: shapely.difference(
            self.lake_inside[i], shapely.union_all(self._to_work(
                zones.geometry.values[zones["water_code"].astype(str).to_numpy()
                                      == lake_code[i]]))))
        out["lake_double_geom"] = _Lazy(lambda i: self._in_overlaps(level,
                                                                    self.lake_inside[i]))

    def _to_work(self, geoms):
        return gpd.GeoSeries(geoms, crs=STORE_CRS).to_crs(self.work).values

    def _in_overlaps(self, level: str, geom):
        """The part of ``geom`` in overlaps of the level's units (else all of it)."""
        polys = [poly for _, _, poly in self._overlaps(level)]
        part = shapely.intersection(geom, shapely.union_all(polys)) if polys else None
        return geom if part is None or part.is_empty else part

    def _overlaps(self, level: str) -> list[tuple[str, str, object]]:
        """Pairs of the level's units that share area, with the shared part (computed once,
        only when needed: it touches every pair of neighbours)."""
        if level in self._overlap_cache:
            return self._overlap_cache[level]
        units = self.units[level]
        geoms = units.geometry.values
        left, right = units.sindex.query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        common = shapely.intersection(geoms[left], geoms[right])
        area = shapely.area(common)
        codes = units["code"].astype(str).to_numpy()
        found = [(codes[a], codes[b], c) for a, b, c, x in zip(left, right, common, area,
                                                               strict=True) if x > 0]
        self._overlap_cache[level] = found
        return found

    # ---- rows
    def rows(self, min_area_m2: float, min_width_m: float) -> list[dict]:
        rows = []
        for level in self.levels:
            found = self.level(level)
            for i in np.flatnonzero(found["uncovered"] >= max(min_width_m, 1e-9)):
                geom = found["uncovered_geom"][i]
                codes, names = self._around(geom, level)
                rows.append(make_row("uncovered_water", level, codes, names, geom,
                                     measure=found["uncovered"][i], water=self._water(i),
                                     detail=f"river length inside the {self.area} in no "
                                            f"{level} reach"))
            if self.result is not None:
                for i in np.flatnonzero(found["double"] >= max(min_width_m, 1e-9)):
                    rows.append(make_row("double_counted_water", level,
                                         *self._at(found["double_geom"][i], level),
                                         found["double_geom"][i], measure=found["double"][i],
                                         water=self._water(i),
                                         detail=f"{level} reaches add up to more than the river"))
            for i, a, b, length, geom in found["double_rows"]:
                if length >= min_width_m:
                    rows.append(make_row("double_counted_water", level, [a, b],
                                         [self.names.get(a, a), self.names.get(b, b)], geom,
                                         measure=length, water=self._water(i),
                                         detail=f"river runs where {level}s {a} and {b} overlap"))
            rows += self._lake_rows(level, found, min_area_m2)
        rows += self._outside()
        return rows

    def _water(self, i: int | np.integer) -> tuple[str, str]:
        return self.river_code[i], self.river_name[i]

    def _lake_rows(self, level, found, min_area_m2) -> list[dict]:
        if self.lakes is None:
            return []
        rows = []
        code = self.lakes["code"].astype(str).to_numpy()
        name = self.lakes["name"].astype(str).to_numpy()
        for i in np.flatnonzero(found["lake_uncovered"] >= max(min_area_m2, 1e-9)):
            geom = found["lake_uncovered_geom"][i]
            codes, names = self._around(geom, level)
            rows.append(make_row("uncovered_water", level, codes, names, geom,
                                 measure=found["lake_uncovered"][i], water=(code[i], name[i]),
                                 detail=f"lake area inside the {self.area} in no {level} zone")
                        | {"unit": "m2"})
        if self.result is not None:
            for i in np.flatnonzero(found["lake_double"] >= max(min_area_m2, 1e-9)):
                rows.append(make_row("double_counted_water", level,
                                     *self._at(found["lake_double_geom"][i], level),
                                     found["lake_double_geom"][i], measure=found["lake_double"][i],
                                     water=(code[i], name[i]),
                                     detail=f"{level} zones add up to more than the lake")
                            | {"unit": "m2"})
        else:
            for i, a, b, area, geom in found["lake_double_rows"]:
                if area >= min_area_m2:
                    rows.append(make_row("double_counted_water", level, [a, b],
                                         [self.names.get(a, a), self.names.get(b, b)], geom,
                                         measure=area, water=(code[i], name[i]),
                                         detail=f"lake lies where {level}s {a} and {b} overlap")
                                | {"unit": "m2"})
        return rows

    def _outside(self) -> list[dict]:
        rows = []
        outside = self.total_m - self.inside_m
        geoms = self.rivers.geometry.values
        for i in np.flatnonzero(outside > 1e-6):
            rows.append(make_row("outside_city", "", [], [],
                                 shapely.difference(geoms[i], self.city),
                                 measure=outside[i], water=self._water(i),
                                 detail=f"{outside[i] / 1000:,.3f} km of its "
                                        f"{self.total_m[i] / 1000:,.3f} km lie outside the "
                                        f"{self.area}"))
        return rows

    def information(self) -> list[dict]:
        """``sliver`` and ``boundary_reach`` rows, geometry in EPSG:4490 (as published)."""
        if self.result is None:
            return []
        rows = []
        for s in self.result.slivers.itertuples():
            codes = [c for c in str(s.admin_code).split("、") if c and c != "无归属"]
            rows.append(make_row("sliver", "village", codes,
                                 [self.names.get(c, c) for c in codes], s.geometry,
                                 measure=s.length_m, water=(s.river_code, s.river_name),
                                 detail=f"merged into {s.merged_into}"))
        for level in self.levels:
            reaches = self.result.reaches[level]
            shared = reaches[reaches["boundary"].astype(bool) & reaches["primary"].astype(bool)]
            for r in shared.itertuples():
                codes = [r.admin_code, r.shared_with]
                names = [self.names.get(r.admin_code, r.admin_name),  # across: out of a county
                         self.names.get(r.shared_with, r.shared_with_name)]  # run's units
                rows.append(make_row("boundary_reach", level, codes, names, r.geometry,
                                     measure=r.length_m, water=(r.river_code, r.river_name),
                                     detail=f"界河 {r.reach_name}, shared by both banks"))
        return rows

    # ---- coverage
    def coverage(self) -> pd.DataFrame:
        records = []
        for level in self.levels:
            found = self.level(level)
            rivers = np.ones(len(self.rivers), dtype=bool)
            vacant = 0.0
            lake_vacant = 0.0
            lakes = np.ones(0 if self.lakes is None else len(self.lakes), dtype=bool)
            if self.chiefs is not None:
                reaches = self.chiefs.reaches[level]
                required = reaches[reaches["chief_required"].astype(bool)]
                rivers = np.isin(self.river_code, required["river_code"].astype(str))
                empty = required[required["vacant"].astype(bool)]
                empty = empty.drop_duplicates(["river_code", "from_km", "to_km"])
                vacant = float(empty["length_m"].sum())
                if self.lakes is not None:
                    zones = self.chiefs.zones[level]
                    zreq = zones[zones["chief_required"].astype(bool)]
                    lakes = np.isin(self.lakes["code"].astype(str),
                                    zreq["water_code"].astype(str))
                    lake_vacant = float(zreq.loc[zreq["vacant"].astype(bool), "area_m2"].sum())
            water = float(self.inside_m[rivers].sum())
            uncovered = float(found["uncovered"][rivers].sum())
            double = float(found["double"][rivers].sum()) + sum(
                r[3] for r in found["double_rows"] if rivers[r[0]])
            ok = max(water - uncovered - double - vacant, 0.0)
            record = {"level": level, "water_m": water, "uncovered_m": uncovered,
                      "double_m": double, "vacant_m": vacant, "exactly_one_m": ok,
                      "percent": min(100.0 * ok / water, 100.0) if water > 0 else 100.0,
                      "basis": "chief" if self.chiefs is not None else "unit",
                      "lake_m2": 0.0, "lake_uncovered_m2": 0.0, "lake_double_m2": 0.0,
                      "lake_vacant_m2": 0.0, "lake_exactly_one_m2": 0.0,
                      "lake_percent": 100.0}
            if self.lakes is not None:
                area = float(self.lake_inside_m2[lakes].sum())
                lu = float(found["lake_uncovered"][lakes].sum())
                ld = float(found["lake_double"][lakes].sum()) + sum(
                    r[3] for r in found["lake_double_rows"] if lakes[r[0]])
                lok = max(area - lu - ld - lake_vacant, 0.0)
                record |= {"lake_m2": area, "lake_uncovered_m2": lu, "lake_double_m2": ld,
                           "lake_vacant_m2": lake_vacant, "lake_exactly_one_m2": lok,
                           "lake_percent": min(100.0 * lok / area, 100.0) if area > 0
                           else 100.0}
            records.append(record)
        return pd.DataFrame(records)

