"""The ``hzgeo`` command line: thin click commands over the library, no logic of their own.

Conventions every command follows:

- options: ``--boundaries``, ``--waters``, ``--out``, ``--crs`` (CRS of input that has none),
  ``--gcj02`` (input is GCJ-02 lon/lat), ``--encoding`` (of shapefiles without .cpg),
  ``--columns``, ``--layers``, ``--fix``, ``--quiet``, ``--debug``;
  later commands add ``--officials`` and ``--rules`` with the same spelling;
- exit status: 0 success, 1 the command worked and found defects (audit), 2 unusable input
  or failure;
- errors: one message naming file, layer, features and what to do; a traceback only
  with ``--debug``;
- outputs: checked by :func:`hzgeo.atomic.check_output_path` before anything is read (a
  folder where a file goes or the reverse, a wrong suffix, an input, a read-only folder are
  refused), then written through :mod:`hzgeo.atomic`, so a failed or interrupted run
  (Ctrl-C, SIGTERM) leaves no partial file and earlier outputs as they were;
- the bundled Guigang sample is used only when neither ``--boundaries`` nor ``--waters`` is
  given, and the first line of output says so; it is never mixed with the user's data.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

import click
import pandas as pd

from hzgeo._stages import stage
from hzgeo._version import __version__
from hzgeo.atomic import atomic_outputs, check_output_path, commit_count
from hzgeo.errors import HzgeoError, HzgeoWarning, InputError
from hzgeo.pipeline import RUN_FILES
from hzgeo.settings import (
    AUDIT_MIN_AREA_M2,
    AUDIT_MIN_WIDTH_M,
    LEVELS,
    MIN_REACH_M,
    REACH_LEVELS,
    REPAIR_GAP_WIDTH_M,
    STORE_CRS,
)

EXIT_OK, EXIT_DEFECTS, EXIT_ERROR = 0, 1, 2


# --------------------------------------------------------------------------- shared options


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        if "=" not in value:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=option)
        key, _, val = value.partition("=")
        out[key.strip()] = val.strip()
    return out


class PositiveMetres(click.ParamType):
    """A finite length in metres, greater than zero."""

    name = "metres"

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        if not (math.isfinite(number) and number > 0):
            self.fail(f"must be a length in metres greater than 0, got {value!r}", param, ctx)
        return number


def input_paths(boundaries: tuple[str, ...], waters: tuple[str, ...],
                *others: str | Path | None) -> list[Path]:
    """The input files named by ``--boundaries``/``--waters`` values and other options."""
    paths = [Path(o) for o in others if o]
    for value in (*boundaries, *waters):
        key, sep, path = value.partition("=")
        paths.append(Path(path if sep and key in (*LEVELS, "rivers", "lakes") else value))
    return paths


SAMPLE_NOTE = ("hzgeo: using the bundled Guigang sample (real county borders and three real "
               "rivers; township/village polygons, other rivers and lakes synthetic; see "
               "data/SOURCES.md)")


def input_options(func: Callable) -> Callable:
    """``--boundaries``, ``--waters``, ``--columns``, ``--layers``, ``--crs``, ``--gcj02``."""
    options = [
        click.option("--boundaries", "boundaries", multiple=True, metavar="PATH|LEVEL=PATH",
                     help="Boundaries: one GeoPackage with layers city/county/township/"
                          "village, or one file per level as LEVEL=PATH (repeat). "
                          "Give --waters too; with neither, the bundled Guigang sample "
                          "is used."),
        click.option("--waters", "waters", multiple=True, metavar="PATH|lakes=PATH",
                     help="Rivers (and lakes layer) file; a separate lakes file as "
                          "lakes=PATH. Give --boundaries too; with neither, the bundled "
                          "Guigang sample is used."),
        click.option("--columns", multiple=True, metavar="OURS=YOURS",
                     help="Map a column, e.g. code=XZQDM, name=XZQMC (units), river_code=HLDM, "
                          "river_name=HLMC, flows_into=HRHL, accuracy_m=JD (rivers) (repeat)."),
        click.option("--layers", multiple=True, metavar="LEVEL=LAYER",
                     help="Layer of a level in a GeoPackage, e.g. village=村级 (repeat)."),
        click.option("--crs", default=None, metavar="CRS",
                     help="CRS of input layers that declare none, e.g. EPSG:4490."),
        click.option("--gcj02", is_flag=True,
                     help="The input is lon/lat in GCJ-02 (Chinese web maps): move it to WGS84."),
        click.option("--encoding", default=None, metavar="NAME",
                     help="Text encoding of shapefiles without a .cpg file, e.g. GBK. "
                          "Default: UTF-8 if the text decodes as such, else GB18030 (GBK)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def common_options(func: Callable) -> Callable:
    """``--quiet`` and ``--debug``."""
    func = click.option("--debug", is_flag=True,
                        help="Show the full traceback of an error.")(func)
    func = click.option("--quiet", "-q", is_flag=True, help="Print only errors.")(func)
    return func


def load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding=None, *,
                echo: Callable[[str], None] = click.echo, partial: bool = False,
                keep_duplicates: bool = False):
    """Read boundaries and waters as the shared options describe them.

    With neither ``--boundaries`` nor ``--waters``, the bundled Guigang sample is read and
    ``echo`` says so first. Given one of them only, the command refuses (the sample is
    never mixed with the user's data), unless ``partial``: then the other is ``None``.
    ``keep_duplicates``: units sharing a code are kept, for the audit to report.
    """
    from hzgeo.io import read_boundaries, read_waters

    if bool(boundaries) != bool(waters) and not partial:
        given, other = ("--boundaries", "--waters") if boundaries else ("--waters",
                                                                        "--boundaries")
        raise InputError(f"{given} given without {other}: hzgeo does not mix your data with "
                         "the bundled Guigang sample",
                         hint=f"give both {given} and {other} (or neither, to run on the "
                              "bundled sample)")
    cols = _pairs(columns, "--columns")
    lays = _pairs(layers, "--layers")
    if not boundaries and not waters:
        echo(SAMPLE_NOTE)
    if not boundaries:
        b_source = None
    elif len(boundaries) == 1 and "=" not in boundaries[0]:
        b_source = boundaries[0]
    else:
        b_source = _pairs(boundaries, "--boundaries")
        unknown = set(b_source) - set(LEVELS)
        if unknown:
            raise click.BadParameter(f"unknown level(s) {sorted(unknown)}; levels are "
                                     f"{list(LEVELS)}", param_hint="--boundaries")
    river_file, lake_file = None, None
    for value in waters:
        key, sep, path = value.partition("=")
        if sep and key == "lakes":
            lake_file = path
        elif sep and key == "rivers":
            river_file = path
        elif not sep:
            river_file = value
        else:
            raise click.BadParameter(f"expected PATH, rivers=PATH or lakes=PATH, got {value!r}",
                                     param_hint="--waters")
    if lake_file and not river_file:
        raise click.BadParameter("lakes=PATH needs the rivers file too", param_hint="--waters")
    # one mapping for both readers: each takes its own keys (name for units, river_name
    # for rivers ...) and both refuse keys hzgeo does not know
    bnd = wat = None
    if boundaries or not (partial and waters):
        bnd = read_boundaries(b_source, layers=lays, columns=cols, crs=crs, gcj02=gcj02,
                              encoding=encoding, keep_duplicates=keep_duplicates)
    if waters or not (partial and boundaries):
        wat = read_waters(river_file, lakes=lake_file, columns=cols, crs=crs, gcj02=gcj02,
                          encoding=encoding)
    return bnd, wat


_OVERRIDE_HINT = ("a row has river_code, action (assign|cut) and, for assign, admin_code "
                  "and optionally from_km, to_km; for cut, at_km and optionally name")


def read_overrides(path: str | None, river_codes=None) -> pd.DataFrame | None:
    """The overrides table (CSV, UTF-8), or None; every bad row is named by its line.

    ``river_codes``, if given, are the rivers of the data: a row naming another is an error.
    """
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        raise InputError("file not found" if not file.exists() else "is a folder, not a file",
                         file=file, hint="check the --overrides path")
    try:
        table = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start})", file=file,
                         hint="save the table as CSV UTF-8") from err
    except pd.errors.EmptyDataError as err:
        raise InputError("the file is empty", file=file, hint=_OVERRIDE_HINT) from err
    except pd.errors.ParserError as err:
        raise InputError(f"not a readable CSV table: {err}".strip(), file=file,
                         hint="save the table as CSV (comma-separated, UTF-8)") from err
    table.columns = [str(c).strip() for c in table.columns]
    missing = {"river_code", "action"} - set(table.columns)
    if missing:
        raise InputError(f"missing column(s) {sorted(missing)}; columns are "
                         f"{list(table.columns)}", file=file, hint=_OVERRIDE_HINT)
    for column in ("admin_code", "name"):
        if column not in table.columns:
            table[column] = ""
    table = table.apply(lambda c: c.str.strip())
    problems = []

    def bad(mask, what):
        for i in mask[mask].index:
            problems.append(f"line {i + 2}: {what(table.loc[i])}")  # line 1 is the header

    bad(table["river_code"] == "", lambda r: "no river_code")
    bad(~table["action"].isin(["assign", "cut"]),
        lambda r: f"action {r['action']!r} is neither assign nor cut")
    if river_codes is not None:
        bad((table["river_code"] != "") & ~table["river_code"].isin(set(river_codes)),
            lambda r: f"river_code {r['river_code']!r} is not a river of the data")
    given = {}
    for column in ("from_km", "to_km", "at_km"):
        raw = table[column] if column in table.columns else pd.Series("", index=table.index)
        given[column] = raw != ""
        number = pd.to_numeric(raw.where(given[column]), errors="coerce")
        finite = number.notna() & number.abs().lt(math.inf)
        bad(given[column] & ~finite, lambda r, c=column: f"{c} {r[c]!r} is not a number")
        table[column] = number.where(finite)
    cut, assign = table["action"] == "cut", table["action"] == "assign"
    bad(cut & ~given["at_km"], lambda r: "action cut needs at_km")
    bad(assign & (table["admin_code"] == ""), lambda r: "action assign needs admin_code")
    bad(assign & (table["from_km"] > table["to_km"]),
        lambda r: f"from_km {r['from_km']:g} is beyond to_km {r['to_km']:g}")
    if problems:
        problems.sort(key=lambda p: int(p.split(":")[0][5:]))
        raise InputError(f"{len(problems)} bad row(s):\n    " + "\n    ".join(problems[:20])
                         + (f"\n    ... and {len(problems) - 20} more"
                            if len(problems) > 20 else ""),
                         file=file, hint=_OVERRIDE_HINT)
    return table


class _Reporter:
    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __call__(self, message: str = "") -> None:
        if not self.quiet:
            click.echo(message)


def _notes(caught, echo) -> None:
    for w in caught:
        if issubclass(w.category, HzgeoWarning):
            echo(f"hzgeo: note: {w.message}")


# --------------------------------------------------------------------------- commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="hzgeo")
def cli() -> None:
    """hzgeo: river chief system (河长制) GIS workflow.

    Segment rivers into county, township and village reaches, zone lakes and reservoirs,
    and write the graded directory. Without --boundaries/--waters, commands use the
    bundled Guigang sample data (partly synthetic; see data/SOURCES.md).
    """


def fix_option(func: Callable) -> Callable:
    """``--fix``: repair the boundaries before use, saying what changed."""
    return click.option("--fix", is_flag=True,
                        help="Repair invalid polygons, overlaps and gaps narrower than "
                             f"{REPAIR_GAP_WIDTH_M:g} m before use (each change is reported; "
                             "see hzgeo check).")(func)


def _repair(bnd, fix: bool, echo):
    """The boundaries, repaired when ``fix``; and the log of what changed (or None)."""
    if not fix:
        return bnd, None
    from hzgeo.repair import repair_boundaries

    bnd, log = repair_boundaries(bnd)
    if len(log):
        moved = (log["area_after_m2"] - log["area_before_m2"]).abs().sum()
        echo(f"--fix: repaired {log['code'].nunique()} unit(s) "
             f"({', '.join(f'{n} {a}' for a, n in log['action'].value_counts().items())}; "
             f"{moved:,.0f} m² moved); listed in the 'repairs' layer")
    else:
        echo("--fix: nothing to repair")
    return bnd, log


def _output_layers(result, repairs) -> dict:
    """The segmentation's layers, and the repairs made by ``--fix`` if any."""
    return result.layers() | ({} if repairs is None else {"repairs": repairs})


def _reach_options(func: Callable) -> Callable:
    """``--min-length`` and ``--boundary-tolerance``: how reaches are drawn."""
    func = click.option("--boundary-tolerance", type=PositiveMetres(), default=None,
                        metavar="M",
                        help="Distance (m) within which a river runs along a border. "
                             "Default: each river's accuracy_m, else 20 m.")(func)
    func = click.option("--min-length", type=PositiveMetres(), default=MIN_REACH_M,
                        show_default=True,
                        metavar="M",
                        help="Reaches shorter than this (m) are slivers, merged into a "
                             "neighbour.")(func)
    return func


def _segment_args(func: Callable) -> Callable:
    func = fix_option(func)
    func = click.option("--overrides", default=None, metavar="CSV",
                        help="Table that settles what geometry cannot: give a shared stretch "
                             "to one side (action=assign) or cut a reach at a point "
                             "(action=cut).")(func)
    return _reach_options(func)
def officials_options(func: Callable) -> Callable:
    """``--officials``, ``--officials-encoding``, ``--rules``."""
    options = [
        click.option("--officials", default=None, metavar="TABLE",
                     help="Office holders (CSV or XLSX): 行政区划代码/admin_code, 职务/post, "
                          "姓名/name, optional 电话/phone, 负责河湖/waters. Default with the "
                          "bundled boundaries and waters: the bundled fictional sample."),
        click.option("--officials-encoding", default=None, metavar="NAME",
                     help="Text encoding of the officials CSV, e.g. GBK. Default: UTF-8 if "
                          "it decodes as such, else GB18030 (GBK)."),
        click.option("--rules", default=None, metavar="TOML",
                     help="Rules file (who is chief of what). Default: the bundled Guigang "
                          "rules."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def county_option(func: Callable) -> Callable:
    """``--county``: limit the command to one county."""
    return click.option("--county", default=None, metavar="CODE|NAME",
                        help="Limit the work to one county (code or name, e.g. 450802 or "
                             "港北区): its units at every level, rivers inside it.")(func)


def _limit(bnd, county: str | None, echo):
    """The boundaries of one county when ``county`` is given."""
    if county is None:
        return bnd
    from hzgeo.select import county_code, limit_to_county

    code = county_code(bnd, county)
    name = bnd["county"].set_index("code").loc[code, "name"]
    echo(f"limited to {code} {name}")
    return limit_to_county(bnd, code)


def _segment(bnd, wat, min_length, boundary_tolerance, overrides):
    from hzgeo.segment import segment_waters
    from hzgeo.validate import validate_boundaries, validate_waters

    # Segmentation needs valid polygons and codes that nest; it reports gaps itself and
    # refuses overlaps where a river runs, so the costly whole-coverage check is left to
    # `hzgeo check`.
    with stage("validate"):
        validate_boundaries(bnd, coverage=False)
        validate_waters(wat)
    return segment_waters(bnd, wat, min_length=min_length,
                          boundary_tolerance=boundary_tolerance,
                          overrides=read_overrides(overrides, wat.rivers["river_code"]))


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="GeoPackage to write (layers reaches_*, zones_*, slivers, gaps, overrides, "
                   "river_lengths; repairs with --fix).")
@_segment_args
@county_option
@common_options
def segment(boundaries, waters, columns, layers, crs, gcj02, encoding, out, min_length,
            boundary_tolerance, overrides, fix, county, quiet, debug) -> int:
    """Segment rivers into nested reaches and lakes into zones; write one GeoPackage.

    \b
    Examples:
      hzgeo segment --out reaches.gpkg
      hzgeo segment --boundaries village=cun.shp --columns code=XZQDM \\
                    --waters rivers.shp --crs EPSG:4546 --out reaches.gpkg
    """
    check_output_path(out, suffixes=(".gpkg",),
                      inputs=input_paths(boundaries, waters, overrides))
    echo = _Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        with stage("read"):
            bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                                   echo=echo)
        bnd, repairs = _repair(bnd, fix, echo)
        bnd = _limit(bnd, county, echo)
        result = _segment(bnd, wat, min_length, boundary_tolerance, overrides)
        with stage("write"):
            from hzgeo.output import write_layers

            write_layers(_output_layers(result, repairs), out)
    _notes(caught, echo)
    for level in REACH_LEVELS:
        frame = result.reaches[level]
        echo(f"{level:>9}: {len(frame):5d} reaches, {int(frame['boundary'].sum()):4d} on a "
             f"shared border, {len(result.zones[level]):3d} lake zones")
    echo(f"wrote {out}")
    return EXIT_OK


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="GeoPackage to write: layer 'defects' (each finding where it is, "
                   "EPSG:4490); with --fix also 'repairs' and the repaired levels city ... "
                   "village, usable as --boundaries.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="JSON report to write: {ok, summary, defects: [{kind, level, codes, names, "
                   "measure, unit, lon, lat, ...}]}.")
@click.option("--min-area", type=float, default=AUDIT_MIN_AREA_M2, show_default=True,
              metavar="M2", help="Gaps, overlaps and other area defects smaller than this "
                                 "(m²) are not reported.")
@click.option("--min-width", type=float, default=AUDIT_MIN_WIDTH_M, show_default=True,
              metavar="M", help="Area defects narrower than this (m), and uncovered or "
                                "double-counted river stretches shorter, are not reported.")
@officials_options
@click.option("--max-reaches-per-chief", type=click.IntRange(min=1), default=None,
              metavar="N", help="Report people holding more than N reaches "
                                "(overloaded_chief). Default: not checked.")
@_reach_options
@fix_option
@county_option
@common_options
def check(boundaries, waters, columns, layers, crs, gcj02, encoding, out, json_path, min_area,
          min_width, officials, officials_encoding, rules, max_reaches_per_chief, min_length,
          boundary_tolerance, fix, county, quiet, debug) -> int:
    """Audit the inputs and the water duty: exit 0 clean, 1 defects found, 2 unreadable.

    Boundary defects (invalid polygons, overlaps, gaps, units outside their parent, codes
    that do not nest, edges that nearly meet), river defects, and per level the river
    length and lake area inside the city that no unit (or two) answers for, measured on
    the reaches that would be published. Information (slivers, 界河, water beyond the
    city) is listed but does not count as a defect. With --officials, also the chief
    duty: reaches, zones and units without their chief, vacant total chiefs, joint
    meetings without a convenor.

    \b
    Examples:
      hzgeo check --json audit.json --out defects.gpkg
      hzgeo check --boundaries bnd.gpkg --waters rivers.gpkg --officials holders.xlsx
      hzgeo check --boundaries bnd.gpkg --fix --out fixed.gpkg
    """
    from hzgeo.audit import audit
    from hzgeo.chiefs import read_officials, read_rules

    given = input_paths(boundaries, waters, officials, rules)
    if out is not None:
        check_output_path(out, suffixes=(".gpkg",), inputs=given)
    if json_path is not None:
        check_output_path(json_path, suffixes=(".json",), option="--json", inputs=given)
    if fix and waters and not boundaries:
        raise InputError("--fix repairs boundaries, and no --boundaries were given",
                         hint="give --boundaries (or leave out --fix)")
    echo = _Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo, partial=True, keep_duplicates=not fix)
        officials = _officials_path(boundaries, waters, officials, required=False)
        holders = (None if officials is None
                   else read_officials(officials, encoding=officials_encoding))
        rules = None if rules is None else read_rules(rules)
        bnd, repairs = _repair(bnd, fix, echo) if bnd is not None else (None, None)
        bnd = _limit(bnd, county, echo) if bnd is not None else None
        report = audit(bnd, wat, officials=holders, rules=rules, min_area_m2=min_area,
                       min_width_m=min_width, overloaded_limit=max_reaches_per_chief,
                       min_length=min_length, boundary_tolerance=boundary_tolerance)
    _notes(caught, echo)
    if out is not None or json_path is not None:
        extra = {} if repairs is None or bnd is None else {"repairs": repairs} | {
            level: frame.to_crs(STORE_CRS) for level, frame in bnd.levels.items()}
        with atomic_outputs() as outputs:
            if json_path is not None:
                report.to_json(json_path, outputs=outputs)
            if out is not None:
                report.to_file(out, outputs=outputs, extra_layers=extra)
    echo(report.text())
    for path in (json_path, out):
        if path is not None:
            echo(f"wrote {path}")
    return EXIT_OK if report.ok else EXIT_DEFECTS




@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("hzgeo_output"),
              show_default=True, help="Folder for the results (created; only the files run "
                                      "writes are replaced).")
@officials_options
@county_option
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data, on every output. Default: today.")
@click.option("--no-phones", is_flag=True,
              help="Leave personal phone numbers off the HTML maps (for a public map).")
@click.option("--no-maps", is_flag=True,
              help="Skip the HTML maps and the print sheets (the slowest step).")
@_segment_args
@common_options
def run(boundaries, waters, columns, layers, crs, gcj02, encoding, out, officials,
        officials_encoding, rules, county, data_date, no_phones, no_maps, min_length,
        boundary_tolerance, overrides, fix, quiet, debug) -> int:
    """Phase one end to end: reaches, chiefs, directory, audit, field sites, maps.

    Without --boundaries/--waters it runs on the bundled Guigang sample and its fictional
    office holders. Writes into OUT: segments.gpkg, directory.xlsx and directory.<sheet>.csv
    (with office holders), audit.json and defects.gpkg, field.gpkg/.xlsx/.kml/.<layer>.csv,
    map_city.html and map_<county>.html, sheet_*.png/.pdf (city, counties, main rivers), and
    index.html linking them all. Exit 0, or 1 when the audit found defects (after writing
    everything); 2 when the inputs cannot be used (the audit is still written when the
    boundaries are too defective to segment).

    \b
    Examples:
      hzgeo run
      hzgeo run --boundaries bnd.gpkg --waters rivers.gpkg --officials holders.xlsx \\
                --out results --no-phones
    """
    from hzgeo._progress import Steps
    from hzgeo.chiefs import read_officials, read_rules
    from hzgeo.pipeline import run_phase_one, step_count

    check_output_path(out, kind="folder")
    given = input_paths(boundaries, waters, overrides, officials, rules)
    for name in RUN_FILES:
        check_output_path(out / name, suffixes=(Path(name).suffix,), inputs=given,
                          option=f"{name}, which run writes in --out,",
                          hint=f"move {out / name} away, or give another --out")
    echo = _Reporter(quiet)
    sample = not boundaries and not waters
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        # units sharing a code are kept for the audit, which run writes before refusing
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo, keep_duplicates=not fix)
        officials = _officials_path(boundaries, waters, officials, required=False)
        if sample:
            echo("hzgeo: office holders: the bundled sample (every name and phone number "
                 "is fictional)")
        holders = (None if officials is None
                   else read_officials(officials, encoding=officials_encoding))
        rule_set = read_rules(rules)
        bnd, repairs = _repair(bnd, fix, echo)
        bnd = _limit(bnd, county, echo)
        if county is not None and holders is not None:
            from hzgeo.select import officials_within

            holders = officials_within(holders, bnd)
        steps = Steps(step_count(holders, not no_maps), quiet=quiet)
        done = run_phase_one(
            bnd, wat, out, officials=holders, rules=rule_set,
            overrides=read_overrides(overrides, wat.rivers["river_code"]),
            min_length=min_length, boundary_tolerance=boundary_tolerance, repairs=repairs,
            data_date=data_date, sources=_sources(boundaries, waters, officials),
            hide_phones=no_phones, maps=not no_maps, steps=steps, seats=_seats(boundaries))
    _notes(_not_vacancies(caught), echo)
    if done.chiefs is not None:
        _warn_vacancies(done.chiefs)
    for line in summary_lines(done.summary):
        echo(line)
    echo(f"wrote {len(done.files)} files into {out}; open {out / 'index.html'}")
    return EXIT_OK if done.audit.ok else EXIT_DEFECTS


