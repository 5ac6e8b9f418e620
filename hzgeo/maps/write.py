"""Maps written to files, atomically: one map (:func:`write_map`) or the whole set that
``hzgeo run`` publishes (:func:`write_maps`)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd

from hzgeo._version import __version__
from hzgeo.atomic import AtomicOutputs, atomic_outputs
from hzgeo.errors import InputError
from hzgeo.maps._content import river_groups
from hzgeo.maps.html import explore, join_layer_control
from hzgeo.maps.sheet import chief_pages, plot_sheet
from hzgeo.model import AuditReport, Boundaries, Chiefs, Segmentation

__all__ = ["write_map", "write_maps"]

#: Resolution of PNG sheets; PDF sheets are vector.
DPI = 200
SUFFIXES = (".html", ".png", ".pdf")


def _save_sheet(fig, target: Path, dpi: int, pages=(), data_date: str | None = None) -> None:
    """A sheet as PNG (the sheet) or PDF (the sheet, then its annex ``pages``).

    The file's own metadata also says the hzgeo version and the data date (a PNG's text
    chunks, a PDF's document information), for readers that do not look at the picture.
    """
    made, dated = f"hzgeo {__version__}", f"数据日期 {data_date}" if data_date else ""
    if target.suffix.lower() != ".pdf":
        meta = {"Software": made} | ({"Description": dated} if dated else {})
        fig.savefig(target, dpi=dpi, format=target.suffix[1:].lower(), metadata=meta)
        return
    from matplotlib.backends.backend_pdf import PdfPages

    info = {"Creator": made} | ({"Subject": dated} if dated else {})
    with PdfPages(target, metadata=info) as pdf:
        for page in (fig, *pages):
            pdf.savefig(page)


def _annex(result, boundaries, chiefs, river, paper, data_date, targets) -> list:
    """The chiefs' pages of a river sheet, when one of ``targets`` is a PDF."""
    if river is None or chiefs is None or not any(
            Path(t).suffix.lower() == ".pdf" for t in targets):
        return []
    return chief_pages(result, boundaries, chiefs=chiefs, river=river, paper=paper,
                       data_date=data_date)


