"""The optional columns of rivers and lakes, completed with their defaults: now in
:mod:`hzgeo.columns` (with the names and values real data uses), re-exported here for
the modules that import them from this one (:mod:`hzgeo._checks`)."""

from __future__ import annotations

from hzgeo.columns import as_flag, complete_lake_columns, complete_river_columns

__all__ = ["as_flag", "complete_lake_columns", "complete_river_columns"]
