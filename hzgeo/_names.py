"""Names as directories write them: villages and communities by their short names.

The statistical division tables (统计用区划代码) name a village by its committee
(花龙村村委会, 马坪村委会, 县东社区居委会); a river chief directory writes the place
(花龙村, 马坪村, 县东社区). Where a short name repeats within a county (新村 in two
townships), the township's name goes in front (大圩镇新村) so that no two units of a
county read alike. Townships, counties and cities keep their names.

Examples
--------
>>> short_name("花龙村村委会"), short_name("马坪村委会"), short_name("县东社区居委会")
('花龙村', '马坪村', '县东社区')
>>> short_name("三江社区居民委员会"), short_name("城东居委会"), short_name("东湖社区")
('三江社区', '城东社区', '东湖社区')
>>> short_name("大圩镇")
'大圩镇'
"""

from __future__ import annotations

from collections import Counter

__all__ = ["short_name", "short_names"]

# (suffix, what the place is called): longest first, so 村民委员会 is not read as 委员会
_VILLAGE_SUFFIXES = ("村民委员会", "村委会")
_COMMUNITY_SUFFIXES = ("社区居民委员会", "社区居委会", "社区居民会", "居民委员会", "居委会",
                       "居民会")


def short_name(name: str) -> str:
    """The short name of a village or community: the committee's suffix removed.

    A village committee (村民委员会, 村委会) becomes the village (…村), a residents'
    committee (居民委员会, 居委会) the community (…社区). Other names are returned as
    they are.
    """
    if not isinstance(name, str) or not name.endswith("会"):  # every suffix ends in 会
        return name
    for suffix in _VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith("村") else stem + "村"
    for suffix in _COMMUNITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + "社区"
    return name


def short_names(name: dict[str, str], parent: dict[str, str],
                level_of: dict[str, str]) -> dict[str, str]:
    """Directory names of every unit by code.

    Villages by :func:`short_name`; where two villages of one county share a short
    name, each gets its township's name in front (大圩镇新村). Other units keep their
    name.

    Parameters
    ----------
    name, parent, level_of : dict
        Code to full name, to parent code, to level (as :class:`hzgeo._units.UnitTable`
        holds them).

    Examples
    --------
    >>> name = {"450802101": "大圩镇", "450802102": "庆丰镇", "450802101201": "新村村委会",
    ...         "450802102201": "新村村民委员会", "450802102202": "花龙村村委会"}
    >>> parent = {"450802101": "450802", "450802102": "450802",
    ...           "450802101201": "450802101", "450802102201": "450802102",
    ...           "450802102202": "450802102"}
    >>> level = {c: "village" if len(c) == 12 else "township" for c in name}
    >>> sorted(short_names(name, parent, level).values())
    ['大圩镇', '大圩镇新村', '庆丰镇', '庆丰镇新村', '花龙村']
    """
    out = dict(name)
    up = parent.get

    def county(code: str) -> str:
        township = up(code, "")
        return up(township, township) if township else code

    keys = {c: (county(c), short_name(name[c])) for c, lvl in level_of.items()
            if lvl == "village" and c in name}
    seen = Counter(keys.values())
    for code, key in keys.items():
        out[code] = name.get(up(code, ""), "") + key[1] if seen[key] > 1 else key[1]
    return out
