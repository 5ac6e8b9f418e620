"""A corpus of bad (and odd but usable) inputs, generated into a folder by code.

Each :class:`Case` writes its files with ``build(folder)`` and returns the command-line
arguments that feed them; ``expect`` says, per command, what the command must do. The
inputs are the toy region of ``toy.py`` (four 1 km villages in EPSG:4546) and two
rivers, altered in one way per case, so the whole corpus runs in seconds.

To run a case through another command, add it to :data:`COMMANDS` (how it is given an
output) and one line to the case's ``expect``.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer
from toy import CRS, X0, Y0, box, line, make_boundaries

#: How each command is given its output, under a folder of its own.
COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "segment": lambda out: ["--out", str(out / "s.gpkg")],
    "check": lambda out: ["--out", str(out / "c.gpkg")],
    "run": lambda out: ["--out", str(out / "run")],
}
#: The commands that need both boundaries and rivers, and segment them.
SEGMENTING = ("segment", "run")


@dataclass(frozen=True)
class Expect:
    """What a command does with a case.

    ``status`` 2: one error message on stderr containing every fragment of ``says``, a
    ``what to do``, no traceback, nothing written. 1: defects listed, ``--out`` holds a
    ``defects`` layer with a row whose code is in ``codes``. 0: the output is written and
    stdout contains every fragment of ``says`` (the notes).
    """

    status: int
    says: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()  # arguments for this command only


@dataclass
class Case:
    name: str
    build: Callable[[Path], list[str]]
    expect: dict[str, Expect] = field(default_factory=dict)
    #: checks on a successful command's output folder: f(out, command)
    then: Callable[[Path, str], None] | None = None
    #: the output arguments, when the case is about them: f(out, command) -> ["--out", ...]
    out: Callable[[Path, str], list[str]] | None = None


def error(*says: str, extra: tuple[str, ...] = ()) -> Expect:
    return Expect(2, says, extra=extra)


def everywhere(expect: Expect, commands=("segment", "check", "run")) -> dict[str, Expect]:
    return dict.fromkeys(commands, expect)


# --------------------------------------------------------------------------- inputs

V = make_boundaries()["village"]["code"].tolist()
_TO_LONLAT = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True)


def levels() -> dict[str, gpd.GeoDataFrame]:
    """The toy boundaries, one frame per level (fresh copies)."""
    return {lvl: frame.copy() for lvl, frame in make_boundaries().levels.items()}


def rivers() -> gpd.GeoDataFrame:
    """Two rivers: R1 across the four villages, R2 flowing into it in 二村."""
    return gpd.GeoDataFrame(
        {"river_code": ["R1", "R2"], "name": ["甲河", "乙河"], "flows_into": ["", "R1"],
         "accuracy_m": [10.0, 10.0]},
        geometry=[line((-500, 500), (1500, 450), (4500, 500)),
                  line((1500, 950), (1400, 700), (1500, 450))], crs=CRS)


def write_boundaries(folder: Path, frames=None, name: str = "b.gpkg", **kwargs) -> Path:
    path = folder / name
    for level, frame in (frames or levels()).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame.to_file(path, layer=level, **kwargs)
    return path


def write_rivers(folder: Path, frame=None, name: str = "r.gpkg", **kwargs) -> Path:
    path = folder / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        (rivers() if frame is None else frame).to_file(path, layer="rivers", **kwargs)
    return path


_GOOD: dict[str, bytes] = {}


def _good(folder: Path, name: str, write: Callable[[Path], Path]) -> str:
    """The good toy file ``name`` in ``folder`` (written once, then copied: fast)."""
    if name not in _GOOD:
        with tempfile.TemporaryDirectory() as tmp:
            _GOOD[name] = write(Path(tmp)).read_bytes()
    (folder / name).write_bytes(_GOOD[name])
    return str(folder / name)


def inputs(folder: Path, boundaries=None, waters=None, *more: str) -> list[str]:
    """``--boundaries``/``--waters`` arguments; the good toy files where not given."""
    b = boundaries if boundaries is not None else _good(folder, "b.gpkg", write_boundaries)
    w = waters if waters is not None else _good(folder, "r.gpkg", write_rivers)
    return ["--boundaries", str(b), "--waters", str(w), *more]


def villages_only(folder: Path, frame: gpd.GeoDataFrame, name: str = "cun.gpkg", **kw) -> str:
    path = folder / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (RuntimeWarning, UserWarning))
        frame.to_file(path, **kw)
    return f"village={path}"


def with_village(change: Callable[[gpd.GeoDataFrame], None]) -> Callable[[Path], list[str]]:
    """A case whose boundaries differ from the toy's by ``change(villages)``."""
    def build(folder: Path) -> list[str]:
        frames = levels()
        change(frames["village"])
        return inputs(folder, write_boundaries(folder, frames))
    return build