def summary_lines(summary: dict) -> list[str]:
    """What ``hzgeo run`` prints: reaches, chiefs and km per level, meetings, defects."""
    lines = []
    for level, row in summary["levels"].items():
        chiefs = (f", {row['chiefs']:4d} chiefs ({row['vacant']} vacant)"
                  if "chiefs" in row else "")
        lines.append(f"{level:>9}: {row['reaches']:5d} reaches ({row['boundary_rows']} rows "
                     f"on a shared border), {row['km']:8.2f} km, {row['zones']} lake "
                     f"zones{chiefs}")
    if summary.get("joint_meetings") is not None:
        lines.append(f"total chiefs: {summary['total_chiefs']}; joint meetings: "
                     f"{summary['joint_meetings']}")
    lines.append(f"field: {summary['sections']} cross-boundary sections, "
                 f"{summary['confluences']} confluences"
                 + ("" if summary.get("boards") is None
                    else f", {summary['boards']} notice boards"))
    if summary["defects"]:
        lines.append(f"audit: {summary['defects']} defect(s): " + ", ".join(
            f"{kind} {n}" for kind, n in summary["defects_by_kind"].items())
            + " (see audit.json, defects.gpkg)")
    else:
        lines.append("audit: no defects")
    lines += [f"  {line}" for line in summary["coverage"]]
    return lines


