"""Every notebook runs top to bottom on the bundled data (code cells executed in order,
in a fresh folder, as a user running all cells would)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    # a notebook shows hzgeo's notes it means to show (a vacant post planted on purpose)
    # itself, as a user would see them; any warning left to escape a cell (an hzgeo note
    # nobody asked for, a missing glyph, a deprecation) fails the test
    namespace: dict = {"__name__": "__main__"}
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    for number, cell in enumerate(code, start=1):
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name} cell {number}", "exec"), namespace)


def test_there_are_notebooks():
    assert NOTEBOOKS


def test_sheets_show_as_figures():
    """A cell that draws a sheet ends with the figure, which shows itself as a PNG (a sheet
    drawn without pyplot would otherwise print as ``<Figure size ... with 2 Axes>``)."""
    import ast

    from hzgeo.maps.sheet import Sheet

    assert callable(getattr(Sheet, "_repr_png_", None))
    found = 0
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or "plot_sheet(" not in source:
                continue
            found += 1
            last = ast.parse(source).body[-1]
            assert isinstance(last, ast.Expr) and isinstance(last.value, ast.Name), source
            assign = next(n for n in ast.parse(source).body if isinstance(n, ast.Assign)
                          and "plot_sheet" in ast.unparse(n.value))
            assert ast.unparse(assign.targets[0]) == last.value.id, source
    assert found >= 2


def test_a_river_sheet_a_notebook_saves_has_the_annex_it_refers_to(tmp_path, monkeypatch):
    """The 郁江 sheet has room for part of its chiefs and says '其余 … 行见 PDF 附页（河长
    名单）'; the PDF that notebook 05 hands out carries those pages after the map, as the
    PDF sheets of ``hzgeo run`` do."""
    import pypdf

    path = next(p for p in NOTEBOOKS if p.name.startswith("05_"))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__main__"}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), path.name, "exec"), namespace)
    pdf = next(tmp_path.rglob("sheet_R03.pdf"))
    pages = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    assert "PDF 附页" in pages[0]
    assert len(pages) >= 2 and all("附页：河长名单" in text for text in pages[1:])
