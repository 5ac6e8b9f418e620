"""The input layer: read → repair → limit to a county → validate → segment, once.

Every command of the command line and :func:`hzgeo.run_phase_one` go through here, so
that each step means one thing everywhere:

- :func:`load` reads the boundaries, waters, office holders, rules and overrides as given
  (paths, ``LEVEL=PATH`` texts, or frames read already), repairs the boundaries when
  ``fix``, limits them to one ``county`` (and with them the office holders: those of
  other units are dropped) before anything is segmented, and says where the data comes
  from (:attr:`Inputs.sources`);
- :meth:`Inputs.segment` validates (once) and segments; :meth:`Inputs.assign_chiefs`
  assigns the chiefs; :meth:`Inputs.audit` audits with what was made, never twice.

With neither ``boundaries`` nor ``waters``, the bundled Guigang sample is used (and its
fictional office holders); given one of them only, :func:`load` refuses: the sample is
never mixed with the user's data.

Errors name the arguments of :func:`load` in backticks (`` `columns` ``); the command
line shows them as its options (``--columns``).

Examples
--------
>>> inputs = load(county="桂平市")
>>> inputs.notes[-1]
'limited to 450881 桂平市: 14 river(s) and 1 lake(s) in it or along its border'
>>> result = inputs.segment()
>>> sorted(result.reaches["county"]["admin_code"].unique())
['450881']
>>> len(inputs.officials) < len(load().officials)  # the other counties' holders are left out
True
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import pandas as pd

from hzgeo._stages import stage
from hzgeo.errors import HzgeoError, HzgeoWarning, InputError
from hzgeo.model import Boundaries, Waters
from hzgeo.settings import LEVELS, MIN_REACH_M, STORE_CRS

if TYPE_CHECKING:
    from hzgeo.chiefs import Rules

__all__ = ["SAMPLE_NOTE", "Inputs", "describe_sources", "input_paths", "load",
           "segment_inputs", "split_sources"]

SAMPLE_NOTE = ("using the bundled Guigang sample (real county borders and three real "
               "rivers; township/village polygons, other rivers and lakes synthetic; see "
               "data/SOURCES.md)")
SAMPLE_HOLDERS_NOTE = ("office holders: the bundled sample (every name and phone number "
                       "is fictional)")

#: The sources text of the bundled sample, on every output made from it.
SAMPLE_SOURCES = ("贵港市样例数据（hzgeo 自带）：县界及相邻市界 cnmaps（真实界线），"
                  "区划代码与名称为 2023 年统计用区划代码，"
                  "黔江、浔江、郁江为 Natural Earth 10m，乡镇、村界及其余河流、湖库为合成示意数据；"
                  "河长姓名、电话为虚构（详见 data/SOURCES.md）。")

PathLike = str | os.PathLike
Holders = Literal["none", "optional", "required"]


# --------------------------------------------------------------------------- the grammar


def _pairs(values, name: str) -> dict[str, str]:
    """``KEY=VALUE`` texts (or a mapping) as a dict."""
    if values is None:
        return {}
    if isinstance(values, Mapping):
        return dict(values)
    if isinstance(values, str):
        values = [values]
    out = {}
    for value in values:
        if "=" not in str(value):
            raise InputError(f"`{name}` expects NAME=VALUE, got {value!r}",
                             hint=f"give `{name}` as NAME=VALUE, e.g. " + (
                                 "code=XZQDM" if name == "columns" else "village=村级"))
        key, _, val = str(value).partition("=")
        out[key.strip()] = val.strip()
    return out


def _texts(value) -> tuple:
    """A path, a mapping or the ``LEVEL=PATH`` texts as a tuple (empty for None)."""
    if value is None:
        return ()
    if isinstance(value, str | os.PathLike | Mapping | Boundaries | Waters):
        return (value,)
    return tuple(value)


def split_sources(boundaries=None, waters=None
                  ) -> tuple[PathLike | dict[str, str] | None, PathLike | None,
                             PathLike | None]:
    """The boundaries source, the rivers file and the lakes file, from the grammar.

    ``boundaries``: one path (a GeoPackage with a layer per level), a mapping level ->
    path, or texts ``LEVEL=PATH`` (one per level). ``waters``: the rivers file (which may
    hold a ``lakes`` layer), or texts ``PATH``, ``rivers=PATH``, ``lakes=PATH``.

    Examples
    --------
    >>> split_sources(["village=cun.shp", "township=xiang.shp"], ["r.shp", "lakes=l.shp"])
    ({'village': 'cun.shp', 'township': 'xiang.shp'}, 'r.shp', 'l.shp')
    >>> split_sources("bnd.gpkg", "waters.gpkg")
    ('bnd.gpkg', 'waters.gpkg', None)
    """
    given = _texts(boundaries)
    if not given:
        source = None
    elif len(given) == 1 and (isinstance(given[0], os.PathLike | Mapping)
                              or "=" not in given[0]):
        source = dict(given[0]) if isinstance(given[0], Mapping) else given[0]
    else:
        source = _pairs(given, "boundaries")
        unknown = sorted(set(source) - {*LEVELS, "neighbours"})
        if unknown:
            raise InputError(f"unknown level(s) {unknown} in `boundaries`; levels are "
                             f"{list(LEVELS)} (and neighbours=PATH, drawn only)",
                             hint="give one file per level as LEVEL=PATH, e.g. village=cun.shp")
    river_file = lake_file = None
    for value in _texts(waters):
        if isinstance(value, Mapping):
            river_file, lake_file = value.get("rivers"), value.get("lakes", lake_file)
            continue
        key, sep, path = str(value).partition("=")
        if isinstance(value, os.PathLike) or not sep:
            river_file = value
        elif key == "lakes":
            lake_file = path
        elif key == "rivers":
            river_file = path
        else:
            raise InputError(f"`waters` expects PATH, rivers=PATH or lakes=PATH, got {value!r}",
                             hint="give the rivers file, and lakes=PATH for a lakes file")
    if lake_file and not river_file:
        raise InputError("lakes=PATH in `waters` needs the rivers file too",
                         hint="give `waters` the rivers file as well")
    return source, river_file, lake_file


def input_paths(boundaries=None, waters=None, *others: PathLike | None) -> list[Path]:
    """Every input file named by ``boundaries``/``waters`` (any grammar) and ``others``,
    for the outputs to be checked against (an output never replaces an input).

    Examples
    --------
    >>> [p.name for p in input_paths(["village=cun.shp"], ["r.gpkg"], "holders.csv", None)]
    ['holders.csv', 'cun.shp', 'r.gpkg']
    """
    paths = [Path(o) for o in others if o]
    for value in (*_texts(boundaries), *_texts(waters)):
        if isinstance(value, Mapping):
            paths += [Path(p) for p in value.values()]
            continue
        key, sep, path = str(value).partition("=")
        paths.append(Path(path if sep and key in (*LEVELS, "neighbours", "rivers", "lakes")
                          else value))
    return paths


# --------------------------------------------------------------------------- provenance


def _files(origin: Mapping[str, str]) -> list[str]:
    files = []
    for where in origin.values():
        path = str(where).split(", layer ")[0]
        if path and not str(where).startswith("derived ") and path not in files:
            files.append(path)
    return files


def _is_sample(boundaries: Boundaries | None, waters: Waters | None) -> bool:
    from hzgeo import datasets

    bundled = {str(datasets.get_path("boundaries").resolve()),
               str(datasets.get_path("waters").resolve())}
    files = [*_files(boundaries.origin if boundaries is not None else {}),
             *_files(waters.origin if waters is not None else {})]
    return bool(files) and all(str(Path(f).resolve()) in bundled for f in files)


def describe_sources(boundaries: Boundaries | None, waters: Waters | None,
                     officials: pd.DataFrame | None = None) -> str:
    """Where the data comes from, in Chinese, for every output (名录 footnotes, index).

    The bundled sample gets its own text (what is real, what synthetic, what fictional);
    other data is named by the files it was read from (``origin``).

    Examples
    --------
    >>> import hzgeo
    >>> describe_sources(*hzgeo.datasets.guigang()).startswith("贵港市样例数据")
    True
    """
    if _is_sample(boundaries, waters):
        return SAMPLE_SOURCES

    def named(frame) -> str:
        return "、".join(_files(frame.origin)) if frame is not None else "未提供"

    holders = "未提供" if officials is None else str(officials.attrs.get("source", "表格"))
    return (f"行政区划：{named(boundaries)}；水系：{named(waters)}；任职表：{holders}。"
            "河段由 hzgeo 按行政区划自动分段，长度为椭球面测地长度。")


# --------------------------------------------------------------------------- the inputs


@dataclass
class Inputs:
    """What :func:`load` read, repaired and limited: the inputs of every command.

    Attributes
    ----------
    boundaries, waters : Boundaries, Waters
        Either is None only when loaded with ``partial`` (the audit of one input).
    officials : DataFrame or None
        Office holders (within the county when limited to one).
    rules : Rules
        The rules (who is chief of what, texts of boards and sections).
    overrides : DataFrame or None
        The overrides table (:func:`hzgeo.overrides.read_overrides`).
    repairs : GeoDataFrame or None
        What ``fix`` changed (one row per unit), else None.
    county : str or None
        The code of the county the work is limited to.
    sample : bool
        The bundled Guigang sample is used.
    sources : str
        Where the data comes from (:func:`describe_sources`).
    notes : list of str
        What was done, in order (sample used, repairs, the county), for the user.
    defects : GeoDataFrame or None
        :func:`hzgeo.find_defects` of the inputs, once computed (:meth:`segment` with
        ``defects=True``, :meth:`audit`).
    seats : GeoDataFrame or None
        Village seats (the ``seats`` layer of a boundaries GeoPackage,
        :func:`hzgeo.io.read_seats`), read with the office holders: boards stand nearest
        them.
    """

    boundaries: Boundaries | None
    waters: Waters | None
    officials: pd.DataFrame | None = None
    rules: Rules | None = None
    overrides: pd.DataFrame | None = None
    repairs: gpd.GeoDataFrame | None = None
    county: str | None = None
    sample: bool = False
    sources: str = ""
    notes: list[str] = field(default_factory=list)
    defects: gpd.GeoDataFrame | None = None
    seats: gpd.GeoDataFrame | None = None

    def segment(self, *, min_length: float = MIN_REACH_M,
                boundary_tolerance: float | None = None, defects: bool = False,
                workers: int | None = None, client=None,
                on_level: Callable[[str, Iterator[gpd.GeoDataFrame]], None] | None = None,
                piece_runs: int | None = None, release: bool = False):
        """Validate the inputs (once) and segment them: a :class:`~hzgeo.Segmentation`.

        ``defects``: find every defect (:func:`hzgeo.find_defects`, kept in
        :attr:`defects` for the audit) and refuse those segmentation cannot work around;
        else only the quick checks segmentation needs (valid polygons, codes that nest,
        usable rivers). ``workers``/``client``: cut county by county on a dask cluster,
        as :func:`hzgeo.segment_waters` takes them (the result is the same).
        ``on_level``: each level's reach table handed over as soon as it is made, in
        pieces of about ``piece_runs`` runs, and not kept
        (:func:`hzgeo.segment.segment_validated`). ``release``: these inputs are
        given up (:attr:`boundaries` and :attr:`waters` None afterwards; their frames
        emptied as soon as segmentation no longer needs them), for a caller that only
        writes the result.

        Raises
        ------
        DataQualityError
            The boundaries or waters are too defective to segment.
        """
        boundaries, waters = self._both()
        if release:
            self.boundaries = self.waters = None
        if defects and self.defects is None:
            from hzgeo.validate import find_defects

            with stage("validate"):
                self.defects = find_defects(boundaries, waters)
        return segment_inputs(boundaries, waters, min_length=min_length,
                              boundary_tolerance=boundary_tolerance, overrides=self.overrides,
                              defects=self.defects, workers=workers, client=client,
                              on_level=on_level, piece_runs=piece_runs, release=release)

    def assign_chiefs(self, segmentation):
        """The chiefs of ``segmentation`` from :attr:`officials` by :attr:`rules`; None
        without office holders."""
        if self.officials is None:
            return None
        from hzgeo.chiefs import assign_chiefs

        boundaries, waters = self._both()
        with stage("assign"):
            return assign_chiefs(segmentation, boundaries, waters, self.officials, self.rules)

    def _both(self) -> tuple[Boundaries, Waters]:
        if self.boundaries is None or self.waters is None:
            raise InputError("reaches need both `boundaries` and `waters`",
                             hint="give both (load them without `partial`)")
        return self.boundaries, self.waters

    def audit(self, *, min_length: float = MIN_REACH_M, boundary_tolerance: float | None = None,
              **options):
        """The :func:`hzgeo.audit` of the inputs, on the reaches and chiefs made here.

        Never raises for data problems: when the data cannot be segmented the report
        says why. ``options`` are :func:`hzgeo.audit`'s (``min_area_m2`` ...).
        """
        import importlib

        audit_module = importlib.import_module("hzgeo.audit")  # not the function of hzgeo

        made: dict[str, Any] = {"min_length": min_length,
                                "boundary_tolerance": boundary_tolerance}
        if self.boundaries is not None and self.waters is not None:
            from shapely.errors import GEOSException

            try:
                with warnings.catch_warnings():  # the audit lists what matters
                    warnings.simplefilter("ignore", HzgeoWarning)
                    result = self.segment(defects=True, min_length=min_length,
                                          boundary_tolerance=boundary_tolerance)
                made |= {"segmentation": result, "chiefs": self.assign_chiefs(result)}
            except (HzgeoError, GEOSException) as err:
                reason = getattr(err, "message", str(err)).split("\n  what to do")[0]
                made |= {"refused": " ".join(reason.split())}
            made["defects"] = self.defects
        return audit_module.audit(self.boundaries, self.waters, officials=self.officials,
                                  rules=self.rules, **made, **options)

    def repaired_layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The ``repairs`` log and the repaired levels in EPSG:4490 (usable as boundaries
        again); empty without ``fix``."""
        if self.repairs is None or self.boundaries is None:
            return {}
        return {"repairs": self.repairs} | {level: frame.to_crs(STORE_CRS)
                                           for level, frame in self.boundaries.levels.items()}


