"""One benchmark process: ``hzgeo segment`` county by county on a local dask cluster.

    python benchmarks/run_distributed.py REGION_DIR OUT.gpkg WORKERS

What ``hzgeo segment`` does (read, the same checks, segment, write the same layers), with
``segment_waters(..., workers=WORKERS)``: a local cluster of WORKERS processes of one
thread, started and closed inside the timed process. Prints one JSON line: seconds inside
the process, the seconds of the segmentation call alone, and the peak of the summed RSS
of this process and its workers (sampled every 200 ms with psutil; the workers' own peaks
between samples can be missed, so this is a lower bound). The CPU seconds include the
sampler's own: listing a process's children reads every process of the machine, which
on a busy machine costs milliseconds a sample (the table of 2026-12-04 sampled every 20 ms,
which inflated its CPU seconds; see README.md).
"""

import json
import sys
import threading
import time

start = time.perf_counter()

import psutil  # noqa: E402  (comes with dask.distributed)


class TreePeak(threading.Thread):
    """The largest summed RSS of this process and all its descendants seen so far."""

    def __init__(self):
        super().__init__(daemon=True)
        self.me, self.peak, self.stop = psutil.Process(), 0, threading.Event()

    def run(self):
        while not self.stop.wait(0.2):
            total = 0
            for proc in [self.me, *self.me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)


def main():
    peak = TreePeak()
    peak.start()
    import warnings

    from hzgeo.errors import HzgeoWarning
    from hzgeo.segment import segment_waters
    from hzgeo.validate import validate_boundaries, validate_waters

    region, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HzgeoWarning)
        try:  # the input layer of hzgeo segment
            from hzgeo.inputs import load

            loaded = load(f"{region}/region.gpkg", f"{region}/rivers.gpkg", holders="none")
            bnd, wat = loaded.boundaries, loaded.waters
        except ImportError:  # before hzgeo.inputs
            from hzgeo.cli import load_inputs

            bnd, wat = load_inputs((f"{region}/region.gpkg",), (f"{region}/rivers.gpkg",), (),
                                   (), None, False, echo=lambda message: None)
        validate_boundaries(bnd, coverage=False)
        validate_waters(wat)
        t = time.perf_counter()
        result = segment_waters(bnd, wat, workers=workers)
        segment_s = time.perf_counter() - t
        result.to_file(out)
    peak.stop.set()
    peak.join()
    cpu = psutil.Process().cpu_times()
    cpu_s = cpu.user + cpu.system + cpu.children_user + cpu.children_system
    print(json.dumps({"method": f"hzgeo {workers} worker(s)", "workers": workers,
                      "seconds": time.perf_counter() - start, "segment_s": segment_s,
                      "cpu_s": cpu_s,
                      "peak_mib": peak.peak / 2**20}))


if __name__ == "__main__":  # the workers are spawned processes: they import this module
    main()
