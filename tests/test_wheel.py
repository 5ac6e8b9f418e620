"""The bundled data ships in the wheel and is found after a non-editable install.

The wheel is installed alone into a fresh virtual environment that borrows the running
interpreter's dependencies through a ``.pth`` file: this works whether the tests run in a
virtual environment (README line two), in a Python where the dependencies were installed
before (hzgeo perhaps too), or in CI.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dependency_folders() -> list[str]:
    """Where the running interpreter finds its installed packages (venv or not)."""
    paths = site.getsitepackages() + [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    if site.ENABLE_USER_SITE:
        paths.append(site.getusersitepackages())
    paths += [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    return [p for p in dict.fromkeys(paths) if Path(p).is_dir()]


def test_wheel_carries_the_data_and_finds_it(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                    "--no-build-isolation", "-q", "-w", str(tmp_path / "dist")],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("hzgeo-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("hzgeo/_data/boundaries/guigang_boundaries.gpkg",
                 "hzgeo/_data/rivers/guigang_waters.gpkg", "hzgeo/_data/SOURCES.md",
                 "hzgeo/cli/__init__.py", "hzgeo/cli/commands.py", "hzgeo/__main__.py",
                 "hzgeo/py.typed"):
        assert name in names
    # a fresh environment of its own, which sees the running interpreter's packages after
    # its own (a .pth file appends them to sys.path); system site-packages would be the
    # base interpreter's, not those of the virtual environment the tests may run in
    env = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env)
    python = env / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    inner_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True, env=clean).stdout.strip()
    (Path(inner_site) / "_borrowed_dependencies.pth").write_text(
        "\n".join(_dependency_folders()) + "\n")
    # hzgeo may itself be installed where the dependencies are: pip would call it "already
    # satisfied" and install nothing, hence --ignore-installed
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--ignore-installed", str(wheel)], check=True,
                   capture_output=True, env=clean)
    code = ("import hzgeo; b, w = hzgeo.datasets.guigang(); print(hzgeo.__file__); "
            "print(hzgeo.datasets.data_dir()); print(len(b['village']), len(w.rivers))")
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env=clean)
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    # the wheel's own code and data, not a copy installed or checked out elsewhere
    assert out[0].startswith(str(env)), out
    assert out[1].startswith(str(env)) and out[1].endswith("hzgeo/_data"), out
    assert out[2] == "1195 20"
    # and the command line runs from it
    run = subprocess.run([str(env / "bin" / "hzgeo"), "--version"], capture_output=True,
                         text=True, cwd=tmp_path, env=clean)
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert run.stdout == f"hzgeo, version {version}\n", run.stderr
