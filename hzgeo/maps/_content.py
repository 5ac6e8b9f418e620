"""What both kinds of map show: the area, the reaches with their chiefs, the notes.

Plain text only; the HTML map escapes it, the sheets draw it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hzgeo.directory.rivers import bank_key, bank_rows
from hzgeo.errors import InputError
from hzgeo.hierarchy import Hierarchy
from hzgeo.labels import LEVEL_NAMES
from hzgeo.model import Boundaries, Chiefs, Segmentation
from hzgeo.select import area_name, county_code
from hzgeo.settings import LEVELS, REACH_LEVELS

#: On every map: a schematic, not an official boundary map; room for the review number.
DISCLAIMER = ("示意图：本图为河长制分布示意图，非官方界线图，不作为行政区域界线和权属依据。"
              "审图号：__________")
DISCLAIMER_EN = "Schematic map, not an official boundary map."

UNIT_WORDS = {"city": "市界", "county": "县（市、区）界", "township": "乡镇（街道）界",
              "village": "村界"}
CHIEF_COLUMNS = ("chief_name", "chief_post", "chief_phone", "chief_required", "vacant")


@dataclass
class Area:
    """The part of the data one map shows."""

    title: str
    units: dict[str, gpd.GeoDataFrame]      # level -> units shown
    reaches: dict[str, gpd.GeoDataFrame]    # level -> reach rows (with chief columns)
    zones: dict[str, gpd.GeoDataFrame]
    all_reaches: dict[str, pd.DataFrame]    # every reach by level, for the parent chain
    city_chiefs: pd.DataFrame | None
    county: str | None = None
    river: str | None = None
    river_codes: tuple[str, ...] = ()
    all_units: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)  # not limited
    across: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)  # Chiefs.across

    @cached_property
    def other_banks(self) -> dict[tuple, dict]:
        """Every 界河 row (as dict) by :func:`~hzgeo.directory.rivers.bank_key`, both
        banks, the far banks of a county run's 界河 too."""
        return bank_rows([*self.all_reaches.values(), *self.across.values()])

    @cached_property
    def lookup(self) -> dict[str, dict[str, dict]]:
        """level -> reach_code -> row (as dict), every reach of the city."""
        out = {lvl: {str(r["reach_code"]): r for r in
                     f.drop(columns="geometry").to_dict("records")}
               for lvl, f in self.all_reaches.items()}
        for lvl, f in self.across.items():  # a county run's far banks, with their parents
            if len(f):
                for r in f.drop(columns="geometry").to_dict("records"):
                    out.setdefault(lvl, {}).setdefault(str(r["reach_code"]), r)
        return out

    @cached_property
    def shown_codes(self) -> frozenset[str]:
        """The codes of the units the map is of (a county map: the county's)."""
        return frozenset(str(c) for f in self.units.values() for c in f["code"])

    def other_bank(self, row: dict) -> dict | None:
        """The row of the other bank of the 界河 row ``row`` (None if not a 界河 or not
        in the data)."""
        if not bool(row.get("boundary")) or not _given(row.get("from_km")):
            return None
        return self.other_banks.get(bank_key(row, across=True))

    @cached_property
    def city_chief_rows(self) -> dict[str, dict]:
        """river_code -> its first row in ``city_chiefs`` (as dict)."""
        rows: dict[str, dict] = {}
        if self.city_chiefs is not None:
            for row in self.city_chiefs.to_dict("records"):
                rows.setdefault(str(row["river_code"]), row)
        return rows


def _with_chief_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.copy()
    for col in CHIEF_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    return frame


