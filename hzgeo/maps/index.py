"""The index page of a run (``index.html``): summary numbers, a link to every file written,
the sources, the hzgeo version and the data date.

Rendered from ``templates/index.html`` by jinja2 with autoescaping on: every text from the
data (file names, river and unit names, sources) is escaped. The page is plain: no script,
nothing fetched.

Examples
--------
>>> from pathlib import Path
>>> summary = {"version": "0.1", "data_date": "2023-06-30", "sources": "<样例>",
...            "levels": {"county": {"reaches": 2, "km": 1234.5, "zones": 0}},
...            "defects": 0, "defects_by_kind": {}, "sections": 1,
...            "confluences": 0, "labels": {"R03": "郁江"}, "area": "贵港市港北区"}
>>> page = index_html(summary, {"sheet_R03.png": Path("sheet_R03.png")})
>>> "sheet_R03.png</a> 郁江" in page, "&lt;样例&gt;" in page, "1,234.50" in page
(True, True, True)
>>> "<h1>贵港市港北区河长制分级分段名录与分布示意图</h1>" in page
True
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader

from hzgeo.labels import LEVEL_NAMES

__all__ = ["index_html"]

#: Sections of the page: title, the file-name prefixes listed under it.
GROUPS = [
    ("名录", ("directory",)),
    ("分布示意图（网页）", ("map_",)),
    ("打印图", ("sheet_",)),
    ("核查", ("audit", "defects")),
    ("跨界断面、交汇处、公示牌", ("field",)),
    ("河段空间数据", ("segments",)),
]

_ENV = Environment(loader=PackageLoader("hzgeo.maps", "templates"), autoescape=True,
                   keep_trailing_newline=True)


#: What the files of fixed name hold, in Chinese (the page has no English: formats are
#: said in words, not as CSV, GeoPackage, JSON).
DESCRIPTIONS = {
    "directory.xlsx": "河长制分级分段名录（电子表格，可打印）",
    "directory.gpkg": "河长制分级分段名录（空间数据）",
    "directory.changes.csv": "名录变更（与上一版名录相比；逗号分隔表格）",
    "audit.json": "河湖责任核查报告（机器可读数据）",
    "defects.gpkg": "核查发现的问题及其位置（空间数据，供地理信息系统软件）",
    "field.gpkg": "跨界断面、主要交汇处、公示牌位置（空间数据，供地理信息系统软件）",
    "field.xlsx": "跨界断面、主要交汇处、公示牌（电子表格）",
    "field.kml": "跨界断面、主要交汇处、公示牌（地图标注文件，可在奥维等地图软件中打开）",
    "segments.gpkg": "各级河段、湖库分片及其长度（空间数据，供地理信息系统软件）",
}
#: Any other file: its format.
FORMATS = {".csv": "逗号分隔表格", ".xlsx": "电子表格", ".gpkg": "空间数据",
           ".json": "机器可读数据", ".kml": "地图标注文件", ".html": "网页",
           ".pdf": "可打印文件", ".png": "图片", ".geojson": "空间数据"}


def file_label(name: str, labels: dict[str, str]) -> str:
    """What a file shows: ``map_450802.html`` -> 港北区, ``sheet_city.png`` -> 全市 (or
    ``labels["city"]``: in a county run the whole of the run, 贵港市港北区); the other
    files say what they hold, in Chinese: ``audit.json`` -> 河湖责任核查报告（机器可读数据）,
    ``directory.汇总.csv`` -> 名录·汇总（逗号分隔表格）, ``field.notice_boards.csv`` ->
    公示牌（逗号分隔表格）."""
    from hzgeo.field.export import LAYER_NAMES, SHEETS

    stem = name.split(".")[0]
    if stem.startswith(("map_", "sheet_")):
        code = stem.split("_", 1)[1]
        return labels.get("city", "全市") if code == "city" else labels.get(code, "")
    if name in DESCRIPTIONS:
        return DESCRIPTIONS[name]
    parts = name.split(".")
    kind = FORMATS.get(Path(name).suffix.lower(), "文件")
    if len(parts) == 3 and parts[0] == "directory":
        return f"名录·{parts[1]}（{kind}）"
    layers = {layer: SHEETS[key] for key, layer in LAYER_NAMES.items()}
    if len(parts) == 3 and parts[0] == "field" and parts[1] in layers:
        what = layers[parts[1]]  # 短河段（无单独公示牌） -> 短河段（无单独公示牌；逗号分隔表格）
        return f"{what[:-1]}；{kind}）" if what.endswith("）") else f"{what}（{kind}）"
    return kind


def _facts(summary: dict) -> list[str]:
    facts = []
    if summary.get("joint_meetings") is not None:
        facts.append(f"联席会议：{summary['joint_meetings']} 个")
        facts.append(f"总河长、副总河长：{summary['total_chiefs']} 名")
    sites = (f"跨界断面：{summary['sections']} 处；主要交汇处：{summary['confluences']} 处")
    if summary.get("boards") is not None:
        sites += f"；公示牌：{summary['boards']} 块"
    facts.append(sites)
    defects = summary["defects"]
    facts.append("核查：无缺陷" if defects == 0 else
                 f"核查：{defects} 处缺陷（" + "、".join(
                     f"{kind} {n} 处" for kind, n in summary["defects_by_kind"].items()) + "）")
    basis = {"chief": "名河长", "unit": "个责任单位"}
    for row in summary.get("coverage_rows") or []:
        line = (f"{LEVEL_NAMES.get(row['level'], row['level'])}：河流 "
                f"{row['water_m'] / 1000:,.2f} 公里，{row['percent']:.3f} % 恰有一"
                f"{basis.get(row['basis'], row['basis'])}")
        if row.get("lake_m2", 0) > 0:
            line += (f"；湖库 {row['lake_m2'] / 1e6:,.2f} 平方公里，{row['lake_percent']:.3f} % "
                     f"恰有一{basis.get(row['basis'], row['basis'])}")
        facts.append(line)
    return facts


def index_html(summary: dict, files: dict[str, Path]) -> str:
    """The index page of a run, as HTML text.

    Parameters
    ----------
    summary : dict
        ``PhaseOne.summary``: ``levels`` (per level ``reaches``, ``km``, ``zones`` and,
        with chiefs, ``chiefs`` and ``vacant``), ``defects``, ``defects_by_kind``,
        ``coverage`` (lines), ``sections``, ``confluences``, ``boards``,
        ``joint_meetings``, ``total_chiefs``, ``version``, ``data_date``, ``sources``,
        ``labels`` (code -> name, to say what each file shows; ``"city"``: what the
        run's ``*_city`` files show, default 全市), ``area`` (what the run covers, named
        in the title: 贵港市, or 贵港市港北区 in a county run).
    files : dict of str -> Path
        Every file written, by name; each but ``index.html`` is linked.
    """
    levels = []
    for level, row in summary["levels"].items():
        levels.append({"name": LEVEL_NAMES.get(level, level), "reaches": row["reaches"],
                       "km": f"{row['km']:,.2f}", "zones": row["zones"],
                       "chiefs": row.get("chiefs", ""), "vacant": row.get("vacant", "")})
    with_chiefs = "chiefs" in next(iter(summary["levels"].values()), {})
    labels = summary.get("labels", {})
    names = sorted(n for n in files if n != "index.html")
    groups = []
    for title, prefixes in GROUPS:
        links = [{"name": n, "label": file_label(n, labels)}
                 for n in names if n.startswith(prefixes)]
        if links:
            groups.append({"title": title, "links": links})
    return _ENV.get_template("index.html").render(
        area=summary.get("area", ""), version=summary["version"], data_date=summary["data_date"],
        sources=summary.get("sources", ""), levels=levels, with_chiefs=with_chiefs,
        facts=_facts(summary), groups=groups)
