"""The atomic writer: all outputs or none, earlier outputs untouched on failure."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from hzgeo.atomic import atomic_outputs, check_output_path
from hzgeo.errors import InputError


def test_failure_leaves_earlier_outputs_and_no_partials(tmp_path):
    target = tmp_path / "roster.csv"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_outputs() as out:
        out.path(target).write_text("new, half")
        out.path(tmp_path / "other.csv").write_text("x")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.csv"]


def test_success_replaces_every_output(tmp_path):
    target = tmp_path / "sub" / "roster.csv"
    with atomic_outputs() as out:
        tmp = out.path(target)
        assert tmp.parent == target.parent and tmp.suffix == ".csv" and tmp != target
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["roster.csv"]


def test_interrupt_cleans_up(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_outputs() as out:
        out.path(tmp_path / "a.gpkg").write_bytes(b"partial")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- nothing destroyed


def test_a_folder_where_a_file_goes_is_never_removed(tmp_path):
    target = tmp_path / "mywork"
    target.mkdir()
    (target / "precious.txt").write_text("years of work")
    with pytest.raises(InputError, match="existing folder"), atomic_outputs() as out:
        out.path(target)
    assert (target / "precious.txt").read_text() == "years of work"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mywork"]


def test_a_folder_made_while_the_run_wrote_survives_the_commit(tmp_path):
    """The folder appears after the output was checked: the commit refuses, replaces nothing."""
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    first.write_text("earlier a")
    with pytest.raises(InputError, match="existing folder"), atomic_outputs() as out:
        out.path(first).write_text("new a")
        out.path(second).write_text("new b")
        second.mkdir()
        (second / "precious.txt").write_text("keep")
    assert first.read_text() == "earlier a"  # all or nothing: a was not replaced either
    assert (second / "precious.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg", "b.gpkg"]


def test_abort_removes_the_folders_it_made_and_only_those(tmp_path):
    (tmp_path / "old").mkdir()
    with pytest.raises(RuntimeError), atomic_outputs() as out:
        out.path(tmp_path / "new" / "deeper" / "a.csv").write_text("x")
        out.path(tmp_path / "old" / "b.csv").write_text("y")
        raise RuntimeError("boom")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]
    assert list((tmp_path / "old").iterdir()) == []


def test_a_signal_during_the_commit_waits_until_every_file_is_in_place(tmp_path, monkeypatch):
    """Ctrl-C arriving between two replaces must not leave one output new and one old."""
    import hzgeo.atomic

    targets = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for t in targets:
        t.write_text("old")
    real_replace = os.replace

    def replace_then_interrupt(src, dst):
        real_replace(src, dst)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(hzgeo.atomic.os, "replace", replace_then_interrupt)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt), atomic_outputs() as out:
            for t in targets:
                out.path(t).write_text("new")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert [t.read_text() for t in targets] == ["new", "new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


# --------------------------------------------------------------------------- check_output_path


def test_output_checks_accept_what_can_be_written(tmp_path):
    (tmp_path / "old.gpkg").write_text("replaced whole later")
    (tmp_path / "out").mkdir()
    assert check_output_path(tmp_path / "new.gpkg") == tmp_path / "new.gpkg"
    assert check_output_path(tmp_path / "old.GPKG") == tmp_path / "old.GPKG"
    assert check_output_path(tmp_path / "a" / "b" / "new.gpkg").name == "new.gpkg"
    assert check_output_path(tmp_path / "out", kind="folder") == tmp_path / "out"
    assert check_output_path(tmp_path / "new" / "folder", kind="folder").name == "folder"
    assert check_output_path(tmp_path / "t.xlsx", suffixes=(".xlsx", ".csv")).suffix == ".xlsx"


@pytest.mark.parametrize(("make", "args", "message"), [
    ("dir", {}, "`out` is an existing folder; it names the file to write"),
    ("none", {"name": "x.csv"}, "`out` must end in .gpkg, not '.csv'"),
    ("none", {"name": "x"}, "`out` must end in .gpkg, and has no suffix"),
    ("none", {"name": "x.gpkg.zip", "suffixes": (".xlsx", ".csv")},
     "`out` must end in .xlsx or .csv, not '.zip'"),
    ("file", {"kind": "folder"}, "`out` is an existing file; it names the folder to write into"),
    ("file", {"name": "x.gpkg", "inputs": True}, "`out` is also an input of this command"),
    ("file", {"name": "sub/x.gpkg"}, "is a file, not a folder"),
])
def test_output_checks_refuse(tmp_path, make, args, message):
    name = args.pop("name", "out.gpkg")
    path = tmp_path / name.split("/")[0]
    if make == "dir":
        path.mkdir()
    elif make == "file":
        path.write_bytes(b"earlier")
    if args.pop("inputs", False):
        args["inputs"] = [tmp_path / "." / name]
    with pytest.raises(InputError, match=re.escape(message)) as err:
        check_output_path(tmp_path / name, **args)
    assert "what to do:" in str(err.value)
    if make == "file":
        assert path.read_bytes() == b"earlier"


def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root writes anyway: use a read-only mount instead
            folder = Path("/proc/sys")
            assert not os.access(folder, os.W_OK), "no read-only folder to test with"
        for path, kind in ((folder / "x.gpkg", "file"), (folder / "new" / "x.gpkg", "file"),
                           (folder, "folder"), (folder / "new", "folder")):
            with pytest.raises(InputError, match=r"cannot be written: folder .* is read-only"):
                check_output_path(path, kind=kind)
    finally:
        (tmp_path / "ro").chmod(0o755)
