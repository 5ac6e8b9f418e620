"""The bundled sample relabelled as another city (玉林市, codes 4509xx), built in the test.

Geometry is Guigang's (partly synthetic, see data/SOURCES.md); codes and names are
changed so that nothing says 贵港 any more, and the provenance columns (which name the
sample's sources) are left out, as a city's own data would not have them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd

import hzgeo

#: Guigang county -> the Yulin county it becomes (code, name).
COUNTIES = {"450802": ("450902", "玉州区"), "450803": ("450903", "福绵区"),
            "450804": ("450924", "兴业县"), "450821": ("450921", "容县"),
            "450881": ("450981", "北流市")}
CITY = ("450900", "玉林市")


def recode(code: str) -> str:
    """450802001 -> 450902001: the county part of any code moves to its Yulin county."""
    code = str(code)
    if code == "450800":
        return CITY[0]
    if len(code) >= 6 and code[:6] in COUNTIES:
        return COUNTIES[code[:6]][0] + code[6:]
    return code


def rename(name: str) -> str:
    return str(name).replace("贵", "玉").replace("港", "林")


def relabelled_levels(levels=("city", "county", "township", "village")
                      ) -> dict[str, gpd.GeoDataFrame]:
    """The bundled boundaries relabelled, one frame per level (code, name, geometry)."""
    boundaries = hzgeo.datasets.guigang()[0]
    out = {}
    for level in levels:
        frame = boundaries[level][["code", "name", "geometry"]].copy()
        if level == "city":
            frame["name"] = CITY[1]
        elif level == "county":
            frame["name"] = [COUNTIES[c][1] for c in frame["code"]]
        else:
            frame["name"] = frame["name"].map(rename)
        frame["code"] = frame["code"].map(recode)
        out[level] = frame
    return out


def write_other_city(folder: Path, levels=("city", "county", "township", "village")
                     ) -> tuple[Path, Path]:
    """Write ``yulin_boundaries.gpkg`` (a layer per level) and ``yulin_waters.gpkg``."""
    folder.mkdir(parents=True, exist_ok=True)
    bnd, wat = folder / "yulin_boundaries.gpkg", folder / "yulin_waters.gpkg"
    waters = hzgeo.datasets.guigang()[1]
    rivers = waters.rivers[["river_code", "name", "main", "main_river", "flows_into",
                            "accuracy_m", "geometry"]]
    lakes = waters.lakes[["code", "name", "kind", "scale", "commander_county",
                          "geometry"]].copy()
    lakes["commander_county"] = lakes["commander_county"].map(recode)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for level, frame in relabelled_levels(levels).items():
            frame.to_file(bnd, layer=level, engine="pyogrio")
        rivers.to_file(wat, layer="rivers", engine="pyogrio")
        lakes.to_file(wat, layer="lakes", engine="pyogrio")
    return bnd, wat


def write_other_officials(folder: Path) -> Path:
    """The bundled (fictional) office holders, moved to the relabelled units."""
    import pandas as pd

    from hzgeo.datasets import guigang_officials

    table = pd.read_csv(guigang_officials(), dtype=str, encoding="utf-8-sig").fillna("")
    names = dict(zip(*(lambda f: (f["code"], f["name"]))(
        pd.concat(relabelled_levels().values())), strict=True))
    table["行政区划代码"] = table["行政区划代码"].map(recode)
    table["单位名称"] = table["行政区划代码"].map(names).fillna(table["单位名称"].map(rename))
    # 覃塘区 became 兴业县: its posts are 县委书记, 县长 ... (a county's, not a district's)
    county = table["行政区划代码"] == "450924"
    table.loc[county, "职务"] = table.loc[county, "职务"].str.replace("区", "县")
    path = folder / "yulin_officials.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def texts_of(path: Path) -> str:
    """Every text a file holds, as far as a reader can get at it: text files decoded (and
    their JSON escapes too), XLSX/KMZ members, PDF text, GeoPackage (SQLite) bytes."""
    import re
    import zipfile

    raw = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pypdf

        return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(path).pages)
    if suffix in (".xlsx", ".kmz", ".zip"):
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    if suffix == ".png":
        return raw.decode("latin-1")  # (text chunks only; the picture is drawn text)
    text = raw.decode("utf-8", "replace")  # GeoPackage text is UTF-8 inside SQLite pages
    # "\\u8d35\\u6e2f" in JSON and HTML-embedded JSON read as the characters
    escaped = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text + "\n" + escaped