def _sample_sources() -> str:
    return ("贵港市样例数据（hzgeo 自带）：县界 cnmaps，区划代码与名称为 2023 年统计用区划代码，"
            "黔江、浔江、郁江为 Natural Earth 10m，乡镇、村界及其余河流、湖库为合成示意数据；"
            "河长姓名、电话为虚构（详见 data/SOURCES.md）。")


def _officials_path(boundaries, waters, officials, *, required: bool) -> str | None:
    """The office holders table: as given, else the bundled sample for the bundled data."""
    if officials is not None:
        return officials
    if not boundaries and not waters:
        from hzgeo.datasets import guigang_officials

        return str(guigang_officials())
    if required:
        raise click.UsageError("--officials is required with your own --boundaries or "
                               "--waters (the bundled sample holders fit only the bundled "
                               "Guigang data)")
    return None


def _chiefs(result, bnd, wat, officials, officials_encoding, rules, county=None):
    from hzgeo.chiefs import assign_chiefs, read_officials, read_rules

    with stage("assign"):
        holders = read_officials(officials, encoding=officials_encoding)
        if county is not None:  # the holders of the other counties are not needed
            from hzgeo.select import officials_within

            holders = officials_within(holders, bnd)
        return assign_chiefs(result, bnd, wat, holders, read_rules(rules))


