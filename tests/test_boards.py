"""Notice boards (公示牌): which boards, where, what they say, which to reprint."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely

from hzgeo import datasets
from hzgeo.chiefs import assign_chiefs, read_rules
from hzgeo.directory import HEADERS, directory_tables, roster_changes
from hzgeo.errors import InputError
from hzgeo.field import boards_to_reprint, notice_boards, post_title, short_reaches
from hzgeo.io import read_seats

WORK = "EPSG:4546"


@pytest.fixture(scope="module")
def seats():
    return read_seats()


@pytest.fixture(scope="module")
def boards(guigang, seats):
    boundaries, waters, _, _, chiefs = guigang
    return notice_boards(chiefs, boundaries, waters, seats=seats, date="2023-06-30")


def _groups(chiefs) -> dict:
    """Independently of the code: (river, village code) -> the village's reach codes and
    metres (on a 界河, its own bank's rows: one row per bank, each as long as the line)."""
    village = chiefs.reaches["village"]
    village = village[village["chief_required"].astype(bool)]
    out: dict = {}
    for (river, code), rows in village.groupby(["river_code", "admin_code"]):
        out[(river, code)] = (list(rows["reach_code"]), float(rows["length_m"].sum()))
    return out


def test_one_board_per_village_per_river(guigang, boards):
    """Every village gets ceil(metres / 8 km) boards for its reaches of a river, none under
    200 m; each board stands for exactly that village's reaches (on a 界河 too: the
    village's bank, not one board per village facing it)."""
    _, _, _, _, chiefs = guigang
    groups = _groups(chiefs)
    reach_boards = boards[boards["kind"] != "zone"]
    found: dict = {}
    for river, village, items in zip(reach_boards["water_code"], reach_boards["village_code"],
                                     reach_boards["item_code"], strict=True):
        found.setdefault((river, village), []).append(set(items.split(",")))
    expected = {k: math.ceil(m / 8000.0 - 1e-9) for k, (_, m) in groups.items() if m >= 200.0}
    assert {k: len(v) for k, v in found.items()} == expected
    for key, items in found.items():
        assert all(i == set(groups[key][0]) for i in items), key
    # 郁江's 界河 villages, each facing 4-8 villages across (before: one board per village
    # faced, 7, 6 and 4): 葵新村 12.4 km of its bank, 张团村 16.5 km, 龙圣社区 4.4 km
    for code, boards_expected in (("450804103212", 2), ("450804103214", 3),
                                  ("450802001015", 1)):
        assert len(found[("R03", code)]) == boards_expected == math.ceil(
            groups[("R03", code)][1] / 8000.0), code
    assert (reach_boards["boundary"] == (reach_boards["kind"] == "boundary_reach")).all()
    assert (reach_boards["kind"] == "boundary_reach").sum() >= 60
    assert boards["board_code"].is_unique
    zones = chiefs.zones["village"]
    assert set(boards.loc[boards["kind"] == "zone", "item_code"]) == set(
        zones.loc[zones["chief_required"], "zone_code"])


def test_a_board_names_each_unbroken_stretch_once(guigang, boards):
    """起止: one start and one end per stretch of the village's river without a break (a
    village's eight reaches of 郁江, each from one village across to the next, are one
    stretch), the first reach's start and the last reach's end."""
    _, _, _, _, chiefs = guigang
    village = chiefs.reaches["village"].set_index("reach_code")
    many = 0
    for board in boards[boards["kind"] != "zone"].itertuples():
        rows = village.loc[board.item_code.split(",")].sort_values("from_km")
        breaks = np.flatnonzero(np.abs(rows["from_km"].to_numpy()[1:]
                                       - rows["to_km"].to_numpy()[:-1]) > 1e-6)
        starts, ends = board.start_desc.split("；"), board.end_desc.split("；")
        assert len(starts) == len(ends) == len(breaks) + 1, board.board_code
        assert (starts[0], ends[-1]) == (rows["start_desc"].iloc[0], rows["end_desc"].iloc[-1])
        many += len(rows) >= 3 and not len(breaks)
    assert many >= 10
    zhang = boards[boards["board_code"] == "B-R03-450804103214-1"].iloc[0]
    assert zhang["item_name"] == "郁江张团村段（1）至（8）"


def test_a_boundary_board_names_the_chiefs_across(guigang, boards):
    """A village's board on a 界河 names its own chief and, for every stretch of its bank,
    the chief of the village across (the row of the other bank: same river and chainage,
    the codes swapped), found here from the reach rows alone."""
    _, _, _, _, chiefs = guigang
    village = chiefs.reaches["village"]
    rows = village.set_index("reach_code")
    other = {(r, a, s, round(f, 6)): (n, c) for r, a, s, f, n, c in zip(
        village["river_code"], village["admin_code"], village["shared_with"],
        village["from_km"], village["admin_name"], village["chief_name"], strict=True)}
    shared = boards[boards["kind"] == "boundary_reach"]
    assert len(shared) >= 60
    for board in shared.itertuples():
        across_names, across_chiefs = [], []
        for item in board.item_code.split(","):
            row = rows.loc[item]
            if not row["boundary"]:
                continue
            name, chief = other[(row["river_code"], row["shared_with"], row["admin_code"],
                                 round(row["from_km"], 6))]
            across_names.append(name)
            across_chiefs.append(chief)
        assert board.across_names == "、".join(dict.fromkeys(across_names)), board.board_code
        own = rows.loc[board.item_code.split(",")[0], "chief_name"]
        assert board.village_chiefs.startswith(own + "（"), board.board_code
        for chief, name in zip(across_chiefs, across_names, strict=True):
            assert f"{chief}（{name}" in board.village_chiefs, board.board_code


def test_a_board_with_some_reaches_on_a_boundary_river_says_which(guigang, boards):
    """A village whose river is partly a 界河 (新建村: 郁江 along 西村, then inside it) has
    one board; its page says which of its reaches are on the 界河, not all of them."""
    from hzgeo.maps.board import _across

    _, _, _, _, chiefs = guigang
    village = chiefs.reaches["village"].set_index("reach_code")
    shared = boards[boards["kind"] == "boundary_reach"]
    mixed = 0
    for board in shared.itertuples():
        rows = village.loc[board.item_code.split(",")]
        on = rows.loc[rows["boundary"].astype(bool), "reach_name"].tolist()
        assert len(on) >= 1
        note = _across(board._asdict())
        if len(on) < len(rows):
            mixed += 1
            assert note.startswith("（其中" + "、".join(on) + "为界河"), (board.board_code, note)
        else:
            assert note.startswith("（界河"), (board.board_code, note)
    assert mixed >= 5
    xinjian = shared[shared["board_code"] == "B-R03-450802101202-1"].iloc[0]
    assert _across(xinjian) == f"（其中郁江新建村段（1）为界河{xinjian['bank']}，对岸为西村）"


def test_a_boundary_board_says_which_bank_it_stands_on(guigang, boards):
    """左岸 / 右岸 looking downstream, checked at the board's own point: 40 m to the left
    of the flow there lies in the board's village for 左岸, 40 m to the right for 右岸."""
    boundaries, _, _, _, chiefs = guigang
    units = boundaries["village"].to_crs(WORK).set_index("code").geometry
    village = chiefs.reaches["village"].to_crs(WORK).set_index("reach_code")
    shared = boards[(boards["kind"] == "boundary_reach") & (boards["boards_on_item"] == 1)]
    points = shared.to_crs(WORK).geometry.to_numpy()
    checked = 0
    for point, board in zip(points, shared.itertuples(), strict=True):
        if "、" in board.bank:
            continue
        reaches = village.loc[board.item_code.split(",")]
        nearest = reaches.iloc[int(np.argmin(shapely.distance(reaches.geometry.values, point)))]
        line = shapely.line_merge(nearest["geometry"])  # as digitised: downstream
        if not nearest["boundary"] or line.geom_type != "LineString":
            continue  # the board stands on a stretch inside the village
        at = line.project(point)
        if min(at, line.length - at) < 50:
            continue  # at a reach's end, where the village border crosses the river
        a, b = line.interpolate(max(at - 20, 0)), line.interpolate(min(at + 20, line.length))
        dx, dy = (b.x - a.x), (b.y - a.y)
        norm = math.hypot(dx, dy)
        left = shapely.Point(point.x - dy / norm * 40, point.y + dx / norm * 40)
        right = shapely.Point(point.x + dy / norm * 40, point.y - dx / norm * 40)
        home = units.loc[board.village_code]
        if home.contains(left) == home.contains(right):
            continue  # a bend or a narrow unit: not decided by this check
        assert board.bank == ("左岸" if home.contains(left) else "右岸"), board.board_code
        checked += 1
    assert checked >= 40


def test_short_reaches_get_no_board_and_are_listed(guigang, boards):
    _, _, _, _, chiefs = guigang
    groups = _groups(chiefs)
    short = short_reaches(chiefs, boards)
    village = chiefs.reaches["village"]
    required = village[village["chief_required"].astype(bool)]
    assert set(short["reach_code"]) == set(required.loc[required["length_m"] < 200,
                                                        "reach_code"])
    assert (short["length_m"] < 200).all() and len(short) > 0
    assert short["reach_code"].is_unique  # each bank of a 界河 its own row
    alone = {k for k, (_, m) in groups.items() if m < 200}
    for row in short.itertuples():
        key = (row.river_code, row.village_code)
        assert (row.board_code == "") == (key in alone), row.reach_code
        if row.board_code:
            assert row.reach_code in boards.set_index("board_code").loc[
                row.board_code.split(",")[0], "item_code"]
            assert boards.set_index("board_code").loc[row.board_code.split(",")[0],
                                                       "village_code"] == row.village_code


def test_min_reach_and_spacing_come_from_the_rules(guigang, seats, tmp_path):
    boundaries, waters, _, _, chiefs = guigang
    rules = tmp_path / "rules.toml"
    rules.write_text("[boards]\nmin_reach_m = 1000.0\nspacing_km = 2.0\n", encoding="utf-8")
    found = notice_boards(chiefs, boundaries, waters, read_rules(rules), seats=seats)
    groups = _groups(chiefs)
    expected = sum(math.ceil(m / 2000.0 - 1e-9) for _, m in groups.values() if m >= 1000.0)
    assert (found["kind"] != "zone").sum() == expected
    assert len(short_reaches(chiefs, found, read_rules(rules))) > len(short_reaches(chiefs))


def test_a_single_board_stands_nearest_the_village_seat(guigang, boards, seats):
    """The board of a village's river is the point of its reaches nearest the seat
    (村委会), computed here with shapely.ops.nearest_points on the reach lines."""
    _, _, _, _, chiefs = guigang
    village = chiefs.reaches["village"].to_crs(WORK).set_index("reach_code")
    seat = dict(zip(seats["code"], seats.to_crs(WORK).geometry, strict=True))
    points = boards.to_crs(WORK).geometry.to_numpy()
    checked = 0
    for i, row in enumerate(boards.itertuples()):
        if row.kind == "zone" or row.boards_on_item != 1:
            continue
        home = seat.get(row.village_code.split(",")[0])
        assert home is not None
        lines = shapely.union_all(village.loc[row.item_code.split(","), "geometry"].to_numpy())
        nearest = shapely.ops.nearest_points(lines, home)[0]
        assert shapely.distance(points[i], nearest) < 1.0, row.board_code
        checked += 1
    assert checked > 250


def test_boards_of_a_long_river_are_spaced_evenly(guigang, boards):
    _, _, _, _, chiefs = guigang
    village = chiefs.reaches["village"].to_crs(WORK).set_index("reach_code")
    many = boards[boards["boards_on_item"] > 1]
    assert len(many) > 0
    points = dict(zip(boards["board_code"], boards.to_crs(WORK).geometry, strict=True))
    for _, group in many.groupby("item_code"):
        lines = list(village.loc[group["item_code"].iloc[0].split(","), "geometry"])
        total = sum(g.length for g in lines)
        n = len(group)
        for k, code in enumerate(sorted(group["board_code"], key=lambda c: int(c.rsplit(
                "-", 1)[1]))):
            at = total * (k + 0.5) / n
            for g in lines:
                if at <= g.length:
                    break
                at -= g.length
            want = shapely.line_interpolate_point(shapely.line_merge(g), at)
            assert shapely.distance(points[code], want) < 1.0


def test_board_content(guigang, boards):
    _, _, _, _, chiefs = guigang
    rules = chiefs.rules
    main = boards[boards["kind"] != "zone"].merge(
        chiefs.city_chiefs[["river_code", "chief_name"]], left_on="water_code",
        right_on="river_code", how="left")
    on_main = main["chief_name"].notna()
    assert on_main.any()
    assert all(n in c for n, c in zip(main.loc[on_main, "chief_name"],
                                      main.loc[on_main, "city_chief"], strict=True))
    assert (main.loc[~on_main, "city_chief"] == "").all()
    for column in ("description", "item_name", "village_chiefs", "township_chiefs",
                   "county_chiefs", "duties", "targets", "county_phone", "city_phone",
                   "complaint_phone", "issuing_office", "issued_on", "prohibited", "qr_url"):
        assert (boards[column].str.len() > 0).all(), column
    # duties in the order 市、县、乡、村, texts from the rules file
    order = ["市级河长：", "县级河长：", "乡级河长：", "村级河长："]
    for duty, city in zip(boards["duties"], boards["city_chief"], strict=True):
        if duty.startswith("市级河长") or city:
            at = [duty.index(w) for w in order]
            assert at == sorted(at)
    assert rules["boards"]["duties"]["county"] in boards["duties"].iloc[0]
    # 落款: the county's river chief office and the data date
    offices = dict(zip(chiefs.offices["admin_code"], chiefs.offices["office"], strict=True))
    assert (boards["issuing_office"] == [offices[c.split(",")[0]]
                                         for c in boards["county_code"]]).all()
    assert (boards["issued_on"] == "2023年6月30日").all()
    # supervision phones of the county and the city office, no personal phones
    assert boards["city_phone"].str.startswith("贵港市河长制办公室").all()
    assert all(all(p.startswith(offices[c]) for p, c in zip(phones.split("；"),
                                                          counties.split(","), strict=True))
               for phones, counties in zip(boards["county_phone"], boards["county_code"],
                                           strict=True))
    chiefs_text = boards[["village_chiefs", "township_chiefs", "county_chiefs",
                          "city_chief"]].agg("".join, axis=1)
    assert not chiefs_text.str.contains("0775-").any()
    assert all(u.endswith(c) for u, c in zip(boards["qr_url"], boards["board_code"],
                                              strict=True))


@pytest.mark.parametrize(("doubled", "column"), [
    ("街道街道", "township_chiefs"), ("村村", "village_chiefs"), ("区区", "county_chiefs"),
    ("社区社区", "village_chiefs")])
def test_posts_say_the_unit_type_once(boards, doubled, column):
    # 区长, 镇长 ... follow the full name (港北区区长): the type said twice is official style
    has = boards[column].str.replace(doubled + "长", "", regex=False).str.contains(doubled)
    # a village named 蒋村村 is 蒋村村党组织书记: its own name says 村村 (on its board, or
    # across a 界河 from it: admin_names lists both banks' villages)
    own = boards["admin_names"].str.contains(doubled) & (column == "village_chiefs")
    assert not (has & ~own).any()
    assert not boards.loc[own, column].str.contains(doubled + doubled[-1]).any()


def test_heads_of_government_after_the_full_name(boards):
    """港北区区长, 桂平市市长, 平南县县长, 南木镇镇长 on the boards, never 港北区长 ..."""
    county = "；".join(boards["county_chiefs"])
    township = "；".join(boards["township_chiefs"])
    for merged in ("港北区长", "港南区长", "覃塘区长", "桂平市长", "平南县长"):
        assert merged not in county
    assert all(f"（{name}）" in county for name in ("港北区区长", "桂平市市长", "平南县县长"))
    assert "（南木镇镇长）" in township and "（南木镇长）" not in township


def test_post_titles():
    rules = read_rules()
    assert post_title("港北区", "区委书记", rules, "county") == "港北区委书记"
    assert post_title("桂平市", "市委书记", rules, "county") == "桂平市委书记"
    assert post_title("贵城街道", "街道党工委书记", rules, "township") == "贵城街道党工委书记"
    assert post_title("龙联村", "村党组织书记", rules, "village") == "龙联村党组织书记"
    assert post_title("马草江社区", "社区党组织书记", rules, "village") == "马草江社区党组织书记"
    assert post_title("贵港市", "副市长") == "贵港市副市长"
    assert post_title("龙联村", "第一书记", rules, "village") == "龙联村第一书记"
    # heads of government: the unit's full name, then the post (official style)
    assert post_title("港北区", "区长", rules, "county") == "港北区区长"
    assert post_title("桂平市", "市长", rules, "county") == "桂平市市长"
    assert post_title("平南县", "县长", rules, "county") == "平南县县长"
    assert post_title("大圩镇", "镇长", rules, "township") == "大圩镇镇长"
    assert post_title("港北区", "副区长", rules, "county") == "港北区副区长"
    assert post_title("贵港市", "市长") == "贵港市市长"
    assert post_title("贵港市", "市委书记") == "贵港市委书记"


def test_post_titles_of_other_cities(tmp_path):
    """The generic national rules (a file that changes nothing but the city lays its keys
    over them): the same two styles for the unit types of other places."""
    (tmp_path / "rules.toml").write_text('city = "某市"\n', encoding="utf-8")
    national = read_rules(tmp_path / "rules.toml")
    assert national.unit_type("county", "鄂温克族自治旗") == "旗"
    cases = [("city", "延边朝鲜族自治州", "州委书记", "延边朝鲜族自治州委书记"),
             ("city", "延边朝鲜族自治州", "州长", "延边朝鲜族自治州州长"),
             ("county", "大化瑶族自治县", "县长", "大化瑶族自治县县长"),
             ("county", "大化瑶族自治县", "县委书记", "大化瑶族自治县委书记"),
             ("county", "鄂温克族自治旗", "旗长", "鄂温克族自治旗旗长"),
             ("township", "那坡乡", "乡长", "那坡乡乡长"),
             ("township", "那坡乡", "乡党委书记", "那坡乡党委书记"),
             ("township", "城东街道办事处", "街道党工委书记", "城东街道党工委书记"),
             ("village", "岭南村民委员会", "村党组织书记", "岭南村党组织书记"),
             # the 村 of 村民 is the villagers': said after the village's full name
             ("village", "龙联村", "村民委员会主任", "龙联村村民委员会主任"),
             ("village", "新村", "村民委员会主任", "新村村民委员会主任"),
             ("village", "岭南村民委员会", "村民委员会主任", "岭南村村民委员会主任"),
             ("village", "岭南村委会", "村委会主任", "岭南村委会主任"),
             ("village", "龙联村委会", "村务监督委员会主任", "龙联村村务监督委员会主任"),
             ("village", "龙圣社区", "社区居民委员会主任", "龙圣社区居民委员会主任")]
    got = [post_title(unit, post, national, level) for level, unit, post, _ in cases]
    assert got == [want for *_, want in cases]


def test_phones_and_targets_where_the_rules_give_them(guigang, seats, tmp_path):
    boundaries, waters, _, _, chiefs = guigang
    village = chiefs.reaches["village"]
    reach = village[~village["boundary"].astype(bool)].sort_values("length_m").iloc[-1]
    rules = tmp_path / "rules.toml"
    rules.write_text('[boards]\nchief_phones = ["village"]\nissuer = "township"\n'
                     'qr_url = "https://hz.example/q"\n'
                     f'[boards.reach_targets]\n"{reach["reach_code"]}" = "Ⅲ类水质"\n'
                     '"R01" = "黔江目标"\n', encoding="utf-8")
    found = notice_boards(chiefs, boundaries, waters, read_rules(rules), seats=seats)
    mine = found["item_code"].str.contains(reach["reach_code"])
    assert (found.loc[mine, "targets"] == "Ⅲ类水质").all()
    r01 = (found["water_code"] == "R01") & ~mine
    assert (found.loc[r01, "targets"] == "黔江目标").all() and r01.any()
    others = ~mine & ~r01
    assert (found.loc[others, "targets"] == read_rules()["boards"]["targets"]).all()
    assert found["village_chiefs"].str.contains("0775-").all()
    assert not found["county_chiefs"].str.contains("0775-").any()
    names = dict(zip(boundaries["township"]["code"],
                                  boundaries["township"]["name"], strict=True))
    assert (found["issuing_office"] == [names[c.split(",")[0]] + "河长制办公室"
                                        for c in found["township_code"]]).all()
    assert (found["qr_url"] == "https://hz.example/q").all()


def test_board_texts_can_be_replaced(guigang):
    boundaries, waters, _, _, chiefs = guigang
    found = notice_boards(chiefs, boundaries, waters, texts={
        "complaint_phone": "12314", "duties": {"village": "巡河"}, "prohibited": ["禁止甲"]})
    assert (found["complaint_phone"] == "12314").all()
    assert (found["prohibited"] == "禁止甲").all()
    reach = found[found["kind"] == "reach"].iloc[0]
    assert "村级河长：巡河" in reach["duties"] and "乡级河长：" in reach["duties"]
    assert set(found["placement"]) <= {"middle", "even", "shore"}  # no seats given
    with pytest.raises(ValueError, match="spacing_km"):
        notice_boards(chiefs, boundaries, waters, spacing_km=0)


def test_board_texts_come_from_the_rules_file(guigang, tmp_path):
    boundaries, waters, _, _, chiefs = guigang
    rules = tmp_path / "rules.toml"
    rules.write_text('[boards]\ncomplaint_phone = "12369"\n'
                     '[boards.duties]\nvillage = "每周巡河"\n', encoding="utf-8")
    found = notice_boards(chiefs, boundaries, waters, read_rules(rules))
    assert (found["complaint_phone"] == "12369").all()
    reach = found[found["kind"] == "reach"]
    assert reach["duties"].str.contains("村级河长：每周巡河").all()
    assert reach["duties"].str.contains("县级河长：").all()  # the other levels kept
    bad = tmp_path / "bad.toml"
    bad.write_text("[boards]\ncomplaint_phon = \"1\"\n", encoding="utf-8")
    with pytest.raises(InputError, match="complaint_phon"):
        read_rules(bad)
    bad.write_text("[boards]\nissuer = \"city\"\n", encoding="utf-8")
    with pytest.raises(InputError, match="issuer"):
        read_rules(bad)


def test_no_board_text_in_the_code():
    """The rules file is the only copy of the board texts."""
    from pathlib import Path

    import hzgeo.field

    rules = read_rules()["boards"]
    words = [rules["targets"], rules["duties"]["village"], rules["prohibited"][0]]
    folder = Path(hzgeo.field.__file__).parent
    for path in [*folder.glob("*.py"), folder.parent / "maps" / "board.py"]:
        code = path.read_text(encoding="utf-8")
        assert not any(w[:12] in code for w in words), path


# ------------------------------------------------------------------------ reprints


def _reprint_after(guigang, boards, pick) -> tuple[set, set, pd.DataFrame]:
    boundaries, waters, result, officials, chiefs = guigang
    changed = officials.copy()
    hit = pick(changed)
    assert hit.sum() == 1
    old = changed.loc[hit, "name"].iloc[0]
    changed.loc[hit, "name"] = "新示例9999"
    after = assign_chiefs(result, boundaries, waters, changed)
    changes = roster_changes(directory_tables(after), directory_tables(chiefs))
    named = boards_to_reprint(changes, boards)
    return set(named["board_code"]), {old}, named


def _printing(boards, column, name) -> set:
    """The boards that print ``name`` in ``column``: what must be reprinted."""
    return set(boards.loc[boards[column].str.contains(name, regex=False), "board_code"])


def test_changing_one_village_chief_names_exactly_its_boards(guigang, boards, tmp_path):
    _, _, _, _officials, chiefs = guigang
    village = chiefs.reaches["village"]
    shared = set(village.loc[village["boundary"].astype(bool), "admin_code"])
    own = set(village.loc[~village["boundary"].astype(bool), "admin_code"])
    code = sorted(shared & own)[0]
    post = village.loc[village["admin_code"] == code, "chief_post"].iloc[0]
    named, (old,), table = _reprint_after(
        guigang, boards, lambda o: (o["admin_code"] == code) & (o["post"] == post))
    expected = _printing(boards, "village_chiefs", old)
    assert named == expected and len(expected) >= 2
    kinds = set(boards.set_index("board_code").loc[sorted(expected), "kind"])
    assert kinds == {"reach", "boundary_reach"}
    assert table["reason"].str.contains("新示例9999").all()


@pytest.mark.parametrize(("level", "column"), [("township", "township_chiefs"),
                                               ("county", "county_chiefs"),
                                               ("city", "city_chief")])
def test_changing_a_higher_chief_names_exactly_its_boards(guigang, boards, level, column):
    """A township, county or city chief printed on boards: every board that prints the
    name, and no other, is to be reprinted."""
    _, _, _, _officials, chiefs = guigang
    if level == "city":
        row = chiefs.city_chiefs.iloc[0]
        name, code, post = row["chief_name"], "450800", row["post"]
    else:
        reach = chiefs.reaches[level]
        row = reach[reach["main"].astype(bool) & reach["chief_name"].notna()].iloc[0]
        name, code, post = row["chief_name"], row["admin_code"], row["chief_post"]
    named, _, table = _reprint_after(
        guigang, boards, lambda o: (o["admin_code"] == code) & (o["post"] == post)
        & (o["name"] == name))
    expected = _printing(boards, column, name)
    assert len(expected) >= 2
    assert named == expected
    assert table["reason"].str.contains("新示例9999").all()


def test_reprints_from_the_written_change_list(guigang, boards, tmp_path):
    _, _, _, _, chiefs = guigang
    reach = chiefs.reaches["county"].iloc[0]
    named, _, _ = _reprint_after(
        guigang, boards, lambda o: (o["admin_code"] == reach["admin_code"])
        & (o["post"] == reach["chief_post"]) & (o["name"] == reach["chief_name"]))
    boundaries, waters, result, officials, _ = guigang
    changed = officials.copy()
    hit = (changed["admin_code"] == reach["admin_code"]) & (changed["name"] == reach[
        "chief_name"])
    changed.loc[hit, "name"] = "新示例9999"
    after = assign_chiefs(result, boundaries, waters, changed)
    table = roster_changes(directory_tables(after), directory_tables(chiefs)).rename(
        columns=HEADERS)
    assert set(boards_to_reprint(table, boards)["board_code"]) == named
    table.to_csv(tmp_path / "d.changes.csv", index=False, encoding="utf-8-sig")
    assert set(boards_to_reprint(tmp_path / "d.changes.csv", boards)["board_code"]) == named
    with pytest.raises(InputError, match="file not found"):
        boards_to_reprint(tmp_path / "none.csv", boards)


def test_seats_are_data_not_a_file_reopened(guigang, tmp_path):
    """notice_boards places by the seats it is given, never by reading a file."""
    boundaries, waters, _, _, chiefs = guigang
    without = notice_boards(chiefs, boundaries, waters)
    assert "nearest_seat" not in set(without["placement"])
    with pytest.raises(TypeError, match="seats"):
        notice_boards(chiefs, boundaries, waters, seats=pd.DataFrame({"code": ["1"]}))
    assert read_seats(datasets.get_path("waters")) is None  # no seats layer there
    with pytest.raises(InputError, match="no such layer"):
        read_seats(datasets.get_path("waters"), layer="seats")


def test_board_codes_name_river_and_village(boards):
    reach = boards[boards["kind"] != "zone"]
    for code, river, villages, i in zip(reach["board_code"], reach["water_code"],
                                        reach["village_code"], reach["board_index"],
                                        strict=True):
        assert code == f"B-{river}-{'+'.join(villages.split(','))}-{i}"
    assert np.all(reach["boards_on_item"] >= reach["board_index"])


# ------------------------------------------------------------------------ a toy area
# The hand-made area of test_directory_rivers.py: 界江 (R1, 4 km east along the border
# of 港北区, villages 一村 二村 三村, and 港南区, village 四村), 北溪 (R2, 897 m south
# into it, in 二村), 南湖 (L1) in 四村; every answer below is worked out by hand.


@pytest.fixture(scope="module")
def border():
    from test_directory_rivers import make_area

    boundaries, waters, _, chiefs, _ = make_area()
    return boundaries, waters, chiefs


def test_toy_boards_by_hand(border):
    from test_directory_rivers import RIVER, TRIBUTARY
    from toy import geodesic

    boundaries, waters, chiefs = border
    boards = notice_boards(chiefs, boundaries, waters, date="2023-06-30").set_index(
        "water_code")
    river, tributary = boards.loc["R1"], boards.loc[["R2"]].iloc[0]
    # one board per village: 一村 二村 三村 on the northern bank, 四村 facing all three
    assert river["village_name"].tolist() == ["一村", "二村", "三村", "四村"]
    assert river["township_name"].tolist() == ["甲镇", "甲镇", "乙镇", "丙镇"]
    # the 界江 flows east: the north bank is its left, the south bank its right
    assert river["bank"].tolist() == ["左岸", "左岸", "左岸", "右岸"]
    assert river["across_names"].tolist() == ["四村", "四村", "四村", "一村、二村、三村"]
    assert (river["kind"] == "boundary_reach").all() and river["boundary"].all()
    # each board names the chiefs of its own bank first, then those across
    assert river["village_chiefs"].iloc[0] == (
        "测试001v（一村党组织书记）；测试001v（四村党组织书记）")
    assert river["village_chiefs"].iloc[3] == (
        "测试001v（四村党组织书记）；测试001v（一村党组织书记）；测试002v（二村党组织书记）；"
        "测试001v（三村党组织书记）")
    def order(text, *units):
        return [text.index(f"（{u}") for u in units]

    township, county = river["township_chiefs"].iloc[3], river["county_chiefs"].iloc[2]
    at = order(township, "丙镇", "甲镇", "乙镇")
    assert at == sorted(at)
    assert township.count("；") == 2 and township.startswith("测试001t（丙镇")
    at = order(county, "港北区", "港南区")
    assert at == sorted(at)
    assert county.startswith("测试802c（港北区") and county.count("；") == 1
    # 四村's board stands for its whole bank: 0 to 4 km, three reaches
    assert (river["from_km"].iloc[3], river["reaches"].iloc[3]) == (0.0, 3)
    assert river["item_code"].iloc[3] == ",".join(f"R1-450803001001-0{i}" for i in (1, 2, 3))
    assert (tributary["village_name"], tributary["township_name"]) == ("二村", "甲镇")
    assert boards.loc["L1", "village_name"] == "四村"
    # chainage: the 界江 from 0 to its geodesic length, 北溪 from 0 to its own
    assert river["from_km"].iloc[0] == 0.0
    assert river["to_km"].iloc[-1] == pytest.approx(geodesic(RIVER) / 1000, abs=1e-3)
    assert river["to_km"].iloc[:2].tolist() == river["from_km"].iloc[1:3].tolist()
    assert river["to_km"].iloc[2] == river["to_km"].iloc[3]
    assert (tributary["from_km"], tributary["to_km"]) == (
        0.0, pytest.approx(geodesic(TRIBUTARY) / 1000, abs=1e-3))
    assert tributary["to_km"] == tributary["length_km"]
    # a 界河 is as long as its line, not once per bank (4.0 km, not 8.0)
    km = f"{geodesic(RIVER) / 1000:.1f}"
    assert km == "4.0"
    assert set(river["description"]) == {f"界江，市内长 {km} 公里；全市主要河流，设市级河长。"}
    assert tributary["description"] == (f"北溪，市内长 {geodesic(TRIBUTARY) / 1000:.1f} "
                                        "公里，汇入界江；全市主要河流，设市级河长。")
    # the city chief's row says "post", not "chief_post"
    assert set(river["city_chief"]) == {"测试丁（贵港市副市长）"}
    assert tributary["city_chief"] == ""


def test_toy_boards_spaced_evenly(border):
    """北溪 runs 897 m due south from y = 900: at a spacing of 0.3 km it gets
    ceil(0.897 / 0.3) = 3 boards, at 1/6, 3/6 and 5/6 of its length."""
    from toy import X0, Y0

    boundaries, waters, chiefs = border
    boards = notice_boards(chiefs, boundaries, waters, spacing_km=0.3, date="2023-06-30")
    bei = boards[boards["water_code"] == "R2"].to_crs(WORK)
    assert bei["board_index"].tolist() == [1, 2, 3]
    assert set(bei["boards_on_item"]) == {3} and set(bei["placement"]) == {"even"}
    np.testing.assert_allclose(bei.geometry.x - X0, 1500.0, atol=0.01)
    np.testing.assert_allclose(bei.geometry.y - Y0, [900 - 897 * k / 6 for k in (1, 3, 5)],
                               atol=0.5)


def test_reprint_from_a_change_list_with_chinese_headers(border, tmp_path):
    """The 变更 sheet's headers (编码, 变更, 原河长, 现河长): the board of the changed
    reach, and why, with the old and the new chief."""
    boundaries, waters, chiefs = border
    boards = notice_boards(chiefs, boundaries, waters, date="2023-06-30")
    village = chiefs.reaches["village"]
    reach = village.loc[village["river_code"] == "R2", "reach_code"].iloc[0]
    changes = pd.DataFrame({"范围": ["村级河段"], "变更": ["河长更换"], "编码": [reach],
                            "名称": ["北溪二村段"], "原河长": ["测试002v"],
                            "现河长": ["新示例9999"]})
    named = boards_to_reprint(changes, boards)
    assert named["board_code"].tolist() == ["B-R2-450802001002-1"]
    assert named["reason"].tolist() == [f"河长更换 {reach}：测试002v→新示例9999"]
    # the same list as the CSV roster writes (UTF-8 with BOM), given by its path
    path = tmp_path / "d.changes.csv"
    changes.to_csv(path, index=False, encoding="utf-8-sig")
    assert boards_to_reprint(path, boards)[["board_code", "reason"]].equals(
        named[["board_code", "reason"]])


def test_board_page_lines_keep_a_bracketed_group_whole():
    """A board page's text wraps at 44 characters as the sheets' footnotes do: the 界河
    note (33 characters, 46 with the reach names before it) goes whole to the next line,
    not cut after 44 characters."""
    from hzgeo.maps.board import _wrap

    note = "（界河左岸，对岸为云柳村、双联村、平江村、金洲村、西安村、井良村）"
    assert len(note) == 33 and len("郁江张团村段（1）至（8）" + note) == 46
    assert _wrap("郁江张团村段（1）至（8）" + note, 44) == ["郁江张团村段（1）至（8）", note]
    assert _wrap("甲\n\n乙", 44) == ["甲", "", "乙"]
    long = "禁止" * 40
    assert _wrap(long, 30) == [long[:30], long[30:60], long[60:]]


def test_boards_command_summary_counts_what_it_wrote(tmp_path, capsys):
    """`hzgeo boards` says how many boards of each kind it wrote and how many short village
    reaches it listed: each number equals the count in the files it names (the 类型
    column of the boards CSV, the rows of the short reaches CSV and those without a
    公示牌编码)."""
    import re

    from hzgeo.cli import main

    out = tmp_path / "b.csv"
    assert main(["boards", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    line = next(s for s in said.splitlines() if s.startswith("boards: "))
    numbers = [int(n) for n in re.findall(r"\d+", line)]
    written = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    kinds = written["类型"].value_counts()
    listed = re.search(r"listed in (\S+)$", line).group(1)
    short = pd.read_csv(tmp_path / listed, encoding="utf-8-sig", dtype=str)
    assert numbers == [len(written), kinds["河段"], kinds["界河河段"], kinds["湖库分片"],
                       len(short), int(short["公示牌编码"].isna().sum())]
    assert numbers[1] + numbers[2] + numbers[3] == numbers[0] and numbers[5] > 0
