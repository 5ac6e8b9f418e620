"""Loaders: every rule fires on a broken input and stays quiet on good data."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer
from shapely.testing import assert_geometries_equal
from toy import CRS, X0, Y0, box, line, make_boundaries, make_waters

import hzgeo
from hzgeo import DataQualityError, InputError, read_boundaries, read_waters
from hzgeo.io import work_crs_for
from hzgeo.validate import find_defects, validate_boundaries, validate_waters

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def bundled():
    return read_boundaries(), read_waters()


def write_levels(tmp_path, boundaries, **kwargs):
    path = tmp_path / "b.gpkg"
    for level, frame in boundaries.levels.items():
        frame.to_file(path, layer=level, **kwargs)
    return path


def test_bundled_data_loads_and_validates_quietly(bundled):
    boundaries, waters = bundled
    assert list(boundaries.levels) == ["city", "county", "township", "village"]
    validate_boundaries(boundaries)
    validate_waters(waters)
    assert work_crs_for(boundaries["village"]).to_epsg() == 4546


def test_shapefile_per_level_with_other_column_names_and_only_villages(tmp_path, bundled):
    villages = bundled[0]["village"][["code", "name", "geometry"]].rename(
        columns={"code": "XZQDM", "name": "XZQMC"})
    villages.to_file(tmp_path / "cun.shp", encoding="utf-8")
    with pytest.warns(hzgeo.HzgeoWarning, match="township and county level.*named by their "
                                                "codes.*`columns=\\{'township_name'"):
        loaded = read_boundaries({"village": tmp_path / "cun.shp"})
    assert list(loaded.levels) == ["city", "county", "township", "village"]
    assert [len(loaded[lvl]) for lvl in loaded.levels] == [1, 5, 74, 1195]
    assert loaded["village"]["name"].tolist() == bundled[0]["village"]["name"].tolist()
    want_parent = bundled[0]["village"]["parent_code"].tolist()
    assert loaded["village"]["parent_code"].tolist() == want_parent
    want = bundled[0]["township"].set_index("code").to_crs(CRS)
    got = loaded["township"].set_index("code").to_crs(CRS)
    assert set(got.columns) >= {"name", "parent_code", "synthetic", "geometry_source"}
    diff = shapely.symmetric_difference(got.geometry[want.index].values, want.geometry.values)
    assert shapely.area(diff).max() < 1.0  # m²
    validate_boundaries(loaded)
    # the same data through an explicit mapping and a GeoPackage layer name
    renamed = villages.rename(columns={"XZQDM": "DM", "XZQMC": "MC"})
    renamed.to_file(tmp_path / "v.gpkg", layer="村级")
    with pytest.warns(hzgeo.HzgeoWarning, match="named by their codes"):
        again = read_boundaries(tmp_path / "v.gpkg", layers={"village": "村级"},
                                columns={"code": "DM", "name": "MC"})
    assert again["township"]["code"].tolist() == loaded["township"]["code"].tolist()
    assert loaded["township"]["name"].tolist() == loaded["township"]["code"].tolist()


def test_villages_only_with_the_names_of_the_units_above(tmp_path, bundled):
    """A village layer that carries its township's and county's names (乡镇名称, 县区名称,
    as 三调 exports often do) names the derived units; without them they bear their codes."""
    bnd = bundled[0]
    town_name = bnd["township"].set_index("code")["name"]
    county_name = bnd["county"].set_index("code")["name"]
    villages = bnd["village"][["code", "name", "parent_code", "geometry"]].copy()
    villages["乡镇名称"] = town_name[villages["parent_code"]].to_numpy()
    villages["QX"] = county_name[villages["parent_code"].str[:6]].to_numpy()
    villages[["code", "name", "乡镇名称", "QX", "geometry"]].to_file(tmp_path / "cun.gpkg")
    loaded = read_boundaries({"village": tmp_path / "cun.gpkg"}, columns={"county_name": "QX"})
    assert loaded["township"].set_index("code")["name"].to_dict() == town_name.to_dict()
    assert loaded["county"].set_index("code")["name"].to_dict() == county_name.to_dict()
    assert loaded["city"]["name"].tolist() == ["450800"]  # no city name given


def test_missing_file_and_layer(tmp_path, boundaries):
    with pytest.raises(InputError, match=r"nope\.gpkg: file not found"):
        read_boundaries(tmp_path / "nope.gpkg")
    path = write_levels(tmp_path, boundaries)
    with pytest.raises(InputError, match=r"layer 'vilage': no such layer") as err:
        read_boundaries(path, layers={"village": "vilage"})
    assert "did you mean layer 'village'" in str(err.value)


def test_missing_column_suggests_the_closest(tmp_path, boundaries):
    frame = boundaries["village"].rename(columns={"code": "codes"})
    frame.to_file(tmp_path / "v.gpkg", layer="village")
    with pytest.raises(InputError, match="missing column 'code'") as err:
        read_boundaries(tmp_path / "v.gpkg")
    assert "`columns={'code': 'codes'}`" in str(err.value)


def test_no_crs_is_an_error_unless_declared(tmp_path, boundaries):
    frame = boundaries["village"][["code", "name", "geometry"]].set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        frame.to_file(tmp_path / "v.shp")  # a shapefile without .prj
    with pytest.raises(InputError, match="no CRS") as err:
        read_boundaries({"village": tmp_path / "v.shp"})
    assert "`crs`" in str(err.value) and "v.shp" in str(err.value)
    with pytest.warns(hzgeo.HzgeoWarning, match="named by their codes"):
        loaded = read_boundaries({"village": tmp_path / "v.shp"}, crs=CRS)
    assert loaded["village"].crs.to_epsg() == 4546


def test_every_problem_is_reported_at_once(tmp_path, boundaries):
    frame = boundaries["village"].copy()
    frame.loc[1, "code"] = ""  # no code
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        frame.loc[2, "geometry"] = shapely.polygons([(0, 0), (1, np.nan), (1, 1), (0, 0)])
    frame.loc[3, "geometry"] = shapely.Point(400_000, 2_560_000)
    frame.to_file(tmp_path / "v.gpkg", layer="village")
    with pytest.raises(InputError) as err:
        read_boundaries(tmp_path / "v.gpkg")
    text = str(err.value)
    assert "features without a code (features: row 1)" in text
    assert "NaN or infinite coordinates" in text and "450802002001" in text
    assert "geometry must be Polygon or MultiPolygon, found ['Point']" in text
    assert text.count("\n- ") == 3


def test_gcj02_input_is_moved_to_wgs84(tmp_path):
    with pytest.warns(hzgeo.HzgeoWarning, match="no township or village level"):
        counties = read_boundaries({"county": DATA / "guigang_counties_cnmaps_gcj02.geojson"},
                                   columns={"code": "adcode"}, gcj02=True)["county"]
    want = gpd.read_file(DATA / "guigang_counties_cnmaps_wgs84.geojson")
    assert_geometries_equal(counties.geometry.values, want.geometry.values,
                                            tolerance=1e-6)  # degrees: the files' rounding
    with pytest.raises(InputError, match="projected"):
        read_boundaries({"village": write_levels(tmp_path, make_boundaries())},
                        layers={"village": "village"}, gcj02=True)


def test_validate_refuses_defects_naming_the_units(boundaries):
    bad = make_boundaries()
    bowtie = shapely.Polygon([(400_000, 2_560_000), (401_000, 2_561_000),
                              (401_000, 2_560_000), (400_000, 2_561_000)])
    bad["village"].loc[0, "geometry"] = bowtie
    with pytest.raises(DataQualityError, match=r"village: invalid_geometry: 450802001001 "
                                               r"\(Self-intersection") as err:
        validate_boundaries(bad)
    assert "hzgeo check" in str(err.value) and "`fix=True`" in str(err.value)
    overlap = make_boundaries()
    overlap["village"].loc[1, "geometry"] = box(900, 2000)
    with pytest.raises(DataQualityError, match="overlap") as err:
        validate_boundaries(overlap)
    assert "450802001002" in str(err.value)
    orphan = make_boundaries()
    orphan["village"].loc[3, "parent_code"] = "450802009"
    with pytest.raises(DataQualityError, match=r"village: code_mismatch: 450802002002 "
                                               r"\(parent_code '450802009' is no township\)"):
        validate_boundaries(orphan)


def test_defects_say_what_and_where(boundaries):
    """Each defect is a row with its kind, the unit, and where it is (area in m²)."""
    to_local = Transformer.from_crs("EPSG:4490", CRS, always_xy=True)
    bad = make_boundaries()
    bad["village"].loc[0, "geometry"] = shapely.Polygon(
        [(400_000, 2_560_000), (401_000, 2_561_000), (401_000, 2_560_000),
         (400_000, 2_561_000)])  # a bow tie crossing itself at (500, 500)
    bad["village"].loc[1, "geometry"] = box(1000, 2100)  # 100 m x 1 km into 三村
    bad["village"].loc[3, "geometry"] = box(3000, 3900)  # leaves 100 m x 1 km of 乙镇 empty
    defects = find_defects(bad)
    assert defects.crs == "EPSG:4490"
    by_kind = dict(list(defects.groupby("kind")))
    assert set(by_kind) == {"invalid_geometry", "overlap", "outside_parent", "gap"}
    where = shapely.transform(by_kind["invalid_geometry"].geometry.values[0],
                              lambda xy: np.column_stack(to_local.transform(*xy.T)))
    assert_geometries_equal(where, shapely.Point(400_500, 2_560_500), tolerance=1e-3)  # m
    overlap = by_kind["overlap"].iloc[0]
    assert {overlap["code"], overlap["detail"]} == {"450802001002", "overlaps 450802002001"}
    assert overlap["area_m2"] == pytest.approx(100_000, rel=1e-6)
    outside = by_kind["outside_parent"].iloc[0]
    assert (outside["code"], outside["area_m2"]) == ("450802001002", pytest.approx(100_000))
    gaps = by_kind["gap"].set_index("code")["area_m2"]
    # the bow tie covers half its square (as make_valid sees it); 四村 left 100 m empty
    assert gaps.to_dict() == pytest.approx({"450802001": 500_000, "450802002": 100_000},
                                           rel=1e-6)
    assert find_defects(make_boundaries()).empty


def test_waters_rules(tmp_path):
    rivers = gpd.GeoDataFrame({"河流名称": ["甲河", "乙河"]},
                              geometry=[line((0, 0), (10, 0)), line((0, 5), (10, 5))], crs=CRS)
    rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    with pytest.warns(hzgeo.HzgeoWarning, match='no flows_into column.*`columns=."flows_into"'), \
            pytest.warns(hzgeo.HzgeoWarning, match='no main-river flag.*`columns=."main"'):
        waters = read_waters(tmp_path / "r.gpkg")
    assert waters.rivers["name"].tolist() == ["甲河", "乙河"]
    assert waters.rivers["river_code"].tolist() == ["甲河", "乙河"]
    assert waters.lakes.empty
    polys = gpd.GeoDataFrame({"river_code": ["A", "A"], "name": ["x", "y"]},
                             geometry=[box(0, 1), box(1, 2)], crs=CRS)
    polys.to_file(tmp_path / "p.gpkg", layer="rivers")
    with pytest.raises(InputError) as err:
        read_waters(tmp_path / "p.gpkg")
    assert "LineString or MultiLineString, found ['Polygon'] (features: A, A)" in str(err.value)
    twice = hzgeo.Waters(waters.rivers.copy(), waters.lakes)
    twice.rivers.loc[1, "river_code"] = "甲河"  # both parts of one river, not merged
    defects = find_defects(None, twice)
    assert defects[["code", "kind"]].values.tolist() == [["甲河", "duplicate_code"]] * 2
    assert "MultiLineString" in defects["detail"][0]
    with pytest.raises(DataQualityError, match="rivers: duplicate_code: 甲河"):
        validate_waters(twice)
    bad_into = hzgeo.Waters(waters.rivers.copy(), waters.lakes)
    bad_into.rivers.loc[0, "flows_into"] = "丙河"
    with pytest.raises(DataQualityError, match="unknown_flows_into: 甲河 "
                                               "\\(flows_into '丙河' is no river_code\\)"):
        validate_waters(bad_into)


def test_public_api_is_exported():
    for name in hzgeo.__all__:
        assert hasattr(hzgeo, name), name


def test_repair_makes_invalid_polygons_valid_and_leaves_wide_gaps_to_the_analyst():
    bad = make_boundaries()
    bad["village"].loc[0, "geometry"] = shapely.Polygon(
        [(400_000, 2_560_000), (401_000, 2_561_000), (401_000, 2_560_000),
         (400_000, 2_561_000)])
    fixed, log = hzgeo.repair_boundaries(bad)
    assert log[["layer", "code", "action"]].values.tolist() == [
        ["village", "450802001001", "made valid"]]
    assert shapely.is_valid(fixed["village"].geometry.values).all()
    assert fixed["village"].geometry[0].area == pytest.approx(500_000, rel=1e-9)
    # the other half of the square is a gap 500 m wide: reported, not guessed
    left = find_defects(fixed)
    assert left[["layer", "code", "kind"]].values.tolist() == [
        ["township", "450802001", "gap"]]
    assert fixed["village"].geometry[1].equals(bad["village"].geometry[1])  # untouched


def test_gbk_shapefile_without_cpg_reads_as_chinese(tmp_path):
    """A shapefile in GBK with no .cpg (common in Chinese data) is decoded, with a warning,
    column names included; ``encoding=`` says it outright."""
    villages = make_boundaries()["village"].rename(columns={"code": "XZQDM", "name": "村名"})
    villages = villages.assign(乡镇名称=["甲镇", "甲镇", "乙镇", "乙镇"], 县区名称="港北区")
    villages = villages[["XZQDM", "村名", "乡镇名称", "县区名称", "geometry"]]
    villages.to_file(tmp_path / "cun.shp", encoding="GBK")
    rivers = gpd.GeoDataFrame({"河流名称": ["郁江"], "精度": [50.0], "SFGL": ["是"]},
                              geometry=[line((0, 500), (4000, 500))], crs=CRS)
    rivers.to_file(tmp_path / "he.shp", encoding="GBK")
    for stem in ("cun", "he"):
        (tmp_path / f"{stem}.cpg").unlink()
    assert gpd.read_file(tmp_path / "he.shp").columns[0] != "河流名称"  # what GDAL gives
    with pytest.warns(hzgeo.HzgeoWarning, match="no .cpg file.*read as GB18030"):
        loaded = read_boundaries({"village": tmp_path / "cun.shp"},
                                 columns={"code": "XZQDM", "name": "村名"})
    assert loaded["village"]["name"].tolist() == ["一村", "二村", "三村", "四村"]
    assert loaded["township"]["name"].tolist() == ["甲镇", "乙镇"]  # decoded column names too
    assert loaded["county"]["name"].tolist() == ["港北区"]
    with pytest.warns(hzgeo.HzgeoWarning, match="read as GB18030"):
        waters = read_waters(tmp_path / "he.shp")
    assert waters.rivers["name"].tolist() == ["郁江"]
    assert waters.rivers["accuracy_m"].tolist() == [50.0]  # 精度, its GBK name decoded
    assert waters.rivers["main"].tolist() == [True]  # SFGL 是, its value decoded
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        said = read_boundaries({"village": tmp_path / "cun.shp"}, encoding="GBK",
                               columns={"code": "XZQDM", "name": "村名"})
    assert said["village"]["name"].tolist() == ["一村", "二村", "三村", "四村"]


def test_a_mouth_off_its_river_is_a_defect_that_segmentation_tolerates(bundled):
    _, waters = bundled
    moved = hzgeo.Waters(waters.rivers.copy(), waters.lakes)
    i = moved.rivers.index[moved.rivers["river_code"] == "R15"][0]
    moved.rivers.loc[i, "geometry"] = shapely.affinity.translate(
        moved.rivers.geometry[i], 0.002, 0)  # about 200 m east
    defects = find_defects(None, moved)
    assert defects[["code", "kind"]].values.tolist() == [["R15", "mouth_off_river"]]
    assert defects["detail"][0].startswith("ends ") and "from R04 (tolerance 20 m)" in \
        defects["detail"][0]
    with pytest.warns(hzgeo.HzgeoWarning, match="R15"):
        validate_waters(moved)
    assert find_defects(None, waters).empty


# --------------------------------------------------------------------------- trust: inputs


def lonlat_villages():
    return make_boundaries()["village"].to_crs("EPSG:4490")


@pytest.mark.parametrize(("coords", "declared", "fix"), [
    ("degrees", "EPSG:4546", '`crs="EPSG:4490"`'),
    ("zone 37 eastings", "EPSG:4546", '`crs="EPSG:4525"`'),
    ("zone 19 eastings", "EPSG:4546", '6-degree Gauss-Kruger zone 19: give `crs="EPSG:4497"`'),
    ("plain eastings", "EPSG:4525", '`crs="EPSG:4546"`'),
    ("plain eastings", "EPSG:4490", "EPSG:4534-4554"),
    ("swapped degrees", "EPSG:4490", "swapped"),
    ("swapped eastings", "EPSG:4546", "swapped"),
])
def test_a_crs_that_cannot_be_true_is_caught_with_the_likely_fix(tmp_path, coords, declared,
                                                                 fix):
    frame = make_boundaries()["village"][["code", "name", "geometry"]]
    geoms = {
        "degrees": lonlat_villages().geometry.values,
        "zone 37 eastings": frame.translate(37_000_000, 0).values,
        "zone 19 eastings": frame.translate(19_000_000, 0).values,
        "plain eastings": frame.geometry.values,
        "swapped degrees": shapely.transform(lonlat_villages().geometry.values,
                                             lambda xy: xy[:, ::-1]),
        "swapped eastings": shapely.transform(frame.geometry.values, lambda xy: xy[:, ::-1]),
    }[coords]
    geoms = np.asarray(geoms, dtype=object)
    bad = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geoms, crs=declared)
    bad.to_file(tmp_path / "v.gpkg", layer="村")
    with pytest.raises(hzgeo.CRSError) as err:
        read_boundaries(tmp_path / "v.gpkg")
    text = str(err.value)
    assert "v.gpkg, layer '村'" in text and f"cannot be in {declared}" in text
    assert fix in text


def test_plausible_extents_pass(tmp_path):
    """National extents, and a prefecture a zone beside its CRS, are not refused."""
    china = gpd.GeoDataFrame({"code": ["100000"], "name": ["全国"]}, crs="EPSG:4490",
                             geometry=[shapely.box(73.7, 18.2, 134.7, 53.5)])
    assert hzgeo._checks.crs_problem(china) is None
    assert hzgeo._checks.crs_problem(china.to_crs("EPSG:4546")) is None  # one zone for all
    spratly = china.set_geometry([shapely.box(111.0, 4.0, 117.0, 12.0)], crs="EPSG:4490")
    assert hzgeo._checks.crs_problem(spratly) is None  # 三沙: south of EPSG:4490's area
    europe = china.set_geometry([shapely.box(8.0, 45.0, 12.0, 48.0)], crs="EPSG:4490")
    assert "outside where that CRS is used" in hzgeo._checks.crs_problem(europe)[0]
    beside = make_boundaries()["village"].to_crs("EPSG:4547")  # CM 114E, data at 110E
    assert hzgeo._checks.crs_problem(beside) is None
    assert hzgeo._checks.crs_problem(make_boundaries()["village"]) is None
    tiny = make_boundaries()["village"].scale(0.001, 0.001, origin=(X0, Y0))
    what, _ = hzgeo._checks.crs_problem(tiny)
    assert "spans only 4 m" in what


def test_crs_option_overrides_a_declared_crs_with_a_warning(tmp_path):
    wrong = make_boundaries()["village"].set_crs("EPSG:4490", allow_override=True)
    wrong.to_file(tmp_path / "v.gpkg", layer="village")
    with pytest.raises(hzgeo.CRSError, match="beyond"):  # metres under a lon/lat label
        read_boundaries(tmp_path / "v.gpkg")
    with pytest.warns(hzgeo.HzgeoWarning) as said:
        mended = read_boundaries(tmp_path / "v.gpkg", crs="EPSG:4546")
    assert any("the file declares EPSG:4490 (China Geodetic Coordinate System 2000); `crs` "
               "EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E) overrides it"
               in str(w.message) for w in said)
    assert mended["village"].crs.to_epsg() == 4546
    with pytest.raises(hzgeo.CRSError, match="'EPSG:99999' is not a CRS"):
        read_boundaries(tmp_path / "v.gpkg", crs="EPSG:99999")


def test_every_option_is_checked_before_reading(tmp_path):
    path = tmp_path / "nothing-read.gpkg"  # never opened: the options fail first
    with pytest.raises(InputError, match="unknown column key 'river_nmae'") as err:
        read_boundaries(path, columns={"river_nmae": "HLMC"})
    assert "did you mean `columns` river_name=" in str(err.value)
    with pytest.raises(InputError, match=r"(?s)unknown level 'vilage'.*did you mean `layers` "
                                         r"village"):
        read_boundaries(path, layers={"vilage": "v"})
    for reader in (read_boundaries, read_waters):  # whatever the format
        with pytest.raises(InputError, match=r"(?s)unknown encoding 'GKB'.*did you mean GBK"):
            reader(path, encoding="GKB")
    with pytest.raises(hzgeo.InputTypeError, match="'source' should be a path"):
        read_waters(make_waters(line((0, 0), (1, 0))).rivers)


def test_river_keys_apply_to_rivers_only(tmp_path):
    """One mapping serves both readers: name= is the units', river_name= the rivers'."""
    rivers = gpd.GeoDataFrame({"HLMC": ["甲河", "乙河"], "NAME": ["x", "y"],
                               "汇入": ["", "甲河"], "精度": [5, 5], "是否干流": ["是", "否"]},
                              geometry=[line((0, 500), (4000, 500)),
                                        line((500, 900), (500, 500))], crs=CRS)
    rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    waters = read_waters(tmp_path / "r.gpkg", columns={"name": "XZQMC", "river_name": "HLMC"})
    assert waters.rivers["name"].tolist() == ["甲河", "乙河"]
    assert waters.rivers["flows_into"].tolist() == ["", "甲河"]  # a name, now the code
    assert waters.rivers["main"].tolist() == [True, False]  # 是/否, not bool("否")
    assert waters.rivers["accuracy_m"].tolist() == [5.0, 5.0]
    rivers.drop(columns="HLMC").to_file(tmp_path / "n.gpkg", layer="rivers")
    with pytest.raises(InputError, match="missing column 'river_name'") as err:
        read_waters(tmp_path / "n.gpkg", columns={"river_code": "NAME", "name": "NAME"})
    assert "`columns={'river_name': 'COLUMN'}`" in str(err.value)


def test_numeric_codes_and_flows_into_match(tmp_path):
    rivers = gpd.GeoDataFrame({"HLDM": [101, 102], "name": ["甲河", "乙河"],
                               "汇入": [np.nan, 101.0], "精度": [5, 5], "SFGL": [1, 0]},
                              geometry=[line((0, 500), (4000, 500)),
                                        line((500, 900), (500, 500))], crs=CRS)
    rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    waters = read_waters(tmp_path / "r.gpkg", columns={"river_code": "HLDM"})
    assert waters.rivers[["river_code", "flows_into"]].values.tolist() == [
        ["101", ""], ["102", "101"]]
    assert waters.rivers["main"].tolist() == [True, False]  # SFGL 1/0
    assert find_defects(None, waters).empty


def test_bad_values_of_optional_river_columns(tmp_path):
    rivers = gpd.GeoDataFrame({"name": ["甲河", "乙河"], "main": ["是", "maybe"],
                               "accuracy_m": ["10", "-3"]},
                              geometry=[line((0, 500), (4000, 500)),
                                        line((500, 900), (500, 500))], crs=CRS)
    rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    with pytest.raises(InputError) as err:
        read_waters(tmp_path / "r.gpkg")
    assert "column 'main' holds values that are not yes/no: ['maybe'] (features: 乙河)" in \
        str(err.value)
    assert "'accuracy_m' holds values that are not positive metres (features: 乙河)" in \
        str(err.value)


def test_degraded_results_are_announced(tmp_path):
    frame = make_boundaries()["village"][["code", "geometry"]]
    frame.to_file(tmp_path / "v.gpkg", layer="village")
    with pytest.warns(hzgeo.HzgeoWarning) as said:
        read_boundaries(tmp_path / "v.gpkg")
    text = " | ".join(str(w.message) for w in said)
    assert "named by their codes" in text and '`columns={"name": "COLUMN"}`' in text
    assert "`columns={'township_name': 'COLUMN', 'county_name': 'COLUMN'}`" in text
    coarse = gpd.GeoDataFrame({"name": ["甲河", "乙河"], "accuracy_m": [np.nan, 50],
                               "是否干流": ["是", "否"]},
                              geometry=[line((0, 500), (2000, 500), (4000, 500)),
                                        line((0, 600), (4000, 600))], crs=CRS)
    coarse.to_file(tmp_path / "r.gpkg", layer="rivers")
    with pytest.warns(hzgeo.HzgeoWarning) as said:
        read_waters(tmp_path / "r.gpkg")
    text = " | ".join(str(w.message) for w in said)
    assert "no flows_into column" in text and '`columns={"flows_into": ' in text
    # 甲河: vertices 2 km apart, accuracy unknown; 乙河 has its accuracy
    assert "1 river(s) have vertices 2.0 km or more apart and no accuracy_m (甲河)" in text
    fine = coarse.assign(accuracy_m=[np.nan, 50], flows_into=["", "甲河"])
    fine["geometry"] = [line(*[(x, 500) for x in range(0, 4001, 500)]), line((0, 600), (10, 600))]
    fine.to_file(tmp_path / "f.gpkg", layer="rivers")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_waters(tmp_path / "f.gpkg")  # 500 m vertices, flows_into given: nothing to say


def test_library_calls_check_their_inputs(boundaries):
    waters = make_waters(line((0, 500), (4000, 500)))
    with pytest.raises(hzgeo.InputTypeError, match=r"^'boundaries' should be hzgeo.Boundaries "
                                                  r"\(from hzgeo.read_boundaries\), got "
                                                  "GeoDataFrame"):
        hzgeo.segment_waters(boundaries["village"], waters)
    with pytest.raises(TypeError, match=r"'waters' should be hzgeo\.Waters"):  # a TypeError too
        hzgeo.segment_waters(boundaries, waters.rivers)
    for call in (hzgeo.find_defects, hzgeo.validate_boundaries, hzgeo.repair_boundaries):
        with pytest.raises(hzgeo.InputTypeError, match="got GeoDataFrame"):
            call(boundaries["village"])
    with pytest.raises(hzgeo.InputTypeError, match="'waters' should be"):
        hzgeo.validate_waters(waters.rivers)
    no_crs = hzgeo.Waters(waters.rivers.set_crs(None, allow_override=True), waters.lakes)
    with pytest.raises(hzgeo.CRSError, match=r"waters.rivers: the layer has no CRS"):
        hzgeo.segment_waters(boundaries, no_crs)
    unnamed = hzgeo.Boundaries({"village": boundaries["village"].drop(columns="parent_code")})
    with pytest.raises(InputError, match=r"boundaries\['village'\]: missing column\(s\) "
                                         r"\['parent_code'\]"):
        hzgeo.segment_waters(unnamed, waters)
    for bad, option in (({"min_length": -5}, "`min_length`"),
                        ({"boundary_tolerance": 0}, "`boundary_tolerance`"),
                        ({"min_length": float("nan")}, "`min_length`")):
        with pytest.raises(InputError, match=f"\\({option}\\) must be"):
            hzgeo.segment_waters(boundaries, waters, **bad)
    with pytest.raises(hzgeo.CRSError, match="not a CRS"):
        hzgeo.segment_waters(boundaries, waters, work_crs="nonsense")


def test_segment_waters_refuses_what_geos_cannot_compute_with(boundaries):
    waters = make_waters(line((0, 500), (4000, 500)))
    bad = make_boundaries()
    bad["village"].loc[0, "geometry"] = shapely.Polygon(
        [(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    with pytest.raises(DataQualityError, match=r"village: invalid_geometry: 450802001001 "
                                               r"\(Self-intersection") as err:
        hzgeo.segment_waters(bad, waters)
    assert "hzgeo check" in str(err.value)
    zero = make_waters(line((0, 500), (4000, 500)), line((10, 10), (10, 10)))
    with pytest.raises(DataQualityError, match="rivers: zero_length_river: R2"):
        hzgeo.segment_waters(boundaries, zero)
    twice = make_boundaries()
    twice["village"].loc[1, "code"] = twice["village"].loc[0, "code"]
    with pytest.raises(InputError, match=r"duplicate code values \(features: 450802001001"):
        hzgeo.segment_waters(twice, waters)


def test_lakes_without_optional_columns_are_completed(boundaries):
    """Lakes given without synthetic/kind/scale get the defaults read_waters gives."""
    lakes = gpd.GeoDataFrame({"code": ["L1"], "name": ["示例湖"]},
                             geometry=[box(1500, 2500, 200, 800)], crs=CRS)
    seg = hzgeo.segment_waters(boundaries, make_waters(line((0, 500), (4000, 500)),
                                                       lakes=lakes))
    zones = seg.zones["county"]
    assert zones[["kind", "synthetic"]].values.tolist() == [["lake", True]]  # units synthetic
    with pytest.raises(InputError, match=r"waters.lakes: missing column\(s\) \['name'\]"):
        hzgeo.segment_waters(boundaries, make_waters(line((0, 500), (4000, 500)),
                                                     lakes=lakes.drop(columns="name")))


def test_duplicate_unit_codes_are_a_defect_for_check(boundaries):
    twice = make_boundaries()
    twice["village"].loc[3, "code"] = twice["village"].loc[2, "code"]
    defects = find_defects(twice)
    assert defects[["layer", "code", "kind"]].values.tolist() == [
        ["village", "450802002001", "duplicate_code"]] * 2
    with pytest.raises(DataQualityError, match="duplicate_code") as err:
        validate_boundaries(twice)
    assert str(err.value).count("450802002001") == 1  # listed once, mapped twice
    with pytest.raises(DataQualityError, match="village 450802002001"):
        hzgeo.repair_boundaries(twice)


def test_table_without_geometry_and_unclosed_rings(tmp_path):
    import json

    import pandas as pd

    pd.DataFrame({"code": ["450802001001"]}).to_csv(tmp_path / "cun.csv", index=False)
    with pytest.raises(InputError, match=r"cun.csv: has no geometry"):
        read_boundaries({"village": tmp_path / "cun.csv"})
    ring = [[110.0, 23.0], [110.01, 23.0], [110.01, 23.01], [110.0, 23.01]]  # not closed
    (tmp_path / "v.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"XZQDM": "450802001001"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    with pytest.raises(InputError, match=r"cannot be built .* \(features: 450802001001\)"):
        read_boundaries({"village": tmp_path / "v.geojson"})


def test_z_coordinates_are_dropped_with_a_note(tmp_path):
    frame = make_boundaries()["village"]
    frame = frame.set_geometry(shapely.force_3d(frame.geometry.values, 80.0))
    frame.to_file(tmp_path / "v.gpkg", layer="village")
    b = write_levels(tmp_path, make_boundaries())
    frame.to_file(b, layer="village")  # the toy's levels, villages with heights
    with pytest.warns(hzgeo.HzgeoWarning, match="Z \\(height\\) coordinates; they were dropped"):
        loaded = read_boundaries(b)
    assert not shapely.has_z(loaded["village"].geometry.values).any()


def test_a_bow_tie_in_a_villages_only_layer_still_loads_for_check(tmp_path):
    """Townships derived from villages with a bow tie: the union sees the tie made valid
    (GEOS would raise a TopologyException), and the defect is left for check to report."""
    frame = make_boundaries()["village"][["code", "name", "geometry"]].copy()
    frame.loc[0, "geometry"] = shapely.Polygon(
        [(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    frame.to_file(tmp_path / "cun.gpkg", layer="cun")
    with pytest.warns(hzgeo.HzgeoWarning, match="named by their codes"):
        loaded = read_boundaries(tmp_path / "cun.gpkg")
    assert loaded["township"]["code"].tolist() == ["450802001", "450802002"]
    defects = find_defects(loaded, coverage=False)
    assert defects[["layer", "code"]].values.tolist() == [["village", "450802001001"]]


def test_a_folder_of_shapefiles_is_one_source_with_their_cut_column_names(tmp_path):
    """GDAL opens a folder of shapefiles as one source (a layer per file); shapefiles cut
    column names to 10 characters: parent_code comes back as parent_cod."""
    moved = make_boundaries()
    moved["village"].loc[3, "parent_code"] = "450802001"  # 四村 put in 甲镇 by its parent
    for level, frame in moved.levels.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL: "parent_code" laundered to "parent_cod"
            frame.to_file(tmp_path / f"{level}.shp", encoding="UTF-8")
    loaded = read_boundaries(tmp_path)
    # read from the column (the code prefix would say 450802002 for 四村)
    assert loaded["village"]["parent_code"].tolist() == [
        "450802001", "450802001", "450802002", "450802001"]


def test_utf8_column_names_cut_inside_a_character(tmp_path):
    """A .dbf column name holds 10 bytes: UTF-8 乡镇名称 (12 bytes) is cut inside 称. The
    cut character is dropped, and 乡镇名 is known as township_name."""
    villages = make_boundaries()["village"][["code", "name", "geometry"]]
    villages = villages.assign(乡镇名X=["甲镇", "甲镇", "乙镇", "乙镇"])
    villages.to_file(tmp_path / "cun.shp", encoding="UTF-8")
    (tmp_path / "cun.cpg").unlink()
    dbf = (tmp_path / "cun.dbf").read_bytes()
    field = "乡镇名X".encode()
    assert dbf.count(field) == 1
    (tmp_path / "cun.dbf").write_bytes(dbf.replace(field, field[:-1] + "称".encode()[:1]))
    with pytest.warns(hzgeo.HzgeoWarning) as said:
        loaded = read_boundaries({"village": tmp_path / "cun.shp"})
    assert any("read as UTF-8" in str(w.message) for w in said)
    assert loaded["township"]["name"].tolist() == ["甲镇", "乙镇"]
    assert loaded["village"]["name"].tolist() == ["一村", "二村", "三村", "四村"]
