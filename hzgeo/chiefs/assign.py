"""Assignment: every reach, zone and unit its chief, by the rules."""

from __future__ import annotations

import difflib
import warnings

import geopandas as gpd
import pandas as pd

from hzgeo._columns import complete_river_columns
from hzgeo.chiefs.meetings import joint_meetings
from hzgeo.chiefs.officials import clean_officials
from hzgeo.chiefs.rules import ROLES, Rules, default_rules
from hzgeo.errors import HzgeoWarning, InputError
from hzgeo.hierarchy import Hierarchy
from hzgeo.model import (
    CHIEF_COLUMNS,
    CITY_CHIEF_COLUMNS,
    OFFICE_COLUMNS,
    TOTAL_CHIEF_COLUMNS,
    VACANCY_COLUMNS,
    Boundaries,
    Chiefs,
    Segmentation,
    Waters,
)
from hzgeo.settings import LEVELS, REACH_LEVELS

__all__ = ["CHIEF_COLUMNS", "Chiefs", "assign_chiefs"]

#: Names that declare a post vacant (the post is known, nobody holds it).
VACANT_NAMES = frozenset({"空缺", "（空缺）", "(空缺)", "暂缺", "vacant"})
class _Book:
    """Who holds which post in which unit, and who chairs which water."""

    def __init__(self, officials: pd.DataFrame, rules: Rules, units: dict[str, tuple[str, str]]):
        self.rules = rules
        self.units = units  # code -> (level, name)
        self.officials = officials
        self._post = officials["post"].tolist()
        self._name = officials["name"].tolist()
        self._phone = officials["phone"].tolist()
        self.holders: dict[tuple[str, str], list[int]] = {}
        self.named: dict[tuple[str, str], int] = {}
        for i, (code, post, waters) in enumerate(zip(
                officials["admin_code"].tolist(), self._post, officials["waters"].tolist(),
                strict=True)):
            vacant = self._name[i] in VACANT_NAMES  # a post declared vacant: no holder
            if not vacant:
                self.holders.setdefault((code, post), []).append(i)
            for water in waters:  # a vacant post that chairs a water leaves it vacant
                self.named.setdefault((code, water), i)
        self.naming_units = {code for code, _ in self.named}
        self.kinds: dict[str, str | None] = {
            code: rules.unit_type(level, name) for code, (level, name) in units.items()}
        self._titles = {(level, kind, role): rules.title(level, kind, role)
                        for level, kinds in rules["roles"].items() for kind in kinds
                        for role in ROLES}
        self._holder: dict[tuple[str, str], tuple[int | None, str | None]] = {}

    def kind(self, code: str) -> str | None:
        return self.kinds.get(code)

    def title(self, code: str, role: str) -> str | None:
        kind = self.kinds.get(code)
        return self._titles.get((self.units[code][0], kind, role)) if kind else None

    def holder(self, code: str, role: str) -> tuple[int | None, str | None]:
        """First holder (table order) of ``role`` in unit ``code``, and the post title."""
        key = (code, role)
        found = self._holder.get(key)
        if found is None:
            title = self.title(code, role)
            rows = self.holders.get((code, title)) if title is not None else None
            found = self._holder[key] = (rows[0] if rows else None), title
        return found

    def chair(self, code: str, role: str | None, keys: list[str]
              ) -> tuple[int | None, str | None, bool]:
        """Who chairs a water in unit ``code``: ``(row, post, required)``.

        A holder of the unit whose ``waters`` names one of ``keys`` (in order) chairs it
        (and makes a chief required there); else the holder of ``role``.
        """
        if code in self.naming_units:
            for key in keys:
                row = self.named.get((code, key))
                if row is not None:
                    vacant = self._name[row] in VACANT_NAMES
                    return (None if vacant else row), self._post[row], True
        if role is None:
            return None, None, False
        row, title = self.holder(code, role)
        return row, title, True

    def person(self, row: int | None) -> tuple[str | None, str | None]:
        if row is None:
            return None, None
        return self._name[row], (self._phone[row] or None)


