"""The directory as printed and as files say where they come from: legible on paper, titles
that fit, the hzgeo version and data date in the XLSX, CSVs and GPKG, no English inside.

The print size is computed here from what the workbook says (column widths, paper, margins,
fit to width) with Excel's own rule for column widths, not with hzgeo's helper.
"""

from __future__ import annotations

import math
import re
import unicodedata

import pandas as pd
import pyogrio
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

import hzgeo
from hzgeo.cli import main
from hzgeo.output import read_layer_names

DATE = "2023-06-30"
STAMP = f"hzgeo {hzgeo.__version__}"
#: paper code -> (short, long) side in mm (ECMA-376: 8 = A3, 9 = A4)
PAPER_MM = {8: (297.0, 420.0), 9: (210.0, 297.0)}
MDW = 7  # maximum digit width, pixels, of Calibri 11 (the default font)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("printed")
    for suffix in (".xlsx", ".csv", ".gpkg"):
        assert main(["roster", "--out", str(folder / f"directory{suffix}"), "--data-date", DATE,
                     "-q"]) == 0
    return folder


def _width(text) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text or ""))


def _column_px(width: float) -> int:
    """Excel: pixels = Truncate(((256 * width + Truncate(128 / MDW)) / 256) * MDW)."""
    return math.trunc(((256 * width + math.trunc(128 / MDW)) / 256) * MDW)


def _print_pt(ws) -> float:
    setup = ws.page_setup
    short, long = PAPER_MM[int(setup.paperSize)]
    page_mm = long if setup.orientation == "landscape" else short
    usable_px = (page_mm / 25.4 - ws.page_margins.left - ws.page_margins.right) * 96
    table_px = sum(_column_px(ws.column_dimensions[get_column_letter(j)].width)
                   for j in range(1, ws.max_column + 1))
    if ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth == 1:
        percent = min(100, math.floor(100 * usable_px / table_px))
    else:
        percent = setup.scale or 100
    body = {ws.cell(row=r, column=c).font.sz or 11 for r in range(3, min(ws.max_row, 40))
            for c in range(1, ws.max_column + 1) if ws.cell(row=r, column=c).value is not None}
    return min(body | {11}) * percent / 100


def test_every_sheet_prints_at_8_pt_or_more(bundled):
    book = load_workbook(bundled / "directory.xlsx")
    sizes = {ws.title: _print_pt(ws) for ws in book}
    assert min(sizes.values()) >= 8, sizes
    village = book["村级河段"]
    assert (village.page_setup.paperSize, village.page_setup.orientation) == (8, "landscape")
    assert village.max_column <= 15  # the columns a printed roster needs, not 23


def test_titles_fit_their_merged_cells(bundled):
    book = load_workbook(bundled / "directory.xlsx")
    for ws in book:
        title = ws["A1"].value
        merged = [r for r in ws.merged_cells.ranges if r.min_row == 1]
        first, _, last, _ = range_boundaries(str(merged[0])) if merged else (1, 1, 1, 1)
        room = sum(ws.column_dimensions[get_column_letter(j)].width
                   for j in range(first, last + 1))
        size = ws["A1"].font.sz
        assert _width(title) * size / 11 <= room, (ws.title, title, room)


def test_the_xlsx_says_version_and_data_date(bundled):
    book = load_workbook(bundled / "directory.xlsx")
    assert book.properties.version == hzgeo.__version__
    for ws in book:
        notes = [ws.cell(row=r, column=1).value or "" for r in range(ws.max_row - 4,
                                                                     ws.max_row + 1)]
        assert any(STAMP in n and DATE in n for n in notes), (ws.title, notes)
        assert DATE in ws["A1"].value


