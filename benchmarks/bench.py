"""Benchmark hzgeo's three-level segmentation against geopandas.overlay.

    python benchmarks/bench.py                 # 50,000 and 200,000 villages
    python benchmarks/bench.py --villages 300 --workers 2 --floor

For each scale: make the synthetic region once (benchmarks/make_region.py), then run each
method in its own process (import, read, compute, write): geopandas.overlay once per level,
``hzgeo segment``, and segment_waters county by county on a local dask cluster of 1, 2 and
4 workers (benchmarks/run_distributed.py; its peak memory is the sum over the process and
its workers), and optionally the floor (benchmarks/floor.py), in ``--repeat`` rounds,
keeping the fastest of each. Wall seconds are taken by this process around each child;
CPU seconds are the child's own (and its workers'), which the machine's other load
disturbs less. Prints a Markdown table and writes it to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"


def independent_lengths(region: Path) -> tuple[float, float]:
    """Total river length inside the region, measured without hzgeo: shapely's
    intersection with the city in the projected CRS, then planar metres (as overlay
    measures its pieces) and geodesic metres (pyproj.Geod on GRS80, the CGCS2000
    ellipsoid, on the lon/lat vertices of the intersection, as hzgeo reports)."""
    import geopandas
    import shapely
    from pyproj import Geod

    rivers = geopandas.read_file(region / "rivers.gpkg", layer="rivers")
    city = geopandas.read_file(region / "region.gpkg", layer="city").to_crs(rivers.crs)
    inside = shapely.intersection(rivers.geometry.values, shapely.union_all(city.geometry.values))
    planar = float(shapely.length(inside).sum())
    lonlat = geopandas.GeoSeries(inside, crs=rivers.crs).to_crs("EPSG:4490")
    geod = Geod(ellps="GRS80")
    geodesic = sum(geod.geometry_length(g) for g in lonlat.values if not g.is_empty)
    return planar, geodesic


def length_errors(method: str, region: Path, out: Path) -> tuple[float, dict]:
    """River km inside the region and each level's error, counted once, from the output.

    Outside the timed processes, against :func:`independent_lengths` (not hzgeo's own
    ``river_lengths``): hzgeo's ``length_m`` are geodesic and only ``primary`` rows count;
    overlay's pieces are planar and every piece counts, as an analyst would sum.
    """
    import geopandas

    planar, geodesic = independent_lengths(region)
    truth = geodesic if method == "hzgeo" else planar
    errors = {}
    for level in ("village", "township", "county"):
        frame = geopandas.read_file(out, layer=f"reaches_{level}")
        if method == "hzgeo":
            frame = frame[frame["primary"]]
        errors[level] = float(frame["length_m"].sum() / truth - 1)
    return truth / 1000, errors


def run_once(script: str, region: Path, *args: str) -> dict:
    """One process of a benchmark script; its JSON line, with the wall time around it."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(HERE / script), str(region), *args],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


def same_output(one: Path, other: Path) -> float:
    """The largest difference between two hzgeo outputs (coordinates and numbers); raises
    if a layer, column, row count or text differs."""
    import numpy as np
    import pyogrio
    import shapely

    worst = 0.0
    for name, _ in pyogrio.list_layers(one):
        a = pyogrio.read_dataframe(one, layer=name)
        b = pyogrio.read_dataframe(other, layer=name)
        if list(a.columns) != list(b.columns) or len(a) != len(b):
            raise AssertionError(f"{name}: columns or rows differ")
        for column in a.columns:
            if column == "geometry":
                x, y = (shapely.get_coordinates(f.geometry.values) for f in (a, b))
                worst = max(worst, float(np.abs(x - y).max(initial=0.0)))
            elif a[column].dtype.kind == "f":
                diff = np.abs(a[column].to_numpy() - b[column].to_numpy())
                worst = max(worst, float(diff[~np.isnan(diff)].max(initial=0.0)))
            elif a[column].astype(str).tolist() != b[column].astype(str).tolist():
                raise AssertionError(f"{name}.{column} differs")
    return worst


