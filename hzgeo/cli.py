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

from hzgeo import __version__
from hzgeo._stages import stage
from hzgeo.atomic import atomic_outputs, check_output_path, commit_count
from hzgeo.errors import HzgeoError, HzgeoWarning, InputError
from hzgeo.settings import LEVELS, MIN_REACH_M, REACH_LEVELS, REPAIR_GAP_WIDTH_M, STORE_CRS

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
                     help="Map a column, e.g. code=XZQDM, name=XZQMC, river_code=HLDM (repeat)."),
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
                echo: Callable[[str], None] = click.echo, partial: bool = False):
    """Read boundaries and waters as the shared options describe them.

    With neither ``--boundaries`` nor ``--waters``, the bundled Guigang sample is read and
    ``echo`` says so first. Given one of them only, the command refuses (the sample is
    never mixed with the user's data), unless ``partial``: then the other is ``None``.
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
    bnd = wat = None
    if boundaries or not (partial and waters):
        bnd = read_boundaries(b_source, layers=lays, columns=cols, crs=crs, gcj02=gcj02,
                              encoding=encoding)
    if waters or not (partial and boundaries):
        wat = read_waters(river_file, lakes=lake_file,
                          columns={k: v for k, v in cols.items()
                                   if k in ("river_code", "lake_code", "lake_name")}
                          | ({"name": cols["river_name"]} if "river_name" in cols else {}),
                          crs=crs, gcj02=gcj02, encoding=encoding)
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


def _segment_args(func: Callable) -> Callable:
    func = fix_option(func)
    func = click.option("--overrides", default=None, metavar="CSV",
                        help="Table that settles what geometry cannot: give a shared stretch "
                             "to one side (action=assign) or cut a reach at a point "
                             "(action=cut).")(func)
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
@common_options
def segment(boundaries, waters, columns, layers, crs, gcj02, encoding, out, min_length,
            boundary_tolerance, overrides, fix, quiet, debug) -> int:
    """Segment rivers into nested reaches and lakes into zones; write one GeoPackage."""
    check_output_path(out, suffixes=(".gpkg",),
                      inputs=input_paths(boundaries, waters, overrides))
    echo = _Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        with stage("read"):
            bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                                   echo=echo)
        bnd, repairs = _repair(bnd, fix, echo)
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
              help="GeoPackage to write: layer 'defects' (each defect where it is); with "
                   "--fix also 'repairs' and the repaired levels city ... village, usable "
                   "as --boundaries.")
@fix_option
@common_options
def check(boundaries, waters, columns, layers, crs, gcj02, encoding, out, fix, quiet,
          debug) -> int:
    """Check the inputs: list every defect of the boundaries and waters (exit 1 if any).

    Invalid polygons, overlaps, unmatched edges, gaps, units outside their parent, codes
    that do not nest; rivers of zero length, flowing into an unknown river or ending away
    from it.
    """
    from hzgeo.validate import find_defects

    if out is not None:
        check_output_path(out, suffixes=(".gpkg",), inputs=input_paths(boundaries, waters))
    if fix and waters and not boundaries:
        raise InputError("--fix repairs boundaries, and no --boundaries were given",
                         hint="give --boundaries (or leave out --fix)")
    echo = _Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo, partial=True)
        bnd, repairs = _repair(bnd, fix, echo) if bnd is not None else (None, None)
        defects = find_defects(bnd, wat)
    _notes(caught, echo)
    for given, missing, what in ((bnd, "--boundaries", "boundaries"),
                                 (wat, "--waters", "rivers and lakes")):
        if given is None:
            echo(f"not checked: {what} (no {missing} given)")
    if out is not None:
        from hzgeo.output import write_layers

        layers_out = {"defects": defects}
        if repairs is not None:
            layers_out |= {"repairs": repairs} | {
                level: frame.to_crs(STORE_CRS) for level, frame in bnd.levels.items()}
        write_layers(layers_out, out)
    if defects.empty:
        echo("no defects: " + ", ".join(
            ([f"{lvl} {len(f)}" for lvl, f in bnd.levels.items()] if bnd is not None else [])
            + ([f"{len(wat.rivers)} rivers, {len(wat.lakes)} lakes/reservoirs"]
               if wat is not None else [])))
    else:
        echo(f"{len(defects)} defect(s):")
        for (layer, kind), rows in defects.groupby(["layer", "kind"], sort=False):
            echo(f"  {layer}: {kind}: {len(rows)}")
            for row in rows.head(10).itertuples():
                echo(f"    {row.code} {row.name}: {row.detail}"
                     + (f" ({row.area_m2:,.0f} m²)" if row.area_m2 == row.area_m2 else ""))
            if len(rows) > 10:
                echo(f"    ... and {len(rows) - 10} more")
    if out is not None:
        echo(f"wrote {out}")
    return EXIT_DEFECTS if len(defects) else EXIT_OK


#: The files ``run`` writes in its folder; nothing else there is touched.
RUN_FILES = ("segments.gpkg", "reaches.csv")


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("hzgeo_output"),
              show_default=True, help="Folder for the results.")
@_segment_args
@common_options
def run(boundaries, waters, columns, layers, crs, gcj02, encoding, out, min_length,
        boundary_tolerance, overrides, fix, quiet, debug) -> int:
    """Phase one on the given (default: bundled Guigang) data: load, validate, segment, write.

    Writes OUT/segments.gpkg (every layer, EPSG:4490) and OUT/reaches.csv (all levels,
    UTF-8 with BOM for Excel). Other files in OUT are left as they are.
    """
    check_output_path(out, kind="folder")
    given = input_paths(boundaries, waters, overrides)
    for name in RUN_FILES:
        check_output_path(out / name, suffixes=(Path(name).suffix,), inputs=given,
                          option=f"{name}, which run writes in --out,",
                          hint=f"move {out / name} away, or give another --out")
    echo = _Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        bnd, wat = load_inputs(boundaries, waters, columns, layers, crs, gcj02, encoding,
                               echo=echo)
        bnd, repairs = _repair(bnd, fix, echo)
        echo("boundaries: " + ", ".join(
            f"{lvl} {len(f)}" + (f" ({int(f['synthetic'].sum())} synthetic)"
                                 if f["synthetic"].any() else "")
            for lvl, f in bnd.levels.items()))
        rivers = wat.rivers
        n_main = rivers.loc[rivers["main"], "main_river"].replace("", None).dropna().nunique()
        echo(f"waters: {len(rivers)} rivers ({n_main} main rivers in "
             f"{int(rivers['main'].sum())} lines, "
             f"{int(rivers['synthetic'].sum())} synthetic), {len(wat.lakes)} lakes/reservoirs")
        result = _segment(bnd, wat, min_length, boundary_tolerance, overrides)
        with atomic_outputs() as outputs:
            from hzgeo.output import write_layers

            write_layers(_output_layers(result, repairs), out / "segments.gpkg", outputs=outputs)
            table = pd.concat([result.reaches[lvl].drop(columns="geometry")
                               for lvl in REACH_LEVELS], ignore_index=True)
            table.to_csv(outputs.path(out / "reaches.csv"), index=False, encoding="utf-8-sig")
    _notes(caught, echo)
    lengths = result.river_lengths.set_index("river_code")["length_m"]
    main = rivers[rivers["main"]]
    echo("main rivers inside the city (geodesic km):")
    for river in main.itertuples():
        echo(f"  {river.name} ({river.main_river}): {lengths[river.river_code] / 1000:8.2f} km"
             + ("  [synthetic]" if river.synthetic else ""))
    for level in REACH_LEVELS:
        frame = result.reaches[level]
        echo(f"{level:>9}: {len(frame):5d} reaches ({int(frame['boundary'].sum())} shared "
             f"boundary rows), {len(result.zones[level])} lake zones")
    unassigned = result.river_lengths["unassigned_m"].sum()
    echo(f"slivers merged: {len(result.slivers)}; river length in no village: "
         f"{unassigned:.1f} m")
    echo(f"wrote {out / 'segments.gpkg'} and {out / 'reaches.csv'}")
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
