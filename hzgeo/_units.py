"""Codes, names and parents of every administrative unit, and lookups between levels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hzgeo.hierarchy import Hierarchy
from hzgeo.model import Boundaries

__all__ = ["UnitTable"]


class UnitTable:
    """Every unit's name, parent and synthetic flag; villages by their row index.

    Examples
    --------
    >>> from hzgeo.io import read_boundaries
    >>> units = UnitTable(read_boundaries())
    >>> units.ancestor("450802001003", "county"), units.name["450802"]
    ('450802', '港北区')
    """

    def __init__(self, boundaries: Boundaries):
        #: The hierarchy by ``parent_code`` (the one every output uses too).
        self.units = Hierarchy.from_boundaries(boundaries)
        self.name: dict[str, str] = self.units.names
        self.parent: dict[str, str] = self.units.parents
        self.level_of: dict[str, str] = self.units.levels
        self.synthetic: dict[str, bool] = {}
        for level in ("city", "county", "township", "village"):
            if level in boundaries:
                frame = boundaries[level]
                self.synthetic.update(zip(frame["code"].astype(str),
                                          frame["synthetic"].astype(bool).tolist(),
                                          strict=True))
        village = boundaries["village"]
        self.village_codes = village["code"].to_numpy(dtype=object)
        township = village["parent_code"].to_numpy(dtype=object)
        township = np.where([self.level_of.get(t) == "township" for t in township],
                            township, "")
        county = pd.Series(township).map(self.parent).fillna("").to_numpy(dtype=object)
        county = np.where([self.level_of.get(c) == "county" for c in county], county, "")
        self._at = {"village": self.village_codes, "township": township, "county": county}
        self._index: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def names_of(self, codes) -> np.ndarray:
        """Names of units by code (the code itself where the name is unknown)."""
        name = self.name
        return np.array([name.get(c, c) for c in codes], dtype=object)

    def synthetic_of(self, codes) -> np.ndarray:
        """Synthetic flags of units by code (False where unknown)."""
        synthetic = self.synthetic
        return np.array([synthetic.get(c, False) for c in codes], dtype=bool)

    def ancestor(self, code: str, level: str) -> str:
        """The unit at ``level`` that contains unit ``code`` (itself if at that level)."""
        return self.units.ancestor(code, level)

    def index(self, level: str) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, codes)``: ``keys[village]`` is the village's unit id at ``level``,
        ``codes[id]`` that unit's code. Ids follow the sorted codes."""
        if level not in self._index:
            keys, codes = pd.factorize(pd.Series(self._at[level]), sort=True)
            self._index[level] = (keys, np.asarray(codes, dtype=object))
        return self._index[level]

    def parents(self, level: str, up: str) -> np.ndarray:
        """Code of the ``up``-level unit of every unit id at ``level`` (see :meth:`index`)."""
        keys, codes = self.index(level)
        first = np.full(len(codes), -1)
        first[keys[::-1]] = np.arange(len(keys))[::-1]  # a village of each unit
        return self._at[up][first]

    def lineage(self, village: int) -> tuple[str, str, str]:
        """Codes of a village (by index), its township and its county."""
        return (self._at["village"][village], self._at["township"][village],
                self._at["county"][village])