def run_all(region: Path, repeat: int, workers: list[int], floor: bool) -> dict:
    """Best of ``repeat`` rounds; each round runs every method one after the other, so
    that the machine's slow and fast spells hit all alike."""
    best: dict[str, dict] = {}
    done = region / "out_hzgeo.gpkg"
    keys = ["overlay", "hzgeo", *(f"dist{w}" for w in workers)]
    if floor:
        keys += ["floor", "bare"]
    for _ in range(repeat):
        for key in keys:
            if key in ("overlay", "hzgeo"):
                out = region / f"out_{key}.gpkg"
                out.unlink(missing_ok=True)
                result, time_key = run_once(f"run_{key}.py", region, str(out)), "wall"
            elif key.startswith("dist"):
                out = region / f"out_{key}.gpkg"
                out.unlink(missing_ok=True)
                result = run_once("run_distributed.py", region, str(out), key[4:])
                time_key = "wall"
            else:  # the floor writes hzgeo's output of this round again
                flags = ("--bare",) if key == "bare" else ()
                result, time_key = run_once("floor.py", region, str(done), *flags), "floor_s"
            if key not in best or result[time_key] < best[key][time_key]:
                best[key] = result
    for method in ("overlay", "hzgeo"):
        best[method]["river_km"], best[method]["length_error"] = length_errors(
            method, region, region / f"out_{method}.gpkg")
    for w in workers:
        best[f"dist{w}"]["diff"] = same_output(done, region / f"out_dist{w}.gpkg")
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, nargs="*", default=[50000, 200000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4],
                        help="also run segment_waters(workers=N) for each N")
    parser.add_argument("--floor", action="store_true",
                        help="also measure the floor (benchmarks/floor.py)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    args = parser.parse_args(argv)
    rows, floors = [], []
    for n in args.villages:
        region = WORK / str(n)
        if not (region / "rivers.gpkg").exists():
            subprocess.run([sys.executable, str(HERE / "make_region.py"), "--villages", str(n),
                            "--out", str(region)], check=True)
        best = run_all(region, args.repeat, args.workers, args.floor)
        for method in ("overlay", "hzgeo", *(f"dist{w}" for w in args.workers)):
            r = best[method]
            if method in ("overlay", "hzgeo"):
                note = f"{r['river_km']:,.0f} km; length error " + ", ".join(
                    f"{k} {0.0 if abs(v) < 1e-9 else v:+.2%}"  # float noise is 0
                    for k, v in sorted(r["length_error"].items()))
                name = "geopandas.overlay per level" if method == "overlay" \
                    else "hzgeo segment"
            else:
                note = (f"segment_waters {r['segment_s']:.2f} s (cluster start included); "
                        f"largest difference from hzgeo segment's output {r['diff']:.1e}")
                name = f"hzgeo, {r['workers']} dask worker(s)"
            rows.append(f"| {n:,} | {name} | {r['wall']:.2f} | {r['cpu_s']:.2f} | "
                        f"{r['peak_mib']:.0f} | {note} |")
            print(rows[-1], flush=True)
        if args.floor:
            f, bare = best["floor"], best["bare"]
            floors.append(f"| {n:,} | {best['overlay']['seconds']:.2f} | "
                          f"{best['hzgeo']['seconds']:.2f} | {f['floor_s']:.2f} | "
                          f"{f['import_s']:.2f} | {f['read_s']:.2f} | {f['write_s']:.2f} | "
                          f"{bare['floor_s']:.2f} |")
    command = "python benchmarks/bench.py " + " ".join(argv if argv is not None
                                                      else sys.argv[1:])
    table = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; one invocation "
        f"(`{command.strip()}`), best of {args.repeat} round(s); load average before the "
        f"run {LOAD_BEFORE}.", "",
        "| villages | method | wall s | CPU s | peak MiB | notes |",
        "| ---: | --- | ---: | ---: | ---: | --- |", *rows, ""]
    if floors:
        table += [
            "The floor: what any single-process implementation writing hzgeo's layers pays "
            "before computing anything (benchmarks/floor.py).", "",
            "| villages | overlay s | hzgeo s | floor s | import | read | write | bare floor s |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *floors, ""]
    args.out.write_text("\n".join(table))
    print("\n".join(table))
    return 0


LOAD_BEFORE = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") \
    else "unknown"

if __name__ == "__main__":
    sys.exit(main())
