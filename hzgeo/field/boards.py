"""Notice boards (公示牌): where they stand and what they say; which to reprint.

One board per village per river, one more for every further ``spacing_km`` of river; a
village whose reaches of a river are shorter than ``min_reach_m`` together gets none
(:func:`short_reaches` lists them); one board per village zone of a lake or reservoir. On a
界河 each bank's village has its own board (a river between two villages is crossed by
no one reading a board), which names the chiefs across as well.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from hzgeo.directory.rivers import bank_key, bank_rows, reach_banks
from hzgeo.errors import InputError
from hzgeo.field import _boardtext as text
from hzgeo.field._common import point_frame, unit_names, work_crs
from hzgeo.hierarchy import Hierarchy
from hzgeo.labels import KIND_NAMES, SCALE_NAMES
from hzgeo.model import Boundaries, Chiefs, Waters
from hzgeo.settings import STORE_CRS

if TYPE_CHECKING:
    from hzgeo.chiefs.rules import Rules

__all__ = ["BOARD_COLUMNS", "SHORT_COLUMNS", "boards_to_reprint", "notice_boards",
           "short_reaches", "span_names"]

BOARD_COLUMNS = ["board_code", "kind", "board_index", "boards_on_item", "water_code",
                 "water_name", "description", "item_code", "item_name", "reaches",
                 "start_desc", "end_desc", "from_km", "to_km", "length_km", "area_km2",
                 "boundary", "boundary_items", "bank", "across_codes", "across_names",
                 "county_code", "county_name", "township_code", "township_name",
                 "village_code", "village_name", "admin_codes", "admin_names",
                 "city_chief", "county_chiefs", "township_chiefs", "village_chiefs",
                 "duties", "targets", "county_phone", "city_phone", "complaint_phone",
                 "qr_url", "issuing_office", "issued_on", "prohibited", "placement",
                 "chief_keys", "lon", "lat", "x", "y", "xy_crs", "synthetic"]
SHORT_COLUMNS = ["reach_code", "reach_name", "river_code", "river_name", "village_code",
                 "village_name", "length_m", "board_code", "note", "synthetic", "geometry"]


def _seat_points(seats, crs) -> dict:
    if seats is None:
        return {}
    if not isinstance(seats, gpd.GeoDataFrame):
        raise TypeError(f"'seats' should be a GeoDataFrame, got {type(seats)}")
    if "code" not in seats.columns:
        raise InputError(f"the seats have no 'code' column (columns: {list(seats.columns)})",
                         hint="give the village seats as points with the village code")
    if not len(seats):
        return {}
    seats = seats.to_crs(crs)
    return dict(zip(seats["code"].astype(str), seats.geometry.values, strict=True))


def _by_village(village: gpd.GeoDataFrame) -> dict:
    """Board groups: (river, village code) -> the village's rows of that river (its own
    bank's, on a 界河), in chainage order. One sort and one pass over the rows."""
    keyed = village[village[["river_code", "from_km", "to_km"]].notna().all(axis=1)]
    keyed = keyed.sort_values(["river_code", "admin_code", "from_km", "reach_code"],
                              kind="stable")
    groups: dict = {}
    for row in keyed.to_dict("records"):
        groups.setdefault((row["river_code"], str(row["admin_code"])), []).append(row)
    return groups


def _runs(rows: list) -> list[list]:
    """``rows`` (in chainage order) cut where one does not begin where the one before
    ended: the stretches of river a board's 起止 names."""
    runs: list[list] = []
    for row in rows:
        if runs and abs(float(row["from_km"]) - float(runs[-1][-1]["to_km"])) < 1e-6:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


_NUMBERED = re.compile(r"^(.*)（(\d+)）$")


def span_names(names: list[str]) -> str:
    """Reach names joined by 、, three or more numbered names of one stretch in a row
    written once, as offices write them.

    Examples
    --------
    >>> span_names(["郁江张团村段（1）", "郁江张团村段（2）", "郁江张团村段（3）"])
    '郁江张团村段（1）至（3）'
    >>> span_names(["郁江甲村段（1）", "郁江甲村段（2）", "郁江甲村段（4）", "北溪甲村段"])
    '郁江甲村段（1）、郁江甲村段（2）、郁江甲村段（4）、北溪甲村段'
    """
    runs: list[list] = []  # [base, first number, last number, names]
    for name in dict.fromkeys(names):
        hit = _NUMBERED.match(name)
        base, number = (hit.group(1), int(hit.group(2))) if hit else (None, None)
        last = runs[-1] if runs else None
        if base is not None and last and last[0] == base and last[2] + 1 == number:
            last[2] = number
            last[3].append(name)
        else:
            runs.append([base, number, number, [name]])
    return "、".join(f"{r[3][0]}至（{r[2]}）" if len(r[3]) >= 3 else "、".join(r[3])
                    for r in runs)