def segment_inputs(boundaries: Boundaries, waters: Waters, *, min_length: float = MIN_REACH_M,
                   boundary_tolerance: float | None = None, overrides=None,
                   defects: gpd.GeoDataFrame | None = None, workers: int | None = None,
                   client=None,
                   on_level: Callable[[str, Iterator[gpd.GeoDataFrame]], None] | None = None,
                   piece_runs: int | None = None, release: bool = False):
    """Validate, then segment: the step every command that makes reaches takes.

    ``defects``: what :func:`hzgeo.find_defects` found already; the refusal is decided
    from them instead of checking again. ``workers``, ``client``: as
    :func:`hzgeo.segment_waters` takes them. ``on_level``, ``piece_runs``, ``release``: as
    :func:`hzgeo.segment.segment_validated` takes them.

    Raises
    ------
    DataQualityError
        Defects segmentation cannot work around (invalid polygons, codes that do not
        nest, duplicate codes, unusable rivers), all of them named.
    """
    from hzgeo.segment import segment_validated
    from hzgeo.validate import validate_boundaries, validate_defects, validate_waters

    with stage("validate"):
        if defects is not None:
            validate_defects(defects, boundaries, waters)
        else:
            # the whole-coverage check is the audit's; segmentation reports gaps itself
            validate_boundaries(boundaries, coverage=False)
            validate_waters(waters)
    # validated just now: segmentation does not check the geometry again
    return segment_validated(boundaries, waters, min_length=min_length,
                             boundary_tolerance=boundary_tolerance, overrides=overrides,
                             workers=workers, client=client, on_level=on_level,
                             piece_runs=piece_runs, release=release)


