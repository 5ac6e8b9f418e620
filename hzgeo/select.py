"""Limit the work to one county: ``--county CODE`` on every command.

The county's units are kept at every level below it; the city level keeps its code and
name (its chiefs still chair the main rivers) but its outline becomes the county's, so
that a river's length "inside the area" is its length inside the county and nothing
outside reads as a gap. The city's other counties become neighbours
(:attr:`~hzgeo.model.Boundaries.neighbours`, drawn in grey around the county's maps),
with the cities around the city that were given.

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

import pandas as pd

from hzgeo.errors import InputError
from hzgeo.hierarchy import Hierarchy
from hzgeo.model import NEIGHBOUR_COLUMNS, Boundaries, Waters

__all__ = ["county_code", "limit_to_county", "officials_within", "waters_within"]


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
    return Boundaries(levels, dict(boundaries.origin), f"{name}界", neighbours)


def officials_within(officials, boundaries: Boundaries, waters: Waters | None = None):
    """The office holders of the units in ``boundaries`` (after :func:`limit_to_county`,
    the city's and that county's): rows of other units are left out, not refused; with
    ``waters`` (:func:`waters_within`), the waters a holder chairs (``waters`` column)
    are those among them."""
    codes = set()
    for frame in boundaries.levels.values():
        codes |= set(frame["code"].astype(str))
    out = officials[officials["admin_code"].astype(str).isin(codes)].copy()
    if waters is not None and "waters" in out.columns:
        rivers = waters.rivers
        keys = set(rivers["river_code"]) | set(waters.lakes.get("code", []))
        keys |= {m for m in rivers.get("main_river", []) if m}
        out["waters"] = [[w for w in listed if w in keys] if isinstance(listed, list)
                         else listed for listed in out["waters"].tolist()]
    return out


def waters_within(waters: Waters, boundaries: Boundaries) -> tuple[Waters, list[str]]:
    """The rivers and lakes that reach into ``boundaries`` (after :func:`limit_to_county`),
    and the rivers they flow into, downstream to the mouth, that lie outside: these are
    kept too (their geometry tells which way the rivers inside flow), and listed.

    Examples
    --------
    >>> import hzgeo
    >>> boundaries, waters = hzgeo.datasets.guigang()
    >>> mine, downstream = waters_within(waters, limit_to_county(boundaries, "港北区"))
    >>> sorted(mine.rivers["river_code"]), downstream, len(mine.lakes)
    (['R02', 'R03', 'R04', 'R11', 'R20'], ['R02'], 2)
    """
    top = next(iter(boundaries.levels.values()))
    rivers, lakes = waters.rivers, waters.lakes
    area = top.to_crs(rivers.crs).geometry.union_all() if len(rivers) else None
    inside = set(rivers.loc[rivers.geometry.intersects(area), "river_code"]) if len(
        rivers) else set()
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
