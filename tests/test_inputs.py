"""The input layer (:mod:`hzgeo.inputs`): one way to read, repair, limit, validate and
segment for every command and for run_phase_one; errors that name arguments."""

from __future__ import annotations

import json

import pytest
from toy import line, make_boundaries, make_waters

import hzgeo
import hzgeo.validate
from hzgeo.cli import main
from hzgeo.cli._options import OPTION_NAMES, for_command_line
from hzgeo.inputs import describe_sources, input_paths, load, split_sources

RIVER = line((0, 500), (4000, 500))


@pytest.fixture
def validations(monkeypatch):
    """How often the boundaries and the waters are validated."""
    calls = {"boundaries": 0, "waters": 0}
    real_b, real_w = hzgeo.validate.boundary_defects, hzgeo.validate.water_defects

    def boundaries(*args, **kwargs):
        calls["boundaries"] += 1
        return real_b(*args, **kwargs)

    def waters(*args, **kwargs):
        calls["waters"] += 1
        return real_w(*args, **kwargs)

    monkeypatch.setattr(hzgeo.validate, "boundary_defects", boundaries)
    monkeypatch.setattr(hzgeo.validate, "water_defects", waters)
    return calls


@pytest.mark.parametrize("command", ["run", "check", "segment", "roster"])
def test_the_inputs_are_validated_once_per_command(command, validations, tmp_path):
    out = {"run": ["--no-maps", "--out", str(tmp_path / "o")], "check": [],
           "segment": ["--out", str(tmp_path / "s.gpkg")],
           "roster": ["--out", str(tmp_path / "d.xlsx")]}[command]
    assert main([command, "--county", "450802", "-q", *out]) == 0
    assert validations == {"boundaries": 1, "waters": 1}


def test_run_phase_one_validates_once_and_says_where_the_data_comes_from(validations,
                                                                        tmp_path):
    b, w = make_boundaries(), make_waters(RIVER)
    done = hzgeo.run_phase_one(b, w, tmp_path, maps=False)
    assert validations == {"boundaries": 1, "waters": 1}
    assert done.summary["sources"].startswith("行政区划：")
    sample = hzgeo.run_phase_one(*hzgeo.datasets.guigang(), tmp_path / "s", maps=False)
    assert sample.summary["sources"].startswith("贵港市样例数据")
    index = (tmp_path / "s" / "index.html").read_text(encoding="utf-8")
    assert "河长姓名、电话为虚构" in index


def test_sources_name_the_files_read(tmp_path):
    path = tmp_path / "b.gpkg"
    for level, frame in make_boundaries().levels.items():
        frame.to_file(path, layer=level)
    make_waters(RIVER, accuracy=[5.0]).rivers.to_file(tmp_path / "r.gpkg", layer="rivers")
    inputs = load(str(path), str(tmp_path / "r.gpkg"), holders="none")
    assert inputs.sources == (f"行政区划：{path}；水系：{tmp_path / 'r.gpkg'}；任职表：未提供。"
                              "河段由 hzgeo 按行政区划自动分段，长度为椭球面测地长度。")
    assert describe_sources(inputs.boundaries, inputs.waters) == inputs.sources
    assert not inputs.sample and inputs.notes == []


def test_the_grammar_of_boundaries_and_waters():
    assert split_sources(("village=c.shp",), ("r.shp", "lakes=l.shp")) == (
        {"village": "c.shp"}, "r.shp", "l.shp")
    assert split_sources({"village": "c.shp"}, {"rivers": "r", "lakes": "l"}) == (
        {"village": "c.shp"}, "r", "l")
    assert [p.name for p in input_paths(("county=x.gpkg", "village=c.shp"),
                                        ("rivers=r.shp",))] == ["x.gpkg", "c.shp", "r.shp"]


@pytest.mark.parametrize(("given", "says"), [
    ({"boundaries": ["vilage=c.shp"]}, "unknown level(s) ['vilage'] in `boundaries`"),
    ({"waters": ["streams=r.shp"]}, "`waters` expects PATH, rivers=PATH or lakes=PATH"),
    ({"waters": ["lakes=l.shp"]}, "lakes=PATH in `waters` needs the rivers file too"),
])
def test_library_errors_name_arguments(given, says):
    args = {"boundaries": ["b.gpkg"], "waters": ["r.gpkg"]} | given
    with pytest.raises(hzgeo.InputError) as err:
        load(**args)
    assert says in str(err.value) and "--" not in str(err.value)


