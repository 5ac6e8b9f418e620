"""Conservation, proven over random regions and rivers (hypothesis).

Regions are nested coverages: villages are Voronoi cells of a jittered grid (neighbours
share their vertices exactly), townships are 2 x 2 blocks of them, counties 2 x 1 blocks
of townships; optionally a village made of two separate pieces (a multipolygon), a village
with a hole filled by another village, and a true hole (a gap in the region). Rivers are
meandering random walks that start and end anywhere around the region, so they enter,
leave and re-enter it; some run along a chain of village edges (exactly, or jittered
within the tolerance), some end exactly on an edge or on a vertex. With a city layer (the
frame), a true hole is a gap inside the city, reported in ``gaps``.

For every river the reaches of each level, counted once (``primary``), plus its gaps, add
up to the geodesic length of river ∩ region measured independently: shapely's
intersection in the projected CRS, then ``pyproj.Geod(ellps="GRS80")`` on the vertices of
the result in lon/lat. The tolerance is 1e-9 relative plus 1e-7 m absolute: GEOS computes
the intersection points in the plane with its own arithmetic, hzgeo with its own, and the
two points differ by a few 1e-9 m (coordinates of 10^6 m carry 1e-10 m of rounding); the
ellipsoids (CGCS2000 in hzgeo, GRS80 here) differ in the 12th digit of the flattening.
Each (river, village) length equals ``geopandas.overlay``'s, measured the same way, to the
same tolerance, except where a difference is explained: the two sides of a 界河 and the
reaches next to it (it starts where the river comes within the tolerance of the border,
which may be inside a third village), a village of which a 界河 covers part of overlay's
piece (a river pokes a few cm into a third village at a corner), the two ends of a listed
sliver, and villages where overlay counts a stretch on a border in both.

``HZGEO_PROPERTY_EXAMPLES=5000 pytest tests/test_properties.py`` runs a larger sample
(``benchmarks/properties.py`` does that and prints the count).
"""

from __future__ import annotations

import os
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from hzgeo import SliverWarning, segment_waters
from hzgeo.io import Boundaries, Waters

CRS = "EPSG:4546"
X0, Y0 = 400_000.0, 2_560_000.0
CELL = 1000.0
_GEOD = Geod(ellps="GRS80")
_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True)
REL, ABS_M = 1e-9, 1e-7

# the suite: fixed examples, reported as found (no shrinking: a failure stays seconds)
settings.register_profile("suite", max_examples=12, deadline=None, derandomize=True,
                          database=None, suppress_health_check=[HealthCheck.too_slow],
                          phases=[Phase.explicit, Phase.generate])
settings.register_profile("volume", max_examples=int(os.environ.get(
    "HZGEO_PROPERTY_EXAMPLES") or "1"), deadline=None, database=None,
    suppress_health_check=list(HealthCheck))
PROFILE = "volume" if os.environ.get("HZGEO_PROPERTY_EXAMPLES") else "suite"


def geodesic(geom) -> float:
    """Geodesic metres of the line parts of ``geom`` (any geometry, projected CRS)."""
    total = 0.0
    for part in shapely.get_parts(geom):
        if shapely.get_type_id(part) in (1, 5, 7):  # lines, multilines, collections
            if shapely.get_type_id(part) != 1:
                total += geodesic(part)
                continue
            xy = shapely.get_coordinates(part)
            lon, lat = _TO_LONLAT.transform(xy[:, 0], xy[:, 1])
            total += _GEOD.line_length(lon, lat)
    return total


# -- the region ------------------------------------------------------------------------

