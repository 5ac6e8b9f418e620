"""Write result layers: one GeoPackage with many layers, through the atomic writer.

Examples
--------
>>> import tempfile, pathlib, geopandas, shapely
>>> path = pathlib.Path(tempfile.mkdtemp()) / "out.gpkg"
>>> frame = geopandas.GeoDataFrame({"code": ["A"]}, geometry=[shapely.Point(109, 23)],
...                                crs="EPSG:4490")
>>> mixed = geopandas.GeoDataFrame({"code": ["A", "B"]}, crs="EPSG:4490",
...     geometry=[shapely.Point(109, 23), shapely.box(109, 23, 110, 24)])
>>> write_layers({"points": frame, "empty": frame.iloc[:0], "mixed": mixed}, path)
>>> sorted(read_layer_names(path))
['empty', 'mixed', 'points']
"""

from __future__ import annotations

import os
import warnings

import geopandas as gpd
import pandas as pd
import pyogrio

from hzgeo._arrow import GEOMETRY_COLUMN, arrow_stream
from hzgeo.atomic import AtomicOutputs, atomic_outputs, check_output_path

__all__ = ["GPKG_OPTIONS", "read_layer_names", "write_layers"]

#: GDAL options for every GeoPackage hzgeo writes: version 1.2, which GDAL 3.6 and older
#: QGIS read without "user_version ... 1.4.0 may only be partially supported" (GDAL 3.7+
#: writes 1.4 by default; hzgeo uses nothing of 1.3/1.4).
GPKG_OPTIONS = {"VERSION": "1.2"}

#: GDAL's Arrow writer (GDAL 3.8+; pyogrio's wheels carry a newer one).
_ARROW_WRITE = pyogrio.__gdal_version__ >= (3, 8, 0)

_GEOMETRY_TYPE = {"LineString": "MultiLineString", "MultiLineString": "MultiLineString",
                  "Polygon": "MultiPolygon", "MultiPolygon": "MultiPolygon",
                  "Point": "Point"}


def _write_one(frame, tmp, layer: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if isinstance(frame, gpd.GeoDataFrame):
            # one geometry type per layer where the rows allow it (promoted to multi),
            # else a generic geometry layer (a defects layer holds points and polygons)
            kinds = {_GEOMETRY_TYPE.get(t, "Unknown") for t in frame.geom_type.dropna().unique()}
            kind = kinds.pop() if len(kinds) == 1 else "Unknown"
            stream = arrow_stream(frame, kind) if _ARROW_WRITE and kind != "Unknown" else None
            if stream is not None:  # whole columns at a time: the same file, faster
                pyogrio.write_arrow(stream, tmp, layer=layer, driver="GPKG",
                                    geometry_name=GEOMETRY_COLUMN, geometry_type=kind,
                                    crs=_crs_text(frame.crs), dataset_options=GPKG_OPTIONS)
                return
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG",
                                    geometry_type=kind if kind != "Unknown" else None,
                                    promote_to_multi=kind.startswith("Multi"),
                                    dataset_options=GPKG_OPTIONS)
        else:
            pyogrio.write_dataframe(pd.DataFrame(frame), tmp, layer=layer, driver="GPKG",
                                    dataset_options=GPKG_OPTIONS)


def _crs_text(crs) -> str | None:
    """The CRS as pyogrio's own writer passes it to GDAL: ``EPSG:n`` where there is one."""
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt("WKT1_GDAL")


def write_layers(layers: dict, path: str | os.PathLike, *,
                 outputs: AtomicOutputs | None = None) -> None:
    """Write ``{layer name: (Geo)DataFrame}`` to one GeoPackage, all or nothing.

    With ``outputs`` the file joins that set of outputs (moved into place with them).

    Raises
    ------
    InputError
        ``path`` does not end in ``.gpkg``, is an existing folder, is not writable.
    """
    check_output_path(path, suffixes=(".gpkg",), option="the output")
    if outputs is None:
        with atomic_outputs() as own:
            write_layers(layers, path, outputs=own)
        return
    tmp = outputs.path(path)
    for layer, frame in layers.items():
        _write_one(frame, tmp, layer)


def read_layer_names(path: str | os.PathLike) -> list[str]:
    """Layer names of a GeoPackage."""
    return [name for name, _ in pyogrio.list_layers(path)]
