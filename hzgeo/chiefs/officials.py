"""The table of office holders (a row per post): CSV or XLSX, UTF-8 or GBK."""

from __future__ import annotations

import io
import math
import re
import warnings
from pathlib import Path

import pandas as pd

from hzgeo.errors import HzgeoWarning, InputError

__all__ = ["OFFICIALS_ALIASES", "read_officials"]

#: Columns of the officials table, and the headers accepted for each.
OFFICIALS_ALIASES: dict[str, tuple[str, ...]] = {
    "admin_code": ("admin_code", "行政区划代码", "区划代码", "统计用区划代码", "单位代码", "代码",
                   "code"),
    "post": ("post", "职务", "职位", "title"),
    "name": ("name", "姓名", "河长姓名", "河长"),
    "phone": ("phone", "电话", "联系电话", "手机"),
    "waters": ("waters", "负责河湖", "负责河流", "负责水域", "河湖"),
}
REQUIRED_OFFICIALS = ("admin_code", "post", "name")
#: The ``--columns`` key of each column (hzgeo.columns.OFFICIAL_KEYS, reversed).
_KEY_OF = {"admin_code": "official_code", "post": "official_post", "name": "official_name",
           "phone": "official_phone", "waters": "official_waters"}
#: Separators between the water codes of the ``waters`` column.
_SPLIT = re.compile(r"[;；,，、\s]+")
#: A code that went through a float: 450802.0
_POINT_ZERO = re.compile(r"\.0+$")


def _cell(value) -> str:
    """A spreadsheet cell as text; integral numbers without ``.0``."""
    if type(value) is str:
        return value.strip()
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _read_csv_text(path: Path, encoding: str | None) -> str:
    raw = path.read_bytes()
    if encoding is not None:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            raise InputError(f"cannot be decoded as {encoding!r} ({err})", file=path,
                             hint="give the file's encoding, e.g. encoding='GBK' or "
                                  "'UTF-8'") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("is neither UTF-8 nor GBK/GB18030 text", file=path,
                         hint="save it as UTF-8 (CSV UTF-8 in Excel), or give its "
                              "encoding") from None
    warnings.warn(f"{path}: not UTF-8; read as GB18030 (GBK). If names look wrong, give the "
                  "encoding (encoding='...').", HzgeoWarning, stacklevel=3)
    return text