def make_region(rng: np.random.Generator, nx: int, ny: int, multipolygon: bool,
                hole: str) -> dict[str, gpd.GeoDataFrame]:
    """Villages, townships and counties; ``hole`` is "", "filled" or "gap"."""
    frame = shapely.box(X0, Y0, X0 + nx * CELL, Y0 + ny * CELL)
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    ix, iy = ix.ravel(), iy.ravel()
    pts = np.column_stack([X0 + (ix + 0.5 + rng.uniform(-0.3, 0.3, ix.size)) * CELL,
                           Y0 + (iy + 0.5 + rng.uniform(-0.3, 0.3, iy.size)) * CELL])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts),
                                                       extend_to=frame))
    cells = shapely.intersection(cells, frame)
    tree = shapely.STRtree(cells)
    pi, ci = tree.query(shapely.points(pts), predicate="within")
    geoms = list(cells[ci[np.argsort(pi)]])
    county = ix // 4
    town = (ix // 2) * 100 + iy // 2
    village_town = [f"4508{c + 1:02d}{t:03d}" for c, t in zip(county, town, strict=True)]
    if multipolygon:  # a village of two pieces: it takes a cell of its township not touching it
        for i in range(len(geoms)):
            far = [j for j in range(len(geoms)) if j != i and geoms[j] is not None
                   and village_town[j] == village_town[i] and not geoms[i].intersects(geoms[j])]
            if far and geoms[i] is not None:
                j = far[int(rng.integers(len(far)))]
                geoms[i] = shapely.MultiPolygon([geoms[i], geoms[j]])
                geoms[j] = None
                break
    if hole:
        k = int(rng.integers(len(geoms)))
        while geoms[k] is None or geoms[k].geom_type != "Polygon":
            k = (k + 1) % len(geoms)
        outer = geoms[k]
        inner = shapely.affinity.scale(outer, 0.35, 0.35, origin=outer.centroid)
        geoms[k] = shapely.difference(outer, inner)
        if hole == "filled":
            geoms.append(inner)
            village_town.append(village_town[k])
    keep = [i for i, g in enumerate(geoms) if g is not None]
    codes, serial = [], {}
    for i in keep:
        serial[village_town[i]] = serial.get(village_town[i], 0) + 1
        codes.append(f"{village_town[i]}{serial[village_town[i]]:03d}")
    villages = gpd.GeoDataFrame({"code": codes, "name": [f"村{c[-5:]}" for c in codes],
                                 "parent_code": [village_town[i] for i in keep],
                                 "synthetic": True},
                                geometry=[geoms[i] for i in keep], crs=CRS)
    towns = villages.dissolve("parent_code").reset_index()[["parent_code", "geometry"]]
    towns = towns.rename(columns={"parent_code": "code"})
    towns["name"] = [f"镇{c[-3:]}" for c in towns["code"]]
    towns["parent_code"] = towns["code"].str[:6]
    towns["synthetic"] = True
    counties = towns.dissolve("parent_code").reset_index()[["parent_code", "geometry"]]
    counties = counties.rename(columns={"parent_code": "code"})
    counties["name"] = [f"县{c[-2:]}" for c in counties["code"]]
    counties["parent_code"] = "450800"
    counties["synthetic"] = True
    return {"county": counties, "township": towns, "village": villages}


def _walk(rng, start, steps, step_m=60.0):
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.35, steps))
    xy = np.column_stack([np.cos(heading), np.sin(heading)]) * rng.uniform(
        0.3, 1.0, (steps, 1)) * step_m
    return np.vstack([start, start + np.cumsum(xy, axis=0)])


def _toward(rng, a, b, steps):
    """A meander from ``a`` to ``b`` (ends exact)."""
    t = np.linspace(0, 1, steps + 1)[:, None]
    wobble = np.sin(np.pi * t) * rng.normal(0, 80, (steps + 1, 2))
    out = a + t * (b - a) + wobble
    out[0], out[-1] = a, b
    return out


