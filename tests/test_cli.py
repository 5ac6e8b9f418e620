"""The command line: exit status, messages, outputs written whole or not at all."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from toy import make_boundaries

import hzgeo
from hzgeo.cli import main


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A folder run wrote into (everything, maps included), which held an older result and
    the user's own files; and what run printed."""
    out = tmp_path_factory.mktemp("run")
    (out / "segments.gpkg").write_text("an older result")
    (out / "notes.txt").write_bytes(b"the user's notes")
    (out / "mine").mkdir()
    (out / "mine" / "segments.gpkg").write_bytes(b"not run's")
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["run", "--out", str(out)]) == 0
    return out, printed.getvalue()


def test_run_on_the_bundled_data_writes_every_output(run_dir):
    run_dir, _ = run_dir
    layers = [name for name, _ in pyogrio.list_layers(run_dir / "segments.gpkg")]
    for name in ("reaches_county", "reaches_township", "reaches_village", "zones_county",
                 "zones_township", "zones_village", "slivers", "about"):
        assert name in layers
    county = gpd.read_file(run_dir / "segments.gpkg", layer="reaches_county")
    assert county.crs.to_epsg() == 4490
    assert {"黔江", "浔江", "郁江", "鲤鱼江", "武思江", "白沙河", "马来河", "大同江"} <= set(
        county["river_name"])
    # the directory, from the bundled sample office holders: the XLSX and its sheets
    with pd.ExcelFile(run_dir / "directory.xlsx") as book:
        sheets = book.sheet_names
    assert "村级河段" in sheets
    names = {p.name for p in run_dir.iterdir()}
    counties = hzgeo.datasets.guigang()[0]["county"]["code"].tolist()
    expected = {"segments.gpkg", "directory.xlsx", "audit.json", "defects.gpkg",
                "field.gpkg", "field.xlsx", "field.kml", "index.html", "map_city.html",
                "sheet_city.png", "sheet_city.pdf", "mine", "notes.txt",
                *(f"directory.{sheet}.csv" for sheet in sheets),
                *(f"map_{code}.html" for code in counties),
                *(f"sheet_{code}.{fmt}" for code in counties for fmt in ("png", "pdf"))}
    assert expected <= names, expected - names
    # a sheet per main river (西江干流 = 黔江 + 浔江 is one), in both formats
    river_sheets = {n for n in names if n.startswith("sheet_R")}
    assert len(river_sheets) == 2 * 7, sorted(river_sheets)
    # every map shows the field layers (their names reach the page as JSON escapes)
    text = (run_dir / "map_city.html").read_text(encoding="utf-8")
    for name in ("跨界断面", "主要交汇处", "公示牌"):
        assert name.encode("unicode_escape").decode() in text, name


def test_run_replaces_only_the_files_it_writes(run_dir):
    run_dir, _ = run_dir
    assert (run_dir / "notes.txt").read_bytes() == b"the user's notes"
    assert [p.name for p in (run_dir / "mine").iterdir()] == ["segments.gpkg"]
    assert (run_dir / "mine" / "segments.gpkg").read_bytes() == b"not run's"
    assert (run_dir / "segments.gpkg").read_bytes()[:16] == b"SQLite format 3\x00"


def test_run_prints_a_summary(run_dir):
    _, out = run_dir
    lines = out.splitlines()
    assert lines[0] == (
        "hzgeo: using the bundled Guigang sample (real county borders and three real rivers; "
        "township/village polygons, other rivers and lakes synthetic; see data/SOURCES.md)")
    assert "fictional" in lines[1]
    for level in ("county", "township", "village"):
        line = next(line for line in lines if line.strip().startswith(f"{level}:"))
        assert "reaches" in line and "km" in line and "chiefs (0 vacant)" in line
    assert "joint meetings: 7" in out
    assert "audit: no defects" in out
    assert "100.000 % with exactly one chief" in out
    assert "index.html" in lines[-1]


