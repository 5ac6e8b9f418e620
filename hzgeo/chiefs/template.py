"""Start a city's own rules file from its data (``hzgeo init-rules``).

The file is the generic national rules (``hzgeo/rules/national.toml``), every section with
its comments, the city's name and offices filled in from the boundaries, and a header that
lists the city's units by type, with the post titles the rules will look for in the
office-holder table, so that the city can check them against its own plan and edit.

Examples
--------
>>> import tomllib, hzgeo
>>> text = init_rules(hzgeo.datasets.guigang()[0])
>>> rules = tomllib.loads(text)
>>> rules["city"], rules["offices"]["city_seat"], rules["offices"]["issuing_office"]
('贵港市', '贵港市水利局', '贵港市河长制办公室')
>>> "#   桂平市 (450881): 县级市" in text
True
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping

from hzgeo.chiefs.rules import ROLES, Rules, _bundled_rules_text, _fill_city, city_name
from hzgeo.labels import LEVEL_NAMES as _LEVEL_CN
from hzgeo.settings import LEVELS

__all__ = ["init_rules"]

_KIND_CN = {("county", "市"): "县级市"}


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_rules(boundaries, *, city: str | None = None, supervision_phone: str = "",
               levels: Mapping[str, str] | None = None, columns: Mapping[str, str] | None = None
               ) -> str:
    """A commented rules file (TOML text) for the city in ``boundaries``.

    Parameters
    ----------
    boundaries : Boundaries, path or mapping of level -> path
        The city's boundaries (read with :func:`hzgeo.read_boundaries` if not read yet).
    city : str, optional
        The city's name; default the name of the city unit in the data.
    supervision_phone : str, optional
        The river chief offices' supervision phone (监督电话); default empty, to fill in.
    levels, columns : mapping, optional
        ``layers`` and ``columns`` for :func:`hzgeo.read_boundaries`, when ``boundaries``
        is a path.

    Returns
    -------
    str
        Every section of the rules with its comments (read back with
        :func:`hzgeo.read_rules`): the generic national rules, with ``city``, the city
        office's seat and the issuing office filled in, and a header listing every county,
        the number of townships and villages of each type and the post titles the
        office-holder table must hold.
    """
    from hzgeo.io import Boundaries, read_boundaries

    if not isinstance(boundaries, Boundaries):
        boundaries = read_boundaries(boundaries, layers=levels, columns=columns)
    name = (city or "").strip() or city_name(boundaries)
    template = _bundled_rules_text("national")
    rules = Rules(_fill_city(tomllib.loads(template), name), "")
    body = template[template.index('\ncity = "{city}"'):]
    body = body.replace('city = "{city}"', f"city = {_toml_string(name)}", 1)
    body = body.replace("{city}", name or "本市")
    body = body.replace('supervision_phone = ""',
                        f"supervision_phone = {_toml_string(supervision_phone)}", 1)
    return _header(boundaries, rules, name) + body


def _titles(rules: Rules, level: str, kind: str) -> str:
    return " / ".join(t for t in (rules.title(level, kind, role) for role in ROLES[:2]) if t)


def _header(boundaries, rules: Rules, name: str) -> str:
    lines = [f"# hzgeo rules for {name or 'the city'}: who is river chief (河长) of which water.",
             "#",
             "# Started by `hzgeo init-rules` from the boundaries "
             + (", ".join(sorted({o.split(', layer ')[0] for o in boundaries.origin.values()
                                  if not o.startswith('derived')})) or "given") + ",",
             "# on the generic national rules (《关于全面推行河长制的意见》). Check every section",
             "# against the city's own plan (《…全面推行河长制工作方案》) and edit; read it with",
             "# `hzgeo run --rules rules.toml` (or hzgeo.read_rules). A key not described below",
             "# is refused, so a misspelt key is never silently ignored.",
             "#",
             "# The units in the data, by type, and the post titles (职务) that the office-holder",
             "# table must hold for them (party head / head of government):"]
    unmatched = []
    for level in LEVELS:
        if level not in boundaries:
            lines.append(f"#   {_LEVEL_CN[level]}: not in the data")
            continue
        frame = boundaries[level]
        counts: dict[str, int] = {}
        for code, unit in zip(frame["code"], frame["name"], strict=True):
            kind = rules.unit_type(level, str(unit))
            if kind is None:
                unmatched.append(f"{unit} ({code}, {_LEVEL_CN[level]})")
                continue
            counts[kind] = counts.get(kind, 0) + 1
            if level in ("city", "county"):
                lines.append(f"#   {unit} ({code}): {_KIND_CN.get((level, kind), kind)}"
                             f" — {_titles(rules, level, kind)}")
        if level in ("township", "village"):
            lines.append(f"#   {_LEVEL_CN[level]}: " + "、".join(
                f"{counts[kind]} {kind} ({_titles(rules, level, kind)})"
                for kind in rules["roles"][level] if kind in counts))
    if unmatched:
        lines += ["#", "# No unit type below fits these names: add a type (a [roles.<level>.\"…\"]",
                  "# table with its suffixes and titles) before running:",
                  *(f"#   {u}" for u in unmatched[:20]),
                  *([f"#   … and {len(unmatched) - 20} more"] if len(unmatched) > 20 else [])]
    offices = rules["offices"]
    made = [offices["name"].format(name=n) for level in offices["levels"] if level in boundaries
            for n in boundaries[level]["name"]]
    lines += ["#", "# River chief offices (河长制办公室) the rules below set up:"]
    row = "#  "
    for office in made:
        if len(row) + len(office) > 60:
            lines.append(row)
            row = "#  "
        row += f" {office}"
    lines += [row, ""]
    return "\n".join(lines)


def write_rules(text: str, path: str | os.PathLike) -> None:
    """Write a rules file atomically (never half-written), refusing a non-.toml name."""
    from hzgeo.atomic import atomic_outputs, check_output_path

    path = check_output_path(path, suffixes=(".toml",))
    with atomic_outputs() as out:
        out.path(path).write_text(text, encoding="utf-8")
