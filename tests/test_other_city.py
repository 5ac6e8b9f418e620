"""Another city's data is not Guigang: without --rules it gets the generic national rules,
its own city's offices, and not one 贵港 in anything ``hzgeo run`` writes."""

from __future__ import annotations

import contextlib
import io
import tomllib
import warnings
from pathlib import Path

import pandas as pd
import pytest
from other_city import texts_of, write_other_city, write_other_officials

import hzgeo
from hzgeo.chiefs.rules import city_name, default_rules, read_rules
from hzgeo.cli import main
from hzgeo.errors import HzgeoWarning
from hzgeo.io import is_bundled_sample

pytestmark = pytest.mark.slow  # whole runs on the bundled data, relabelled


@pytest.fixture(scope="module")
def yulin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("yulin")
    bnd, wat = write_other_city(folder)
    return bnd, wat, write_other_officials(folder)


@pytest.fixture(scope="module")
def yulin_run(yulin, tmp_path_factory):
    """``hzgeo run`` on the relabelled city, no --rules, maps and sheets included."""
    bnd, wat, officials = yulin
    out = tmp_path_factory.mktemp("yulin_run")
    said, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(err):
        status = main(["run", "--boundaries", str(bnd), "--waters", str(wat),
                       "--officials", str(officials), "--out", str(out)])
    return out, status, said.getvalue() + err.getvalue()


def test_no_guigang_in_any_output_of_another_city(yulin_run):
    out, status, said = yulin_run
    assert status == 0, said
    files = sorted(p for p in out.rglob("*") if p.is_file())
    kinds = {p.suffix for p in files}
    assert {".xlsx", ".csv", ".gpkg", ".pdf", ".png", ".html", ".kml", ".json"} <= kinds
    found = {p.name: texts_of(p).count("贵港") for p in files}
    assert sum(found.values()) == 0, {k: v for k, v in found.items() if v}
    # the scan reads every kind of file: the city's own name is found in each
    for suffix in (".xlsx", ".csv", ".gpkg", ".pdf", ".html", ".kml"):
        assert any("玉林" in texts_of(p) for p in files if p.suffix == suffix), suffix
    assert "贵港" not in said


def test_another_city_gets_its_own_offices_and_a_note(yulin_run):
    out, _, said = yulin_run
    assert "generic national rules" in said and "init-rules" in said
    offices = pd.read_csv(out / "directory.河长制办公室.csv", dtype=str).fillna("")
    city = offices[offices["层级"] == "市级"].iloc[0]
    assert (city["河长制办公室"], city["办公地点"]) == ("玉林市河长制办公室", "玉林市水利局")
    assert set(offices.loc[offices["层级"] == "县级", "河长制办公室"]) == {
        "玉州区河长制办公室", "福绵区河长制办公室", "兴业县河长制办公室", "容县河长制办公室",
        "北流市河长制办公室"}
    assert (offices["监督电话"] == "").all()  # not Guigang's (fictional) number
    boards = pd.read_csv(out / "field.notice_boards.csv", dtype=str).fillna("")
    assert len(boards) and boards["落款单位"].str.endswith("河长制办公室").all()
    assert set(boards["落款单位"]) <= set(offices["河长制办公室"])  # the counties' offices
    assert boards["市级河长"].str.contains("玉林市").any()


def test_the_sample_keeps_the_guigang_rules_and_other_data_gets_national(yulin):
    sample = hzgeo.datasets.guigang()[0]
    assert is_bundled_sample(sample)
    assert default_rules(sample)["offices"]["city_seat"] == "贵港市水利局"
    other = hzgeo.read_boundaries(yulin[0])
    assert not is_bundled_sample(other) and city_name(other) == "玉林市"
    # the sample's levels in a Boundaries of the user's making are the user's data
    assert not is_bundled_sample(hzgeo.Boundaries(dict(sample.levels)))
    with pytest.warns(HzgeoWarning, match="generic national rules"):
        rules = read_rules(boundaries=other)
    assert rules["city"] == "玉林市"
    assert rules["offices"]["city_seat"] == "玉林市水利局"
    assert rules["offices"]["issuing_office"] == "玉林市河长制办公室"
    assert rules["offices"]["supervision_phone"] == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert read_rules(boundaries=sample).source.startswith("hzgeo/rules/guigang")


def test_the_national_rules_name_no_city_and_title_every_unit_type():
    text = (Path(hzgeo.__file__).parent / "rules" / "national.toml").read_text("utf-8")
    assert "贵港" not in text and "0775" not in text
    rules = default_rules(hzgeo.Boundaries(dict(hzgeo.datasets.guigang()[0].levels)))
    expected = {("city", "玉林市"): ("市委书记", "市长"), ("county", "容县"): ("县委书记", "县长"),
                ("county", "玉州区"): ("区委书记", "区长"),
                ("county", "北流市"): ("市委书记", "市长"),
                ("county", "鄂托克旗"): ("旗委书记", "旗长"),
                ("township", "大里镇"): ("镇党委书记", "镇长"),
                ("township", "六靖乡"): ("乡党委书记", "乡长"),
                ("township", "城西街道"): ("街道党工委书记", "街道办主任"),
                ("village", "新丰村委会"): ("村党组织书记", "村民委员会主任"),
                ("village", "城中社区居委会"): ("社区党组织书记", "社区居民委员会主任")}
    for (level, name), titles in expected.items():
        kind = rules.unit_type(level, name)
        assert (rules.title(level, kind, "party_head"),
                rules.title(level, kind, "government_head")) == titles, (level, name)


def test_a_partial_rules_file_is_laid_over_the_national_rules(yulin, tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("[joint_meetings]\ntie_tolerance_m = 5\n", encoding="utf-8")
    rules = read_rules(path, boundaries=hzgeo.read_boundaries(yulin[0]))
    assert rules["joint_meetings"]["tie_tolerance_m"] == 5
    assert rules["offices"]["city_seat"] == "玉林市水利局"  # {city} from the data
    national = tomllib.loads((Path(hzgeo.__file__).parent / "rules" / "national.toml")
                             .read_text("utf-8"))
    assert rules["roles"] == national["roles"]
    path.write_text('city = "北流市"\n', encoding="utf-8")  # the file's city wins
    assert read_rules(path)["offices"]["issuing_office"] == "北流市河长制办公室"