def _sources(boundaries, waters, officials) -> str:
    if not boundaries and not waters:
        return _sample_sources()
    return (f"行政区划：{'、'.join(boundaries) or 'hzgeo 样例'}；"
            f"水系：{'、'.join(waters) or 'hzgeo 样例'}；任职表：{officials}。"
            "河段由 hzgeo 按行政区划自动分段，长度为椭球面测地长度。")


def _not_vacancies(caught) -> list:
    """Warnings other than the vacancy one (listed by :func:`_warn_vacancies`)."""
    return [w for w in caught if "vacan" not in str(w.message).lower()]


def _warn_vacancies(chiefs) -> None:
    vacancies = chiefs.vacancies
    if not len(vacancies):
        return
    click.echo(f"hzgeo: warning: {len(vacancies)} vacant post(s), written as （空缺）:",
               err=True)
    for row in vacancies.head(10).itertuples():
        click.echo(f"    {row.admin_code} {row.admin_name}: {row.post} ({row.what})", err=True)
    if len(vacancies) > 10:
        click.echo(f"    ... and {len(vacancies) - 10} more", err=True)


@cli.command()
@input_options
@officials_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Directory to write: .xlsx (for people), .gpkg (for GIS, with geometry) "
                   "or .csv (one <stem>.<sheet>.csv per sheet).")
