"""Phase one end to end (hzgeo.run_phase_one): every output, all or nothing, linked."""

from __future__ import annotations

import io
import json
import multiprocessing
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

import hzgeo
import hzgeo.field as field_module
from hzgeo._progress import Steps
from hzgeo.errors import DataQualityError

PROBE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def guigang():
    boundaries, waters = hzgeo.datasets.guigang()
    officials = hzgeo.read_officials(hzgeo.datasets.guigang_officials())
    return boundaries, waters, officials


@pytest.fixture(scope="module")
def run(guigang, tmp_path_factory):
    boundaries, waters, officials = guigang
    out = tmp_path_factory.mktemp("run")
    (out / "mine.txt").write_text("the user's own file")
    done = hzgeo.run_phase_one(boundaries, waters, out, officials=officials, maps=False,
                               data_date="2023-06-30", sources=f"sample {PROBE}")
    return out, done


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("href", "src")]


def test_every_output_is_written_and_nothing_else_is_touched(run):
    out, done = run
    names = {p.name for p in out.iterdir()}
    for name in ("segments.gpkg", "directory.xlsx", "audit.json", "defects.gpkg",
                 "field.gpkg", "field.xlsx", "field.kml", "index.html"):
        assert name in names, name
    assert any(n.startswith("directory.") and n.endswith(".csv") for n in names)
    assert (out / "mine.txt").read_text() == "the user's own file"
    assert not [n for n in names if "partial" in n]
    assert set(done.files) == names - {"mine.txt"}


def test_index_links_every_file_and_only_existing_ones(run):
    out, done = run
    parser = _Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert set(parser.links) == set(done.files) - {"index.html"}
    assert "script" not in parser.tags  # a plain page: nothing runs, nothing is fetched


def test_index_summary_agrees_with_the_results(run):
    out, done = run
    text = (out / "index.html").read_text(encoding="utf-8")
    seg, chiefs = done.segmentation, done.chiefs
    for level in ("county", "township", "village"):
        reaches = seg.reaches[level]
        km = reaches.loc[reaches["primary"], "length_m"].sum() / 1000
        assert f"<td>{len(reaches)}</td><td>{km:,.2f}</td>" in text, level
    assert f"联席会议：{len(chiefs.joint_meetings)} 个" in text
    assert "核查：无缺陷" in text and done.audit.ok


def test_every_text_from_the_data_is_escaped_in_the_index(run):
    out, _ = run
    text = (out / "index.html").read_text(encoding="utf-8")
    assert PROBE not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text


def test_outputs_carry_the_data_date_and_version(run):
    out, _ = run
    about = pyogrio.read_dataframe(out / "segments.gpkg", layer="about")
    assert about["data_date"].tolist() == ["2023-06-30"]
    assert about["hzgeo_version"].tolist() == [hzgeo.__version__]
    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert report["summary"]["data_date"] == "2023-06-30"
    assert report["summary"]["hzgeo_version"] == hzgeo.__version__
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2023-06-30" in index and hzgeo.__version__ in index
    from openpyxl import load_workbook

    book = load_workbook(out / "directory.xlsx", read_only=True)
    first = book[book.sheetnames[1]]
    title = next(first.iter_rows(max_row=1, values_only=True))[0]
    assert "2023-06-30" in str(title)


def test_segments_layers_match_the_segmentation(run):
    out, done = run
    county = pyogrio.read_dataframe(out / "segments.gpkg", layer="reaches_county")
    expected = done.segmentation.reaches["county"]
    assert county["reach_code"].tolist() == expected["reach_code"].tolist()
    assert county["length_m"].to_numpy() == pytest.approx(expected["length_m"].to_numpy(),
                                                          rel=1e-12)


