"""Limit the work to one county: ``--county CODE`` on every command.

The county's units are kept at every level below it; the city level keeps its code and
name (its chiefs still chair the main rivers) but its outline becomes the county's, so
that a river's length "inside the area" is its length inside the county and nothing
outside reads as a gap. The city's other counties become neighbours
(:attr:`~hzgeo.model.Boundaries.neighbours`, drawn in grey around the county's maps),
with the cities around the city that were given.

The limited boundaries remember what they were cut from (:attr:`Boundaries.around`):
:func:`hzgeo.segment_waters` (by :func:`cut_county`) cuts the county's rivers against the
county *and the other counties they run through or along*, then keeps the county's
reaches. A river on the county border (界河) is then shared with the county across, as in
the whole city: cut against the county alone, its other bank would be missing and the
stretches where it swings a few metres over the border would belong to no one. The
county's reaches are those of the whole city's segmentation, the rows of a 界河 whose
other bank lies outside counting for the county (``primary``).

Examples
--------
>>> import hzgeo
>>> boundaries, _ = hzgeo.datasets.guigang()
>>> one = limit_to_county(boundaries, "港北区")
>>> len(one["county"]), one["township"]["code"].str[:6].unique().tolist()
(1, ['450802'])
>>> one.neighbours["name"].tolist()[:4]
['港南区', '覃塘区', '平南县', '桂平市']
"""

from __future__ import annotations

import difflib
import warnings

import numpy as np
import pandas as pd
import shapely

from hzgeo.errors import HzgeoWarning, InputError, SliverWarning
from hzgeo.hierarchy import Hierarchy
from hzgeo.model import NEIGHBOUR_COLUMNS, Boundaries, Segmentation, Waters
from hzgeo.settings import BOUNDARY_TOLERANCE_M, REACH_LEVELS

__all__ = ["area_name", "county_code", "county_context", "cut_county", "limit_to_county",
           "limited_to", "officials_within", "segmentation_within", "waters_within"]


def county_code(boundaries: Boundaries, county: str) -> str:
    """The code of ``county``, given as its code or its name.

    Raises
    ------
    InputError
        No county has that code or name (the closest are suggested).
    """
    counties = boundaries["county"]
    codes = counties["code"].astype(str).tolist()
    names = counties["name"].astype(str).tolist()
    key = str(county).strip()
    if key in codes:
        return key
    if key in names:
        return codes[names.index(key)]
    close = difflib.get_close_matches(key, codes + names, n=3, cutoff=0.4)
    raise InputError(f"no county {key!r}",
                     hint=("did you mean " + " or ".join(close) + "? " if close else "")
                     + "counties are " + ", ".join(f"{c} {n}" for c, n in zip(codes, names,
                                                                             strict=True)))


def limit_to_county(boundaries: Boundaries, county: str) -> Boundaries:
    """The boundaries of one county (code or name) and the units inside it."""
    code = county_code(boundaries, county)
    units = Hierarchy.from_boundaries(boundaries)
    levels = {}
    outline = boundaries["county"].loc[boundaries["county"]["code"] == code, "geometry"]
    for level, frame in boundaries.levels.items():
        if level == "city":
            city = frame.copy()
            city["geometry"] = outline.union_all()
            levels[level] = city
        else:
            levels[level] = frame[units.within(frame["code"], code)].copy()
    name = boundaries["county"].set_index("code").loc[code, "name"]
    counties = boundaries["county"]
    others = counties[counties["code"] != code].assign(level="county")
    others = others.reindex(columns=NEIGHBOUR_COLUMNS)
    around = [others]
    if boundaries.neighbours is not None and len(boundaries.neighbours):
        around.append(boundaries.neighbours.to_crs(others.crs)[NEIGHBOUR_COLUMNS])
    neighbours = pd.concat(around, ignore_index=True) if len(around) > 1 else \
        others.reset_index(drop=True)
    whole = boundaries.around if boundaries.around is not None else boundaries
    return Boundaries(levels, dict(boundaries.origin), f"{name}界", neighbours,
                      around=whole)


def limited_to(boundaries: Boundaries | None) -> tuple[str, str] | None:
    """(code, name) of the county ``boundaries`` are limited to (by
    :func:`limit_to_county`: a ``--county`` run), else None.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, _ = hzgeo.datasets.guigang()
    >>> limited_to(limit_to_county(boundaries, "港北区")), limited_to(boundaries)
    (('450802', '港北区'), None)
    """
    if boundaries is None or boundaries.around is None or "county" not in boundaries \
            or len(boundaries["county"]) != 1:
        return None
    county = boundaries["county"].iloc[0]
    return str(county["code"]), str(county["name"])


