"""write_layers hands GDAL whole columns (hzgeo/_arrow.py): the file must be the one
pyogrio's own feature-by-feature writer makes, read back field by field."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from hzgeo import _arrow
from hzgeo.output import GPKG_OPTIONS, write_layers


def _frame(geometry):
    n = len(geometry)
    return gpd.GeoDataFrame({
        "code": [f"45080200100{i}" for i in range(n)],
        "name": ["甲村", "乙村与丙村交界处", "", "社区"][:n],
        "main": [True, False, True, True][:n],
        "length_m": [1.5, 0.1 + 0.2, 1e-300, 12345.678901234567][:n],
        "count": np.array([1, -2, 2**40, 0][:n], dtype=np.int64),
    }, geometry=geometry, crs="EPSG:4490")


LINES = [shapely.LineString([(109.1, 23.1), (109.2, 23.15), (109.3, 23.1)]),
         shapely.MultiLineString([[(109.3, 23.1), (109.4, 23.2)],
                                  [(109.5, 23.2), (109.6, 23.3)]]),
         shapely.LineString([(109.6, 23.3), (109.7, 23.3)]),
         shapely.LineString([(109.7, 23.3), (109.8, 23.4), (109.9, 23.4)])]
POLYGONS = [shapely.box(109, 23, 109.1, 23.1), shapely.box(109.1, 23, 109.2, 23.1),
            shapely.MultiPolygon([shapely.box(109.2, 23, 109.3, 23.1),
                                  shapely.box(109.4, 23, 109.5, 23.1)])]
POINTS = [shapely.Point(109.1, 23.1), shapely.Point(109.2, 23.2)]
#: LineStrings only (reaches): their WKB is made from the coordinates
ONLY_LINES = [LINES[0], LINES[2], LINES[3],
              shapely.LineString([(109.9, 23.4), (110.0, 23.5), (110.1, 23.4), (110.2, 23.5)])]


def _by_pyogrio(frame, path, layer, kind):
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", geometry_type=kind,
                            promote_to_multi=kind.startswith("Multi"),
                            dataset_options=GPKG_OPTIONS)


@pytest.mark.parametrize(("geometry", "kind"), [(LINES, "MultiLineString"),
                                                (ONLY_LINES, "MultiLineString"),
                                                (POLYGONS, "MultiPolygon"),
                                                (POINTS, "Point")])
def test_columns_written_as_the_feature_writer_writes_them(tmp_path, geometry, kind):
    frame = _frame(geometry)
    assert _arrow.arrow_stream(frame, kind) is not None  # the column path is taken
    ours, theirs = tmp_path / "ours.gpkg", tmp_path / "theirs.gpkg"
    write_layers({"layer": frame}, ours)
    _by_pyogrio(frame, theirs, "layer", kind)
    a, b = pyogrio.read_info(ours, layer="layer"), pyogrio.read_info(theirs, layer="layer")
    for key in ("fields", "dtypes", "ogr_types", "ogr_subtypes"):
        assert list(a[key]) == list(b[key]), key
    for key in ("geometry_type", "geometry_name", "crs", "features", "fid_column"):
        assert a[key] == b[key], key
    assert a["geometry_type"] == kind
    got, want = pyogrio.read_dataframe(ours), pyogrio.read_dataframe(theirs)
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), want.drop(columns="geometry"))
    assert got["main"].tolist() == [True, False, True, True][:len(frame)]
    assert got["length_m"].tolist() == frame["length_m"].tolist()  # exact doubles
    assert got["name"].tolist() == frame["name"].tolist()
    assert shapely.equals_exact(got.geometry.values, want.geometry.values, 0).all()
    assert set(got.geom_type) == {kind}


def test_frames_it_does_not_take_are_written_the_feature_way(tmp_path):
    lines = _frame(LINES)
    odd = {
        "missing text": lines.assign(name=["甲村", None, "丙", "丁"]),
        "mixed geometry": _frame([LINES[0], POLYGONS[0], LINES[2], LINES[3]]),
        "empty geometry": _frame([LINES[0], shapely.LineString(), LINES[2], LINES[3]]),
        "object column": lines.assign(code=[1, "2", 3.0, None]),
    }
    for why, frame in odd.items():
        kind = "MultiLineString" if why != "mixed geometry" else "Unknown"
        assert _arrow.arrow_stream(frame, kind) is None, why
        ours, theirs = tmp_path / f"{why}.gpkg", tmp_path / f"{why} pyogrio.gpkg"
        write_layers({"layer": frame}, ours)
        back = pyogrio.read_dataframe(ours)
        assert len(back) == len(frame), why
        if why == "missing text":
            assert back["name"].isna().tolist() == [False, True, False, False]
        if why != "mixed geometry":
            _by_pyogrio(frame, theirs, "layer", kind)
            want = pyogrio.read_dataframe(theirs)
            pd.testing.assert_frame_equal(back.drop(columns="geometry"),
                                          want.drop(columns="geometry"))


def test_several_layers_in_one_file(tmp_path):
    path = tmp_path / "out.gpkg"
    table = pd.DataFrame({"river_code": ["R1", "R2"], "length_m": [1.0, 2.0]})
    write_layers({"lines": _frame(LINES), "polygons": _frame(POLYGONS), "table": table,
                  "empty": _frame(LINES).iloc[:0]}, path)
    assert dict(pyogrio.list_layers(path)) == {"lines": "MultiLineString",
                                               "polygons": "MultiPolygon", "table": None,
                                               "empty": "Unknown"}  # (no rows, no type)
    assert pyogrio.read_dataframe(path, layer="table")["river_code"].tolist() == ["R1", "R2"]


@pytest.mark.parametrize("rows", [1, 3])
def test_batches_write_the_rows_of_one_batch(tmp_path, rows):
    """The stream is cut into batches (their items let go one batch at a time): the
    layer is the one written from a single batch, row for row."""
    frame = _frame(LINES)
    whole, cut = tmp_path / "whole.gpkg", tmp_path / "cut.gpkg"
    for path, batch_rows in ((whole, len(frame)), (cut, rows)):
        pyogrio.write_arrow(_arrow.arrow_stream(frame, "MultiLineString", batch_rows), path,
                            layer="layer", driver="GPKG", geometry_name=_arrow.GEOMETRY_COLUMN,
                            geometry_type="MultiLineString", crs="EPSG:4490",
                            dataset_options=GPKG_OPTIONS)
    got, want = pyogrio.read_dataframe(cut), pyogrio.read_dataframe(whole)
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), want.drop(columns="geometry"))
    assert shapely.equals_exact(got.geometry.values, want.geometry.values, 0).all()
    assert got["code"].tolist() == frame["code"].tolist()


def test_lines_wkb_made_from_coordinates_is_shapelys():
    """LineStrings' WKB as one-part MultiLineStrings, made in numpy: byte for byte what
    to_wkb (2D) with the multi header in front gives, a Z dropped as to_wkb drops it."""
    lines = np.array([*ONLY_LINES, shapely.LineString([(1.0, 2.0, 3.0), (4.0, 5.0, 6.0)])])
    made = _arrow._one_part_lines(lines)
    want = [_arrow._MULTI_HEADER["LineString"] + w
            for w in shapely.to_wkb(lines, byte_order=1, output_dimension=2).tolist()]
    assert made.lengths.tolist() == [len(w) for w in want]
    assert bytes(made.data) == b"".join(want)


@pytest.mark.parametrize("points", [1, 3, 7, 1000])
def test_lines_wkb_made_a_few_points_at_a_time_is_shapelys(monkeypatch, points):
    """Made a few points at a time (lines longer than a step, lines that end a step
    early), the WKB is still to_wkb's with the multi header in front, byte for byte."""
    rng = np.random.default_rng(3)
    lines = np.array([shapely.LineString(rng.uniform(100, 120, (n, 2)))
                      for n in (2, 9, 3, 2, 17, 4, 2)])
    monkeypatch.setattr(_arrow, "_POINTS", points)
    made = _arrow._one_part_lines(lines)
    want = [_arrow._MULTI_HEADER["LineString"] + w
            for w in shapely.to_wkb(lines, byte_order=1, output_dimension=2).tolist()]
    assert made.lengths.tolist() == [len(w) for w in want]
    assert bytes(made.data) == b"".join(want)


