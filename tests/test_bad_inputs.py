"""Every case of the bad-input corpus (``bad_inputs.py``) through every command it concerns.

An error is exit 2 with one message naming the file, layer and features and saying what
to do, no traceback, and nothing written (but ``run`` writes the audit first where the
data is too defective to segment); a data-quality finding of ``hzgeo check`` is exit
1 with the defects written; a usable oddity is exit 0 with a note.
"""

from __future__ import annotations

import pyogrio
import pytest
from bad_inputs import CASES, COMMANDS

from hzgeo.cli import main

RUNS = [pytest.param(case, command, id=f"{case.name}-{command}")
        for case in CASES for command in case.expect]


def test_the_corpus_is_large_enough():
    errors = [c for c in CASES if any(e.status == 2 for e in c.expect.values())]
    assert len(CASES) >= 30 and len(errors) >= 30


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each case's inputs, written once and shared by the commands (they only read them)."""
    folders: dict[str, tuple] = {}

    def build(case):
        if case.name not in folders:
            folder = tmp_path_factory.mktemp("case")
            folders[case.name] = (folder, case.build(folder))
        return folders[case.name]
    return build


@pytest.mark.parametrize(("case", "command"), RUNS)
def test_bad_input(case, command, built, capsys):
    expect = case.expect[command]
    folder, args = built(case)
    out = folder / "out" / command
    out.mkdir(parents=True, exist_ok=True)
    given = case.out(out, command) if case.out else COMMANDS[command](out)
    before = {p.relative_to(out): p.stat().st_mtime_ns for p in out.rglob("*")}
    status = main([command, *args, *given, *expect.extra])
    captured = capsys.readouterr()
    if expect.status == 2:
        err = captured.err
        assert status == 2, (captured.out, err)
        usage = err.startswith("Usage:")  # an option's value refused by click itself
        assert err.startswith("hzgeo: error:") or usage, err
        assert err.count("rror:") == 1, err  # one message ("hzgeo: error:" or "Error:")
        assert "Traceback" not in err
        assert "what to do:" in err or (usage and "Try 'hzgeo" in err), err
        for fragment in expect.says:
            assert fragment in err, (fragment, err)
        after = {p.relative_to(out): p.stat().st_mtime_ns for p in out.rglob("*")}
        finding = "check" in case.expect and case.expect["check"].status == 1
        if command == "run" and finding:
            # data too defective to segment: run writes the audit first (issue #8), and
            # nothing else, then says where it is
            written = {p.name for p in out.rglob("*")
                       if p.is_file() and p.relative_to(out) not in before}
            assert written == {"audit.json", "defects.gpkg"}, written
            assert "audit.json" in err
            return
        assert after == before  # nothing written, nothing touched
        return
    assert status == expect.status, captured.err
    assert "Traceback" not in captured.err
    for fragment in expect.says:
        assert fragment in captured.out, (fragment, captured.out)
    if expect.status == 1:
        defects = pyogrio.read_dataframe(out / "c.gpkg", layer="defects")
        named = " ".join(str(v) for column in ("code", "codes", "water_code")
                         if column in defects for v in defects[column])
        assert len(defects) and all(code in named for code in expect.codes), defects
    if case.then is not None:
        case.then(out, command)


def test_debug_shows_the_traceback_of_a_bad_input(tmp_path, capsys):
    case = next(c for c in CASES if c.name == "degrees labelled projected")
    args = case.build(tmp_path)
    assert main(["check", *args, "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "CRSError" in err