def lonlat(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_LONLAT.transform(*xy.T)))


def set_geometry(frame, i, geom) -> None:
    values = frame.geometry.values.copy()
    values[i] = geom
    frame.geometry = values


BOWTIE = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0),
                          (X0, Y0 + 1000)])
SPIKE = shapely.Polygon([(X0 + 1000, Y0), (X0 + 2000, Y0), (X0 + 2000, Y0 + 1000),
                         (X0 + 1500, Y0 + 1000), (X0 + 1500, Y0 + 1300),
                         (X0 + 1500, Y0 + 1000), (X0 + 1000, Y0 + 1000)])


def _frame_of(rows, geoms, crs=CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=crs)


# --------------------------------------------------------------------------- builders


def missing_file(folder):
    return inputs(folder, folder / "nope.gpkg")


def missing_rivers_file(folder):
    return inputs(folder, None, folder / "he.gpkg")


def unreadable_file(folder):
    (folder / "broken.gpkg").write_bytes(b"SQLite format 3\x00 but then nothing")
    return inputs(folder, folder / "broken.gpkg")


def wrong_format(folder):
    """A table of codes and names: no geometry (--boundaries village=cun.csv)."""
    pd.DataFrame({"code": V, "name": ["一村", "二村", "三村", "四村"]}).to_csv(
        folder / "cun.csv", index=False)
    return inputs(folder, f"village={folder / 'cun.csv'}")


def gbk_table(folder):
    """The same table saved by Excel on a Chinese Windows: GBK-encoded (was a raw
    UnicodeDecodeError)."""
    pd.DataFrame({"代码": V, "名称": ["一村", "二村", "三村", "四村"]}).to_csv(
        folder / "cun_gbk.csv", index=False, encoding="gbk")
    return inputs(folder, f"village={folder / 'cun_gbk.csv'}")


def gbk_table_as_rivers(folder):
    pd.DataFrame({"河流名称": ["甲河"]}).to_csv(folder / "he.csv", index=False, encoding="gbk")
    return inputs(folder, None, folder / "he.csv")


