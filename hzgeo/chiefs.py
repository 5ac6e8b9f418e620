"""Chiefs (河长) for every reach, zone and unit, derived by rule from a table of office holders.

Chiefs change often (postings, elections), so nobody types the directory by hand: a table
of office holders (:func:`read_officials`, a row per post) and a rules file
(:func:`read_rules`, TOML; the Guigang rules are bundled) give every reach and zone of the
segmentation its chief at each level, every city, county and township its total chiefs
(总河长, 副总河长), every main river its city chief (市河长), and every water that crosses a
county border without a city chief its joint meeting (联席会议) and convenor
(:func:`assign_chiefs`).

Rules speak of roles (``party_head``, ``government_head``, ``deputy``); the rules file
names the post title (职务) that fills each role per level and unit type (区长 / 县长 /
市长, 镇长 / 乡长 / 街道办主任). A holder whose ``waters`` column names a water chairs it in
their unit, whatever the role the rules give.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
import tomllib
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hzgeo.errors import HzgeoWarning, InputError
from hzgeo.io import Boundaries, Waters
from hzgeo.settings import LEVELS, REACH_LEVELS

__all__ = ["Chiefs", "Rules", "assign_chiefs", "read_officials", "read_rules"]

#: Roles that the rules speak of.
ROLES = ("party_head", "government_head", "deputy")
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
#: Separators between the water codes of the ``waters`` column.
_SPLIT = re.compile(r"[;；,，、\s]+")
#: Columns added to every reach and zone row.
CHIEF_COLUMNS = ["chief_name", "chief_post", "chief_phone", "chief_required", "vacant"]


# ----------------------------------------------------------------------------------------
# Office holders
# ----------------------------------------------------------------------------------------

def _cell(value) -> str:
    """A spreadsheet cell as text; integral numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
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
        hzgeo column -> your header, e.g. ``{"admin_code": "单位编码"}``. Headers
        ``行政区划代码``, ``职务``, ``姓名``, ``电话``, ``负责河湖`` are recognised without it.

    Returns
    -------
    pandas.DataFrame
        ``admin_code`` (text, never a float), ``post`` (职务, the title), ``name``,
        ``phone`` (text), ``waters`` (a list of the water codes or main-river names that
        holder chairs, from a text separated by ``;``, ``，`` or ``、``), ``row`` (the row
        number in the file, header = 1), then any other columns. ``attrs["source"]`` is
        the file.

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
    frame = _read_table(path, encoding)
    frame.columns = [_cell(c) for c in frame.columns]
    return _clean_officials(frame, str(path), columns or {})


def _clean_officials(frame: pd.DataFrame, where: str | None,
                     columns: dict[str, str]) -> pd.DataFrame:
    rename: dict[str, str] = {}
    missing = []
    for ours, aliases in OFFICIALS_ALIASES.items():
        wanted = (columns[ours],) if ours in columns else aliases
        found = next((c for c in wanted if c in frame.columns and c not in rename), None)
        if found is not None:
            rename[found] = ours
        elif ours in REQUIRED_OFFICIALS:
            missing.append(ours)
    if missing:
        have = [str(c) for c in frame.columns]
        names = {k: "/".join(OFFICIALS_ALIASES[k][:3]) for k in missing}
        raise InputError(f"missing column(s) {missing}; the header is {have}", file=where,
                         hint="name the columns " + ", ".join(names.values())
                         + " (or map them with columns={'admin_code': 'YOUR_HEADER', ...})")
    frame = frame.rename(columns=rename)
    if "row" not in frame.columns:
        frame["row"] = range(2, len(frame) + 2)  # the header is row 1
    for column in ("admin_code", "post", "name", "phone"):
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].map(_cell).str.strip()
    frame["admin_code"] = frame["admin_code"].str.replace(r"\.0+$", "", regex=True)
    blank = (frame[["admin_code", "post", "name", "phone"]] == "").all(axis=1)
    frame = frame[~blank].copy()
    problems = []
    for column, what in (("admin_code", "no code"), ("post", "no post"), ("name", "no name")):
        rows = frame.loc[frame[column] == "", "row"].tolist()
        if rows:
            problems.append(f"{what} in row(s) {', '.join(map(str, rows[:10]))}"
                            + (f" and {len(rows) - 10} more" if len(rows) > 10 else ""))
    mangled = frame.loc[~frame["admin_code"].str.fullmatch(r"\d+") & (frame["admin_code"] != ""),
                        ["row", "admin_code"]]
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
                       [w for w in _SPLIT.split(_cell(v)) if w] for v in waters]
    first = ["admin_code", "post", "name", "phone", "waters", "row"]
    frame = frame[first + [c for c in frame.columns if c not in first]].reset_index(drop=True)
    frame.attrs["source"] = where
    return frame