def write_map(result: Segmentation | Chiefs, boundaries: Boundaries, path, *,
              chiefs: Chiefs | None = None,
              audit: AuditReport | gpd.GeoDataFrame | None = None, county=None, river=None,
              paper="A4", orientation=None, hide_phones=False, tiles=None, tiles_key=None,
              field: dict | None = None, data_date: str | None = None,
              outputs: AtomicOutputs | None = None, dpi: int = DPI) -> Path:
    """Write one map: ``.html`` (:func:`explore`) or ``.png``/``.pdf`` (:func:`plot_sheet`).

    ``field`` (``{"sections": ..., "confluences": ..., "boards": ...}`` from
    :mod:`hzgeo.field`) adds those points to the HTML map as layers of their own (on a
    county map, the points inside the county), and the sections and confluences to
    county and river sheets. ``data_date`` is printed on the map with the hzgeo version.

    Written atomically: to ``outputs`` when given (moved into place with the rest of its
    set), else on its own.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"cannot write a map as {target.name!r}",
                         hint="name the output .html (interactive), .png or .pdf (print)")
    if suffix == ".html":
        if river is not None:
            raise InputError("river sheets are print maps", hint="write them as .png or .pdf; "
                             "the HTML map has every river, searchable by name")
        page = explore(result, boundaries, chiefs=chiefs, audit=audit, county=county,
                       hide_phones=hide_phones, tiles=tiles, tiles_key=tiles_key,
                       data_date=data_date)
        if field:
            from hzgeo.field import add_field_layers

            groups = add_field_layers(page, **_field_inside(field, boundaries, county),
                                      control=False)
            join_layer_control(page, list(groups.values()))  # one layer control
        text = page.get_root().render()
        if outputs is None:
            with atomic_outputs() as out:
                out.path(target).write_text(text, encoding="utf-8")
        else:
            outputs.path(target).write_text(text, encoding="utf-8")
        return target
    fig = plot_sheet(result, boundaries, chiefs=chiefs, county=county, river=river,
                     paper=paper, orientation=orientation, field=field,
                     data_date=data_date)
    pages = _annex(result, boundaries, chiefs, river, paper, data_date, [target])
    if outputs is None:
        with atomic_outputs() as out:
            _save_sheet(fig, out.path(target), dpi, pages, data_date)
    else:
        _save_sheet(fig, outputs.path(target), dpi, pages, data_date)
    return target


def _field_inside(field: dict, boundaries, county) -> dict:
    """The field points inside ``county`` (all of them when None)."""
    if county is None:
        return dict(field)
    from hzgeo.select import county_code

    counties = boundaries["county"]
    outline = counties.loc[counties["code"] == county_code(boundaries, county), "geometry"]
    inside: dict = {}
    for key, frame in field.items():
        if frame is None:
            inside[key] = None
            continue
        area = outline.to_crs(frame.crs).union_all()
        inside[key] = frame[frame.geometry.intersects(area.buffer(1e-6))]
    return inside


@dataclass(frozen=True, eq=False)
class _SheetData:
    """What every sheet of one :func:`write_maps` call draws from."""

    result: Segmentation | Chiefs
    boundaries: Boundaries
    chiefs: Chiefs | None
    field: dict | None
    data_date: str | None


def _render(data: _SheetData, kwargs: dict, temps: list[str], dpi: int) -> None:
    """Draw one sheet and save it as each of ``temps`` (PNG and/or PDF)."""
    fig = plot_sheet(data.result, data.boundaries, chiefs=data.chiefs, field=data.field,
                     data_date=data.data_date, **kwargs)
    pages = _annex(data.result, data.boundaries, data.chiefs, kwargs.get("river"),
                   kwargs.get("paper", "A4"), data.data_date, temps)
    for temp in temps:
        _save_sheet(fig, Path(temp), dpi, pages, data.data_date)


# In a sheet worker process only: the data its pool was started with (inherited through
# fork, not pickled), set once by _start_worker.
_worker_data: _SheetData | None = None


def _start_worker(data: _SheetData) -> None:
    global _worker_data
    _worker_data = data


def _worker_render(kwargs: dict, temps: list[str], dpi: int) -> None:
    assert _worker_data is not None, "a sheet worker starts with _start_worker"
    _render(_worker_data, kwargs, temps, dpi)


def _sheet_pool(data: _SheetData, workers: int) -> ProcessPoolExecutor | None:
    """Worker processes forked with ``data``, or None: render in turn.

    fork shares the data without pickling; a process with other threads must not fork
    (they would be copied mid-flight), and Windows has no fork: there sheets render in
    turn.
    """
    if (workers < 2 or "fork" not in multiprocessing.get_all_start_methods()
            or threading.active_count() > 1):
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(data,))


def _longest_first(name: str) -> int:
    """Sheets the longest to draw first (the city, then rivers with their annex pages),
    so that two workers finish together."""
    return 0 if name == "city" else 2 if name[:1].isdigit() else 1


def write_maps(result: Segmentation | Chiefs, boundaries: Boundaries, folder, *,
               outputs: AtomicOutputs, chiefs: Chiefs | None = None,
               audit: AuditReport | gpd.GeoDataFrame | None = None,
               hide_phones=False, paper="A4", formats=("png", "pdf"), workers: int | None = None,
               field: dict | None = None, data_date: str | None = None,
               dpi: int = DPI) -> dict[str, list[Path]]:
    """Write the published set of maps into ``folder``, through ``outputs``.

    - ``map_city.html`` and ``map_<county code>.html``: the interactive maps;
    - ``sheet_city``, ``sheet_<county code>``, ``sheet_<river code>`` (first code of a main
      river, e.g. ``sheet_R01`` for 西江干流) in each of ``formats``: the print sheets
      (a PDF river sheet is followed by the pages listing every chief of the river,
      :func:`~hzgeo.maps.sheet.chief_pages`).

    Sheets are independent and render in ``workers`` processes (default: up to 2) while
    this process writes the HTML maps; with ``formats=()`` only the HTML maps are
    written. ``field`` puts the field sites on the maps and on the county and river
    sheets; ``data_date`` is printed on every map and sheet with the hzgeo version.

    Returns
    -------
    dict
        ``{"html": [...], "sheets": [...]}``: the target paths.
    """
    folder = Path(folder)
    counties = [str(c) for c in boundaries["county"]["code"]]
    jobs: list[tuple[str, dict]] = [("city", {})] + [(c, {"county": c}) for c in counties] + [
        (key, {"river": key})
        for key in river_groups(result.reaches["county"],
                                None if chiefs is None else chiefs.city_chiefs)]
    sheets, tasks = [], []
    for name, kwargs in jobs if formats else ():
        targets = [folder / f"sheet_{name}.{fmt}" for fmt in formats]
        sheets += targets
        tasks.append((name, {**kwargs, "paper": paper}, [str(outputs.path(t)) for t in targets]))
    tasks.sort(key=lambda task: _longest_first(task[0]))  # stable: the listed order within
    data = _SheetData(result, boundaries, chiefs, field, data_date)
    pool = _sheet_pool(data, workers or min(2, os.cpu_count() or 1)) if tasks else None
    try:
        drawing = [] if pool is None else [pool.submit(_worker_render, kwargs, temps, dpi)
                                           for _, kwargs, temps in tasks]
        html = [write_map(result, boundaries, folder / "map_city.html", chiefs=chiefs,
                          audit=audit, hide_phones=hide_phones, field=field,
                          data_date=data_date, outputs=outputs)]
        for code in counties:
            html.append(write_map(result, boundaries, folder / f"map_{code}.html",
                                  chiefs=chiefs, audit=audit, county=code,
                                  hide_phones=hide_phones, field=field, data_date=data_date,
                                  outputs=outputs))
        if pool is None:
            for _, kwargs, temps in tasks:
                _render(data, kwargs, temps, dpi)
        for future in drawing:
            future.result()
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown()
    return {"html": html, "sheets": sheets}
