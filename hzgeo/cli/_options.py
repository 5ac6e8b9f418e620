"""The options the commands share, how library messages become command-line messages,
and how a command reports (notes, vacancies)."""

from __future__ import annotations

import ast
import contextlib
import math
import re
import warnings
from collections.abc import Callable, Iterator

import click

from hzgeo.errors import HzgeoWarning
from hzgeo.settings import MIN_REACH_M, REPAIR_GAP_WIDTH_M

#: The one mapping from the library's argument names (as its messages name them, in
#: backticks) to the options of the command line.
OPTION_NAMES = {
    "boundaries": "--boundaries", "waters": "--waters", "columns": "--columns",
    "layers": "--layers", "crs": "--crs", "gcj02": "--gcj02", "encoding": "--encoding",
    "officials": "--officials", "officials_encoding": "--officials-encoding",
    "rules": "--rules", "overrides": "--overrides", "county": "--county", "fix": "--fix",
    "min_length": "--min-length", "boundary_tolerance": "--boundary-tolerance",
    "out": "--out", "previous": "--previous", "data_date": "--data-date",
    "spacing_km": "--spacing-km", "hide_phones": "--no-phones", "tiles": "--tiles",
    "tiles_key": "--tianditu-key", "min_area_m2": "--min-area", "min_width_m": "--min-width",
    "overloaded_limit": "--max-reaches-per-chief", "river": "--river", "paper": "--paper",
    "workers": "--workers", "client": "--scheduler",
}

_NAMED = re.compile(r"`(\w+)(?:=([^`]*))?`")


def _option(found: re.Match) -> str:
    name, value = found[1], found[2]
    option = OPTION_NAMES.get(name)
    if option is None:
        return found[0]
    if value is None:
        return option
    try:
        given = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return f"{option} {value}"
    if given is True:
        return option
    if isinstance(given, dict):
        return " ".join(f"{option} {k}={v}" for k, v in given.items())
    return f"{option} {given}"


def for_command_line(text: str) -> str:
    """A library message as the command line says it: `` `columns` `` -> ``--columns``,
    `` `columns={"code": "XZQDM"}` `` -> ``--columns code=XZQDM``, `` `crs="EPSG:4490"` ``
    -> ``--crs EPSG:4490``, `` `fix=True` `` -> ``--fix``. Names that are no option stay.

    Examples
    --------
    >>> for_command_line('map it with `columns={"name": "XZQMC"}` or give `crs="EPSG:4490"`')
    'map it with --columns name=XZQMC or give --crs EPSG:4490'
    >>> for_command_line("`min_length` must be more than 0; see `hzgeo check`")
    '--min-length must be more than 0; see `hzgeo check`'
    """
    return _NAMED.sub(_option, text)


class PositiveMetres(click.ParamType):
    """A finite length in metres, greater than zero."""

    name = "metres"

    def convert(self, value, param, ctx):
        number = click.FLOAT.convert(value, param, ctx)
        if not (math.isfinite(number) and number > 0):
            self.fail(f"must be a length in metres greater than 0, got {value!r}", param, ctx)
        return number


def _apply(func: Callable, options: list) -> Callable:
    for option in reversed(options):
        func = option(func)
    return func


def input_options(func: Callable) -> Callable:
    """``--boundaries``, ``--waters``, ``--columns``, ``--layers``, ``--crs``, ``--gcj02``,
    ``--encoding``."""
    return _apply(func, [
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
                          "river_name=HLMC, flows_into=HRHL, main=SFGL (rivers), "
                          "lake_kind=HKLX, commander_county=ZHXQ (lakes), official_name=河长 "
                          "(office holders) (repeat; every key: README 'Your own city')."),
        click.option("--layers", multiple=True, metavar="LEVEL=LAYER",
                     help="Layer of a level in a GeoPackage, e.g. village=村级 (repeat)."),
        click.option("--crs", default=None, metavar="CRS",
                     help="CRS of input layers that declare none, e.g. EPSG:4490."),
        click.option("--gcj02", is_flag=True,
                     help="The input is lon/lat in GCJ-02 (Chinese web maps): move it to WGS84."),
        click.option("--encoding", default=None, metavar="NAME",
                     help="Text encoding of shapefiles without a .cpg file, e.g. GBK. "
                          "Default: UTF-8 if the text decodes as such, else GB18030 (GBK)."),
    ])


