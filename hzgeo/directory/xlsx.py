"""The directory as a workbook an office prints: one sheet per table, legible on paper.

Every sheet: a title row with the data date, the header row frozen and repeated on every
printed page, codes stored as text, lengths in km with two decimals, 是/否 for flags,
widths that fit the text, fit to the page width (A4, or A3 landscape where a table is
wide) with the body at 8 pt or more on paper, page numbers in the footer, and footnotes
with the data sources, the hzgeo version and the data date.

The reach sheets print the columns a roster needs (:data:`PRINTED`); the rest (统计用名称,
起止里程, 上级河段编码, 河流编码, 对岸河长, ...) are in the CSV and GPKG directory.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from hzgeo.directory._common import SHEETS
from hzgeo.labels import HEADERS

__all__ = ["PRINTED", "print_font_size"]

#: Columns of the printed reach sheets (English names), in order.
PRINTED = {
    "county": ["reach_code", "river_name", "reach_name", "admin_name", "admin_code",
               "start_end", "length_km", "bank", "chief_name", "chief_post", "chief_phone",
               "synthetic"],
    "township": ["reach_code", "river_name", "reach_name", "county_name", "admin_name",
                 "admin_code", "start_end", "length_km", "bank", "chief_name", "chief_post",
                 "chief_phone", "synthetic"],
    "village": ["reach_code", "river_name", "reach_name", "county_name", "township_name",
                "admin_name", "admin_code", "start_end", "length_km", "bank", "chief_name",
                "chief_post", "chief_phone", "synthetic"],
}
#: Header of the printed 界河 column: the bank held and the unit across (左岸（对岸四村）).
BANK_PRINTED = "界河（本岸，对岸）"

_CODES = ("reach_code", "river_code", "admin_code", "parent_reach_code", "zone_code",
          "water_code", "joint_water_code", "member_codes", "convenor_code", "item_code",
          "chief_phone")
#: Long text wraps at this many half-width characters instead of widening the sheet.
_WRAP_AT = 40
_WRAPPED = {HEADERS[c] for c in ("start_desc", "end_desc", "start_end", "reach_name",
                                 "admin_full_name", "members", "note", "item_name", "what",
                                 "top_chief", "counties")} | {BANK_PRINTED}
#: Font sizes (pt): body and header, title, footnotes.
BODY_PT, TITLE_PT, NOTE_PT = 11, 14, 9
#: Page sizes (mm, portrait) by openpyxl paper code; margins (inches) left and right.
_PAPER_MM = {9: (210.0, 297.0), 8: (297.0, 420.0)}
_SIDE_MARGIN_IN = 0.4
#: Pixels per character of column width (Calibri 11, the body font) and per inch.
_PX_PER_CHAR, _PX_PER_IN = 7, 96


def _display_width(value) -> int:
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_km(header: str) -> bool:
    return "公里" in header


def _is_code(header: str) -> bool:
    return header in {HEADERS[c] for c in _CODES}


def _table_px(widths) -> float:
    """Printed width of columns of these widths, in pixels at 96 dpi."""
    return float(sum(w * _PX_PER_CHAR + 5 for w in widths))


def print_font_size(widths, *, paper: int, landscape: bool, margins_in: float,
                    fit_to_width: bool, scale: int | None = None, font_pt: float = BODY_PT
                    ) -> float:
    """The body font size on paper (pt) of a sheet with these column widths.

    Fit to the page width shrinks the sheet by the whole percent that makes it fit
    (never enlarges); otherwise ``scale`` (percent) applies.

    Examples
    --------
    >>> round(print_font_size([100] * 3, paper=8, landscape=True, margins_in=0.4,
    ...                       fit_to_width=True), 2)
    7.81
    """
    short, long = _PAPER_MM[paper]
    page_px = ((long if landscape else short) / 25.4 - 2 * margins_in) * _PX_PER_IN
    if fit_to_width:
        percent = min(100, math.floor(100 * page_px / max(_table_px(widths), 1.0)))
    else:
        percent = scale or 100
    return font_pt * percent / 100


def _page(widths) -> tuple[int, bool]:
    """A4 portrait where the table fits unshrunk, A4 landscape where it prints at 9 pt or
    more, else A3 landscape."""
    for paper, landscape, least in ((9, False, BODY_PT), (9, True, 9.0)):
        if print_font_size(widths, paper=paper, landscape=landscape,
                           margins_in=_SIDE_MARGIN_IN, fit_to_width=True) >= least:
            return paper, landscape
    return 8, True


def printed(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns of a table the workbook shows (all but on the reach sheets)."""
    if key not in PRINTED:
        return frame
    out = pd.DataFrame(index=frame.index)
    for column in PRINTED[key]:
        header = HEADERS[column]
        if column == "bank":
            shared = frame[HEADERS["boundary"]] == "是"
            bank = frame[HEADERS["bank"]].where(frame[HEADERS["bank"]] != "", "是")
            across = frame[HEADERS["shared_with_name"]]
            out[BANK_PRINTED] = np.where(shared, bank + "（对岸" + across + "）", "")
        elif header in frame.columns:
            out[header] = frame[header]
    return out


def _notes(key: str, sources: str, stamp: str) -> list[str]:
    notes = [f"数据来源：{sources}", stamp,
             "注：示意数据为“是”（灰底）的行含合成（示意）数据，不是真实地理或真实人员；"
             "长度为椭球面测地长度（公里，保留两位小数）。"]
    if key in PRINTED:
        notes.append("界河由两岸各列一行，起止相同；本岸为本行行政区所辖一岸（面向下游，左手为"
                     "左岸）。统计用名称、起止里程、上级河段编码、河流编码、对岸河长等字段见同名"
                     " CSV 与 GPKG 名录。")
    return notes


