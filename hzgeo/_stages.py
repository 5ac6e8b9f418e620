"""Stage timings for benchmarks: set ``HZGEO_STAGES=1`` to print each stage's wall time, its
CPU seconds (the process's, all threads), the process's peak memory so far and its memory
now to stderr. Costs nothing when unset."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator

__all__ = ["stage"]

_ON = bool(os.environ.get("HZGEO_STAGES"))


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    if not _ON:
        yield
        return
    start, cpu = time.perf_counter(), time.process_time()
    yield
    peak = _peak_mib()
    print(f"hzgeo stage {name:<12} {time.perf_counter() - start:7.3f} s"
          f"  cpu {time.process_time() - cpu:6.3f} s  peak {peak:6.0f} MiB"
          f"  now {_rss_mib():6.0f} MiB", file=sys.stderr)


def _peak_mib() -> float:
    """The process's peak resident memory so far (Unix; 0 where ``resource`` is missing,
    as on Windows: the module is imported here, not at the top, so hzgeo imports there)."""
    try:
        import resource
    except ImportError:
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    """The process's resident memory now (Linux; 0 where /proc is missing, as on Windows)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, AttributeError, ValueError):
        return 0.0
