"""Defaults shared by every module: the output CRS, levels and tolerances."""

from __future__ import annotations

#: CRS that outputs are written in: CGCS2000 geographic, as Chinese official data uses.
STORE_CRS = "EPSG:4490"

#: Administrative levels, top down.
LEVELS = ("city", "county", "township", "village")
#: Levels that have reaches (the city has one chief per main river, not per reach).
REACH_LEVELS = ("county", "township", "village")

#: Reaches shorter than this (geodesic metres) are slivers, merged into a neighbour.
MIN_REACH_M = 30.0
#: Distance within which a river counts as running along a border, when the river
#: carries no ``accuracy_m`` of its own.
BOUNDARY_TOLERANCE_M = 20.0
#: A stretch near a border is a boundary reach (界河) only if it is at least this many
#: times the tolerance long: a plain crossing is about 2 x tolerance inside the band.
BOUNDARY_MIN_FACTOR = 3.0
#: A stretch that enters that band on one side of the border and leaves it on the other
#: is a crossing, not a boundary reach, unless the river's course through it is shallower
#: than this angle to the border: i.e. unless it is at least 2 x tolerance / sin(angle)
#: long (5.8 x tolerance at 20 degrees; a crossing at 40 degrees stays 3.1 x tolerance
#: inside the band, which the 3 x rule alone would take for a 界河).
BOUNDARY_MAX_CROSSING_DEG = 20.0
#: Gaps and overlaps smaller than this (m², in the work CRS) are numerical noise, not
#: coverage defects: the union of the bundled townships differs from their county by
#: less than 1e-4 m².
COVERAGE_AREA_TOLERANCE_M2 = 1.0
#: ``--fix`` closes gaps between units narrower than this (m) and gives each overlap to
#: the neighbour with the longest common border (``shapely.coverage_clean``).
REPAIR_GAP_WIDTH_M = 5.0
#: ``hzgeo check``: gaps, overlaps and other area defects smaller than this (m²) are not
#: reported (below COVERAGE_AREA_TOLERANCE_M2 they are noise anyway).
AUDIT_MIN_AREA_M2 = 1.0
#: ``hzgeo check``: area defects narrower than this (m, the diameter of the largest circle
#: inside them), and uncovered or double-counted river stretches shorter than this, are
#: not reported.
AUDIT_MIN_WIDTH_M = 0.5