@click.option("--previous", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, metavar="XLSX",
              help="A directory written earlier by hzgeo: add the sheet 变更 and "
                   "<out stem>.changes.csv listing what changed.")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data, shown in every sheet's title. Default: today.")
@_segment_args
@county_option
@common_options
def roster(boundaries, waters, columns, layers, crs, gcj02, encoding, officials,
           officials_encoding, rules, out, previous, data_date, min_length, boundary_tolerance,
           overrides, fix, county, quiet, debug) -> int:
    """Write the graded directory (分级分段名录): every reach, zone and unit its chief.

    Segments the waters, assigns chiefs from the office holders by the rules, and writes
    the directory. Vacant posts are written as （空缺）, listed as a warning, and the
    command still succeeds (exit 0): `hzgeo check --officials` counts them as defects.

    \b
    Examples:
      hzgeo roster --out directory.xlsx
      hzgeo roster --boundaries bnd.gpkg --waters rivers.gpkg --officials holders.xlsx \\
                   --out directory.xlsx --previous directory_2026-01.xlsx
    """
    from hzgeo.directory import write_directory

    check_output_path(out, suffixes=(".xlsx", ".gpkg", ".csv"),
                      inputs=input_paths(boundaries, waters, officials, rules, overrides))
    echo = _Reporter(quiet)
    officials = _officials_path(boundaries, waters, officials, required=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        with stage("read"):
            bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                                   echo=echo)
        bnd, _ = _repair(bnd, fix, echo)
        bnd = _limit(bnd, county, echo)
        result = _segment(bnd, wat, min_length, boundary_tolerance, overrides)
        chiefs = _chiefs(result, bnd, wat, officials, officials_encoding, rules, county)
        with stage("write"):
            written = write_directory(chiefs, out, previous=previous, data_date=data_date,
                                      sources=_sources(boundaries, waters, officials),
                                      boundaries=bnd, waters=wat)
    _notes(_not_vacancies(caught), echo)
    _warn_vacancies(chiefs)
    for level in REACH_LEVELS:
        frame = chiefs.reaches[level]
        echo(f"{level:>9}: {len(frame):5d} reaches, {int(frame['vacant'].sum()):3d} vacant; "
             f"{len(chiefs.zones[level]):3d} lake zones")
    if "changes" in written:
        changes = pd.read_csv(written["changes"], dtype=str, encoding="utf-8-sig")
        echo(f"changes since {previous}: {len(changes)} row(s)" + (
            " (" + ", ".join(f"{n} {k}" for k, n in changes["变更"].value_counts().items())
            + ")" if len(changes) else ""))
    echo("wrote " + ", ".join(str(p) for p in dict.fromkeys(written.values())))
    return EXIT_OK


