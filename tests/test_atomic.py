"""The atomic writer: all outputs or none, earlier outputs untouched on failure."""

from __future__ import annotations

import pytest

from hzgeo.atomic import atomic_outputs


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