def area_name(boundaries: Boundaries) -> str:
    """What the work covers, as outputs name it: the city (贵港市), or for boundaries
    limited to one county the county after the city's name (贵港市港北区); '' when the
    data has neither a city nor a single county.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, _ = hzgeo.datasets.guigang()
    >>> area_name(boundaries), area_name(limit_to_county(boundaries, "450802"))
    ('贵港市', '贵港市港北区')
    """
    city = boundaries["city"]["name"] if "city" in boundaries else None
    name = str(city.iloc[0]) if city is not None and len(city) else ""
    county = limited_to(boundaries)
    return name + (county[1] if county is not None else "")


def _tolerance(waters: Waters, boundary_tolerance: float | None) -> float:
    """The largest distance (m) within which a river counts as running along a border."""
    if boundary_tolerance is not None:
        return float(boundary_tolerance)
    acc = pd.to_numeric(waters.rivers.get("accuracy_m", pd.Series(dtype=float)),
                        errors="coerce").to_numpy(dtype=float)
    acc = acc[np.isfinite(acc) & (acc > 0)]
    return float(max(acc.max(), BOUNDARY_TOLERANCE_M) if len(acc) else BOUNDARY_TOLERANCE_M)


def county_context(boundaries: Boundaries, waters: Waters, distance: float) -> Boundaries:
    """What the reaches of a county (``boundaries`` from :func:`limit_to_county`) are cut
    against: the county and every county within ``distance`` metres of its rivers
    (``waters``, from :func:`waters_within`), with all their units, and the city as it is.

    So every river is cut where it is in the whole city: on the county border against
    the county across (a 界河 is shared), and on the city outline wherever it enters the
    city (its chainage counts from there, as in the whole city's directory).

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> mine = limit_to_county(boundaries, "港北区")
    >>> river = waters_within(waters, mine)[0]
    >>> sorted(county_context(mine, river, 41.0)["county"]["code"])
    ['450802', '450803', '450804', '450821', '450881']
    """
    from hzgeo.io import work_crs_for

    whole = boundaries.around
    if whole is None:
        raise InputError("county_context needs boundaries limited to one county",
                         hint="limit them with hzgeo.select.limit_to_county first")
    code = str(boundaries["county"]["code"].iloc[0])
    counties = whole["county"]
    crs = work_crs_for(counties)
    geoms = counties.to_crs(crs).geometry.values
    near = counties["code"].astype(str).to_numpy() == code
    if len(waters.rivers):
        rivers = shapely.union_all(waters.rivers.to_crs(crs).geometry.values)
        near |= shapely.dwithin(geoms, rivers, distance)
    units = Hierarchy.from_boundaries(whole)
    kept = set()
    for county in counties["code"].astype(str).to_numpy()[near]:
        kept |= {county, *units.descendants(county)}
    levels = {level: frame if level == "city" else frame[frame["code"].astype(str).isin(kept)]
              for level, frame in whole.levels.items()}
    return Boundaries(levels, dict(whole.origin), whole.outline)


