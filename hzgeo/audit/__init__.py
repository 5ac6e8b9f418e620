"""The duty audit: is every metre of water inside the city covered by exactly one unit
(and one chief) at each level, and where not, where and how much?

:func:`audit` gathers, in one table, the defects of the boundaries and waters
(:func:`hzgeo.validate.find_defects`), the water duty per level measured on the reaches
that segmentation would publish, and, when office holders are given, the chief duty
(:class:`hzgeo.chiefs.Chiefs`). ``hzgeo check`` prints its :meth:`AuditReport.text` and
writes its JSON and GeoPackage.

Kinds
-----
Every row of :attr:`AuditReport.defects` has one of these ``kind`` identifiers (stable:
scripts may rely on them). Information kinds (``information`` True) describe the result
and never make the audit fail; all others are defects (exit status 1).

======================  =========  ==========================================================
kind                    unit       meaning
======================  =========  ==========================================================
``invalid_geometry``    --         a polygon GEOS calls invalid (bow tie ...), at the point
                                   GEOS names; ``--fix`` makes it valid
``overlap``             m²         two units of one level share area (``--fix``: to the
                                   neighbour with the longest common border)
``gap``                 m²         part of a parent in none of its children: a missing unit
                                   or a hole; ``level`` is the level that has the hole,
                                   ``codes`` the parent. ``--fix`` closes gaps narrower than
                                   5 m
``outside_parent``      m²         part of a unit outside its parent (``--fix`` clips it)
``code_mismatch``       --         ``parent_code`` names no unit of the level above
``duplicate_code``      --         several features of one level share a code (read with
                                   ``keep_duplicates=True``); they are audited as one unit
``near_miss_edge``      m          neighbours whose common edge is not shared vertex for
                                   vertex (``--fix`` snaps it)
``zero_length_river``   --         a river with fewer than two distinct points
``unknown_flows_into``  --         ``flows_into`` names no river
``mouth_off_river``     m          a river's mouth farther from the river it flows into than
                                   its ``accuracy_m`` (else 20 m); measure: the distance
``uncovered_water``     m or m²    river length (lake area) inside the city in no reach
                                   (zone) of that level
``double_counted_water`` m or m²   river length (lake area) counted in two units of the
                                   level, other than a 界河 shared on purpose
``no_chief``            m or m²    a reach, zone or main river the rules give a chief, and
                                   nobody holds the post; measure: its length (area)
``vacant_total_chief``  --         a unit's 总河长 / 副总河长 post is vacant
``no_convenor``         --         a joint meeting (河长联席会议) without a convenor
``overloaded_chief``    --         one person holds more reaches than the stated limit
                                   (only when a limit is given); measure: reaches held
``sliver``              m          information: a reach shorter than the minimum length,
                                   merged into its neighbour
``boundary_reach``      m          information: a 界河 shared by the two banks on purpose
``outside_city``        m          information: river length outside the city
======================  =========  ==========================================================

Columns of the table (and fields of each JSON defect): ``kind``, ``level``, ``codes``,
``names`` (comma-joined in the table, lists in JSON), ``water_code``, ``water_name``,
``measure`` (in ``unit``: ``m`` or ``m2``; null where nothing is measured), ``unit``,
``lon``/``lat`` (WGS84 degrees of a point on the defect: ``representative_point``),
``detail``, ``fixable`` (``hzgeo check --fix`` would repair it), ``information``; the
geometry in EPSG:4490. Lengths and areas are geodesic (CGCS2000 ellipsoid).

How water duty is measured
--------------------------
Independently of segmentation, each river's length inside the city is measured as the
geodesic length of ``river ∩ city`` (the city layer, else the union of the top level).
When segmentation can run, at each level the reaches counted once (``primary``) are
summed: inside minus that sum is ``uncovered_water``, a negative difference is
``double_counted_water``; lakes likewise with their zones. Segmentation refuses some
defective data (overlapping villages where a river runs, codes that do not nest ...):
then the same measures come from the geometry (``river ∩ city`` minus the union of the
level's units, ``river ∩`` the overlaps of the level's units) and the summary says why
the reaches could not be measured.

In a run limited to one county (:func:`hzgeo.select.limit_to_county`) the county's
outline runs between units of the same city, and who holds the water lying on it was
decided with the county across (a 界河 on the border is shared, and may swing a few
metres over it; a stretch on the outline may belong to the neighbour alone): the county's
water is then the river inside it, at least a millimetre from its outline, together with
every stretch its county reaches cover (a 界河 in full). So a gap inside the county is
still ``uncovered_water``, county reaches on the same metre still
``double_counted_water``, and the water on the outline is the whole city's audit's.

Examples
--------
>>> import hzgeo
>>> report = hzgeo.audit(*hzgeo.datasets.guigang())
>>> report.ok
True
>>> sorted(report.coverage["level"])
['county', 'township', 'village']
"""

from __future__ import annotations

from hzgeo.audit.report import AuditReport
from hzgeo.audit.run import audit
from hzgeo.audit.table import (
    AUDIT_COLUMNS,
    DEFAULT_MIN_AREA_M2,
    DEFAULT_MIN_WIDTH_M,
    DEFECT_KINDS,
    INFORMATION_KINDS,
)

__all__ = [
    "AUDIT_COLUMNS",
    "DEFAULT_MIN_AREA_M2",
    "DEFAULT_MIN_WIDTH_M",
    "DEFECT_KINDS",
    "INFORMATION_KINDS",
    "AuditReport",
    "audit",
]
