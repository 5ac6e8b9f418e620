"""Cross-boundary monitoring sections (跨界断面): where a river passes between units.

A river's reaches at one level, in chainage order, give the places where it passes from
one unit to the next (``crossing``), where a 界河 starts and ends (``boundary_start``,
``boundary_end``; ``boundary_change`` where one 界河 hands over to another at a
tripoint), and where it enters and leaves the area (``entry``, ``exit``: the city, or the
county a run is limited to). Each section gets a name (郁江港北区—桂平市交界断面) and
the fields monitoring needs from the rules' ``[sections]`` table (control level, target
water-quality class, responsible unit, frequency), empty where the rules are silent.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely
import shapely.ops

from hzgeo.field._common import first_point, last_point, point_frame, tolerance, work_crs
from hzgeo.model import Boundaries, Chiefs, Segmentation, Waters
from hzgeo.settings import BOUNDARY_TOLERANCE_M

if TYPE_CHECKING:
    from hzgeo.chiefs.rules import Rules

__all__ = ["MONITORING_KEYS", "SECTION_COLUMNS", "cross_sections"]

#: The monitoring fields a section takes from the rules (``[sections]``).
MONITORING_KEYS = ("control_level", "target_class", "unit", "frequency")
SECTION_COLUMNS = ["section_code", "section_name", "river_code", "river_name", "main",
                   "level", "kind", "upstream_code", "upstream_name", "downstream_code",
                   "downstream_name", "at_km", *MONITORING_KEYS, "lon", "lat", "x", "y",
                   "xy_crs", "note", "synthetic"]
_SAME_SPOT_M = 1.0  # two sections of one river this close are one place


class _Stretch:
    """A chainage interval of a river and the unit(s) answering for it (two on a 界河)."""

    __slots__ = ("codes", "from_km", "geom", "names", "synthetic", "to_km")

    def __init__(self, codes, names, from_km, to_km, geom, synthetic):
        self.codes, self.names = codes, names
        self.from_km, self.to_km, self.geom, self.synthetic = from_km, to_km, geom, synthetic

    @property
    def single(self) -> bool:
        return len(self.codes) == 1


def _stretches(group: pd.DataFrame) -> list[_Stretch]:
    out: list[_Stretch] = []
    keyed = group.assign(_f=group["from_km"].round(6), _t=group["to_km"].round(6))
    for (_, _), rows in keyed.groupby(["_f", "_t"], sort=True):
        rows = rows.sort_values("admin_code")
        out.append(_Stretch(tuple(rows["admin_code"]), tuple(rows["admin_name"]),
                            float(rows["from_km"].iloc[0]), float(rows["to_km"].iloc[0]),
                            rows.geometry.iloc[0], bool(rows["synthetic"].any())))
    out.sort(key=lambda s: (s.from_km, s.to_km))
    return out


def _contiguous(a: _Stretch, b: _Stretch, tol: float) -> bool:
    """The river goes on from ``a`` into ``b`` (it does not leave the area in between)."""
    return abs(a.to_km - b.from_km) < 1e-6 and shapely.distance(
        last_point(a.geom), first_point(b.geom)) <= max(tol, 1.0)


def _merge_wiggles(stretches: list[_Stretch], border, tol: float) -> tuple[list[_Stretch], dict]:
    """Merge X, Y, X where the Y stretch stays within ``tol`` of the X|Y border.

    Returns the stretches and, per index of a merged stretch, how many crossings it hides.
    """
    items = list(stretches)
    counts = [0] * len(items)
    i = 0
    while i + 2 < len(items):
        a, b, c = items[i], items[i + 1], items[i + 2]
        if (a.single and b.single and c.single and a.codes == c.codes and a.codes != b.codes
                and _contiguous(a, b, tol) and _contiguous(b, c, tol)):
            line = border(a.codes[0], b.codes[0])
            if line is not None and b.geom.difference(line.buffer(tol)).length <= 1.0:
                merged = _Stretch(a.codes, a.names, a.from_km, c.to_km,
                                  shapely.line_merge(shapely.union_all([a.geom, b.geom, c.geom])),
                                  a.synthetic or b.synthetic or c.synthetic)
                items[i:i + 3] = [merged]
                counts[i:i + 3] = [counts[i] + counts[i + 2] + 2]
                i = max(i - 2, 0)
                continue
        i += 1
    return items, {k: n for k, n in enumerate(counts) if n}


def _area(boundaries: Boundaries | None, level: str, crs, rules):
    """(outline polygon of the area in ``crs``, its name) or (None, "")."""
    if boundaries is None:
        return None, ""
    outline = boundaries.outline
    if "city" in boundaries and outline == "市界":
        frame = boundaries["city"]
    else:
        frame = boundaries["county" if "county" in boundaries else level]
    geom = shapely.union_all(frame.to_crs(crs).geometry.values)
    if outline != "市界":
        return geom, outline.removesuffix("界")
    city = rules["city"] if rules is not None and "city" in rules.data else ""
    if "city" in boundaries:
        name = str(boundaries["city"]["name"].iloc[0])
        city = city if name.isdigit() or not name else name
    return geom, city or "市"


def _on_outline(point, outline, tol: float) -> bool:
    """Whether a run of the river starts or ends on the area's outline (within ``tol``):
    the river enters or leaves the area there (a river cut at the city border, or going
    on beyond it)."""
    return outline is not None and shapely.distance(point, outline) <= max(tol, 1.0)


def _hugs_outline(line, q, p, outline, tol: float) -> bool:
    """Whether ``line`` (the river) between ``q`` (where one run of reaches ends on the
    outline) and ``p`` (where the next starts) stays within ``tol`` of the outline: the
    river runs along the border there and does not really leave the area."""
    if line is None or outline is None:
        return False
    parts = shapely.get_parts(shapely.line_merge(line))
    part = min(parts, key=lambda g: shapely.distance(g, q) + shapely.distance(g, p))
    a, b = shapely.line_locate_point(part, q), shapely.line_locate_point(part, p)
    gap = shapely.ops.substring(part, min(a, b), max(a, b))
    if gap.length == 0:
        return True
    local = shapely.intersection(outline, gap.envelope.buffer(2.0 * tol))
    return shapely.difference(gap, local.buffer(tol)).length <= 1.0


def _name(river: str, kind: str, up: tuple, down: tuple, area: str) -> str:
    if kind == "entry":
        return f"{river}{area}入境断面"
    if kind == "exit":
        return f"{river}{area}出境断面"
    if kind == "boundary_start":
        return f"{river}{'、'.join(down)}界河起点断面"
    if kind == "boundary_end":
        return f"{river}{'、'.join(up)}界河终点断面"
    if kind == "boundary_change":
        return f"{river}{'、'.join(sorted(set(up) | set(down)))}交界断面"
    return f"{river}{'、'.join(up)}—{'、'.join(down)}交界断面"


def _monitoring(rules: Rules | None, code: str, name: str, river: str) -> dict[str, str]:
    """The monitoring fields of one section: the rules' ``[sections]`` defaults, then its
    river's (``[sections.rivers.<code>]``), then its own (``[sections.sites.<code or
    name>]``); empty where the rules are silent."""
    table = rules.data.get("sections", {}) if rules is not None else {}
    out = {k: str(table.get(k, "")) for k in MONITORING_KEYS}
    for over in (table.get("rivers", {}).get(river, {}), table.get("sites", {}).get(code, {}),
                 table.get("sites", {}).get(name, {})):
        out |= {k: str(v) for k, v in over.items() if k in MONITORING_KEYS}
    return out


def _dedupe(rows: list[dict], points: list) -> tuple[list[dict], list]:
    """One row per place: consecutive sections of one river at the same spot (a 界河
    ending where the next begins, at a tripoint) become one."""
    out_rows: list[dict] = []
    out_points: list = []
    for row, point in zip(rows, points, strict=True):
        last = out_rows[-1] if out_rows else None
        if (last is not None and last["river_code"] == row["river_code"]
                and shapely.distance(out_points[-1], point) <= _SAME_SPOT_M):
            kinds = {last["kind"], row["kind"]}
            last["kind"] = ("boundary_change" if kinds == {"boundary_end", "boundary_start"}
                            else last["kind"])
            last["_down"] = row["_down"]
            last |= {"downstream_code": row["downstream_code"],
                     "downstream_name": row["downstream_name"],
                     "note": "；".join(dict.fromkeys([last["note"], row["note"]])),
                     "synthetic": last["synthetic"] or row["synthetic"]}
            continue
        out_rows.append(dict(row))
        out_points.append(point)
    return out_rows, out_points


def cross_sections(result: Segmentation | Chiefs, *, level: str = "county", rivers=None,
                   boundaries: Boundaries | None = None, waters: Waters | None = None,
                   rules: Rules | None = None) -> gpd.GeoDataFrame:
    """Cross-boundary monitoring sections (跨界断面): where a river passes between units.

    Walks each river's reaches at ``level`` in chainage order. Where the unit changes, the
    river crosses a border: a ``crossing`` at the first point of the downstream reach.
    Where a 界河 (shared boundary reach) starts or ends, a ``boundary_start`` or
    ``boundary_end``; where one 界河 ends at the point where the next begins (a tripoint),
    one ``boundary_change`` there (one row per place: sections of one river within 1 m
    are one). Where the river enters or leaves the area (the city, or the county the
    boundaries are limited to: where a run of its reaches starts or ends on the area's
    outline, within the river's accuracy), an ``entry`` or ``exit`` (needs
    ``boundaries``), also where it leaves and comes back; where the river between such
    an exit and entry stays within its accuracy of the outline (it runs along the
    border), it does not leave. A coarse line that goes X → Y → X
    with the Y stretch lying wholly within the river's accuracy (``accuracy_m``, else the
    segmentation's tolerance) of the X|Y border is taken as staying in X: back-and-forth
    wiggles count once (the ``note`` says how many crossings were merged).

    Of a county run (``result`` with an :attr:`~hzgeo.Segmentation.around`,
    ``boundaries`` limited to the county): the whole city's sections where one of the
    county's units is upstream or downstream, with the whole city's codes and names
    (the county across named, entry and exit where the river enters or leaves the city).

    Parameters
    ----------
    result : Segmentation
        From :func:`hzgeo.segment_waters` (or a :class:`hzgeo.Chiefs`: its reaches).
    level : {"county", "township"}
        Borders between counties, or between townships (county borders included).
    rivers : list of str, optional
        River codes to keep (default all).
    boundaries : Boundaries, optional
        The units (for the wiggle test against the border line, and the area's outline
        for entry and exit); without them wiggles are not merged and there is no entry
        or exit.
    waters : Waters, optional
        For each river's ``accuracy_m``.
    rules : Rules, optional
        The ``[sections]`` table gives the monitoring fields. Default: the bundled rules.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SECTION_COLUMNS` (EPSG:4490 points); upstream/downstream codes and
        names are comma / 、-joined pairs on a 界河, the name of the area's outside
        (贵港市外) at an entry or exit. Main rivers first, then by river code and chainage.

    Examples
    --------
    >>> from hzgeo import datasets, segment_waters
    >>> boundaries, waters = datasets.guigang()
    >>> result = segment_waters(boundaries, waters)
    >>> sections = cross_sections(result, boundaries=boundaries, waters=waters)
    >>> crossing = sections[sections["main"] & (sections["kind"] == "crossing")]
    >>> crossing[["section_name", "at_km"]].values.tolist()
    [['郁江港北区—桂平市交界断面', 93.379], ['武思江港南区—桂平市交界断面', 26.299]]
    """
    if level not in ("county", "township"):
        raise ValueError(f"`level` was {level!r} but is expected to be in "
                         "('county', 'township')")
    if rules is None:
        from hzgeo.chiefs.rules import default_rules

        rules = default_rules(boundaries)  # Guigang's for the sample, else national
    whole = getattr(result, "around", None)  # (a Chiefs has none)
    if whole is not None and boundaries is not None and boundaries.around is not None:
        return _of_county(whole, level, rivers, boundaries, waters, rules)
    crs = work_crs(result)
    reaches = result.reaches[level].to_crs(crs)
    if rivers is not None:
        reaches = reaches[reaches["river_code"].isin(list(rivers))]
    tol_of = tolerance(waters.rivers, result) if waters is not None else {}
    area, area_name = _area(boundaries, level, crs, rules)
    lines = {}
    if waters is not None:
        lines = dict(zip(waters.rivers["river_code"],
                         waters.rivers.to_crs(crs).geometry.values, strict=True))
    outline = area.boundary if area is not None else None
    polygons = {}
    if boundaries is not None and level in boundaries:
        units = boundaries[level].to_crs(crs)
        polygons = dict(zip(units["code"], units.geometry.boundary, strict=True))
    borders: dict = {}

    def border(a: str, b: str):
        key = tuple(sorted((a, b)))
        if key not in borders:
            line = (shapely.intersection(polygons[a], polygons[b])
                    if a in polygons and b in polygons else None)
            borders[key] = None if line is None or line.is_empty else line
        return borders[key]

    rows, points = [], []
    outside = ("", f"{area_name}外")
    for river, group in reaches.groupby("river_code", sort=True):
        tol = tol_of.get(river, BOUNDARY_TOLERANCE_M)
        stretches, hidden = _merge_wiggles(_stretches(group), border, tol)
        base = {"river_code": river, "river_name": group["river_name"].iloc[0],
                "main": bool(group["main"].iloc[0]), "level": level}
        found = []  # (kind, upstream (codes, names), downstream, km, point, note, synthetic)
        going_on = [_contiguous(a, b, tol) or (
            _on_outline(last_point(a.geom), outline, tol)
            and _on_outline(first_point(b.geom), outline, tol)
            and _hugs_outline(lines.get(river), last_point(a.geom), first_point(b.geom),
                              outline, tol)) for a, b in itertools.pairwise(stretches)]
        for k, s in enumerate(stretches):
            unit = (",".join(s.codes), "、".join(s.names))
            starts = k == 0 or not going_on[k - 1]
            ends = k == len(stretches) - 1 or not going_on[k]
            start, end = first_point(s.geom), last_point(s.geom)
            if starts and _on_outline(start, outline, tol):
                found.append(("entry", outside, unit, (), s.names, s.from_km, start,
                              f"{area_name}界，{base['river_name']}入境处", s.synthetic))
            if not ends:
                b = stretches[k + 1]
                if s.codes != b.codes:
                    found += _transition(s, b, hidden.get(k, 0) + hidden.get(k + 1, 0), tol)
            elif _on_outline(end, outline, tol):
                found.append(("exit", unit, outside, s.names, (), s.to_km, end,
                              f"{area_name}界，{base['river_name']}出境处", s.synthetic))
        for kind, up, down, up_names, down_names, km, point, note, synthetic in found:
            rows.append(base | {"kind": kind, "upstream_code": up[0], "upstream_name": up[1],
                                "downstream_code": down[0], "downstream_name": down[1],
                                "at_km": round(km, 3), "note": note, "synthetic": synthetic,
                                "_up": up_names, "_down": down_names})
            points.append(point)
    rows, points = _dedupe(rows, points)
    order = sorted(range(len(rows)), key=lambda i: (not rows[i]["main"], rows[i]["river_code"],
                                                    rows[i]["at_km"]))
    rows = [rows[i] for i in order]
    points = [points[i] for i in order]
    count: dict[str, int] = {}
    names: dict[str, int] = {}
    tag = {"county": "C", "township": "T"}[level]
    for row in rows:
        count[row["river_code"]] = count.get(row["river_code"], 0) + 1
        row["section_code"] = f"S{tag}-{row['river_code']}-{count[row['river_code']]:02d}"
        name = _name(row["river_name"], row["kind"], row.pop("_up"), row.pop("_down"),
                     area_name)
        names[name] = names.get(name, 0) + 1
        row["section_name"] = name if names[name] == 1 else f"{name}（{names[name]}）"
        row |= _monitoring(rules, row["section_code"], row["section_name"], row["river_code"])
    return point_frame(rows, SECTION_COLUMNS, points, crs)


def _of_county(whole: Segmentation, level: str, rivers, boundaries: Boundaries,
               waters: Waters | None, rules) -> gpd.GeoDataFrame:
    """The sections of a county run: those of the whole city's cut of its rivers
    (``whole``, its segmentation's :attr:`~hzgeo.Segmentation.around`, with the units it
    was cut from) where one of the county's units is upstream or downstream. So they
    are the whole city's sections, with its codes and names: the county across named,
    entry and exit only where the river enters or leaves the city."""
    every = cross_sections(whole, level=level, rivers=rivers, boundaries=boundaries.around,
                           waters=waters, rules=rules)
    mine = {str(c) for frame in boundaries.levels.values() for c in frame["code"]}
    touches = [bool(mine & {*str(u).split(","), *str(d).split(",")})
               for u, d in zip(every["upstream_code"], every["downstream_code"], strict=True)]
    return every[touches].reset_index(drop=True)


def _transition(a: _Stretch, b: _Stretch, merged: int, tol: float) -> list[tuple]:
    """The section(s) where stretch ``a`` hands the river to ``b``."""
    up, down = (",".join(a.codes), "、".join(a.names)), (",".join(b.codes), "、".join(b.names))
    kinds = ["crossing"] if a.single and b.single else (
        (["boundary_end"] if not a.single else []) + (["boundary_start"] if not b.single else []))
    out = []
    for kind in kinds:
        if kind == "crossing":
            note = f"{a.names[0]}与{b.names[0]}交界处（{a.names[0]}→{b.names[0]}）"
        elif kind == "boundary_end":
            note = "与".join(a.names) + "界河段终点"
        else:
            note = "与".join(b.names) + "界河段起点"
        if merged:
            note += f"（{merged} 处往返穿越在 {tol:g} 米精度内，合并计为一处）"
        out.append((kind, up, down, a.names, b.names, b.from_km, first_point(b.geom), note,
                    a.synthetic or b.synthetic))
    return out
