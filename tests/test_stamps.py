"""Every file ``hzgeo run`` writes says which hzgeo made it and the date of its data."""

from __future__ import annotations

import contextlib
import io

import pytest
from other_city import texts_of

import hzgeo
from hzgeo.cli import main

DATE = "2023-06-30"


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("stamped")
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main(["run", "--data-date", DATE, "--out", str(out)])
    assert status == 0, said.getvalue()
    return sorted(p for p in out.rglob("*") if p.is_file())


def test_run_writes_every_kind_of_file(written):
    kinds = {p.suffix for p in written}
    assert {".gpkg", ".xlsx", ".csv", ".json", ".kml", ".html", ".pdf", ".png"} <= kinds


def test_every_file_run_writes_carries_the_version_and_the_data_date(written):
    texts = {p.name: texts_of(p) for p in written}
    no_date = sorted(name for name, text in texts.items() if DATE not in text)
    no_version = sorted(name for name, text in texts.items()
                        if hzgeo.__version__ not in text)
    assert no_date == [] and no_version == [], {"no date": no_date, "no version": no_version}


def _latin_words(text: str) -> list[str]:
    """Latin words left in a Chinese text once what may stay in Latin letters is taken
    out: web addresses, codes (SC-R01-01, B-R03-…, EPSG:4546), the coordinate systems,
    units, and the proper names of the software and data sources."""
    import re

    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b[A-Z]+(?:[-:+][0-9A-Z]+)+\b", " ", text)
    for name in ("data/SOURCES.md", "Natural Earth", "cnmaps", "hzgeo", "WGS84",
                 "CGCS2000", "km"):
        text = text.replace(name, " ")
    return re.findall(r"[A-Za-z]{2,}", text)


def test_field_outputs_say_version_and_date_in_chinese(written):
    """The KML a county opens in a map viewer and the field workbook are Chinese: their
    notes (数据来源 on the 说明 sheet, the KML document's description) carry no English
    such as '（hzgeo 0.1.0; data date 2023-06-30）'."""
    import re
    import xml.etree.ElementTree as ET

    import openpyxl

    kml = next(p for p in written if p.name == "field.kml")
    texts = [t.strip() for t in ET.parse(kml).getroot().itertext() if t.strip()]
    chinese = [t for t in texts if re.search(r"[\u4e00-\u9fff]", t)]
    assert chinese and [(t[:80], w) for t in chinese if (w := _latin_words(t))] == []
    book = openpyxl.load_workbook(next(p for p in written if p.name == "field.xlsx"))
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str) and re.search(r"[\u4e00-\u9fff]", v)]
    assert cells and [(c[:80], w) for c in cells if (w := _latin_words(c))] == []
    about = dict(book["说明"].iter_rows(values_only=True))
    assert about["hzgeo版本"] == hzgeo.__version__ and about["数据日期"] == DATE


@pytest.mark.parametrize("args, name", [
    (["map", "--river", "R03"], "yujiang.pdf"),
    (["map", "--county", "港北区"], "gangbei.html"),
    (["sections"], "sections.xlsx"),
])
def test_map_and_sections_take_the_data_date_too(args, name, tmp_path):
    """README: every output carries the hzgeo version and the data date (--data-date).
    The commands that write a part of what run writes take the date as run does."""
    out = tmp_path / name
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main([*args, "--data-date", DATE, "--out", str(out), "-q"])
    assert status == 0, said.getvalue()
    text = texts_of(out)
    assert DATE in text and hzgeo.__version__ in text


def test_boards_pdf_says_its_version_and_data_date(tmp_path):
    """`hzgeo boards --out x.pdf` (issue #16): every page's foot and the PDF's metadata
    carry the hzgeo version and the data date, as the sheets do (the 落款 date alone
    did not say which hzgeo made the boards)."""
    import pypdf

    out = tmp_path / "boards.pdf"
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main(["boards", "--county", "覃塘区", "--data-date", DATE, "--out", str(out),
                       "-q"])
    assert status == 0, said.getvalue()
    reader = pypdf.PdfReader(out)
    stamp = f"hzgeo {hzgeo.__version__}；数据日期：{DATE}"
    feet = [page.extract_text() for page in reader.pages]
    assert len(feet) > 1 and [i for i, text in enumerate(feet) if stamp not in text] == []
    meta = reader.metadata
    assert meta["/Creator"] == f"hzgeo {hzgeo.__version__}"
    assert DATE in meta["/Subject"] and hzgeo.__version__ in meta["/Subject"]
    assert meta["/Keywords"] == f"数据日期：{DATE}"