def _across_rows(rows: list, table: dict) -> list:
    """The rows of the other bank of the 界河 rows among ``rows`` (``table`` from
    :func:`~hzgeo.directory.rivers.bank_rows`), in their order."""
    found = [table.get(bank_key(r, across=True)) for r in rows
             if bool(r.get("boundary", False))]
    return list({r["reach_code"]: r for r in found if r is not None}.values())


def _along(lines: list, at: float):
    """The point ``at`` metres along ``lines`` laid end to end."""
    for line in lines:
        if at <= line.length or line is lines[-1]:
            return shapely.line_interpolate_point(line, min(at, line.length))
        at -= line.length
    raise ValueError("no lines")


def _spots(lines: list, n: int, seat) -> tuple[list, str]:
    """``n`` board points on ``lines`` (a group's reaches in chainage order): one at the
    point nearest ``seat`` (else the middle), or several evenly spaced."""
    lines = [shapely.line_merge(g) if g.geom_type == "MultiLineString" else g for g in lines]
    total = sum(g.length for g in lines)
    if n == 1 and seat is not None:
        near = min(lines, key=lambda g: shapely.distance(g, seat))
        return [shapely.line_interpolate_point(near, shapely.line_locate_point(near, seat))], \
            "nearest_seat"
    if n == 1:
        return [_along(lines, total / 2)], "middle"
    return [_along(lines, total * (i + 0.5) / n) for i in range(n)], "even"


class _Context:
    """What every board of one call shares: names, offices, chiefs above the village."""

    def __init__(self, chiefs, boundaries, waters, rules, settings, date):
        self.rules, self.settings = rules, settings
        self.names = unit_names(boundaries)
        self.units = Hierarchy.from_boundaries(boundaries)  # by parent_code, not prefix
        rivers = waters.rivers
        river_names = dict(zip(rivers["river_code"], rivers["name"], strict=True))
        county = chiefs.reaches["county"]
        prim = county[county["primary"].astype(bool)] if "primary" in county else county
        lengths = prim.groupby("river_code")["length_m"].sum().to_dict()
        # the lengths are the area's: a run limited to a county says the county's
        area = (str(boundaries["county"]["name"].iloc[0])
                if getattr(boundaries, "around", None) is not None else "市")
        self.describe = {r["river_code"]: text.describe_river(r, river_names, lengths, area)
                         for r in rivers.drop(columns="geometry").to_dict("records")}
        offices = chiefs.offices
        self.office = {str(c): (str(o), str(p)) for c, o, p in zip(
            offices["admin_code"], offices["office"], offices["supervision_phone"],
            strict=True)}
        city = offices[offices["level"] == "city"]
        self.city_office = (str(city["office"].iloc[0]), str(city["supervision_phone"].iloc[0])
                            ) if len(city) else None
        self.city = {r["river_code"]: r for r in chiefs.city_chiefs.to_dict("records")}
        self.city_unit = rules["city"] if "city" in rules.data else ""
        def records(level):  # the area's rows and the far banks of its 界河 (county runs)
            frames = [chiefs.reaches[level], chiefs.across.get(level)]
            return [r for f in frames if f is not None and len(f)
                    for r in f.drop(columns="geometry").to_dict("records")]

        self.up = {lvl: {r["reach_code"]: r for r in records(lvl)}
                   for lvl in ("township", "county")}
        self.bank_of = bank_rows([chiefs.reaches["village"], chiefs.across.get("village")])
        self.zup = {lvl: {r["zone_code"]: r for r in chiefs.zones[lvl].drop(
            columns="geometry").to_dict("records")} for lvl in ("township", "county")}
        self.issued_on = text.issued_on(date)

    def phones(self, counties: list[str]) -> dict:
        def line(office):
            return f"{office[0]} {office[1]}".strip() if office and office[1] else ""

        county = "；".join(dict.fromkeys(p for c in counties if (p := line(self.office.get(c)))))
        return {"county_phone": county, "city_phone": line(self.city_office)}

    def issuer(self, code: str) -> str:
        level = self.settings["issuer"]
        unit = self.units.county_of(code) if level == "county" else self.units.township_of(code)
        if level == "county" and unit in self.office:
            return self.office[unit][0]
        return self.settings["issuer_name"].format(name=self.names.get(unit, unit))

    def common(self, codes: list[str], synthetic: bool) -> dict:
        names = self.names
        counties = list(dict.fromkeys(self.units.county_of(c) for c in codes))
        townships = list(dict.fromkeys(self.units.township_of(c) for c in codes))
        return {"county_code": ",".join(counties),
                "county_name": "、".join(names.get(c, c) for c in counties),
                "township_code": ",".join(townships),
                "township_name": "、".join(names.get(t, t) for t in townships),
                "village_code": ",".join(codes),
                "village_name": "、".join(names.get(c, c) for c in codes),
                "admin_codes": ",".join(codes),
                "admin_names": "、".join(names.get(c, c) for c in codes),
                "complaint_phone": self.settings["complaint_phone"],
                "issuing_office": self.issuer(codes[0]), "issued_on": self.issued_on,
                "prohibited": self.settings["prohibited"], "synthetic": synthetic,
                } | self.phones(counties)

    def chiefs(self, banks, t_rows, c_rows, city_row) -> dict:
        s, r = self.settings, self.rules
        return {"village_chiefs": text.chief_lines(banks, "village", s, r),
                "township_chiefs": text.chief_lines(t_rows, "township", s, r),
                "county_chiefs": text.chief_lines(c_rows, "county", s, r),
                "city_chief": (text.person(city_row, self.city_unit, "city", s, r)
                               if city_row else "")}