def test_batches_hold_at_most_a_batch_of_points(tmp_path, monkeypatch):
    """Long lines (a county's few reaches hold every vertex of its rivers) are cut into
    batches of at most ``_POINTS`` points, a line longer than that alone in its batch,
    and at most ``BATCH_ROWS`` rows: the file is the one written from a single batch."""
    xy = np.cumsum(np.ones((5, 150_000, 2)) * 1e-6, axis=1) + 109
    long = gpd.GeoDataFrame({"code": list("ABCDE"), "length_m": np.arange(5.0)},
                            geometry=shapely.linestrings(xy), crs="EPSG:4490")
    long.loc[4, "geometry"] = shapely.LineString(xy[4, :50])
    made = list(_arrow.arrow_batches(long, "MultiLineString"))
    assert [batch.length for _, batch in made] == [1, 1, 1, 2]  # 150,000 + 150,000 > 262,144
    short = _frame(LINES)
    rows = [batch.length for _, batch in _arrow.arrow_batches(
        pd.concat([short] * 3000, ignore_index=True), "MultiLineString")]
    assert rows == [_arrow.BATCH_ROWS] * (12_000 // _arrow.BATCH_ROWS) + \
        [12_000 % _arrow.BATCH_ROWS] * bool(12_000 % _arrow.BATCH_ROWS)
    cut, whole = tmp_path / "cut.gpkg", tmp_path / "whole.gpkg"
    write_layers({"layer": long}, cut)
    monkeypatch.setattr(_arrow, "_POINTS", 10**9)  # the reference: one batch
    assert len(list(_arrow.arrow_batches(long, "MultiLineString", len(long)))) == 1
    pyogrio.write_arrow(_arrow.arrow_stream(long, "MultiLineString", len(long) * 10**6), whole,
                        layer="layer", driver="GPKG", geometry_name=_arrow.GEOMETRY_COLUMN,
                        geometry_type="MultiLineString", crs="EPSG:4490",
                        dataset_options=GPKG_OPTIONS)
    got, want = pyogrio.read_dataframe(cut), pyogrio.read_dataframe(whole)
    pd.testing.assert_frame_equal(got.drop(columns="geometry"), want.drop(columns="geometry"))
    assert shapely.equals_exact(shapely.get_geometry(got.geometry.values, 0),
                                long.geometry.values, 0).all()
    assert shapely.equals_exact(got.geometry.values, want.geometry.values, 0).all()