# ----------------------------------------------------------------------------------------
# Rules
# ----------------------------------------------------------------------------------------

_ROLE_OR_NONE = "role or false"
#: What a rules file may hold: key -> type, or a nested table.
_SCHEMA: dict = {
    "city": str,
    "roles": "roles",
    "total_chiefs": {"levels": "levels", "chief": "role", "deputy_chief": "role"},
    "main_rivers": {level: _ROLE_OR_NONE for level in LEVELS},
    "other_waters": {"county": _ROLE_OR_NONE, "township": _ROLE_OR_NONE,
                     "village": _ROLE_OR_NONE, "village_exempt_townships": "codes"},
    "joint_meetings": {"city_led": "codes", "tie_tolerance_m": float,
                       "commander_kinds": "codes"},
    "offices": {"levels": "levels", "name": str, "city_seat": str, "supervision_phone": str,
                "issuing_office": str},
}


@dataclass(frozen=True)
class Rules:
    """A rule set: who chairs what (see ``hzgeo/rules/guigang.toml`` for every key).

    Attributes
    ----------
    data : dict
        The rules, as read from TOML (over the bundled defaults).
    source : str
        Where they were read from.
    """

    data: dict
    source: str

    def __getitem__(self, key: str):
        return self.data[key]

    def role(self, level: str, main: bool) -> str | None:
        """Role that chairs a reach or zone at ``level`` (None: no chief there)."""
        table = self.data["main_rivers" if main else "other_waters"]
        return table.get(level) or None

    def unit_type(self, level: str, name: str) -> str | None:
        """The unit type (a key of ``roles.<level>``) whose suffixes end ``name``."""
        for kind, spec in self.data["roles"].get(level, {}).items():
            for suffix in spec.get("suffixes", ["*"]):
                if suffix == "*" or name.endswith(suffix):
                    return kind
        return None

    def title(self, level: str, kind: str, role: str) -> str | None:
        """The post title that fills ``role`` for units of ``kind`` at ``level``."""
        return self.data["roles"].get(level, {}).get(kind, {}).get(role)


def _bundled_rules_text() -> str:
    return resources.files("hzgeo").joinpath("rules", "guigang.toml").read_text("utf-8")


def _check_rules(data: dict, schema: dict, where: str, prefix: str = "") -> None:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            raise InputError(f"unknown key {path!r} in the rules", file=where,
                             hint=(f"did you mean {prefix}{close[0]!r}? " if close else "")
                             + f"keys here are {list(schema)}")
        kind = schema[key]
        if isinstance(kind, dict):
            if not isinstance(value, dict):
                raise InputError(f"{path!r} should be a table ([{path}])", file=where)
            _check_rules(value, kind, where, f"{path}.")
        elif kind == "roles":
            _check_roles(value, where)
        elif kind in ("role", _ROLE_OR_NONE):
            if not (value in ROLES or (kind == _ROLE_OR_NONE and value is False)):
                allowed = list(ROLES) + (["false"] if kind == _ROLE_OR_NONE else [])
                raise InputError(f"{path} = {value!r}: not a role", file=where,
                                 hint=f"roles are {allowed}")
        elif kind == "levels":
            bad = [v for v in value if v not in LEVELS] if isinstance(value, list) else [value]
            if bad:
                raise InputError(f"{path}: unknown level(s) {bad}", file=where,
                                 hint=f"levels are {list(LEVELS)}")
        elif kind == "codes":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{path} should be a list of strings", file=where)
        elif kind is float:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise InputError(f"{path} should be a number", file=where)
        elif not isinstance(value, kind):
            raise InputError(f"{path} should be a {kind.__name__}", file=where)


