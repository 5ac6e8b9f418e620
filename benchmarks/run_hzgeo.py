"""One benchmark process: hzgeo's three-level segmentation, read to write.

    python benchmarks/run_hzgeo.py REGION_DIR OUT.gpkg

Prints one JSON line: wall seconds inside the process, peak RSS (MiB) and the length
error of each level (reaches counted once, against the rivers' length in the region).
"""

import json
import resource
import sys
import time

start = time.perf_counter()

import hzgeo  # noqa: E402

region, out = sys.argv[1], sys.argv[2]
boundaries = hzgeo.read_boundaries(f"{region}/region.gpkg")
waters = hzgeo.read_waters(f"{region}/rivers.gpkg")
hzgeo.validate_boundaries(boundaries)
result = hzgeo.segment_waters(boundaries, waters, boundary_tolerance=5.0)
result.to_file(out)
elapsed = time.perf_counter() - start

truth = result.river_lengths["length_m"].sum()
errors = {}
for level, frame in result.reaches.items():
    errors[level] = float(frame.loc[frame["primary"], "length_m"].sum() / truth - 1)
print(json.dumps({"method": "hzgeo", "seconds": elapsed,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "river_km": truth / 1000, "length_error": errors,
                  "rows": {k: len(v) for k, v in result.reaches.items()}}))
