"""What the machines river chief offices use need: Windows (no Unix-only module), files
held open by Excel, GeoPackages that older GDAL/QGIS read without a warning."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import hzgeo
from hzgeo.atomic import atomic_outputs
from hzgeo.cli import main
from hzgeo.errors import InputError

ROOT = Path(hzgeo.__file__).resolve().parent.parent
UNIX_ONLY = ("resource", "fcntl", "termios", "pwd", "grp", "posix", "_posixsubprocess")


def _python(code: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=300,
                          env=os.environ | {"PYTHONPATH": str(ROOT)} | env)


# ----------------------------------------------------------------------- no Unix-only module


@pytest.mark.slow
def test_hzgeo_imports_and_runs_without_unix_only_modules(tmp_path):
    """As on Windows: every hzgeo module imports and a command runs to its end with the
    Unix-only modules missing (``resource`` was imported at the top of _stages.py)."""
    code = f"""
import sys
for name in {UNIX_ONLY[:5]!r}:
    sys.modules[name] = None  # `import name` now raises ImportError, as on Windows
import importlib, pkgutil
import hzgeo
for info in pkgutil.walk_packages(hzgeo.__path__, "hzgeo."):
    if not info.name.endswith("__main__"):  # (that one runs the command line)
        importlib.import_module(info.name)
from hzgeo.cli import main
status = main(["check", "--json", "audit.json", "--out", "defects.gpkg", "--quiet"])
print("status", status)
"""
    done = _python(code, tmp_path, HZGEO_STAGES="1")  # the stage timer reads memory too
    assert done.returncode == 0, done.stderr
    assert "status 0" in done.stdout, done.stdout + done.stderr
    assert "hzgeo stage" in done.stderr  # the timer ran, without `resource`
    assert (tmp_path / "audit.json").stat().st_size and (tmp_path / "defects.gpkg").exists()


def test_no_unix_only_import_in_the_package():
    """Not at the top of a module nor anywhere else (a function-level import would only
    fail later, on a Windows user's machine)."""
    found = []
    for path in (ROOT / "hzgeo").rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            words = line.split()
            if words[:1] in (["import"], ["from"]) and len(words) > 1 and \
                    words[1].split(".")[0].rstrip(",") in UNIX_ONLY and \
                    "except ImportError" not in _next_lines(path, number):
                found.append(f"{path.name}:{number}: {line.strip()}")
            for call in ("os.sysconf", "os.getuid", "os.fork", "os.killpg", "signal.SIGKILL",
                         "signal.SIGHUP", "signal.SIGALRM", "signal.SIGUSR", "os.getpgid"):
                if call in line and "AttributeError" not in _next_lines(path, number, 3):
                    found.append(f"{path.name}:{number}: {line.strip()}")
    assert not found, found


def _next_lines(path: Path, number: int, count: int = 2) -> str:
    """The lines around ``number`` (1-based): a guarded import has its except nearby."""
    lines = path.read_text("utf-8").splitlines()
    return "\n".join(lines[max(number - 4, 0):number + count])


# ------------------------------------------------------------------ a file open in Excel


def _locked(monkeypatch, locked: Path) -> None:
    """os.replace fails as on Windows when ``locked`` is open in Excel: neither a new file
    can replace it nor can it be renamed."""
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst) == locked or Path(src) == locked:
            raise PermissionError(13, "Access is denied", str(locked))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_a_file_held_open_stops_the_set_with_nothing_replaced(tmp_path, monkeypatch, which):
    targets = [tmp_path / "directory.xlsx", tmp_path / "segments.gpkg", tmp_path / "new.csv"]
    for path in targets[:2]:
        path.write_text(f"earlier {path.name}")
    _locked(monkeypatch, targets[which] if which < 2 else targets[0])
    with pytest.raises(InputError) as caught, atomic_outputs() as out:
        for path in targets:
            out.path(path).write_text(f"new {path.name}")
    locked = targets[which] if which < 2 else targets[0]
    assert caught.value.file == str(locked)
    assert "close it in Excel" in str(caught.value)
    for path in targets[:2]:  # nothing half-replaced: every earlier file as it was
        assert path.read_text() == f"earlier {path.name}"
    # no temporary, no moved-aside file, no new file of the set
    assert sorted(p.name for p in tmp_path.iterdir()) == ["directory.xlsx", "segments.gpkg"]


@pytest.mark.slow
def test_a_file_held_open_exits_2_with_one_clear_message(tmp_path, monkeypatch):
    """``hzgeo check`` writes two files; the second is open in Excel: exit 2, the file
    named, what to do, no traceback, the first not replaced, no temporary left."""
    json_path, gpkg = tmp_path / "audit.json", tmp_path / "defects.gpkg"
    json_path.write_text("earlier json")
    gpkg.write_text("earlier gpkg")
    _locked(monkeypatch, gpkg)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["check", "--json", str(json_path), "--out", str(gpkg)])
    said = err.getvalue()
    assert status == 2, said
    assert str(gpkg) in said and "close it in Excel" in said, said
    assert "Traceback" not in said and said.count("hzgeo: error") == 1, said
    assert json_path.read_text() == "earlier json" and gpkg.read_text() == "earlier gpkg"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json", "defects.gpkg"]


# ------------------------------------------------------------------ GeoPackage version 1.2


def _gpkg_version(path: Path) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return (db.execute("PRAGMA application_id").fetchone()[0],
                db.execute("PRAGMA user_version").fetchone()[0])


GPKG_1_2 = (0x47504B47, 10200)  # 'GPKG', version 1.2.0: what GDAL 3.6 reads silently


def test_every_geopackage_hzgeo_writes_is_version_1_2(tmp_path):
    """write_layers (segments, defects) and the field layers: GeoPackage 1.2, not the 1.4
    GDAL 3.7+ writes by default."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.Point(109, 23)],
                             crs="EPSG:4490")
    hzgeo.write_layers({"points": frame, "table": frame.drop(columns="geometry")},
                       tmp_path / "layers.gpkg")
    assert _gpkg_version(tmp_path / "layers.gpkg") == GPKG_1_2
    from hzgeo.field import write_field

    write_field(frame.iloc[:0], frame.iloc[:0], None, tmp_path / "field.gpkg")
    assert _gpkg_version(tmp_path / "field.gpkg") == GPKG_1_2


@pytest.mark.slow
def test_run_writes_geopackage_1_2_only(tmp_path):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", "--out", str(tmp_path), "--no-maps"]) == 0
    written = sorted(tmp_path.glob("*.gpkg"))
    assert {p.name for p in written} >= {"segments.gpkg", "defects.gpkg", "field.gpkg"}
    assert {p.name: _gpkg_version(p) for p in written} == dict.fromkeys(
        (p.name for p in written), GPKG_1_2)


def test_memory_is_given_back_only_where_the_c_library_can(monkeypatch):
    # hzgeo segment gives freed memory back with glibc's malloc_trim; on Windows
    # ctypes.CDLL(None) raises TypeError, elsewhere the symbol is missing: no error then
    import ctypes

    from hzgeo import segment

    for error in (TypeError("LoadLibrary() argument 1 must be str, not None"),
                  AttributeError("malloc_trim"), OSError("no libc")):
        def refuse(*args, _error=error, **kwargs):
            raise _error

        monkeypatch.setattr(ctypes, "CDLL", refuse)
        segment._malloc_trim.cache_clear()
        try:
            assert segment._malloc_trim() is None
            segment._give_back()  # no error
        finally:
            segment._malloc_trim.cache_clear()
