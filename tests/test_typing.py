"""The package type-checks (mypy, configured in pyproject's ``[tool.mypy]``), and the
stage contracts' types reach a caller's code (``hzgeo/py.typed``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)


def test_the_package_type_checks():
    done = _mypy("hzgeo")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_a_caller_misusing_a_contract_is_told(tmp_path):
    """What a user's own code sees: a wrong field type, and a write to a frozen result."""
    (ROOT / "hzgeo" / "py.typed").is_file() or pytest.fail("hzgeo/py.typed is missing")
    caller = tmp_path / "caller.py"
    caller.write_text(
        "import hzgeo\n"
        "from hzgeo.model import Boundaries\n"
        "b = Boundaries(levels=3)\n"
        "def f(seg: hzgeo.Segmentation) -> None:\n"
        "    seg.settings = {}\n")
    done = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(caller))
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'Argument "levels" to "Boundaries" has incompatible type "int"' in done.stdout
    assert 'Property "settings" defined in "Segmentation" is read-only' in done.stdout