def test_a_failure_halfway_leaves_earlier_outputs_byte_identical(guigang, tmp_path,
                                                                 monkeypatch):
    boundaries, waters, officials = guigang
    hzgeo.run_phase_one(boundaries, waters, tmp_path, officials=officials, maps=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(field_module, "write_field", broken)
    with pytest.raises(OSError, match="disk full"):
        hzgeo.run_phase_one(boundaries, waters, tmp_path, officials=officials, maps=False,
                            data_date="1999-01-01")
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before


def test_boundaries_too_defective_to_segment_still_get_their_audit(guigang, tmp_path):
    boundaries, waters, _ = guigang
    villages = boundaries["village"].to_crs("EPSG:4546")
    river = waters.rivers.to_crs("EPSG:4546").union_all()
    crossed = villages.index[villages.intersects(river)][0]
    villages.loc[crossed, "geometry"] = villages.loc[crossed, "geometry"].buffer(300)
    levels = dict(boundaries.levels) | {"village": villages.to_crs(boundaries.crs)}
    damaged = hzgeo.Boundaries(levels, dict(boundaries.origin))
    with pytest.raises(DataQualityError):
        hzgeo.run_phase_one(damaged, waters, tmp_path, maps=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json", "defects.gpkg"]
    report = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert not report["ok"]
    kinds = {d["kind"] for d in report["defects"]}
    assert "overlap" in kinds
    code = villages.loc[crossed, "code"]
    assert any(code in d["codes"] for d in report["defects"] if d["kind"] == "overlap")


def test_without_office_holders_no_directory_and_no_boards(guigang, tmp_path):
    boundaries, waters, _ = guigang
    done = hzgeo.run_phase_one(boundaries, waters, tmp_path, maps=False)
    names = {p.name for p in tmp_path.iterdir()}
    assert done.chiefs is None
    assert not [n for n in names if n.startswith("directory")]
    layers = set(pyogrio.list_layers(tmp_path / "field.gpkg")[:, 0])
    assert not [name for name in layers if "board" in name]
    assert any("section" in name for name in layers)


def test_steps_print_a_line_each_when_not_a_terminal():
    stream = io.StringIO()
    steps = Steps(2, stream=stream, tty=False)
    for label in ("segment", "write"):
        with steps.step(label):
            pass
    lines = stream.getvalue().splitlines()
    assert [re.sub(r" \.\.\. .*", "", line) for line in lines] == [
        "hzgeo: [1/2] segment", "hzgeo: [2/2] write"]
    quiet = io.StringIO()
    with Steps(1, stream=quiet, quiet=True).step("x"):
        pass
    assert quiet.getvalue() == ""


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="sheets draw in turn where there is no fork")
def test_the_progress_bar_leaves_the_process_free_to_fork_its_sheet_workers():
    # at a terminal hzgeo run shows a tqdm bar; tqdm's monitor thread would make
    # write_maps draw the sheets in turn (a process with threads must not fork)
    code = textwrap.dedent("""
        import io, threading
        from hzgeo._progress import Steps
        from hzgeo.maps.write import _SheetData, _sheet_pool
        steps = Steps(3, stream=io.StringIO(), tty=True)
        with steps.step("draw maps"):
            pool = _sheet_pool(_SheetData(None, None, None, None, None), 2)
            print(threading.active_count(), pool is not None)
            if pool is not None:
                pool.shutdown()
        steps.close()
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["1", "True"]


def test_limit_to_county_keeps_one_county_and_measures_inside_it(guigang):
    from hzgeo.select import limit_to_county

    boundaries, waters, _ = guigang
    one = limit_to_county(boundaries, "港北区")
    assert one["county"]["code"].tolist() == ["450802"]
    assert one["village"]["code"].str.startswith("450802").all()
    # every river given: those of the other counties have no reach here, and no note
    result = hzgeo.segment_waters(one, waters)
    county = boundaries["county"].set_index("code").loc["450802", "geometry"]
    rivers = waters.rivers.set_index("river_code")
    # independent: the geodesic length of each river inside the county polygon, closed
    # (GEOS drops most of a line lying exactly on a polygon's boundary, so the polygon is
    # grown by 1e-7 degrees, about 1 cm); 郁江 runs on its border with 港南区, a 界河
    # shared by both (as in the whole city: the rows of 港北区 there)
    from pyproj import Geod

    geod = Geod(ellps="GRS80")
    lengths = result.river_lengths.set_index("river_code")["length_m"]
    whole = hzgeo.segment_waters(boundaries, waters).reaches["county"]
    assert lengths["R03"] == pytest.approx(
        whole.loc[(whole["admin_code"] == "450802") & (whole["river_code"] == "R03"),
                  "length_m"].sum(), abs=1e-6)
    assert lengths["R03"] > 40_000
    words = pd.concat([result.reaches[lvl][["start_desc", "end_desc"]] for lvl in
                       ("county", "township", "village")]).stack()
    # where the rivers cross the county border, the units that meet there are named
    assert words.str.contains("港北区与港南区交界处").any()
    assert not words.str.contains("港北区界").any()
    for code, measured in lengths.drop("R03").items():
        inside = shapely.intersection(rivers.loc[code, "geometry"], county.buffer(1e-7))
        assert measured == pytest.approx(geod.geometry_length(inside), rel=1e-5, abs=0.05)


def test_an_unknown_county_names_the_counties(guigang):
    from hzgeo.select import limit_to_county

    with pytest.raises(hzgeo.InputError, match="港北区") as err:
        limit_to_county(guigang[0], "港北")
    assert "450802" in str(err.value)


def test_summary_counts_chiefs_per_level(run):
    _, done = run
    village = pd.concat([done.chiefs.reaches["village"], done.chiefs.zones["village"]])
    assert done.summary["levels"]["village"]["chiefs"] == village["chief_name"].nunique()
    assert done.summary["levels"]["village"]["vacant"] == 0


@pytest.mark.parametrize("county", ["450821", "450802"])
def test_a_county_whose_border_a_river_follows_audits_clean(guigang, county):
    """浔江 (平南县) and 郁江 (港北区) run on the county border: limited to that county,
    they lie on the area's outline, which is inside it, not counted twice or missed."""
    from hzgeo.select import limit_to_county

    boundaries, waters, _ = guigang
    one = limit_to_county(boundaries, county)
    report = hzgeo.audit(one, waters)
    assert report.ok, report.text()
    assert (report.coverage["percent"] >= 99.9995).all()  # prints as 100.000 %


def test_index_names_what_each_map_shows(run):
    from hzgeo.maps.index import index_html

    _, done = run
    files = dict(done.files) | {n: Path(n) for n in (
        "map_450802.html", "sheet_R03.png", "sheet_city.pdf")}
    text = index_html(done.summary, files)
    assert 'map_450802.html</a> 港北区' in text
    assert 'sheet_R03.png</a> 郁江' in text
    assert 'sheet_city.pdf</a> 全市' in text
    # no English in the Chinese page: once the file names, the sources, "hzgeo" and the
    # markup are taken out, no Latin word is left
    import html
    import re

    body = text.split("<body>", 1)[1]
    body = re.sub(r"<a href=[^>]*>[^<]*</a>", "", body)
    body = re.sub(r"<[^>]+>", " ", body.replace(html.escape(done.summary["sources"]), ""))
    assert re.findall(r"[A-Za-z]{2,}", body.replace("hzgeo", "")) == []


def test_units_derived_without_names_get_advice_on_the_name_columns(guigang, tmp_path):
    boundaries, waters, officials = guigang
    villages = boundaries["village"][["code", "name", "geometry"]]
    villages.to_file(tmp_path / "cun.gpkg", layer="village")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hzgeo.HzgeoWarning)  # "named by their codes"
        mine = hzgeo.read_boundaries({"village": tmp_path / "cun.gpkg"})
        result = hzgeo.segment_waters(mine, waters)
    with pytest.raises(hzgeo.InputError, match="乡镇名称") as err:
        hzgeo.assign_chiefs(result, mine, waters, officials)
    assert "county_name" in str(err.value)


def test_every_index_link_says_what_it_is_in_chinese(run):
    """Issue #16: index.html listed field.*, audit.json, segments.gpkg, defects.gpkg and
    directory.xlsx by file name alone. Every link is followed by a Chinese description
    (no Latin word in it: the formats are said in Chinese too)."""
    out, done = run
    page = (out / "index.html").read_text(encoding="utf-8")
    said = dict(re.findall(r'<li><a href="([^"]+)">[^<]*</a>([^<]*)</li>', page))
    assert set(said) == set(done.files) - {"index.html"}
    assert [n for n, text in said.items() if not re.search(r"[\u4e00-\u9fff]", text)
            or re.search(r"[A-Za-z]", text)] == []
    assert said["audit.json"] == " 河湖责任核查报告（机器可读数据）"
    assert said["segments.gpkg"] == " 各级河段、湖库分片及其长度（空间数据，供地理信息系统软件）"
    assert said["directory.xlsx"] == " 河长制分级分段名录（电子表格，可打印）"
    assert said["directory.汇总.csv"] == " 名录·汇总（逗号分隔表格）"
    assert said["field.notice_boards.csv"] == " 公示牌（逗号分隔表格）"
    assert said["field.short_reaches.csv"] == " 短河段（无单独公示牌；逗号分隔表格）"
    assert said["field.kml"] == (" 跨界断面、主要交汇处、公示牌"
                                 "（地图标注文件，可在奥维等地图软件中打开）")
