"""Every notebook runs top to bottom on the bundled data (code cells executed in order,
in a fresh folder, as a user running all cells would)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from hzgeo.errors import HzgeoWarning

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    # a notebook shows hzgeo's notes (a vacant post ...) as a user would see them; any
    # other warning (a missing glyph, a deprecation) still fails the test
    warnings.simplefilter("default", HzgeoWarning)
    namespace: dict = {"__name__": "__main__"}
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    for number, cell in enumerate(code, start=1):
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name} cell {number}", "exec"), namespace)


def test_there_are_notebooks():
    assert NOTEBOOKS