def load(boundaries=None, waters=None, *, columns=None, layers=None, crs=None,
         gcj02: bool = False, encoding: str | None = None, officials=None,
         officials_encoding: str | None = None, rules=None, overrides=None,
         county: str | None = None, fix: bool = False, holders: Holders = "optional",
         partial: bool = False, keep_duplicates: bool = False,
         report: Callable[[str], None] | None = None) -> Inputs:
    """Read the inputs, repair them if asked, limit them to a county: :class:`Inputs`.

    Parameters
    ----------
    boundaries : path, mapping level -> path, texts ``LEVEL=PATH``, or Boundaries
        None (with ``waters`` None too): the bundled Guigang sample.
    waters : path, texts ``PATH``/``rivers=PATH``/``lakes=PATH``, or Waters
    columns, layers : mapping, or texts ``KEY=VALUE``
        As :func:`hzgeo.read_boundaries` and :func:`hzgeo.read_waters` take them (one
        mapping serves both).
    crs, gcj02, encoding
        As :func:`hzgeo.read_boundaries` takes them.
    officials : path or DataFrame, optional
        Office holders; default the bundled sample for the bundled data.
    officials_encoding : str, optional
        Of an officials CSV.
    rules : path or Rules, optional
        Default the bundled Guigang rules.
    overrides : path or DataFrame, optional
        The overrides table (:func:`hzgeo.overrides.read_overrides`).
    county : str, optional
        Code or name: limit the work to this county before anything is segmented.
    fix : bool
        Repair the boundaries (:func:`hzgeo.repair_boundaries`).
    holders : {"none", "optional", "required"}
        Whether office holders (and village seats) are read: never; when given (or the
        sample); always (an error without them for the user's data).
    partial : bool
        Allow boundaries or waters alone (the audit of one input).
    keep_duplicates : bool
        Keep units sharing a code (for the audit to report).
    report : callable, optional
        Called with each note as it happens (the command line prints them).

    Raises
    ------
    InputError
        Naming the argument (in backticks) or the file, layer and features.
    """
    from hzgeo.io import read_boundaries, read_waters

    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        if report is not None:
            report(text)

    given_b, given_w = bool(_texts(boundaries)), bool(_texts(waters))
    if given_b != given_w and not partial:
        given, other = ("boundaries", "waters") if given_b else ("waters", "boundaries")
        raise InputError(f"`{given}` given without `{other}`: hzgeo does not mix your data "
                         "with the bundled Guigang sample",
                         hint=f"give both `{given}` and `{other}` (or neither, to run on the "
                              "bundled sample)")
    if fix and given_w and not given_b:
        raise InputError("`fix` repairs boundaries, and no `boundaries` were given",
                         hint="give `boundaries` (or leave out `fix`)")
    sample = not given_b and not given_w
    if holders == "required" and officials is None and not sample:
        raise InputError("`officials` is required with your own `boundaries` and `waters` "
                         "(the bundled sample holders fit only the bundled Guigang data)",
                         hint="give the table of office holders as `officials` (CSV or XLSX)")
    if sample:
        note(SAMPLE_NOTE)
    b_source, river_file, lake_file = split_sources(
        None if isinstance(boundaries, Boundaries) else boundaries,
        None if isinstance(waters, Waters) else waters)
    cols, lays = _pairs(columns, "columns"), _pairs(layers, "layers")
    bnd = wat = None
    with stage("read"):
        if isinstance(boundaries, Boundaries):
            bnd = boundaries
        elif given_b or not (partial and given_w):
            bnd = read_boundaries(b_source, layers=lays, columns=cols, crs=crs, gcj02=gcj02,
                                  encoding=encoding, keep_duplicates=keep_duplicates)
        if isinstance(waters, Waters):
            wat = waters
        elif given_w or not (partial and given_b):
            wat = read_waters(river_file, lakes=lake_file, columns=cols, crs=crs, gcj02=gcj02,
                              encoding=encoding)
    from hzgeo.chiefs import read_rules
    from hzgeo.chiefs.rules import default_rules

    holders_table, seats = None, None
    if holders != "none":
        holders_table = _holders(officials, officials_encoding, sample, note, cols)
        seats = _seats(b_source, sample, crs) if bnd is not None else None
    if rules is None and holders_table is None:  # no chiefs: the defaults, nothing to say
        rule_set = default_rules(bnd)
    else:  # (none given: Guigang's for the sample only, else national, with a note)
        rule_set = (read_rules(rules, boundaries=bnd)
                    if rules is None or isinstance(rules, PathLike) else rules)
    table = overrides
    if overrides is not None and not isinstance(overrides, pd.DataFrame):
        from hzgeo.overrides import read_overrides

        table = read_overrides(overrides, None if wat is None else wat.rivers["river_code"])
    repairs = None
    if fix and bnd is not None:
        bnd, repairs = _repair(bnd, note)
    code = None
    if county is not None and bnd is not None:
        from hzgeo.select import county_code, limit_to_county, officials_within, waters_within

        code = county_code(bnd, county)
        name = bnd["county"].set_index("code").loc[code, "name"]
        bnd = limit_to_county(bnd, code)
        if wat is not None:
            wat, downstream = waters_within(wat, bnd)
            kept = wat.rivers["river_code"].isin(downstream)
            note(f"limited to {code} {name}: {int((~kept).sum())} river(s) and "
                 f"{len(wat.lakes)} lake(s) in it or along its border" + (
                     f" (and {', '.join(downstream)} downstream, for the flow direction)"
                     if downstream else ""))
        else:
            note(f"limited to {code} {name}")
        if holders_table is not None:  # the holders of the other counties are not needed
            holders_table = officials_within(holders_table, bnd, wat)
        if seats is not None:
            seats = seats[seats["code"].isin(set(bnd["village"]["code"]))
                          ] if "village" in bnd else seats
    return Inputs(bnd, wat, holders_table, rule_set, table, repairs, code, sample,
                  SAMPLE_SOURCES if sample else describe_sources(bnd, wat, holders_table),
                  notes, seats=seats)


