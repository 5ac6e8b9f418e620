"""Make a synthetic region of nested coverages and meandering rivers for the benchmark.

    python benchmarks/make_region.py --villages 50000 --out benchmarks/work/50000

Villages of about 0.35 km² (Voronoi cells of jittered grid points), townships of about 15
villages and counties of about 12 townships (each the union of its children, so every
level tiles its parent exactly), about 1 km of river per km² as meandering lines with a
vertex every 25 m, some of them running exactly along township borders. Everything is
synthetic and says so in its ``synthetic`` column.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

CRS = "EPSG:4546"
X0, Y0 = 300_000.0, 2_400_000.0  # inside the CGCS2000 GK CM 111E zone
VILLAGE_KM2 = 0.35


def _jittered_grid(rng, n, side, jitter=0.35):
    k = int(np.ceil(np.sqrt(n)))
    step = side / k
    gx, gy = np.meshgrid(np.arange(k), np.arange(k))
    pts = np.column_stack([gx.ravel(), gy.ravel()])[:n].astype(float)
    pts = (pts + 0.5 + rng.uniform(-jitter, jitter, pts.shape)) * step
    return pts


def _groups(rng, points, n_groups, side):
    """Assign points to the nearest of ``n_groups`` jittered seeds."""
    seeds = _jittered_grid(rng, n_groups, side, jitter=0.3)
    tree = shapely.STRtree(shapely.points(seeds))
    idx = tree.nearest(shapely.points(points))
    return np.unique(idx, return_inverse=True)[1]


def _union_by(geoms, group):
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    return [shapely.coverage_union_all(chunk) for chunk in np.split(geoms[order], bounds)]


def _rank_within(group: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... within each group, in index order."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    start = np.searchsorted(sorted_group, sorted_group, side="left")
    rank = np.empty(len(group), dtype=int)
    rank[order] = np.arange(len(group)) - start
    return rank


def make_region(n_villages: int, seed: int = 1, river_margin: float = -1.0,
                river_density: float = 1.0, spacing: float = 25.0):
    """Levels and rivers; rivers are clipped to the region grown by ``river_margin`` metres
    (negative: they stay inside it; positive: they leave and re-enter it). About
    ``river_density`` km of river per km², a vertex every ``spacing`` metres."""
    rng = np.random.default_rng(seed)
    area_km2 = n_villages * VILLAGE_KM2
    side = np.sqrt(area_km2) * 1000.0
    frame = shapely.box(X0, Y0, X0 + side, Y0 + side)
    pts = _jittered_grid(rng, n_villages, side) + np.array([X0, Y0])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts),
                                                       extend_to=frame))
    cells = shapely.intersection(cells, frame)
    # order cells like their seed points
    tree = shapely.STRtree(cells)
    pi, ci = tree.query(shapely.points(pts), predicate="within")
    cells = cells[ci[np.argsort(pi)]]
    n_town = max(1, round(n_villages / 15))
    n_county = max(1, round(n_town / 12))
    town_of_village = _groups(rng, pts - [X0, Y0], n_town, side)
    town_geoms = _union_by(cells, town_of_village)
    town_pts = np.array([[g.centroid.x - X0, g.centroid.y - Y0] for g in town_geoms])
    county_of_town = _groups(rng, town_pts, n_county, side)
    county_geoms = _union_by(np.array(town_geoms, dtype=object), county_of_town)

    if len(county_geoms) < 1000:  # one synthetic province (the codes of earlier results)
        county_codes = [f"45{9000 + c:04d}" for c in range(len(county_geoms))]
        town_no, village_no = np.arange(len(town_geoms)), np.arange(n_villages)
    else:  # a nation: provinces 11, 12 ... of 90 counties, units numbered within parents
        county_codes = [f"{11 + c // 90:02d}{c % 90 + 10:02d}00"
                        for c in range(len(county_geoms))]
        town_no = _rank_within(county_of_town) + 100
        village_no = _rank_within(town_of_village) + 100
    town_codes = [f"{county_codes[county_of_town[t]]}{town_no[t] % 1000:03d}"
                  for t in range(len(town_geoms))]
    village_codes = [f"{town_codes[town_of_village[v]]}{village_no[v] % 1000:03d}"
                     for v in range(n_villages)]
    levels = {
        "city": gpd.GeoDataFrame({"code": ["459000"], "name": ["合成市"], "parent_code": [""]},
                                 geometry=[frame], crs=CRS),
        "county": gpd.GeoDataFrame({"code": county_codes,
                                    "name": [f"合成县{c}" for c in county_codes],
                                    "parent_code": "459000"}, geometry=county_geoms, crs=CRS),
        "township": gpd.GeoDataFrame({"code": town_codes,
                                      "name": [f"合成镇{c}" for c in town_codes],
                                      "parent_code": [c[:6] for c in town_codes]},
                                     geometry=town_geoms, crs=CRS),
        "village": gpd.GeoDataFrame({"code": village_codes,
                                     "name": [f"合成村{c}" for c in village_codes],
                                     "parent_code": [c[:9] for c in village_codes]},
                                    geometry=cells, crs=CRS),
    }
    for frame_ in levels.values():
        frame_["synthetic"] = True
    if len(set(village_codes)) != len(village_codes) or len(set(town_codes)) != len(town_codes):
        raise RuntimeError("code collision: use fewer than 1000 villages per township")

    # rivers: meandering random walks, 25 m steps, 5-60 km long, clipped to the region
    want_m = area_km2 * 1000.0 * river_density
    border_m = 0.03 * want_m  # about 3 % runs exactly along township borders
    lines, total = [], 0.0
    shrunk = shapely.box(X0 + 1, Y0 + 1, X0 + side - 1, Y0 + side - 1)
    clip = shapely.box(X0 - river_margin, Y0 - river_margin, X0 + side + river_margin,
                       Y0 + side + river_margin)
    while total < want_m - border_m:
        n = int(rng.uniform(5_000, 60_000) / spacing)
        k = spacing / 25.0  # the same meanders at another vertex spacing
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.08 * np.sqrt(k), n))
        heading += 0.6 * np.sin(np.arange(n) * k / rng.uniform(20, 60))
        xy = np.column_stack([np.cos(heading), np.sin(heading)]) * spacing
        xy = np.cumsum(xy, axis=0) + rng.uniform([X0, Y0], [X0 + side, Y0 + side])
        line = shapely.intersection(shapely.LineString(xy), clip)
        for part in shapely.get_parts(line):
            if part.length > 2_000 and part.is_simple:
                lines.append(part)
                total += part.length
    town_lines = shapely.get_parts(shapely.line_merge(shapely.boundary(
        shapely.MultiPolygon([p for g in town_geoms for p in shapely.get_parts(g)]))))
    border_total = 0.0
    for i in rng.permutation(len(town_lines)):
        edge = shapely.line_merge(shapely.intersection(town_lines[i], shrunk))
        for part in shapely.get_parts(edge):
            if part.geom_type == "LineString" and part.length > 1_000 and part.is_simple:
                lines.append(shapely.segmentize(part, spacing))
                border_total += part.length
        if border_total > border_m:
            break
    # borders are found twice (once per township): keep each segment once
    unique, seen = [], set()
    for line in lines:
        key = shapely.normalize(line).wkb
        if key not in seen:
            seen.add(key)
            unique.append(line)
    rivers = gpd.GeoDataFrame({"river_code": [f"B{i:05d}" for i in range(len(unique))],
                               "name": [f"合成河{i:05d}" for i in range(len(unique))],
                               "synthetic": True}, geometry=unique, crs=CRS)
    return levels, rivers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--river-margin", type=float, default=-1.0,
                        help="clip rivers to the region grown by this many metres (> 0: "
                             "rivers leave and re-enter the region)")
    parser.add_argument("--river-density", type=float, default=1.0,
                        help="km of river per km² (default 1)")
    parser.add_argument("--spacing", type=float, default=25.0,
                        help="metres between river vertices (default 25)")
    args = parser.parse_args(argv)
    levels, rivers = make_region(args.villages, args.seed, args.river_margin,
                                 args.river_density, args.spacing)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frame in levels.items():
        frame.to_file(args.out / "region.gpkg", layer=name, engine="pyogrio")
    rivers.to_file(args.out / "rivers.gpkg", layer="rivers", engine="pyogrio")
    n_vertices = len(shapely.get_coordinates(rivers.geometry.values))
    print(f"{args.out}: " + ", ".join(f"{k} {len(v)}" for k, v in levels.items())
          + f"; rivers {len(rivers)}, {rivers.length.sum() / 1000:.0f} km, {n_vertices} vertices")


if __name__ == "__main__":
    main()
