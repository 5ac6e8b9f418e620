"""The directory (名录) as written: sheets, headers, formats, counts, changes, atomicity.

Built on hand-made ``Chiefs`` objects shaped as the chiefs contract says (CONTRACT.md), so
the writer is tested apart from the assignment rules.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from toy import CRS, V, box, line, make_boundaries, make_waters
from toy import make_chiefs as chiefs_of

import hzgeo
from hzgeo.directory import (
    HEADERS,
    SHEETS,
    directory_tables,
    read_directory,
    roster_changes,
    write_directory,
)
from hzgeo.output import read_layer_names

CITY = "450800"


POST = {"county": "区长", "township": "镇长", "village": "村党组织书记"}


def with_chiefs(frame, level, vacant=()):
    frame = frame.copy()
    codes = frame["admin_code"].astype(str)
    frame["chief_name"] = ["测试" + c[-3:] + level[0] for c in codes]
    frame["chief_post"] = POST[level]
    frame["chief_phone"] = ["0775-" + c[-7:] for c in codes]
    frame["chief_required"] = True
    frame["vacant"] = codes.isin(vacant).to_numpy()
    frame.loc[frame["vacant"], ["chief_name", "chief_phone"]] = None
    return frame


def make_chiefs(seg, vacant=()):
    reaches = {lvl: with_chiefs(seg.reaches[lvl], lvl, vacant) for lvl in seg.reaches}
    zones = {lvl: with_chiefs(seg.zones[lvl], lvl, vacant) for lvl in seg.zones}
    total = pd.DataFrame({
        "level": ["city", "city", "county", "county"], "admin_code": [CITY, CITY, "450802",
                                                                        "450802"],
        "admin_name": ["贵港市", "贵港市", "港北区", "港北区"],
        "role": ["总河长", "副总河长", "总河长", "副总河长"],
        "post": ["市委书记", "市长", "区委书记", "区长"],
        "chief_name": ["测试甲", "测试乙", "测试丙", None],
        "chief_phone": ["", "", "", None], "vacant": [False, False, False, True]})
    city = pd.DataFrame({"river_code": ["R1"], "river_name": ["河1"], "main_river": ["河1"],
                         "post": ["副市长"], "chief_name": ["测试丁"], "chief_phone": [""],
                         "vacant": [False]})
    joint = pd.DataFrame({"water_code": ["L1"], "water_name": ["湖1"], "kind": ["lake"],
                          "members": ["港北区 1.00 km"], "member_codes": ["450802"],
                          "convenor_code": ["450802"], "convenor_name": ["港北区"],
                          "convenor_chief": ["测试丙"], "rule": ["longest_reach"], "note": [""]})
    vac = pd.DataFrame({"level": ["county"], "admin_code": ["450802"], "admin_name": ["港北区"],
                        "post": ["区长"], "what": ["副总河长"]})
    return chiefs_of(reaches, zones, total_chiefs=total, city_chiefs=city, joint_meetings=joint,
                     vacancies=vac)


@pytest.fixture(scope="module")
def seg():
    # 河1 crosses the four villages; 河2 runs along the V12/V21 border; a lake in V22
    lake = gpd.GeoDataFrame({"code": ["L1"], "name": ["湖1"], "kind": ["lake"],
                             "scale": ["small"], "synthetic": [True]},
                            geometry=[box(3200, 3800, 200, 400)], crs=CRS)
    return hzgeo.segment_waters(make_boundaries(), make_waters(
        line((0, 500), (4000, 500)), line((2000, 600), (2000, 950)),
        names=["河1", "河2"], lakes=lake))


@pytest.fixture(scope="module")
def chiefs(seg):
    return make_chiefs(seg, vacant=(V[3],))


def test_sheets_and_headers(chiefs):
    tables = directory_tables(chiefs)
    names = list(tables)
    assert names[0] == "汇总"
    for sheet in ("县级河段", "乡级河段", "村级河段", "湖库分片", "总河长", "市级河长",
                  "河长责任清单"):
        assert sheet in names
    assert any("联席" in n for n in names)
    village = tables["村级河段"]
    for header in ("河流名称", "河段名称", "河段编码", "起点", "终点", "长度（公里）", "河长",
                   "职务", "联系电话", "示意数据"):
        assert header in village.columns
    assert set(village["界河"]) == {"是", "否"}
    assert set(village["示意数据"]) == {"是"}  # the toy villages are synthetic
    # a vacancy reads as vacant, not as an empty name
    row = village[village["行政区划代码"] == V[3]]
    assert (row["河长"] == "（空缺）").all() and (row["空缺"] == "是").all()


def test_summary_counts_equal_the_rows_of_the_other_sheets(chiefs):
    tables = directory_tables(chiefs)
    summary = tables["汇总"]
    city = summary[summary["行政区划代码"] == CITY].set_index("层级")
    assert set(city["范围"]) == {"贵港市"}
    counties = summary[summary["行政区划代码"] != CITY]
    person = tables["河长责任清单"]
    for level, name in (("county", "县级"), ("township", "乡级"), ("village", "村级")):
        sheet = tables[SHEETS[level]]
        row = city.loc[name]
        assert row["河段数"] == len(sheet)
        assert row["界河河段数"] == (sheet["界河"] == "是").sum()
        assert row["河长空缺"] == (sheet["空缺"] == "是").sum()
        held = person[(person["层级"] == name) & person["责任类别"].isin(["河段", "湖库分片"])]
        assert row["河长人数"] == len(held.drop_duplicates(["河长", "职务", "行政区划代码"]))
        # the counties add up to the city
        assert counties.loc[counties["层级"] == name, "河段数"].sum() == len(sheet)
    assert city["湖库分片数"].sum() == len(tables["湖库分片"])
    assert counties["湖库分片数"].sum() == len(tables["湖库分片"])
    total = tables["总河长"]
    assert (city["总河长人数"] + city["总河长空缺"]).sum() == len(total)
    assert city["总河长空缺"].sum() == 1
    assert city.loc["市级", "河长人数"] == len(tables["市级河长"])
    # km: a 界河 counts once for the city (independent: the segmentation's own lengths)
    assert city.loc["村级", "河段长度（公里）"] == pytest.approx(
        chiefs.reaches["village"].query("primary")["length_m"].sum() / 1000)
    # the person sheet lists each reach, zone and total post held once
    held = sum((tables[SHEETS[lvl]]["空缺"] == "否").sum() for lvl in
               ("county", "township", "village"))
    held += (tables["湖库分片"]["空缺"] == "否").sum() + (total["空缺"] == "否").sum() + 1
    assert len(person) == held


def test_xlsx_as_an_office_reads_it(chiefs, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "directory.xlsx"
    written = write_directory(chiefs, path, data_date="2026-11-30", sources="测试数据")
    assert written == {"directory": path}
    book = load_workbook(path)
    assert book.sheetnames[0] == "汇总" and "村级河段" in book.sheetnames
    ws = book["村级河段"]
    assert "2026-11-30" in ws["A1"].value
    headers = [c.value for c in ws[2]]
    code_col = headers.index("河段编码") + 1
    admin_col = headers.index("行政区划代码") + 1
    km_col = headers.index("长度（公里）") + 1
    for row in range(3, 3 + len(chiefs.reaches["village"])):
        admin = ws.cell(row=row, column=admin_col)
        assert admin.data_type == "s" and len(admin.value) == 12  # text, never 4.508e+11
        assert ws.cell(row=row, column=code_col).data_type == "s"
        km = ws.cell(row=row, column=km_col)
        assert isinstance(km.value, float) and km.number_format == "0.00"
    assert ws.freeze_panes == "A3"
    assert ws.print_title_rows == "$1:$2"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "&P" in ws.oddFooter.center.text
    # widths fit: a CJK column is at least twice its longest text
    name_col = headers.index("河段名称")
    longest = max(len(str(ws.cell(row=r, column=name_col + 1).value))
                  for r in range(3, 3 + len(chiefs.reaches["village"])))
    letter = ws.cell(row=2, column=name_col + 1).column_letter
    assert ws.column_dimensions[letter].width >= 2 * longest
    # footnote with the sources below the table
    notes = [ws.cell(row=r, column=1).value for r in range(ws.max_row - 3, ws.max_row + 1)]
    assert any(n and "测试数据" in n for n in notes)
    # read back with hzgeo: the same rows, codes intact
    back = read_directory(path)
    assert back["村级河段"]["行政区划代码"].tolist() == \
        chiefs.reaches["village"]["admin_code"].tolist()


def test_csv_one_file_per_sheet_with_bom(chiefs, tmp_path):
    written = write_directory(chiefs, tmp_path / "directory.csv")
    assert (tmp_path / "directory.村级河段.csv").exists()
    assert any("联席" in p.name for p in tmp_path.iterdir())
    for path in written.values():
        assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    back = pd.read_csv(tmp_path / "directory.村级河段.csv", dtype=str, encoding="utf-8-sig")
    assert back["行政区划代码"].tolist() == chiefs.reaches["village"]["admin_code"].tolist()
    assert back["长度（公里）"].str.match(r"^\d+\.\d{1,2}$").all()


def test_gpkg_same_tables_with_geometry(chiefs, tmp_path):
    path = tmp_path / "directory.gpkg"
    write_directory(chiefs, path)
    layers = read_layer_names(path)
    assert "村级河段" in layers and "河长责任清单" in layers and "汇总" in layers
    village = gpd.read_file(path, layer="村级河段")
    assert len(village) == len(chiefs.reaches["village"])
    assert village.geom_type.isin(["LineString", "MultiLineString"]).all()
    assert village.crs.to_epsg() == 4490
    zones = gpd.read_file(path, layer="湖库分片")
    assert zones.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_a_failed_write_leaves_nothing(chiefs, tmp_path, monkeypatch):
    import hzgeo.directory.write as directory

    calls = {"n": 0}
    real = directory._plain

    def fail_on_third(frame):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(frame)

    monkeypatch.setattr(directory, "_plain", fail_on_third)
    with pytest.raises(OSError, match="disk full"):
        write_directory(chiefs, tmp_path / "directory.csv")
    assert list(tmp_path.iterdir()) == []


def test_one_village_chief_changed(seg, chiefs, tmp_path):
    old = tmp_path / "old.xlsx"
    write_directory(chiefs, old)
    changed = replace(chiefs, reaches=dict(chiefs.reaches), zones=dict(chiefs.zones))
    village = chiefs.reaches["village"].copy()
    who = V[1]
    village.loc[village["admin_code"] == who, "chief_name"] = "测试新书记"
    changed.reaches["village"] = village
    new = tmp_path / "new.xlsx"
    written = write_directory(changed, new, previous=old)
    changes = pd.read_csv(written["changes"], dtype=str, encoding="utf-8-sig")
    want = sorted(village.loc[village["admin_code"] == who, "reach_code"])
    assert len(want) >= 2  # 河1 and the 河2 界河 bank
    assert sorted(changes["编码"]) == want
    assert set(changes["变更"]) == {"河长更换"}
    assert set(changes["原河长"]) == {"测试" + who[-3:] + "v"}
    assert set(changes["现河长"]) == {"测试新书记"}
    from openpyxl import load_workbook

    assert "变更" in load_workbook(new).sheetnames


def test_reaches_that_appear_or_disappear_and_total_chiefs(chiefs, tmp_path):
    old = tmp_path / "old.xlsx"
    write_directory(chiefs, old)
    village = chiefs.reaches["village"]
    gone = village["reach_code"].iloc[0]
    total = chiefs.total_chiefs.copy()
    total.loc[3, ["chief_name", "vacant"]] = ["测试戊", False]
    changed = replace(chiefs, reaches=dict(chiefs.reaches) | {"village": village.iloc[1:]},
                      total_chiefs=total)
    changes = directory_tables(changed, previous=old)["变更"]
    assert changes[changes["变更"] == "撤销"]["编码"].tolist() == [gone]
    filled = changes[changes["范围"] == "总河长"]
    assert filled["变更"].tolist() == ["补缺"] and filled["现河长"].tolist() == ["测试戊"]
    assert len(changes) == 2
    # and nothing changed: an empty list
    assert directory_tables(chiefs, previous=old)["变更"].empty


def test_previous_must_be_a_directory(chiefs, tmp_path):
    bad = tmp_path / "other.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(bad)
    with pytest.raises(hzgeo.InputError, match="not a directory written by hzgeo"):
        write_directory(chiefs, tmp_path / "d.xlsx", previous=bad)
    assert not (tmp_path / "d.xlsx").exists()


def test_headers_come_from_one_mapping(chiefs):
    tables = directory_tables(chiefs)
    english = set(HEADERS)
    for sheet, frame in tables.items():
        assert not english & set(frame.columns), sheet  # every column was translated
    assert HEADERS["chief_name"] in ("河长", "河长姓名")


# --------------------------------------------------------------------------- hzgeo roster


@pytest.fixture(scope="module")
def rosters(tmp_path_factory):
    """The bundled sample's directory, then again with one village chief replaced and
    another village's holder gone (a vacancy), against the first as --previous."""
    from hzgeo.cli import main

    folder = tmp_path_factory.mktemp("roster")
    old = folder / "old.xlsx"
    assert main(["roster", "--out", str(old), "--data-date", "2026-11-30", "-q"]) == 0
    holders = pd.read_csv(hzgeo.datasets.guigang_officials(), dtype=str, encoding="utf-8-sig")
    replaced, emptied = "450821116206", "450881102201"  # 花龙村, 木圭村: 浔江 villages
    village_post = (holders["职务"] == "村党组织书记")
    holders.loc[(holders["行政区划代码"] == replaced) & village_post, "姓名"] = "新示例9999"
    holders = holders[~((holders["行政区划代码"] == emptied) & village_post)]
    table = folder / "holders.csv"
    holders.to_csv(table, index=False, encoding="utf-8-sig")
    new = folder / "new.xlsx"
    status = main(["roster", "--officials", str(table), "--out", str(new), "--previous",
                   str(old), "--data-date", "2026-12-01"])
    return old, new, folder, status, replaced, emptied


