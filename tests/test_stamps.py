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
