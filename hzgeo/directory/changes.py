"""What changed between two directories (变更), and reading a directory XLSX back."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hzgeo.directory._common import SHEETS
from hzgeo.errors import InputError
from hzgeo.labels import VACANT

__all__ = ["read_directory", "roster_changes"]

_KEYED = {  # sheet -> (key column, name column, chief column, post column)
    SHEETS["county"]: ("河段编码", "河段名称", "河长", "职务"),
    SHEETS["township"]: ("河段编码", "河段名称", "河长", "职务"),
    SHEETS["village"]: ("河段编码", "河段名称", "河长", "职务"),
    SHEETS["zones"]: ("分片编码", "湖库名称", "河长", "职务"),
    SHEETS["city"]: ("河流编码", "河流名称", "河长", "职务"),
}


def _total_key(frame: pd.DataFrame) -> pd.Series:
    return frame["行政区划代码"].astype(str) + "|" + frame["职责"].astype(str) + "|" + frame[
        "职务"].astype(str)


def roster_changes(current: Mapping[str, pd.DataFrame], previous) -> pd.DataFrame:
    """What changed since ``previous``: the list a chief office acts on (notice boards).

    Rows are keyed by reach or zone code (河流编码 for city chiefs; unit and post for total
    chiefs): 河长更换 (who replaced whom), 职务变更 (the same person, another post: the
    board shows the post), 新增 / 撤销 (a reach or zone that appeared or disappeared),
    空缺 (a post that fell vacant) and 补缺 (a vacancy filled).

    Parameters
    ----------
    current : dict of DataFrame
        Tables as :func:`directory_tables` returns them.
    previous : path or dict of DataFrame
        An XLSX directory written by hzgeo, or its tables.
    """
    if not isinstance(previous, Mapping):
        previous = read_directory(previous, sheets=[*_KEYED, SHEETS["total"]])
    rows = []
    keyed = dict(_KEYED)
    for sheet, (key, name, chief, post) in keyed.items():
        if sheet not in current:
            continue
        new = current[sheet]
        old = previous.get(sheet)
        if old is None:
            continue
        rows.append(_compare(sheet, new, old, new[key].astype(str), old[key].astype(str),
                             name, chief, post))
    sheet = SHEETS["total"]
    if sheet in current and sheet in previous:
        new, old = current[sheet], previous[sheet]
        new = new.assign(名称=new["行政区"] + new["职责"])
        old = old.assign(名称=old["行政区"] + old["职责"])
        rows.append(_compare(sheet, new, old, _total_key(new), _total_key(old), "名称",
                             "河长", "职务"))
    columns = ["scope", "change", "item_code", "item_name", "admin_name", "old_chief",
               "old_post", "new_chief", "new_post"]
    rows = [r for r in rows if len(r)]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(rows, ignore_index=True)[columns]


def _compare(sheet, new, old, new_key, old_key, name, chief, post) -> pd.DataFrame:
    a = pd.DataFrame({"item_code": old_key.to_numpy(), "old_name": old[name].astype(str).values,
                      "old_admin": old["行政区"].astype(str).values if "行政区" in old else "",
                      "old_chief": old[chief].fillna("").astype(str).values,
                      "old_post": old[post].fillna("").astype(str).values})
    b = pd.DataFrame({"item_code": new_key.to_numpy(), "new_name": new[name].astype(str).values,
                      "new_admin": new["行政区"].astype(str).values if "行政区" in new else "",
                      "new_chief": new[chief].fillna("").astype(str).values,
                      "new_post": new[post].fillna("").astype(str).values})
    both = a.merge(b, on="item_code", how="outer", indicator=True)
    both = both.fillna("")
    change = np.select(
        [both["_merge"] == "right_only", both["_merge"] == "left_only",
         (both["old_chief"] != both["new_chief"]) & (both["new_chief"] == VACANT),
         (both["old_chief"] != both["new_chief"]) & (both["old_chief"] == VACANT),
         both["old_chief"] != both["new_chief"], both["old_post"] != both["new_post"]],
        ["新增", "撤销", "空缺", "补缺", "河长更换", "职务变更"], default="")
    both["change"] = change
    both = both[both["change"] != ""]
    return pd.DataFrame({
        "scope": sheet, "change": both["change"], "item_code": both["item_code"],
        "item_name": both["new_name"].where(both["new_name"] != "", both["old_name"]),
        "admin_name": both["new_admin"].where(both["new_admin"] != "", both["old_admin"]),
        "old_chief": both["old_chief"], "old_post": both["old_post"],
        "new_chief": both["new_chief"], "new_post": both["new_post"]})


def read_directory(path: str | os.PathLike, sheets=None) -> dict[str, pd.DataFrame]:
    """Read back a directory XLSX written by hzgeo: sheet name -> table, all text.

    ``sheets``: the sheet names to read (default all; absent ones are skipped).

    Raises
    ------
    InputError
        If the file is missing or is not a directory written by hzgeo.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path,
                         hint="give the directory (XLSX) written earlier by hzgeo roster")
    if path.suffix.lower() != ".xlsx":
        raise InputError("the previous directory must be an XLSX written by hzgeo",
                         file=path, hint="give the .xlsx that hzgeo roster wrote")
    wanted = [SHEETS[k] for k in ("county", "township", "village")]
    try:
        with pd.ExcelFile(path) as book:
            present = book.sheet_names
            if not all(s in present for s in wanted):
                raise InputError(f"not a directory written by hzgeo: sheets {wanted} missing",
                                 file=path, hint="give the .xlsx that hzgeo roster wrote")
            names = [s for s in present if sheets is None or s in sheets]
            sheets = pd.read_excel(book, sheet_name=names, header=1, dtype=str)
    except InputError:
        raise
    except Exception as err:  # not a workbook at all
        raise InputError(f"cannot read it as a workbook ({err})", file=path,
                         hint="give the .xlsx that hzgeo roster wrote") from None
    out = {}
    for sheet, frame in sheets.items():
        blank = frame.isna().all(axis=1).to_numpy()
        end = int(np.argmax(blank)) if blank.any() else len(frame)  # footnotes follow a gap
        if end == 1 and frame.iloc[0, 0] == "（无）" and frame.iloc[0, 1:].isna().all():
            end = 0  # a table without rows, printed as （无）
        out[sheet] = frame.iloc[:end].fillna("").reset_index(drop=True)
    return out