def officials_options(func: Callable) -> Callable:
    """``--officials``, ``--officials-encoding``, ``--rules``."""
    return _apply(func, [
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
    ])


def common_options(func: Callable) -> Callable:
    """``--quiet`` and ``--debug``."""
    func = click.option("--debug", is_flag=True,
                        help="Show the full traceback of an error.")(func)
    return click.option("--quiet", "-q", is_flag=True, help="Print only errors.")(func)


def county_option(func: Callable) -> Callable:
    """``--county``: limit the command to one county, before anything is segmented."""
    return click.option("--county", default=None, metavar="CODE|NAME",
                        help="Limit the work to one county (code or name, e.g. 450802 or "
                             "港北区): its units at every level, rivers inside it, its "
                             "office holders.")(func)


def fix_option(func: Callable) -> Callable:
    """``--fix``: repair the boundaries before use, saying what changed."""
    return click.option("--fix", is_flag=True,
                        help="Repair invalid polygons, overlaps and gaps narrower than "
                             f"{REPAIR_GAP_WIDTH_M:g} m before use (each change is reported; "
                             "see hzgeo check).")(func)


def reach_options(func: Callable) -> Callable:
    """``--min-length`` and ``--boundary-tolerance``: how reaches are drawn."""
    func = click.option("--boundary-tolerance", type=PositiveMetres(), default=None,
                        metavar="M",
                        help="Distance (m) within which a river runs along a border. "
                             "Default: each river's accuracy_m, else 20 m.")(func)
    return click.option("--min-length", type=PositiveMetres(), default=MIN_REACH_M,
                        show_default=True, metavar="M",
                        help="Reaches shorter than this (m) are slivers, merged into a "
                             "neighbour.")(func)


def segment_options(func: Callable) -> Callable:
    """``--fix``, ``--overrides``, ``--min-length``, ``--boundary-tolerance``."""
    func = fix_option(func)
    func = click.option("--overrides", default=None, metavar="CSV",
                        help="Table that settles what geometry cannot: give a shared stretch "
                             "to one side (action=assign) or cut a reach at a point "
                             "(action=cut).")(func)
    return reach_options(func)


# --------------------------------------------------------------------------- reporting


class Reporter:
    """``echo`` unless quiet; library texts said as the command line says them."""

    def __init__(self, quiet: bool):
        self.quiet = quiet

    def __call__(self, message: str = "") -> None:
        if not self.quiet:
            click.echo(for_command_line(message))

    def note(self, message: str) -> None:
        """A note of the library (:attr:`hzgeo.inputs.Inputs.notes`)."""
        self(f"hzgeo: {message}")


@contextlib.contextmanager
def noting(quiet: bool, *, vacancies_apart: bool = False) -> Iterator[Reporter]:
    """Run a command's work: the warnings of the library become notes, printed after it
    (the vacancy warning apart when :func:`warn_vacancies` lists the posts)."""
    echo = Reporter(quiet)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", HzgeoWarning)
        yield echo
    for w in caught:
        if not issubclass(w.category, HzgeoWarning):
            continue
        if vacancies_apart and "vacan" in str(w.message).lower():
            continue
        echo(f"hzgeo: note: {w.message}")


def warn_vacancies(chiefs) -> None:
    """List the vacant posts on stderr (they are written as （空缺）)."""
    if chiefs is None or not len(chiefs.vacancies):
        return
    vacancies = chiefs.vacancies
    click.echo(f"hzgeo: warning: {len(vacancies)} vacant post(s), written as （空缺）:",
               err=True)
    for row in vacancies.head(10).itertuples():
        click.echo(f"    {row.admin_code} {row.admin_name}: {row.post} ({row.what})", err=True)
    if len(vacancies) > 10:
        click.echo(f"    ... and {len(vacancies) - 10} more", err=True)


#: The options :func:`hzgeo.inputs.load` takes, by the same names.
_LOAD_KEYS = ("boundaries", "waters", "columns", "layers", "crs", "gcj02", "encoding",
              "officials", "officials_encoding", "rules", "overrides", "county", "fix")


def load(given: dict, echo: Reporter, **options):
    """:func:`hzgeo.inputs.load` with the command's options (those it has)."""
    from hzgeo.inputs import load as load_inputs

    return load_inputs(**{k: given[k] for k in _LOAD_KEYS if k in given},
                       report=echo.note, **options)
