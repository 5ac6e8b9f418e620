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

from hzgeo.chiefs.assign import CHIEF_COLUMNS, Chiefs, assign_chiefs
from hzgeo.chiefs.officials import read_officials
from hzgeo.chiefs.rules import ROLES, Rules, read_rules
from hzgeo.chiefs.template import init_rules

__all__ = ["CHIEF_COLUMNS", "ROLES", "Chiefs", "Rules", "assign_chiefs", "init_rules",
           "read_officials", "read_rules"]
