"""hzgeo: the river chief system (河长制) as a GIS workflow.

Read boundaries and waters, validate them, segment rivers into nested county, township
and village reaches, and write the results.

Examples
--------
>>> import hzgeo
>>> boundaries, waters = hzgeo.datasets.guigang()
>>> hzgeo.validate_boundaries(boundaries)
>>> hzgeo.find_defects(boundaries, waters).empty
True
>>> result = hzgeo.segment_waters(boundaries, waters)
>>> sorted(result.reaches)
['county', 'township', 'village']
"""

from __future__ import annotations

from hzgeo import datasets
from hzgeo._version import __version__
from hzgeo.audit import AuditReport, audit
from hzgeo.chiefs import Chiefs, Rules, assign_chiefs, init_rules, read_officials, read_rules
from hzgeo.errors import (
    CRSError,
    DataQualityError,
    HzgeoError,
    HzgeoWarning,
    InputError,
    InputTypeError,
    SliverWarning,
    ValidationError,
)
from hzgeo.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from hzgeo.io import Boundaries, Waters, read_boundaries, read_seats, read_waters
from hzgeo.output import write_layers
from hzgeo.repair import repair_boundaries
from hzgeo.segment import Segmentation, segment_waters
from hzgeo.validate import find_defects, validate_boundaries, validate_waters

#: Public names whose modules import heavy libraries (folium, matplotlib, openpyxl): loaded
#: on first use, so that ``import hzgeo`` and the command line start fast.
_LAZY = {
    "directory_tables": "hzgeo.directory",
    "write_directory": "hzgeo.directory",
    "explore": "hzgeo.maps",
    "plot_sheet": "hzgeo.maps",
    "write_map": "hzgeo.maps",
    "write_maps": "hzgeo.maps",
    "cross_sections": "hzgeo.field",
    "confluences": "hzgeo.field",
    "notice_boards": "hzgeo.field",
    "boards_to_reprint": "hzgeo.field",
    "short_reaches": "hzgeo.field",
    "write_field": "hzgeo.field",
    "write_boards_pdf": "hzgeo.maps.board",
    "PhaseOne": "hzgeo.pipeline",
    "run_phase_one": "hzgeo.pipeline",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hzgeo' has no attribute {name!r}")



__all__ = [*_LAZY,
    "AuditReport",
    "Boundaries",
    "CRSError",
    "Chiefs",
    "DataQualityError",
    "HzgeoError",
    "HzgeoWarning",
    "InputError",
    "InputTypeError",
    "Rules",
    "Segmentation",
    "SliverWarning",
    "ValidationError",
    "Waters",
    "__version__",
    "assign_chiefs",
    "audit",
    "datasets",
    "find_defects",
    "gcj02_to_wgs84",
    "init_rules",
    "read_boundaries",
    "read_officials",
    "read_rules",
    "read_seats",
    "read_waters",
    "repair_boundaries",
    "segment_waters",
    "validate_boundaries",
    "validate_waters",
    "wgs84_to_gcj02",
    "write_layers",
]