def _check_roles(roles: dict, where: str) -> None:
    if not isinstance(roles, dict):
        raise InputError("'roles' should be a table", file=where)
    for level, kinds in roles.items():
        if level not in LEVELS:
            raise InputError(f"unknown key 'roles.{level}' in the rules", file=where,
                             hint=f"levels are {list(LEVELS)}")
        for kind, spec in kinds.items():
            if not isinstance(spec, dict):
                raise InputError(f"'roles.{level}.{kind}' should be a table", file=where)
            for key, value in spec.items():
                path = f"roles.{level}.{kind}.{key}"
                if key == "suffixes":
                    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                        raise InputError(f"{path} should be a list of strings", file=where)
                elif key not in ROLES:
                    close = difflib.get_close_matches(key, [*ROLES, "suffixes"], n=1)
                    raise InputError(f"unknown key {path!r} in the rules", file=where,
                                     hint=(f"did you mean {close[0]!r}? " if close else "")
                                     + f"keys here are {['suffixes', *ROLES]}")
                elif not isinstance(value, str) or not value.strip():
                    raise InputError(f"{path} should be a post title (text)", file=where)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key == "roles" and isinstance(value, dict):
            out["roles"] = {**out.get("roles", {}), **copy.deepcopy(value)}  # level replaced
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_rules(path=None) -> Rules:
    """Read a rule set (TOML); ``None`` gives the bundled Guigang rules.

    A file may hold only the keys it changes: its tables are laid over the bundled
    rules (a ``roles.<level>`` table replaces that level's unit types as a whole).

    Raises
    ------
    InputError
        A key that the rules do not know (named, with the closest known key), or a value
        of the wrong kind.

    Examples
    --------
    >>> rules = read_rules()
    >>> rules["total_chiefs"]["levels"], rules.role("village", main=True)
    (['city', 'county', 'township'], 'party_head')
    >>> kind = rules.unit_type("county", "桂平市")
    >>> kind, rules.title("county", kind, "government_head")
    ('市', '市长')
    """
    bundled = tomllib.loads(_bundled_rules_text())
    if path is None:
        _check_rules(bundled, _SCHEMA, "hzgeo/rules/guigang.toml")
        return Rules(bundled, "hzgeo/rules/guigang.toml (bundled)")
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, hint="check the path")
    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not a valid TOML file ({err})", file=path,
                         hint="compare with hzgeo/rules/guigang.toml; Chinese keys need "
                              'quotes: [roles.county."区"]') from None
    _check_rules(data, _SCHEMA, str(path))
    return Rules(_merge(bundled, data), str(path))


# ----------------------------------------------------------------------------------------
# Assignment
# ----------------------------------------------------------------------------------------

@dataclass
class Chiefs:
    """The result of :func:`assign_chiefs` (see ``CONTRACT.md``).

    Attributes
    ----------
    reaches, zones : dict of level -> GeoDataFrame
        The segmentation's rows plus ``chief_name``, ``chief_post``, ``chief_phone`` (None
        where nobody), ``chief_required`` (the rules give a chief here) and ``vacant``
        (required, nobody). A 界河 row carries its own bank's chief and, in
        ``other_bank_chief``, the other bank's (reaches only).
    total_chiefs : DataFrame
        ``level``, ``admin_code``, ``admin_name``, ``role`` (总河长 / 副总河长), ``post``,
        ``chief_name``, ``chief_phone``, ``vacant``.
    city_chiefs : DataFrame
        One row per river of a main river (西江干流's 黔江 and 浔江 each have a row, with
        the same chief): ``river_code``, ``river_name``, ``main_river``, ``post``,
        ``chief_name``, ``chief_phone``, ``vacant``.
    joint_meetings : DataFrame
        One row per water crossing a county border without a city chief: ``water_code``,
        ``water_name``, ``kind``, ``members``, ``member_codes``, ``convenor_code``,
        ``convenor_name``, ``convenor_chief``, ``rule`` (longest_reach, largest_area,
        commander or tie), ``note``.
    vacancies : DataFrame
        ``level``, ``admin_code``, ``admin_name``, ``post``, ``what``.
    offices : DataFrame
        The river chief offices: ``level``, ``admin_code``, ``admin_name``, ``office``,
        ``seat``, ``supervision_phone``.
    rules : Rules
        The rules used (``rules["offices"]["issuing_office"]`` for the directory).
    """

    reaches: dict[str, gpd.GeoDataFrame]
    zones: dict[str, gpd.GeoDataFrame]
    total_chiefs: pd.DataFrame
    city_chiefs: pd.DataFrame
    joint_meetings: pd.DataFrame
    vacancies: pd.DataFrame
    offices: pd.DataFrame
    rules: Rules


