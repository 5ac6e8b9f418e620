"""Time the main job on the bundled Guigang data, as a user runs it (imports included).

    python benchmarks/phase_one.py [--rounds 3] [--out benchmarks/phase_one.md]

Each command runs in its own process, ``rounds`` times, in a fresh temporary folder;
the best and the median wall time are reported with the peak memory of the child. The
commands: ``hzgeo run`` (every output), and ``segment``, ``roster`` and ``check`` alone.
Targets (issue #10): ``run`` under 30 s, each of the others under 10 s, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "run (every output)": ["run", "--out", "{tmp}/out"],
    "segment": ["segment", "--out", "{tmp}/segments.gpkg"],
    "roster": ["roster", "--out", "{tmp}/directory.xlsx"],
    "check": ["check", "--json", "{tmp}/audit.json"],
}


def _hzgeo() -> list[str]:
    exe = shutil.which("hzgeo")
    return [exe] if exe else [sys.executable, "-m", "hzgeo"]


def time_once(args: list[str]) -> tuple[float, float]:
    """Wall seconds and this child's own peak RSS (MiB) of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = _hzgeo() + [a.format(tmp=tmp) for a in args] + ["--quiet"]
        with open(Path(tmp) / "stderr.txt", "w+") as err:
            start = time.perf_counter()
            child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode not in (0, 1):
                err.seek(0)
                raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}):\n{err.read()}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rows = []
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    peaks: dict[str, float] = dict.fromkeys(COMMANDS, 0.0)
    for _ in range(args.rounds):  # rounds interleave the commands: slow spells hit all alike
        for name, cmd in COMMANDS.items():
            wall, peak = time_once(cmd)
            times[name].append(wall)
            peaks[name] = max(peaks[name], peak)
            print(f"{name:<20} {wall:6.2f} s", file=sys.stderr)
    for name in COMMANDS:
        rows.append(f"| {name} | {min(times[name]):.1f} | {statistics.median(times[name]):.1f} "
                    f"| {peaks[name]:.0f} |")
    table = "\n".join([
        f"Bundled Guigang data, {args.rounds} rounds, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}",
        "", "| command | best s | median s | peak MiB |", "| --- | ---: | ---: | ---: |", *rows])
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