def test_run_exits_1_after_writing_everything_when_the_audit_finds_defects(tmp_path):
    holders = pd.read_csv(hzgeo.datasets.guigang_officials(), dtype=str,
                          encoding="utf-8-sig")
    village = holders[holders.iloc[:, 0].str.len() == 12].iloc[0, 0]
    holders = holders[holders.iloc[:, 0] != village]  # a village with no holder: vacant
    table = tmp_path / "holders.csv"
    holders.to_csv(table, index=False, encoding="utf-8-sig")
    boundaries = hzgeo.datasets.get_path("boundaries")
    waters = hzgeo.datasets.get_path("waters")
    out = tmp_path / "out"
    status = main(["run", "--boundaries", str(boundaries), "--waters", str(waters),
                   "--officials", str(table), "--out", str(out), "--no-maps", "-q"])
    assert status == 1
    names = {p.name for p in out.iterdir()}
    assert {"segments.gpkg", "directory.xlsx", "audit.json", "index.html"} <= names
    import json

    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert not report["ok"]
    assert any(d["kind"] == "no_chief" and village in d["codes"] for d in report["defects"])


def test_run_limited_to_one_county(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--county", "港北区", "--out", str(out), "--no-maps", "-q"]) == 0
    county = pyogrio.read_dataframe(out / "segments.gpkg", layer="reaches_county")
    assert set(county["admin_code"]) == {"450802"}
    village = pyogrio.read_dataframe(out / "segments.gpkg", layer="reaches_village")
    assert village["admin_code"].str.startswith("450802").all()


def test_segment_command(tmp_path):
    out = tmp_path / "s.gpkg"
    assert main(["segment", "--out", str(out), "--min-length", "50", "-q"]) == 0
    village = gpd.read_file(out, layer="reaches_village")
    assert village["length_m"].min() >= 50


def test_bad_input_exits_2_with_one_message_and_no_output(tmp_path, capsys):
    previous = tmp_path / "out"
    previous.mkdir()
    (previous / "reaches.csv").write_text("earlier result")
    status = main(["run", "--boundaries", str(tmp_path / "missing.gpkg"),
                   "--waters", str(tmp_path / "rivers.gpkg"), "--out", str(previous)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("hzgeo: error:") and "missing.gpkg: file not found" in err
    assert "Traceback" not in err
    assert (previous / "reaches.csv").read_text() == "earlier result"
    assert sorted(p.name for p in previous.iterdir()) == ["reaches.csv"]


def _toy_river(path):
    from toy import line, make_waters

    make_waters(line((-10, 500), (4010, 500))).rivers.to_file(path, layer="rivers")
    return path


def test_defective_boundaries_are_refused(tmp_path, capsys):
    bad = make_boundaries()
    bad["village"].loc[1, "parent_code"] = "450802009"
    path = tmp_path / "b.gpkg"
    for level, frame in bad.levels.items():
        frame.to_file(path, layer=level)
    _toy_river(tmp_path / "r.gpkg")
    status = main(["segment", "--boundaries", str(path), "--waters", str(tmp_path / "r.gpkg"),
                   "--out", str(tmp_path / "s.gpkg")])
    err = capsys.readouterr().err
    assert status == 2
    assert "village: code_mismatch: 450802001002 (parent_code '450802009' is no township)" in err
    assert "hzgeo check" in err
    assert "what to do:" in err
    assert not (tmp_path / "s.gpkg").exists()


def test_debug_shows_the_traceback(tmp_path, capsys):
    assert main(["run", "--boundaries", str(tmp_path / "x.gpkg"), "--debug",
                 "--waters", str(tmp_path / "y.gpkg"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "x.gpkg: file not found" in err


def test_usage_errors_exit_2(capsys):
    assert main(["segment"]) == 2
    assert "--out" in capsys.readouterr().err
    assert main(["run", "--columns", "nonsense", "--out", "x"]) == 2
    assert main(["--version"]) == 0


def test_per_level_files_and_column_mapping(tmp_path, capsys):
    villages = make_boundaries()["village"].rename(columns={"code": "XZQDM", "name": "XZQMC"})
    villages.to_file(tmp_path / "v.gpkg", layer="cun")
    rivers = gpd.GeoDataFrame({"HLDM": ["R1"], "河流名称": ["示例河"]},
                              geometry=[make_boundaries()["village"].geometry[0].boundary],
                              crs=villages.crs)
    rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    status = main(["segment", "--boundaries", f"village={tmp_path / 'v.gpkg'}",
                   "--layers", "village=cun", "--waters", str(tmp_path / "r.gpkg"),
                   "--columns", "river_code=HLDM", "--out", str(tmp_path / "s.gpkg")])
    assert status == 0, capsys.readouterr().err
    reaches = gpd.read_file(tmp_path / "s.gpkg", layer="reaches_county")
    assert reaches["river_code"].unique().tolist() == ["R1"]


def test_a_write_that_fails_halfway_leaves_the_old_output(tmp_path, monkeypatch, capsys):
    import hzgeo.output

    out = tmp_path / "s.gpkg"
    out.write_bytes(b"an earlier result")
    real = hzgeo.output._write_one
    calls = []

    def failing(frame, tmp, layer, *writer):
        calls.append(layer)
        if len(calls) == 3:
            raise OSError("No space left on device")
        real(frame, tmp, layer, *writer)

    monkeypatch.setattr(hzgeo.output, "_write_one", failing)
    assert main(["segment", "--out", str(out), "-q"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_bytes() == b"an earlier result"
    assert [p.name for p in tmp_path.iterdir()] == ["s.gpkg"]


def test_overrides_table_from_csv(tmp_path, capsys):
    table = tmp_path / "overrides.csv"
    table.write_text("river_code,action,at_km,name\nR03,cut,50,贵港大桥\n", encoding="utf-8")
    out = tmp_path / "s.gpkg"
    assert main(["segment", "--overrides", str(table), "--out", str(out), "-q"]) == 0
    log = gpd.read_file(out, layer="overrides")
    assert log["status"].tolist() == ["cut at 50 km"]
    county = gpd.read_file(out, layer="reaches_county")
    assert "贵港大桥" in set(county.loc[county["river_code"] == "R03", "end_desc"])
    bad = tmp_path / "bad.csv"
    bad.write_text("river,what\nR03,cut\n", encoding="utf-8")
    assert main(["segment", "--overrides", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "missing column(s) ['action', 'river_code']" in err


def _defective_files(tmp_path):
    """The toy region with 二村 reaching 100 m into 三村 and a 2 m gap between 三村 and 四村,
    and a river along y = 500 through all four villages."""
    from toy import box, line, make_waters

    bad = make_boundaries()
    bad["village"].loc[1, "geometry"] = box(1000, 2100)
    bad["village"].loc[2, "geometry"] = box(2000, 2998)
    path = tmp_path / "bad.gpkg"
    for level, frame in bad.levels.items():
        frame.to_file(path, layer=level)
    make_waters(line((-10, 500), (4010, 500))).rivers.to_file(tmp_path / "r.gpkg",
                                                                layer="rivers")
    return ["--boundaries", str(path), "--waters", str(tmp_path / "r.gpkg")]


def test_check_lists_defects_on_a_map_and_exits_1(tmp_path, capsys):
    inputs = _defective_files(tmp_path)
    assert main(["check", *inputs, "--out", str(tmp_path / "d.gpkg")]) == 1
    out = capsys.readouterr().out
    assert "overlap (village): 99,976 m² in 二村、三村 (450802001002,450802002001)" in out
    assert "gap (village): 2,000 m² in 乙镇 (450802002)" in out
    defects = gpd.read_file(tmp_path / "d.gpkg", layer="defects")
    assert defects.crs.to_epsg() == 4490
    assert sorted(defects["kind"]) == ["double_counted_water", "gap", "outside_city",
                                       "outside_parent", "overlap", "uncovered_water"]
    assert main(["check", "-q"]) == 0  # the bundled data has none


def test_fix_repairs_overlaps_and_narrow_gaps_and_says_so(tmp_path, capsys):
    inputs = _defective_files(tmp_path)
    fixed = tmp_path / "fixed.gpkg"
    assert main(["check", *inputs, "--fix", "--out", str(fixed)]) == 0
    out = capsys.readouterr().out
    assert "--fix: repaired" in out and "no defects" in out
    repairs = gpd.read_file(fixed, layer="repairs").set_index("code")
    moved = repairs["area_after_m2"] - repairs["area_before_m2"]
    # 二村 is clipped to its township (the parent decides); the 2 m gap goes to a neighbour
    assert repairs.loc["450802001002", "action"] == "lost area"
    assert moved["450802001002"] == pytest.approx(-100_000, rel=1e-9)
    assert len(moved) == 2 and moved.drop("450802001002").iloc[0] == pytest.approx(2_000)
    villages = gpd.read_file(fixed, layer="village").to_crs("EPSG:4546")
    area = dict(zip(villages["code"], villages.area, strict=True))
    assert area["450802001002"] == pytest.approx(1_000_000, rel=1e-9)
    assert sum(area.values()) == pytest.approx(4_000_000, rel=1e-9)
    # the repaired file is usable as it is, and --fix on segment does the same in one go
    assert main(["segment", "--boundaries", str(fixed), "--waters", inputs[3],
                 "--out", str(tmp_path / "a.gpkg"), "-q"]) == 0
    assert main(["segment", *inputs, "--out", str(tmp_path / "b.gpkg"), "-q"]) == 2
    assert main(["segment", *inputs, "--fix", "--out", str(tmp_path / "b.gpkg"), "-q"]) == 0
    a = gpd.read_file(tmp_path / "a.gpkg", layer="reaches_village")
    b = gpd.read_file(tmp_path / "b.gpkg", layer="reaches_village")
    assert a["length_m"].tolist() == pytest.approx(b["length_m"].tolist(), abs=1e-6)
    assert len(gpd.read_file(tmp_path / "b.gpkg", layer="repairs")) == len(repairs)


def test_encoding_option_and_the_guess_note(tmp_path, capsys):
    villages = make_boundaries()["village"].rename(columns={"code": "XZQDM", "name": "村名"})
    villages[["XZQDM", "村名", "geometry"]].to_file(tmp_path / "cun.shp", encoding="GBK")
    (tmp_path / "cun.cpg").unlink()
    args = ["check", "--boundaries", f"village={tmp_path / 'cun.shp'}", "--columns",
            "name=村名"]
    assert main(args) == 0
    assert "note: " in capsys.readouterr().out
    assert main([*args, "--encoding", "GBK", "--out", str(tmp_path / "c.gpkg")]) == 0
    assert "no .cpg" not in capsys.readouterr().out
    assert main([*args, "--encoding", "no-such-encoding"]) == 2
    assert "no-such-encoding" in capsys.readouterr().err


# --------------------------------------------------------------------------- outputs are safe


def _refused(args, capsys, *expected):
    """Run; expect exit 2 and one message (no traceback) holding each expected piece."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("hzgeo: error: ") and "Traceback" not in err, err
    for piece in expected:
        assert piece in err, err
    return err


SUFFIXES = {"segment": ".gpkg", "check": ".gpkg", "roster": ".xlsx or .gpkg or .csv",
            "sections": ".gpkg or .xlsx or .csv or .geojson or .kml",
            "boards": ".pdf or .gpkg or .xlsx or .csv or .geojson or .kml",
            "map": ".html or .png or .pdf"}


def _folder_with_work(path):
    path.mkdir()
    (path / "precious.gpkg").write_bytes(b"years of work")
    return path


def test_an_existing_folder_given_as_out_survives(tmp_path, capsys):
    """Issue 6: `segment --out mywork` deleted the folder mywork and wrote a file there."""
    work = _folder_with_work(tmp_path / "mywork")
    for command, suffixes in SUFFIXES.items():
        # nothing is read first: the inputs do not even exist
        _refused([command, "--boundaries", "no.gpkg", "--waters", "no.gpkg", "--out",
                  str(work)], capsys,
                 f"{work}: --out is an existing folder; it names the file to write, and hzgeo "
                 "never replaces a folder", f"what to do: give a file name ending in {suffixes}")
        assert [p.name for p in work.iterdir()] == ["precious.gpkg"]
        assert (work / "precious.gpkg").read_bytes() == b"years of work"


def test_the_output_suffix_is_checked_before_any_work(tmp_path, capsys):
    for command, suffixes in SUFFIXES.items():
        _refused([command, "--boundaries", "no.gpkg", "--waters", "no.gpkg", "--out",
                  str(tmp_path / "x.txt")], capsys, f"x.txt: --out must end in {suffixes}, not "
                 "'.txt'", f"what to do: give a file name ending in {suffixes}, e.g. x.")
    _refused(["check", "--json", str(tmp_path / "r.gpkg")], capsys,
             "r.gpkg: --json must end in .json, not '.gpkg'")
    assert list(tmp_path.iterdir()) == []


def test_run_refuses_a_file_as_its_folder_and_a_folder_in_place_of_its_files(tmp_path, capsys):
    (tmp_path / "result").write_bytes(b"a file")
    _refused(["run", "--out", str(tmp_path / "result")], capsys,
             "--out is an existing file; it names the folder to write into")
    assert (tmp_path / "result").read_bytes() == b"a file"
    folder = tmp_path / "out"
    folder.mkdir()
    _folder_with_work(folder / "segments.gpkg")
    (folder / "reaches.csv").write_bytes(b"earlier")
    _refused(["run", "--out", str(folder)], capsys,
             "segments.gpkg: segments.gpkg, which run writes in --out, is an existing folder",
             f"what to do: move {folder / 'segments.gpkg'} away, or give another --out")
    assert (folder / "segments.gpkg" / "precious.gpkg").read_bytes() == b"years of work"
    assert (folder / "reaches.csv").read_bytes() == b"earlier"


def test_an_input_is_never_overwritten_by_the_output(tmp_path, capsys):
    boundaries = tmp_path / "b.gpkg"
    for level, frame in make_boundaries().levels.items():
        frame.to_file(boundaries, layer=level)
    rivers = _toy_river(tmp_path / "r.gpkg")
    before = boundaries.read_bytes()
    _refused(["segment", "--boundaries", f"village={boundaries}", "--waters", str(rivers),
              "--out", str(tmp_path / "." / "b.gpkg")], capsys,
             "--out is also an input of this command")
    _refused(["check", "--boundaries", str(boundaries), "--out", str(boundaries)], capsys,
             "--out is also an input of this command")
    assert boundaries.read_bytes() == before


def test_a_read_only_folder_is_a_clear_error(tmp_path, capsys):
    import os
    from pathlib import Path

    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root writes anyway: use a read-only mount instead
            folder = Path("/proc/sys")
        _refused(["segment", "--out", str(folder / "s.gpkg")], capsys,
                 f"--out cannot be written: folder {folder} is read-only",
                 "what to do: choose another --out")
        _refused(["run", "--out", str(folder / "new")], capsys, "is read-only")
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_the_version_is_known_from_a_source_tree(monkeypatch, capsys):
    """No installed metadata (running from a checkout): --version still answers."""
    import importlib.metadata

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"hzgeo, version {hzgeo.__version__}\n"


def test_sigterm_is_handled_only_while_main_runs():
    import signal

    before = signal.getsignal(signal.SIGTERM)
    assert main(["--version"]) == 0
    assert signal.getsignal(signal.SIGTERM) == before


# --------------------------------------------------------------------------- the bundled sample


@pytest.mark.parametrize("command", ["segment", "run"])
@pytest.mark.parametrize("given", ["--boundaries", "--waters"])
def test_the_sample_is_never_mixed_with_the_users_data(tmp_path, capsys, command, given):
    other = {"--boundaries": "--waters", "--waters": "--boundaries"}[given]
    _refused([command, given, str(tmp_path / "mine.gpkg"), "--out",
              str(tmp_path / "o.gpkg" if command == "segment" else tmp_path / "o")], capsys,
             f"{given} given without {other}: hzgeo does not mix your data with the bundled "
             f"Guigang sample", f"give both {given} and {other} (or neither")
    assert list(tmp_path.iterdir()) == []


def test_check_checks_what_it_is_given_and_says_what_it_did_not(tmp_path, capsys):
    boundaries = tmp_path / "b.gpkg"
    for level, frame in make_boundaries().levels.items():
        frame.to_file(boundaries, layer=level)
    assert main(["check", "--boundaries", str(boundaries)]) == 0
    out = capsys.readouterr().out
    assert "bundled" not in out
    assert "no defects\nnot checked: the rivers and lakes and the water duty (no waters " \
           "given)\nchief duty not checked: no waters given" in out
    rivers = _toy_river(tmp_path / "r.gpkg")
    assert main(["check", "--waters", str(rivers)]) == 0
    out = capsys.readouterr().out
    assert "not checked: the boundaries and the water duty (no boundaries given)" in out
    from toy import line, make_waters

    make_waters(line((-10, 500), (4010, 500)),
                line((0, 500), (0, 500))).rivers.to_file(tmp_path / "zero.gpkg")
    assert main(["check", "--waters", str(tmp_path / "zero.gpkg")]) == 1  # it did check them
    assert "zero_length_river" in capsys.readouterr().out
    _refused(["check", "--waters", str(rivers), "--fix"], capsys,
             "--fix repairs boundaries, and no --boundaries were given")


# --------------------------------------------------------------------------- option values


@pytest.mark.parametrize("option", ["--min-length", "--boundary-tolerance"])
@pytest.mark.parametrize("value", ["-5", "0", "nan", "inf"])
def test_lengths_must_be_positive(tmp_path, capsys, option, value):
    assert main(["segment", option, value, "--out", str(tmp_path / "s.gpkg")]) == 2
    err = capsys.readouterr().err
    assert f"Invalid value for '{option}': must be a length in metres greater than 0, " \
           f"got '{value}'" in err
    assert list(tmp_path.iterdir()) == []


def test_every_bad_override_row_is_named_by_its_line(tmp_path, capsys):
    table = tmp_path / "overrides.csv"
    table.write_text("river_code,action,admin_code,from_km,to_km,at_km,name\n"
                     "R03,cut,,,,50,ok\n"
                     "R03,cutt,,,,50,\n"
                     "R99,cut,,,,1,\n"
                     ",assign,450802,,,,\n"
                     "R03,cut,,,,fifty,\n"
                     "R03,cut,,,,,\n"
                     "R03,assign,,,,,\n"
                     "R03,assign,450802,9,3,,\n", encoding="utf-8")
    err = _refused(["segment", "--overrides", str(table), "--out", str(tmp_path / "s.gpkg")],
                   capsys, f"{table}: 7 bad row(s):", "what to do: a row has river_code")
    for line in ("line 3: action 'cutt' is neither assign nor cut",
                 "line 4: river_code 'R99' is not a river of the data",
                 "line 5: no river_code",
                 "line 6: at_km 'fifty' is not a number",
                 "line 7: action cut needs at_km",
                 "line 8: action assign needs admin_code",
                 "line 9: from_km 9 is beyond to_km 3"):
        assert line in err
    assert "line 2" not in err
    assert not (tmp_path / "s.gpkg").exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty"),
    ("river_code,action,name\nR03,cut,贵港大桥\n".encode("gbk"), "not UTF-8 text"),
    (b'river_code,action\n"R03,cut\n', "not a readable CSV table"),
])
def test_an_unreadable_override_file_is_named(tmp_path, capsys, content, message):
    table = tmp_path / "o.csv"
    table.write_bytes(content)
    _refused(["segment", "--overrides", str(table), "--out", str(tmp_path / "s.gpkg")], capsys,
             f"{table}: {message}")


@pytest.mark.parametrize("command", ["segment", "check", "roster", "map", "run", "sections",
                                     "boards"])
def test_every_command_agrees_on_county_and_ends_its_help_with_an_example(command, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "--county" in text
    example = text[text.index("Examples:"):].splitlines()[1].strip()
    assert example.startswith(f"hzgeo {command}")


def test_county_limits_segment_to_one_county(tmp_path):
    out = tmp_path / "s.gpkg"
    assert main(["segment", "--county", "450804", "--out", str(out), "-q"]) == 0
    village = pyogrio.read_dataframe(out, layer="reaches_village")
    assert len(village) and village["admin_code"].str.startswith("450804").all()