def _parents(rows: list, table: dict, key: str) -> list:
    found = {r[key]: table[r[key]] for r in rows if r.get(key) in table}
    return list(found.values())


def notice_boards(chiefs: Chiefs, boundaries: Boundaries, waters: Waters,
                  rules: Rules | None = None, *,
                  spacing_km: float | None = None, min_reach_m: float | None = None,
                  seats: gpd.GeoDataFrame | None = None, texts=None,
                  date=None) -> gpd.GeoDataFrame:
    """Proposed notice board (公示牌) sites and content.

    Which boards: one per village per river that the rules give a chief
    (``chief_required``), all the village's reaches of that river on it (on a 界河, its own
    bank's rows). One more for every further ``spacing_km`` of the village's river
    (``ceil(length / spacing_km)`` boards); none where the village's reaches of the river
    are shorter than ``min_reach_m`` together (listed by :func:`short_reaches`). One per
    village zone of a lake or reservoir.

    界河: the board of a village on one bank names, besides its own chiefs, the chiefs of
    the other bank along its stretch (every village facing it, and their township and
    county chiefs where those differ); ``bank`` says which bank it stands on (左岸/右岸,
    looking downstream), ``across_names`` the villages across and ``boundary_items`` which
    of its reaches are on the 界河 (all, or some where the village's river also runs
    inside it). For an area limited to one county the far bank's chiefs come from
    ``chiefs.across``.

    Where: a single board stands at the point of the village's reaches nearest its seat
    (村委会, from ``seats``), else at the middle of their length; several boards are
    spaced evenly along them, at (i + ½)/n of the length. A zone's board stands on its
    shore, nearest the seat (else nearest the zone's centre). ``placement`` says which.

    What: river name and a short description, reaches (numbered reaches in a row written
    once: 郁江张团村段（1）至（8）), start and end (起止: one per unbroken stretch of the
    village's reaches, ``；`` between stretches), chainage and
    length, the chiefs at city (main rivers), county, township and village level, each as
    姓名（单位职务） (personal phones only at the levels the rules' ``boards.chief_phones``
    lists), their duties in the order 市、县、乡、村, targets (the rules'
    ``boards.reach_targets`` for the reach, its township or county reach or its river,
    else ``boards.targets``), the supervision phones of the county's and the city's river
    chief offices, a complaint phone, the URL of the board's QR code
    (``boards.qr_url``; ``{board_code}`` in it is replaced), the 落款 (the issuing
    county's office, or the township's by ``boards.issuer``, and ``date``) and the
    prohibited behaviours (the back of the board). Every text comes from the rules'
    ``[boards]`` table; ``texts`` replaces any of its keys.

    Parameters
    ----------
    chiefs : Chiefs
        From :func:`hzgeo.assign_chiefs`.
    boundaries, waters : Boundaries, Waters
        The inputs of the segmentation (names, river descriptions).
    rules : Rules, optional
        Default ``chiefs.rules``.
    spacing_km : float, optional
        One board per started ``spacing_km`` of river. Default: ``boards.spacing_km``.
    min_reach_m : float, optional
        No board for less river than this. Default: ``boards.min_reach_m`` (200 m).
    seats : GeoDataFrame, optional
        Village seats (points with ``code``), as :func:`hzgeo.io.read_seats` reads them.
    texts : mapping, optional
        Replaces keys of the rules' ``[boards]`` table.
    date : str or datetime.date, optional
        The date of the 落款 (ISO text or a date). Default today.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BOARD_COLUMNS`, EPSG:4490 points. ``board_code`` is
        ``B-<river>-<village code>-<n>``, stable while the village keeps its code;
        ``item_code`` lists the reach (or zone) codes the board stands for, ``chief_keys``
        every reach, zone and river code whose chiefs the board shows (what
        :func:`boards_to_reprint` matches).
    """
    rules = rules if rules is not None else chiefs.rules
    settings = text.board_settings(rules, texts)
    spacing_km = settings["spacing_km"] if spacing_km is None else spacing_km
    min_reach_m = settings["min_reach_m"] if min_reach_m is None else min_reach_m
    if not spacing_km or spacing_km <= 0:
        raise ValueError(f"`spacing_km` was {spacing_km!r} but is expected to be > 0")
    if min_reach_m is None or min_reach_m < 0:
        raise ValueError(f"`min_reach_m` was {min_reach_m!r} but is expected to be >= 0")
    crs = work_crs(chiefs)  # the segmentation's: a county run's is the whole city's
    seat_of = _seat_points(seats, crs)
    ctx = _Context(chiefs, boundaries, waters, rules, settings, date)
    rows, points = [], []
    village = chiefs.reaches["village"].to_crs(crs)
    village = village[village["chief_required"].astype(bool)]
    bank = dict(zip(village["reach_code"], reach_banks(
        village, boundaries["village"] if "village" in boundaries else None), strict=True))
    for (river, code), own in _by_village(village).items():
        length_m = sum(float(r["length_m"]) for r in own)
        if length_m < min_reach_m:
            continue
        across = [r for r in _across_rows(own, ctx.bank_of) if bool(r["chief_required"])]
        banks = own + across
        t_rows = _parents(banks, ctx.up["township"], "parent_reach_code")
        c_rows = _parents(t_rows, ctx.up["county"], "parent_reach_code")
        lead = own[0]
        city_row = ctx.city.get(river) if bool(lead["main"]) else None
        keys = ([r["reach_code"] for r in banks] + [t["reach_code"] for t in t_rows]
                + [c["reach_code"] for c in c_rows] + ([river] if city_row else []))
        n = max(1, math.ceil(length_m / 1000.0 / spacing_km - 1e-9))
        spots, how = _spots([r["geometry"] for r in own], n, seat_of.get(code))
        shared = any(bool(r.get("boundary", False)) for r in own)
        sides = list(dict.fromkeys(bank[r["reach_code"]] for r in own
                                   if bool(r.get("boundary", False)) and bank[r["reach_code"]]))
        present = {"city": bool(city_row), "county": bool(c_rows), "township": bool(t_rows),
                   "village": True}
        base = ctx.common([code], any(bool(r["synthetic"]) for r in own)) | ctx.chiefs(
            banks, t_rows, c_rows, city_row) | {
            "kind": "boundary_reach" if shared else "reach", "boards_on_item": n,
            "water_code": river, "water_name": lead["river_name"],
            "description": ctx.describe.get(river, ""),
            "item_code": ",".join(r["reach_code"] for r in own),
            "item_name": span_names([r["reach_name"] for r in own]),
            "reaches": len(own),
            "start_desc": "；".join(str(run[0]["start_desc"]) for run in _runs(own)),
            "end_desc": "；".join(str(run[-1]["end_desc"]) for run in _runs(own)),
            "from_km": round(float(lead["from_km"]), 3),
            "to_km": round(float(own[-1]["to_km"]), 3),
            "length_km": round(length_m / 1000.0, 3), "area_km2": None, "boundary": shared,
            "boundary_items": span_names([r["reach_name"] for r in own
                                          if bool(r.get("boundary", False))]),
            "bank": "、".join(sides),
            "across_codes": ",".join(dict.fromkeys(str(r["admin_code"]) for r in across)),
            "across_names": "、".join(dict.fromkeys(str(r["admin_name"]) for r in across)),
            "admin_codes": ",".join(dict.fromkeys([code, *(str(r["admin_code"])
                                                           for r in across)])),
            "admin_names": "、".join(dict.fromkeys([ctx.names.get(code, code), *(
                str(r["admin_name"]) for r in across)])),
            "duties": text.duties(present, settings),
            "targets": text.targets([k for k in keys if k != river] + [river], settings),
            "placement": how, "chief_keys": ",".join(dict.fromkeys(keys))}
        for i, spot in enumerate(spots, start=1):
            board = f"B-{river}-{code}-{i}"
            rows.append(base | {"board_code": board, "board_index": i,
                                "qr_url": settings["qr_url"].replace("{board_code}", board)})
            points.append(spot)
    zones = chiefs.zones["village"].to_crs(crs)
    for zone in zones[zones["chief_required"].astype(bool)].to_dict("records"):
        rows.append(_zone_board(zone, ctx, seat_of, settings))
        points.append(rows[-1].pop("_point"))
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["kind"] == "zone",
                                                    rows[i]["county_code"],
                                                    rows[i]["water_code"],
                                                    rows[i]["from_km"] or 0.0,
                                                    rows[i]["board_code"]))
    return point_frame([rows[i] for i in order], BOARD_COLUMNS, [points[i] for i in order],
                       crs)