def _read_table(path: Path, encoding: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as err:
            raise InputError(f"cannot be read as an XLSX workbook ({type(err).__name__}: "
                             f"{err})", file=path, hint="save it as .xlsx or .csv") from None
        try:
            rows = [[_cell(v) for v in row]
                    for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
        while rows and not any(rows[0]):
            rows.pop(0)
        if not rows:
            return pd.DataFrame()
        header, body = rows[0], rows[1:]
        width = len(header)
        body = [(r + [""] * width)[:width] for r in body]
        return pd.DataFrame(body, columns=header, dtype=object)
    if suffix in (".csv", ".txt", ".tsv"):
        text = _read_csv_text(path, encoding)
        try:
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                               sep="\t" if suffix == ".tsv" else ",")
        except Exception as err:
            raise InputError(f"cannot be read as CSV ({type(err).__name__}: {err})",
                             file=path, hint="check the file is comma-separated text") from None
    raise InputError(f"unknown table format {suffix!r}", file=path,
                     hint="give the office holders as .csv or .xlsx")


def read_officials(path, *, encoding: str | None = None,
                   columns: dict[str, str] | None = None) -> pd.DataFrame:
    """Read the table of office holders: a row per post.

    Parameters
    ----------
    path : path
        CSV (UTF-8, with or without BOM, or GBK) or XLSX (first sheet).
    encoding : str, optional
        Text encoding of a CSV. By default UTF-8 is tried, then GB18030 (a superset of
        GBK), with a warning saying so.
    columns : dict, optional
        hzgeo column -> your header, e.g. ``{"admin_code": "单位编码"}``, or by the
        ``--columns`` keys (``official_code``, ``official_post``, ``official_name``,
        ``official_phone``, ``official_waters``; :func:`hzgeo.columns.official_columns`
        picks them from a mapping of every input). Headers ``行政区划代码``, ``职务``,
        ``姓名``, ``电话``, ``负责河湖`` are recognised without it.

    Returns
    -------
    pandas.DataFrame
        ``admin_code`` (text, never a float), ``post`` (职务, the title), ``name`` (``空缺``
        declares the post vacant), ``phone`` (text), ``waters`` (a list of the water codes
        or main-river names that holder chairs, from a text separated by ``;``, ``，`` or
        ``、``), ``row`` (the row number in the file, header = 1), then any other columns.
        ``attrs["source"]`` is the file.

    Raises
    ------
    InputError
        Missing columns, or rows with no code, post or name (naming the rows).

    Examples
    --------
    >>> from hzgeo import datasets
    >>> officials = read_officials(datasets.guigang_officials())
    >>> officials.loc[0, ["admin_code", "post"]].tolist()
    ['450800', '市委书记']
    >>> bool(officials["name"].str.contains("示例").all()), len(officials)
    (True, 1359)
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, hint="check the path")
    columns = _official_mapping(columns)
    frame = _read_table(path, encoding)
    frame.columns = [_cell(c) for c in frame.columns]
    return clean_officials(frame, str(path), columns)


def _official_mapping(columns) -> dict[str, str]:
    """``columns`` by the table's own names (``official_name`` -> ``name`` ...)."""
    from hzgeo._checks import check_keys
    from hzgeo.columns import OFFICIAL_KEYS, official_columns

    given = check_keys(columns, [*OFFICIALS_ALIASES, *OFFICIAL_KEYS], "column key",
                       "`columns`", "columns")
    return {k: v for k, v in given.items() if k in OFFICIALS_ALIASES} | official_columns(given)


def clean_officials(frame: pd.DataFrame, where: str | None,
                     columns: dict[str, str]) -> pd.DataFrame:
    rename: dict[str, str] = {}
    missing = []
    for ours, aliases in OFFICIALS_ALIASES.items():
        wanted = (columns[ours],) if ours in columns else aliases
        found = next((c for c in wanted if c in frame.columns and c not in rename), None)
        if found is not None:
            rename[found] = ours
        elif ours in columns:
            have = [str(c) for c in frame.columns]
            raise InputError(f"column {columns[ours]!r} (given for {_KEY_OF[ours]!r}) not "
                             f"found; the header is {have}", file=where,
                             hint=f"map an existing header with "
                                  f"`columns={{{_KEY_OF[ours]!r}: 'HEADER'}}`")
        elif ours in REQUIRED_OFFICIALS:
            missing.append(ours)
    if missing:
        have = [str(c) for c in frame.columns]
        names = {k: "/".join(OFFICIALS_ALIASES[k][:3]) for k in missing}
        raise InputError(f"missing column(s) {missing}; the header is {have}", file=where,
                         hint="name the columns " + ", ".join(names.values())
                         + " (or map them: `columns={" + ", ".join(
                             f"{_KEY_OF[k]!r}: 'HEADER'" for k in missing) + "}`)")
    frame = frame.rename(columns=rename)
    if "row" not in frame.columns:
        frame["row"] = range(2, len(frame) + 2)  # the header is row 1
    for column in ("admin_code", "post", "name", "phone"):
        values = frame[column].tolist() if column in frame.columns else [""] * len(frame)
        frame[column] = pd.Series([_cell(v) for v in values], index=frame.index, dtype=object)
    frame["admin_code"] = [_POINT_ZERO.sub("", c) if "." in c else c for c in frame["admin_code"]]
    blank = (frame[["admin_code", "post", "name", "phone"]] == "").all(axis=1)
    frame = frame[~blank].copy()
    problems = []
    for column, what in (("admin_code", "no code"), ("post", "no post"), ("name", "no name")):
        rows = frame.loc[frame[column] == "", "row"].tolist()
        if rows:
            problems.append(f"{what} in row(s) {', '.join(map(str, rows[:10]))}"
                            + (f" and {len(rows) - 10} more" if len(rows) > 10 else ""))
    digits = [(c.isascii() and c.isdigit()) or not c for c in frame["admin_code"]]
    mangled = frame.loc[[not d for d in digits], ["row", "admin_code"]]
    if len(mangled):
        problems.append("codes that are not digits: " + ", ".join(
            f"row {r} {c!r}" for r, c in mangled.head(10).itertuples(index=False)))
    if problems:
        raise InputError("office holders table: " + "; ".join(problems), file=where,
                         hint="every row needs the unit's statistical code (as text: an "
                              "XLSX cell formatted as text, never 4.5E+11), a post and a name; "
                              "a vacant post is simply left out")
    waters = frame["waters"] if "waters" in frame.columns else pd.Series("", index=frame.index)
    frame["waters"] = [list(v) if isinstance(v, list | tuple) else
                       [w for w in _SPLIT.split(_cell(v)) if w] if v else []
                       for v in waters.tolist()]
    first = ["admin_code", "post", "name", "phone", "waters", "row"]
    frame = frame[first + [c for c in frame.columns if c not in first]].reset_index(drop=True)
    frame.attrs["source"] = where
    return frame