def test_roster_writes_the_bundled_directory(rosters):
    old = rosters[0]
    tables = read_directory(old)
    assert {"汇总", "县级河段", "乡级河段", "村级河段", "湖库分片", "总河长", "市级河长",
            "河长责任清单"} <= set(tables)
    assert any("联席" in sheet for sheet in tables)
    village = tables["村级河段"]
    assert (village["河长"] != "").all() and (village["河长"] != "（空缺）").all()
    xun = tables["县级河段"].query("河流名称 == '浔江'")
    assert xun["起止"].iloc[0].startswith("起于")
    assert "（黔江与郁江汇合口）" in xun["起止"].iloc[0]
    summary = tables["汇总"]
    city = summary[summary["行政区划代码"] == "450800"].set_index("层级")
    for sheet, level in (("县级河段", "县级"), ("乡级河段", "乡级"), ("村级河段", "村级")):
        assert int(city.loc[level, "河段数"]) == len(tables[sheet])
    assert city["湖库分片数"].astype(int).sum() == len(tables["湖库分片"])
    assert (city["总河长人数"].astype(int).sum() == len(tables["总河长"]))


def test_roster_vacancy_and_changes(rosters, capsys):
    old, new, folder, status, replaced, emptied = rosters
    assert status == 0  # a vacancy is written and warned about, not an error
    before = read_directory(old)
    after = read_directory(new)
    village = after["村级河段"]
    assert (village.loc[village["行政区划代码"] == emptied, "河长"] == "（空缺）").all()
    assert (after["空缺岗位"]["行政区划代码"] == emptied).any()
    changes = pd.read_csv(folder / "new.changes.csv", dtype=str, encoding="utf-8-sig")
    assert changes.equals(after["变更"].fillna("")) or len(changes) == len(after["变更"])
    old_village = before["村级河段"]
    for code, kind in ((replaced, "河长更换"), (emptied, "空缺")):
        want = set(old_village.loc[old_village["行政区划代码"] == code, "河段编码"])
        zones = before["湖库分片"]
        want |= set(zones.loc[(zones["行政区划代码"] == code), "分片编码"])
        got = changes[changes["变更"] == kind]
        assert set(got["编码"]) == want and len(got) == len(want), kind
    assert set(changes["变更"]) == {"河长更换", "空缺"}
    assert set(changes.loc[changes["变更"] == "河长更换", "现河长"]) == {"新示例9999"}