def _units(boundaries: Boundaries) -> dict[str, tuple[str, str]]:
    """Code -> (level, name) of every unit; a missing city is the counties' parent."""
    out = {}
    for level in LEVELS:
        if level in boundaries:
            frame = boundaries[level]
            out.update({c: (level, n) for c, n in zip(frame["code"].tolist(),
                                                       frame["name"].tolist(), strict=True)})
    if "city" not in boundaries and "county" in boundaries:
        for code in sorted(set(boundaries["county"]["parent_code"]) - {""}):
            out[code] = ("city", code)
    return out


def _units_at(units: dict, level: str) -> list[tuple[str, str]]:
    """(code, name) of the units at ``level``, by code."""
    return sorted((c, n) for c, (lvl, n) in units.items() if lvl == level)


def _where(officials: pd.DataFrame) -> str:
    return officials.attrs.get("source") or "the office holders table"


def _check_inputs(officials: pd.DataFrame, units: dict, rules: Rules, waters: Waters,
                  book: _Book) -> None:
    """Rows naming no unit or no water, titles found nowhere, units no type matches."""
    where = _where(officials)
    unknown = officials[[c not in units for c in officials["admin_code"].tolist()]]
    if len(unknown):
        shown = [f"row {r} ({c} {p})" for r, c, p in
                 unknown[["row", "admin_code", "post"]].head(10).itertuples(index=False)]
        raise InputError(f"{len(unknown)} row(s) name a code that matches no unit in the "
                         f"boundaries: {', '.join(shown)}", file=where,
                         hint="correct the code (the 6-, 9- or 12-digit statistical code of "
                              "the unit) or delete the row")
    keys = set(waters.rivers["river_code"]) | set(waters.lakes.get("code", []))
    keys |= {m for m in waters.rivers.get("main_river", pd.Series(dtype=str)) if m}
    bad = [(r, w) for r, ws in zip(officials["row"], officials["waters"], strict=True)
           for w in ws if w not in keys]
    if bad:
        raise InputError("the waters column names waters that are not in the waters: "
                         + ", ".join(f"row {r} {w!r}" for r, w in bad[:10]), file=where,
                         hint="give river codes (river_code), lake codes or main-river names")
    mains = set(waters.rivers.loc[waters.rivers["main"], "river_code"])
    mains |= {m for m in waters.rivers.loc[waters.rivers["main"], "main_river"] if m}
    city = [units[c][0] == "city" for c in officials["admin_code"].tolist()]
    unused = [(r, w) for r, ws in zip(officials.loc[city, "row"], officials.loc[city, "waters"],
                                      strict=True) for w in ws if w not in mains]
    if unused:
        warnings.warn(f"{where}: the city chairs only the main rivers; not used: "
                      + ", ".join(f"row {r} {w!r}" for r, w in unused[:10])
                      + " (mark a river main = true in the waters for it to have a city chief)",
                      HzgeoWarning, stacklevel=3)
    exempt = [c for c in rules["other_waters"].get("village_exempt_townships", [])
              if units.get(c, ("",))[0] != "township"]
    if exempt:
        raise InputError(f"other_waters.village_exempt_townships names codes that are no "
                         f"township: {exempt[:10]}", file=rules.source,
                         hint="give the 9-digit codes of townships in the boundaries")
    unmatched = [f"{code} {name}" for code, (level, name) in units.items()
                 if level in rules["roles"] and book.kind(code) is None]
    if unmatched:
        unnamed = [code for code, (level, name) in units.items()
                   if level in rules["roles"] and book.kind(code) is None and name == code]
        if unnamed:  # derived from village codes, with no name column to name them
            raise InputError(
                f"unit(s) {unnamed[:10]} have no names, so the rules cannot tell their type "
                "(区/县/市, 镇/乡/街道) and post titles",
                hint="the townships and counties were derived from the village codes: give "
                     "the village layer a 乡镇名称 and a 县区名称 column (or map yours with "
                     "`columns={'township_name': 'COLUMN', 'county_name': 'COLUMN'}`), or give "
                     "the township and county layers themselves")
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
    present = sorted({(level, book.kind(code)) for code, (level, _) in units.items()})
    for level, kind in present:
        for role in sorted(used[level]):
            title = rules.title(level, kind, role) if kind is not None else None
            if title is None:
                raise InputError(f"roles.{level}.\"{kind}\" gives no title for {role!r}, which "
                                 "the rules use", file=rules.source,
                                 hint=f"add {role} = \"TITLE\" to [roles.{level}.\"{kind}\"]")
            if title not in posts:
                close = difflib.get_close_matches(title, sorted(posts), n=1, cutoff=0.5)
                raise InputError(
                    f"post title {title!r} (roles.{level}.\"{kind}\".{role}) appears in no row "
                    f"of {where}", file=rules.source,
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
    seen: dict[tuple[str, str], list[int]] = {}
    heads = {(code, book.title(code, role)) for code, _ in book.holders
             for role in ("party_head", "government_head")}
    for (code, post), rows in book.holders.items():
        if len(rows) > 1 and (code, post) in heads:
            seen[(code, post)] = [int(officials.at[i, "row"]) for i in rows]
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
                 keys_of, main_of, vacant_log: dict, labels: list[str], exempt: set[str]
                 ) -> gpd.GeoDataFrame:
    """``frame`` with the chief columns; ``exempt``: villages with no chiefs for other waters."""
    names, posts, phones, required, vacant = [], [], [], [], []
    for code, water, label in zip(frame["admin_code"].tolist(), frame[keys_of[0]].tolist(),
                                  labels, strict=True):
        main = main_of(water)
        role = rules.role(level, main)
        if level == "village" and not main and code in exempt:
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
    columns = [frame[c].tolist() for c in ("river_code", "admin_code", "shared_with", "from_km",
                                            "chief_name", "boundary")]
    for r, a, s, f, n, _ in zip(*columns, strict=True):
        chief[(r, a, s, round(float(f), 6))] = n
    out = [chief.get((r, s, a, round(float(f), 6))) if b else None
           for r, a, s, f, _, b in zip(*columns, strict=True)]
    return pd.Series(out, index=frame.index, dtype=object)


