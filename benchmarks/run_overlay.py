"""One benchmark process: geopandas.overlay once per level, read to write.

    python benchmarks/run_overlay.py REGION_DIR OUT.gpkg

What an analyst would do by hand: intersect the rivers with each level's polygons and
measure the pieces (planar metres in the region's projected CRS). Prints one JSON line:
seconds inside the process (import to written file) and peak RSS; ``bench.py`` measures
the length error afterwards, from the written file.
"""

import json
import resource
import sys
import time

start = time.perf_counter()

import geopandas  # noqa: E402

region, out = sys.argv[1], sys.argv[2]
rivers = geopandas.read_file(f"{region}/rivers.gpkg", layer="rivers")
for level in ("village", "township", "county"):
    units = geopandas.read_file(f"{region}/region.gpkg", layer=level)
    pieces = geopandas.overlay(rivers, units[["code", "name", "geometry"]], how="intersection",
                               keep_geom_type=True)
    pieces["length_m"] = pieces.length
    pieces.to_file(out, layer=f"reaches_{level}")
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"method": "overlay", "seconds": time.perf_counter() - start,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}))