# --------------------------------------------------------------------------- every column
# (tests from the mutation run of directory + field: a renamed column, a lost hint, ...)


def test_joint_sheet_carries_every_field_of_the_meetings(chiefs):
    """The 联席会议 sheet: each column the hand-made meeting of ``make_chiefs`` gave."""
    joint = directory_tables(chiefs)["联席会议"]
    assert joint.iloc[0].to_dict() == {
        "河湖库编码": "L1", "河湖库名称": "湖1", "类型": "湖泊",
        "成员县（市、区）及河段长度": "港北区 1.00 km", "召集县（市、区）": "港北区",
        "召集人": "测试丙", "确定规则": "河段最长", "说明": "", "成员代码": "450802",
        "召集县代码": "450802"}


def test_reach_sheets_keep_each_reach_s_river_code(seg, chiefs):
    tables = directory_tables(chiefs)
    for level in ("county", "township", "village"):
        sheet = tables[SHEETS[level]]
        assert sheet["河流编码"].tolist() == seg.reaches[level]["river_code"].tolist(), level
        assert set(sheet["河流编码"]) == {"R1", "R2"}


def test_a_city_without_lakes_gets_an_empty_zone_sheet(chiefs, tmp_path):
    empty = {level: frame.iloc[:0] for level, frame in chiefs.zones.items()}
    tables = directory_tables(replace(chiefs, zones=empty))
    zones = tables["湖库分片"]
    assert len(zones) == 0
    assert {"分片编码", "湖库名称", "河长", "湖库编码"} <= set(zones.columns)
    written = write_directory(replace(chiefs, zones=empty), tmp_path / "d.xlsx")
    assert read_directory(written["directory"])["湖库分片"].empty


