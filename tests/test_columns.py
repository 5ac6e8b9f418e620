"""Every input column mappable from the command line; real field codes (SFGL, HKLX, ZHXQ ...)
recognised; a missing or unknown main flag or lake type said, never silently defaulted."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from toy import CRS, box, line

import hzgeo
from hzgeo.cli import main
from hzgeo.columns import ALIASES, COLUMN_KEYS, as_flag, as_kind

A, B = "450902", "450903"
TA, TB = "450902001", "450903001"
V = ["450902001001", "450902001002", "450903001001", "450903001002"]


def write_region(folder: Path) -> Path:
    """Two counties of one township each, two villages each (1 km squares, EPSG:4546)::

        | 一村 | 二社区 | 三村 | 四村 |     玉州区 (A): x 0-2000, 福绵区 (B): x 2000-4000
    """
    def frame(codes, names, geoms):
        return gpd.GeoDataFrame({"XZQDM": codes, "XZQMC": names}, geometry=geoms, crs=CRS)

    path = folder / "bnd.gpkg"
    levels = {"city": frame(["450900"], ["玉林市"], [box(0, 4000)]),
              "county": frame([A, B], ["玉州区", "福绵区"], [box(0, 2000), box(2000, 4000)]),
              "township": frame([TA, TB], ["甲镇", "乙镇"], [box(0, 2000), box(2000, 4000)]),
              "village": frame(V, ["一村村委会", "二社区居委会", "三村村委会", "四村村委会"],
                               [box(0, 1000), box(1000, 2000), box(2000, 3000),
                                box(3000, 4000)])}
    for level, f in levels.items():
        f.to_file(path, layer=level)
    return path


def write_waters(folder: Path, *, main=("是", "否"), kind="水库", commander="玉州区",
                 drop=()) -> Path:
    """A main river across both counties, a tributary, and a reservoir across the county
    border, 500 m x 600 m in 玉州区 and 800 m x 600 m in 福绵区: the largest share is
    福绵区's, the flood-control commander sits in 玉州区. Columns by their 河湖名录 codes."""
    path = folder / f"waters_{len(list(folder.iterdir()))}.gpkg"
    rivers = gpd.GeoDataFrame({"HLBM": ["R1", "R2"], "HLMC": ["主江", "支河"],
                               "SFGL": list(main), "HRHL": ["", "R1"], "精度": [10.0, 10.0]},
                              geometry=[line((-500, 100), (4500, 100)),
                                        line((3500, 900), (3500, 100))], crs=CRS)
    lakes = gpd.GeoDataFrame({"HKBM": ["L1"], "HKMC": ["合成水库"], "HKLX": [kind],
                              "GCGM": ["中型"], "ZHXQ": [commander]},
                             geometry=[box(1500, 2800, 200, 800)], crs=CRS)
    rivers.drop(columns=[c for c in drop if c in rivers]).to_file(path, layer="rivers")
    lakes.drop(columns=[c for c in drop if c in lakes]).to_file(path, layer="lakes")
    return path


def write_officials(folder: Path) -> Path:
    """Office holders under headers no alias knows (区划, 岗位, 负责人, 手机号)."""
    rows = [("450900", "市委书记", "城书记"), ("450900", "市长", "城市长"),
            ("450900", "副市长", "副甲"),
            (A, "区委书记", "甲区书记"), (A, "区长", "甲区长"),
            (B, "区委书记", "乙区书记"), (B, "区长", "乙区长"),
            (TA, "镇党委书记", "甲书记"), (TA, "镇长", "甲镇长"),
            (TB, "镇党委书记", "乙书记"), (TB, "镇长", "乙镇长"),
            (V[0], "村党组织书记", "一书记"), (V[1], "社区党组织书记", "二书记"),
            (V[2], "村党组织书记", "三书记"), (V[3], "村党组织书记", "四书记")]
    table = pd.DataFrame(rows, columns=["区划", "岗位", "负责人"])
    table["手机号"] = [f"0775-1000{i:04d}" for i in range(len(table))]
    path = folder / "holders.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


OFFICIAL_COLUMNS = ["--columns", "official_code=区划", "--columns", "official_post=岗位",
                    "--columns", "official_name=负责人", "--columns", "official_phone=手机号"]


def run(folder: Path, waters: Path, *more: str) -> tuple[int, str, Path]:
    out = folder / f"run_{waters.stem}_{len(more)}"
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main(["run", "--boundaries", str(write_region(folder)), "--waters",
                       str(waters), "--officials", str(write_officials(folder)),
                       "--no-maps", "--out", str(out), *OFFICIAL_COLUMNS, *more])
    return status, said.getvalue(), out


def sheet(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / f"directory.{name}.csv", dtype=str).fillna("")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("columns")