@cli.command(name="map")
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Map to write: .html (interactive, works offline), .png or .pdf (print "
                   "sheet).")
@officials_options
@click.option("--county", default=None, metavar="CODE|NAME",
              help="Map one county only (code or name).")
@click.option("--river", default=None, metavar="CODE|NAME",
              help="Print sheet of one main river (.png/.pdf), e.g. R03 or 郁江干流.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Paper of a print sheet.")
@click.option("--orientation", type=click.Choice(["portrait", "landscape"]), default=None,
              help="Of a print sheet (default: whichever fits the area).")
@click.option("--no-phones", "no_phones", is_flag=True,
              help="Leave chiefs' phone numbers off (for a public map).")
@click.option("--tiles", type=click.Choice(["tianditu"]), default=None,
              help="Online web tiles under the HTML map (needs a network and "
                   "--tianditu-key). Default: no tiles, drawn from the data alone.")
@click.option("--tianditu-key", default=None, metavar="KEY", help="Your 天地图 key.")
@_segment_args
@common_options
def map_(boundaries, waters, columns, layers, crs, gcj02, encoding, out, officials,
         officials_encoding, rules, county, river, paper, orientation, no_phones, tiles,
         tianditu_key, min_length, boundary_tolerance, overrides, fix, quiet, debug) -> int:
    """Draw the distribution map (分布示意图): interactive HTML or a print sheet.

    The HTML map has layers per level (reaches coloured by responsible unit, boundaries,
    lakes), popups with the chiefs, a legend, a name search and a scale bar, and opens
    from disk with no network. PNG/PDF sheets are A4 or A3 with title, legend, scale bar,
    north arrow and sources. Popups name the chiefs when office holders are given (the
    bundled sample for the bundled data), else the responsible units.

    \b
    Examples:
      hzgeo map --out map.html --no-phones
      hzgeo map --county 港北区 --out gangbei.pdf --paper A3
      hzgeo map --river 郁江 --out yujiang.png
    """
    from hzgeo.maps import write_map

    check_output_path(out, suffixes=(".html", ".png", ".pdf"),
                      inputs=input_paths(boundaries, waters, officials, rules, overrides))
    echo = _Reporter(quiet)
    if tiles and not tianditu_key:
        raise click.BadParameter("天地图 tiles need your key: --tianditu-key KEY",
                                 param_hint="--tiles")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo)
        bnd, _ = _repair(bnd, fix, echo)
        result = _segment(bnd, wat, min_length, boundary_tolerance, overrides)
        officials = _officials_path(boundaries, waters, officials, required=False)
        chiefs = None
        if officials is not None:
            chiefs = _chiefs(result, bnd, wat, officials, officials_encoding, rules, county)
        write_map(result, bnd, out, chiefs=chiefs, county=county, river=river, paper=paper,
                  orientation=orientation, hide_phones=no_phones, tiles=tiles,
                  tiles_key=tianditu_key)
    _notes(_not_vacancies(caught), echo)
    if chiefs is not None:
        _warn_vacancies(chiefs)
    echo(f"wrote {out}")
    return EXIT_OK