def test_zones_given_without_geometry_still_fill_the_zone_sheet(chiefs):
    """Chiefs whose zones are plain tables (no geometry column): the rows, no shapes."""
    plain = {level: pd.DataFrame(frame.drop(columns="geometry"))
             for level, frame in chiefs.zones.items()}
    zones = directory_tables(replace(chiefs, zones=plain))["湖库分片"]
    want = [code for level in ("county", "township", "village")
            for code in chiefs.zones[level]["zone_code"]]
    assert zones["分片编码"].tolist() == want and len(want) == 3
    assert set(zones["湖库编码"]) == {"L1"}


def test_an_unknown_format_says_which_to_write(chiefs, tmp_path):
    with pytest.raises(hzgeo.InputError, match="unknown directory format") as caught:
        write_directory(chiefs, tmp_path / "directory.txt")
    assert caught.value.hint and all(s in caught.value.hint for s in (".xlsx", ".gpkg",
                                                                       ".csv"))
    assert "what to do" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_print_font_size_by_hand():
    """A4 portrait is 210 mm = 8.268 in; less 2 x 0.5 in margins, 7.268 in = 697.7 px at
    96 dpi. A table of 1,000 px (one column of 142.14 characters: 7 px each + 5 px of
    padding) fits at floor(69.77) = 69 %: 11 pt x 0.69 = 7.59 pt. A3 landscape (420 mm:
    1,511 px with 0.4 in margins) fits it unshrunk; a fixed scale is taken as it is."""
    from hzgeo.directory.xlsx import print_font_size

    widths = [995 / 7]
    assert print_font_size(widths, paper=9, landscape=False, margins_in=0.5,
                           fit_to_width=True) == pytest.approx(11 * 0.69)
    assert print_font_size(widths, paper=8, landscape=True, margins_in=0.4,
                           fit_to_width=True) == pytest.approx(11.0)
    # A4 landscape, 297 mm = 11.693 in, less 0.8 in: 1,045.7 px; 2,000 px fit at 52 %
    assert print_font_size([1995 / 7], paper=9, landscape=True, margins_in=0.4,
                           fit_to_width=True) == pytest.approx(11 * 0.52)
    assert print_font_size(widths, paper=9, landscape=False, margins_in=0.5,
                           fit_to_width=False, scale=80) == pytest.approx(11 * 0.8)


