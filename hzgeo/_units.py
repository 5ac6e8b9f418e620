"""Codes, names and parents of every administrative unit, and lookups between levels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hzgeo.io import Boundaries

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
        self.name: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        self.synthetic: dict[str, bool] = {}
        self.level_of: dict[str, str] = {}
        for level in ("city", "county", "township", "village"):
            if level not in boundaries:
                continue
            frame = boundaries[level]
            self.level_of.update(dict.fromkeys(frame["code"], level))
            self.name.update(zip(frame["code"], frame["name"], strict=True))
            self.parent.update(zip(frame["code"], frame["parent_code"], strict=True))
            self.synthetic.update(zip(frame["code"], frame["synthetic"].astype(bool),
                                      strict=True))
        self.village_codes = np.asarray(boundaries["village"]["code"], dtype=object)
        self._at = {"village": self.village_codes}
        for level in ("township", "county"):
            self._at[level] = np.array([self.ancestor(c, level) for c in self.village_codes],
                                       dtype=object)

    def ancestor(self, code: str, level: str) -> str:
        """The unit at ``level`` that contains unit ``code`` (itself if at that level)."""
        steps = 0
        while code and self.level_of.get(code) != level and steps < 4:
            code = self.parent.get(code, "")
            steps += 1
        return code if self.level_of.get(code) == level else ""

    def level_keys(self, level: str) -> np.ndarray:
        """Integer id, per village, of its unit at ``level``."""
        return pd.factorize(pd.Series(self._at[level]), sort=True)[0]

    def lift(self, label: tuple, level: str) -> tuple:
        """A village-index label as unit codes at ``level`` (sorted; GAP/OUTSIDE kept)."""
        if label[0] < 0:
            return label
        at = self._at[level]
        if len(label) == 1:
            return (at[label[0]],)
        a, b = at[label[0]], at[label[1]]
        return (a,) if a == b else ((a, b) if a < b else (b, a))
