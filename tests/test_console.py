"""The command line on a Chinese Windows console (GBK): every command runs to its normal
exit, and what it prints is GBK; what GBK cannot show (² of km²) is replaced (2)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from toy import make_boundaries

from hzgeo.cli import tolerant_console


def _hzgeo(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    env.pop("PYTHONUTF8", None)
    return subprocess.run([sys.executable, "-m", "hzgeo", *args], capture_output=True,
                          env=env, cwd=cwd, timeout=600, check=False)


def _gbk(data: bytes) -> str:
    return data.decode("gbk")  # strict: fails on anything that is not GBK


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    """Toy boundaries whose two villages overlap: check prints areas in m²."""
    import shapely

    folder = tmp_path_factory.mktemp("gbk")
    b = make_boundaries()
    village = b["village"].copy()
    village.loc[0, "geometry"] = shapely.box(*village.geometry.iloc[0].bounds).buffer(50)
    path = folder / "b.gpkg"
    for level, frame in b.levels.items():
        (village if level == "village" else frame).to_file(path, layer=level)
    return folder, path


def test_run_and_check_end_normally_on_a_gbk_console(tmp_path):
    done = _hzgeo("run", "--county", "450802", "--no-maps", "--out", str(tmp_path / "o"))
    assert done.returncode == 0, _gbk(done.stderr)
    out = _gbk(done.stdout)
    assert "km2 of lakes" in out and "km²" not in out  # the console cannot show ²
    assert "limited to 450802 港北区" in out  # Chinese that GBK has is shown as it is
    assert (tmp_path / "o" / "index.html").exists()
    done = _hzgeo("check")
    assert done.returncode == 0, _gbk(done.stderr)
    assert "km2 of lakes" in _gbk(done.stdout)


def test_help_and_an_error_end_normally_on_a_gbk_console(defective):
    for args in (["--help"], ["check", "--help"], ["run", "--help"]):
        done = _hzgeo(*args)
        assert done.returncode == 0, (args, _gbk(done.stderr))
        assert "Usage:" in _gbk(done.stdout)
    assert "(m2)" in _gbk(_hzgeo("check", "--help").stdout)  # --min-area (m²)
    done = _hzgeo("segment", "--county", "港北²", "--out", "x.gpkg")
    assert done.returncode == 2
    err = _gbk(done.stderr)
    assert err.startswith("hzgeo: error: no county '港北2'") and "Traceback" not in err


def test_defects_in_square_metres_on_a_gbk_console(defective):
    folder, path = defective
    done = _hzgeo("check", "--boundaries", str(path), cwd=folder)
    assert done.returncode == 1, _gbk(done.stderr)
    out = _gbk(done.stdout)
    assert "overlap (village)" in out and " m2 in " in out


def test_utf8_streams_are_left_alone(monkeypatch):
    import io

    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk")
    monkeypatch.setattr(sys, "stdout", utf8)
    monkeypatch.setattr(sys, "stderr", gbk)
    tolerant_console()
    assert utf8.errors == "strict"
    gbk.write("12 km² 港北区 ✓\n")
    gbk.flush()
    assert gbk.buffer.getvalue().decode("gbk") == "12 km2 港北区 ?\n"
