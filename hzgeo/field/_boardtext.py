"""What a notice board says: texts from the rules, chiefs as '姓名（职务）', dates.

Every text a board prints besides the reach and its chiefs comes from the rules file's
``[boards]`` table (the bundled ``hzgeo/rules/guigang.toml`` has the Guigang texts);
there is no copy of them in the code.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping

from hzgeo.chiefs.rules import Rules
from hzgeo.errors import InputError
from hzgeo.field._common import LEVEL_CN, is_missing
from hzgeo.labels import VACANT

#: Levels in the order a board lists chiefs and duties (市、县、乡、村).
BOARD_LEVELS = ("city", "county", "township", "village")
_KEYS = ("spacing_km", "min_reach_m", "complaint_phone", "targets", "prohibited", "duties",
         "chief_phones", "qr_url", "issuer", "issuer_name", "reach_targets")
_REQUIRED = ("complaint_phone", "targets", "prohibited", "duties")


def board_settings(rules: Rules | Mapping | None, texts: Mapping | None = None) -> dict:
    """The rules' ``[boards]`` table with ``texts`` laid over it (``duties`` and
    ``reach_targets`` merged key by key).

    Raises
    ------
    InputError
        The rules lack a text every board needs (a rules object not read by
        :func:`hzgeo.read_rules`, which lays the bundled texts under a file's own).
    """
    data = rules.data if isinstance(rules, Rules) else dict(rules or {})
    table = dict(data.get("boards", {}))
    texts = dict(texts or {})
    for key in ("duties", "reach_targets"):
        table[key] = dict(table.get(key, {})) | dict(texts.pop(key, {}) or {})
    table |= texts
    missing = [k for k in _REQUIRED if not table.get(k)]
    missing += [f"duties.{lvl}" for lvl in BOARD_LEVELS if not table["duties"].get(lvl)]
    if missing:
        raise InputError(f"the rules have no boards.{', boards.'.join(missing)}",
                         file=rules.source if isinstance(rules, Rules) else None,
                         hint="read the rules with hzgeo.read_rules (the bundled "
                              "hzgeo/rules/guigang.toml has every board text)")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ValueError(f"unknown board text(s) {unknown}; known: {list(_KEYS)}")
    table.setdefault("spacing_km", 8.0)
    table.setdefault("min_reach_m", 200.0)
    table.setdefault("chief_phones", [])
    table.setdefault("qr_url", "")
    table.setdefault("issuer", "county")
    table.setdefault("issuer_name", "{name}河长制办公室")
    if table["issuer"] not in ("county", "township"):
        raise InputError(f"boards.issuer = {table['issuer']!r}: not a level that issues "
                         "boards", file=rules.source if isinstance(rules, Rules) else None,
                         hint="give 'county' or 'township'")
    if not isinstance(table["prohibited"], str):
        table["prohibited"] = "；".join(table["prohibited"])
    return table


def post_title(unit: str, post, rules=None, level: str | None = None) -> str:
    """A unit's name and a post as one title, without the doubled word.

    Posts are titled by unit type (区委书记, 街道党工委书记, 村党组织书记); put after the
    unit's name the type would be said twice (港北区区委书记). Where the post starts with
    the unit type that the rules give the unit (``roles.<level>`` suffixes), the name
    drops its type suffix (港北 + 区委书记); else the longest end of the name that the post
    starts with is said once.

    A head of government titled by the unit type and 长 (区长, 县长, 市长, 镇长, 乡长,
    州长, 旗长) is not merged: official style says the type twice (港北区区长, 桂平市市长,
    平南县县长, 大圩镇镇长), as it does for 副区长 and 区长助理; nor is 村民委员会主任,
    whose 村 is the villagers' (龙联村村民委员会主任).

    Examples
    --------
    >>> from hzgeo.chiefs import read_rules
    >>> rules = read_rules()
    >>> post_title("港北区", "区委书记", rules, "county")
    '港北区委书记'
    >>> post_title("贵城街道", "街道党工委书记", rules, "township")
    '贵城街道党工委书记'
    >>> post_title("龙联村委会", "村党组织书记", rules, "village")
    '龙联村党组织书记'
    >>> post_title("贵港市", "副市长")
    '贵港市副市长'
    >>> post_title("港北区", "区长", rules, "county")
    '港北区区长'
    >>> post_title("龙联村", "村民委员会主任", rules, "village")
    '龙联村村民委员会主任'
    """
    unit = "" if is_missing(unit) else str(unit)
    post = "" if is_missing(post) else str(post)
    if not post:
        return unit
    if rules is not None and level is not None:
        kind = rules.unit_type(level, unit)
        spec = rules["roles"].get(level, {}).get(kind, {}) if kind else {}
        if kind and post.startswith(kind) and not _head_of(post, len(kind)):
            for suffix in sorted(spec.get("suffixes", []), key=len, reverse=True):
                if suffix != "*" and unit.endswith(suffix):
                    return unit[:-len(suffix)] + post
    for n in range(min(len(unit), len(post)), 0, -1):
        if unit.endswith(post[:n]):
            return unit + post if _head_of(post, n) else unit + post[n:]
    return unit + post


def _head_of(post: str, n: int) -> bool:
    """Whether ``post`` is a unit type of ``n`` characters and 长 (区长, 镇长, 区长助理), or
    the 村 of 村民 (村民委员会主任): a title said after the unit's full name."""
    return post[n:n + 1] == "长" or post[n - 1:n + 1] == "村民"


def person(row: Mapping, unit: str, level: str, settings: dict, rules) -> str:
    """'姓名（职务）' of one chief row; the phone where the rules' ``chief_phones``
    lists the level; '（空缺）（职务）' for a vacant post."""
    name, post = row.get("chief_name"), row.get("chief_post", row.get("post"))
    title = post_title(unit, post, rules, level)
    if is_missing(name):
        return f"{VACANT}（{title}）" if bool(row.get("vacant", False)) or not is_missing(
            post) else ""
    phone = row.get("chief_phone")
    if level in settings["chief_phones"] and not is_missing(phone):
        return f"{name}（{title}，{phone}）"
    return f"{name}（{title}）"


def chief_lines(rows: list, level: str, settings: dict, rules) -> str:
    """Distinct chiefs of ``rows`` (reach or zone rows), joined by ；."""
    seen: list[str] = []
    for r in rows:
        text = person(r, r["admin_name"], level, settings, rules)
        if text and text not in seen:
            seen.append(text)
    return "；".join(seen)


def duties(present: Mapping[str, bool], settings: dict, chief: str = "河长") -> str:
    """The duties of the levels present, in the order 市、县、乡、村."""
    return "".join(f"{LEVEL_CN[lvl]}{chief}：{settings['duties'][lvl]}"
                   for lvl in BOARD_LEVELS if present.get(lvl))


def targets(keys: list[str], settings: dict) -> str:
    """The rules' ``reach_targets`` for the first of ``keys`` that has one (reach, zone or
    water codes, most specific first), else the common ``targets``."""
    given = settings["reach_targets"]
    hits = [given[k] for k in keys if k in given]
    return hits[0] if hits else settings["targets"]


def issued_on(date) -> str:
    """A date as boards write it (2023年6月30日); default today."""
    if date is None:
        date = _dt.date.today()
    if isinstance(date, str):
        try:
            date = _dt.date.fromisoformat(date)
        except ValueError:
            return date  # a date the caller wrote already
    return f"{date.year}年{date.month}月{date.day}日"


def describe_river(row: Mapping, names: dict, lengths: dict, area: str = "市") -> str:
    """One sentence on a river: name (main river), length in the area (市内长 for the
    city; ``area`` names a county a run is limited to: 港北区内长), where it flows."""
    text = row["name"]
    group = row.get("main_river") or ""
    if group and group != row["name"]:
        text += f"（{group}）"
    length = lengths.get(row["river_code"])
    if length and not (isinstance(length, float) and math.isnan(length)):
        text += f"，{area}内长 {length / 1000:.1f} 公里"
    into = row.get("flows_into") or ""
    if into:
        text += f"，汇入{names.get(into, into)}"
    if bool(row.get("main", False)):
        text += "；全市主要河流，设市级河长"
    if bool(row.get("synthetic", False)):
        text += "（示意数据，非真实河道）"
    return text + "。"