def _exempt(boundaries: Boundaries, townships: set[str]) -> set[str]:
    """The villages of ``townships`` (no chiefs for their other waters)."""
    villages = boundaries["village"] if "village" in boundaries else None  # (levels given)
    return set() if villages is None else set(
        villages.loc[villages["parent_code"].isin(townships), "code"])


def _across(officials: pd.DataFrame, boundaries: Boundaries, result: Segmentation,
            rules: Rules) -> tuple[pd.DataFrame, _Book | None]:
    """For boundaries limited to one county (``boundaries.around``): the holders of the
    units outside it (those :func:`hzgeo.select.officials_within` keeps across the
    county's border) set apart, as a book that answers for the far bank of a 界河 only;
    the other rows as they are. None when not limited."""
    whole = getattr(boundaries, "around", None)
    if whole is None or getattr(result, "around", None) is None:
        return officials, None
    mine = set(_units(boundaries))
    around = _units(whole)
    codes = officials["admin_code"]
    outside = ~codes.isin(mine) & codes.isin(around)
    if not outside.any():
        return officials, None
    return officials[~outside.to_numpy()], _Book(officials[outside.to_numpy()], rules, around)


def _far_banks(frame: gpd.GeoDataFrame, whole: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows of ``whole`` (the cut a county's reaches were taken from) that are the
    other bank of a 界河 row of ``frame`` with no row of its own in ``frame``."""
    key = ["river_code", "admin_code", "shared_with"]
    lone = frame[frame["boundary"].astype(bool)
                 & ~frame["shared_with"].isin(set(frame["admin_code"]))]
    wanted = {(r, s, a, round(float(f), 6)) for r, a, s, f in zip(
        *[lone[c].tolist() for c in key], lone["from_km"].tolist(), strict=True)}
    hit = [(r, a, s, round(float(f), 6)) in wanted for r, a, s, f in zip(
        *[whole[c].tolist() for c in key], whole["from_km"].tolist(), strict=True)]
    return whole[hit]


def _meetings_around(whole: Segmentation, outline: Boundaries, boundaries: Boundaries,
                     waters: Waters, rules: Rules, book: _Book, across: _Book | None,
                     rivers) -> pd.DataFrame:
    """For boundaries limited to one county: the joint meetings the county is a member of,
    as the whole city has them. A county's own reaches alone never make a meeting (it
    needs two counties): the members, lengths and convenor come from the cut the county's
    part was taken from (``whole``, its rivers cut against the counties they run through;
    its lakes' zones in each county), the chiefs of the other counties from the holders
    kept across the border (``across``; none known: the convenor's chief is missing).
    ``outline``: ``boundaries.around``, the units of the whole city."""
    river_keys, main_by_code = rivers
    around = _units(outline)
    names = {c: n for c, (_, n) in around.items()}
    mine = {c for c, (level, _) in _units(boundaries).items() if level == "county"}
    far = across or _Book(book.officials.iloc[:0], rules, around)
    keyed = {"reaches": (("river_code", lambda r: river_keys.get(r, [r])),
                         lambda r: bool(main_by_code.get(r, False)), "reach_name"),
             "zones": (("water_code", lambda w: [w]), lambda w: False, "water_name")}
    frames = {}
    for kind, (keys, main_of, label) in keyed.items():
        frame = getattr(whole, kind)["county"]
        inside = frame["admin_code"].astype(str).isin(mine).to_numpy()
        parts = [_with_chiefs(frame[pick], "county", chairs, rules, keys, main_of, {},
                              frame.loc[pick, label].astype(str).tolist(), set())
                 for pick, chairs in ((inside, book), (~inside, far))]
        frames[kind] = pd.concat(parts).sort_index()
    joint = joint_meetings(frames["reaches"], frames["zones"], waters, rules, names)
    member = [bool(mine & set(str(c).split(","))) for c in joint["member_codes"]]
    return joint[member].reset_index(drop=True)


def assign_chiefs(result: Segmentation, boundaries: Boundaries, waters: Waters,
                  officials: pd.DataFrame, rules: Rules | None = None) -> Chiefs:
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
        From :func:`read_rules`; default :func:`~hzgeo.chiefs.rules.default_rules`: the
        bundled Guigang rules for the bundled sample, else the generic national rules.

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
    if rules is None:  # Guigang's for the bundled sample, else the generic national rules
        rules = default_rules(boundaries)
    if not isinstance(officials, pd.DataFrame):
        raise TypeError(f"'officials' should be a DataFrame, got {type(officials)}")
    officials = clean_officials(officials.copy(), officials.attrs.get("source"), {})
    waters = Waters(complete_river_columns(waters.rivers), waters.lakes, waters.origin)
    units = _units(boundaries)
    names = {c: n for c, (_, n) in units.items()}
    officials, across = _across(officials, boundaries, result, rules)
    book = _Book(officials, rules, units)
    _check_inputs(officials, units, rules, waters, book)

    exempt_townships = set(rules["other_waters"].get("village_exempt_townships", []))
    exempt = _exempt(boundaries, exempt_townships)
    river_keys = _river_keys(waters.rivers)
    main_by_code = dict(zip(waters.rivers["river_code"], waters.rivers["main"], strict=True))
    vacant_log: dict[tuple[str, str, str | None], list[str]] = {}
    reaches, zones, far_banks = {}, {}, {}
    for level in REACH_LEVELS:  # (a level the city has not: empty frames)
        frame = _with_chiefs(result.reaches[level], level, book, rules,
                             ("river_code", lambda r: river_keys.get(r, [r])),
                             lambda r: bool(main_by_code.get(r, False)), vacant_log,
                             result.reaches[level]["reach_name"].tolist(), exempt)
        frame["other_bank_chief"] = _other_bank(frame)
        if (across is not None and result.around is not None
                and boundaries.around is not None):  # 界河 with a county outside
            far = _far_banks(frame, result.around.reaches[level])
            far = _with_chiefs(far, level, across, rules,
                               ("river_code", lambda r: river_keys.get(r, [r])),
                               lambda r: bool(main_by_code.get(r, False)), {},
                               far["reach_name"].tolist(),
                               _exempt(boundaries.around, exempt_townships))
            frame["other_bank_chief"] = frame["other_bank_chief"].where(
                frame["other_bank_chief"].notna(), _other_bank(pd.concat([frame, far]))
                .iloc[:len(frame)].to_numpy())
            far["other_bank_chief"] = _other_bank(pd.concat([far, frame])).iloc[
                :len(far)].to_numpy()
            far_banks[level] = far
        reaches[level] = frame
        z = result.zones[level]
        labels = [f"{w}（{a}片）" for w, a in zip(z["water_name"], z["admin_name"], strict=True)]
        zones[level] = _with_chiefs(z, level, book, rules, ("water_code", lambda w: [w]),
                                    lambda w: False, vacant_log, labels, exempt)

    # total chiefs
    tc = rules["total_chiefs"]
    total = []
    for level in tc["levels"]:
        for code, name in _units_at(units, level):
            for label, role in (("总河长", tc["chief"]), ("副总河长", tc["deputy_chief"])):
                row, post = book.holder(code, role)
                chief, phone = book.person(row)
                total.append({"level": level, "admin_code": code, "admin_name": name,
                              "role": label, "post": post, "chief_name": chief,
                              "chief_phone": phone, "vacant": row is None})
                if row is None:
                    vacant_log.setdefault((level, code, post), []).append(label)
    total_chiefs = pd.DataFrame(total, columns=TOTAL_CHIEF_COLUMNS)

    # city chiefs of the main rivers
    city_role = rules["main_rivers"].get("city") or None
    city = next((c for c, (lvl, _) in units.items() if lvl == "city"), None)
    city_rows = []
    mains = waters.rivers[waters.rivers["main"]].sort_values("river_code")
    if getattr(boundaries, "around", None) is not None:  # limited to a county: not the
        # main rivers kept only for the flow direction or along its border without a reach
        mains = mains[mains["river_code"].isin(result.reaches["county"]["river_code"])]
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
    city_chiefs = pd.DataFrame(city_rows, columns=CITY_CHIEF_COLUMNS)

    joint = joint_meetings(reaches["county"], zones["county"], waters, rules, names)
    whole, outline = getattr(result, "around", None), boundaries.around
    if whole is not None and outline is not None:  # limited to a county
        joint = _meetings_around(whole, outline, boundaries, waters, rules, book, across,
                                 (river_keys, main_by_code))

    offices_rule = rules["offices"]
    office_rows = []
    for level in offices_rule["levels"]:
        for code, name in _units_at(units, level):
            office_rows.append({"level": level, "admin_code": code, "admin_name": name,
                                "office": offices_rule["name"].format(name=name),
                                "seat": offices_rule["city_seat"] if level == "city" else "",
                                "supervision_phone": offices_rule["supervision_phone"]})
    offices = pd.DataFrame(office_rows, columns=OFFICE_COLUMNS)

    order = {level: i for i, level in enumerate(LEVELS)}
    vac = []
    for (level, code, post), what in sorted(vacant_log.items(),
                                            key=lambda kv: (order[kv[0][0]], kv[0][1],
                                                            str(kv[0][2]))):
        shown = "、".join(what[:5]) + (f" 等 {len(what)} 项" if len(what) > 5 else "")
        vac.append({"level": level, "admin_code": code, "admin_name": names.get(code, code),
                    "post": post, "what": shown})
    vacancies = pd.DataFrame(vac, columns=VACANCY_COLUMNS)
    if len(vacancies):
        warnings.warn(f"{len(vacancies)} post(s) vacant, e.g. "
                      + "; ".join(f"{r.admin_name} {r.post}: {r.what}"
                                  for r in vacancies.head(3).itertuples())
                      + "; see Chiefs.vacancies", HzgeoWarning, stacklevel=2)
    return Chiefs(reaches, zones, total_chiefs, city_chiefs, joint, vacancies, offices, rules,
                  Hierarchy.from_boundaries(boundaries), far_banks)