def _seats(source, sample: bool, crs) -> gpd.GeoDataFrame | None:
    """The village seats in the boundaries file (its ``seats`` layer), if it has one."""
    from hzgeo.io import read_seats

    if sample:
        return read_seats()
    if isinstance(source, str | os.PathLike):
        return read_seats(source, crs=crs)
    return None


def _holders(officials, encoding, sample: bool, note, columns=None) -> pd.DataFrame | None:
    """The office holders table (or None); ``columns``: every input's (official_name=...)."""
    from hzgeo.chiefs import read_officials
    from hzgeo.columns import official_columns

    if officials is None and sample:
        from hzgeo.datasets import guigang_officials

        officials = guigang_officials()
        note(SAMPLE_HOLDERS_NOTE)
    if officials is None:
        return None
    return (officials if isinstance(officials, pd.DataFrame)
            else read_officials(officials, encoding=encoding,
                                columns=official_columns(columns)))


def _repair(bnd: Boundaries, note) -> tuple[Boundaries, gpd.GeoDataFrame]:
    from hzgeo.repair import repair_boundaries

    bnd, log = repair_boundaries(bnd)
    if len(log):
        moved = (log["area_after_m2"] - log["area_before_m2"]).abs().sum()
        note(f"`fix`: repaired {log['code'].nunique()} unit(s) "
             f"({', '.join(f'{n} {a}' for a, n in log['action'].value_counts().items())}; "
             f"{moved:,.0f} m² moved); listed in the 'repairs' layer")
    else:
        note("`fix`: nothing to repair")
    return bnd, log