def make_river(rng, villages: gpd.GeoDataFrame, kind: str, tol: float, nx, ny):
    lo = np.array([X0 - 400, Y0 - 400])
    hi = np.array([X0 + nx * CELL + 400, Y0 + ny * CELL + 400])
    start = rng.uniform(lo, hi)
    rings = [r for g in villages.geometry.values for p in shapely.get_parts(g)
             for r in [p.exterior, *p.interiors]]
    ring = shapely.get_coordinates(rings[int(rng.integers(len(rings)))])[:-1]
    if kind == "meander":
        return shapely.LineString(_walk(rng, start, int(rng.integers(10, 80))))
    if kind in ("vertex", "edge"):  # ends exactly on a village vertex or on an edge
        k = int(rng.integers(len(ring)))
        end = ring[k] if kind == "vertex" else (ring[k] + ring[(k + 1) % len(ring)]) / 2
        xy = _toward(rng, start, end, int(rng.integers(5, 30)))
        return shapely.LineString(xy if rng.random() < 0.5 else xy[::-1])
    # "border": along a chain of ring vertices, exactly or jittered within the tolerance
    k, n = int(rng.integers(len(ring))), int(rng.integers(2, min(6, len(ring)) + 1))
    chain = ring[(k + np.arange(n)) % len(ring)]
    if kind == "border_jitter":  # extra vertices, each moved by up to 0.4 tolerance
        chain = shapely.get_coordinates(shapely.segmentize(shapely.LineString(chain), 100.0))
        chain = chain + rng.uniform(-0.4, 0.4, chain.shape) * tol
    # "border" keeps the ring's own vertices: vertices added on an edge are on it only up
    # to rounding, and GEOS then puts a stretch along a hole's ring in the hole or not
    # as the last bit falls (overlay and the intersection disagree there by metres)
    before = _toward(rng, start, chain[0], int(rng.integers(3, 12)))
    after = _toward(rng, chain[-1], rng.uniform(lo, hi), int(rng.integers(3, 12)))
    return shapely.LineString(np.vstack([before[:-1], chain, after[1:]]))


KINDS = ["meander", "vertex", "edge", "border", "border_jitter"]


@st.composite
def scenarios(draw):
    return {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "nx": draw(st.integers(2, 5)), "ny": draw(st.integers(2, 4)),
        "multipolygon": draw(st.booleans()),
        "hole": draw(st.sampled_from(["", "filled", "gap"])),
        "city": draw(st.booleans()),  # a city layer (the frame): a true hole is a gap in it
        "kinds": draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4)),
        "tol": draw(st.sampled_from([0.01, 5.0, 20.0])),
        "min_length": draw(st.sampled_from([0.0, 30.0])),
    }


def build(sc):
    rng = np.random.default_rng(sc["seed"])
    levels = make_region(rng, sc["nx"], sc["ny"], sc["multipolygon"], sc["hole"])
    if sc.get("city"):
        levels["city"] = gpd.GeoDataFrame(
            {"code": ["450800"], "name": ["市"], "parent_code": [""], "synthetic": True},
            geometry=[shapely.box(X0, Y0, X0 + sc["nx"] * CELL, Y0 + sc["ny"] * CELL)],
            crs=CRS)
    lines = [make_river(rng, levels["village"], kind, sc["tol"], sc["nx"], sc["ny"])
             for kind in sc["kinds"]]
    rivers = gpd.GeoDataFrame({"river_code": [f"R{i}" for i in range(len(lines))],
                               "name": [f"河{i}" for i in range(len(lines))],
                               "synthetic": True}, geometry=lines, crs=CRS)
    return Boundaries(levels), Waters(rivers, rivers.iloc[:0])


def run(boundaries, waters, sc):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SliverWarning)
        # a generated river may run only along the outline: no length inside, said so
        warnings.filterwarnings("ignore", r"\d+ river\(s\) have no length inside the region")
        return segment_waters(boundaries, waters, min_length=sc["min_length"],
                              boundary_tolerance=sc["tol"])


def check_conservation(boundaries, waters, seg) -> None:
    # the city if given (a true hole is then a gap, in the 'gaps' layer), else the villages
    region = shapely.union_all(boundaries["city" if "city" in boundaries else "village"]
                               .geometry.values)
    codes = waters.rivers["river_code"].tolist()
    truth = pd.Series([geodesic(shapely.intersection(g, region))
                       for g in waters.rivers.geometry.values], index=codes)
    gaps = seg.gaps.groupby("river_code")["length_m"].sum().reindex(codes, fill_value=0.0)
    for level, frame in seg.reaches.items():
        got = frame[frame["primary"]].groupby("river_code")["length_m"].sum()
        got = got.reindex(codes, fill_value=0.0) + gaps
        np.testing.assert_allclose(got.to_numpy(), truth.to_numpy(), rtol=REL, atol=ABS_M,
                                   err_msg=f"{level} reaches do not add up")
    lengths = seg.river_lengths.set_index("river_code")["length_m"].reindex(codes)
    np.testing.assert_allclose(lengths.to_numpy(), truth.to_numpy(), rtol=REL, atol=ABS_M)


