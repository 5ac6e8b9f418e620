"""Phase one of the plan end to end: segment, assign chiefs, audit, write every output.

:func:`run_phase_one` is what ``hzgeo run`` does, as one library call. Into one folder it
writes, all or nothing (earlier files of the same names are replaced whole; nothing else
in the folder is touched):

==========================  ===============================================================
file                        what
==========================  ===============================================================
``segments.gpkg``           reaches and zones per level, slivers, gaps, overrides, lengths
``directory.xlsx``          the graded directory (分级分段名录), one sheet per table
``directory.<sheet>.csv``   the same tables as CSV (UTF-8 with BOM)
``audit.json``              the duty audit (``hzgeo check``'s report)
``defects.gpkg``            the audit's findings, to open next to the data
``field.gpkg|xlsx|kml``     cross-boundary sections, confluences, notice-board sites
``field.<layer>.csv``       the same as CSV (with office holders; else no boards)
``map_city.html``           the interactive distribution map of the city, offline
``map_<county>.html``       one per county
``sheet_*.png|pdf``         print sheets: the city, each county, each main river
``index.html``              links to all of them, the summary numbers and the sources
==========================  ===============================================================

Examples
--------
>>> import tempfile, hzgeo
>>> boundaries, waters = hzgeo.datasets.guigang()
>>> officials = hzgeo.read_officials(hzgeo.datasets.guigang_officials())
>>> out = tempfile.mkdtemp()
>>> run = run_phase_one(boundaries, waters, out, officials=officials, maps=False)
>>> run.audit.ok, sorted(run.files)[:3]
(True, ['audit.json', 'defects.gpkg', 'directory.xlsx'])
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from hzgeo._progress import Steps
from hzgeo.atomic import atomic_outputs
from hzgeo.errors import DataQualityError, InputError, InputTypeError
from hzgeo.model import Boundaries, Chiefs, PhaseOne, Segmentation, Waters
from hzgeo.select import area_name, limited_to
from hzgeo.settings import MIN_REACH_M, REACH_LEVELS

if TYPE_CHECKING:
    from hzgeo.audit import AuditReport
    from hzgeo.chiefs.rules import Rules

__all__ = ["RUN_FILES", "PhaseOne", "run_phase_one"]

#: The files of fixed name that :func:`run_phase_one` writes (besides
#: ``directory.<sheet>.csv``, ``field.<layer>.csv``, ``map_<county>.html`` and ``sheet_*``);
#: nothing else in the folder is touched.
RUN_FILES = ("segments.gpkg", "directory.xlsx", "audit.json", "defects.gpkg", "field.gpkg",
             "field.xlsx", "field.kml", "map_city.html", "index.html")



def summarize(segmentation: Segmentation, chiefs: Chiefs | None, audit: AuditReport
              ) -> dict:
    """The summary numbers: reaches, chiefs and km per level, joint meetings, defects."""
    levels = {}
    for level in getattr(segmentation, "levels", REACH_LEVELS):  # the levels the city has
        reaches = segmentation.reaches[level]
        row = {"reaches": len(reaches),
               "boundary_rows": int(reaches["boundary"].sum()),
               "km": float(reaches.loc[reaches["primary"], "length_m"].sum() / 1000),
               "zones": len(segmentation.zones[level])}
        if chiefs is not None:
            frame = pd.concat([chiefs.reaches[level], chiefs.zones[level]])
            row["chiefs"] = int(frame["chief_name"].dropna().nunique())
            row["vacant"] = int(frame["vacant"].sum())
        levels[level] = row
    real = audit.defects[~audit.defects["information"].astype(bool)]
    return {
        "levels": levels,
        "rivers": len(segmentation.river_lengths),
        "total_chiefs": (None if chiefs is None
                         else int(chiefs.total_chiefs["chief_name"].notna().sum())),
        "joint_meetings": None if chiefs is None else len(chiefs.joint_meetings),
        "vacancies": None if chiefs is None else len(chiefs.vacancies),
        "defects": len(real),
        "defects_by_kind": {str(k): int(n) for k, n in real["kind"].value_counts().items()},
        "coverage": audit.coverage_lines(),
        "coverage_rows": audit.coverage.to_dict("records"),
    }


def run_phase_one(boundaries: Boundaries, waters: Waters, out: str | os.PathLike, *,
                  officials: pd.DataFrame | None = None, rules: Rules | None = None,
                  overrides=None, min_length: float = MIN_REACH_M,
                  boundary_tolerance: float | None = None, repairs=None,
                  data_date: str | None = None, sources: str | None = None,
                  hide_phones: bool = False, maps: bool = True, seats=None,
                  sheet_formats: tuple[str, ...] = ("png", "pdf"),
                  steps: Steps | None = None) -> PhaseOne:
    """Do phase one on ``boundaries`` and ``waters`` and write every output into ``out``.

    Parameters
    ----------
    boundaries, waters
        From :func:`hzgeo.read_boundaries` / :func:`hzgeo.read_waters` (repaired already
        if wanted: pass the repair log as ``repairs`` to have it written too).
    out : path
        The folder; created if needed. Only the files listed in this module's table are
        replaced.
    officials : DataFrame, optional
        Office holders (:func:`hzgeo.read_officials`). Without them no chiefs are
        assigned: the directory is not written, the audit measures units, not chiefs.
    rules : Rules, optional
        Default: the bundled Guigang rules for the bundled sample, else the generic
        national rules (:func:`hzgeo.chiefs.rules.default_rules`).
    overrides, min_length, boundary_tolerance
        As :func:`hzgeo.segment_waters` takes them.
    data_date : str, optional
        The date of the data, on every output. Default: today.
    sources : str, optional
        Where the data comes from, on every output. Default: said from where the inputs
        were read (:func:`hzgeo.inputs.describe_sources`).
    hide_phones : bool
        Leave personal phone numbers off the maps (public maps).
    maps : bool
        Draw the HTML maps and the print sheets (the slowest step).
    seats : GeoDataFrame, optional
        Village seats (:func:`hzgeo.io.read_seats`): boards stand nearest them (else at
        the middle of the village's reaches).
    steps : Steps, optional
        Progress reporting (``hzgeo run`` passes one); default silent.

    Raises
    ------
    DataQualityError
        The boundaries or waters are too defective to segment (invalid polygons, units
        overlapping where rivers run ...). The audit (``audit.json``, ``defects.gpkg``)
        is written first: it says what to mend.
    """
    from hzgeo._version import __version__
    from hzgeo.audit import audit as run_audit
    from hzgeo.chiefs import assign_chiefs
    from hzgeo.inputs import describe_sources, segment_inputs
    from hzgeo.validate import find_defects

    out = Path(out)
    if sources is None:
        sources = describe_sources(boundaries, waters, officials)
    steps = steps or Steps(step_count(officials, maps), quiet=True)
    data_date = data_date or _dt.date.today().isoformat()
    with steps.step("segment"):
        # every defect, found once: segmentation refuses those it cannot work around,
        # the audit reports them all
        defects = find_defects(boundaries, waters)
        try:
            result = segment_inputs(boundaries, waters, min_length=min_length,
                                    boundary_tolerance=boundary_tolerance, overrides=overrides,
                                    defects=defects)
        except (DataQualityError, InputError) as err:
            if isinstance(err, InputTypeError):  # a caller's mistake, nothing to audit
                raise
            report = run_audit(boundaries, waters, min_length=min_length,
                               boundary_tolerance=boundary_tolerance, defects=defects,
                               refused=" ".join(err.message.split()))
            report = dataclasses.replace(report, summary=report.summary | {
                "hzgeo_version": __version__, "data_date": data_date})
            written = report.write(out)
            raise DataQualityError(
                f"the boundaries or waters are too defective to segment: {err.message}",
                file=err.file, layer=err.layer, features=err.features,
                hint=f"the audit is written to {written['json']} and {written['gpkg']}: mend "
                     "what it lists (hzgeo check --fix repairs what needs no judgement), "
                     "then run again") from err
    chiefs = None
    if officials is not None:
        with steps.step("assign chiefs"):
            chiefs = assign_chiefs(result, boundaries, waters, officials, rules)
    with steps.step("field sites"):
        from hzgeo.field import confluences, cross_sections, notice_boards, short_reaches

        field = {"sections": cross_sections(result, boundaries=boundaries, waters=waters,
                                            rules=rules),
                 "confluences": confluences(result, waters, boundaries),
                 "boards": (None if chiefs is None
                            else notice_boards(chiefs, boundaries, waters, rules, seats=seats,
                                               date=data_date))}
        short = None if chiefs is None else short_reaches(chiefs, field["boards"], rules)
    with steps.step("audit"):
        report = run_audit(boundaries, waters, chiefs=chiefs, min_length=min_length,
                           boundary_tolerance=boundary_tolerance, segmentation=result,
                           defects=defects)
    summary = summarize(result, chiefs, report)
    summary |= {"sections": len(field["sections"]), "confluences": len(field["confluences"]),
                "boards": None if field["boards"] is None else len(field["boards"])}
    summary |= {"version": __version__, "data_date": data_date, "sources": sources or "",
                "labels": _labels(boundaries, waters), "area": area_name(boundaries)}
    files: dict[str, Path] = {}
    with atomic_outputs() as outputs:
        with steps.step("write segments"):
            layers = result.layers() | ({} if repairs is None else {"repairs": repairs})
            layers["about"] = pd.DataFrame({"hzgeo_version": [__version__],
                                            "data_date": [data_date],
                                            "sources": [sources or ""]})
            from hzgeo.output import write_layers

            write_layers(layers, out / "segments.gpkg", outputs=outputs)
            files["segments.gpkg"] = out / "segments.gpkg"
        if chiefs is not None:
            with steps.step("write directory"):
                from hzgeo.directory import write_directory

                for suffix in (".xlsx", ".csv"):
                    written = write_directory(chiefs, out / f"directory{suffix}",
                                              data_date=data_date, sources=sources,
                                              boundaries=boundaries, waters=waters,
                                              outputs=outputs)
                    files |= {Path(p).name: Path(p) for p in written.values()}
        with steps.step("write audit"):
            report = dataclasses.replace(report, summary=report.summary | {
                "hzgeo_version": __version__, "data_date": data_date})
            written = report.write(out, outputs=outputs)
            files |= {Path(p).name: Path(p) for p in written.values()}
        with steps.step("write field sites"):
            from hzgeo.field import write_field

            written = write_field(field["sections"], field["confluences"], field["boards"],
                                  out, short=short, data_date=data_date,
                                  sources=sources, outputs=outputs)
            files |= {Path(p).name: Path(p) for p in _paths(written)}
        if maps:
            with steps.step("draw maps"):
                from hzgeo.maps import write_maps

                drawn = write_maps(result, boundaries, out, outputs=outputs, chiefs=chiefs,
                                   audit=report, hide_phones=hide_phones,
                                   formats=sheet_formats, field=field, data_date=data_date)
                for path in drawn["html"] + drawn["sheets"]:
                    files[Path(path).name] = Path(path)
        with steps.step("write index"):
            index = out / "index.html"
            from hzgeo.maps.index import index_html

            outputs.path(index).write_text(index_html(summary, files), encoding="utf-8")
            files["index.html"] = index
    steps.close()
    return PhaseOne(result, chiefs, report, files, summary)


def step_count(officials, maps: bool) -> int:
    """How many steps :func:`run_phase_one` reports (for a progress bar)."""
    return 7 + (officials is not None) * 2 + bool(maps)


def _paths(written) -> list:
    """The paths in a ``{kind: path or [paths]}`` mapping."""
    out = []
    for value in written.values():
        out += list(value) if isinstance(value, list | tuple) else [value]
    return out


def _labels(boundaries, waters) -> dict[str, str]:
    """What a file's code stands for (``450802`` -> 港北区, ``R03`` -> 郁江; ``city``, in a
    county run: the run's area, 贵港市港北区), for the index."""
    labels = dict(zip(boundaries["county"]["code"].astype(str),
                      boundaries["county"]["name"].astype(str), strict=True))
    if limited_to(boundaries) is not None:
        labels["city"] = area_name(boundaries)
    rivers = waters.rivers
    group = rivers["main_river"] if "main_river" in rivers else rivers["name"]
    for code, name, main in zip(rivers["river_code"], rivers["name"], group, strict=True):
        labels[str(code)] = str(main or name)
    return labels