class _Book:
    """Who holds which post in which unit, and who chairs which water."""

    def __init__(self, officials: pd.DataFrame, rules: Rules, units: dict[str, tuple[str, str]]):
        self.rules = rules
        self.units = units  # code -> (level, name)
        self.officials = officials
        self.holders: dict[tuple[str, str], list[int]] = {}
        self.named: dict[tuple[str, str], int] = {}
        for i, (code, post, waters) in enumerate(zip(
                officials["admin_code"], officials["post"], officials["waters"], strict=True)):
            self.holders.setdefault((code, post), []).append(i)
            for water in waters:
                self.named.setdefault((code, water), i)
        self._kind: dict[str, str | None] = {}

    def kind(self, code: str) -> str | None:
        if code not in self._kind:
            level, name = self.units.get(code, ("", ""))
            self._kind[code] = self.rules.unit_type(level, name) if level else None
        return self._kind[code]

    def title(self, code: str, role: str) -> str | None:
        kind = self.kind(code)
        level = self.units.get(code, ("", ""))[0]
        return self.rules.title(level, kind, role) if kind else None

    def holder(self, code: str, role: str) -> tuple[int | None, str | None]:
        """First holder (table order) of ``role`` in unit ``code``, and the post title."""
        title = self.title(code, role)
        rows = self.holders.get((code, title), [])
        return (rows[0] if rows else None), title

    def chair(self, code: str, role: str | None, keys: list[str]
              ) -> tuple[int | None, str | None, bool]:
        """Who chairs a water in unit ``code``: ``(row, post, required)``.

        A holder of the unit whose ``waters`` names one of ``keys`` (in order) chairs it
        (and makes a chief required there); else the holder of ``role``.
        """
        for key in keys:
            row = self.named.get((code, key))
            if row is not None:
                return row, self.officials.at[row, "post"], True
        if role is None:
            return None, None, False
        row, title = self.holder(code, role)
        return row, title, True

    def person(self, row: int | None) -> tuple[str | None, str | None]:
        if row is None:
            return None, None
        phone = self.officials.at[row, "phone"]
        return self.officials.at[row, "name"], (phone or None)


def _units(boundaries: Boundaries) -> dict[str, tuple[str, str]]:
    out = {}
    for level in LEVELS:
        if level in boundaries:
            frame = boundaries[level]
            out.update({c: (level, n) for c, n in zip(frame["code"], frame["name"], strict=True)})
    return out


def _where(officials: pd.DataFrame) -> str:
    return officials.attrs.get("source") or "the office holders table"


