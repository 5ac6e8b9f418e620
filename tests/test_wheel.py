"""The bundled data ships in the wheel and is found after a non-editable install."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_the_data_and_finds_it(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("hzgeo-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("hzgeo/_data/boundaries/guigang_boundaries.gpkg",
                 "hzgeo/_data/rivers/guigang_waters.gpkg", "hzgeo/_data/SOURCES.md",
                 "hzgeo/cli.py"):
        assert name in names
    # install it alone into a fresh environment that borrows the dependencies; when hzgeo is
    # itself installed in the borrowed site-packages (as in CI), pip would call it "already
    # satisfied" and install nothing, hence --ignore-installed
    env = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env)
    python = env / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--ignore-installed", str(wheel)], check=True,
                   capture_output=True)
    code = ("import hzgeo; b, w = hzgeo.datasets.guigang(); "
            "print(hzgeo.datasets.data_dir()); print(len(b['village']), len(w.rivers))")
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True,
                         cwd=tmp_path).stdout.splitlines()
    assert out[0].startswith(str(env)) and out[0].endswith("hzgeo/_data")
    assert out[1] == "1195 20"
