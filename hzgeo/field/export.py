"""Write the field outputs: GeoPackage, XLSX, CSV, GeoJSON and KML, all or nothing.

Every file says the hzgeo version and the data date: the GeoPackage in an ``about``
table, the workbook on a 说明 sheet and in every sheet's header, each CSV in two last
columns (数据日期, hzgeo版本), the KML in its document's description.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import pyogrio

from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import HzgeoError, InputError
from hzgeo.field._common import CODE_COLUMNS, FIELD_HEADERS, labelled, table

__all__ = ["LAYER_NAMES", "Boards", "write_boards", "write_field"]

#: Layer names of the field outputs (GeoPackage layers, CSV and KML names).
LAYER_NAMES = {"sections": "cross_sections", "confluences": "confluences",
               "boards": "notice_boards", "short": "short_reaches"}
#: Sheet and KML folder names.
SHEETS = {"sections": "跨界断面", "confluences": "主要交汇处", "boards": "公示牌",
          "short": "短河段（无单独公示牌）"}
_SUFFIXES = (".gpkg", ".xlsx", ".csv", ".geojson", ".kml")
_TITLE = "hzgeo 跨界断面、主要交汇处、公示牌"


def _version() -> str:
    from hzgeo._version import __version__

    return __version__


def _write_xlsx(tables: dict[str, pd.DataFrame], path: Path, about: dict) -> None:
    import openpyxl
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    codes = {FIELD_HEADERS[k] for k in CODE_COLUMNS}
    stamp = f"hzgeo {about['hzgeo版本']}　数据日期：{about['数据日期']}"
    for sheet, frame in tables.items():
        ws = book.create_sheet(sheet[:31])
        ws.append(list(frame.columns))
        for record in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and math.isnan(v)) else v
                       for v in record])
        for i, column in enumerate(frame.columns, start=1):
            letter = get_column_letter(i)
            if column in codes:
                for cell in ws[letter][1:]:
                    cell.number_format = "@"
            width = max([len(str(column))] + [len(str(v)) for v in frame.iloc[:50, i - 1]])
            ws.column_dimensions[letter].width = min(60, 4 + 1.6 * width)
        ws.freeze_panes = "A2"
        ws.oddHeader.center.text = f"{_TITLE}·{sheet}"
        ws.oddFooter.left.text = stamp
        ws.oddFooter.right.text = "第 &P 页，共 &N 页"
    ws = book.create_sheet("说明")
    for key, value in about.items():
        ws.append([key, value])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 80
    book.save(path)


def _kml_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Placemarks: Name (code and name), Description (every field as 表头：值, escaped
    for the HTML that viewers render it as), then the fields under Chinese headers."""
    code = next(c for c in ("section_code", "confluence_code", "board_code", "reach_code")
                if c in frame.columns)
    label = next((c for c in ("section_name", "water_name", "river_name", "reach_name")
                  if c in frame.columns), code)
    columns = [c for c in frame.columns if c not in ("geometry", "xy_crs")]
    records = frame.drop(columns="geometry").to_dict("records")
    names = [f"{r[code]} {r.get(label) or ''}".strip() for r in records]
    descriptions = ["\n".join(html.escape(f"{h}：{v}", quote=False)
                              for h, v in labelled(r, columns)) for r in records]
    fields = table(frame[columns])
    out = gpd.GeoDataFrame({"Name": names, "Description": descriptions},
                           geometry=frame.to_crs("EPSG:4326").geometry.values, crs="EPSG:4326")
    return pd.concat([out, fields.set_index(out.index)], axis=1).pipe(
        gpd.GeoDataFrame, geometry="geometry", crs="EPSG:4326")


def _write_kml(frames: dict[str, gpd.GeoDataFrame], path: Path, about: dict) -> None:
    """KML through GDAL's LIBKML driver: one Folder per layer (Chinese name), placemark
    names and descriptions in Chinese, the fields as ExtendedData; the document's
    description gives the hzgeo version and the data date.

    (GDAL's plain KML driver cannot add a second layer to a file it wrote; LIBKML can,
    and its FOLDER and NAME layer options give the same folders the hand-written KML of
    earlier versions had, with ASCII ids.)"""
    if "LIBKML" not in pyogrio.list_drivers(write=True):
        raise HzgeoError("cannot write KML: the GDAL that pyogrio uses has no LIBKML driver",
                         file=path, hint="install pyogrio's wheels (pip install "
                                         "'pyogrio>=0.12'), or write .gpkg or .geojson")
    first = True
    for key, frame in frames.items():
        options = {"FOLDER": "YES", "NAME": SHEETS[key]}
        dataset = ({"NAME": _TITLE, "DESCRIPTION": "；".join(f"{k}：{v}" for k, v in
                                                            about.items() if v)}
                   if first else None)
        pyogrio.write_dataframe(_kml_frame(frame), path, layer=LAYER_NAMES[key],
                                driver="LIBKML", append=not first, layer_options=options,
                                dataset_options=dataset)
        first = False


