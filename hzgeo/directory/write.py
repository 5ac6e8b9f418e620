"""Write the directory by suffix: XLSX (to print), GPKG (for GIS), CSV (for programs)."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.directory._common import SHEETS, scope_name
from hzgeo.directory.tables import directory_tables
from hzgeo.directory.xlsx import write_xlsx
from hzgeo.errors import InputError
from hzgeo.labels import HEADERS
from hzgeo.model import Chiefs
from hzgeo.select import limited_to

__all__ = ["DEFAULT_SOURCES", "write_directory"]

DEFAULT_SOURCES = ("行政区划与水系：hzgeo 输入数据；河段由 hzgeo 按行政区划自动分段"
                   "（长度为椭球面测地长度）；河长：任职表。")
#: The provenance columns every directory CSV ends with (the same value on every row).
VERSION_COLUMN, DATE_COLUMN = HEADERS["hzgeo_version"], HEADERS["data_date"]


def _issuer(chiefs) -> str:
    """发布单位 and 监督电话 from the rules, where the chiefs carry them."""
    offices = chiefs.rules.data.get("offices", {})
    words = []
    if offices.get("issuing_office"):
        words.append(f"发布单位：{offices['issuing_office']}")
    if offices.get("supervision_phone"):
        words.append(f"监督电话：{offices['supervision_phone']}")
    return "；".join(words)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    for column in out.columns:
        if "公里" in str(column) and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(2)
    return out


def _whole_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The 汇总's counts as integers: its float columns other than lengths (公里) hold
    whole numbers, float only for the blanks of the rows a count does not apply to; as
    nullable integers the CSV reads "20", not "20.0", and the GPKG's fields are integer
    fields (the XLSX writes them as numbers)."""
    out = frame.copy()
    for column in out.columns:
        if "公里" not in str(column) and pd.api.types.is_float_dtype(out[column]):
            values = out[column].dropna()
            if (values == values.round()).all():
                out[column] = out[column].round().astype("Int64")
    return out


def _stamped(frame: pd.DataFrame, version: str, data_date: str) -> pd.DataFrame:
    """``frame`` plus the columns 生成版本 and 数据日期 (read as data by Excel and pandas);
    a table without rows gets one row reading （无） (none), so that it says them too."""
    frame = _plain(frame)
    if frame.empty and len(frame.columns):
        frame = pd.DataFrame({column: ["（无）" if i == 0 else None]
                              for i, column in enumerate(frame.columns)})
    return frame.assign(**{VERSION_COLUMN: f"hzgeo {version}", DATE_COLUMN: data_date})


def _write_gpkg(tables: dict, path: Path, outputs: AtomicOutputs, about: pd.DataFrame) -> None:
    from hzgeo.output import write_layers

    layers = {}
    for sheet, frame in tables.items():
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.notna().any():
            geo = gpd.GeoDataFrame(_plain(frame), geometry=frame.geometry.values,
                                   crs=frame.crs)
            layers[sheet] = geo
        else:
            layers[sheet] = _plain(_whole_counts(frame) if sheet == SHEETS["summary"]
                                   else frame)
    layers["关于"] = about
    write_layers(layers, path, outputs=outputs)


def write_directory(chiefs: Chiefs, path: str | os.PathLike, *, previous=None,
                    title: str | None = None, data_date: str | None = None,
                    sources: str | None = None, boundaries=None, waters=None,
                    outputs: AtomicOutputs | None = None) -> dict[str, Path]:
    """Write the directory to ``path`` by its suffix (.xlsx, .gpkg or .csv), all or nothing.

    Every file says the hzgeo version and the data date: the XLSX in every sheet's
    footnote, page header and footer and in its document properties; each CSV in its
    last two columns, 生成版本 and 数据日期 (the same on every row, so Excel and
    ``pandas.read_csv`` read the file as it is; a table without rows has one row reading
    （无）); the GPKG in a table 关于.

    Parameters
    ----------
    chiefs : hzgeo.Chiefs
        The assignment (:func:`hzgeo.assign_chiefs`).
    path : path
        ``.xlsx`` (one sheet per table, the reach sheets with the columns a printed
        roster needs), ``.gpkg`` (one layer per table, reaches and zones with geometry)
        or ``.csv`` (one ``<stem>.<sheet>.csv`` per table, UTF-8 with BOM).
    previous : path or dict of DataFrame, optional
        A directory XLSX written earlier by hzgeo: adds the sheet 变更 and writes
        ``<stem>.changes.csv`` beside ``path``.
    title : str, optional
        Title of every sheet; default ``<city>河长制分级分段名录``, and for boundaries
        limited to one county (a ``--county`` run) ``<city><county>河长制分级分段名录``.
    data_date : str, optional
        Date of the data, shown in every sheet's title; default today.
    sources : str, optional
        Data sources, in every sheet's footnote.
    boundaries : hzgeo.Boundaries, optional
        The units: the bank (左岸/右岸) each 界河 row holds; limited to one county, they
        make the county the directory's scope (titles, 汇总).
    waters : hzgeo.Waters, optional
        The waters: what each river flows into, in 河湖名录.
    outputs : AtomicOutputs, optional
        Join this set of outputs (all moved into place together).

    Returns
    -------
    dict of str -> Path
        The files written, by table (``"directory"`` for a single file, ``"changes"``).
    """
    from hzgeo._version import __version__

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".gpkg", ".csv"):
        raise InputError(f"unknown directory format {path.suffix!r}", file=path,
                         hint="write .xlsx (for people), .gpkg (for GIS) or .csv")
    if outputs is None:
        with atomic_outputs() as own:
            return write_directory(chiefs, path, previous=previous, title=title,
                                   data_date=data_date, sources=sources,
                                   boundaries=boundaries, waters=waters, outputs=own)
    tables = directory_tables(chiefs, previous=previous, boundaries=boundaries,
                              waters=waters)
    if title is None:
        total = chiefs.total_chiefs
        city = total.loc[total["level"] == "city", "admin_name"] if len(total) else pd.Series()
        title = scope_name(str(city.iloc[0]) if len(city) else "",
                           limited_to(boundaries)) + "河长制分级分段名录"
    data_date = data_date or _dt.date.today().isoformat()
    sources = sources or DEFAULT_SOURCES
    issuer = _issuer(chiefs)
    if issuer:
        sources = f"{sources} {issuer}。"
    written: dict[str, Path] = {}
    if suffix == ".xlsx":
        write_xlsx(tables, outputs.path(path), title=title, data_date=data_date,
                   sources=sources, version=__version__)
        written["directory"] = path
    elif suffix == ".gpkg":
        about = pd.DataFrame({VERSION_COLUMN: [f"hzgeo {__version__}"], DATE_COLUMN: [data_date],
                              "数据来源": [sources]})
        _write_gpkg(tables, path, outputs, about)
        written["directory"] = path
    else:
        for sheet, frame in tables.items():
            target = path.with_name(f"{path.stem}.{sheet}.csv")
            if sheet == SHEETS["summary"]:
                frame = _whole_counts(frame)
            _stamped(frame, __version__, data_date).to_csv(
                outputs.path(target), index=False, encoding="utf-8-sig")
            written[sheet] = target
    if previous is not None:
        target = path.with_name(f"{path.stem}.changes.csv")
        _stamped(tables[SHEETS["changes"]], __version__, data_date).to_csv(
            outputs.path(target), index=False, encoding="utf-8-sig")
        written["changes"] = target
    return written
