"""One benchmark process: ``hzgeo segment`` on a region, exactly as a user runs it.

    python benchmarks/run_hzgeo.py REGION_DIR OUT.gpkg

Prints one JSON line: seconds inside the process (import to written file) and peak RSS;
``bench.py`` measures the length error afterwards, from the written file.
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
if status != 0:
    sys.exit(status)
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"method": "hzgeo", "seconds": time.perf_counter() - start,
                  "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}))