def write_field(sections, confluences, boards, folder_or_path, *, short=None,
                data_date: str | None = None, sources: str | None = None,
                outputs: AtomicOutputs | None = None) -> dict[str, Path]:
    """Write the field outputs, all or nothing (:mod:`hzgeo.atomic`).

    Parameters
    ----------
    sections, confluences, boards : GeoDataFrame or None
        From :func:`cross_sections`, :func:`confluences`, :func:`notice_boards`; None
        leaves one out.
    folder_or_path : path
        A file by suffix: ``.gpkg`` (one layer each, names as :data:`LAYER_NAMES`, and an
        ``about`` table), ``.xlsx`` (a sheet each, Chinese headers, codes as text, a 说明
        sheet), ``.csv`` / ``.geojson`` (one ``<stem>.<layer>.<suffix>`` each; a single
        frame writes ``path`` itself), ``.kml`` (a folder each, for field apps). A folder
        (no suffix) gets ``field.gpkg``, ``field.xlsx``, ``field.kml`` and the CSVs.
    short : GeoDataFrame, optional
        From :func:`short_reaches`: the reaches without a board of their own.
    data_date : str, optional
        The date of the data, on every file. Default today.
    sources : str, optional
        Where the data comes from (the 说明 sheet, the ``about`` table, the KML).
    outputs : AtomicOutputs, optional
        Join a larger all-or-nothing write (the main job's).

    Returns
    -------
    dict
        The files written, by kind.
    """
    target = Path(folder_or_path)
    frames = {k: v for k, v in (("sections", sections), ("confluences", confluences),
                                ("boards", boards), ("short", short)) if v is not None}
    if not frames:
        raise ValueError("nothing to write: sections, confluences and boards are all None")
    suffix = target.suffix.lower()
    if suffix and suffix not in _SUFFIXES:
        raise InputError(f"unknown output format {suffix!r}", file=target,
                         hint=f"give one of {', '.join(_SUFFIXES)} or a folder")
    if outputs is None:
        with atomic_outputs() as own:
            return write_field(sections, confluences, boards, target, short=short,
                               data_date=data_date, sources=sources, outputs=own)
    data_date = data_date or _dt.date.today().isoformat()
    about = {"hzgeo版本": _version(), "数据日期": data_date, "数据来源": sources or ""}
    written: dict[str, Path] = {}

    def each(path: Path, ext: str) -> dict[str, Path]:
        if len(frames) == 1 and path.suffix.lower() == ext:
            return {next(iter(frames)): path}
        stem = path.with_suffix("") if path.suffix else path / "field"
        return {k: stem.with_name(f"{stem.name}.{LAYER_NAMES[k]}{ext}") for k in frames}

    if suffix in ("", ".gpkg"):
        from hzgeo.output import write_layers

        path = target if suffix else target / "field.gpkg"
        layers = {LAYER_NAMES[k]: v for k, v in frames.items()}
        layers["about"] = pd.DataFrame({"hzgeo_version": [about["hzgeo版本"]],
                                        "data_date": [data_date],
                                        "sources": [sources or ""]})
        write_layers(layers, path, outputs=outputs)
        written["gpkg"] = path
    if suffix in ("", ".xlsx"):
        path = target if suffix else target / "field.xlsx"
        _write_xlsx({SHEETS[k]: table(v) for k, v in frames.items()}, outputs.path(path),
                    about)
        written["xlsx"] = path
    if suffix in ("", ".csv"):
        for key, path in each(target, ".csv").items():
            out = table(frames[key]).assign(数据日期=data_date, hzgeo版本=about["hzgeo版本"])
            out.to_csv(outputs.path(path), index=False, encoding="utf-8-sig")
            written[f"csv_{key}"] = path
    if suffix == ".geojson":
        for key, path in each(target, ".geojson").items():
            frames[key].assign(data_date=data_date, hzgeo_version=about["hzgeo版本"]).to_crs(
                "EPSG:4326").to_file(outputs.path(path), driver="GeoJSON", engine="pyogrio")
            written[f"geojson_{key}"] = path
    if suffix in ("", ".kml"):
        path = target if suffix else target / "field.kml"
        _write_kml(frames, outputs.path(path), about)
        written["kml"] = path
    return written


