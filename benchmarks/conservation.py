"""Check, on a generated region, that every river's reaches add up to its length inside.

    python benchmarks/make_region.py --villages 5000 --river-margin 3000 --out /tmp/r5000
    python benchmarks/conservation.py /tmp/r5000

Segments the region with default options, then compares, river by river and level by
level, the reaches counted once (``primary``) plus the gaps with the length of river ∩
region measured without hzgeo (shapely intersection in the projected CRS, pyproj.Geod on
GRS80 on the lon/lat vertices). Prints the largest relative error per level and every
river off by more than 1e-9; exit 1 if any.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod, Transformer

import hzgeo
from hzgeo.io import Boundaries, Waters


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("region", type=Path)
    args = parser.parse_args(argv)
    levels = {name: gpd.read_file(args.region / "region.gpkg", layer=name)
              for name in ("city", "county", "township", "village")}
    rivers = gpd.read_file(args.region / "rivers.gpkg", layer="rivers")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hzgeo.SliverWarning)
        seg = hzgeo.segment_waters(Boundaries(levels), Waters(rivers, rivers.iloc[:0]))
    city = shapely.union_all(levels["city"].to_crs(rivers.crs).geometry.values)
    to_lonlat = Transformer.from_crs(rivers.crs, "EPSG:4490", always_xy=True)
    geod = Geod(ellps="GRS80")

    def geodesic(geom) -> float:
        total = 0.0
        for part in shapely.get_parts(geom):
            if part.geom_type == "LineString":
                xy = shapely.get_coordinates(part)
                total += geod.line_length(*to_lonlat.transform(xy[:, 0], xy[:, 1]))
        return total

    codes = rivers["river_code"]
    truth = np.array([geodesic(shapely.intersection(g, city)) for g in rivers.geometry.values])
    crossings = sum(len(shapely.get_parts(shapely.intersection(g, city.boundary)))
                    for g in rivers.geometry.values)
    print(f"{args.region}: {len(rivers)} rivers, {truth.sum() / 1000:,.0f} km inside, "
          f"{crossings} crossings of the outline")
    gaps = seg.gaps.groupby("river_code")["length_m"].sum().reindex(codes, fill_value=0.0)
    bad = False
    for level, frame in seg.reaches.items():
        got = frame[frame["primary"]].groupby("river_code")["length_m"].sum()
        got = got.reindex(codes, fill_value=0.0).to_numpy() + gaps.to_numpy()
        error = got - truth
        rel = np.abs(error) / np.maximum(truth, 1.0)
        off = np.flatnonzero(rel > 1e-9)
        bad |= len(off) > 0
        print(f"{level}: largest relative error {rel.max():.1e}; off by > 1e-9: "
              + (", ".join(f"{codes[i]} {error[i]:+.3f} m" for i in off) or "none"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
