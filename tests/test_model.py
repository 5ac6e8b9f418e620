"""The stage contracts (hzgeo.model): every stage's frames carry the columns its schema
constant names, the contracts are frozen, and the old import paths give the same classes."""

from __future__ import annotations

import dataclasses

import pytest
from test_chiefs import officials, region, waters
from toy import box, line

import hzgeo
from hzgeo import model


@pytest.fixture(scope="module")
def stages():
    boundaries = region()
    w = waters(("R1", "甲河", True, line((100, 500), (3900, 500))),
               ("R2", "乙河", False, line((1500, 900), (2500, 100))),
               lakes=[("L1", "甲湖", "lake", "", box(900, 1100, 600, 800))])
    seg = hzgeo.segment_waters(boundaries, w)
    chiefs = hzgeo.assign_chiefs(seg, boundaries, w, officials())
    report = hzgeo.audit(boundaries, w, chiefs=chiefs, segmentation=seg)
    return boundaries, w, seg, chiefs, report


def test_every_frame_carries_the_columns_of_its_schema(stages):
    boundaries, _w, seg, chiefs, report = stages
    for frame in boundaries.levels.values():
        assert set(model.BOUNDARY_COLUMNS[:3]) <= set(frame.columns)
    read = hzgeo.read_boundaries()
    for frame in read.levels.values():
        assert list(frame.columns) == model.BOUNDARY_COLUMNS
    bundled = hzgeo.read_waters()
    assert list(bundled.rivers.columns) == model.RIVER_COLUMNS
    assert list(bundled.lakes.columns) == model.LAKE_COLUMNS
    for level in ("county", "township", "village"):
        assert list(seg.reaches[level].columns) == model.REACH_COLUMNS
        assert list(seg.zones[level].columns) == model.ZONE_COLUMNS
        assert len(seg.reaches[level]) and len(seg.zones[level])
        assert list(chiefs.reaches[level].columns) == [*model.REACH_COLUMNS,
                                                       *model.CHIEF_COLUMNS, "other_bank_chief"]
        assert list(chiefs.zones[level].columns) == [*model.ZONE_COLUMNS, *model.CHIEF_COLUMNS]
    assert list(seg.slivers.columns) == model.SLIVER_COLUMNS
    assert list(seg.gaps.columns) == model.GAP_COLUMNS
    assert list(seg.overrides.columns) == model.OVERRIDE_COLUMNS
    assert list(seg.river_lengths.columns) == model.RIVER_LENGTH_COLUMNS
    assert list(chiefs.total_chiefs.columns) == model.TOTAL_CHIEF_COLUMNS
    assert list(chiefs.city_chiefs.columns) == model.CITY_CHIEF_COLUMNS
    assert list(chiefs.joint_meetings.columns) == model.JOINT_MEETING_COLUMNS
    assert len(chiefs.joint_meetings)  # 乙河 crosses the county border
    assert list(chiefs.vacancies.columns) == model.VACANCY_COLUMNS
    assert list(chiefs.offices.columns) == model.OFFICE_COLUMNS
    assert list(report.defects.columns) == model.AUDIT_COLUMNS
    assert list(report.coverage.columns) == model.COVERAGE_COLUMNS


def test_the_contracts_are_frozen(stages):
    boundaries, w, seg, chiefs, report = stages
    for value, name in [(boundaries, "outline"), (w, "rivers"), (seg, "reaches"),
                        (chiefs, "city_chiefs"), (report, "summary")]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, name, None)
    assert dataclasses.replace(boundaries, outline="港北区界").outline == "港北区界"
    assert boundaries.outline == "市界"
    # the audit's report is the model's, with its texts
    assert isinstance(report, model.AuditReport) and "exactly one" in report.text()
    assert report.summary["coverage_lines"] == report.coverage_lines()


def test_old_import_paths_give_the_model_classes():
    from hzgeo.chiefs import CHIEF_COLUMNS, Chiefs
    from hzgeo.io import Boundaries, Waters
    from hzgeo.pipeline import PhaseOne
    from hzgeo.segment import Segmentation

    assert (Boundaries, Waters, Segmentation, Chiefs, PhaseOne) == (
        model.Boundaries, model.Waters, model.Segmentation, model.Chiefs, model.PhaseOne)
    assert hzgeo.Boundaries is model.Boundaries and CHIEF_COLUMNS is model.CHIEF_COLUMNS
    assert issubclass(hzgeo.AuditReport, model.AuditReport)


def test_missing_numbers_stay_missing_in_the_report_texts():
    """NaN (a kind that measures nothing, a finding without a place) is no number: null in
    the JSON, left out of the text; numbers beside it are kept."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from hzgeo.audit import AuditReport

    rows = {"kind": ["duplicate_code", "gap"], "level": ["village", "village"],
            "codes": ["450802001001", "450802001002"], "names": ["一村", "二村"],
            "water_code": ["", ""], "water_name": ["", ""], "measure": [np.nan, 2.5e5],
            "unit": ["", "m2"], "lon": [np.nan, 109.6], "lat": [np.nan, 23.1],
            "detail": ["", ""], "fixable": [False, True], "information": [False, False]}
    defects = gpd.GeoDataFrame(rows, geometry=[None, shapely.Point(109.6, 23.1)],
                               crs="EPSG:4490")
    report = AuditReport(ok=False, summary={}, defects=defects,
                         coverage=pd.DataFrame(columns=model.COVERAGE_COLUMNS))
    first, second = report.to_dict()["defects"]
    assert (first["measure"], first["lon"], first["lat"]) == (None, None, None)
    assert (second["measure"], second["lon"]) == (2.5e5, 109.6)
    text = report.text()
    assert "nan" not in text.lower()
    assert "gap (village): 0.250 km²" in text and "at 109.60000, 23.10000" in text
    assert "duplicate_code (village): in 一村 (450802001001)" in text