class Boards(NamedTuple):
    """What :func:`write_boards` made and wrote."""

    #: From :func:`~hzgeo.field.notice_boards`.
    boards: gpd.GeoDataFrame
    #: From :func:`~hzgeo.field.short_reaches`: reaches without a board of their own.
    short: gpd.GeoDataFrame
    #: The files written, by kind.
    files: dict[str, Path]


def write_boards(chiefs, boundaries, waters, path, *, rules=None,
                 spacing_km: float | None = None, min_reach_m: float | None = None,
                 seats=None, data_date: str | None = None, sources: str | None = None,
                 outputs: AtomicOutputs | None = None) -> Boards:
    """The notice boards, and the reaches too short for a board of their own, written as
    ``hzgeo run`` writes them (``hzgeo boards`` is this call), all or nothing.

    Parameters
    ----------
    chiefs, boundaries, waters, rules, spacing_km, min_reach_m, seats
        As :func:`~hzgeo.field.notice_boards` takes them (``min_reach_m`` also decides
        which reaches :func:`~hzgeo.field.short_reaches` lists).
    path : path
        ``.gpkg``, ``.xlsx`` or ``.kml``: the boards and the short reaches in one file (a
        layer, sheet or folder each). ``.csv`` or ``.geojson``: the boards in ``path``,
        the short reaches in ``<stem>.short_reaches<suffix>`` beside it. ``.pdf``: the
        printable boards (:func:`hzgeo.maps.board.write_boards_pdf`), the short reaches in
        ``<stem>.short_reaches.csv`` beside it.
    data_date : str, optional
        The boards' 落款 date and the date on every file; default today.
    sources : str, optional
        Where the data comes from (on the tables).
    outputs : AtomicOutputs, optional
        Join a larger all-or-nothing write.

    Returns
    -------
    Boards
        The boards, the short reaches and the files written.

    Examples
    --------
    >>> import tempfile, hzgeo
    >>> from hzgeo.inputs import load
    >>> inputs = load(county="港北区")
    >>> chiefs = inputs.assign_chiefs(inputs.segment())
    >>> out = Path(tempfile.mkdtemp()) / "boards.gpkg"
    >>> made = write_boards(chiefs, inputs.boundaries, inputs.waters, out, rules=inputs.rules)
    >>> [str(n) for n in pyogrio.list_layers(out)[:, 0]]
    ['notice_boards', 'short_reaches', 'about']
    """
    from hzgeo.field.boards import notice_boards, short_reaches

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix != ".pdf" and suffix not in _SUFFIXES:
        raise InputError(f"unknown output format {suffix!r}", file=target,
                         hint=f"give one of .pdf, {', '.join(_SUFFIXES)}")
    if outputs is None:
        with atomic_outputs() as own:
            return write_boards(chiefs, boundaries, waters, target, rules=rules,
                                spacing_km=spacing_km, min_reach_m=min_reach_m, seats=seats,
                                data_date=data_date, sources=sources, outputs=own)
    boards = notice_boards(chiefs, boundaries, waters, rules, spacing_km=spacing_km,
                           min_reach_m=min_reach_m, seats=seats, date=data_date)
    if not len(boards):  # before anything is written
        county = boundaries.around is not None and str(boundaries["county"]["code"].iloc[0])
        raise InputError("no board" + (f" in county {county!r}" if county else "") + ": no "
                         "reach or lake zone has a chief the rules ask for",
                         hint="give a county whose reaches have chiefs" if county else
                         "check the office holders and the rules")
    short = short_reaches(chiefs, boards, rules, min_reach_m=min_reach_m)
    files: dict[str, Path] = {}
    beside = target.with_name(f"{target.stem}.{LAYER_NAMES['short']}"
                              f"{'.csv' if suffix == '.pdf' else suffix}")
    if suffix == ".pdf":
        from hzgeo.maps.board import write_boards_pdf

        files["pdf"] = write_boards_pdf(boards, target, chiefs=chiefs, boundaries=boundaries,
                                        waters=waters, data_date=data_date, outputs=outputs)
    if suffix in (".pdf", ".csv", ".geojson"):
        if suffix != ".pdf":
            files |= write_field(None, None, boards, target, data_date=data_date,
                                 sources=sources, outputs=outputs)
        written = write_field(None, None, None, beside, short=short, data_date=data_date,
                              sources=sources, outputs=outputs)
        files |= {f"{kind}_short": where for kind, where in written.items()}
    else:
        files |= write_field(None, None, boards, target, short=short, data_date=data_date,
                             sources=sources, outputs=outputs)
    return Boards(boards, short, files)