def _zone_board(zone: dict, ctx: _Context, seat_of: dict, settings: dict) -> dict:
    code = str(zone["admin_code"])
    seat = seat_of.get(code)
    anchor = seat if seat is not None else zone["geometry"].centroid
    spot = shapely.ops.nearest_points(zone["geometry"].boundary, anchor)[0]
    t_rows = _parents([zone], ctx.zup["township"], "parent_zone_code")
    c_rows = _parents(t_rows, ctx.zup["county"], "parent_zone_code")
    kind = KIND_NAMES.get(zone["kind"], str(zone["kind"]))
    scale = SCALE_NAMES.get(zone.get("scale") or "", "")
    desc = f"{zone['water_name']}，{scale}{kind}" + (
        "（示意数据，非真实水体）" if bool(zone["synthetic"]) else "") + "。"
    keys = [zone["zone_code"]] + [t["zone_code"] for t in t_rows] + [
        c["zone_code"] for c in c_rows]
    board = f"B-{zone['zone_code']}-1"
    present = {"county": bool(c_rows), "township": bool(t_rows), "village": True}
    return ctx.common([code], bool(zone["synthetic"])) | ctx.chiefs(
        [zone], t_rows, c_rows, None) | {
        "board_code": board, "kind": "zone", "board_index": 1, "boards_on_item": 1,
        "water_code": zone["water_code"], "water_name": zone["water_name"],
        "description": desc, "item_code": zone["zone_code"],
        "item_name": f"{zone['water_name']}{zone['admin_name']}片", "reaches": 0,
        "start_desc": "", "end_desc": "", "from_km": None, "to_km": None,
        "length_km": None, "area_km2": round(float(zone["area_m2"]) / 1e6, 4),
        "boundary": False, "boundary_items": "", "bank": "", "across_codes": "",
        "across_names": "",
        "duties": text.duties(present, settings, "湖长"),
        "targets": text.targets([*keys, zone["water_code"]], settings),
        "qr_url": settings["qr_url"].replace("{board_code}", board),
        "placement": "shore_nearest_seat" if seat is not None else "shore",
        "chief_keys": ",".join(keys), "_point": spot}


