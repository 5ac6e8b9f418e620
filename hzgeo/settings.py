"""Defaults shared by every module: CRSs, levels, tolerances, column names."""

from __future__ import annotations

#: Projected CRS for geometry work on Guigang: CGCS2000 / 3-degree Gauss-Kruger CM 111E.
WORK_CRS = "EPSG:4546"
#: CRS that outputs are written in: CGCS2000 geographic, as Chinese official data uses.
STORE_CRS = "EPSG:4490"

#: Administrative levels, top down.
LEVELS = ("city", "county", "township", "village")
#: Levels that have reaches (the city has one chief per main river, not per reach).
REACH_LEVELS = ("county", "township", "village")
#: Length of the statistical code at each level (GB/T 2260 + 统计用区划代码).
CODE_LENGTH = {"city": 4, "county": 6, "township": 9, "village": 12}
LEVEL_NAMES_ZH = {"city": "市", "county": "县", "township": "乡", "village": "村"}

#: Reaches shorter than this (geodesic metres) are slivers, merged into a neighbour.
MIN_REACH_M = 30.0
#: Distance within which a river counts as running along a border, when the river
#: carries no ``accuracy_m`` of its own.
BOUNDARY_TOLERANCE_M = 20.0
#: A stretch near a border is a boundary reach (界河) only if it is at least this many
#: times the tolerance long: a plain crossing is about 2 x tolerance inside the band.
BOUNDARY_MIN_FACTOR = 3.0

#: Columns every boundary layer carries after loading.
BOUNDARY_COLUMNS = ("code", "name", "parent_code")
#: Columns every river carries after loading.
RIVER_COLUMNS = ("river_code", "name")
#: Columns every lake/reservoir carries after loading.
LAKE_COLUMNS = ("code", "name")
