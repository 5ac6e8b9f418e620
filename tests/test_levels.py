"""The levels a city actually has: county only, county + township, all three. Segmented,
assigned and audited at the levels given; the missing ones said; a layer given for the
wrong level refused; never a level of empty names."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from test_columns import OFFICIAL_COLUMNS, write_officials, write_region, write_waters
from toy import geodesic, line

import hzgeo
from hzgeo.cli import main
from hzgeo.errors import HzgeoWarning, InputError

LEVEL_SETS = {"county": ("city", "county"), "county+township": ("city", "county", "township"),
              "all": ("city", "county", "township", "village")}


def write_levels(folder: Path, levels) -> Path:
    """The two-county region (test_columns) with only ``levels``."""
    full = write_region(folder)
    path = folder / f"{'_'.join(levels)}.gpkg"
    for level in levels:
        gpd.read_file(full, layer=level).to_file(path, layer=level)
    return path


def read(path) -> hzgeo.Boundaries:
    return hzgeo.read_boundaries(path, columns={"code": "XZQDM", "name": "XZQMC"})


@pytest.mark.parametrize("which", list(LEVEL_SETS))
def test_segments_at_the_levels_given(tmp_path, which):
    """R1 runs x = -500 .. 4500 at y = 100 across the 4 km region: 2 county reaches of
    2 km, 2 township reaches, 4 village reaches of 1 km (hand-computed), each level only
    where the city has it."""
    levels = LEVEL_SETS[which]
    path = write_levels(tmp_path, levels)
    if which == "all":
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # nothing missing, nothing to say
            boundaries = read(path)
    else:
        missing = [lvl for lvl in ("township", "village") if lvl not in levels]
        with pytest.warns(HzgeoWarning, match=f"no {' or '.join(missing)} level") as said:
            boundaries = read(path)
        assert "{" not in str(said[0].message)  # no Python dict in the message
    assert sorted(boundaries.levels) == sorted(levels)
    waters = hzgeo.read_waters(write_waters(tmp_path))
    result = hzgeo.segment_waters(boundaries, waters)
    given = tuple(lvl for lvl in ("county", "township", "village") if lvl in levels)
    assert result.levels == given
    expected = {"county": [2000.0, 2000.0], "township": [2000.0, 2000.0],
                "village": [1000.0] * 4}
    for level in ("county", "township", "village"):
        r1 = result.reaches[level]
        r1 = r1[r1["river_code"] == "R1"]
        if level in given:
            km = [geodesic(line((x, 100), (x + n, 100))) for x, n in
                  zip((0, 2000) if level != "village" else (0, 1000, 2000, 3000),
                      [2000] * 2 if level != "village" else [1000] * 4, strict=True)]
            assert r1["length_m"].round(1).tolist() == pytest.approx(km, abs=0.5)
            assert len(r1) == len(expected[level])
            assert (r1["admin_name"] != "").all()
            assert not r1["admin_code"].str.endswith("000").any()  # no stand-in unit
        else:  # a level the city does not have: nothing, not units of another level
            assert r1.empty and result.zones[level].empty
    assert {name.split("_")[-1] for name in result.layers()
            if name.startswith("reaches_")} == set(given)


def test_a_run_at_county_and_township_level(tmp_path):
    """The whole run: chiefs and audit at county and township level, no village chiefs
    asked of the office holders, the missing level said."""
    path = write_levels(tmp_path, LEVEL_SETS["county+township"])
    holders = pd.read_csv(write_officials(tmp_path), dtype=str)
    holders = holders[holders["区划"].str.len() <= 9]  # no village holders: no villages
    holders.to_csv(tmp_path / "holders.csv", index=False, encoding="utf-8-sig")
    out = tmp_path / "run"
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        status = main(["run", "--boundaries", str(path), "--waters",
                       str(write_waters(tmp_path)), "--officials",
                       str(tmp_path / "holders.csv"), *OFFICIAL_COLUMNS, "--columns",
                       "code=XZQDM", "--columns", "name=XZQMC", "--no-maps", "--out",
                       str(out)])
    said = said.getvalue()
    assert status == 0, said
    assert "no village level" in said and "audit: no defects" in said
    assert " village:" not in said  # the summary lists the levels the city has
    township = pd.read_csv(out / "directory.乡级河段.csv", dtype=str).fillna("")
    assert len(township) >= 2 and set(township["河长"]) >= {"甲书记", "乙书记"}
    # no village reach: the table's one row says （无） (none), with the version and date
    village = pd.read_csv(out / "directory.村级河段.csv", dtype=str)
    assert village["河段编码"].tolist() == ["（无）"]
    assert village.drop(columns=["河段编码", "生成版本", "数据日期"]).isna().all().all()
    import json

    audit = json.loads((out / "audit.json").read_text("utf-8"))
    assert audit["ok"] and not any("village" in str(line) for line in
                                   audit["summary"].get("coverage", []))


def test_a_layer_given_for_the_wrong_level_is_refused(tmp_path):
    """--boundaries village=township layer gave empty admin names and a clean audit."""
    full = write_region(tmp_path)
    gpd.read_file(full, layer="township").to_file(tmp_path / "xiang.shp", encoding="utf-8")
    with pytest.raises(InputError) as err:
        hzgeo.read_boundaries({"village": tmp_path / "xiang.shp"},
                              columns={"code": "XZQDM", "name": "XZQMC"})
    text = str(err.value)
    assert "xiang.shp" in text and "given as the village level" in text
    assert "codes of 9 digits" in text and "looks like the township layer" in text
    assert "`boundaries={'township': 'FILE'}`" in text
    # the same layer given twice: the village layer repeats the township codes
    twice = gpd.read_file(full, layer="township").assign(XZQDM=lambda f: f["XZQDM"] + "x")
    twice.to_file(tmp_path / "t.gpkg", layer="township")
    twice.to_file(tmp_path / "t.gpkg", layer="village")
    with pytest.raises(InputError, match="the same codes as the township layer"):
        hzgeo.read_boundaries(tmp_path / "t.gpkg", columns={"code": "XZQDM", "name": "XZQMC"})
    # county names on the township layer
    counties = gpd.read_file(full, layer="county").assign(XZQDM=["450902001", "450903001"])
    counties.to_file(tmp_path / "c.gpkg", layer="township")
    with pytest.raises(InputError, match="holds county names"):
        hzgeo.read_boundaries(tmp_path / "c.gpkg", columns={"code": "XZQDM", "name": "XZQMC"})


def test_never_a_level_of_empty_names(tmp_path):
    full = write_region(tmp_path)
    for level in ("county", "township", "village"):
        frame = gpd.read_file(full, layer=level)
        if level == "village":
            frame["XZQMC"] = ["", "", "", "四村村委会"]
        if level == "township":
            frame["XZQMC"] = ""
        frame.to_file(tmp_path / "e.gpkg", layer=level)
    with pytest.warns(HzgeoWarning) as said:
        boundaries = read(tmp_path / "e.gpkg")
    text = " | ".join(str(w.message) for w in said)
    assert "no name column found, so the units are named by their codes" in text
    assert "3 unit(s) without a name are named by their codes" in text
    for level in ("township", "village"):
        assert (boundaries[level]["name"] != "").all()
    assert boundaries["township"]["name"].tolist() == boundaries["township"]["code"].tolist()
