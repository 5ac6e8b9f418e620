"""The floor under any single-process segmentation with hzgeo's output: import, read, write.

    python benchmarks/floor.py REGION_DIR HZGEO_OUTPUT.gpkg

Times, in one fresh process, only what every implementation must do besides computing:
start Python and import hzgeo's command line, read the region as ``hzgeo segment`` does, and
write the layers of an existing hzgeo output (read back first, outside the clock) to a new
GeoPackage with the same writer. Prints one JSON line with the three parts and their sum.
"""

import json
import os
import sys
import tempfile
import time

start = time.perf_counter()

from hzgeo.cli import load_inputs  # noqa: E402

t_import = time.perf_counter() - start
region, done = sys.argv[1], sys.argv[2]
t = time.perf_counter()
load_inputs((f"{region}/region.gpkg",), (f"{region}/rivers.gpkg",), (), (), None, False)
t_read = time.perf_counter() - t

import pyogrio  # noqa: E402

from hzgeo.output import read_layer_names, write_layers  # noqa: E402

layers = {name: pyogrio.read_dataframe(done, layer=name) for name in read_layer_names(done)}
with tempfile.TemporaryDirectory() as tmp:
    t = time.perf_counter()
    write_layers(layers, os.path.join(tmp, "out.gpkg"))
    t_write = time.perf_counter() - t
print(json.dumps({"import_s": round(t_import, 3), "read_s": round(t_read, 3),
                  "write_s": round(t_write, 3), "floor_s": round(t_import + t_read + t_write, 3)}))
