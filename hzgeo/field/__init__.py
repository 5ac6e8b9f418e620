"""Field outputs: cross-boundary sections (跨界断面), confluences (主要交汇处), boards (公示牌).

The plan asks to monitor water quantity and quality at cross-boundary sections and main
confluences, and to put public notice boards on the banks listing the chiefs. All three
are derived from the segmentation and the chiefs, one module each:

- :mod:`~hzgeo.field.sections`: :func:`cross_sections`, one point per place where a river
  passes from one county (or township) to the next, enters or leaves the area, or where a
  界河 starts, ends or changes partner; named, with the monitoring fields of the rules.
- :mod:`~hzgeo.field.confluences`: :func:`confluences`, every tributary's mouth on the
  river named by ``flows_into``, with the county, township and village it lies in.
- :mod:`~hzgeo.field.boards`: :func:`notice_boards` (sites and content, texts from the
  rules' ``[boards]``), :func:`short_reaches` (reaches without a board of their own),
  :func:`boards_to_reprint` (the boards a roster change makes out of date).
- :mod:`~hzgeo.field.export`: :func:`write_field` writes tables (XLSX, CSV) and points
  (GeoPackage, GeoJSON, KML); :func:`hzgeo.maps.board.write_boards_pdf` the printable
  boards; :func:`write_boards` makes the boards and the short reaches and writes both
  (``hzgeo boards``).
- :mod:`~hzgeo.field.layers`: :func:`field_layers` and :func:`add_field_layers` hand them
  to the main job and the HTML map.

Every point carries lon/lat (WGS84; CGCS2000 agrees to centimetres) and x/y in the
CGCS2000 3-degree Gauss-Krüger zone of the data (EPSG:4546 for Guigang).
"""

from __future__ import annotations

from hzgeo.field._boardtext import post_title
from hzgeo.field._common import FIELD_HEADERS, KIND_CN, LEVEL_CN, PLACEMENT_CN
from hzgeo.field.boards import (
    BOARD_COLUMNS,
    SHORT_COLUMNS,
    boards_to_reprint,
    notice_boards,
    short_reaches,
)
from hzgeo.field.confluences import CONFLUENCE_COLUMNS, confluences
from hzgeo.field.export import LAYER_NAMES, Boards, write_boards, write_field
from hzgeo.field.layers import add_field_layers, field_layers
from hzgeo.field.sections import MONITORING_KEYS, SECTION_COLUMNS, cross_sections

__all__ = ["BOARD_COLUMNS", "CONFLUENCE_COLUMNS", "FIELD_HEADERS", "KIND_CN", "LAYER_NAMES",
           "LEVEL_CN", "MONITORING_KEYS", "PLACEMENT_CN", "SECTION_COLUMNS", "SHORT_COLUMNS",
           "Boards", "add_field_layers", "boards_to_reprint", "confluences", "cross_sections",
           "field_layers", "notice_boards", "post_title", "short_reaches", "write_boards",
           "write_field"]
