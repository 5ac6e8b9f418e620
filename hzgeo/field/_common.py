"""What the field modules share: point columns, Chinese headers and names, table text."""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from hzgeo.io import work_crs_for
from hzgeo.settings import BOUNDARY_TOLERANCE_M, STORE_CRS

#: Chinese headers of the field tables (written by :func:`hzgeo.field.write_field`).
FIELD_HEADERS: dict[str, str] = {
    "section_code": "断面编码", "section_name": "断面名称", "confluence_code": "交汇点编码",
    "board_code": "公示牌编码", "river_code": "河流编码", "river_name": "河流名称",
    "main": "主要河流", "level": "层级", "kind": "类型", "at_km": "里程（公里）",
    "upstream_code": "上游行政区代码", "upstream_name": "上游行政区",
    "downstream_code": "下游行政区代码", "downstream_name": "下游行政区",
    "control_level": "控制级别", "target_class": "水质目标", "unit": "责任单位",
    "frequency": "监测频次",
    "into_code": "汇入河流编码", "into_name": "汇入河流", "into_main": "汇入主要河流",
    "into_km": "汇入河流里程（公里）", "gap_m": "河口距汇入河流（米）",
    "county_code": "县级代码", "county_name": "县（市、区）",
    "township_code": "乡级代码", "township_name": "乡镇（街道）",
    "village_code": "村级代码", "village_name": "村（社区）",
    "water_code": "河湖编码", "water_name": "河湖名称", "description": "河湖简介",
    "item_code": "河段/分片编码", "item_name": "河段/分片名称", "reaches": "河段数",
    "start_desc": "起点", "end_desc": "终点", "from_km": "起点里程（公里）",
    "to_km": "终点里程（公里）", "length_km": "长度（公里）", "length_m": "长度（米）",
    "area_km2": "面积（平方公里）",
    "boundary": "界河", "admin_codes": "行政区代码", "admin_names": "行政区",
    "city_chief": "市级河长", "county_chiefs": "县级河长", "township_chiefs": "乡级河长",
    "village_chiefs": "村级河长", "duties": "河长职责", "targets": "治理目标",
    "county_phone": "县级监督电话", "city_phone": "市级监督电话",
    "complaint_phone": "投诉电话", "qr_url": "二维码网址",
    "issuing_office": "落款单位", "issued_on": "落款日期", "prohibited": "禁止行为",
    "placement": "选址方法", "board_index": "序号", "boards_on_item": "本段牌数",
    "chief_keys": "河长关联编码", "reach_code": "河段编码", "reach_name": "河段名称",
    "chief_name": "村级河长姓名", "min_length_m": "设牌最短长度（米）",
    "lon": "经度（WGS84）", "lat": "纬度（WGS84）", "x": "X（CGCS2000 高斯-克吕格，米）",
    "y": "Y（CGCS2000 高斯-克吕格，米）", "xy_crs": "平面坐标系", "note": "说明",
    "synthetic": "示意数据", "reason": "重制原因",
}
#: Columns holding codes (kept as text in XLSX and CSV).
CODE_COLUMNS = {"section_code", "confluence_code", "board_code", "river_code",
                "upstream_code", "downstream_code", "into_code", "county_code",
                "township_code", "village_code", "water_code", "item_code", "admin_codes",
                "chief_keys", "reach_code"}
#: Chinese names of the levels (层级).
LEVEL_CN = {"city": "市级", "county": "县级", "township": "乡级", "village": "村级"}
#: Chinese names of the kinds of sections, confluences and boards (类型).
KIND_CN = {"crossing": "跨界", "boundary_start": "界河起点", "boundary_end": "界河终点",
           "boundary_change": "界河换段", "entry": "入境", "exit": "出境",
           "confluence": "交汇", "reach": "河段", "boundary_reach": "界河河段",
           "zone": "湖库分片"}
#: Chinese names of the board placements (选址方法).
PLACEMENT_CN = {"nearest_seat": "河段上距村委会最近处", "middle": "河段中点（无村委会位置）",
                "even": "沿河段均匀分布", "shore_nearest_seat": "岸线上距村委会最近处",
                "shore": "岸线上距水体中心最近处（无村委会位置）"}