def _seats(boundaries):
    """The village seats in the boundaries file (its ``seats`` layer), if it has one."""
    from hzgeo.io import read_seats

    if not boundaries:
        return read_seats()
    if len(boundaries) == 1 and "=" not in boundaries[0]:
        return read_seats(boundaries[0])
    return None


_FIELD_SUFFIXES = {"sections": (".gpkg", ".xlsx", ".csv", ".geojson", ".kml"),
                   "boards": (".pdf", ".gpkg", ".xlsx", ".csv", ".geojson", ".kml")}


def _field_out(out: Path, command: str, inputs=()) -> Path:
    return check_output_path(out, suffixes=_FIELD_SUFFIXES[command], inputs=inputs)


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Sections (跨界断面) and confluences (主要交汇处) to write: .gpkg "
                   "(layers cross_sections, confluences), .xlsx, .csv, .geojson "
                   "(<stem>.<layer>.<suffix> each) or .kml.")
@click.option("--township", is_flag=True,
              help="Sections at every township border too (default: county borders).")
@click.option("--rules", default=None, metavar="TOML",
              help="Rules file: its [sections] table gives control level, target class, "
                   "unit and frequency. Default: the bundled Guigang rules (silent on them).")
@_segment_args
@county_option
@common_options
def sections(boundaries, waters, columns, layers, crs, gcj02, encoding, out, township, rules,
             min_length, boundary_tolerance, overrides, fix, county, quiet, debug) -> int:
    """Cross-boundary monitoring sections and confluences, from the reaches.

    \b
    Examples:
      hzgeo sections --out sections.xlsx
      hzgeo sections --township --out sections.kml
    """
    from hzgeo.chiefs import read_rules
    from hzgeo.field import confluences, cross_sections, write_field

    out = _field_out(out, "sections", input_paths(boundaries, waters, overrides, rules))
    echo = _Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo)
        bnd, _ = _repair(bnd, fix, echo)
        bnd = _limit(bnd, county, echo)
        result = _segment(bnd, wat, min_length, boundary_tolerance, overrides)
        found = cross_sections(result, level="township" if township else "county",
                               boundaries=bnd, waters=wat, rules=read_rules(rules))
        joins = confluences(result, wat, bnd)
        written = write_field(found, joins, None, out)
    _notes(caught, echo)
    kinds = found["kind"].value_counts()
    echo(f"sections: {len(found)} ({int(kinds.get('crossing', 0))} crossings, "
         f"{int(kinds.get('entry', 0))} entries into and {int(kinds.get('exit', 0))} exits "
         f"from the area, {int(kinds.get('boundary_start', 0))} 界河 starts, "
         f"{int(kinds.get('boundary_end', 0))} ends, {int(kinds.get('boundary_change', 0))} "
         f"changes; {int(found['main'].sum())} on main rivers); confluences: {len(joins)}")
    echo("wrote " + ", ".join(str(p) for p in dict.fromkeys(written.values())))
    return EXIT_OK


