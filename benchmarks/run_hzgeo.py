"""One benchmark process: ``hzgeo segment`` on a region, exactly as a user runs it.

    python benchmarks/run_hzgeo.py REGION_DIR OUT.gpkg

Prints one JSON line: seconds inside the process (import to written file), CPU seconds
(this process's and its GeoPackage writer process's: ``hzgeo segment`` hands GDAL's part
of the writing to a second process), and peak memory: ``peak_mib`` the larger of this
process's own peak RSS and the summed RSS of this process and its children (sampled every
50 ms from /proc on Linux), ``self_peak_mib`` and ``child_peak_mib`` each process's own
peak; ``bench.py`` measures the length error afterwards, from the written file.
"""

import json
import os
import resource
import sys
import threading
import time

start = time.perf_counter()


class TreePeak(threading.Thread):
    """The largest summed RSS of this process and its children seen (Linux /proc)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.stop = 0, threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def _rss(self, pid) -> int:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * self.page
        except (OSError, ValueError, IndexError):
            return 0

    def run(self):
        me = os.getpid()
        while not self.stop.wait(0.05):
            try:
                with open(f"/proc/{me}/task/{me}/children") as listed:
                    children = listed.read().split()
            except OSError:
                return
            self.peak = max(self.peak, self._rss(me) + sum(map(self._rss, children)))


peak = TreePeak()
peak.start()

from hzgeo.cli import main  # noqa: E402

region, out = sys.argv[1], sys.argv[2]
status = main(["segment", "--boundaries", f"{region}/region.gpkg",
               "--waters", f"{region}/rivers.gpkg", "--out", out, "--quiet"])
if status != 0:
    sys.exit(status)
peak.stop.set()
peak.join()
usage = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"method": "hzgeo", "seconds": time.perf_counter() - start,
                  "cpu_s": usage.ru_utime + usage.ru_stime + children.ru_utime
                  + children.ru_stime,
                  "peak_mib": max(peak.peak / 2**20, usage.ru_maxrss / 1024),
                  "self_peak_mib": usage.ru_maxrss / 1024,
                  "child_peak_mib": children.ru_maxrss / 1024}))
