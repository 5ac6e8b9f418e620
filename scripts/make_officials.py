"""Build the bundled sample office holders of Guigang: ``data/officials/guigang_officials.csv``.

Every name and phone number is FICTIONAL (虚构) and reads so: names are a common surname,
``示例`` and a serial number (``张示例0001``), phones ``0775-0000xxxx`` (0775 is Guigang's
area code; no local number starts 0000), and the 备注 column says 虚构示例. Run from the
repository root (seeded: the same boundaries and rules give the same file, byte for byte)::

    python scripts/make_officials.py             # writes data/officials/guigang_officials.csv
    python scripts/make_officials.py --out FILE

One row per post the bundled rules (``hzgeo/rules/guigang.toml``) use, for every unit of the
bundled boundaries: the city's 市委书记 and 市长 and four 副市长 (the seven main rivers dealt
among them in the 负责河湖 column, by river code, in turn), each county's party head and head
of government (区委书记/区长, 县委书记/县长, 市委书记/市长 for 桂平市), each township's
(镇党委书记/镇长, 乡党委书记/乡长, 街道党工委书记/街道办主任) and each village's party
secretary (村党组织书记 or 社区党组织书记). The titles come from the rules file, so the
sample fills exactly the roles the rules use, and the bundled run has no vacancy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hzgeo.chiefs import read_rules  # noqa: E402

SEED = 4508
OUT = ROOT / "data" / "officials" / "guigang_officials.csv"
BOUNDARIES = ROOT / "data" / "boundaries" / "guigang_boundaries.gpkg"
WATERS = ROOT / "data" / "rivers" / "guigang_waters.gpkg"
#: Deputy mayors (副市长) among whom the main rivers are dealt.
DEPUTIES = 4
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韦唐蒙覃莫陆农")
HEADERS = ["行政区划代码", "单位名称", "职务", "姓名", "电话", "负责河湖", "备注"]
NOTE = "虚构示例，非真实人员"


def build(boundaries: Path = BOUNDARIES, waters: Path = WATERS) -> pd.DataFrame:
    """The sample table, in the order written."""
    rng = np.random.default_rng(SEED)
    rules = read_rules()
    units = {level: pyogrio.read_dataframe(boundaries, layer=level, read_geometry=False)
             .sort_values("code")[["code", "name"]]
             for level in ("city", "county", "township", "village")}
    rivers = pyogrio.read_dataframe(waters, layer="rivers", read_geometry=False)
    mains = rivers[rivers["main"].astype(bool)].sort_values("river_code")
    groups = list(dict.fromkeys(mains["main_river"]))  # 西江干流 (黔江 + 浔江) stays together
    chaired: list[list[str]] = [[] for _ in range(DEPUTIES)]
    for i, group in enumerate(groups):
        chaired[i % DEPUTIES] += mains.loc[mains["main_river"] == group, "river_code"].tolist()

    rows = []

    def add(code, name, level, role, waters=""):
        kind = rules.unit_type(level, name)
        serial = len(rows) + 1
        rows.append([code, name, rules.title(level, kind, role),
                     f"{rng.choice(SURNAMES)}示例{serial:04d}", f"0775-0000{serial:04d}",
                     waters, NOTE])

    for code, name in units["city"].itertuples(index=False):
        add(code, name, "city", "party_head")
        add(code, name, "city", "government_head")
        for rivers_chaired in chaired:
            add(code, name, "city", "deputy", "、".join(rivers_chaired))
    for level in ("county", "township"):
        for code, name in units[level].itertuples(index=False):
            add(code, name, level, "party_head")
            add(code, name, level, "government_head")
    for code, name in units["village"].itertuples(index=False):
        add(code, name, "village", "party_head")
    if len(rows) > 9999:
        raise SystemExit("more than 9,999 posts: widen the serial numbers")
    return pd.DataFrame(rows, columns=HEADERS)


def write(frame: pd.DataFrame, out: Path) -> None:
    """UTF-8 with BOM (Excel opens it as UTF-8), Unix line ends."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    frame = build()
    write(frame, args.out)
    print(f"{args.out}: {len(frame)} posts, all fictional")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