def write_xlsx(tables: dict, path: Path, *, title: str, data_date: str, sources: str,
               version: str) -> None:
    """Write ``tables`` (sheet name -> table, Chinese headers) to the workbook ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = f"hzgeo {version}"
    book.properties.version = version
    book.properties.title = title
    book.properties.keywords = f"数据日期：{data_date}"
    stamp = f"生成：hzgeo {version}；数据日期：{data_date}"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    synth_fill = PatternFill("solid", fgColor="F2F2F2")
    keys = {name: key for key, name in SHEETS.items()}
    for sheet, frame in tables.items():
        key = keys.get(sheet, "")
        frame = printed(key, pd.DataFrame(frame).drop(columns="geometry", errors="ignore"))
        ws = book.create_sheet(sheet)
        headers = [str(c) for c in frame.columns]
        ncol = max(len(headers), 1)
        heading = f"{title}·{sheet}（数据日期：{data_date}）"
        ws.cell(row=1, column=1, value=heading).font = Font(bold=True, size=TITLE_PT)
        if ncol > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        for j, header in enumerate(headers, start=1):
            cell = ws.cell(row=2, column=j, value=header)
            cell.font = Font(bold=True)
            cell.fill = head_fill
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        columns = []  # cell values column by column: None for missing, codes as text
        for header in headers:
            column = frame[header] if not isinstance(frame[header], pd.DataFrame) else \
                frame[header].iloc[:, 0]
            values = [None if (isinstance(v, float) and np.isnan(v)) or v is None or v == ""
                      else (v.item() if isinstance(v, np.generic) else v)
                      for v in column.tolist()]
            if _is_code(header):
                values = [None if v is None else str(v) for v in values]
            columns.append(values)
        widths = []
        for header, values in zip(headers, columns, strict=True):
            shown = {f"{v:.2f}" if _is_km(header) and isinstance(v, float) else str(v)
                     for v in values if v is not None}
            # headers wrap onto two lines; long 起止 and names wrap at _WRAP_AT
            longest = max([0, *map(_display_width, shown)])
            head = _display_width(header)
            widths.append(min(max(head if head <= 12 else -(-head // 2) + 4,
                                  min(longest, _WRAP_AT if header in _WRAPPED else longest),
                                  4) + 2, 62))
        # the title fits its merged cells on one line
        need = math.ceil(_display_width(heading) * TITLE_PT / BODY_PT) + 2
        if sum(widths) < need:
            extra = need - sum(widths)
            widths = [w + extra // len(widths) + (1 if j < extra % len(widths) else 0)
                      for j, w in enumerate(widths)]
        n = len(frame)
        for record in zip(*columns, strict=True):
            ws.append(record)
        if not n:  # a table without rows (no vacant post) says so on paper
            ws.cell(row=3, column=1, value="（无）").alignment = Alignment(horizontal="center")
            if ncol > 1:
                ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=ncol)
        wrap = Alignment(wrap_text=True, vertical="center")
        middle = Alignment(vertical="center")
        lines = np.ones(n, dtype=int)
        for j, header in enumerate(headers, start=1):
            for (cell,) in ws.iter_rows(min_row=3, max_row=n + 2, min_col=j, max_col=j):
                cell.alignment = wrap if header in _WRAPPED else middle
            if header in _WRAPPED:
                need_lines = [-(-_display_width(v) // max(widths[j - 1] - 1, 1)) if v else 1
                              for v in columns[j - 1]]
                lines = np.maximum(lines, need_lines) if n else lines
        for i in np.flatnonzero(lines > 1).tolist():  # spreadsheets do not grow rows on load
            ws.row_dimensions[i + 3].height = 15 * int(lines[i])
        for j, header in enumerate(headers, start=1):
            fmt = "0.00" if _is_km(header) else "@" if _is_code(header) else None
            if fmt is None and header != HEADERS["synthetic"]:
                continue
            for (cell,) in ws.iter_rows(min_row=3, max_row=n + 2, min_col=j, max_col=j):
                if fmt is not None:
                    cell.number_format = fmt
                elif cell.value == "是":  # synthetic (示意) rows: the flag cell shaded
                    cell.fill = synth_fill
        last = max(n, 1) + 2  # (the （无） line of a table without rows)
        notes = _notes(key, sources, stamp)
        span = sum(widths)
        for k, note in enumerate(notes):
            row = last + 2 + k
            cell = ws.cell(row=row, column=1, value=note)
            cell.font = Font(italic=True, size=NOTE_PT)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if ncol > 1:  # the note wraps within the table's width, not beyond the page
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
            ws.row_dimensions[row].height = 13 * max(1, -(-_display_width(note) * NOTE_PT
                                                         // BODY_PT // max(span - 2, 1)))
        ws.print_area = f"A1:{get_column_letter(ncol)}{last + 1 + len(notes)}"
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = width
        paper, landscape = _page(widths)
        ws.row_dimensions[1].height = 24
        ws.row_dimensions[2].height = 30
        ws.freeze_panes = "A3"
        ws.print_title_rows = "1:2"
        ws.page_setup.paperSize = paper
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_margins.left = ws.page_margins.right = _SIDE_MARGIN_IN
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.print_options.gridLines = True  # cell borders on paper, without a style per cell
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.left.text = sheet
        ws.oddFooter.right.text = f"hzgeo {version}"
        ws.oddHeader.right.text = f"数据日期：{data_date}"
        if n:
            ws.auto_filter.ref = f"A2:{get_column_letter(ncol)}{last}"
    book.save(path)