def test_library_errors_name_arguments_and_the_cli_its_options(tmp_path, capsys):
    with pytest.raises(hzgeo.InputError) as err:
        load(waters=str(tmp_path / "r.gpkg"))
    assert str(err.value).startswith("`waters` given without `boundaries`")
    with pytest.raises(hzgeo.InputError, match="`officials` is required"):
        load(str(tmp_path / "b.gpkg"), str(tmp_path / "r.gpkg"), holders="required")
    assert main(["segment", "--waters", "x.gpkg", "--boundaries", "county=b.gpkg",
                 "--boundaries", "vilage=c.shp", "--out", str(tmp_path / "s.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "unknown level(s) ['vilage'] in --boundaries" in err and "`" not in err


def test_one_mapping_from_arguments_to_options():
    assert for_command_line("give `columns={'code': 'XZQDM', 'name': 'MC'}`") == \
        "give --columns code=XZQDM --columns name=MC"
    assert for_command_line("`fix=True` or `min_length=5`") == "--fix or --min-length 5"
    assert for_command_line("`tiles_key`, `unknown`") == "--tianditu-key, `unknown`"
    # every option the mapping names exists on some command
    from hzgeo.cli import cli

    options = {o for command in cli.commands.values() for p in command.params
               for o in p.opts}
    assert set(OPTION_NAMES.values()) <= options, set(OPTION_NAMES.values()) - options


def test_check_gets_the_reaches_and_chiefs_made_once(monkeypatch, tmp_path):
    import sys

    module = sys.modules["hzgeo.audit"]
    seen = {}
    real = module.audit

    def spy(boundaries, waters, **options):
        seen.update(options)
        return real(boundaries, waters, **options)

    monkeypatch.setattr(module, "audit", spy)
    assert main(["check", "--county", "450802", "--json", str(tmp_path / "a.json"),
                 "-q"]) == 0
    assert seen["segmentation"] is not None and seen["chiefs"] is not None
    assert seen["defects"] is not None and "refused" not in seen
    report = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert report["summary"]["chief_duty"] == "checked"


@pytest.mark.parametrize("piece_runs", [None, 5])
def test_segment_hands_each_level_over_and_releases_the_inputs(piece_runs):
    """What `hzgeo segment` asks for (on_level, piece_runs, release): the same reaches,
    county first, one level at a time, in pieces of whole rivers (one without
    piece_runs) that are the table one after the other; the result keeps none of them,
    and the inputs are let go (Inputs' boundaries and waters None, their frames
    emptied); the river network is gone when the last level's last piece is handed
    over."""
    import gc

    import pandas as pd

    from hzgeo._network import RiverNetwork

    whole = load(holders="none").segment()
    given = load(holders="none")
    boundaries, waters = given.boundaries, given.waters
    handed: dict = {}
    networks: dict = {}

    def on_level(level, pieces):
        handed[level] = []
        for piece in pieces:
            handed[level].append(piece)
            networks[level] = sum(isinstance(o, RiverNetwork) for o in gc.get_objects())

    result = given.segment(release=True, piece_runs=piece_runs, on_level=on_level)
    assert list(handed) == ["county", "township", "village"]
    assert networks == {"county": 1, "township": 1, "village": 0}
    for level in whole.levels:
        pieces = handed[level]
        if piece_runs is None:
            assert len(pieces) == 1
        else:  # whole rivers each: no river's reaches in two pieces
            assert len(pieces) > 3
            rivers = [set(piece["river_code"]) for piece in pieces]
            assert sum(map(len, rivers)) == len(set().union(*rivers))
        pd.testing.assert_frame_equal(pd.concat(pieces, ignore_index=True),
                                      whole.reaches[level])
        assert len(result.reaches[level]) == 0
        assert list(result.reaches[level].columns) == list(whole.reaches[level].columns)
    for name in ("slivers", "gaps", "river_lengths"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(whole, name))
    for level in whole.levels:
        pd.testing.assert_frame_equal(result.zones[level], whole.zones[level])
    assert given.boundaries is None and given.waters is None
    assert not boundaries.levels  # emptied once the rivers were cut
    assert "geometry" not in waters.rivers.columns  # the vertices are the network's