def _check_inputs(officials: pd.DataFrame, units: dict, rules: Rules, waters: Waters,
                  book: _Book) -> None:
    """Rows naming no unit or no water, titles found nowhere, units no type matches."""
    where = _where(officials)
    unknown = officials[~officials["admin_code"].isin(list(units))]
    if len(unknown):
        shown = [f"row {r} ({c} {p})" for r, c, p in
                 unknown[["row", "admin_code", "post"]].head(10).itertuples(index=False)]
        raise InputError(f"{len(unknown)} row(s) name a code that matches no unit in the "
                         f"boundaries: {', '.join(shown)}", file=where,
                         hint="correct the code (the 6-, 9- or 12-digit statistical code of "
                              "the unit) or delete the row")
    keys = set(waters.rivers["river_code"]) | set(waters.lakes["code"])
    keys |= {m for m in waters.rivers.get("main_river", pd.Series(dtype=str)) if m}
    bad = [(r, w) for r, ws in zip(officials["row"], officials["waters"], strict=True)
           for w in ws if w not in keys]
    if bad:
        raise InputError("the waters column names waters that are not in the waters: "
                         + ", ".join(f"row {r} {w!r}" for r, w in bad[:10]), file=where,
                         hint="give river codes (river_code), lake codes or main-river names")
    unmatched = [f"{code} {name}" for code, (level, name) in units.items()
                 if level in rules["roles"] and book.kind(code) is None]
    if unmatched:
        raise InputError(f"no unit type of the rules matches unit(s) {unmatched[:10]}",
                         file=rules.source, hint="add a suffix, or a type with suffixes = "
                                                 "[\"*\"], to the roles of that level")
    # every title of a role the rules use, for a unit type present, must appear somewhere
    used: dict[str, set[str]] = {level: set() for level in LEVELS}
    for level in rules["total_chiefs"]["levels"]:
        used[level] |= {rules["total_chiefs"]["chief"], rules["total_chiefs"]["deputy_chief"]}
    for table in ("main_rivers", "other_waters"):
        for level in LEVELS:
            role = rules[table].get(level)
            if role:
                used[level].add(role)
    posts = set(officials["post"])
    for code, (level, _) in units.items():
        for role in sorted(used[level]):
            title = book.title(code, role)
            kind = book.kind(code)
            if title is None:
                raise InputError(f"roles.{level}.\"{kind}\" gives no title for {role!r}, which "
                                 "the rules use", file=rules.source,
                                 hint=f"add {role} = \"TITLE\" to [roles.{level}.\"{kind}\"]")
            if title not in posts:
                close = difflib.get_close_matches(title, sorted(posts), n=1)
                raise InputError(
                    f"post title {title!r} (roles.{level}.\"{kind}\".{role}) appears in no row "
                    f"of the office holders table {where}", file=rules.source,
                    hint=(f"a typo? the table has {close[0]!r}; " if close else "")
                    + "correct the title in the rules or in the table's 职务 column")
    titles = {t for lvl in rules["roles"].values() for spec in lvl.values()
              for k, t in spec.items() if k in ROLES}
    stray = officials[~officials["post"].isin(titles)]
    if len(stray):
        shown = sorted({f"{p!r} (row {r})" for p, r in
                        stray[["post", "row"]].itertuples(index=False)})
        warnings.warn(f"{where}: {len(stray)} row(s) hold a post that fills no role of the rules "
                      f"and are not used, unless their waters column names a water: "
                      f"{', '.join(shown[:10])}", HzgeoWarning, stacklevel=3)
    for role in ("party_head", "government_head"):
        seen: dict[tuple[str, str], list[int]] = {}
        for code in units:
            title = book.title(code, role)
            rows = book.holders.get((code, title), []) if title else []
            if len(rows) > 1:
                seen[(code, title)] = [int(officials.at[i, "row"]) for i in rows]
        if seen:
            shown = [f"{t} of {c} (rows {', '.join(map(str, r))})" for (c, t), r in seen.items()]
            warnings.warn(f"{where}: several holders of one post; the first in table order is "
                          f"used: {'; '.join(shown[:10])}", HzgeoWarning, stacklevel=3)


def _river_keys(rivers: pd.DataFrame) -> dict[str, list[str]]:
    """Per river code, the keys a holder may name it by: its code, its main river's name,
    then the codes of the other sections of that main river."""
    main_river = dict(zip(rivers["river_code"], rivers.get("main_river", ""), strict=True))
    sections: dict[str, list[str]] = {}
    for code, group in main_river.items():
        if group:
            sections.setdefault(group, []).append(code)
    out = {}
    for code, group in main_river.items():
        keys = [code]
        if group:
            keys += [group] + [c for c in sections[group] if c != code]
        out[code] = keys
    return out


