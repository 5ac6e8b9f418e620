"""The contracts between hzgeo's stages: what each stage hands to the next.

::

    read_boundaries, read_waters -> Boundaries, Waters
    segment_waters               -> Segmentation
    assign_chiefs                -> Chiefs
    audit                        -> AuditReport
    run_phase_one                -> PhaseOne

Each is a frozen dataclass: a stage never changes what it was given, it makes a new value
(:func:`dataclasses.replace`). The frames inside keep the columns named by the constants
next to each class (``*_COLUMNS``); the stages build their frames from these constants and
the tests check the frames against them.

The classes are re-exported where they were first defined (``hzgeo.io.Boundaries``,
``hzgeo.segment.Segmentation``, ``hzgeo.chiefs.Chiefs`` ...) and from ``hzgeo``.
:class:`hzgeo.audit.AuditReport` is :class:`AuditReport` with its texts and writers.

Examples
--------
>>> import dataclasses, geopandas as gpd, shapely
>>> village = gpd.GeoDataFrame({"code": ["450802100001"], "name": ["一村"],
...                             "parent_code": ["450802100"]},
...                            geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4490")
>>> b = Boundaries({"village": village})
>>> b.outline = "港北区界"
Traceback (most recent call last):
...
dataclasses.FrozenInstanceError: cannot assign to field 'outline'
>>> dataclasses.replace(b, outline="港北区界").outline
'港北区界'
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from hzgeo.hierarchy import Hierarchy
from hzgeo.settings import REACH_LEVELS

if TYPE_CHECKING:  # (hzgeo.chiefs and hzgeo.audit import this module)
    from hzgeo.audit import AuditReport as RenderedAuditReport
    from hzgeo.chiefs.rules import Rules

__all__ = [
    "AUDIT_COLUMNS",
    "BOUNDARY_COLUMNS",
    "CHIEF_COLUMNS",
    "CITY_CHIEF_COLUMNS",
    "COVERAGE_COLUMNS",
    "GAP_COLUMNS",
    "JOINT_MEETING_COLUMNS",
    "LAKE_COLUMNS",
    "NEIGHBOUR_COLUMNS",
    "OFFICE_COLUMNS",
    "OVERRIDE_COLUMNS",
    "REACH_COLUMNS",
    "RIVER_COLUMNS",
    "RIVER_LENGTH_COLUMNS",
    "SLIVER_COLUMNS",
    "TOTAL_CHIEF_COLUMNS",
    "VACANCY_COLUMNS",
    "ZONE_COLUMNS",
    "AuditReport",
    "Boundaries",
    "Chiefs",
    "PhaseOne",
    "Segmentation",
    "Waters",
]


# ------------------------------------------------------------------------ boundaries, waters

#: Columns of every level of :class:`Boundaries` (as :func:`hzgeo.read_boundaries` gives
#: them; a user's own frames need at least ``code``, ``name``, ``parent_code``).
BOUNDARY_COLUMNS = ["code", "name", "parent_code", "synthetic", "geometry_source", "source",
                    "licence", "geometry"]
#: Columns of :attr:`Boundaries.neighbours`: units outside the data, only drawn (``level``
#: says what they are: ``city`` for the cities around the city, ``county`` for a county's
#: fellow counties when the work is limited to one).
NEIGHBOUR_COLUMNS = ["code", "name", "level", "synthetic", "geometry_source", "source",
                     "licence", "geometry"]
#: Columns of :attr:`Waters.rivers` (``main`` ... ``synthetic`` filled with defaults where a
#: file has none).
RIVER_COLUMNS = ["river_code", "name", "main", "main_river", "flows_into", "accuracy_m",
                 "synthetic", "geometry_source", "source", "licence", "geometry"]
#: Columns of :attr:`Waters.lakes`.
LAKE_COLUMNS = ["code", "name", "kind", "scale", "commander_county", "synthetic",
                "geometry_source", "source", "licence", "geometry"]


@dataclass(frozen=True, eq=False)
class Boundaries:
    """Administrative units at each level, nested by ``parent_code``.

    Each level is a GeoDataFrame with :data:`BOUNDARY_COLUMNS`. ``levels`` holds only the
    levels present (the city may be missing). ``origin`` says where each level was read
    from. The nesting is the one ``parent_code`` gives, not the codes' prefixes
    (:class:`hzgeo.hierarchy.Hierarchy`).

    ``neighbours`` (optional, :data:`NEIGHBOUR_COLUMNS`) are units outside the data: the
    cities around the city, or, once limited to one county
    (:func:`hzgeo.select.limit_to_county`), the city's other counties as well. They are
    only drawn, in grey and named, around the maps; never segmented, audited or listed.
    """

    levels: dict[str, gpd.GeoDataFrame]
    origin: dict[str, str] = field(default_factory=dict)
    #: What 起止 call the outline of the area: 市界 (the city's), or, for boundaries
    #: limited to one county (:func:`hzgeo.select.limit_to_county`), that county's (港北区界).
    outline: str = "市界"
    #: Units around the data, drawn only (None: none given).
    neighbours: gpd.GeoDataFrame | None = None
    #: For boundaries limited to one county: the boundaries they were cut from. The
    #: county's rivers are cut against the counties around too
    #: (:func:`hzgeo.select.cut_county`), so that a 界河 on the county border is shared
    #: as in the whole city. None otherwise.
    around: Boundaries | None = None

    def __getitem__(self, level: str) -> gpd.GeoDataFrame:
        if level not in self.levels:
            raise KeyError(f"no {level!r} level; levels present: {list(self.levels)}")
        return self.levels[level]

    def __contains__(self, level: object) -> bool:
        return level in self.levels

    @property
    def crs(self) -> CRS:
        crs: CRS = next(iter(self.levels.values())).crs
        return crs

    def to_crs(self, crs: Any) -> Boundaries:
        """The same boundaries in another CRS."""
        neighbours = None if self.neighbours is None else self.neighbours.to_crs(crs)
        return Boundaries({k: v.to_crs(crs) for k, v in self.levels.items()}, dict(self.origin),
                          self.outline, neighbours, self.around)

    def summary(self) -> pd.DataFrame:
        """Units per level, with how many are synthetic."""
        rows = [{"level": lvl, "units": len(f), "synthetic": int(f["synthetic"].sum())}
                for lvl, f in self.levels.items()]
        return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class Waters:
    """Rivers (centerlines, :data:`RIVER_COLUMNS`) and lakes/reservoirs (polygons,
    :data:`LAKE_COLUMNS`)."""

    rivers: gpd.GeoDataFrame
    lakes: gpd.GeoDataFrame
    origin: dict[str, str] = field(default_factory=dict)

    def to_crs(self, crs: Any) -> Waters:
        """The same waters in another CRS."""
        return Waters(self.rivers.to_crs(crs), self.lakes.to_crs(crs), dict(self.origin))


# ------------------------------------------------------------------------------ segmentation

#: Columns of every level of :attr:`Segmentation.reaches`.
REACH_COLUMNS = ["reach_code", "reach_name", "river_code", "river_name", "main", "level",
                 "admin_code", "admin_name", "admin_full_name", "parent_reach_code", "length_m",
                 "from_km", "to_km", "start_desc", "end_desc", "boundary", "shared_with",
                 "shared_with_name", "primary", "synthetic", "geometry"]
#: Columns of every level of :attr:`Segmentation.zones`.
ZONE_COLUMNS = ["zone_code", "water_code", "water_name", "kind", "scale", "level",
                "admin_code", "admin_name", "admin_full_name", "parent_zone_code", "area_m2",
                "synthetic", "geometry"]
#: Columns of :attr:`Segmentation.slivers`.
SLIVER_COLUMNS = ["river_code", "river_name", "admin_code", "merged_into", "length_m",
                  "from_km", "geometry"]
#: Columns of :attr:`Segmentation.gaps`.
GAP_COLUMNS = ["river_code", "river_name", "length_m", "from_km", "to_km", "geometry"]
#: Columns of :attr:`Segmentation.overrides`.
OVERRIDE_COLUMNS = ["river_code", "action", "admin_code", "from_km", "to_km", "at_km", "name",
                    "status"]
#: Columns of :attr:`Segmentation.river_lengths`.
RIVER_LENGTH_COLUMNS = ["river_code", "river_name", "length_m", "unassigned_m"]


@dataclass(frozen=True, eq=False)
class Segmentation:
    """The result of :func:`hzgeo.segment_waters`; every frame in EPSG:4490.

    Attributes
    ----------
    reaches : dict of level -> GeoDataFrame
        One row per continuous reach and unit (:data:`REACH_COLUMNS`). A shared boundary
        reach (界河) has a row per side, ``boundary`` True, with the same chainage;
        ``primary`` is True on exactly one of them, so
        ``reaches[reaches["primary"]]["length_m"].sum()`` counts every metre once.
    zones : dict of level -> GeoDataFrame
        One row per (lake or reservoir, unit) (:data:`ZONE_COLUMNS`).
    slivers : GeoDataFrame
        Short pieces merged into a neighbouring reach, for review (:data:`SLIVER_COLUMNS`).
    gaps : GeoDataFrame
        River stretches inside the city that fall in no village (:data:`GAP_COLUMNS`).
    overrides : DataFrame
        The overrides given, with what each did (:data:`OVERRIDE_COLUMNS`).
    river_lengths : DataFrame
        Per river: ``length_m`` inside the city (geodesic), counted once
        (:data:`RIVER_LENGTH_COLUMNS`).
    settings : dict
        ``min_length_m``, ``boundary_tolerance_m`` (None: per river), ``work_crs``.
    levels : tuple of str
        The reach levels the boundaries have, coarsest first: a city without village
        polygons has county and township reaches; the other levels' frames are empty.
    around : Segmentation or None
        For boundaries limited to one county: the segmentation the county's part was
        taken from (its rivers cut against the counties they run through or along, as
        in the whole city; :func:`hzgeo.select.cut_county`): the other bank of a 界河
        with a county outside, the sections where its rivers cross the city's borders.
        Never written; None otherwise.
    """

    reaches: dict[str, gpd.GeoDataFrame]
    zones: dict[str, gpd.GeoDataFrame]
    slivers: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    overrides: pd.DataFrame
    river_lengths: pd.DataFrame
    settings: dict[str, Any] = field(default_factory=dict)
    levels: tuple[str, ...] = REACH_LEVELS
    around: Segmentation | None = None

    def layers(self) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
        """Output layers by name, as ``hzgeo segment`` writes them (the levels it has)."""
        out: dict[str, gpd.GeoDataFrame | pd.DataFrame] = {}
        for level in self.levels:
            out[f"reaches_{level}"] = self.reaches[level]
        for level in self.levels:
            out[f"zones_{level}"] = self.zones[level]
        out["slivers"] = self.slivers
        out["gaps"] = self.gaps
        out["overrides"] = self.overrides
        out["river_lengths"] = self.river_lengths
        return out

    def to_file(self, path: str | os.PathLike) -> None:
        """Write every layer to one GeoPackage, atomically."""
        from hzgeo.output import write_layers

        write_layers(self.layers(), path)


# ------------------------------------------------------------------------------------ chiefs

#: Columns :func:`hzgeo.assign_chiefs` adds to every reach and zone row (reaches also get
#: ``other_bank_chief``).
CHIEF_COLUMNS = ["chief_name", "chief_post", "chief_phone", "chief_required", "vacant"]
#: Columns of :attr:`Chiefs.total_chiefs`.
TOTAL_CHIEF_COLUMNS = ["level", "admin_code", "admin_name", "role", "post", "chief_name",
                       "chief_phone", "vacant"]
#: Columns of :attr:`Chiefs.city_chiefs`.
CITY_CHIEF_COLUMNS = ["river_code", "river_name", "main_river", "post", "chief_name",
                      "chief_phone", "vacant"]
#: Columns of :attr:`Chiefs.joint_meetings`.
JOINT_MEETING_COLUMNS = ["water_code", "water_name", "kind", "members", "member_codes",
                         "convenor_code", "convenor_name", "convenor_chief", "rule", "note"]
#: Columns of :attr:`Chiefs.vacancies`.
VACANCY_COLUMNS = ["level", "admin_code", "admin_name", "post", "what"]
#: Columns of :attr:`Chiefs.offices`.
OFFICE_COLUMNS = ["level", "admin_code", "admin_name", "office", "seat", "supervision_phone"]


@dataclass(frozen=True, eq=False)
class Chiefs:
    """The result of :func:`hzgeo.assign_chiefs` (see ``CONTRACT.md``).

    Attributes
    ----------
    reaches, zones : dict of level -> GeoDataFrame
        The segmentation's rows plus :data:`CHIEF_COLUMNS`: ``chief_name``,
        ``chief_post``, ``chief_phone`` (None where nobody), ``chief_required`` (the rules
        give a chief here) and ``vacant`` (required, nobody). A 界河 row carries its own
        bank's chief and, in ``other_bank_chief``, the other bank's (reaches only).
    total_chiefs : DataFrame
        :data:`TOTAL_CHIEF_COLUMNS`; ``role`` is 总河长 or 副总河长.
    city_chiefs : DataFrame
        One row per river of a main river (西江干流's 黔江 and 浔江 each have a row, with
        the same chief): :data:`CITY_CHIEF_COLUMNS`.
    joint_meetings : DataFrame
        One row per water crossing a county border without a city chief:
        :data:`JOINT_MEETING_COLUMNS`; ``rule`` is longest_reach, largest_area,
        commander or tie.
    vacancies : DataFrame
        :data:`VACANCY_COLUMNS`.
    offices : DataFrame
        The river chief offices: :data:`OFFICE_COLUMNS`.
    rules : Rules
        The rules used (``rules["offices"]["issuing_office"]`` for the directory).
    units : Hierarchy
        Every unit of the boundaries, with its parent by ``parent_code``: which county
        and township a reach's or a total chief's unit lies in. (Empty in a hand-made
        ``Chiefs``; :meth:`hierarchy` then reads the reaches' and zones' parent links.)
    across : dict of level -> GeoDataFrame
        For chiefs of an area limited to one county (``boundaries.around``): the rows of
        the other bank of each 界河 on the county's border, from the units outside it,
        with their chiefs (the notice boards of the county's bank name them). Empty
        otherwise: there both banks are rows of :attr:`reaches`.
    """

    reaches: dict[str, gpd.GeoDataFrame]
    zones: dict[str, gpd.GeoDataFrame]
    total_chiefs: pd.DataFrame
    city_chiefs: pd.DataFrame
    joint_meetings: pd.DataFrame
    vacancies: pd.DataFrame
    offices: pd.DataFrame
    rules: Rules
    units: Hierarchy = field(default_factory=Hierarchy)
    across: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def hierarchy(self) -> Hierarchy:
        """:attr:`units`, or where that is empty the units the reaches and zones lie in."""
        return self.units if len(self.units) else Hierarchy.from_result(self)


# ------------------------------------------------------------------------------------- audit

#: Columns of :attr:`AuditReport.defects`.
AUDIT_COLUMNS = ["kind", "level", "codes", "names", "water_code", "water_name", "measure",
                 "unit", "lon", "lat", "detail", "fixable", "information", "geometry"]
#: Columns of :attr:`AuditReport.coverage`.
COVERAGE_COLUMNS = ["level", "water_m", "uncovered_m", "double_m", "vacant_m", "exactly_one_m",
                    "percent", "basis", "lake_m2", "lake_uncovered_m2", "lake_double_m2",
                    "lake_vacant_m2", "lake_exactly_one_m2", "lake_percent"]


@dataclass(frozen=True, eq=False)
class AuditReport:
    """What :func:`hzgeo.audit` found (the data; :class:`hzgeo.audit.AuditReport` adds
    its texts and writers).

    Attributes
    ----------
    ok : bool
        True when nothing needs fixing (information kinds do not count).
    summary : dict
        Counts by kind and level, the coverage per level, what was measured how.
    defects : GeoDataFrame
        One row per finding (:data:`AUDIT_COLUMNS`), EPSG:4490, largest first within each
        kind.
    coverage : DataFrame
        Per level (:data:`COVERAGE_COLUMNS`): ``water_m`` (river length inside the city),
        ``uncovered_m``, ``double_m``, ``vacant_m``, ``exactly_one_m``, ``percent``,
        ``basis`` (``unit`` or ``chief``), and the same for lakes in m² (``lake_m2`` ...).
    """

    ok: bool
    summary: dict[str, Any]
    defects: gpd.GeoDataFrame
    coverage: pd.DataFrame


# ----------------------------------------------------------------------------------- phase 1


@dataclass(frozen=True, eq=False)
class PhaseOne:
    """What :func:`hzgeo.pipeline.run_phase_one` made.

    Attributes
    ----------
    segmentation : Segmentation
    chiefs : Chiefs or None
        None without office holders.
    audit : hzgeo.audit.AuditReport
    files : dict of str -> Path
        Every file written, by its name in the folder.
    summary : dict
        The numbers ``hzgeo run`` prints and ``index.html`` shows.
    """

    segmentation: Segmentation
    chiefs: Chiefs | None
    audit: RenderedAuditReport
    files: dict[str, Path] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
