"""Refuse data that loads but that segmentation cannot work with.

:func:`validate_boundaries` and :func:`validate_waters` raise one
:class:`~hzgeo.errors.DataQualityError` listing every defect, by level and code, or
return ``None``. They are the gate of every command that computes reaches.
"""

from __future__ import annotations

import itertools

import numpy as np
import shapely

from hzgeo.errors import DataQualityError
from hzgeo.io import Boundaries, Waters
from hzgeo.settings import LEVELS

__all__ = ["validate_boundaries", "validate_waters"]

_FIX_HINT = ("repair the geometry (e.g. shapely.make_valid or your GIS's repair tool) and "
             "make each level tile its parent; the coverage audit lists every defect")


def _listing(codes) -> str:
    codes = [str(c) for c in codes]
    return ", ".join(codes[:10]) + (f" and {len(codes) - 10} more" if len(codes) > 10 else "")


def validate_boundaries(boundaries: Boundaries, *, coverage: bool = True) -> None:
    """Raise if a level has invalid polygons, units that do not nest, or gaps/overlaps.

    Parameters
    ----------
    boundaries : Boundaries
    coverage : bool, default True
        Also check that each level is a valid coverage (no overlaps, neighbours share
        edges), with ``shapely.coverage_is_valid``.

    Examples
    --------
    >>> from hzgeo.io import read_boundaries
    >>> validate_boundaries(read_boundaries()) is None
    True
    """
    problems = []
    present = [level for level in LEVELS if level in boundaries]
    for level in present:
        frame = boundaries[level]
        invalid = ~shapely.is_valid(frame.geometry.values)
        if invalid.any():
            reasons = shapely.is_valid_reason(frame.geometry.values[invalid])
            problems.append(f"{level}: invalid geometry: " + _listing(
                f"{c} ({r})" for c, r in zip(frame["code"][invalid], reasons, strict=True)))
        elif coverage and len(frame) > 1 and not shapely.coverage_is_valid(frame.geometry.values):
            edges = shapely.coverage_invalid_edges(frame.geometry.values)
            bad = frame["code"][~shapely.is_empty(edges)]
            problems.append(f"{level}: units overlap or do not share their common edges: "
                            + _listing(bad))
    for parent, child in itertools.pairwise(present):
        known = set(boundaries[parent]["code"])
        orphan = boundaries[child]["code"][~boundaries[child]["parent_code"].isin(known)]
        if len(orphan):
            problems.append(f"{child}: parent_code not a {parent}: " + _listing(orphan))
    if problems:
        raise DataQualityError("the boundaries have defects that segmentation cannot work "
                               "around:\n- " + "\n- ".join(problems), hint=_FIX_HINT)


def validate_waters(waters: Waters) -> None:
    """Raise if a river has fewer than two distinct points or a lake polygon is invalid.

    Examples
    --------
    >>> from hzgeo.io import read_waters
    >>> validate_waters(read_waters()) is None
    True
    """
    problems = []
    rivers = waters.rivers
    lengths = shapely.length(rivers.geometry.values)
    short = rivers["river_code"][~(lengths > 0)]
    if len(short):
        problems.append("rivers of zero length: " + _listing(short))
    unknown = rivers["flows_into"][(rivers["flows_into"] != "")
                                   & ~rivers["flows_into"].isin(rivers["river_code"])]
    if len(unknown):
        problems.append("flows_into names no river_code: " + _listing(np.unique(unknown)))
    lakes = waters.lakes
    if len(lakes):
        invalid = ~shapely.is_valid(lakes.geometry.values)
        if invalid.any():
            problems.append("lakes with invalid geometry: " + _listing(lakes["code"][invalid]))
    if problems:
        raise DataQualityError("the waters have defects:\n- " + "\n- ".join(problems),
                               hint=_FIX_HINT)
