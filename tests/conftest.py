"""Shared fixtures; the toy region itself is in ``toy.py``. And which tests are ``slow``.

``pytest -m "not slow"`` is the quick local run (under a minute on 2 cores); plain
``pytest`` runs everything. Slow are: whole modules of end-to-end tests
(:data:`SLOW_MODULES`); every test using a fixture on the bundled Guigang data (a
fixture named ``guigang...``, or one of :data:`SLOW_FIXTURES`); doctests that read the
bundled data; the tests of :data:`SLOW_TESTS` (commands run on the bundled data ...);
and tests marked ``@pytest.mark.slow`` where they are written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from toy import make_boundaries

from hzgeo.io import Boundaries

#: Test modules slow as a whole: wheel build, real processes stopped by signals, property
#: tests, notebooks, the browser, the bad-input corpus run through every command, whole
#: ``run`` pipelines, the data script, mypy, distributed segmentation (worker clusters), the
#: bundled directory as printed.
SLOW_MODULES = {"test_wheel.py", "test_signals.py", "test_properties.py", "test_notebooks.py",
                "test_browser.py", "test_bad_inputs.py", "test_pipeline.py", "test_data.py",
                "test_typing.py", "test_guigang.py", "test_distributed.py",
                "test_directory_print.py"}
#: Fixtures that run commands or the whole job on the bundled data (besides ``guigang...``).
SLOW_FIXTURES = {"bundled", "run_dir", "rosters", "run_maps"}
#: Single slow tests (measured: several seconds each): commands run on the bundled data,
#: module imports in fresh interpreters. By ``file::test function`` (all parameters).
SLOW_TESTS = {
    "test_cli.py::test_run_on_the_bundled_data_writes_every_output",
    "test_cli.py::test_run_exits_1_after_writing_everything_when_the_audit_finds_defects",
    "test_cli.py::test_fix_repairs_overlaps_and_narrow_gaps_and_says_so",
    "test_cli.py::test_run_limited_to_one_county",
    "test_cli.py::test_check_lists_defects_on_a_map_and_exits_1",
    "test_cli.py::test_county_limits_segment_to_one_county",
    "test_cli.py::test_overrides_table_from_csv",
    "test_field.py::test_cli_sections_and_boards",
    "test_directory.py::test_roster_writes_the_bundled_directory",
    "test_directory.py::test_gpkg_same_tables_with_geometry",
    "test_directory.py::test_roster_vacancy_and_changes",
    "test_directory.py::test_one_village_chief_changed",
    "test_directory.py::test_reaches_that_appear_or_disappear_and_total_chiefs",
    "test_directory_rivers.py::test_banks_of_the_bundled_yujiang",
    "test_maps.py::test_write_maps_writes_the_set_or_nothing",
    "test_maps.py::test_cli_map",
    "test_maps.py::test_sheet_shows_itself_in_a_notebook",
    "test_maps.py::test_popup_names_chiefs_at_each_level_and_hides_phones",
    "test_imports.py::test_each_module_imports_first_in_a_fresh_interpreter",
    "test_audit.py::test_the_bundled_data_audits_clean",
    "test_io.py::test_shapefile_per_level_with_other_column_names_and_only_villages",
    "test_io.py::test_bundled_data_loads_and_validates_quietly",
}
#: What a doctest reading the bundled data says.
_BUNDLED = ("guigang(", "read_boundaries()", "read_waters()", "run_phase_one(")


def _slow(item: pytest.Item) -> bool:
    module = Path(str(item.path)).name
    if module in SLOW_MODULES:
        return True
    if f"{module}::{getattr(item, 'originalname', item.name)}" in SLOW_TESTS:
        return True
    if any(name.startswith("guigang") or name in SLOW_FIXTURES
           for name in getattr(item, "fixturenames", ())):
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


@pytest.fixture(scope="module")
def guigang():
    """The bundled sample segmented, with the chiefs of its (fictional) office holders:
    ``(boundaries, waters, segmentation, officials, chiefs)``. A module may define its own
    ``guigang`` of another shape (test_pipeline.py does), which takes precedence."""
    from hzgeo import datasets
    from hzgeo.chiefs import assign_chiefs, read_officials
    from hzgeo.io import read_boundaries, read_waters
    from hzgeo.segment import segment_waters

    boundaries, waters = read_boundaries(), read_waters()
    result = segment_waters(boundaries, waters)
    officials = read_officials(datasets.guigang_officials())
    chiefs = assign_chiefs(result, boundaries, waters, officials)
    return boundaries, waters, result, officials, chiefs
