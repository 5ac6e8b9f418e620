"""One benchmark process: geopandas.overlay once per level, read to write.

    python benchmarks/run_overlay.py REGION_DIR OUT.gpkg

What an analyst would do by hand: intersect the rivers with each level's polygons and
measure the pieces. Prints one JSON line like run_hzgeo.py; the length error compares each
level's summed pieces with the rivers' length inside the region (planar, in EPSG:4546; the
planar and geodesic totals differ by the projection's scale, the same for every level).
"""

import json
import resource
import sys
import time

start = time.perf_counter()

import geopandas  # noqa: E402

region, out = sys.argv[1], sys.argv[2]
rivers = geopandas.read_file(f"{region}/rivers.gpkg", layer="rivers")
city = geopandas.read_file(f"{region}/region.gpkg", layer="city")
truth = rivers.clip(city).length.sum()
errors, rows = {}, {}
for level in ("village", "township", "county"):
    units = geopandas.read_file(f"{region}/region.gpkg", layer=level)
    pieces = geopandas.overlay(rivers, units[["code", "name", "geometry"]], how="intersection",
                               keep_geom_type=True)
    pieces["length_m"] = pieces.length
    pieces.to_file(out, layer=f"reaches_{level}")
    errors[level] = float(pieces["length_m"].sum() / truth - 1)
    rows[level] = len(pieces)
elapsed = time.perf_counter() - start
print(json.dumps({"method": "overlay", "seconds": elapsed,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "river_km": truth / 1000, "length_error": errors, "rows": rows}))