@cli.command()
@input_options
@click.option("--officials", default=None, metavar="TABLE",
              help="Office holders (CSV or XLSX), as for hzgeo roster. Default with the "
                   "bundled boundaries and waters: the bundled fictional sample.")
@click.option("--officials-encoding", default=None, metavar="NAME",
              help="Text encoding of the officials CSV, e.g. GBK.")
@click.option("--rules", default=None, metavar="TOML",
              help="Rules file (who is chief of what). Default: the bundled Guigang rules.")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Boards (公示牌) to write: .pdf (one A4 page per board, then the common "
                   "back), .gpkg, .xlsx, .csv, .geojson or .kml.")
@click.option("--county", default=None, metavar="CODE|NAME",
              help="Only the boards of this county (code or name, e.g. 450802 or 港北区).")
@click.option("--spacing-km", type=float, default=None, metavar="KM",
              help="One board per started KM of a village's river.")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data: the boards' 落款 date, on every output. Default: today.")
@_segment_args
@common_options
def boards(boundaries, waters, columns, layers, crs, gcj02, encoding, officials,
           officials_encoding, rules, out, county, spacing_km, data_date, min_length,
           boundary_tolerance, overrides, fix, quiet, debug) -> int:
    """Notice boards (公示牌): sites and content, as a table, points or printable pages.

    \b
    Examples:
      hzgeo boards --county 450802 --out boards.pdf
      hzgeo boards --out boards.kml --spacing-km 5
    """
    from hzgeo.field import notice_boards, short_reaches, write_field

    out = _field_out(out, "boards", input_paths(boundaries, waters, officials, rules,
                                                overrides))
    echo = _Reporter(quiet)
    officials = _officials_path(boundaries, waters, officials, required=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo)
        bnd, _ = _repair(bnd, fix, echo)
        result = _segment(bnd, wat, min_length, boundary_tolerance, overrides)
        chiefs = _chiefs(result, bnd, wat, officials, officials_encoding, rules, county)
        found = notice_boards(chiefs, bnd, wat, spacing_km=spacing_km,
                              seats=_seats(boundaries), date=data_date)
        unboarded = short_reaches(chiefs, found)
        unboarded = unboarded[unboarded["board_code"] == ""]
        if county is not None:
            from hzgeo.select import county_code

            county = county_code(bnd, county)  # a code or a name
            found = found[[county in str(c).split(",") for c in found["county_code"]]]
            unboarded = unboarded[[any(v.startswith(county) for v in str(c).split(","))
                                   for c in unboarded["village_code"]]]
            if not len(found):
                raise InputError(f"no board in county {county!r}",
                                 hint="give a 6-digit county code of the data, e.g. 450802")
        if out.suffix.lower() == ".pdf":
            from hzgeo.maps.board import write_boards_pdf

            write_boards_pdf(found, out, chiefs=chiefs, boundaries=bnd, waters=wat)
        else:
            write_field(None, None, found, out, data_date=data_date)
    _notes(_not_vacancies(caught), echo)
    _warn_vacancies(chiefs)
    kinds = found["kind"].value_counts()
    echo(f"boards: {len(found)} ({int(kinds.get('reach', 0))} on reaches, "
         f"{int(kinds.get('boundary_reach', 0))} shared by both banks of a 界河, "
         f"{int(kinds.get('zone', 0))} on lakes and reservoirs); {len(unboarded)} "
         "village reaches too short for a board of their own (hzgeo run lists them: "
         "field.xlsx, 短河段)")
    echo(f"wrote {out}")
    return EXIT_OK


# --------------------------------------------------------------------------- entry point


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it ends the way Ctrl-C does."""


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, 1 or 2).

    While it runs, SIGTERM is handled as Ctrl-C is: the outputs being written are
    abandoned, earlier outputs are left as they were, exit status 2.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if on_main_thread else None
    if previous == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(args)
    finally:
        if previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, previous)


def _main(args: list[str]) -> int:
    debug = "--debug" in args
    written = commit_count()
    try:
        status = cli.main(args=args, prog_name="hzgeo", standalone_mode=False)
    except click.exceptions.Exit as err:
        return err.exit_code
    except click.ClickException as err:
        err.show()
        return EXIT_ERROR
    except click.exceptions.Abort as err:
        how = "SIGTERM" if isinstance(err.__cause__, Terminated) else "Ctrl-C"
        click.echo(f"hzgeo: interrupted ({how}); " + (
            "its outputs had been written" if commit_count() > written else
            "no output was written, earlier outputs are as they were"), err=True)
        return EXIT_ERROR
    except HzgeoError as err:
        if debug:
            traceback.print_exc()
        click.echo(f"hzgeo: error: {err}", err=True)
        return EXIT_ERROR
    except Exception as err:  # anything else is our bug or an unforeseen input
        if debug:
            traceback.print_exc()
        click.echo(f"hzgeo: error: {type(err).__name__}: {err}\n  what to do: rerun with "
                   "--debug for the traceback and report it", err=True)
        return EXIT_ERROR
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
