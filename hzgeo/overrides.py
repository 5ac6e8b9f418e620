"""Read the overrides table: what geometry cannot settle, settled by hand.

A CSV (UTF-8) with a row per decision: ``river_code``, ``action`` (``assign`` gives a
stretch shared by two units to one of them, ``admin_code``, optionally between
``from_km`` and ``to_km``; ``cut`` cuts a reach at ``at_km``, optionally naming the new
reach ``name``). :func:`hzgeo.segment_waters` takes the table as ``overrides``.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "overrides.csv"
>>> _ = path.write_text("river_code,action,admin_code,at_km\\nR1,cut,,2.5\\n",
...                     encoding="utf-8")
>>> table = read_overrides(path)
>>> table.loc[0, "action"], float(table.loc[0, "at_km"])
('cut', 2.5)
>>> _ = path.write_text("river_code,action\\nR1,move\\n", encoding="utf-8")
>>> read_overrides(path)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
hzgeo.errors.InputError: ...overrides.csv: 1 bad row(s):
    line 2: action 'move' is neither assign nor cut
  what to do: a row has river_code, action (assign|cut) and, for assign, admin_code and ...
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from hzgeo.errors import InputError

__all__ = ["read_overrides"]

_HINT = ("a row has river_code, action (assign|cut) and, for assign, admin_code "
         "and optionally from_km, to_km; for cut, at_km and optionally name")


def read_overrides(path: str | os.PathLike | None,
                   river_codes: Iterable[str] | None = None) -> pd.DataFrame | None:
    """The overrides table (CSV, UTF-8), or None when ``path`` is None.

    Parameters
    ----------
    path : path, optional
        The CSV file.
    river_codes : iterable of str, optional
        The rivers of the data: a row naming another river is an error.

    Returns
    -------
    pandas.DataFrame or None
        ``river_code``, ``action``, ``admin_code``, ``name`` (text, stripped),
        ``from_km``, ``to_km``, ``at_km`` (floats, NaN where not given).

    Raises
    ------
    InputError
        The file is missing, not UTF-8, not a table, lacks ``river_code`` or ``action``;
        or rows are bad: every bad row is named by its line (the header is line 1).
    """
    if not path:
        return None
    file = Path(path)
    if not file.is_file():
        raise InputError("file not found" if not file.exists() else "is a folder, not a file",
                         file=file, hint="check the `overrides` path")
    try:
        table = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"not UTF-8 text (byte {err.start})", file=file,
                         hint="save the table as CSV UTF-8") from err
    except pd.errors.EmptyDataError as err:
        raise InputError("the file is empty", file=file, hint=_HINT) from err
    except pd.errors.ParserError as err:
        raise InputError(f"not a readable CSV table: {err}".strip(), file=file,
                         hint="save the table as CSV (comma-separated, UTF-8)") from err
    table.columns = [str(c).strip() for c in table.columns]
    missing = {"river_code", "action"} - set(table.columns)
    if missing:
        raise InputError(f"missing column(s) {sorted(missing)}; columns are "
                         f"{list(table.columns)}", file=file, hint=_HINT)
    for column in ("admin_code", "name"):
        if column not in table.columns:
            table[column] = ""
    table = table.apply(lambda c: c.str.strip())
    problems = []

    def bad(mask, what):
        for i in mask[mask].index:
            problems.append(f"line {i + 2}: {what(table.loc[i])}")  # line 1 is the header

    bad(table["river_code"] == "", lambda r: "no river_code")
    bad(~table["action"].isin(["assign", "cut"]),
        lambda r: f"action {r['action']!r} is neither assign nor cut")
    if river_codes is not None:
        known = set(river_codes)
        bad((table["river_code"] != "") & ~table["river_code"].isin(known),
            lambda r: f"river_code {r['river_code']!r} is not a river of the data")
    given = {}
    for column in ("from_km", "to_km", "at_km"):
        raw = table[column] if column in table.columns else pd.Series("", index=table.index)
        given[column] = raw != ""
        number = pd.to_numeric(raw.where(given[column]), errors="coerce")
        finite = number.notna() & number.abs().lt(math.inf)
        bad(given[column] & ~finite, lambda r, c=column: f"{c} {r[c]!r} is not a number")
        table[column] = number.where(finite)
    cut, assign = table["action"] == "cut", table["action"] == "assign"
    bad(cut & ~given["at_km"], lambda r: "action cut needs at_km")
    bad(assign & (table["admin_code"] == ""), lambda r: "action assign needs admin_code")
    bad(assign & (table["from_km"] > table["to_km"]),
        lambda r: f"from_km {r['from_km']:g} is beyond to_km {r['to_km']:g}")
    if problems:
        problems.sort(key=lambda p: int(p.split(":")[0][5:]))
        raise InputError(f"{len(problems)} bad row(s):\n    " + "\n    ".join(problems[:20])
                         + (f"\n    ... and {len(problems) - 20} more"
                            if len(problems) > 20 else ""),
                         file=file, hint=_HINT)
    return table