_VALUE_CN = {"kind": KIND_CN, "level": LEVEL_CN, "placement": PLACEMENT_CN}


def is_missing(value) -> bool:
    """None, NaN or empty text."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def display(column: str, value) -> str:
    """``value`` of ``column`` as people read it: flags 是/否, kinds and levels in Chinese."""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    names = _VALUE_CN.get(column)
    if names is not None:
        return names.get(value, str(value))
    return str(value)


def labelled(row: Mapping, columns: list[str]):
    """(Chinese header, text) of the ``columns`` of ``row`` that have a value."""
    for column in columns:
        value = row.get(column)
        if not is_missing(value):
            yield FIELD_HEADERS.get(column, column), display(column, value)


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """A field table for people: Chinese headers and values, codes as text, no geometry."""
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for column in out.columns:
        if column in CODE_COLUMNS:
            out[column] = out[column].map(lambda v: "" if is_missing(v) else str(v))
        elif out[column].dtype == bool or column in _VALUE_CN:
            out[column] = out[column].map(
                lambda v, c=column: v if is_missing(v) else display(c, v))
    return out.rename(columns=FIELD_HEADERS)


def tolerance(rivers: pd.DataFrame, result=None) -> dict[str, float]:
    """Each river's accuracy (m): ``accuracy_m``, else the segmentation's tolerance."""
    forced = (getattr(result, "settings", None) or {}).get("boundary_tolerance_m")
    acc = pd.to_numeric(rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                        errors="coerce").to_numpy(dtype=float)
    if forced is not None:
        acc = np.full(len(rivers), float(forced))
    acc = np.where(np.isfinite(acc) & (acc > 0), acc, BOUNDARY_TOLERANCE_M)
    return dict(zip(rivers["river_code"], acc.tolist(), strict=True))


def work_crs(result) -> pyproj.CRS:
    """The projected CRS the segmentation worked in."""
    crs = (getattr(result, "settings", None) or {}).get("work_crs")
    if crs:
        return pyproj.CRS.from_user_input(crs)
    frame = next(f for f in result.reaches.values() if len(f))
    return work_crs_for(frame)


def point_columns(points: np.ndarray, crs) -> dict[str, np.ndarray]:
    """lon/lat (WGS84) and x/y (``crs``) of shapely points given in ``crs``."""
    xy = shapely.get_coordinates(points) if len(points) else np.empty((0, 2))
    to_wgs = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1]) if len(xy) else (np.array([]),) * 2
    return {"lon": np.round(np.asarray(lon, float), 7), "lat": np.round(np.asarray(lat, float), 7),
            "x": np.round(xy[:, 0], 2), "y": np.round(xy[:, 1], 2)}


def point_frame(rows: list[dict], columns: list[str], points: list, crs) -> gpd.GeoDataFrame:
    """Rows and their points (in ``crs``) as a frame of ``columns`` in EPSG:4490, with
    lon/lat, x/y and ``xy_crs`` filled from the points."""
    frame = pd.DataFrame(rows, columns=[c for c in columns if c not in
                                        ("lon", "lat", "x", "y", "xy_crs")])
    geoms = np.asarray(points, dtype=object) if points else np.empty(0, dtype=object)
    for key, values in point_columns(geoms, crs).items():
        frame[key] = values
    frame["xy_crs"] = f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.to_string()
    out = gpd.GeoDataFrame(frame[columns], geometry=gpd.GeoSeries(geoms, crs=crs).values,
                           crs=crs)
    return out.to_crs(STORE_CRS)


def first_point(geom) -> shapely.Point:
    return shapely.Point(shapely.get_coordinates(geom)[0])


def last_point(geom) -> shapely.Point:
    return shapely.Point(shapely.get_coordinates(geom)[-1])


def unit_names(boundaries) -> dict[str, str]:
    """Code -> name of every county, township and village."""
    names: dict[str, str] = {}
    for level in ("county", "township", "village"):
        if level in boundaries:
            names.update(zip(boundaries[level]["code"], boundaries[level]["name"],
                             strict=True))
    return names
