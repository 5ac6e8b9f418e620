"""A real ``python -m hzgeo`` process, stopped by Ctrl-C (SIGINT) or SIGTERM halfway through
writing its outputs, leaves the earlier outputs byte for byte and no partial file.

The run is held at a known place, after the first layer of its first GeoPackage is written,
by the test itself: the process starts through :data:`HOLD`, which wraps
``pyogrio.write_dataframe`` before running ``python -m hzgeo`` (no hook in hzgeo; no timing
guesses). All four processes start at once and run side by side.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import hzgeo

CASES = [("segment", signal.SIGINT), ("segment", signal.SIGTERM),
         ("run", signal.SIGINT), ("run", signal.SIGTERM)]
EARLIER = {"segments.gpkg": b"an earlier GeoPackage " * 500,
           "reaches.csv": b"reach_code\nan earlier table\n",
           "notes.txt": b"the user's own file"}


#: ``python -m hzgeo ARGS``, held for a signal (at most two minutes) once the first layer of
#: a file is written; it says ``hzgeo: holding at write`` on stderr first.
HOLD = """
import runpy, sys, time
import pyogrio
write = pyogrio.write_dataframe
def held(*args, **kwargs):
    write(*args, **kwargs)
    pyogrio.write_dataframe = write
    print("hzgeo: holding at write", file=sys.stderr, flush=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(1)
pyogrio.write_dataframe = held
sys.argv = ["hzgeo", *sys.argv[1:]]
runpy.run_module("hzgeo", run_name="__main__", alter_sys=True)
"""


def _default_signals() -> None:
    # as in a terminal: a test runner started in the background may have SIGINT ignored
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _start(command: str, folder: Path) -> subprocess.Popen:
    folder.mkdir()
    for name, content in EARLIER.items():
        (folder / name).write_bytes(content)
    out = folder / "segments.gpkg" if command == "segment" else folder
    # the hzgeo under test, wherever it is installed
    env = os.environ | {"PYTHONPATH": str(Path(hzgeo.__file__).resolve().parents[1])}
    return subprocess.Popen([sys.executable, "-c", HOLD, command, "--out", str(out)],
                            cwd=folder, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_default_signals)


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    root = tmp_path_factory.mktemp("signals")
    started = {}
    for command, signum in CASES:
        folder = root / f"{command}-{signum.name}"
        started[command, signum] = (_start(command, folder), folder)
    watchdog = [threading.Timer(120, proc.kill) for proc, _ in started.values()]
    for timer in watchdog:
        timer.start()
    yield started
    for timer in watchdog:
        timer.cancel()
    for proc, _ in started.values():
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


@pytest.mark.parametrize(("command", "signum"), CASES, ids=lambda c: getattr(c, "name", c))
def test_a_stopped_run_leaves_earlier_outputs_and_no_partial_file(processes, command, signum):
    proc, folder = processes[command, signum]
    said = []
    for line in proc.stderr:
        said.append(line)
        if line.startswith("hzgeo: holding at write"):
            break
    else:
        pytest.fail(f"the run ended before writing (exit {proc.wait()}): {''.join(said)}")
    # halfway: the GeoPackage is being written beside the earlier one
    assert [p.name for p in folder.iterdir() if ".partial" in p.name] != []
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    how = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert proc.returncode == 2, err
    assert (f"hzgeo: interrupted ({how}); no output was written, earlier outputs are as they "
            "were") in err
    assert "Traceback" not in err and "wrote" not in out
    assert sorted(p.name for p in folder.iterdir()) == sorted(EARLIER)
    for name, content in EARLIER.items():
        assert (folder / name).read_bytes() == content, name
