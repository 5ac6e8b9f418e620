"""The graded, segmented directory (分级分段名录) as a river chief office publishes it.

:func:`directory_tables` turns a :class:`hzgeo.Chiefs` into one table per sheet, with the
Chinese headers of :data:`HEADERS` (from :mod:`hzgeo.labels`); :func:`write_directory`
writes them by suffix:

- ``.xlsx``: one sheet per table, printable (:mod:`hzgeo.directory.xlsx`): a title row
  with the data date, the header row frozen and repeated on every printed page, codes
  as text, lengths in km with two decimals, 是/否 for flags, fit to the page width at
  8 pt or more, footnotes with the sources, the hzgeo version and the data date. The
  reach sheets show the columns a printed roster needs;
- ``.gpkg``: every table with every column, reaches and zones with their geometry
  (opens in QGIS), and a table 关于 (version, data date, sources);
- ``.csv``: one ``<stem>.<sheet>.csv`` per table, every column, UTF-8 with BOM, ending
  with the columns 生成版本 and 数据日期. Spreadsheets turn long digit strings (12-digit
  village codes) into numbers whatever the quoting: open the XLSX in Excel, use the CSVs
  for programs.

The sheets: 汇总 (counts per county and level, rivers 条 and lakes 座), 河湖名录 (one row
per river, lake and reservoir: :func:`~hzgeo.directory.rivers.river_list`), the reaches
of each level with 起止 as offices write them and the bank (左岸/右岸) of each 界河 row
(:mod:`hzgeo.directory.rivers`), lake zones, total chiefs, city chiefs, joint meetings,
the chiefs' duties person by person, vacancies and chief offices.

With ``previous`` (a directory written earlier by hzgeo) a sheet 变更 and a file
``<stem>.changes.csv`` list what changed, keyed by reach and zone code
(:func:`roster_changes`). Every file is written through :mod:`hzgeo.atomic`: all or
nothing.
"""

from __future__ import annotations

from hzgeo.directory._common import SHEETS
from hzgeo.directory.changes import read_directory, roster_changes
from hzgeo.directory.rivers import bank_side, reach_spans, river_list
from hzgeo.directory.tables import directory_tables
from hzgeo.directory.write import DEFAULT_SOURCES, write_directory
from hzgeo.labels import HEADERS

__all__ = ["DEFAULT_SOURCES", "HEADERS", "SHEETS", "bank_side", "directory_tables",
           "reach_spans", "read_directory", "river_list", "roster_changes", "write_directory"]
