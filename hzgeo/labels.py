"""Chinese words of every output, in one place: level names, column headers, kinds.

hzgeo's tables use English snake_case columns and English codes (``county``, ``lake``,
``boundary_start``) inside; every output an office reads (directory, field tables, maps,
boards, the index page) translates them with the mappings here, so one word is spelled
one way everywhere.

Examples
--------
>>> from hzgeo.labels import LEVEL_NAMES, HEADERS, level_name
>>> LEVEL_NAMES["county"], HEADERS["chief_name"]
('县级', '河长')
>>> level_name("township", short=True)
'乡'
"""

from __future__ import annotations

__all__ = ["AUDIT_HEADERS", "CITY_EXTENT", "DEFECT_NAMES", "FIELD_HEADERS", "HEADERS",
           "KIND_NAMES", "LEVEL_NAMES", "LEVEL_SHORT", "MEASURE_UNITS", "PLACEMENT_NAMES",
           "SCALE_NAMES", "SITE_KIND_NAMES", "UNIT_NAMES", "VACANT", "extent_name", "level_name"]

#: Level names as in 市级河长, 县级河段.
LEVEL_NAMES: dict[str, str] = {"city": "市级", "county": "县级", "township": "乡级",
                               "village": "村级"}

#: One-character level names as in 市、县、乡、村 (duties in that order).
LEVEL_SHORT: dict[str, str] = {"city": "市", "county": "县", "township": "乡", "village": "村"}

#: The unit of each level as a column heading names it.
UNIT_NAMES: dict[str, str] = {"city": "市", "county": "县（市、区）", "township": "乡镇（街道）",
                              "village": "村（社区）"}

#: The area a run on the whole city covers, as 不在市域内 says it.
CITY_EXTENT = "市域"


def extent_name(county: str | None = None) -> str:
    """The area a run covers, as 不在……内 says it: 市域 for the whole city; the county's
    own name for a run limited to one (a 区, 县 or 县级市 alike: 港北区, 平南县, 桂平市).

    Examples
    --------
    >>> f"河口不在{extent_name()}内", f"河口不在{extent_name('港北区')}内"
    ('河口不在市域内', '河口不在港北区内')
    """
    return county if county else CITY_EXTENT


#: Kinds of water.
KIND_NAMES: dict[str, str] = {"river": "河流", "lake": "湖泊", "reservoir": "水库"}

#: Scale of a lake or reservoir.
SCALE_NAMES: dict[str, str] = {"large": "大型", "medium": "中型", "small": "小型"}

#: Kinds of field site (sections, confluences, boards).
SITE_KIND_NAMES: dict[str, str] = {
    "crossing": "跨界", "boundary_start": "界河起点", "boundary_end": "界河终点",
    "boundary_change": "界河换段", "entry": "入境", "exit": "出境",
    "confluence": "交汇", "reach": "河段", "boundary_reach": "界河河段", "zone": "湖库分片"}

#: Where a notice board stands (its ``placement``).
PLACEMENT_NAMES: dict[str, str] = {
    "nearest_seat": "河段上距村委会最近处", "middle": "河段中点（无村委会位置）",
    "even": "沿河段均匀分布", "shore_nearest_seat": "岸线上距村委会最近处",
    "shore": "岸线上距水体中心最近处（无村委会位置）"}

#: Each kind of audit row (``hzgeo.audit.DEFECT_KINDS``) as a map popup names it.
DEFECT_NAMES: dict[str, str] = {
    "invalid_geometry": "几何无效", "overlap": "界线重叠", "gap": "界线缝隙",
    "outside_parent": "超出上级界线", "code_mismatch": "编码与上级不符",
    "duplicate_code": "编码重复",
    "near_miss_edge": "界线未对齐", "zero_length_river": "河流长度为零",
    "unknown_flows_into": "汇入河流不存在", "mouth_off_river": "河口不在汇入河流上",
    "uncovered_water": "水体无河段覆盖", "double_counted_water": "水体重复计入",
    "no_chief": "无河长", "vacant_total_chief": "总河长空缺", "no_convenor": "无召集人",
    "overloaded_chief": "河长兼任河段过多", "sliver": "碎小河段", "boundary_reach": "界河河段",
    "outside_city": "河段在市域外",
}

#: Chinese names of the audit table's columns shown to a reader (map popups).
AUDIT_HEADERS: dict[str, str] = {
    "kind": "问题类型", "level": "层级", "codes": "相关编码", "names": "相关名称", "code": "编码",
    "name": "名称", "water_name": "河湖名称", "detail": "说明", "measure": "量值", "unit": "单位",
    "layer": "图层",
}

#: Units of the audit's measures as a reader writes them.
MEASURE_UNITS: dict[str, str] = {"m": "米", "m2": "平方米", "": ""}

#: What a vacant chief's name cell shows.
VACANT = "（空缺）"

