"""The floor under any single-process segmentation with hzgeo's output: import, read, write.

    python benchmarks/floor.py REGION_DIR HZGEO_OUTPUT.gpkg [--bare]

Times, in one fresh process, only what every implementation must do besides computing:
start Python and import hzgeo's command line, read the region as ``hzgeo segment`` does, and
write the layers of an existing hzgeo output (read back first, outside the clock) to a new
GeoPackage with the same writer. ``--bare`` gives the lowest floor we know: the region read
with plain ``pyogrio.read_dataframe`` (no checks), and only the three reach layers with only
the columns the segmentation issue requires. Prints one JSON line with the parts and their
sum.
"""

import json
import os
import sys
import tempfile
import time

start = time.perf_counter()

from hzgeo.inputs import load  # noqa: E402

t_import = time.perf_counter() - start
region, done = sys.argv[1], sys.argv[2]
bare = "--bare" in sys.argv[3:]

import pyogrio  # noqa: E402

t = time.perf_counter()
if bare:
    for layer in ("city", "county", "township", "village"):
        pyogrio.read_dataframe(f"{region}/region.gpkg", layer=layer)
    pyogrio.read_dataframe(f"{region}/rivers.gpkg", layer="rivers")
else:
    load(f"{region}/region.gpkg", f"{region}/rivers.gpkg", holders="none")
t_read = time.perf_counter() - t

from hzgeo.output import read_layer_names, write_layers  # noqa: E402

REQUIRED = ["reach_code", "reach_name", "river_code", "river_name", "level", "admin_code",
            "admin_name", "parent_reach_code", "length_m", "from_km", "to_km", "start_desc",
            "end_desc", "boundary", "shared_with", "synthetic", "geometry"]
names = [n for n in read_layer_names(done) if n.startswith("reaches_")] if bare \
    else read_layer_names(done)
layers = {name: pyogrio.read_dataframe(done, layer=name) for name in names}
if bare:
    layers = {name: frame[REQUIRED] for name, frame in layers.items()}
with tempfile.TemporaryDirectory() as tmp:
    t = time.perf_counter()
    write_layers(layers, os.path.join(tmp, "out.gpkg"))
    t_write = time.perf_counter() - t
print(json.dumps({"import_s": round(t_import, 3), "read_s": round(t_read, 3),
                  "write_s": round(t_write, 3), "floor_s": round(t_import + t_read + t_write, 3),
                  "bare": bare}))
