"""One benchmark process: ``hzgeo segment`` on a region, exactly as a user runs it.

    python benchmarks/run_hzgeo.py REGION_DIR OUT.gpkg

Prints one JSON line: wall seconds inside the process (import to written file), peak RSS
(MiB) and the length error of each level (reaches counted once, against the rivers'
length inside the region), the latter measured after the clock stops.
"""

import json
import resource
import sys
import time

start = time.perf_counter()

from hzgeo.cli import main  # noqa: E402

region, out = sys.argv[1], sys.argv[2]
status = main(["segment", "--boundaries", f"{region}/region.gpkg",
               "--waters", f"{region}/rivers.gpkg", "--out", out, "--quiet"])
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if status != 0:
    sys.exit(status)

import geopandas  # noqa: E402

truth = geopandas.read_file(out, layer="river_lengths")["length_m"].sum()
errors, rows = {}, {}
for level in ("village", "township", "county"):
    frame = geopandas.read_file(out, layer=f"reaches_{level}", columns=["length_m", "primary"])
    errors[level] = float(frame.loc[frame["primary"], "length_m"].sum() / truth - 1)
    rows[level] = len(frame)
print(json.dumps({"method": "hzgeo", "seconds": elapsed, "peak_mib": peak,
                  "river_km": truth / 1000, "length_error": errors, "rows": rows}))
