"""Field outputs: cross-boundary sections (跨界断面), confluences (主要交汇处), boards (公示牌).

The plan asks to monitor water quantity and quality at cross-boundary sections and main
confluences, and to put public notice boards on the banks listing the chiefs. All three
are derived from the segmentation and the chiefs:

- :func:`cross_sections`: one point per place where a river passes from one county (or
  township) to the next, from the reach table in chainage order; a coarse line that goes
  back and forth across a border inside its accuracy counts once; a 界河 gives the points
  where it starts and ends.
- :func:`confluences`: every tributary's mouth on the river named by ``flows_into``, with
  the county, township and village it lies in.
- :func:`notice_boards`: proposed board sites with the content provincial board rules ask
  for; :func:`boards_to_reprint` names the boards a roster change makes out of date.
- :func:`write_field` writes tables (XLSX, CSV) and points (GeoPackage, GeoJSON, KML),
  :func:`hzgeo.maps.board.write_boards_pdf` the printable boards; :func:`field_layers`
  and :func:`add_field_layers` hand them to the main job and the HTML map.

Every point carries lon/lat (WGS84; CGCS2000 agrees to centimetres) and x/y in the
CGCS2000 3-degree Gauss-Krüger zone of the data (EPSG:4546 for Guigang).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import shapely.ops

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import InputError
from hzgeo.io import Boundaries, Waters, work_crs_for
from hzgeo.labels import (
    FIELD_HEADERS,
    KIND_NAMES,
    LEVEL_NAMES,
    SCALE_NAMES,
    SITE_KIND_NAMES,
    VACANT,
)
from hzgeo.settings import BOUNDARY_TOLERANCE_M, STORE_CRS

__all__ = ["BOARD_TEXT", "FIELD_HEADERS", "add_field_layers", "boards_to_reprint",
           "confluences", "cross_sections", "field_layers", "notice_boards", "write_field"]

#: Default board texts, for rules files without a ``[boards]`` table (the bundled
#: ``guigang.toml`` carries the same texts there); pass ``texts={...}`` to
#: :func:`notice_boards` to replace any of them.
#: ``duties``: per level, from 《贵港市全面推行河长制工作方案》 二(四)1 (shortened);
#: ``targets``: the plan's goal (一(三)3); ``prohibited``: the back of the board, from the
#: 《中华人民共和国河道管理条例》 and the 水污染防治法; ``complaint_phone``: the national
#: government service hotline.
BOARD_TEXT: dict = {
    "duties": {
        "county": "所负责江河湖库管理保护的直接责任人：牵头抓好水资源管理、水域岸线管理保护、"
                  "水污染综合防治、水环境治理、水生态修复和执法监管，依法整治侵占河道、"
                  "超标排污、非法采砂等突出问题。",
        "township": "所负责江河湖库管理保护的直接责任人：组织做好本区域江河湖库管理保护，"
                    "开展宣传教育，做好水域岸线保洁，督导村河长履行职责，及时报告重大问题。",
        "village": "协助乡镇做好江河湖库管理保护：引导村民遵守村规民约，做好保洁、管护、巡查，"
                   "发现违法活动及时报告上一级河长。",
        "city": "组织协调、督促指导相应江河湖库管理保护，督导下级河长和有关部门履行职责。",
    },
    "targets": "水资源得到有效保护，水域岸线合理利用，水环境质量总体保持优良，"
               "水域面积总体保持稳定，实现“水清、岸绿、河畅、景美”。",
    "prohibited": [
        "禁止在河道管理范围内建设妨碍行洪的建筑物、构筑物",
        "禁止侵占河道、围垦湖库、填河占河",
        "禁止非法采砂、取土、淘金",
        "禁止向江河湖库倾倒垃圾、渣土、建筑垃圾和弃土弃渣",
        "禁止违法设置排污口和超标排放污水",
        "禁止在水体清洗装贮过油类或者有毒污染物的车辆、容器",
        "禁止电鱼、毒鱼、炸鱼",
        "禁止在饮用水水源保护区内从事污染水体的活动",
        "禁止损毁堤防、护岸、水文监测和其他水工程设施",
    ],
    "complaint_phone": "12345（政务服务便民热线）",
}

_CODE_COLUMNS = {"section_code", "confluence_code", "board_code", "river_code",
                 "upstream_code", "downstream_code", "into_code", "county_code",
                 "township_code", "village_code", "water_code", "item_code", "admin_codes",
                 "chief_keys"}
_KIND_NAME = SITE_KIND_NAMES
_WATER_KIND = KIND_NAMES
_SCALE = SCALE_NAMES
_VACANT = VACANT


# ----------------------------------------------------------------------------- helpers


def _tolerance(rivers: pd.DataFrame, result=None) -> dict[str, float]:
    """Each river's accuracy (m): ``accuracy_m``, else the segmentation's tolerance."""
    forced = (getattr(result, "settings", None) or {}).get("boundary_tolerance_m")
    acc = pd.to_numeric(rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                        errors="coerce").to_numpy(dtype=float)
    if forced is not None:
        acc = np.full(len(rivers), float(forced))
    acc = np.where(np.isfinite(acc) & (acc > 0), acc, BOUNDARY_TOLERANCE_M)
    return dict(zip(rivers["river_code"], acc.tolist(), strict=True))


def _work_crs(result):
    crs = (getattr(result, "settings", None) or {}).get("work_crs")
    if crs:
        return pyproj.CRS.from_user_input(crs)
    frame = next(f for f in result.reaches.values() if len(f))
    return work_crs_for(frame)


def _point_columns(points: np.ndarray, crs) -> dict[str, np.ndarray]:
    """lon/lat (WGS84) and x/y (``crs``) of shapely points given in ``crs``."""
    xy = shapely.get_coordinates(points) if len(points) else np.empty((0, 2))
    to_wgs = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1]) if len(xy) else (np.array([]),) * 2
    return {"lon": np.round(np.asarray(lon, float), 7), "lat": np.round(np.asarray(lat, float), 7),
            "x": np.round(xy[:, 0], 2), "y": np.round(xy[:, 1], 2)}


def _frame(rows: list[dict], columns: list[str], points: list, crs) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows, columns=[c for c in columns if c not in
                                        ("lon", "lat", "x", "y", "xy_crs")])
    geoms = np.asarray(points, dtype=object) if points else np.empty(0, dtype=object)
    coords = _point_columns(geoms, crs)
    for key, values in coords.items():
        table[key] = values
    table["xy_crs"] = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.to_string()
    frame = gpd.GeoDataFrame(table[columns], geometry=gpd.GeoSeries(geoms, crs=crs).values,
                             crs=crs)
    return frame.to_crs(STORE_CRS)


def _first_point(geom) -> shapely.Point:
    return shapely.Point(shapely.get_coordinates(geom)[0])


def _last_point(geom) -> shapely.Point:
    return shapely.Point(shapely.get_coordinates(geom)[-1])


# ----------------------------------------------------------------------------- sections

SECTION_COLUMNS = ["section_code", "river_code", "river_name", "main", "level", "kind",
                   "upstream_code", "upstream_name", "downstream_code", "downstream_name",
                   "at_km", "lon", "lat", "x", "y", "xy_crs", "note", "synthetic"]


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


def _merge_wiggles(stretches: list[_Stretch], border, tol: float) -> tuple[list[_Stretch], dict]:
    """Merge X, Y, X where the Y stretch stays within ``tol`` of the X|Y border.

    Returns the stretches and, per index of a merged stretch, how many crossings it hides.
    """
    hidden: dict[int, int] = {}
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
    hidden = {k: n for k, n in enumerate(counts) if n}
    return items, hidden


def _contiguous(a: _Stretch, b: _Stretch, tol: float) -> bool:
    """The river goes on from ``a`` into ``b`` (it does not leave the city in between)."""
    return abs(a.to_km - b.from_km) < 1e-6 and shapely.distance(
        _last_point(a.geom), _first_point(b.geom)) <= max(tol, 1.0)


def _label(codes, names) -> tuple[str, str]:
    return ",".join(codes), "、".join(names)


def cross_sections(result, *, level: str = "county", rivers=None,
                   boundaries: Boundaries | None = None,
                   waters: Waters | None = None) -> gpd.GeoDataFrame:
    """Cross-boundary monitoring sections (跨界断面): where a river passes between units.

    Walks each river's reaches at ``level`` in chainage order. Where the unit changes, the
    river crosses a border: a ``crossing`` at the first point of the downstream reach.
    Where a 界河 (shared boundary reach) starts or ends, a ``boundary_start`` or
    ``boundary_end`` (both at a tripoint where the 界河 changes partner). A coarse line
    that goes X → Y → X with the Y stretch lying wholly within the river's accuracy
    (``accuracy_m``, else the segmentation's tolerance) of the X|Y border is taken as
    staying in X: back-and-forth wiggles count once (the ``note`` says how many crossings
    were merged). A river that leaves the city and comes back gives no section there.

    Parameters
    ----------
    result : Segmentation
        From :func:`hzgeo.segment_waters` (or a :class:`hzgeo.Chiefs`: its reaches).
    level : {"county", "township"}
        Borders between counties, or between townships (county borders included).
    rivers : list of str, optional
        River codes to keep (default all).
    boundaries : Boundaries, optional
        The units (for the wiggle test against the border line); without them wiggles
        are not merged.
    waters : Waters, optional
        For each river's ``accuracy_m``; without them the default tolerance applies.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SECTION_COLUMNS` (EPSG:4490 points); upstream/downstream codes and
        names are comma / 、-joined pairs on a 界河. Main rivers first, then by river code
        and chainage.

    Examples
    --------
    >>> from hzgeo import datasets, segment_waters
    >>> boundaries, waters = datasets.guigang()
    >>> result = segment_waters(boundaries, waters)
    >>> sections = cross_sections(result, boundaries=boundaries, waters=waters)
    >>> crossing = sections[sections["main"] & (sections["kind"] == "crossing")]
    >>> crossing[["river_name", "upstream_name", "downstream_name", "at_km"]].values.tolist()
    [['郁江', '港北区', '桂平市', 93.379], ['武思江', '港南区', '桂平市', 26.299]]
    """
    if level not in ("county", "township"):
        raise ValueError(f"`level` was {level!r} but is expected to be in "
                         "('county', 'township')")
    crs = _work_crs(result)
    reaches = result.reaches[level].to_crs(crs)
    if rivers is not None:
        reaches = reaches[reaches["river_code"].isin(list(rivers))]
    tolerance = _tolerance(waters.rivers, result) if waters is not None else {}
    polygons = {}
    if boundaries is not None and level in boundaries:
        units = boundaries[level].to_crs(crs)
        polygons = dict(zip(units["code"], units.geometry.boundary, strict=True))
    borders: dict = {}

    def border(a: str, b: str):
        key = tuple(sorted((a, b)))
        if key not in borders:
            if a in polygons and b in polygons:
                line = shapely.intersection(polygons[a], polygons[b])
                borders[key] = None if line.is_empty else line
            else:
                borders[key] = None
        return borders[key]

    rows, points = [], []
    for river, group in reaches.groupby("river_code", sort=True):
        tol = tolerance.get(river, BOUNDARY_TOLERANCE_M)
        stretches, hidden = _merge_wiggles(_stretches(group), border, tol)
        base = {"river_code": river, "river_name": group["river_name"].iloc[0],
                "main": bool(group["main"].iloc[0]), "level": level}
        for k in range(len(stretches) - 1):
            a, b = stretches[k], stretches[k + 1]
            if a.codes == b.codes or not _contiguous(a, b, tol):
                continue
            kinds = []
            if a.single and b.single:
                kinds = ["crossing"]
            else:
                if not a.single:
                    kinds.append("boundary_end")
                if not b.single:
                    kinds.append("boundary_start")
            up, down = _label(a.codes, a.names), _label(b.codes, b.names)
            merged = hidden.get(k, 0) + hidden.get(k + 1, 0)
            for kind in kinds:
                if kind == "crossing":
                    note = f"{a.names[0]}与{b.names[0]}交界处（{a.names[0]}→{b.names[0]}）"
                elif kind == "boundary_end":
                    note = "与".join(a.names) + "界河段终点"
                else:
                    note = "与".join(b.names) + "界河段起点"
                if merged:
                    note += (f"（{merged} 处往返穿越在 {tol:g} 米精度内，合并计为一处）")
                rows.append(base | {"kind": kind, "upstream_code": up[0],
                                    "upstream_name": up[1], "downstream_code": down[0],
                                    "downstream_name": down[1], "at_km": round(b.from_km, 3),
                                    "note": note, "synthetic": a.synthetic or b.synthetic})
                points.append(_first_point(b.geom))
    order = sorted(range(len(rows)), key=lambda i: (not rows[i]["main"], rows[i]["river_code"],
                                                    rows[i]["at_km"]))
    rows = [rows[i] for i in order]
    points = [points[i] for i in order]
    count: dict[str, int] = {}
    tag = {"county": "C", "township": "T"}[level]
    for row in rows:
        count[row["river_code"]] = count.get(row["river_code"], 0) + 1
        row["section_code"] = f"S{tag}-{row['river_code']}-{count[row['river_code']]:02d}"
    return _frame(rows, SECTION_COLUMNS, points, crs)


# ----------------------------------------------------------------------------- confluences

CONFLUENCE_COLUMNS = ["confluence_code", "river_code", "river_name", "main", "into_code",
                      "into_name", "into_main", "at_km", "into_km", "gap_m", "county_code",
                      "county_name", "township_code", "township_name", "village_code",
                      "village_name", "lon", "lat", "x", "y", "xy_crs", "note", "synthetic"]


def _chainage_at(reaches: gpd.GeoDataFrame, river: str, point) -> float | None:
    """Chainage (km) of ``point`` on ``river``, from its nearest reach (interpolated)."""
    rows = reaches[reaches["river_code"] == river]
    if "primary" in rows.columns:
        rows = rows[rows["primary"].astype(bool)]
    if not len(rows):
        return None
    dist = shapely.distance(rows.geometry.values, point)
    i = int(np.argmin(dist))
    geom = rows.geometry.iloc[i]
    frac = shapely.line_locate_point(shapely.line_merge(geom) if geom.geom_type ==
                                     "MultiLineString" else geom, point, normalized=True)
    f, t = float(rows["from_km"].iloc[i]), float(rows["to_km"].iloc[i])
    return round(f + (t - f) * float(frac), 3)


def confluences(result, waters: Waters, boundaries: Boundaries) -> gpd.GeoDataFrame:
    """Every point where a river flows into another (主要交汇处).

    For each river whose ``flows_into`` names a river of ``waters``: its mouth is the end of
    its line nearer the receiving river (lines digitised against the flow are turned
    round, as segmentation does). The point is the tributary's mouth vertex itself;
    ``gap_m`` says how far it lies from the receiving river's line.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`CONFLUENCE_COLUMNS` (EPSG:4490 points): both rivers, the chainage
        of the mouth on the tributary (``at_km``, its end inside the city) and on the
        receiving river (``into_km``, interpolated on its reach), and the county, township
        and village the point lies in (empty outside the city). Main receiving rivers
        first.
    """
    crs = _work_crs(result)
    rivers = waters.rivers.to_crs(crs)
    by_code = dict(zip(rivers["river_code"], rivers.geometry.values, strict=True))
    names = dict(zip(rivers["river_code"], rivers["name"], strict=True))
    main = dict(zip(rivers["river_code"], rivers["main"].astype(bool), strict=True))
    synthetic = dict(zip(rivers["river_code"], rivers["synthetic"].astype(bool), strict=True))
    finest = next((lvl for lvl in ("village", "township") if len(result.reaches[lvl])),
                  "county")
    village_reaches = result.reaches[finest].to_crs(crs)  # (every level: one chainage)
    villages = boundaries["village"].to_crs(crs) if "village" in boundaries else None
    unit_names = {}
    for lvl in ("county", "township", "village"):
        if lvl in boundaries:
            unit_names.update(zip(boundaries[lvl]["code"], boundaries[lvl]["name"],
                                  strict=True))
    rows, points = [], []
    for code, geom, into in zip(rivers["river_code"], rivers.geometry.values,
                                rivers["flows_into"].fillna(""), strict=True):
        if not into or into not in by_code:
            continue
        parts = shapely.get_parts(geom)
        start, end = _first_point(parts[0]), _last_point(parts[-1])
        target = by_code[into]
        mouth = start if shapely.distance(start, target) < shapely.distance(end, target) else end
        village = ""
        note = ""
        if villages is not None:
            hit = villages[villages.geometry.intersects(mouth)]
            if len(hit):
                village = sorted(hit["code"])[0]
                if len(hit) > 1:
                    note = "河口位于村界上：" + "、".join(unit_names.get(c, c)
                                                      for c in sorted(hit["code"]))
            else:
                note = "河口不在市域内"
        county, township = (village[:6], village[:9]) if village else ("", "")
        tributary = village_reaches[village_reaches["river_code"] == code]
        at_km = round(float(tributary["to_km"].max()), 3) if len(tributary) else None
        rows.append({"river_code": code, "river_name": names[code], "main": main[code],
                     "into_code": into, "into_name": names[into], "into_main": main[into],
                     "at_km": at_km, "into_km": _chainage_at(village_reaches, into, mouth),
                     "gap_m": round(float(shapely.distance(mouth, target)), 1),
                     "county_code": county, "county_name": unit_names.get(county, ""),
                     "township_code": township, "township_name": unit_names.get(township, ""),
                     "village_code": village, "village_name": unit_names.get(village, ""),
                     "note": note, "synthetic": synthetic[code] or synthetic[into]})
        points.append(mouth)
    order = sorted(range(len(rows)), key=lambda i: (not rows[i]["into_main"],
                                                    rows[i]["into_code"],
                                                    rows[i]["into_km"] or 0.0,
                                                    rows[i]["river_code"]))
    rows = [rows[i] for i in order]
    points = [points[i] for i in order]
    for row in rows:
        row["confluence_code"] = f"J-{row['river_code']}-{row['into_code']}"
    return _frame(rows, CONFLUENCE_COLUMNS, points, crs)


# ----------------------------------------------------------------------------- boards

BOARD_COLUMNS = ["board_code", "kind", "board_index", "boards_on_item", "water_code",
                 "water_name", "description", "item_code", "item_name", "start_desc",
                 "end_desc", "from_km", "to_km", "length_km", "area_km2", "boundary",
                 "county_code", "county_name", "township_code", "township_name",
                 "village_code", "village_name", "admin_codes", "admin_names",
                 "village_chiefs", "township_chiefs", "county_chiefs", "city_chief",
                 "duties", "targets", "supervision_phone", "complaint_phone",
                 "issuing_office", "prohibited", "placement", "chief_keys", "lon", "lat",
                 "x", "y", "xy_crs", "synthetic"]


def _read_seats(boundaries: Boundaries, seats) -> gpd.GeoDataFrame | None:
    """Village seats (驻地) as points with ``code``: given, or the ``seats`` layer of the
    file the villages were read from."""
    if seats is not None:
        return seats
    origin = (getattr(boundaries, "origin", None) or {}).get("village", "")
    path = origin.split(", layer ")[0] if origin else ""
    if not path or not Path(path).exists() or Path(path).suffix.lower() != ".gpkg":
        return None
    import pyogrio

    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception:  # not a readable GeoPackage: boards go to the reach's middle
        return None
    if "seats" not in names:
        return None
    frame = gpd.read_file(path, layer="seats")
    return frame if "code" in frame.columns else None


def _person(name, post, phone, unit: str, vacant: bool) -> str:
    if name is None or (isinstance(name, float) and math.isnan(name)) or name == "":
        return f"{_VACANT}（{unit}{post or ''}）" if vacant or post else ""
    phone_text = f"，{phone}" if phone and not (isinstance(phone, float) and math.isnan(phone)) \
        else ""
    return f"{name}（{unit}{post or ''}{phone_text}）"


def _chief_lines(rows: list) -> str:
    """Distinct '姓名（单位职务，电话）' texts of ``rows`` (dict-like), joined by ；."""
    seen = []
    for r in rows:
        text = _person(r["chief_name"], r["chief_post"], r["chief_phone"], r["admin_name"],
                       bool(r.get("vacant", False)))
        if text and text not in seen:
            seen.append(text)
    return "；".join(seen)


def _describe_river(row, names: dict, lengths: dict) -> str:
    parts = [row["name"]]
    group = row.get("main_river") or ""
    if group and group != row["name"]:
        parts[0] += f"（{group}）"
    length = lengths.get(row["river_code"])
    text = parts[0] + (f"，市内长 {length / 1000:.1f} 公里" if length else "")
    into = row.get("flows_into") or ""
    if into:
        text += f"，汇入{names.get(into, into)}"
    if bool(row.get("main", False)):
        text += "；全市主要河流，设市级河长"
    if bool(row.get("synthetic", False)):
        text += "（示意数据，非真实河道）"
    return text + "。"


def _spots(line, n: int, seat) -> tuple[list, str]:
    """``n`` board points on ``line``: one nearest ``seat`` (else the middle), or evenly."""
    line = shapely.line_merge(line) if line.geom_type == "MultiLineString" else line
    if n == 1:
        if seat is not None:
            return [shapely.line_interpolate_point(line, shapely.line_locate_point(line, seat))], \
                "nearest_seat"
        return [shapely.line_interpolate_point(line, 0.5, normalized=True)], "middle"
    return [shapely.line_interpolate_point(line, (i + 0.5) / n, normalized=True)
            for i in range(n)], "even"


def notice_boards(chiefs, boundaries: Boundaries, waters: Waters, rules=None, *,
                  spacing_km: float | None = None, seats: gpd.GeoDataFrame | None = None,
                  texts: Mapping | None = None) -> gpd.GeoDataFrame:
    """Proposed notice board (公示牌) sites and content.

    Which boards: one per village reach that the rules give a chief (``chief_required``),
    one per village-level zone of a lake or reservoir likewise, and one more for every
    further ``spacing_km`` of reach (``ceil(length / spacing_km)`` boards on a reach). Both
    banks of a 界河 (a shared reach: one row per bank) share one board listing both
    chiefs; its code follows the ``primary`` row.

    Where: a reach with one board gets it at the point of the reach nearest its
    village's seat (驻地, the ``seats`` layer of the bundled boundaries, or ``seats``),
    else at the reach's middle; with several boards they are spaced evenly, at
    (i + ½)/n of its length. A zone's board stands on its shore, at the point nearest
    the seat (else the shore's point nearest the zone's centre). ``placement`` says which.

    What: river name and a short description, reach name, start and end (起止),
    chainage and length, the chiefs at village, township and county level and the city
    chief of a main river (names, posts, phones; （空缺） where vacant), duties and
    targets in brief, the supervision phone of the county's river chief office
    (``chiefs.offices``), a complaint phone, the issuing office
    (``chiefs.rules["offices"]["issuing_office"]``) and the prohibited behaviours (the
    back of the board). The texts come from :data:`BOARD_TEXT`, over which a ``[boards]``
    table of the rules (keys as :data:`BOARD_TEXT`; the bundled rules have none) and then
    ``texts`` are laid.

    Parameters
    ----------
    chiefs : Chiefs
        From :func:`hzgeo.assign_chiefs`.
    boundaries, waters : Boundaries, Waters
        The inputs of the segmentation (names, seats, river descriptions).
    rules : Rules, optional
        Default ``chiefs.rules``.
    spacing_km : float, optional
        One board per started ``spacing_km`` of reach. Default: the rules'
        ``boards.spacing_km`` (8 km in the bundled rules, the spacing some provinces use).
    seats : GeoDataFrame, optional
        Village seats (points with ``code``).
    texts : mapping, optional
        Replaces keys of :data:`BOARD_TEXT`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BOARD_COLUMNS`, EPSG:4490 points. ``board_code`` is
        ``B-<reach or zone code>-<n>``, stable while the reach keeps its code;
        ``chief_keys`` lists the reach, zone and river codes whose chiefs the board shows
        (what :func:`boards_to_reprint` matches).
    """
    rules = rules if rules is not None else chiefs.rules
    from_rules = getattr(rules, "data", {}).get("boards", {})  # a [boards] table, if any
    if spacing_km is None:
        spacing_km = from_rules.get("spacing_km", 8.0)
    if not spacing_km or spacing_km <= 0:
        raise ValueError(f"`spacing_km` was {spacing_km!r} but is expected to be > 0")
    text = dict(BOARD_TEXT) | dict(from_rules) | dict(texts or {})
    text["duties"] = dict(BOARD_TEXT["duties"]) | dict(from_rules.get("duties", {})) | dict(
        (texts or {}).get("duties", {}))
    crs = work_crs_for(boundaries["village"] if "village" in boundaries
                       else boundaries[next(lvl for lvl in ("township", "county", "city")
                                            if lvl in boundaries)])
    seats = _read_seats(boundaries, seats)
    seat_of = {}
    if seats is not None and len(seats):
        seats = seats.to_crs(crs)
        seat_of = dict(zip(seats["code"].astype(str), seats.geometry.values, strict=False))
    unit_names = {}
    for lvl in ("county", "township", "village"):
        if lvl in boundaries:
            unit_names.update(zip(boundaries[lvl]["code"], boundaries[lvl]["name"],
                                  strict=True))
    rivers = waters.rivers
    river_names = dict(zip(rivers["river_code"], rivers["name"], strict=True))
    lengths = {}
    for frame in (chiefs.reaches["county"],):
        prim = frame[frame["primary"].astype(bool)] if "primary" in frame else frame
        lengths = prim.groupby("river_code")["length_m"].sum().to_dict()
    describe = {r["river_code"]: _describe_river(r, river_names, lengths)
                for r in rivers.drop(columns="geometry").to_dict("records")}
    offices = chiefs.offices
    phone_of = dict(zip(offices["admin_code"], offices["supervision_phone"], strict=True))
    city_phone = next(iter(offices.loc[offices["level"] == "city", "supervision_phone"]), "")
    issuing = rules["offices"].get("issuing_office", "")
    city = {r["river_code"]: r for r in chiefs.city_chiefs.to_dict("records")}
    city_unit = rules["city"] if "city" in rules.data else ""
    up = {lvl: {r["reach_code"]: r for r in chiefs.reaches[lvl].drop(columns="geometry")
                .to_dict("records")} for lvl in ("township", "county")}
    zup = {lvl: {r["zone_code"]: r for r in chiefs.zones[lvl].drop(columns="geometry")
                 .to_dict("records")} for lvl in ("township", "county")}
    duties = text["duties"]
    prohibited = text["prohibited"]
    prohibited = "；".join(prohibited) if not isinstance(prohibited, str) else prohibited

    def common(codes: list[str], synthetic: bool) -> dict:
        county = codes[0][:6]
        phones = [phone_of.get(c[:6]) for c in codes] + [city_phone]
        phones = [p for p in dict.fromkeys(phones) if p]
        return {"county_code": county, "county_name": unit_names.get(county, ""),
                "township_code": ",".join(dict.fromkeys(c[:9] for c in codes)),
                "township_name": "、".join(dict.fromkeys(unit_names.get(c[:9], "")
                                                       for c in codes)),
                "village_code": ",".join(codes),
                "village_name": "、".join(unit_names.get(c, c) for c in codes),
                "admin_codes": ",".join(codes),
                "admin_names": "、".join(unit_names.get(c, c) for c in codes),
                "targets": text["targets"], "supervision_phone": "；".join(phones),
                "complaint_phone": text["complaint_phone"], "issuing_office": issuing,
                "prohibited": prohibited, "synthetic": synthetic}

    rows, points = [], []
    village = chiefs.reaches["village"].to_crs(crs)
    village = village[village["chief_required"].astype(bool)]
    key = list(zip(village["river_code"], village["from_km"].round(6),
                   village["to_km"].round(6), strict=True))
    village = village.assign(_key=key)
    for _, group in village.groupby("_key", sort=False):
        group = group.sort_values("primary", ascending=False) if "primary" in group else group
        lead = group.iloc[0]
        banks = group.to_dict("records")
        codes = [str(r["admin_code"]) for r in banks]
        t_rows = [up["township"][r["parent_reach_code"]] for r in banks
                  if r.get("parent_reach_code") in up["township"]]
        c_rows = [up["county"][t["parent_reach_code"]] for t in t_rows
                  if t.get("parent_reach_code") in up["county"]]
        city_row = city.get(lead["river_code"]) if bool(lead["main"]) else None
        keys = ([r["reach_code"] for r in banks] + [t["reach_code"] for t in t_rows]
                + [c["reach_code"] for c in c_rows] + ([lead["river_code"]] if city_row else []))
        length_km = float(lead["length_m"]) / 1000.0
        n = max(1, math.ceil(length_km / spacing_km - 1e-9))
        spots, how = _spots(lead.geometry, n, seat_of.get(codes[0]))
        levels = [("village", banks), ("township", t_rows), ("county", c_rows)]
        duty = "".join(f"{_LEVEL_CN[lvl]}河长：{duties[lvl]}" for lvl, rs in levels if rs)
        if city_row:
            duty = f"市级河长：{duties['city']}" + duty
        shared = len(banks) > 1 or bool(lead.get("boundary", False))
        base = common(codes, bool(group["synthetic"].any())) | {
            "kind": "boundary_reach" if shared else "reach",
            "boards_on_item": n, "water_code": lead["river_code"],
            "water_name": lead["river_name"], "description": describe.get(lead["river_code"], ""),
            "item_code": lead["reach_code"],
            "item_name": "、".join(dict.fromkeys(r["reach_name"] for r in banks)),
            "start_desc": lead["start_desc"], "end_desc": lead["end_desc"],
            "from_km": round(float(lead["from_km"]), 3), "to_km": round(float(lead["to_km"]), 3),
            "length_km": round(length_km, 3), "area_km2": None, "boundary": shared,
            "village_chiefs": _chief_lines(banks), "township_chiefs": _chief_lines(t_rows),
            "county_chiefs": _chief_lines(c_rows),
            "city_chief": (_person(city_row["chief_name"], city_row["post"],
                                   city_row["chief_phone"], city_unit, bool(city_row["vacant"]))
                           if city_row else ""),
            "duties": duty, "placement": how, "chief_keys": ",".join(dict.fromkeys(keys))}
        for i, spot in enumerate(spots, start=1):
            rows.append(base | {"board_code": f"B-{lead['reach_code']}-{i}", "board_index": i})
            points.append(spot)

    zones = chiefs.zones["village"].to_crs(crs)
    zones = zones[zones["chief_required"].astype(bool)]
    for zone in zones.to_dict("records"):
        code = str(zone["admin_code"])
        shore = zone["geometry"].boundary
        seat = seat_of.get(code)
        anchor = seat if seat is not None else zone["geometry"].centroid
        spot = shapely.ops.nearest_points(shore, anchor)[0]
        t_rows = [zup["township"][zone["parent_zone_code"]]] if zone.get(
            "parent_zone_code") in zup["township"] else []
        c_rows = [zup["county"][t["parent_zone_code"]] for t in t_rows
                  if t.get("parent_zone_code") in zup["county"]]
        kind = _WATER_KIND.get(zone["kind"], str(zone["kind"]))
        scale = _SCALE.get(zone.get("scale") or "", "")
        levels = [("village", [zone]), ("township", t_rows), ("county", c_rows)]
        desc = f"{zone['water_name']}，{scale}{kind}" + (
            "（示意数据，非真实水体）" if bool(zone["synthetic"]) else "") + "。"
        rows.append(common([code], bool(zone["synthetic"])) | {
            "board_code": f"B-{zone['zone_code']}-1", "kind": "zone", "board_index": 1,
            "boards_on_item": 1, "water_code": zone["water_code"],
            "water_name": zone["water_name"], "description": desc,
            "item_code": zone["zone_code"],
            "item_name": f"{zone['water_name']}{zone['admin_name']}片",
            "start_desc": "", "end_desc": "", "from_km": None, "to_km": None,
            "length_km": None, "area_km2": round(float(zone["area_m2"]) / 1e6, 4),
            "boundary": False, "village_chiefs": _chief_lines([zone]),
            "township_chiefs": _chief_lines(t_rows), "county_chiefs": _chief_lines(c_rows),
            "city_chief": "",
            "duties": "".join(f"{_LEVEL_CN[lvl]}湖长：{duties[lvl]}" for lvl, rs in levels
                               if rs),
            "placement": "shore_nearest_seat" if seat is not None else "shore",
            "chief_keys": ",".join([zone["zone_code"]] + [t["zone_code"] for t in t_rows]
                                   + [c["zone_code"] for c in c_rows])})
        points.append(spot)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["kind"] == "zone",
                                                    rows[i]["county_code"],
                                                    rows[i]["water_code"],
                                                    rows[i]["from_km"] or 0.0,
                                                    rows[i]["board_code"]))
    return _frame([rows[i] for i in order], BOARD_COLUMNS, [points[i] for i in order], crs)


_LEVEL_CN = LEVEL_NAMES


def boards_to_reprint(changes, boards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The boards whose chiefs a roster change touches (to reprint within 15 working days).

    Parameters
    ----------
    changes : DataFrame or path
        :func:`hzgeo.directory.roster_changes` output (English columns ``item_code``,
        ``change`` ...), or the ``<stem>.changes.csv`` / 变更 sheet (Chinese headers 编码,
        变更 ...).
    boards : GeoDataFrame
        From :func:`notice_boards`.

    Returns
    -------
    geopandas.GeoDataFrame
        The boards whose ``chief_keys`` name a changed reach, zone or main river, with a
        ``reason`` column (what changed, e.g. ``河长更换 R03-450802001001-01：甲→乙``).
    """
    if not isinstance(changes, pd.DataFrame):
        path = Path(changes)
        if not path.exists():
            raise InputError("file not found", file=path,
                             hint="give the <stem>.changes.csv that hzgeo roster wrote")
        changes = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    from hzgeo.directory import HEADERS

    back = {v: k for k, v in HEADERS.items() if k in ("item_code", "change", "old_chief",
                                                      "new_chief", "item_name")}
    changes = changes.rename(columns={"编码": "item_code"} | back)
    if "item_code" not in changes.columns:
        raise InputError(f"no item_code (编码) column among {list(changes.columns)}",
                         file=changes.attrs.get("source"),
                         hint="give the change list that hzgeo roster --previous wrote")
    reasons: dict[str, list[str]] = {}
    for row in changes.fillna("").to_dict("records"):
        what = f"{row.get('change', '')} {row['item_code']}".strip()
        if row.get("old_chief") or row.get("new_chief"):
            what += f"：{row.get('old_chief', '')}→{row.get('new_chief', '')}"
        reasons.setdefault(str(row["item_code"]), []).append(what)
    hits, why = [], []
    for i, keys in enumerate(boards["chief_keys"].fillna("")):
        found = [r for k in keys.split(",") if k in reasons for r in reasons[k]]
        if found:
            hits.append(i)
            why.append("；".join(dict.fromkeys(found)))
    out = boards.iloc[hits].copy()
    out["reason"] = why
    return out


# ----------------------------------------------------------------------------- exports

#: Layer names of :func:`field_layers` (GeoPackage layers of the main job).
LAYER_NAMES = {"sections": "cross_sections", "confluences": "confluences",
               "boards": "notice_boards"}


def field_layers(sections, confluences, boards) -> dict[str, gpd.GeoDataFrame]:
    """The three point layers by GeoPackage layer name (names contain ``section``,
    ``confluence`` and ``board``), for the segments GeoPackage of ``hzgeo run``."""
    frames = {"sections": sections, "confluences": confluences, "boards": boards}
    return {LAYER_NAMES[k]: v for k, v in frames.items() if v is not None}


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """A field table for people: Chinese headers, codes as text, flags 是/否, no geometry."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for column in out.columns:
        if column in _CODE_COLUMNS:
            out[column] = out[column].map(lambda v: "" if v is None or v != v else str(v))
        elif out[column].dtype == bool:
            out[column] = np.where(out[column], "是", "否")
        elif column == "kind":
            out[column] = out[column].map(lambda v: _KIND_NAME.get(v, v))
        elif column == "level":
            out[column] = out[column].map(lambda v: _LEVEL_CN.get(v, v))
    return out.rename(columns=FIELD_HEADERS)


def _write_xlsx(tables: dict[str, pd.DataFrame], path: Path) -> None:
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet, table in tables.items():
        ws = book.create_sheet(sheet)
        ws.append(list(table.columns))
        codes = {i for i, c in enumerate(table.columns, start=1)
                 if c in {FIELD_HEADERS[k] for k in _CODE_COLUMNS}}
        for record in table.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and math.isnan(v)) else v
                       for v in record])
        for i, column in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            if i in codes:
                for cell in ws[letter][1:]:
                    cell.number_format = "@"
            width = max([len(str(column))] + [len(str(v)) for v in table.iloc[:50, i - 1]])
            ws.column_dimensions[letter].width = min(60, 4 + 1.6 * width)
        ws.freeze_panes = "A2"
    book.save(path)


def _labelled(row: Mapping, columns: list[str], kinds: Mapping | None = None):
    """(Chinese header, value as text) of the given columns of ``row`` that have a value;
    flags read 是/否, ``kind`` by ``kinds``."""
    for column in columns:
        value = row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            continue
        if isinstance(value, bool | np.bool_):
            value = "是" if value else "否"
        if column == "kind" and kinds is not None:
            value = kinds.get(value, value)
        yield FIELD_HEADERS.get(column, column), str(value)


def _kml_description(row: Mapping, columns: list[str]) -> str:
    return "\n".join(f"{header}：{value}" for header, value in _labelled(row, columns))


def _write_kml(frames: dict[str, gpd.GeoDataFrame], path: Path, title: str) -> None:
    """KML 2.2 written by hand (every text escaped), one Folder per layer, WGS84 points."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>',
           f"<name>{escape(title)}</name>"]
    for name, frame in frames.items():
        if frame is None:
            continue
        wgs = frame.to_crs("EPSG:4326")
        code = next(c for c in ("section_code", "confluence_code", "board_code")
                    if c in frame.columns)
        columns = [c for c in frame.columns if c not in ("geometry", "xy_crs")]
        out.append(f"<Folder><name>{escape(name)}</name>")
        for row, geom in zip(wgs.drop(columns="geometry").to_dict("records"),
                             wgs.geometry.values, strict=True):
            label = f"{row[code]} {row.get('water_name') or row.get('river_name') or ''}"
            out.append(f"<Placemark><name>{escape(label.strip())}</name>"
                       f"<description>{escape(_kml_description(row, columns))}</description>"
                       f"<Point><coordinates>{geom.x:.7f},{geom.y:.7f}</coordinates></Point>"
                       "</Placemark>")
        out.append("</Folder>")
    out.append("</Document></kml>")
    path.write_text("\n".join(out), encoding="utf-8")


_SHEETS = {"sections": "跨界断面", "confluences": "主要交汇处", "boards": "公示牌"}
_SUFFIXES = (".gpkg", ".xlsx", ".csv", ".geojson", ".kml")


def write_field(sections, confluences, boards, folder_or_path, *,
                outputs: AtomicOutputs | None = None) -> dict[str, Path]:
    """Write the field outputs, all or nothing (:mod:`hzgeo.atomic`).

    Parameters
    ----------
    sections, confluences, boards : GeoDataFrame or None
        From :func:`cross_sections`, :func:`confluences`, :func:`notice_boards`; None
        leaves one out.
    folder_or_path : path
        A file by suffix: ``.gpkg`` (one layer each, names as :func:`field_layers`),
        ``.xlsx`` (a sheet each, Chinese headers, codes as text), ``.csv`` /
        ``.geojson`` (one ``<stem>.<layer>.<suffix>`` each; a single frame writes
        ``path`` itself), ``.kml`` (a folder each, for field apps). A folder (no
        suffix) gets ``field.gpkg``, ``field.xlsx``, ``field.kml`` and the CSVs.
    outputs : AtomicOutputs, optional
        Join a larger all-or-nothing write (the main job's).

    Returns
    -------
    dict
        The files written, by kind.
    """
    target = Path(folder_or_path)
    frames = {k: v for k, v in (("sections", sections), ("confluences", confluences),
                                ("boards", boards)) if v is not None}
    if not frames:
        raise ValueError("nothing to write: sections, confluences and boards are all None")
    suffix = target.suffix.lower()
    if suffix and suffix not in _SUFFIXES:
        raise InputError(f"unknown output format {suffix!r}", file=target,
                         hint=f"give one of {', '.join(_SUFFIXES)} or a folder")
    if outputs is None:
        with atomic_outputs() as own:
            return write_field(sections, confluences, boards, target, outputs=own)
    written: dict[str, Path] = {}

    def each(path: Path, ext: str) -> dict[str, Path]:
        if len(frames) == 1 and path.suffix.lower() == ext:
            return {next(iter(frames)): path}
        stem = path.with_suffix("") if path.suffix else path / "field"
        return {k: stem.with_name(f"{stem.name}.{LAYER_NAMES[k]}{ext}") for k in frames}

    if suffix in ("", ".gpkg"):
        from hzgeo.output import GPKG_OPTIONS

        path = target if suffix else target / "field.gpkg"
        tmp = outputs.path(path)
        for key, frame in frames.items():
            frame.to_file(tmp, layer=LAYER_NAMES[key], driver="GPKG", engine="pyogrio",
                          dataset_options=GPKG_OPTIONS)
        written["gpkg"] = path
    if suffix in ("", ".xlsx"):
        path = target if suffix else target / "field.xlsx"
        _write_xlsx({_SHEETS[k]: _table(v) for k, v in frames.items()}, outputs.path(path))
        written["xlsx"] = path
    if suffix in ("", ".csv"):
        for key, path in each(target, ".csv").items():
            _table(frames[key]).to_csv(outputs.path(path), index=False, encoding="utf-8-sig")
            written[f"csv_{key}"] = path
    if suffix == ".geojson":
        for key, path in each(target, ".geojson").items():
            frames[key].to_crs("EPSG:4326").to_file(outputs.path(path), driver="GeoJSON",
                                                    engine="pyogrio")
            written[f"geojson_{key}"] = path
    if suffix in ("", ".kml"):
        path = target if suffix else target / "field.kml"
        _write_kml({_SHEETS[k]: v for k, v in frames.items()}, outputs.path(path),
                   "hzgeo 跨界断面、主要交汇处、公示牌")
        written["kml"] = path
    return written


# ----------------------------------------------------------------------------- HTML map


def _popup(row: Mapping, columns: list[str]) -> str:
    cells = [f"<tr><th>{html.escape(header)}</th><td>{html.escape(value)}</td></tr>"
             for header, value in _labelled(row, columns, _KIND_NAME)]
    return '<table class="hz-popup">' + "".join(cells) + "</table>"


_MAP_STYLE = {  # key: (layer title, colour, radius, popup columns)
    "sections": ("跨界断面", "#d62728", 6,
                 ["section_code", "river_name", "kind", "upstream_name", "downstream_name",
                  "at_km", "lon", "lat", "note", "synthetic"]),
    "confluences": ("主要交汇处", "#1f77b4", 6,
                    ["confluence_code", "river_name", "into_name", "into_km", "county_name",
                     "township_name", "village_name", "lon", "lat", "synthetic"]),
    "boards": ("公示牌", "#2ca02c", 4,
               ["board_code", "water_name", "item_name", "start_desc", "end_desc",
                "length_km", "village_chiefs", "township_chiefs", "county_chiefs",
                "city_chief", "supervision_phone", "lon", "lat", "synthetic"]),
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
            label = f"{code} {row.get('river_name') or row.get('water_name') or ''}"
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
