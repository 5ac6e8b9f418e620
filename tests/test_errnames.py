"""Library messages name arguments (`columns`), the command line says options (--columns)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import hzgeo
from hzgeo.cli import main

PACKAGE = Path(hzgeo.__file__).parent
#: A command line quoted as such (``hzgeo check --fix``) is about the command line itself.
_COMMAND = re.compile(r"hzgeo [a-z][a-z-]*[^;:)`\n]*")
_FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _texts(tree: ast.AST):
    skip = _docstrings(tree)
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner |= {id(v) for v in node.values}
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}"
                                       for v in node.values)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in skip and id(node) not in inner):
            yield node.lineno, node.value


def _flags_named(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    return [(line, text) for line, text in _texts(tree)
            if _FLAG.search(_COMMAND.sub("", text))]


def test_the_scan_finds_a_flag_in_a_message_but_not_in_a_docstring_or_command():
    source = ('"""Say ``--fix``."""\n'
              'def f(x):\n    """--columns here is for the CLI."""\n'
              '    g(f"map {x} with --columns code=X", "see `hzgeo check --fix`")\n')
    assert [line for line, _ in _flags_named(source)] == [4]
    assert _flags_named('raise E("give `columns`", hint="run `hzgeo check --out d.gpkg`")') == []


def test_no_library_message_names_a_command_line_flag():
    named = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        if path.name == "template.py":  # writes a rules file whose comments show a command
            continue
        named += [f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
                  for line, text in _flags_named(path.read_text(encoding="utf-8"))]
    assert not named, "\n".join(named)


def test_a_library_error_names_the_argument_and_the_cli_the_option(tmp_path, capsys):
    path = tmp_path / "never-read.gpkg"  # the options fail before any file is opened
    with pytest.raises(hzgeo.InputError) as err:
        hzgeo.read_boundaries(path, columns={"river_nmae": "HLMC"})
    library = str(err.value)
    assert "in `columns`" in library and "did you mean `columns` river_name=" in library
    assert "--columns" not in library
    assert main(["segment", "--boundaries", str(path), "--waters", str(path),
                 "--columns", "river_nmae=HLMC", "--out", str(tmp_path / "s.gpkg")]) == 2
    said = capsys.readouterr().err
    assert "unknown column key 'river_nmae' in --columns" in said
    assert "did you mean --columns river_name=...?" in said
    assert "`columns`" not in said
    assert not (tmp_path / "s.gpkg").exists()


def test_a_mapping_hint_becomes_the_option_with_its_value(tmp_path, capsys):
    boundaries = tmp_path / "b.gpkg"
    import toy

    toy.make_boundaries()["village"].rename(columns={"code": "codes"}).to_file(
        boundaries, layer="village")
    with pytest.raises(hzgeo.InputError) as err:
        hzgeo.read_boundaries(boundaries)
    assert "map it with `columns={'code': 'codes'}`" in str(err.value)
    waters = tmp_path / "w.gpkg"
    toy.make_waters(toy.line((0, 500), (4000, 500))).rivers.to_file(waters, layer="rivers")
    assert main(["segment", "--boundaries", str(boundaries), "--waters", str(waters),
                 "--out", str(tmp_path / "s.gpkg")]) == 2
    said = capsys.readouterr().err
    assert "map it with --columns code=codes" in said and "`" not in said