def cut_county(boundaries: Boundaries, waters: Waters, cut, *, boundary_tolerance=None,
               stacklevel: int = 2, **options) -> Segmentation:
    """What :func:`hzgeo.segment_waters` (``cut``, passed in) does with boundaries limited
    to one county: the county's rivers cut against the counties they run through or along
    (:func:`county_context`), then the county's part (:func:`segmentation_within`).

    The warnings are the county's: slivers merged in it, and rivers that cross it with no
    length in it (not those along its border or downstream, kept for the flow direction);
    ``stacklevel`` is theirs (2 points at the caller).
    """
    from hzgeo._checks import warn_rivers_outside
    from hzgeo.io import work_crs_for

    # a stretch along a border is within the tolerance of it on either side
    context = county_context(boundaries, waters,
                             2 * _tolerance(waters, boundary_tolerance) + 1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        whole = cut(context, waters, boundary_tolerance=boundary_tolerance, **options)
    result = segmentation_within(whole, boundaries)
    for found in caught:  # those of the context are said again for the county below
        if not (issubclass(found.category, SliverWarning) or (
                issubclass(found.category, HzgeoWarning)
                and "no length inside the region" in str(found.message))):
            warnings.warn_explicit(found.message, found.category, found.filename,
                                   found.lineno)
    if len(result.slivers):
        warnings.warn(f"{len(result.slivers)} sliver reach(es) shorter than "
                      f"{result.settings.get('min_length_m')} m were merged into their "
                      "neighbours; see the 'slivers' layer.", SliverWarning,
                      stacklevel=stacklevel)
    # rivers along the border or downstream have no length in the county, as expected;
    # one that crosses it and gets no reach is not
    crs = work_crs_for(boundaries["county"])
    county = shapely.union_all(boundaries["county"].to_crs(crs).geometry.values)
    clip = shapely.length(shapely.intersection(waters.rivers.to_crs(crs).geometry.values,
                                               county))
    crossing = set(waters.rivers.loc[clip > 1.0, "river_code"])
    lengths = result.river_lengths
    warn_rivers_outside(lengths[lengths["river_code"].isin(crossing)],
                        stacklevel=stacklevel + 1)
    return result


def segmentation_within(result: Segmentation, boundaries: Boundaries) -> Segmentation:
    """The part of ``result`` in the county of ``boundaries`` (from :func:`limit_to_county`).

    The reaches and zones of the county's units (found by their parents, level by level),
    the rows of a 界河 whose other bank is outside the county made ``primary`` (the county
    counts them), the slivers and gaps in the county, and the rivers' lengths in it;
    ``result`` is kept as its :attr:`~hzgeo.Segmentation.around`.
    """
    code = str(boundaries["county"]["code"].iloc[0])
    reaches, zones = {}, {}
    parents: set[str] = set()
    zone_parents: set[str] = set()
    for level in REACH_LEVELS:
        frame = result.reaches[level]
        mine = (frame["admin_code"].astype(str) == code) if level == "county" else (
            frame["parent_reach_code"].astype(str).isin(parents))
        frame = frame[mine.to_numpy()].copy()
        across = frame["boundary"].astype(bool) & ~frame["shared_with"].astype(str).isin(
            set(frame["admin_code"].astype(str)))
        frame["primary"] = frame["primary"].astype(bool) | across
        reaches[level] = frame.reset_index(drop=True)
        parents = set(frame["reach_code"].astype(str))
        zone = result.zones[level]
        mine = (zone["admin_code"].astype(str) == code) if level == "county" else (
            zone["parent_zone_code"].astype(str).isin(zone_parents))
        zones[level] = zone[mine.to_numpy()].reset_index(drop=True)
        zone_parents = set(zones[level]["zone_code"].astype(str))
    polygon = shapely.union_all(boundaries["county"].to_crs(result.gaps.crs).geometry.values)
    gaps = result.gaps[_crosses(result.gaps.geometry.values, polygon)].reset_index(drop=True)
    codes = {str(c) for frame in boundaries.levels.values() for c in frame["code"]}
    codes |= {c + "000" for c in codes}  # the stand-ins of a missing level
    touched = [bool({*str(a).split("、"), *str(m).split("、")} & codes)
               for a, m in zip(result.slivers["admin_code"], result.slivers["merged_into"],
                               strict=True)]
    slivers = result.slivers[np.asarray(touched, dtype=bool)
                             | _crosses(result.slivers.geometry.values, polygon)]
    lengths = result.river_lengths.copy()
    top = reaches[result.levels[0]] if result.levels else reaches["county"]
    counted = top[top["primary"]].groupby("river_code")["length_m"].sum()
    unassigned = gaps.groupby("river_code")["length_m"].sum()
    lengths["unassigned_m"] = lengths["river_code"].map(unassigned).fillna(0.0).to_numpy()
    lengths["length_m"] = (lengths["river_code"].map(counted).fillna(0.0).to_numpy()
                           + lengths["unassigned_m"].to_numpy())
    return Segmentation(reaches, zones, slivers.reset_index(drop=True), gaps,
                        result.overrides, lengths, dict(result.settings), result.levels,
                        around=result)


def _crosses(lines, polygon) -> np.ndarray:
    """Lines with length inside ``polygon`` (not only touching it)."""
    if len(lines) == 0:
        return np.zeros(0, dtype=bool)
    return shapely.intersects(lines, polygon) & ~shapely.touches(lines, polygon)


def officials_within(officials, boundaries: Boundaries, waters: Waters | None = None):
    """The office holders of the units in ``boundaries`` (after :func:`limit_to_county`,
    the city's and that county's) and of the counties across its border (the counties
    it touches, with their units: across a 界河 on the border they chair the far bank,
    对岸河长; :func:`hzgeo.assign_chiefs` uses them for that only): rows of other units
    are left out, not refused; with ``waters`` (:func:`waters_within`), the waters a
    holder chairs (``waters`` column) are those among them.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, _ = hzgeo.datasets.guigang()
    >>> holders = hzgeo.read_officials(hzgeo.datasets.guigang_officials())
    >>> kept = officials_within(holders, limit_to_county(boundaries, "覃塘区"))
    >>> sorted(set(kept["admin_code"].str[:6]))  # the city, 覃塘区 and the two it touches
    ['450800', '450802', '450803', '450804']
    """
    codes = set()
    for frame in boundaries.levels.values():
        codes |= set(frame["code"].astype(str))
    codes |= _across_border(boundaries)
    out = officials[officials["admin_code"].astype(str).isin(codes)].copy()
    if waters is not None and "waters" in out.columns:
        rivers = waters.rivers
        keys = set(rivers["river_code"]) | set(waters.lakes.get("code", []))
        keys |= {m for m in rivers.get("main_river", []) if m}
        out["waters"] = [[w for w in listed if w in keys] if isinstance(listed, list)
                         else listed for listed in out["waters"].tolist()]
    return out


def _across_border(boundaries: Boundaries) -> set[str]:
    """The codes of the counties touching the county ``boundaries`` are limited to, and
    of their units (empty when not limited)."""
    from hzgeo.io import work_crs_for

    whole = boundaries.around
    if whole is None or "county" not in whole or "county" not in boundaries:
        return set()
    counties = whole["county"]
    crs = work_crs_for(counties)
    mine = shapely.union_all(boundaries["county"].to_crs(crs).geometry.values)
    codes = set(boundaries["county"]["code"].astype(str))
    near = shapely.dwithin(counties.to_crs(crs).geometry.values, mine, 1.0)
    units = Hierarchy.from_boundaries(whole)
    out: set[str] = set()
    for county in counties["code"].astype(str).to_numpy()[near]:
        if county not in codes:
            out |= {county, *units.descendants(county)}
    return out


def waters_within(waters: Waters, boundaries: Boundaries) -> tuple[Waters, list[str]]:
    """The rivers and lakes that reach into ``boundaries`` (after :func:`limit_to_county`;
    a river also when it runs within its tolerance of the border, its ``accuracy_m`` else
    20 m: it may be a 界河 there), and the rivers they flow into, downstream to the mouth,
    that lie outside: these are kept too (their geometry tells which way the rivers inside
    flow), and listed.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> mine, downstream = waters_within(waters, limit_to_county(boundaries, "港北区"))
    >>> sorted(mine.rivers["river_code"]), downstream, len(mine.lakes)
    (['R02', 'R03', 'R04', 'R11', 'R20'], ['R02'], 2)
    """
    from hzgeo.io import work_crs_for

    top = next(iter(boundaries.levels.values()))
    rivers, lakes = waters.rivers, waters.lakes
    inside: set[str] = set()
    if len(rivers):  # in it, or along its border within the river's tolerance (a 界河)
        crs = work_crs_for(top)
        area = shapely.union_all(top.to_crs(crs).geometry.values)
        tolerance = pd.to_numeric(rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                                  errors="coerce").to_numpy(dtype=float)
        tolerance = np.where(np.isfinite(tolerance) & (tolerance > 0), tolerance,
                             BOUNDARY_TOLERANCE_M)
        near = shapely.dwithin(rivers.to_crs(crs).geometry.values, area, tolerance)
        inside = set(rivers.loc[near, "river_code"])
    into = dict(zip(rivers["river_code"], rivers["flows_into"], strict=True))
    downstream: list[str] = []
    for code in sorted(inside):
        target = into.get(code)
        while target and target in into and target not in inside and target not in downstream:
            downstream.append(target)
            target = into.get(target)
    keep = rivers["river_code"].isin(inside | set(downstream))
    if len(lakes):
        lakes = lakes[lakes.geometry.intersects(top.to_crs(lakes.crs).geometry.union_all())]
    return (Waters(rivers[keep].reset_index(drop=True), lakes.reset_index(drop=True),
                   dict(waters.origin)), sorted(downstream))
