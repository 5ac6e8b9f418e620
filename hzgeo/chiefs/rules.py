"""Rules: which post chairs what, per level and unit type (TOML).

Two rule sets are bundled: ``guigang.toml``, the rules of the bundled Guigang sample (with
its fictional phone numbers), and ``national.toml``, the generic rules every other city's
data gets when no rules file is given: post titles by unit type, offices named after the
city in the data, nothing of any one city.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from hzgeo.errors import HzgeoWarning, InputError
from hzgeo.settings import LEVELS

__all__ = ["ROLES", "Rules", "city_name", "default_rules", "read_rules"]

#: Roles that the rules speak of.
ROLES = ("party_head", "government_head", "deputy")

_ROLE_OR_NONE = "role or false"


class _Each:
    """A table whose keys the user names (codes, section names), each value of ``kind``."""

    def __init__(self, kind):
        self.kind = kind


#: Monitoring fields of a cross-boundary section (field.sections).
_MONITORING: dict = {"control_level": ("国控", "省控", "市控", "县控"), "target_class": str,
                     "unit": str, "frequency": str}
#: What a rules file may hold: key -> type, or a nested table.
_SCHEMA: dict = {
    "city": str,
    "roles": "roles",
    "total_chiefs": {"levels": "levels", "chief": "role", "deputy_chief": "role"},
    "main_rivers": dict.fromkeys(LEVELS, _ROLE_OR_NONE),
    "other_waters": {"county": _ROLE_OR_NONE, "township": _ROLE_OR_NONE,
                     "village": _ROLE_OR_NONE, "village_exempt_townships": "codes"},
    "joint_meetings": {"tie_tolerance_m": float, "commander_kinds": "codes"},
    "offices": {"levels": "levels", "name": str, "city_seat": str, "supervision_phone": str,
                "issuing_office": str},
    "boards": {"spacing_km": float, "min_reach_m": float, "complaint_phone": str,
               "targets": str, "prohibited": "codes", "duties": dict.fromkeys(LEVELS, str),
               "chief_phones": "levels", "qr_url": str, "issuer": ("county", "township"),
               "issuer_name": str, "reach_targets": _Each(str)},
    "sections": _MONITORING | {"rivers": _Each(_MONITORING), "sites": _Each(_MONITORING)},
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


def _bundled_rules_text(name: str = "guigang") -> str:
    return resources.files("hzgeo").joinpath("rules", f"{name}.toml").read_text("utf-8")


def city_name(boundaries) -> str:
    """The city's name in ``boundaries``: its city unit's name ('' if there is no one city
    unit with a name, e.g. a city level derived from codes and named by its code).

    Examples
    --------
    >>> import hzgeo
    >>> city_name(hzgeo.datasets.guigang()[0])
    '贵港市'
    """
    if boundaries is None or "city" not in boundaries:
        return ""
    city = boundaries["city"]
    if len(city) != 1:
        return ""
    name, code = str(city["name"].iloc[0]).strip(), str(city["code"].iloc[0]).strip()
    return "" if name in ("", code) or name.isdigit() else name


def _fill_city(data: dict, city: str) -> dict:
    """``{city}`` in every text replaced by the city's name (or 本市 without one)."""
    def fill(value):
        if isinstance(value, str):
            return value.replace("{city}", city or "本市")
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    out = fill(data)
    out["city"] = data.get("city", "").replace("{city}", city)
    return out