def test_an_empty_chief_cell_read_by_pandas_is_no_change(seg, tmp_path):
    """A chief named nowhere (not vacant, no name) is an empty cell: pandas reads it from
    a CSV as NaN, read_directory as "". Both sides alike: nothing changed."""
    village = seg.reaches["village"]
    unnamed = make_chiefs(seg)
    frame = unnamed.reaches["village"].copy()
    frame.loc[frame["admin_code"] == V[0], "chief_name"] = None
    unnamed = replace(unnamed, reaches=dict(unnamed.reaches) | {"village": frame})
    old = write_directory(unnamed, tmp_path / "old.xlsx")["directory"]
    written = write_directory(unnamed, tmp_path / "new.csv")
    current = {sheet: pd.read_csv(path, dtype=str, encoding="utf-8-sig")
               for sheet, path in written.items() if sheet in ("村级河段", "县级河段")}
    assert current["村级河段"]["河长"].isna().sum() == (village["admin_code"] == V[0]).sum()
    assert roster_changes(current, old).empty
    # and the other way round: the old directory's tables read by pandas
    previous = {sheet: frame.replace("", np.nan) for sheet, frame in
                read_directory(old).items()}
    assert roster_changes(directory_tables(unnamed), previous).empty


def test_summary_csv_writes_counts_as_integers(tmp_path):
    """Issue #16: directory.汇总.csv wrote its counts as decimals ("20.0", "37.0") where the
    XLSX has 20 and 37. Read as text, every count cell is a whole number or blank, the
    lengths keep their decimals, and the cells equal the XLSX's (read by openpyxl)."""
    import csv
    import re

    import openpyxl

    from hzgeo.cli import main

    assert main(["roster", "--out", str(tmp_path / "d.csv"), "-q"]) == 0
    assert main(["roster", "--out", str(tmp_path / "d.xlsx"), "-q"]) == 0
    with open(tmp_path / "d.汇总.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    city = {r["层级"]: r for r in rows if r["行政区划代码"] == "450800"}
    # the bundled city: 20 rivers, 5 lakes and reservoirs, 37 county reaches (6 on a 界河)
    assert (city["市级"]["河流（条）"], city["市级"]["湖泊水库（座）"]) == ("20", "5")
    assert (city["县级"]["河段数"], city["县级"]["界河河段数"]) == ("37", "6")
    assert city["市级"]["河段数"] == ""
    counts = [c for c in rows[0] if c not in ("范围", "行政区划代码", "层级", "生成版本",
                                             "数据日期", "河段长度（公里）")]
    assert [(r["行政区划代码"], r["层级"], c, r[c]) for r in rows for c in counts
            if not re.fullmatch(r"\d*", r[c])] == []
    sheet = openpyxl.load_workbook(tmp_path / "d.xlsx")["汇总"]
    cells = list(sheet.iter_rows(min_row=2, values_only=True))
    head = list(cells[0])
    book = [dict(zip(head, row, strict=False)) for row in cells[1:1 + len(rows)]]
    assert [[str(b[c]) if b[c] is not None else "" for c in counts] for b in book] == \
        [[r[c] for c in counts] for r in rows]


def test_summary_gpkg_writes_counts_as_integer_fields(tmp_path):
    """The GPKG's 汇总 layer had the counts as Real fields (20.0): read back through GDAL,
    every count field is an integer field holding the CSV's numbers, blanks stay null,
    and the lengths stay Real."""
    import pyogrio

    from hzgeo.cli import main

    assert main(["roster", "--out", str(tmp_path / "d.gpkg"), "-q"]) == 0
    assert main(["roster", "--out", str(tmp_path / "d.csv"), "-q"]) == 0
    info = pyogrio.read_info(tmp_path / "d.gpkg", layer="汇总")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    csv = pd.read_csv(tmp_path / "d.汇总.csv", encoding="utf-8-sig", dtype=str,
                      keep_default_na=False)
    counts = [c for c in csv.columns if c not in ("范围", "行政区划代码", "层级", "生成版本",
                                                  "数据日期", "河段长度（公里）")]
    assert counts and {types[c] for c in counts} == {"int64"}
    assert types["河段长度（公里）"] == "float64"
    layer = pyogrio.read_dataframe(tmp_path / "d.gpkg", layer="汇总")
    # (pandas reads an integer field with nulls as float: its values are compared)
    as_text = [["" if pd.isna(v) else f"{v:g}" for v in row] for row in
               layer[counts].itertuples(index=False)]
    assert as_text == csv[counts].values.tolist()
