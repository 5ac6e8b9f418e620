"""One model of the unit hierarchy: which unit lies in which, by ``parent_code``.

The nesting is the one the user's ``parent_code`` gives (or that
:func:`hzgeo.read_boundaries` derives from the statistical codes when a file has none),
never the codes' prefixes: a village ``450802100001`` whose ``parent_code`` is
``450803200`` lies in township ``450803200`` and in that township's county, whatever its
first nine digits say. Segmentation, chiefs and every output ask this model.

Examples
--------
>>> import geopandas as gpd, shapely
>>> from hzgeo.model import Boundaries
>>> def layer(codes, names, parents):
...     return gpd.GeoDataFrame({"code": codes, "name": names, "parent_code": parents},
...                             geometry=[shapely.box(0, 0, 1, 1)] * len(codes),
...                             crs="EPSG:4490")
>>> units = Hierarchy.from_boundaries(Boundaries({
...     "county": layer(["450802", "450803"], ["港北区", "港南区"], ["450800"] * 2),
...     "township": layer(["450803200"], ["乙镇"], ["450803"]),
...     "village": layer(["450802100001"], ["一村"], ["450803200"])}))
>>> units.township_of("450802100001"), units.county_of("450802100001")
('450803200', '450803')
>>> units.name_of(units.county_of("450802100001"))
'港南区'
>>> units.ancestors("450802100001"), units.children("450803")
(['450803200', '450803'], ['450803200'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hzgeo.settings import LEVELS

if TYPE_CHECKING:  # (hzgeo.model imports this module)
    from hzgeo.model import Boundaries, Chiefs, Segmentation

__all__ = ["UNIT_COLUMNS", "Hierarchy"]

#: Columns of :meth:`Hierarchy.frame`.
UNIT_COLUMNS = ["code", "level", "name", "parent_code"]


def _text(values: Iterable) -> list[str]:
    # a column's values as a list first: iterating a pandas string array itself costs
    # a Python call per element
    items = values.tolist() if isinstance(values, pd.Series | np.ndarray) else list(values)
    return ["" if v is None or pd.isna(v) else str(v) for v in items]


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """Every unit's level, name and parent, by code.

    Build it with :meth:`from_boundaries` (the input) or :meth:`from_result` (the units a
    segmentation or assignment placed its reaches and zones in). Codes not in it have no
    level, no name and no parent: the lookups answer ``""``.

    Attributes
    ----------
    levels, names, parents : dict of str -> str
        Level (city, county, township, village), name and parent code of each unit.
    """

    levels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)

    # ---------------------------------------------------------------- building

    @classmethod
    def from_boundaries(cls, boundaries: Boundaries) -> Hierarchy:
        """The units of ``boundaries`` (levels top down; a code at two levels keeps the
        lower one)."""
        levels: dict[str, str] = {}
        names: dict[str, str] = {}
        parents: dict[str, str] = {}
        for level in LEVELS:
            if level not in boundaries.levels:
                continue
            frame = boundaries.levels[level]
            codes = _text(frame["code"])
            levels.update(dict.fromkeys(codes, level))
            names.update(zip(codes, _text(frame["name"]) if "name" in frame else codes,
                             strict=True))
            parent = (_text(frame["parent_code"]) if "parent_code" in frame
                      else [""] * len(codes))
            parents.update(zip(codes, parent, strict=True))
        return cls(levels, names, parents)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Hierarchy:
        """From a table with :data:`UNIT_COLUMNS` (what :meth:`frame` gives)."""
        codes = _text(frame["code"])
        return cls(dict(zip(codes, _text(frame["level"]), strict=True)),
                   dict(zip(codes, _text(frame["name"]), strict=True)),
                   dict(zip(codes, _text(frame["parent_code"]), strict=True)))

    @classmethod
    def from_result(cls, result: Segmentation | Chiefs) -> Hierarchy:
        """The units a result's reaches and zones lie in, with the parents segmentation
        gave them (a reach's ``parent_reach_code`` is a reach of the parent unit).

        Units without water are missing; prefer :attr:`hzgeo.Chiefs.units` (all units)."""
        levels: dict[str, str] = {}
        names: dict[str, str] = {}
        parents: dict[str, str] = {}
        for frames, key, up in ((result.reaches, "reach_code", "parent_reach_code"),
                                (result.zones, "zone_code", "parent_zone_code")):
            admin_of: dict[str, str] = {}
            links: list[tuple[str, str]] = []
            for level, frame in frames.items():
                if not len(frame):
                    continue
                codes = _text(frame["admin_code"])
                levels.update(dict.fromkeys(codes, level))
                names.update(zip(codes, _text(frame["admin_name"]), strict=True))
                admin_of.update(zip(_text(frame[key]), codes, strict=True))
                links += list(zip(codes, _text(frame[up]), strict=True))
            for code, parent in links:
                if parent in admin_of:
                    parents[code] = admin_of[parent]
                else:
                    parents.setdefault(code, "")
        return cls(levels, names, parents)

    def frame(self) -> pd.DataFrame:
        """The units as a table (:data:`UNIT_COLUMNS`), top level first, then by code."""
        order = {level: i for i, level in enumerate(LEVELS)}
        codes = sorted(self.levels, key=lambda c: (order.get(self.levels[c], 9), c))
        return pd.DataFrame({"code": codes, "level": [self.levels[c] for c in codes],
                             "name": [self.names.get(c, "") for c in codes],
                             "parent_code": [self.parents.get(c, "") for c in codes]},
                            columns=UNIT_COLUMNS)

    def __len__(self) -> int:
        return len(self.levels)

    def __contains__(self, code: object) -> bool:
        return code in self.levels

    # ---------------------------------------------------------------- lookups

    def level_of(self, code: str) -> str:
        """The unit's level (``""`` if unknown)."""
        return self.levels.get(str(code), "")

    def name_of(self, code: str, default: str | None = None) -> str:
        """The unit's name; ``default`` (else ``""``) if unknown."""
        code = str(code)
        return self.names.get(code, "" if default is None else default)

    def parent_of(self, code: str) -> str:
        """The parent unit's code as ``parent_code`` gives it (``""`` if none)."""
        return self.parents.get(str(code), "")

    def ancestors(self, code: str) -> list[str]:
        """Codes of the units above ``code``, nearest first (parents the model does not
        know end the chain)."""
        out: list[str] = []
        code = self.parent_of(code)
        while code and code in self.levels and code not in out:
            out.append(code)
            code = self.parent_of(code)
        return out

    def ancestor(self, code: str, level: str) -> str:
        """The unit at ``level`` that contains ``code`` (``code`` itself if it is at
        ``level``; ``""`` if there is none)."""
        code = str(code)
        if self.level_of(code) == level:
            return code
        return next((c for c in self.ancestors(code) if self.levels[c] == level), "")

    def county_of(self, code: str) -> str:
        """The county that contains ``code`` (itself for a county; ``""`` if none)."""
        return self.ancestor(code, "county")

    def township_of(self, code: str) -> str:
        """The township that contains ``code`` (itself for a township; ``""`` if none)."""
        return self.ancestor(code, "township")

    def children(self, code: str) -> list[str]:
        """Codes of the units whose parent is ``code``, sorted."""
        code = str(code)
        return sorted(c for c, p in self.parents.items() if p == code and c in self.levels)

    def descendants(self, code: str) -> list[str]:
        """Codes of every unit below ``code`` (children, their children ...), sorted."""
        below = self._below()
        out, todo = set(), [str(code)]
        while todo:
            for child in below.get(todo.pop(), ()):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return sorted(out)

    def _below(self) -> dict[str, list[str]]:
        below: dict[str, list[str]] = {}
        for child, parent in self.parents.items():
            if child in self.levels:
                below.setdefault(parent, []).append(child)
        return below

    def within(self, codes: Iterable, ancestor: str) -> np.ndarray:
        """Per code: is it ``ancestor`` or a unit below it? (For filtering frames.)"""
        inside = {str(ancestor), *self.descendants(ancestor)}
        return np.array([str(c) in inside for c in codes], dtype=bool)

    def counties_of(self, codes: Iterable) -> list[str]:
        """:meth:`county_of` of each code."""
        return [self.county_of(c) for c in codes]

    def townships_of(self, codes: Iterable) -> list[str]:
        """:meth:`township_of` of each code."""
        return [self.township_of(c) for c in codes]

    def names_by_code(self) -> Mapping[str, str]:
        """Every unit's name by code."""
        return dict(self.names)