#: Chinese header of every column the directory writes (English names inside hzgeo).
HEADERS: dict[str, str] = {
    "reach_code": "河段编码",
    "river_code": "河流编码",
    "river_name": "河流名称",
    "reach_name": "河段名称",
    "county_name": UNIT_NAMES["county"],
    "township_name": UNIT_NAMES["township"],
    "village_name": UNIT_NAMES["village"],
    "admin_code": "行政区划代码",
    "admin_name": "行政区",
    "admin_full_name": "统计用名称",
    "parent_reach_code": "上级河段编码",
    "start_desc": "起点",
    "end_desc": "终点",
    "from_km": "起点里程（公里）",
    "to_km": "终点里程（公里）",
    "length_km": "长度（公里）",
    "boundary": "界河",
    "shared_with_name": "对岸行政区",
    "chief_name": "河长",
    "chief_post": "职务",
    "chief_phone": "联系电话",
    "other_bank_chief": "对岸河长",
    "office": "河长制办公室",
    "seat": "办公地点",
    "supervision_phone": "监督电话",
    "chief_required": "设河长",
    "vacant": "空缺",
    "synthetic": "示意数据",
    "zone_code": "分片编码",
    "water_code": "湖库编码",
    "water_name": "湖库名称",
    "joint_water_code": "河湖库编码",
    "joint_water_name": "河湖库名称",
    "kind": "类型",
    "scale": "规模",
    "level": "层级",
    "area_km2": "面积（平方公里）",
    "role": "职责",
    "post": "职务",
    "main_river": "主要河流",
    "members": "成员县（市、区）及河段长度",
    "member_codes": "成员代码",
    "convenor_name": "召集县（市、区）",
    "convenor_code": "召集县代码",
    "convenor_chief": "召集人",
    "rule": "确定规则",
    "note": "说明",
    "what": "空缺说明",
    "item_kind": "责任类别",
    "item_code": "编码",
    "item_name": "名称",
    "extent": "长度（公里）/面积（平方公里）",
    "change": "变更",
    "old_chief": "原河长",
    "old_post": "原职务",
    "new_chief": "现河长",
    "new_post": "现职务",
    "scope": "范围",
    "start_end": "起止",
    "bank": "界河岸别",
    "flows_into": "汇入",
    "counties": "所在县（市、区）",
    "top_level": "最高河长层级",
    "top_chief": "最高层级河长（职务）",
    "hzgeo_version": "生成版本",
    "data_date": "数据日期",
}

_SHARED = ("river_code", "river_name", "level", "kind", "county_name", "township_name",
           "village_name", "start_desc", "end_desc", "from_km", "to_km", "length_km",
           "area_km2", "boundary", "supervision_phone", "note", "synthetic")

#: Chinese headers of the field tables (sections, confluences, boards); the words they
#: share with the directory come from :data:`HEADERS`.
FIELD_HEADERS: dict[str, str] = {k: HEADERS[k] for k in _SHARED} | {
    "section_code": "断面编码", "confluence_code": "交汇点编码", "board_code": "公示牌编码",
    "main": "主要河流", "at_km": "里程（公里）",
    "upstream_code": "上游行政区代码", "upstream_name": "上游行政区",
    "downstream_code": "下游行政区代码", "downstream_name": "下游行政区",
    "into_code": "汇入河流编码", "into_name": "汇入河流", "into_main": "汇入主要河流",
    "into_km": "汇入河流里程（公里）", "gap_m": "河口距汇入河流（米）",
    "county_code": "县级代码", "township_code": "乡级代码", "village_code": "村级代码",
    "water_code": "河湖编码", "water_name": "河湖名称", "description": "河湖简介",
    "item_code": "河段/分片编码", "item_name": "河段/分片名称",
    "admin_codes": "行政区代码", "admin_names": "行政区",
    "bank": HEADERS["bank"], "across_codes": "对岸行政区代码", "across_names": "对岸行政区",
    "village_chiefs": LEVEL_NAMES["village"] + "河长",
    "township_chiefs": LEVEL_NAMES["township"] + "河长",
    "county_chiefs": LEVEL_NAMES["county"] + "河长", "city_chief": LEVEL_NAMES["city"] + "河长",
    "duties": "河长职责", "targets": "治理目标", "complaint_phone": "投诉电话",
    "issuing_office": "落款单位", "issued_on": "落款日期", "prohibited": "禁止行为",
    "placement": "选址方法", "county_phone": "县级监督电话", "city_phone": "市级监督电话",
    "qr_url": "二维码网址", "section_name": "断面名称", "control_level": "控制级别",
    "target_class": "水质目标", "unit": "责任单位", "frequency": "监测频次",
    "reaches": "河段数", "reach_code": HEADERS["reach_code"],
    "reach_name": HEADERS["reach_name"], "length_m": "长度（米）",
    "board_index": "序号", "boards_on_item": "本段牌数", "chief_keys": "河长关联编码",
    "lon": "经度（WGS84）", "lat": "纬度（WGS84）", "x": "X（CGCS2000 高斯-克吕格，米）",
    "y": "Y（CGCS2000 高斯-克吕格，米）", "xy_crs": "平面坐标系", "reason": "重制原因",
}


def level_name(level: str, *, short: bool = False) -> str:
    """The Chinese name of ``level`` (``city`` ... ``village``); unknown values unchanged.

    Examples
    --------
    >>> level_name("village"), level_name("village", short=True), level_name("other")
    ('村级', '村', 'other')
    """
    return (LEVEL_SHORT if short else LEVEL_NAMES).get(level, level)
