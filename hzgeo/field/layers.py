"""The field points on the maps: GeoPackage layer names and folium layers."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

import geopandas as gpd

from hzgeo.field._common import labelled
from hzgeo.field.export import LAYER_NAMES

__all__ = ["add_field_layers", "field_layers"]


def field_layers(sections, confluences, boards) -> dict[str, gpd.GeoDataFrame]:
    """The three point layers by GeoPackage layer name (names contain ``section``,
    ``confluence`` and ``board``), for the segments GeoPackage of ``hzgeo run``."""
    frames = {"sections": sections, "confluences": confluences, "boards": boards}
    return {LAYER_NAMES[k]: v for k, v in frames.items() if v is not None}


def _popup(row: Mapping, columns: list[str]) -> str:
    cells = [f"<tr><th>{html.escape(header)}</th><td>{html.escape(value)}</td></tr>"
             for header, value in labelled(row, columns)]
    return '<table class="hz-popup">' + "".join(cells) + "</table>"


_MAP_STYLE = {  # key: (layer title, colour, radius, popup columns)
    "sections": ("跨界断面", "#d62728", 6,
                 ["section_code", "section_name", "kind", "upstream_name", "downstream_name",
                  "at_km", "control_level", "target_class", "unit", "frequency", "lon",
                  "lat", "note", "synthetic"]),
    "confluences": ("主要交汇处", "#1f77b4", 6,
                    ["confluence_code", "river_name", "into_name", "into_km", "county_name",
                     "township_name", "village_name", "lon", "lat", "synthetic"]),
    "boards": ("公示牌", "#2ca02c", 4,
               ["board_code", "water_name", "item_name", "start_desc", "end_desc",
                "length_km", "village_chiefs", "township_chiefs", "county_chiefs",
                "city_chief", "county_phone", "city_phone", "lon", "lat", "synthetic"]),
}


def _script_json(data) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` left as such."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _point_layer(name: str, points: list, style: dict, show: bool):
    """A folium layer of circle markers drawn by one small script (no jQuery, no icons)."""
    import folium
    from branca.element import Template

    class PointLayer(folium.FeatureGroup):
        points: str = "[]"
        style: str = "{}"
        _template = Template("""
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            {{ this.points }}.forEach(function (p) {
                L.circleMarker([p[0], p[1]], {{ this.style }})
                    .bindTooltip(p[2]).bindPopup(p[3], {maxWidth: 420})
                    .addTo({{ this.get_name() }});
            });
        {% endmacro %}
        """)

    layer = PointLayer(name=name, show=show)
    layer.points = _script_json(points)
    layer.style = _script_json(style)
    return layer


def add_field_layers(m, sections=None, confluences=None, boards=None, *,
                     show=("sections", "confluences"), control=True):
    """Add the field points to a folium map as toggleable layers.

    One layer per kind (跨界断面, 主要交汇处, 公示牌), points drawn as Leaflet circle markers
    by one small script per layer (no marker icons, no jQuery, nothing from a CDN: it works
    on the offline HTML map), tooltips and popups escaped with :func:`html.escape` and
    passed as script-safe JSON. ``show`` names the layers shown on opening (the boards,
    hundreds at city scale, are ticked on by the user). ``control`` adds a
    ``folium.LayerControl`` to switch them; pass False when the map has its own layer
    control (the layers, which this returns by key ``sections``, ``confluences``,
    ``boards``, are folium ``FeatureGroup`` objects).
    """
    import folium

    frames = {"boards": boards, "confluences": confluences, "sections": sections}  # bottom up
    groups = {}
    for key, frame in frames.items():
        if frame is None or not len(frame):
            continue
        title, colour, radius, columns = _MAP_STYLE[key]
        wgs = frame.to_crs("EPSG:4326")
        points = []
        for row, geom in zip(wgs.drop(columns="geometry").to_dict("records"),
                             wgs.geometry.values, strict=True):
            code = row.get("section_code") or row.get("confluence_code") or row.get(
                "board_code")
            name = row.get("section_name") or row.get("river_name") or row.get("water_name")
            label = f"{code} {name or ''}"
            points.append([round(geom.y, 7), round(geom.x, 7), html.escape(label.strip()),
                           _popup(row, columns)])
        style = {"radius": radius, "color": colour, "weight": 2, "fill": True,
                 "fillColor": colour, "fillOpacity": 0.8}
        group = _point_layer(f"{title}（{len(frame)}）", points, style, key in show)
        group.add_to(m)
        groups[key] = group
    if control and groups:
        folium.LayerControl(collapsed=False).add_to(m)
    return groups