def short_reaches(chiefs, boards: gpd.GeoDataFrame | None = None, rules=None, *,
                  min_reach_m: float | None = None) -> gpd.GeoDataFrame:
    """Village reaches shorter than ``min_reach_m``: no board of their own.

    Parameters
    ----------
    chiefs : Chiefs
        From :func:`hzgeo.assign_chiefs`.
    boards : GeoDataFrame, optional
        From :func:`notice_boards`: ``board_code`` names the board that stands for the
        reach (the village's board of that river), empty where there is none.
    rules : Rules, optional
        Default ``chiefs.rules`` (``boards.min_reach_m``, 200 m in the bundled rules).
    min_reach_m : float, optional
        Overrides the rules.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SHORT_COLUMNS`, one row per village reach (each bank of a 界河
        its own), the reach lines in EPSG:4490, shortest first.
    """
    rules = rules if rules is not None else chiefs.rules
    if min_reach_m is None:
        min_reach_m = text.board_settings(rules)["min_reach_m"]
    village = chiefs.reaches["village"]
    village = village[village["chief_required"].astype(bool)]
    covering: dict[str, list[str]] = {}
    if boards is not None:
        for board, items in zip(boards["board_code"], boards["item_code"].fillna(""),
                                strict=True):
            for item in str(items).split(","):
                covering.setdefault(item, []).append(board)
    rows = []
    for (_, code), own in _by_village(village).items():
        group_m = sum(float(r["length_m"]) for r in own)
        for reach in own:
            if float(reach["length_m"]) >= min_reach_m:
                continue
            on = covering.get(reach["reach_code"], [])
            rows.append({
                "reach_code": reach["reach_code"], "reach_name": reach["reach_name"],
                "river_code": reach["river_code"], "river_name": reach["river_name"],
                "village_code": code, "village_name": reach["admin_name"],
                "length_m": round(float(reach["length_m"]), 1),
                "board_code": ",".join(on),
                "note": (f"本村该河公示牌兼顾（本村该河合计 {group_m:.0f} 米）" if on else
                         f"本村该河合计 {group_m:.0f} 米，不足 {min_reach_m:g} 米，不设公示牌"),
                "synthetic": bool(reach["synthetic"]), "geometry": reach["geometry"]})
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, columns=SHORT_COLUMNS),
                             geometry="geometry", crs=village.crs)
    return frame.sort_values(["length_m", "reach_code"]).reset_index(drop=True).to_crs(
        STORE_CRS)