def spreadsheet_as_rivers(folder):
    (folder / "rivers.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return inputs(folder, None, folder / "rivers.xlsx")


def missing_layer(folder):
    return [*inputs(folder), "--layers", "village=cunji"]


def layers_unknown_level(folder):
    return [*inputs(folder), "--layers", "vilage=village"]


def missing_column(folder):
    frames = levels()
    frames["village"] = frames["village"].rename(columns={"code": "dm"})
    return inputs(folder, write_boundaries(folder, frames))


def misspelt_column(folder):
    frame = levels()["village"].rename(columns={"code": "XZQDM"})
    return [*inputs(folder, villages_only(folder, frame)), "--columns", "code=XZQMD"]


def unknown_column_key(folder):
    return [*inputs(folder), "--columns", "river_nmae=HLMC"]


def rivers_without_name(folder):
    frame = rivers().rename(columns={"name": "HLMX"})
    return inputs(folder, None, write_rivers(folder, frame))


def no_crs(folder):
    frame = levels()["village"].set_crs(None, allow_override=True)
    return inputs(folder, villages_only(folder, frame, "cun.shp"))


def degrees_labelled_projected(folder):
    frame = levels()["village"]
    frame = frame.set_geometry(lonlat(frame.geometry.values)).set_crs(CRS, allow_override=True)
    return inputs(folder, villages_only(folder, frame))


def crs_option_for_degree_data(folder):
    """--crs EPSG:4546 given for a lon/lat file (which declares EPSG:4490)."""
    frame = levels()["village"].to_crs("EPSG:4490")
    return [*inputs(folder, villages_only(folder, frame)), "--crs", "EPSG:4546"]


def eastings_with_zone_number(folder):
    frame = levels()["village"]
    frame = frame.set_geometry(frame.translate(37_000_000, 0))
    return inputs(folder, villages_only(folder, frame))


def eastings_without_zone_number(folder):
    frame = levels()["village"].set_crs("EPSG:4525", allow_override=True)
    return inputs(folder, villages_only(folder, frame))


def swapped_axes(folder):
    frame = levels()["village"].to_crs("EPSG:4490")
    frame = frame.set_geometry(shapely.transform(frame.geometry.values, lambda xy: xy[:, ::-1]))
    return inputs(folder, villages_only(folder, frame))


def region_metres_across(folder):
    """Coordinates in kilometres labelled as metres: a county 4 m across."""
    frame = levels()["village"]
    frame = frame.set_geometry(shapely.transform(frame.geometry.values, lambda xy: xy / 1000))
    return inputs(folder, villages_only(folder, frame))


def unknown_crs_option(folder):
    return [*inputs(folder), "--crs", "EPSG:99999"]


def unknown_encoding(folder):
    return [*inputs(folder), "--encoding", "GKB"]


def self_intersecting(folder):
    return with_village(lambda v: set_geometry(v, 1, SPIKE))(folder)


def bowtie(folder):
    return with_village(lambda v: set_geometry(v, 0, BOWTIE))(folder)


def unclosed_ring(folder):
    """GeoJSON written by hand, the second village's ring not closed."""
    features = []
    for i, (code, geom) in enumerate(zip(V, levels()["village"].to_crs("EPSG:4326").geometry,
                                         strict=True)):
        ring = [list(p) for p in geom.exterior.coords]
        if i == 1:
            ring = ring[:-1]
        features.append({"type": "Feature", "properties": {"code": code},
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path = folder / "cun.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return inputs(folder, f"village={path}")


def null_geometry(folder):
    return with_village(lambda v: set_geometry(v, 2, None))(folder)


def empty_geometry(folder):
    return with_village(lambda v: set_geometry(v, 3, shapely.Polygon()))(folder)


def points_as_rivers(folder):
    frame = rivers()
    frame = frame.set_geometry(shapely.get_point(frame.geometry.values, 0))
    return inputs(folder, None, write_rivers(folder, frame))


def polygons_as_rivers(folder):
    frame = rivers()
    frame = frame.set_geometry(shapely.buffer(frame.geometry.values, 20))
    return inputs(folder, None, write_rivers(folder, frame))


def lines_as_villages(folder):
    frames = levels()
    frames["village"] = frames["village"].set_geometry(frames["village"].boundary)
    return inputs(folder, write_boundaries(folder, frames))


def nan_coordinates(folder):
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bad = shapely.polygons([(X0, Y0), (X0 + 1000, np.nan), (X0 + 1000, Y0 + 1000),
                                (X0, Y0)])
        return with_village(lambda v: set_geometry(v, 0, bad))(folder)


def infinite_coordinates(folder):
    frame = rivers()
    set_geometry(frame, 1, shapely.LineString([(X0 + 1500, Y0 + 950), (np.inf, Y0 + 450)]))
    return inputs(folder, None, write_rivers(folder, frame))


def duplicate_codes(folder):
    def change(v):
        v.loc[3, "code"] = v.loc[2, "code"]
    return with_village(change)(folder)


def duplicate_river_codes(folder):
    frame = rivers()
    frame.loc[1, "river_code"] = "R1"
    frame.loc[1, "flows_into"] = ""
    return inputs(folder, None, write_rivers(folder, frame))


def codes_not_nested(folder):
    def change(v):
        v.loc[3, "parent_code"] = "450802009"
    return with_village(change)(folder)


def child_outside_parent(folder):
    return with_village(lambda v: set_geometry(v, 1, box(1000, 2100)))(folder)


def zero_length_river(folder):
    frame = rivers()
    set_geometry(frame, 1, shapely.LineString([(X0 + 1500, Y0 + 450)] * 2))
    return inputs(folder, None, write_rivers(folder, frame))


def empty_village_layer(folder):
    frames = levels()
    frames["village"] = frames["village"].iloc[:0]
    return inputs(folder, write_boundaries(folder, frames))


def empty_rivers_layer(folder):
    return inputs(folder, None, write_rivers(folder, rivers().iloc[:0]))


# ----- usable inputs, with a note


def gbk_shapefile_without_cpg(folder):
    frame = levels()["village"].rename(columns={"code": "XZQDM", "name": "村名"})
    frame = frame.assign(乡镇名称=["甲镇", "甲镇", "乙镇", "乙镇"], 县区名称="港北区")
    frame = frame[["XZQDM", "村名", "乡镇名称", "县区名称", "geometry"]]
    spec = villages_only(folder, frame, "cun.shp", encoding="GBK")
    (folder / "cun.cpg").unlink()
    return [*inputs(folder, spec), "--columns", "name=村名"]


def names_in_gbk(out: Path, command: str) -> None:
    if command != "check":
        village = gpd.read_file(_segments(out, command), layer="reaches_village")
        assert {"一村", "四村"} <= set(village["admin_name"]), village["admin_name"]
        township = gpd.read_file(_segments(out, command), layer="reaches_township")
        assert set(township["admin_name"]) == {"甲镇", "乙镇"}


def z_and_m_coordinates(folder):
    frames = levels()
    frames["village"] = frames["village"].set_geometry(
        shapely.force_3d(frames["village"].geometry.values, 50.0))
    frame = rivers()
    measured = shapely.from_wkt([g.wkt.replace("LINESTRING (", "LINESTRING M (")
                                 .replace(",", " 7,").replace(")", " 7)")
                                 for g in frame.geometry.values])
    path = folder / "he.shp"
    pyogrio.raw.write(path, geometry=shapely.to_wkb(measured, flavor="iso"),
                      field_data=[frame[c].to_numpy() for c in
                                  ("river_code", "name", "flows_into", "accuracy_m")],
                      fields=["river_code", "name", "flows_into", "accuracy_m"],
                      geometry_type="Unknown", crs=CRS, driver="ESRI Shapefile",
                      layer_options={"SHPT": "ARCM"}, encoding="UTF-8")
    return inputs(folder, write_boundaries(folder, frames), path)


def existing_output(folder):
    """Earlier outputs stand where this run writes (and a file of the user's beside)."""
    for command in COMMANDS:
        out = folder / "out" / command
        out.mkdir(parents=True)
        (out / "s.gpkg").write_bytes(b"an earlier result")
        (out / "c.gpkg").write_bytes(b"an earlier result")
        (out / "run").mkdir()
        (out / "run" / "segments.gpkg").write_bytes(b"an earlier result")
        (out / "run" / "my notes.txt").write_text("keep me")
    return inputs(folder)


def replaced_whole(out: Path, command: str) -> None:
    if command == "check":
        assert "defects" in [n for n, _ in pyogrio.list_layers(out / "c.gpkg")]
        return
    layers = [n for n, _ in pyogrio.list_layers(_segments(out, command))]
    assert "reaches_village" in layers
    if command == "run":
        assert (out / "run" / "my notes.txt").read_text() == "keep me"


def river_outside_region(folder):
    frame = rivers()
    far = gpd.GeoDataFrame({"river_code": ["R9"], "name": ["远河"], "flows_into": [""],
                            "accuracy_m": [10.0]},
                           geometry=[line((20_000, 500), (25_000, 500))], crs=CRS)
    return inputs(folder, None, write_rivers(folder, pd.concat([frame, far])))


def reaches_of_the_others(out: Path, command: str) -> None:
    if command != "check":
        county = gpd.read_file(_segments(out, command), layer="reaches_county")
        assert set(county["river_code"]) == {"R1", "R2"}


def names_by_codes(folder):
    frame = levels()["village"].drop(columns="name")
    return inputs(folder, villages_only(folder, frame))


def rivers_without_flows_into_or_accuracy(folder):
    frame = rivers().drop(columns=["flows_into", "accuracy_m"])
    set_geometry(frame, 0, line((-500, 500), (4500, 500)))  # one segment 5 km long
    return inputs(folder, None, write_rivers(folder, frame))


def crs_option_mends_a_wrong_label(folder):
    """The file says lon/lat (EPSG:4490) but holds Gauss-Krüger metres: --crs mends it."""
    frame = levels()["village"].set_crs("EPSG:4490", allow_override=True)
    return [*inputs(folder, villages_only(folder, frame)), "--crs", CRS]


def chinese_column_aliases(folder):
    frame = rivers().rename(columns={"river_code": "河流编码", "name": "河流名称",
                                     "flows_into": "汇入河流", "accuracy_m": "精度"})
    frame["汇入河流"] = ["", "甲河"]  # the river flowed into, by name
    frame["干流"] = ["是", "否"]
    return inputs(folder, None, write_rivers(folder, frame))


def aliases_understood(out: Path, command: str) -> None:
    if command != "check":
        county = gpd.read_file(_segments(out, command), layer="reaches_county")
        main = county.groupby("river_code")["main"].first().to_dict()
        assert main == {"R1": True, "R2": False}
        assert any("汇入甲河" in d for d in county.loc[county["river_code"] == "R2", "end_desc"])


def _segments(out: Path, command: str) -> Path:
    return out / "run" / "segments.gpkg" if command == "run" else out / "s.gpkg"


# --------------------------------------------------------------------------- the corpus

CASES: list[Case] = [
    Case("missing file", missing_file, everywhere(error("nope.gpkg: file not found"))),
    Case("missing rivers file", missing_rivers_file, everywhere(error("he.gpkg: file not found"))),
    Case("unreadable file", unreadable_file,
         everywhere(error("broken.gpkg", "cannot be read", "not recognized", "GeoPackage"))),
    Case("table without geometry", wrong_format,
         everywhere(error("cun.csv", "has no geometry", "a CSV has none"))),
    Case("GBK table without geometry", gbk_table,
         everywhere(error("cun_gbk.csv", "has no geometry", "a CSV has none"))),
    Case("GBK table as rivers", gbk_table_as_rivers,
         everywhere(error("he.csv", "has no geometry", "a CSV has none"))),
    Case("spreadsheet as rivers", spreadsheet_as_rivers,
         everywhere(error("rivers.xlsx", "cannot be read"))),
    Case("missing layer", missing_layer,
         everywhere(error("b.gpkg, layer 'cunji': no such layer", "'village'"))),
    Case("--layers names no level", layers_unknown_level,
         everywhere(error("unknown level 'vilage'", "--layers village="))),
    Case("missing column", missing_column,
         everywhere(error("b.gpkg, layer 'village'", "missing column 'code'", "'dm'"))),
    Case("misspelt column", misspelt_column,
         everywhere(error("cun.gpkg", "'XZQMD' (given for 'code') not found",
                          "--columns code=XZQDM"))),
    Case("unknown --columns key", unknown_column_key,
         everywhere(error("unknown column key 'river_nmae'", "--columns river_name="))),
    Case("rivers without a name column", rivers_without_name,
         everywhere(error("r.gpkg, layer 'rivers'", "missing column 'river_name'",
                          "--columns river_name=COLUMN"))),
    Case("no CRS", no_crs, everywhere(error("cun.shp", "has no CRS", "--crs EPSG:4490"))),
    Case("degrees labelled projected", degrees_labelled_projected,
         everywhere(error("cun.gpkg", "EPSG:4546", "degree-sized", "x 110.0", "--crs EPSG:4490"))),
    Case("--crs EPSG:4546 for degree data", crs_option_for_degree_data,
         everywhere(error("cun.gpkg", "degree-sized", "the CRS given with --crs; the file "
                          "declares EPSG:4490", "leave out --crs: the file's own EPSG:4490"))),
    Case("eastings with the zone number", eastings_with_zone_number,
         everywhere(error("cun.gpkg", "EPSG:4546", "37,400,000", "--crs EPSG:4525"))),
    Case("eastings without the zone number", eastings_without_zone_number,
         everywhere(error("cun.gpkg", "EPSG:4525", "outside where that CRS is used",
                          "--crs EPSG:4546"))),
    Case("swapped axes", swapped_axes,
         everywhere(error("cun.gpkg", "EPSG:4490", "swapped"))),
    Case("region a few metres across", region_metres_across,
         everywhere(error("cun.gpkg", "spans only 4 m"))),
    Case("unparseable --crs", unknown_crs_option,
         everywhere(error("--crs 'EPSG:99999'", "EPSG:4490"))),
    Case("unknown --encoding", unknown_encoding,
         everywhere(error("unknown encoding 'GKB'", "did you mean GBK"))),
    Case("negative --min-length", lambda f: [*inputs(f), "--min-length", "-5"],
         everywhere(error("--min-length", "-5", "metres"), SEGMENTING)),
    Case("zero --boundary-tolerance", lambda f: [*inputs(f), "--boundary-tolerance", "0"],
         everywhere(error("--boundary-tolerance", "metres", "than 0"), SEGMENTING)),
    Case("self-intersecting polygon", self_intersecting,
         everywhere(error("b.gpkg", "invalid", V[1], "hzgeo check"), SEGMENTING)
         | {"check": Expect(1, codes=(V[1],))}),
    Case("bow tie", bowtie,
         everywhere(error("b.gpkg", "invalid", V[0], "Self-intersection"), SEGMENTING)
         | {"check": Expect(1, codes=(V[0],))}),
    Case("unclosed ring", unclosed_ring,
         everywhere(error("cun.geojson", "cannot be built", V[1], "close every ring"))),
    Case("null geometry", null_geometry,
         everywhere(error("b.gpkg, layer 'village'", "without geometry", V[2]))),
    Case("empty geometry", empty_geometry,
         everywhere(error("b.gpkg, layer 'village'", "without geometry", V[3]))),
    Case("points where lines belong", points_as_rivers,
         everywhere(error("r.gpkg, layer 'rivers'", "must be LineString", "['Point']", "R1"))),
    Case("polygons where lines belong", polygons_as_rivers,
         everywhere(error("r.gpkg, layer 'rivers'", "must be LineString", "Polygon", "R2"))),
    Case("lines where polygons belong", lines_as_villages,
         everywhere(error("b.gpkg, layer 'village'", "must be Polygon", "LineString", V[0]))),
    Case("NaN coordinates", nan_coordinates,
         everywhere(error("b.gpkg, layer 'village'", "NaN or infinite", V[0]))),
    Case("infinite coordinates", infinite_coordinates,
         everywhere(error("r.gpkg, layer 'rivers'", "NaN or infinite", "R2"))),
    Case("duplicate unit codes", duplicate_codes,
         everywhere(error("b.gpkg", "duplicate", V[2]), SEGMENTING)
         | {"check": Expect(1, codes=(V[2],))}),
    Case("duplicate river codes", duplicate_river_codes,
         everywhere(error("r.gpkg", "rivers", "duplicate", "R1"), SEGMENTING)
         | {"check": Expect(1, codes=("R1",))}),
    Case("codes that do not nest", codes_not_nested,
         everywhere(error("b.gpkg", "village", V[3], "450802009"), SEGMENTING)
         | {"check": Expect(1, codes=(V[3],))}),
    Case("child outside its parent", child_outside_parent,
         everywhere(error("overlap", V[1], V[2]), SEGMENTING)
         | {"check": Expect(1, codes=(V[1],))}),
    Case("zero-length river", zero_length_river,
         everywhere(error("r.gpkg", "rivers", "zero", "R2"), SEGMENTING)
         | {"check": Expect(1, codes=("R2",))}),
    Case("empty village layer", empty_village_layer,
         everywhere(error("b.gpkg, layer 'village'", "empty"))),
    Case("empty rivers layer", empty_rivers_layer,
         everywhere(error("r.gpkg, layer 'rivers'", "empty"))),
    # usable, with a note
    Case("GBK shapefile without .cpg", gbk_shapefile_without_cpg,
         everywhere(Expect(0, ("no .cpg file", "GB18030"))), then=names_in_gbk),
    Case("Z and M coordinates", z_and_m_coordinates,
         everywhere(Expect(0, ("Z (height) coordinates; they were dropped",
                               "M (measure) coordinates; they were dropped"))),
         then=lambda out, command: None),
    Case("output already there", existing_output, everywhere(Expect(0)), then=replaced_whole),
    Case("river wholly outside the region", river_outside_region,
         everywhere(Expect(0, ("no length inside the region", "R9 远河")), SEGMENTING)
         | {"check": Expect(0)}, then=reaches_of_the_others),
    Case("units named by their codes", names_by_codes,
         everywhere(Expect(0, ("named by their codes", "--columns name=",
                               "--columns township_name=")))),
    Case("rivers without flows_into or accuracy_m", rivers_without_flows_into_or_accuracy,
         everywhere(Expect(0, ("no flows_into column", "--columns flows_into=",
                               "5.0 km or more apart", "--columns accuracy_m=")))),
    Case("--crs mends a wrongly labelled file", crs_option_mends_a_wrong_label,
         everywhere(Expect(0, ("declares EPSG:4490", "--crs EPSG:4546", "overrides it")))),
    Case("Chinese column names", chinese_column_aliases, everywhere(Expect(0)),
         then=aliases_understood),
]