def _with_chiefs(frame: gpd.GeoDataFrame, level: str, book: _Book, rules: Rules,
                 keys_of, main_of, vacant_log: dict, label_column: str
                 ) -> gpd.GeoDataFrame:
    exempt = set(rules["other_waters"].get("village_exempt_townships", []))
    names, posts, phones, required, vacant = [], [], [], [], []
    for code, water, label in zip(frame["admin_code"], frame[keys_of[0]],
                                  frame[label_column], strict=True):
        main = main_of(water)
        role = rules.role(level, main)
        if level == "village" and not main and code[:9] in exempt:
            role = None
        row, post, need = book.chair(code, role, keys_of[1](water))
        name, phone = book.person(row)
        names.append(name)
        posts.append(post)
        phones.append(phone)
        required.append(need)
        vacant.append(need and row is None)
        if need and row is None:
            vacant_log.setdefault((level, code, post), []).append(label)
    out = frame.copy()
    out["chief_name"] = pd.Series(names, index=out.index, dtype=object)
    out["chief_post"] = pd.Series(posts, index=out.index, dtype=object)
    out["chief_phone"] = pd.Series(phones, index=out.index, dtype=object)
    out["chief_required"] = pd.Series(required, index=out.index, dtype=bool)
    out["vacant"] = pd.Series(vacant, index=out.index, dtype=bool)
    return out


def _other_bank(frame: gpd.GeoDataFrame) -> pd.Series:
    """For each 界河 row, the chief of the row for the other bank (same chainage)."""
    if "boundary" not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    chief = {}
    for r, a, s, f, n in zip(frame["river_code"], frame["admin_code"], frame["shared_with"],
                             frame["from_km"], frame["chief_name"], strict=True):
        chief[(r, a, s, round(float(f), 6))] = n
    out = [chief.get((r, s, a, round(float(f), 6))) if b else None
           for r, a, s, f, b in zip(frame["river_code"], frame["admin_code"],
                                    frame["shared_with"], frame["from_km"], frame["boundary"],
                                    strict=True)]
    return pd.Series(out, index=frame.index, dtype=object)


def _fmt_members(members: pd.DataFrame, names: dict, unit: str, scale: float) -> str:
    return "；".join(f"{names.get(c, c)} {v / scale:.2f} {unit}"
                    for c, v in zip(members["admin_code"], members["size"], strict=True))


