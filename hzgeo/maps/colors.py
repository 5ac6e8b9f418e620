"""Colours for units such that neighbouring units never share one.

Units are coloured by a greedy graph colouring (DSATUR: the unit with the most differently
coloured neighbours first) of their adjacency: two units are neighbours when their polygons
touch or overlap anywhere, a corner included, so the rule holds for every pair a reader could
take for neighbours.

Examples
--------
>>> import geopandas, shapely
>>> units = geopandas.GeoDataFrame({"code": ["a", "b", "c"]}, crs="EPSG:4546",
...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(2, 0, 3, 1)])
>>> sorted(unit_adjacency(units))
[('a', 'b'), ('b', 'c')]
>>> colours = unit_colours(units)
>>> colours["a"] != colours["b"] and colours["b"] != colours["c"]
True
"""

from __future__ import annotations

import colorsys
import heapq

import geopandas as gpd

__all__ = ["PALETTE", "unit_adjacency", "unit_colours"]

#: Strong, distinguishable colours (ColorBrewer Set1/Dark2 family) without pure blue,
#: which the map keeps for water, and without pale yellow, which disappears on white.
PALETTE = ("#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
           "#7f7f00", "#1b5e20", "#b03060")


def unit_adjacency(units: gpd.GeoDataFrame, *, code: str = "code") -> set[tuple[str, str]]:
    """Pairs of unit codes whose polygons touch or overlap (each pair once, sorted)."""
    if not isinstance(units, gpd.GeoDataFrame):
        raise TypeError(f"'units' should be a GeoDataFrame, got {type(units)}")
    geoms = units.geometry.values
    left, right = units.sindex.query(geoms, predicate="intersects")
    codes = units[code].astype(str).to_numpy()
    pairs = set()
    for i, j in zip(left, right, strict=True):
        if i != j and codes[i] != codes[j]:
            a, b = sorted((codes[i], codes[j]))
            pairs.add((a, b))
    return pairs


def _extra_colour(k: int) -> str:
    """The k-th colour past the palette: golden-angle hues, mid saturation and value."""
    hue = (k * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.75, 0.7)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def colour_of(index: int) -> str:
    """The colour for colour class ``index`` (palette first, then generated hues)."""
    return PALETTE[index] if index < len(PALETTE) else _extra_colour(index - len(PALETTE))


def unit_colours(units: gpd.GeoDataFrame, *, code: str = "code") -> dict[str, str]:
    """A colour per unit code, different from every neighbour's (see :func:`unit_adjacency`).

    Deterministic: ties are broken by code, so the same units get the same colours. When
    there are no more units than palette colours, each gets its own (a legend of five
    counties reads best so); otherwise colours repeat, never between neighbours.
    """
    codes = sorted(set(units[code].astype(str)))
    if len(codes) <= len(PALETTE):
        return {c: PALETTE[i] for i, c in enumerate(codes)}
    neighbours: dict[str, set[str]] = {c: set() for c in codes}
    for a, b in unit_adjacency(units, code=code):
        neighbours[a].add(b)
        neighbours[b].add(a)
    rank = {c: i for i, c in enumerate(codes)}
    colour: dict[str, int] = {}
    seen: dict[str, set[int]] = {c: set() for c in codes}  # colours among a unit's neighbours
    # DSATUR with a lazy heap: most distinct neighbour colours, then most neighbours, then code
    heap = [(0, -len(neighbours[c]), rank[c], c) for c in codes]
    heapq.heapify(heap)
    while heap:
        sat, _, _, pick = heapq.heappop(heap)
        if pick in colour or -sat != len(seen[pick]):
            continue  # coloured already, or a stale entry
        k = 0
        while k in seen[pick]:
            k += 1
        colour[pick] = k
        for other in neighbours[pick]:
            if other not in colour and k not in seen[other]:
                seen[other].add(k)
                heapq.heappush(heap, (-len(seen[other]), -len(neighbours[other]),
                                      rank[other], other))
    return {c: colour_of(k) for c, k in colour.items()}