def check_against_overlay(boundaries, waters, seg) -> tuple[int, int]:
    """Compare with overlay; return the number of (river, village) pairs compared, and of all."""
    villages = boundaries["village"]
    pieces = gpd.overlay(waters.rivers[["river_code", "geometry"]],
                         villages[["code", "geometry"]], keep_geom_type=True)
    pieces["length_m"] = [geodesic(g) for g in pieces.geometry.values]
    theirs = pieces.groupby(["river_code", "code"])["length_m"].sum()
    village = seg.reaches["village"]
    ours = village.groupby(["river_code", "admin_code"])["length_m"].sum()
    ours.index.names = theirs.index.names
    explained: set[tuple[str, str]] = set()
    for row in village[village["boundary"]].itertuples():  # 界河: both sides
        explained |= {(row.river_code, row.admin_code), (row.river_code, row.shared_with)}
    # and the reaches either side of it: a 界河 starts where the river comes within the
    # tolerance of the border, which may be inside a third village near a corner
    for river, group in village.groupby("river_code"):
        shared = group[group["boundary"]]
        touching = group["from_km"].isin(shared["to_km"]) | group["to_km"].isin(
            shared["from_km"])
        explained |= {(river, code) for code in group.loc[touching, "admin_code"]}
    for row in seg.slivers.itertuples():  # listed slivers: where from, where to
        for codes in (row.admin_code, row.merged_into):
            explained |= {(row.river_code, c) for c in codes.split("、")}
    # and any village of which a 界河 took a bit: a river within the tolerance of a
    # border is on it, even where it pokes a few cm into a third village at a corner
    shared = village[village["boundary"]].to_crs(CRS)
    near = {river: shapely.union_all(g.geometry.values)
            for river, g in shared.groupby("river_code")}
    inner = np.linspace(0.05, 0.95, 19)  # points inside each overlay piece
    for row in pieces.itertuples():
        if row.river_code in near and any(shapely.dwithin(shapely.line_interpolate_point(
                part, inner, normalized=True), near[row.river_code], 1e-6).any()
                                          for part in shapely.get_parts(row.geometry)):
            explained.add((row.river_code, row.code))
    for river, group in pieces.groupby("river_code"):  # overlay counts a border twice
        geoms, names = group.geometry.values, group["code"].to_numpy()
        a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        for i, j in zip(a, b, strict=True):
            if i < j and shapely.intersection(geoms[i], geoms[j]).length > 0:
                explained |= {(river, names[i]), (river, names[j])}
    both = theirs.index.union(ours.index)
    diff = ours.reindex(both, fill_value=0.0) - theirs.reindex(both, fill_value=0.0)
    scale = np.maximum(ours.reindex(both, fill_value=0.0), theirs.reindex(both, fill_value=0.0))
    compared = ~pd.Index(both).isin(list(explained))
    bad = diff[(diff.abs() > REL * scale + ABS_M) & compared]
    assert bad.empty, f"(river, village) lengths differ from overlay's:\n{bad}"
    return int(compared.sum()), len(both)


@settings(settings.get_profile(PROFILE))
@given(scenarios())
def test_reaches_conserve_length_and_match_overlay(sc):
    boundaries, waters = build(sc)
    seg = run(boundaries, waters, sc)
    check_conservation(boundaries, waters, seg)
    check_against_overlay(boundaries, waters, seg)


def test_generator_makes_what_it_promises():
    """The scenarios have the features the docstring names (so the property is not
    vacuous): rivers that leave and re-enter, border stretches, holes, multipolygons."""
    sc = {"seed": 3, "nx": 4, "ny": 3, "multipolygon": True, "hole": "filled", "city": False,
          "kinds": ["meander", "border", "border_jitter", "vertex", "edge"], "tol": 20.0,
          "min_length": 30.0}
    boundaries, waters = build(sc)
    villages = boundaries["village"]
    assert (villages.geom_type == "MultiPolygon").any()
    assert any(len(p.interiors) for g in villages.geometry for p in shapely.get_parts(g))
    seg = run(boundaries, waters, sc)
    assert seg.reaches["village"]["boundary"].any()
    check_conservation(boundaries, waters, seg)
    check_against_overlay(boundaries, waters, seg)