def _joint_meetings(reaches: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, waters: Waters,
                    rules: Rules, names: dict) -> pd.DataFrame:
    jm = rules["joint_meetings"]
    city_led = set(jm.get("city_led", []))
    tol = float(jm.get("tie_tolerance_m", 1.0))
    rows = []
    main = dict(zip(waters.rivers["river_code"], waters.rivers["main"], strict=True))
    for river, group in reaches.groupby("river_code", sort=True):
        if main.get(river, False) or river in city_led:
            continue
        # every row counts: a 界河 stretch is a row per bank, so it counts for both
        members = (group.groupby("admin_code", sort=True)
                   .agg(size=("length_m", "sum"), start=("from_km", "min"))
                   .reset_index())
        if len(members) < 2:
            continue
        chief = dict(zip(group["admin_code"], group["chief_name"], strict=False))
        longest = members["size"].max()
        tied = members[members["size"] >= longest - tol]
        if len(tied) == 1:
            convenor, rule, note = tied["admin_code"].iloc[0], "longest_reach", ""
        else:
            pick = tied.sort_values(["start", "admin_code"]).iloc[0]
            convenor, rule = pick["admin_code"], "tie"
            note = ("、".join(names.get(c, c) for c in tied["admin_code"])
                    + f" have reaches within {tol:g} m of the longest "
                    f"({longest / 1000:.2f} km); the upstream county (first reach from "
                    f"km {pick['start']:.2f}) convenes, then the lower code")
        rows.append({"water_code": river, "water_name": group["river_name"].iloc[0],
                     "kind": "river", "members": _fmt_members(members, names, "km", 1000.0),
                     "member_codes": ",".join(members["admin_code"]),
                     "convenor_code": convenor, "convenor_name": names.get(convenor, convenor),
                     "convenor_chief": chief.get(convenor), "rule": rule, "note": note})
    lakes = waters.lakes.set_index("code") if len(waters.lakes) else None
    commander_kinds = set(jm.get("commander_kinds", []))
    for water, group in zones.groupby("water_code", sort=True):
        if water in city_led:
            continue
        members = (group.groupby("admin_code", sort=True).agg(size=("area_m2", "sum"))
                   .reset_index())
        if len(members) < 2:
            continue
        chief = dict(zip(group["admin_code"], group["chief_name"], strict=False))
        kind = str(group["kind"].iloc[0])
        commander = ""
        if lakes is not None and water in lakes.index and "commander_county" in lakes.columns:
            commander = str(lakes.at[water, "commander_county"] or "")
        largest = members["size"].max()
        top = members[members["size"] == largest].sort_values("admin_code")
        note = ""
        if kind in commander_kinds and commander in set(members["admin_code"]):
            convenor, rule = commander, "commander"
            note = f"防汛抗旱指挥长 in {names.get(commander, commander)}"
        else:
            convenor = top["admin_code"].iloc[0]
            rule = "largest_area" if len(top) == 1 else "tie"
            if kind in commander_kinds:
                note = ("no commander_county in the data" if not commander else
                        f"commander_county {commander} is not a member county")
                note += "; the county with the largest zone area convenes"
            if len(top) > 1:
                note += ("; " if note else "") + "equal largest areas: the lower code convenes"
        rows.append({"water_code": water, "water_name": group["water_name"].iloc[0],
                     "kind": kind, "members": _fmt_members(members, names, "km²", 1e6),
                     "member_codes": ",".join(members["admin_code"]),
                     "convenor_code": convenor, "convenor_name": names.get(convenor, convenor),
                     "convenor_chief": chief.get(convenor), "rule": rule, "note": note})
    columns = ["water_code", "water_name", "kind", "members", "member_codes", "convenor_code",
               "convenor_name", "convenor_chief", "rule", "note"]
    return pd.DataFrame(rows, columns=columns)