def test_the_csvs_and_gpkg_say_version_and_data_date(bundled):
    files = sorted(bundled.glob("directory.*.csv"))
    assert len(files) >= 10
    for path in files:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        assert list(frame.columns[-2:]) == ["生成版本", "数据日期"], path.name
        assert set(frame["生成版本"]) <= {STAMP} and set(frame["数据日期"]) <= {DATE}
        if len(frame):
            assert set(frame["生成版本"]) == {STAMP}
    village = pd.read_csv(bundled / "directory.村级河段.csv", dtype=str, encoding="utf-8-sig")
    assert village["行政区划代码"].str.fullmatch(r"\d{12}").all()  # codes intact
    assert {"起止", "界河岸别", "上级河段编码", "统计用名称"} <= set(village.columns)  # all
    assert "关于" in read_layer_names(bundled / "directory.gpkg")
    table = pyogrio.read_dataframe(bundled / "directory.gpkg", layer="关于")
    assert table["生成版本"].tolist() == [STAMP] and table["数据日期"].tolist() == [DATE]


_CODES = {"河段编码", "河流编码", "行政区划代码", "上级河段编码", "分片编码", "湖库编码",
          "河湖库编码", "成员代码", "召集县代码", "编码", "联系电话", "监督电话", "生成版本"}


def test_no_english_inside(bundled):
    """Every text cell of every sheet is Chinese (codes, phones and the version aside)."""
    book = load_workbook(bundled / "directory.xlsx")
    for ws in book:
        headers = [c.value for c in ws[2]]
        for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
            for header, cell in zip(headers, row, strict=False):
                if not isinstance(cell.value, str):
                    continue
                words = set(re.findall(r"[A-Za-z]{2,}", cell.value))
                if cell.column == 1 and cell.value.startswith(("数据来源", "生成", "注", "界河")):
                    # footnotes: the sources name their datasets; ours say hzgeo, CSV, GPKG
                    words -= {"hzgeo", "CSV", "GPKG", "cnmaps", "Natural", "Earth", "data",
                              "SOURCES", "md"}
                elif header in _CODES:
                    continue
                assert not words, (ws.title, header, cell.value)


def test_an_empty_table_says_so(bundled):
    """The bundled sample has no vacant post: the printed 空缺岗位 sheet says 无 on its
    first line, as its CSV does, instead of showing an empty table row."""
    book = load_workbook(bundled / "directory.xlsx")
    ws = book["空缺岗位"]
    assert ws.cell(row=3, column=1).value == "（无）"
    assert [c.value for c in ws[3][1:]] == [None] * (ws.max_column - 1)
    assert f"A3:{get_column_letter(ws.max_column)}3" in {str(r) for r in ws.merged_cells}
    csv = pd.read_csv(bundled / "directory.空缺岗位.csv", dtype=str, encoding="utf-8-sig")
    assert csv.iloc[:, 0].tolist() == ["（无）"]
    # a table with rows has none
    assert all(book[s].cell(row=3, column=1).value != "（无）" for s in book.sheetnames
               if s != "空缺岗位")


def test_city_chiefs_duties_name_each_river_and_its_length(bundled):
    """河长责任清单: a deputy mayor who chairs 黔江 and 浔江 (both 西江干流) has two rows
    that say which river each is and how long it is in the city, as the 河湖名录 says."""
    duties = pd.read_csv(bundled / "directory.河长责任清单.csv", dtype=str, encoding="utf-8-sig")
    rivers = pd.read_csv(bundled / "directory.河湖名录.csv", dtype=str, encoding="utf-8-sig")
    names = dict(zip(rivers["河湖库编码"], rivers["河湖库名称"], strict=True))
    lengths = dict(zip(rivers["河湖库编码"], rivers["长度（公里）"].astype(float), strict=True))
    city = duties[duties["责任类别"] == "市级河长"]
    assert len(city) == 8
    for row in city.itertuples(index=False):
        code, name, extent = row[7], row[8], float(row[9])
        assert name.startswith(names[code]), (code, name)
        assert extent == pytest.approx(lengths[code], abs=0.006), (code, extent)
    chairs = city.groupby("河长")["名称"]
    assert all(group.is_unique for _, group in chairs)