def boards_to_reprint(changes, boards: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The boards whose chiefs a roster change touches (to reprint within 15 working days).

    Parameters
    ----------
    changes : DataFrame or path
        :func:`hzgeo.directory.roster_changes` output (English columns ``item_code``,
        ``change`` ...), or the ``<stem>.changes.csv`` / 变更 sheet (Chinese headers 编码,
        变更 ...).
    boards : GeoDataFrame
        From :func:`notice_boards`.

    Returns
    -------
    geopandas.GeoDataFrame
        The boards whose ``chief_keys`` name a changed reach, zone or main river (a chief
        of any level on the board), with a ``reason`` column (what changed, e.g.
        ``河长更换 R03-450802001001-01：甲→乙``).
    """
    if not isinstance(changes, pd.DataFrame):
        path = Path(changes)
        if not path.exists():
            raise InputError("file not found", file=path,
                             hint="give the <stem>.changes.csv that hzgeo roster wrote")
        changes = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    from hzgeo.directory import HEADERS

    back = {v: k for k, v in HEADERS.items() if k in ("item_code", "change", "old_chief",
                                                      "new_chief", "item_name")}
    changes = changes.rename(columns={"编码": "item_code"} | back)
    if "item_code" not in changes.columns:
        raise InputError(f"no item_code (编码) column among {list(changes.columns)}",
                         file=changes.attrs.get("source"),
                         hint="give the change list that hzgeo roster --previous wrote")
    reasons: dict[str, list[str]] = {}
    for row in changes.fillna("").to_dict("records"):
        what = f"{row.get('change', '')} {row['item_code']}".strip()
        if row.get("old_chief") or row.get("new_chief"):
            what += f"：{row.get('old_chief', '')}→{row.get('new_chief', '')}"
        reasons.setdefault(str(row["item_code"]), []).append(what)
    hits, why = [], []
    for i, keys in enumerate(boards["chief_keys"].fillna("")):
        found = [r for k in keys.split(",") if k in reasons for r in reasons[k]]
        if found:
            hits.append(i)
            why.append("；".join(dict.fromkeys(found)))
    out = boards.iloc[np.asarray(hits, dtype=int)].copy()
    out["reason"] = why
    return out
