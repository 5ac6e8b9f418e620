"""Distribution maps (分布示意图): the interactive HTML map and the print sheets.

- :func:`explore`: a folium map that draws with no network (:mod:`hzgeo.maps.html`);
- :func:`plot_sheet`: an A4/A3 matplotlib figure for print (:mod:`hzgeo.maps.sheet`), and
  :func:`chief_pages`, the pages listing every chief of a river;
- :func:`write_map`, :func:`write_maps`: either one written to a file, atomically
  (:mod:`hzgeo.maps.write`);
- :func:`unit_colours`: neighbour-aware colours (:mod:`hzgeo.maps.colors`).
"""

from __future__ import annotations

from hzgeo.maps.colors import unit_adjacency, unit_colours
from hzgeo.maps.html import explore
from hzgeo.maps.sheet import chief_pages, plot_sheet
from hzgeo.maps.write import write_map, write_maps

__all__ = ["chief_pages", "explore", "plot_sheet", "unit_adjacency", "unit_colours",
           "write_map", "write_maps"]