def assign_chiefs(result, boundaries: Boundaries, waters: Waters, officials: pd.DataFrame,
                  rules: Rules | None = None) -> Chiefs:
    """Give every reach, zone and unit its chief, by the rules, from the office holders.

    Parameters
    ----------
    result : Segmentation
        From :func:`hzgeo.segment_waters`.
    boundaries : Boundaries
        The units the segmentation used (for names, unit types and the city).
    waters : Waters
        The waters it used (``main``, ``main_river``; lakes' ``kind``, ``commander_county``).
    officials : DataFrame
        From :func:`read_officials` (a frame with ``admin_code``, ``post``, ``name`` and
        optionally ``phone``, ``waters`` is accepted too).
    rules : Rules, optional
        From :func:`read_rules`; default the bundled Guigang rules.

    Returns
    -------
    Chiefs

    Raises
    ------
    InputError
        A row whose code matches no unit (naming the row), a ``waters`` entry that names no
        water, a post title of the rules that no row holds (a typo), a unit no unit type
        of the rules matches.

    Warns
    -----
    HzgeoWarning
        When posts are vacant (listed in ``Chiefs.vacancies``): a vacancy is a defect for
        the audit, not an error.
    """
    if rules is None:
        rules = read_rules()
    if not isinstance(officials, pd.DataFrame):
        raise TypeError(f"'officials' should be a DataFrame, got {type(officials)}")
    officials = _clean_officials(officials.copy(), officials.attrs.get("source"), {})
    units = _units(boundaries)
    names = {c: n for c, (_, n) in units.items()}
    book = _Book(officials, rules, units)
    _check_inputs(officials, units, rules, waters, book)

    river_keys = _river_keys(waters.rivers)
    main_by_code = dict(zip(waters.rivers["river_code"], waters.rivers["main"], strict=True))
    vacant_log: dict[tuple[str, str, str | None], list[str]] = {}
    reaches, zones = {}, {}
    for level in REACH_LEVELS:
        frame = _with_chiefs(result.reaches[level], level, book, rules,
                             ("river_code", lambda r: river_keys.get(r, [r])),
                             lambda r: bool(main_by_code.get(r, False)), vacant_log,
                             "reach_name")
        frame["other_bank_chief"] = _other_bank(frame)
        reaches[level] = frame
        zones[level] = _with_chiefs(result.zones[level], level, book, rules,
                                    ("water_code", lambda w: [w]), lambda w: False, vacant_log,
                                    "zone_code")

    # total chiefs
    tc = rules["total_chiefs"]
    total = []
    for level in tc["levels"]:
        if level not in boundaries:
            continue
        frame = boundaries[level].sort_values("code")
        for code, name in zip(frame["code"], frame["name"], strict=True):
            for label, role in (("总河长", tc["chief"]), ("副总河长", tc["deputy_chief"])):
                row, post = book.holder(code, role)
                chief, phone = book.person(row)
                total.append({"level": level, "admin_code": code, "admin_name": name,
                              "role": label, "post": post, "chief_name": chief,
                              "chief_phone": phone, "vacant": row is None})
                if row is None:
                    vacant_log.setdefault((level, code, post), []).append(label)
    total_chiefs = pd.DataFrame(total, columns=["level", "admin_code", "admin_name", "role",
                                                "post", "chief_name", "chief_phone", "vacant"])

    # city chiefs of the main rivers
    city_role = rules["main_rivers"].get("city") or None
    city = next((c for c, (lvl, _) in units.items() if lvl == "city"), None)
    city_rows = []
    mains = waters.rivers[waters.rivers["main"]].sort_values("river_code")
    for code, rname, group in zip(mains["river_code"], mains["name"],
                                  mains.get("main_river", mains["name"]), strict=True):
        row, post, need = (book.chair(city, city_role, river_keys.get(code, [code]))
                           if city else (None, None, bool(city_role)))
        chief, phone = book.person(row)
        city_rows.append({"river_code": code, "river_name": rname,
                          "main_river": group or rname, "post": post, "chief_name": chief,
                          "chief_phone": phone, "vacant": need and row is None})
        if need and row is None:
            vacant_log.setdefault(("city", city or "", post), []).append(f"市河长 {rname}")
    city_chiefs = pd.DataFrame(city_rows, columns=["river_code", "river_name", "main_river",
                                                   "post", "chief_name", "chief_phone",
                                                   "vacant"])

    joint = _joint_meetings(reaches["county"], zones["county"], waters, rules, names)

    offices_rule = rules["offices"]
    office_rows = []
    for level in offices_rule["levels"]:
        if level not in boundaries:
            continue
        frame = boundaries[level].sort_values("code")
        for code, name in zip(frame["code"], frame["name"], strict=True):
            office_rows.append({"level": level, "admin_code": code, "admin_name": name,
                                "office": offices_rule["name"].format(name=name),
                                "seat": offices_rule["city_seat"] if level == "city" else "",
                                "supervision_phone": offices_rule["supervision_phone"]})
    offices = pd.DataFrame(office_rows, columns=["level", "admin_code", "admin_name", "office",
                                                 "seat", "supervision_phone"])

    order = {level: i for i, level in enumerate(LEVELS)}
    vac = []
    for (level, code, post), what in sorted(vacant_log.items(),
                                            key=lambda kv: (order[kv[0][0]], kv[0][1],
                                                            str(kv[0][2]))):
        shown = "、".join(what[:5]) + (f" 等 {len(what)} 项" if len(what) > 5 else "")
        vac.append({"level": level, "admin_code": code, "admin_name": names.get(code, code),
                    "post": post, "what": shown})
    vacancies = pd.DataFrame(vac, columns=["level", "admin_code", "admin_name", "post", "what"])
    if len(vacancies):
        warnings.warn(f"{len(vacancies)} post(s) vacant, e.g. "
                      + "; ".join(f"{r.admin_name} {r.post}: {r.what}"
                                  for r in vacancies.head(3).itertuples())
                      + "; see Chiefs.vacancies", HzgeoWarning, stacklevel=2)
    return Chiefs(reaches, zones, total_chiefs, city_chiefs, joint, vacancies, offices, rules)