def default_rules(boundaries=None) -> Rules:
    """The rules that apply when none are given.

    The bundled Guigang rules for the bundled sample (or when ``boundaries`` is None); for
    any other data the generic national rules (``hzgeo/rules/national.toml``), the city's
    name and its offices (玉林市河长制办公室 in 玉林市水利局) filled from the data's city
    layer. Silent: :func:`read_rules` with ``boundaries`` says which were used.

    Examples
    --------
    >>> import hzgeo
    >>> default_rules(hzgeo.datasets.guigang()[0]).source
    'hzgeo/rules/guigang.toml (bundled)'
    """
    from hzgeo.io import is_bundled_sample

    if boundaries is None or is_bundled_sample(boundaries):
        bundled = tomllib.loads(_bundled_rules_text())
        _check_rules(bundled, _SCHEMA, "hzgeo/rules/guigang.toml")
        return Rules(bundled, "hzgeo/rules/guigang.toml (bundled)")
    data = _fill_city(tomllib.loads(_bundled_rules_text("national")), city_name(boundaries))
    _check_rules(data, _SCHEMA, "hzgeo/rules/national.toml")
    return Rules(data, "hzgeo/rules/national.toml (bundled, generic national rules)")


def _check_rules(data: dict, schema: dict, where: str, prefix: str = "") -> None:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            raise InputError(f"unknown key {path!r} in the rules", file=where,
                             hint=(f"did you mean '{prefix}{close[0]}'? " if close else "")
                             + f"keys here are {list(schema)}")
        kind = schema[key]
        if isinstance(kind, _Each):
            if not isinstance(value, dict):
                raise InputError(f"{path!r} should be a table ([{path}])", file=where)
            for name, item in value.items():
                if isinstance(kind.kind, dict):
                    if not isinstance(item, dict):
                        raise InputError(f"'{path}.{name}' should be a table", file=where)
                    _check_rules(item, kind.kind, where, f"{path}.{name}.")
                elif not isinstance(item, kind.kind):
                    raise InputError(f"{path}.{name} should be a {kind.kind.__name__}",
                                     file=where)
        elif isinstance(kind, tuple):
            if value not in kind:
                raise InputError(f"{path} = {value!r}: not one of {list(kind)}", file=where)
        elif isinstance(kind, dict):
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
            out[key] = _merge(out[key], value)  # [boards.duties] keeps the other levels
        else:
            out[key] = copy.deepcopy(value)
    return out


def read_rules(path=None, *, boundaries=None) -> Rules:
    """Read a rule set (TOML); ``None`` gives the rules that apply by default.

    Without ``path``: the bundled Guigang rules for the bundled sample (and when
    ``boundaries`` is not given), the generic national rules for any other city's
    ``boundaries``, filled with its city's name (see :func:`default_rules`), with a note
    (:class:`~hzgeo.HzgeoWarning`) saying so.

    A file may hold only the keys it changes: its tables are laid over the generic national
    rules (a ``roles.<level>`` table replaces that level's unit types as a whole), and
    ``{city}`` in them is the file's ``city``, else the city's name in ``boundaries``.

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
    if path is None:
        rules = default_rules(boundaries)
        if boundaries is not None and rules.source.startswith("hzgeo/rules/national"):
            city = rules["city"]
            offices = (f"offices {rules['offices']['name'].format(name=city)} in "
                       f"{rules['offices']['city_seat']}" if city else
                       "offices named after each unit (the city layer has no name: give it "
                       "with city = \"…\" in a rules file)")
            warnings.warn(
                "no rules file given (`rules`): the generic national rules apply "
                f"(hzgeo/rules/national.toml: post titles by unit type; {offices}; no "
                "supervision phone); the Guigang rules apply only to the bundled sample. To "
                f"write {city or 'the city'}'s own rules, start from `hzgeo init-rules "
                "--boundaries ... --out rules.toml`", HzgeoWarning, stacklevel=2)
        return rules
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path, hint="check the path")
    try:
        data = tomllib.loads(path.read_text("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not a valid TOML file ({err})", file=path,
                         hint="compare with hzgeo/rules/national.toml; Chinese keys need "
                              'quotes: [roles.county."区"]') from None
    _check_rules(data, _SCHEMA, str(path))
    national = tomllib.loads(_bundled_rules_text("national"))
    merged = _merge(national, data)
    city = str(data.get("city", "")).strip() or city_name(boundaries)
    return Rules(_fill_city(merged, city), str(path))
