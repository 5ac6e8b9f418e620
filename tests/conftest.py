"""Shared fixtures; the toy region itself is in ``toy.py``. And which tests are ``slow``.

``pytest -m "not slow"`` is the quick local run (under a minute on 2 cores); plain
``pytest`` runs everything. Slow are: whole modules of end-to-end tests
(:data:`SLOW_MODULES`), every test using a fixture on the bundled Guigang data (a fixture
named ``guigang...``), doctests that read the bundled data, and tests marked
``@pytest.mark.slow`` where they are written (commands run on the bundled data ...).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from toy import make_boundaries

from hzgeo.io import Boundaries

#: Test modules slow as a whole: wheel build, real processes stopped by signals, property
#: tests, notebooks, the browser, the bad-input corpus run through every command, whole
#: ``run`` pipelines, the data script, mypy.
SLOW_MODULES = {"test_wheel.py", "test_signals.py", "test_properties.py", "test_notebooks.py",
                "test_browser.py", "test_bad_inputs.py", "test_pipeline.py", "test_data.py",
                "test_typing.py", "test_guigang.py"}
#: What a doctest reading the bundled data says.
_BUNDLED = ("guigang(", "read_boundaries()", "read_waters()", "run_phase_one(")


def _slow(item: pytest.Item) -> bool:
    if Path(str(item.path)).name in SLOW_MODULES:
        return True
    if any(name.startswith("guigang") for name in getattr(item, "fixturenames", ())):
        return True
    dtest = getattr(item, "dtest", None)  # a doctest
    return dtest is not None and any(
        word in example.source for example in dtest.examples for word in _BUNDLED)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _slow(item):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def boundaries() -> Boundaries:
    return make_boundaries()