def test_field_codes_are_read_and_the_commander_convenes(folder):
    """SFGL/HKLX/ZHXQ found by their codes, the office holders' headers mapped with
    --columns: the main river has its city chief, the reservoir's commander county
    convenes although the other county holds the larger share."""
    status, said, out = run(folder, write_waters(folder))
    assert status == 0, said
    assert "no main-river flag" not in said and "lake type" not in said, said
    city = sheet(out, "市级河长")
    assert city.to_string().count("主江") >= 1 and "副甲" in city.to_string(), city
    assert "支河" not in city.to_string()
    meetings = sheet(out, "联席会议")
    row = meetings[meetings.apply(lambda r: "合成水库" in r.to_string(), axis=1)]
    assert len(row) == 1, meetings
    text = row.iloc[0].to_string()
    assert "甲区书记" in text or "甲区长" in text, text  # 玉州区's chief convenes
    assert "乙区书记" not in text and "乙区长" not in text


def test_commander_county_by_code_and_by_mapping(folder):
    """ZHXQ as a code works the same; a commander column under another name needs
    --columns commander_county=..., which the command line now takes (it refused it)."""
    waters = write_waters(folder, commander=A)
    gpd_lakes = gpd.read_file(waters, layer="lakes").rename(
        columns={"ZHXQ": "指挥所", "HKLX": "性质"})
    gpd_lakes.to_file(waters, layer="lakes")
    status, said, out = run(folder, waters, "--columns", "commander_county=指挥所",
                            "--columns", "lake_kind=性质")
    assert status == 0, said
    row = sheet(out, "联席会议").to_string()
    assert "甲区" in row.split("合成水库")[1].split("\n")[0], row


def test_missing_main_flag_and_lake_type_are_said(folder):
    """Without SFGL and HKLX: notes naming the columns to map; the reservoir is still a
    reservoir by its name (…水库), so its commander convenes."""
    status, said, out = run(folder, write_waters(folder, drop=("SFGL", "HKLX")))
    assert status == 0, said
    assert "no main-river flag column (是否干流, SFGL)" in said and "--columns main=" in said
    assert "no lake type column (湖库类型, HKLX)" in said
    assert "1 reservoir(s) (…水库)" in said
    assert sheet(out, "市级河长").empty or "主江" not in sheet(out, "市级河长").to_string()


def test_unknown_lake_type_is_said(folder):
    status, said, _ = run(folder, write_waters(folder, kind="池塘"))
    assert status == 0, said
    assert "lake type not recognised for 1 water(s) (L1), values ['池塘']" in said


def test_every_key_is_accepted_on_the_command_line_and_a_wrong_one_named(folder):
    status, said, _ = run(folder, write_waters(folder), "--columns", "lake_knd=HKLX")
    assert status == 2
    assert "unknown column key 'lake_knd'" in said and "did you mean --columns lake_kind" in said
    for key in ("lake_kind", "lake_scale", "commander_county", "official_name", "main"):
        assert key in COLUMN_KEYS
    status, said, _ = run(folder, write_waters(folder), "--columns", "official_name=河长姓名")
    assert status == 2 and "'河长姓名' (given for 'official_name') not found" in said, said


def test_yes_no_and_lake_type_values():
    flags, unknown = as_flag(pd.Series(["是", "否", "Y", "N", "1", "0", "True", "False",
                                        "true", "y", 1, 0, True, "干流", "支流", "maybe"]))
    assert flags.tolist() == [True, False, True, False, True, False, True, False, True, True,
                              True, False, True, True, False, False]
    assert unknown.tolist() == [False] * 15 + [True]
    kinds, unknown = as_kind(pd.Series(["湖泊", "水库", "lake", "Reservoir", "", "坑"]))
    assert kinds.tolist() == ["lake", "reservoir", "lake", "reservoir", "lake", "lake"]
    assert unknown.tolist() == [False, False, False, False, True, True]
    for code in ("SFGL", "是否干流", "HKLX", "湖库类型", "ZHXQ", "指挥长所在县", "HLMC", "XZQDM"):
        assert any(code in names for names in ALIASES.values()), code


def test_the_library_reads_the_codes_too(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing missing: nothing to say
        waters = hzgeo.read_waters(write_waters(folder))
    assert waters.rivers["main"].tolist() == [True, False]
    assert waters.lakes[["kind", "scale", "commander_county"]].values.tolist() == [
        ["reservoir", "medium", "玉州区"]]
    holders = hzgeo.read_officials(write_officials(folder), columns={
        "official_code": "区划", "official_post": "岗位", "name": "负责人"})
    assert holders.loc[0, ["admin_code", "post", "name"]].tolist() == [
        "450900", "市委书记", "城书记"]