def river_groups(reaches: gpd.GeoDataFrame,
                 city_chiefs: pd.DataFrame | None = None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Main rivers as sheets show them: key (first river code) -> (name, river codes).

    With the chiefs' ``city_chiefs`` table, a main river made of several lines (西江干流:
    黔江 and 浔江) is one sheet; without it each line is.
    """
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    if "main" not in reaches.columns:
        return out
    main = reaches[reaches["main"].astype(bool)]
    names = main["river_name"].astype(str)
    if city_chiefs is not None and "main_river" in city_chiefs.columns:
        group = dict(zip(city_chiefs["river_code"].astype(str),
                         city_chiefs["main_river"].astype(str), strict=True))
        names = main["river_code"].astype(str).map(group).fillna(names)
    for name, rows in main.groupby(names, sort=False):
        codes = tuple(sorted(rows["river_code"].astype(str).unique()))
        out[codes[0]] = (str(name), codes)
    return out


def select_area(result: Segmentation | Chiefs, boundaries: Boundaries, *,
                chiefs: Chiefs | None = None, county: str | None = None,
                river: str | None = None) -> Area:
    """The units, reaches and zones of the city, one county or one main river."""
    source = chiefs.reaches if chiefs is not None else result.reaches
    zones_source = chiefs.zones if chiefs is not None else result.zones
    city_chiefs = chiefs.city_chiefs if chiefs is not None else None
    all_reaches = {lvl: _with_chief_columns(source[lvl]) for lvl in REACH_LEVELS}
    zones = {lvl: _with_chief_columns(zones_source[lvl]) for lvl in REACH_LEVELS}
    units = {lvl: boundaries[lvl] for lvl in LEVELS if lvl in boundaries}
    reaches = dict(all_reaches)
    city = units.get("city")
    place = str(city["name"].iloc[0]) if city is not None and len(city) else ""
    # a county run's own area (贵港市港北区), else the city
    title_place, river_name = area_name(boundaries) or place, ""
    codes: tuple[str, ...] = ()
    code = None
    if county is not None:
        code = county_code(boundaries, county)
        inside = Hierarchy.from_boundaries(boundaries).within
        units = {lvl: f[inside(f["code"], code)] for lvl, f in units.items() if lvl != "city"}
        # the county's reaches, and the far bank of its 界河 (drawn dashed, in grey where
        # the unit across is not on the map)
        reaches = {lvl: f[inside(f["admin_code"], code)
                          | (f["boundary"].astype(bool).to_numpy()
                             & inside(f["shared_with"], code))]
                   for lvl, f in reaches.items()}
        zones = {lvl: f[inside(f["admin_code"], code)] for lvl, f in zones.items()}
        title_place = str(units["county"]["name"].iloc[0])
    if river is not None:
        groups = river_groups(all_reaches["county"], city_chiefs)
        match = [(k, v) for k, v in groups.items()
                 if str(river) in (k, v[0], *v[1])]
        if not match:
            every = all_reaches["county"].drop_duplicates("river_code")
            hit = every[(every["river_code"].astype(str) == str(river))
                        | (every["river_name"].astype(str) == str(river))]
            if hit.empty:
                raise InputError(f"no river {river!r}", hint="give a river code or name, e.g. "
                                 + ", ".join(f"{k} {v[0]}" for k, v in groups.items()))
            match = [(str(hit["river_code"].iloc[0]),
                      (str(hit["river_name"].iloc[0]), (str(hit["river_code"].iloc[0]),)))]
        river_name, codes = match[0][1]
        reaches = {lvl: f[f["river_code"].astype(str).isin(codes)] for lvl, f in reaches.items()}
    return Area(title=f"{title_place}{river_name}河长制分布示意图", units=units, reaches=reaches,
                zones=zones, all_reaches=all_reaches, city_chiefs=city_chiefs, county=code,
                river=river_name or None, river_codes=codes,
                all_units={lvl: boundaries[lvl] for lvl in LEVELS if lvl in boundaries},
                across=dict(chiefs.across) if chiefs is not None else {})


def far_bank_missing(reaches: pd.DataFrame, every: pd.DataFrame) -> np.ndarray:
    """Rows of ``reaches`` that are a 界河 whose other bank has no row: the unit across
    (``shared_with``) has no reach in ``every`` (the data's reaches at that level). So it
    is in a county run, for a 界河 on the border with a county left out; in the whole
    city every 界河 has both rows.

    Examples
    --------
    >>> rows = pd.DataFrame({"admin_code": ["A", "A", "B"], "boundary": [True, True, True],
    ...                      "shared_with": ["B", "C", "A"]})
    >>> far_bank_missing(rows, rows).tolist()
    [False, True, False]
    """
    if not len(reaches):
        return np.zeros(0, dtype=bool)
    there = set(every["admin_code"].astype(str))
    across = reaches["shared_with"].fillna("").astype(str)
    return (reaches["boundary"].astype(bool) & (across != "")
            & ~across.isin(there)).to_numpy()


def synthetic_note(area: Area) -> str:
    """Which geometry on the map is synthetic, in one sentence; '' when none is."""
    parts = []
    names = {"county": "县界", "township": "乡镇界", "village": "村界"}
    levels = [names[lvl] for lvl in ("county", "township", "village")
              if lvl in area.units and "synthetic" in area.units[lvl].columns
              and area.units[lvl]["synthetic"].astype(bool).any()]
    if levels:
        parts.append("、".join(levels) + "为合成几何（非真实界线）")
    reaches = area.reaches["county"]
    if "synthetic" in reaches.columns and len(reaches):
        # a reach is synthetic when its river or its unit is; name the rivers whose own
        # line is synthetic only if every reach of the river is synthetic
        flags = reaches.groupby("river_name")[["synthetic", "main"]].all()
        named = [str(n) for n, r in flags.iterrows() if r["synthetic"] and r["main"]]
        others = int((flags["synthetic"] & ~flags["main"]).sum())
        if others:
            named.append(f"{others} 条其他河流")
        if named:
            parts.append("、".join(named) + "的河道为合成数据")
    zones = area.zones["county"]
    if "synthetic" in zones.columns and zones["synthetic"].astype(bool).any():
        parts.append("湖库为合成数据")
    if not parts:
        return ""
    return "注意：" + "；".join(parts) + "，仅作示意。"


AROUND_COLUMNS = ["code", "name", "level", "synthetic", "geometry"]


def around_units(boundaries: Boundaries, area: Area, neighbours, crs) -> gpd.GeoDataFrame:
    """The units to draw in grey around ``area``, in ``crs`` (:data:`AROUND_COLUMNS`):
    ``neighbours`` (units outside the data) and, around a county, the city's other
    counties; one row per code (a unit without a code goes by its name)."""
    frames = []
    if area.county is not None:
        counties = boundaries["county"]
        frames.append(counties[counties["code"].astype(str) != str(area.county)]
                      .assign(level="county"))
    if neighbours is not None and len(neighbours):
        frames.append(neighbours)
    out = []
    for frame in frames:
        frame = frame.to_crs(crs).reindex(columns=AROUND_COLUMNS)
        for column, empty in (("name", ""), ("level", ""), ("synthetic", False)):
            frame[column] = [v if pd.notna(v) else empty for v in frame[column]]
        frame["name"] = frame["name"].astype(str)
        frame["level"] = frame["level"].astype(str)
        frame["synthetic"] = frame["synthetic"].astype(bool)
        frame["code"] = [str(c) if pd.notna(c) else n
                         for c, n in zip(frame["code"], frame["name"], strict=True)]
        out.append(frame)
    if not out:
        return gpd.GeoDataFrame({c: [] for c in AROUND_COLUMNS[:-1]}, geometry=[], crs=crs)
    frame = gpd.GeoDataFrame(pd.concat(out, ignore_index=True), geometry="geometry", crs=crs)
    frame = frame.drop_duplicates("code")
    return frame[frame["code"] != str(area.county)].reset_index(drop=True)


def clip_polygons(geoms, box) -> np.ndarray:
    """Polygons cut to ``box``, only their polygonal parts kept (a unit touching the box
    along an edge gives an empty geometry, not a line)."""
    out = []
    for geom in shapely.intersection(np.asarray(geoms), box):
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"
                 and not p.is_empty] if geom is not None else []
        out.append(shapely.MultiPolygon(parts) if parts else shapely.Polygon())
    return np.asarray(out, dtype=object)


def around_words(around) -> str:
    """What the grey units around the area are (from their ``level``): 相邻市,
    相邻县（市、区）, both, or 相邻单位 when the data does not say."""
    levels = set(around["level"].fillna("").astype(str))
    words = [w for level, w in (("county", "相邻县（市、区）"), ("city", "相邻市"))
             if level in levels]
    return "、".join(words) if words and levels <= {"county", "city"} else "相邻单位"


def around_note(around) -> str:
    """Whether the grey units around are real, in one sentence ('' when there are none)."""
    if not len(around):
        return ""
    synthetic = "synthetic" in around.columns and around["synthetic"].fillna(False).astype(
        bool).any()
    return (f"灰色{around_words(around)}界线为"
            + ("合成数据，仅作示意。" if synthetic else "真实数据（非合成），仅示意其位置。"))


def sources_note(boundaries) -> str:
    """Data sources and licences of the boundaries, one line."""
    seen: list[str] = []
    for frame in boundaries.levels.values():
        if "source" not in frame.columns:
            continue
        for value in frame["source"].dropna().astype(str).unique():
            if value and value not in seen:
                seen.append(value)
    return "；".join(seen[:6])


# --------------------------------------------------------------------------- chiefs


def _person(row, hide_phones: bool) -> str:
    if row is None:
        return ""
    name = row.get("chief_name")
    required = row.get("chief_required")
    if row.get("vacant") is True or (bool(required) and not _given(name)):
        return "空缺"
    if not _given(name):
        return ""
    text = str(name)
    post = row.get("chief_post")
    if _given(post):
        text += f"（{post}）"
    phone = row.get("chief_phone")
    if _given(phone) and not hide_phones:
        text += f" 电话 {phone}"
    return text


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and \
        str(value).strip() != ""


def reach_chain(area: Area, level: str, row) -> dict[str, dict]:
    """The reach and its ancestors: level -> row (as dict), from ``level`` up to county."""
    chain = {level: row}
    lookup = area.lookup
    code = row.get("parent_reach_code")
    for upper in REACH_LEVELS[: REACH_LEVELS.index(level)][::-1]:
        if not _given(code):
            break
        hit = lookup[upper].get(str(code))
        if hit is None:
            break
        chain[upper] = hit
        code = hit.get("parent_reach_code")
    return chain


def city_chief(area: Area, river_code: str, hide_phones: bool) -> str | None:
    """The city chief (市河长) of a main river, as text; None when no table is given."""
    row = area.city_chief_rows.get(str(river_code))
    if row is None:
        return None
    name = row.get("chief_name")
    if row.get("vacant") is True or not _given(name):
        return "空缺"
    text = str(name) + (f"（{row['post']}）" if _given(row.get("post")) else "")
    if _given(row.get("chief_phone")) and not hide_phones:
        text += f" 电话 {row['chief_phone']}"
    return text


def _chain_lines(chain: dict, prefix: str, *, hide_phones: bool,
                 has_chiefs: bool) -> list[tuple[str, str]]:
    """(label, text) of the chief (or the unit) at each level of ``chain``, county first."""
    lines = []
    for lvl in REACH_LEVELS:
        if lvl not in chain:
            continue
        reach = chain[lvl]
        unit = str(reach.get("admin_name", ""))
        if has_chiefs:
            person = _person(reach, hide_phones)
            if not person and not bool(reach.get("chief_required")):
                person = "未设"
            lines.append((f"{prefix}{LEVEL_NAMES[lvl]}河长", f"{unit}：{person}"))
        else:
            lines.append((f"{prefix}{LEVEL_NAMES[lvl]}责任单位", unit))
    return lines


def reach_lines(area: Area, level: str, row: dict, *, hide_phones: bool,
                has_chiefs: bool) -> list[tuple[str, str]]:
    """(label, text) lines describing one reach row, for popups: on a 界河 its own bank's
    chiefs, then those of the bank across where its units differ (对岸乡级河长 …), so
    that either bank's line, clicked, names both."""
    lines = [("河流", str(row.get("river_name", ""))),
             ("河段", f"{row.get('reach_name', '')}（{row.get('reach_code', '')}）"),
             ("起止", f"{row.get('start_desc', '')} 至 {row.get('end_desc', '')}"),
             ("长度", f"{float(row.get('length_m', 0.0)) / 1000:.2f} km"
                     + (f"（桩号 {float(row['from_km']):.2f}–{float(row['to_km']):.2f} km）"
                        if _given(row.get("from_km")) and _given(row.get("to_km")) else ""))]
    other = area.other_bank(row)
    if bool(row.get("boundary")):
        bank = f"（{row['bank']}）" if _given(row.get("bank")) else ""
        across = {"左岸": "（右岸）", "右岸": "（左岸）"}.get(str(row.get("bank")), "")
        lines.append(("界河", f"与{row.get('shared_with_name', '')}共管；本段为"
                              f"{row.get('admin_name', '')}一侧{bank}，对岸为"
                              f"{row.get('shared_with_name', '')}{across}"))
    if bool(row.get("main")):
        chief = city_chief(area, str(row.get("river_code", "")), hide_phones)
        if chief is not None:
            lines.append(("市级河长", chief))
    chain = reach_chain(area, level, row)
    lines += _chain_lines(chain, "", hide_phones=hide_phones, has_chiefs=has_chiefs)
    if other is not None:  # the chiefs across, where the unit across is another one
        far = reach_chain(area, level, other)
        far = {lvl: r for lvl, r in far.items()
               if lvl not in chain or chain[lvl].get("reach_code") != r.get("reach_code")}
        lines += _chain_lines(far, "对岸", hide_phones=hide_phones, has_chiefs=has_chiefs)
    elif has_chiefs and bool(row.get("boundary")) and _given(row.get("other_bank_chief")):
        lines.append((f"对岸{LEVEL_NAMES[level]}河长", f"{row.get('shared_with_name', '')}："
                                                      f"{row['other_bank_chief']}"))
    if bool(row.get("synthetic")):
        lines.append(("说明", "河道或所在单位为合成几何，仅作示意"))
    return lines


def zone_lines(level: str, row: dict, *, hide_phones: bool,
               has_chiefs: bool) -> list[tuple[str, str]]:
    """(label, text) lines describing one lake or reservoir zone (片)."""
    lines = [("湖库", f"{row.get('water_name', '')}（{row.get('water_code', '')}）"),
             ("分片", f"{row.get('admin_name', '')}片（{row.get('zone_code', '')}）"),
             ("面积", f"{float(row.get('area_m2', 0.0)) / 1e6:.3f} km²")]
    if has_chiefs:
        person = _person(row, hide_phones) or "未设"
        lines.append((f"{LEVEL_NAMES[level]}湖长", person))
    else:
        lines.append((f"{LEVEL_NAMES[level]}责任单位", str(row.get("admin_name", ""))))
    if bool(row.get("synthetic")):
        lines.append(("说明", "合成数据，仅作示意"))
    return lines
