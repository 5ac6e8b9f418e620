"""The commands: options -> the library (:mod:`hzgeo.inputs` first) -> what to print."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import click
import pandas as pd

from hzgeo._stages import stage
from hzgeo._version import __version__
from hzgeo.atomic import atomic_outputs, check_output_path
from hzgeo.cli._options import (
    common_options,
    county_option,
    fix_option,
    input_options,
    load,
    noting,
    officials_options,
    reach_options,
    segment_options,
    warn_vacancies,
)
from hzgeo.inputs import input_paths
from hzgeo.pipeline import RUN_FILES
from hzgeo.settings import AUDIT_MIN_AREA_M2, AUDIT_MIN_WIDTH_M, REACH_LEVELS

EXIT_OK, EXIT_DEFECTS, EXIT_ERROR = 0, 1, 2

#: ``hzgeo segment`` hands GDAL's part of writing the reach layers to a second process
#: (:class:`hzgeo.output.LayerWriter`) from this many villages. Below it the process
#: costs more than it hides: at 200,000 villages (2.8 M river vertices) it gained no wall
#: time (14.4 s either way, 17.2 against 21.9) for 2-5 more CPU seconds and 110-170 MiB
#: more memory (its own 190 MiB); at 490,000 (10.1 M vertices) it took 10-20 s off the
#: wall. Not measured in between.
LAYER_PROCESS_MIN_VILLAGES = 300_000

#: Each level's reaches are made and written in pieces of whole rivers of about this many
#: runs, each made when GDAL asks for its rows: no level is held whole (at 490,000
#: villages the village level is 2.4 M rows), and with the writer process GDAL writes a
#: level while the rest of it is made.
LEVEL_PIECE_RUNS = 100_000


def _inputs_of(given: dict) -> list[Path]:
    """The input files named by the options (an output must not replace one)."""
    return input_paths(given.get("boundaries"), given.get("waters"), given.get("officials"),
                       given.get("rules"), given.get("overrides"))


def _segment(inputs, given: dict, on_level=None, piece_runs: int | None = None,
             release: bool = False):
    return inputs.segment(min_length=given["min_length"],
                          boundary_tolerance=given["boundary_tolerance"],
                          workers=given.get("workers"), client=given.get("scheduler"),
                          on_level=on_level, piece_runs=piece_runs, release=release)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="hzgeo")
def cli() -> None:
    """hzgeo: river chief system (河长制) GIS workflow.

    Segment rivers into county, township and village reaches, zone lakes and reservoirs,
    and write the graded directory. Without --boundaries/--waters, commands use the
    bundled Guigang sample data (partly synthetic; see data/SOURCES.md).
    """


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="GeoPackage to write (layers reaches_*, zones_*, slivers, gaps, overrides, "
                   "river_lengths; repairs with --fix).")
@segment_options
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Cut the rivers county by county on a local dask cluster of N worker "
                   "processes (pip install \"hzgeo[distributed]\"); the result is the same "
                   "as without.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Cut county by county on the running dask scheduler at ADDRESS "
                   "(tcp://HOST:8786) and its workers instead.")
@county_option
@common_options
def segment(out, quiet, debug, **given) -> int:
    """Segment rivers into nested reaches and lakes into zones; write one GeoPackage.

    \b
    Examples:
      hzgeo segment --out reaches.gpkg
      hzgeo segment --workers 2 --out reaches.gpkg
      hzgeo segment --boundaries village=cun.shp --columns code=XZQDM \\
                    --waters rivers.shp --crs EPSG:4546 --out reaches.gpkg
    """
    from hzgeo.output import LayerWriter, write_layers

    check_output_path(out, suffixes=(".gpkg",), inputs=_inputs_of(given))
    with noting(quiet) as echo:
        with atomic_outputs() as written, LayerWriter() as writer:
            inputs = load(given, echo, holders="none")
            if "village" in inputs.boundaries and \
                    len(inputs.boundaries["village"]) >= LAYER_PROCESS_MIN_VILLAGES:
                writer.start()  # GDAL's part of the writing beside the next level's making
            made: dict[str, tuple[int, int]] = {}  # level: reaches, on a shared border

            def counted(level: str, pieces):
                for piece in pieces:
                    rows, shared = made.get(level, (0, 0))
                    made[level] = (rows + len(piece), shared + int(piece["boundary"].sum()))
                    yield piece

            def write_level(level: str, pieces) -> None:
                # each piece of a level's reaches handed to the writer as soon as made and
                # let go before the next is made: no level is held whole
                write_layers({f"reaches_{level}": counted(level, pieces)}, out,
                             outputs=written, writer=writer)

            # what was read is let go as soon as segmentation is done with it
            result = _segment(inputs, given, on_level=write_level,
                              piece_runs=LEVEL_PIECE_RUNS, release=True)
            written_levels = {f"reaches_{level}" for level in made}
            for level in result.levels:  # (a county's run hands none over)
                made.setdefault(level, (len(result.reaches[level]),
                                        int(result.reaches[level]["boundary"].sum())))
            counts = [(level, *made[level], len(result.zones[level]))
                      for level in result.levels]
            layers = {name: frame for name, frame in result.layers().items()
                      if name not in written_levels} | (
                {} if inputs.repairs is None else {"repairs": inputs.repairs})
            # what was read is not written, and each layer is let go once written: the
            # memory is the writer's
            del inputs, result
            with stage("write"):
                for name in list(layers):
                    write_layers({name: layers.pop(name)}, out, outputs=written,
                                 writer=writer)
            with stage("write wait"):  # the writer's last layers
                writer.wait()
    for level, reaches, shared, zones in counts:  # the levels the city has
        echo(f"{level:>9}: {reaches:5d} reaches, {shared:4d} on a shared border, "
             f"{zones:3d} lake zones")
    echo(f"wrote {out}")
    return EXIT_OK


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="GeoPackage to write: layer 'defects' (each finding where it is, "
                   "EPSG:4490); with --fix also 'repairs' and the repaired levels city ... "
                   "village, usable as --boundaries.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="JSON report to write: {ok, summary, defects: [{kind, level, codes, names, "
                   "measure, unit, lon, lat, ...}]}.")
@click.option("--min-area", type=float, default=AUDIT_MIN_AREA_M2, show_default=True,
              metavar="M2", help="Gaps, overlaps and other area defects smaller than this "
                                 "(m²) are not reported.")
@click.option("--min-width", type=float, default=AUDIT_MIN_WIDTH_M, show_default=True,
              metavar="M", help="Area defects narrower than this (m), and uncovered or "
                                "double-counted river stretches shorter, are not reported.")
@officials_options
@click.option("--max-reaches-per-chief", type=click.IntRange(min=1), default=None,
              metavar="N", help="Report people holding more than N reaches "
                                "(overloaded_chief). Default: not checked.")
@reach_options
@fix_option
@county_option
@common_options
def check(out, json_path, min_area, min_width, max_reaches_per_chief, quiet, debug,
          **given) -> int:
    """Audit the inputs and the water duty: exit 0 clean, 1 defects found, 2 unreadable.

    Boundary defects (invalid polygons, overlaps, gaps, units outside their parent, codes
    that do not nest, edges that nearly meet), river defects, and per level the river
    length and lake area inside the city that no unit (or two) answers for, measured on
    the reaches that would be published. Information (slivers, 界河, water beyond the
    city) is listed but does not count as a defect. With --officials, also the chief
    duty: reaches, zones and units without their chief, vacant total chiefs, joint
    meetings without a convenor.

    \b
    Examples:
      hzgeo check --json audit.json --out defects.gpkg
      hzgeo check --boundaries bnd.gpkg --waters rivers.gpkg --officials holders.xlsx
      hzgeo check --boundaries bnd.gpkg --fix --out fixed.gpkg
    """
    given_paths = _inputs_of(given)
    if out is not None:
        check_output_path(out, suffixes=(".gpkg",), inputs=given_paths)
    if json_path is not None:
        check_output_path(json_path, suffixes=(".json",), option="--json", inputs=given_paths)
    with noting(quiet) as echo:
        # units sharing a code are kept for the audit to report (--fix refuses them)
        inputs = load(given, echo, partial=True, keep_duplicates=not given["fix"])
        report = inputs.audit(min_area_m2=min_area, min_width_m=min_width,
                              overloaded_limit=max_reaches_per_chief,
                              min_length=given["min_length"],
                              boundary_tolerance=given["boundary_tolerance"])
    if out is not None or json_path is not None:
        with atomic_outputs() as outputs:
            if json_path is not None:
                report.to_json(json_path, outputs=outputs)
            if out is not None:
                report.to_file(out, outputs=outputs, extra_layers=inputs.repaired_layers())
    echo(report.text())
    for path in (json_path, out):
        if path is not None:
            echo(f"wrote {path}")
    return EXIT_OK if report.ok else EXIT_DEFECTS


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), default=Path("hzgeo_output"),
              show_default=True, help="Folder for the results (created; only the files run "
                                      "writes are replaced).")
@officials_options
@county_option
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data, on every output. Default: today.")
@click.option("--no-phones", is_flag=True,
              help="Leave personal phone numbers off the HTML maps (for a public map).")
@click.option("--no-maps", is_flag=True,
              help="Skip the HTML maps and the print sheets (the slowest step).")
@segment_options
@common_options
def run(out, data_date, no_phones, no_maps, quiet, debug, **given) -> int:
    """Phase one end to end: reaches, chiefs, directory, audit, field sites, maps.

    Without --boundaries/--waters it runs on the bundled Guigang sample and its fictional
    office holders. Writes into OUT: segments.gpkg, directory.xlsx and directory.<sheet>.csv
    (with office holders), audit.json and defects.gpkg, field.gpkg/.xlsx/.kml/.<layer>.csv,
    map_city.html and map_<county>.html, sheet_*.png/.pdf (city, counties, main rivers), and
    index.html linking them all. Exit 0, or 1 when the audit found defects (after writing
    everything); 2 when the inputs cannot be used (the audit is still written when the
    boundaries are too defective to segment).

    \b
    Examples:
      hzgeo run
      hzgeo run --boundaries bnd.gpkg --waters rivers.gpkg --officials holders.xlsx \\
                --out results --no-phones
    """
    from hzgeo._progress import Steps
    from hzgeo.pipeline import run_phase_one, step_count

    check_output_path(out, kind="folder")
    given_paths = _inputs_of(given)
    for name in RUN_FILES:
        check_output_path(out / name, suffixes=(Path(name).suffix,), inputs=given_paths,
                          option=f"{name}, which run writes in --out,",
                          hint=f"move {out / name} away, or give another --out")
    with noting(quiet, vacancies_apart=True) as echo:
        # units sharing a code are kept for the audit, which run writes before refusing
        inputs = load(given, echo, keep_duplicates=not given["fix"])
        done = run_phase_one(
            inputs.boundaries, inputs.waters, out, officials=inputs.officials,
            rules=inputs.rules, overrides=inputs.overrides, min_length=given["min_length"],
            boundary_tolerance=given["boundary_tolerance"], repairs=inputs.repairs,
            data_date=data_date, sources=inputs.sources, hide_phones=no_phones,
            maps=not no_maps, seats=inputs.seats,
            steps=Steps(step_count(inputs.officials, not no_maps), quiet=quiet))
    warn_vacancies(done.chiefs)
    for line in summary_lines(done.summary):
        echo(line)
    echo(f"wrote {len(done.files)} files into {out}; open {out / 'index.html'}")
    return EXIT_OK if done.audit.ok else EXIT_DEFECTS


def summary_lines(summary: dict) -> list[str]:
    """What ``hzgeo run`` prints: reaches, chiefs and km per level, meetings, defects."""
    lines = []
    for level, row in summary["levels"].items():
        chiefs = (f", {row['chiefs']:4d} chiefs ({row['vacant']} vacant)"
                  if "chiefs" in row else "")
        lines.append(f"{level:>9}: {row['reaches']:5d} reaches ({row['boundary_rows']} rows "
                     f"on a shared border), {row['km']:8.2f} km, {row['zones']} lake "
                     f"zones{chiefs}")
    if summary.get("joint_meetings") is not None:
        lines.append(f"total chiefs: {summary['total_chiefs']}; joint meetings: "
                     f"{summary['joint_meetings']}")
    lines.append(f"field: {summary['sections']} cross-boundary sections, "
                 f"{summary['confluences']} confluences"
                 + ("" if summary.get("boards") is None
                    else f", {summary['boards']} notice boards"))
    if summary["defects"]:
        lines.append(f"audit: {summary['defects']} defect(s): " + ", ".join(
            f"{kind} {n}" for kind, n in summary["defects_by_kind"].items())
            + " (see audit.json, defects.gpkg)")
    else:
        lines.append("audit: no defects")
    lines += [f"  {line}" for line in summary["coverage"]]
    return lines


@cli.command()
@input_options
@officials_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Directory to write: .xlsx (for people), .gpkg (for GIS, with geometry) "
                   "or .csv (one <stem>.<sheet>.csv per sheet).")
@click.option("--previous", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, metavar="XLSX",
              help="A directory written earlier by hzgeo: add the sheet 变更 and "
                   "<out stem>.changes.csv listing what changed.")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data, shown in every sheet's title. Default: today.")
@segment_options
@county_option
@common_options
def roster(out, previous, data_date, quiet, debug, **given) -> int:
    """Write the graded directory (分级分段名录): every reach, zone and unit its chief.

    Segments the waters, assigns chiefs from the office holders by the rules, and writes
    the directory. Vacant posts are written as （空缺）, listed as a warning, and the
    command still succeeds (exit 0): `hzgeo check --officials` counts them as defects.

    \b
    Examples:
      hzgeo roster --out directory.xlsx
      hzgeo roster --boundaries bnd.gpkg --waters rivers.gpkg --officials holders.xlsx \\
                   --out directory.xlsx --previous directory_2026-01.xlsx
    """
    from hzgeo.directory import write_directory

    check_output_path(out, suffixes=(".xlsx", ".gpkg", ".csv"), inputs=_inputs_of(given))
    with noting(quiet, vacancies_apart=True) as echo:
        inputs = load(given, echo, holders="required")
        chiefs = inputs.assign_chiefs(_segment(inputs, given))
        with stage("write"):
            written = write_directory(chiefs, out, previous=previous, data_date=data_date,
                                      sources=inputs.sources, boundaries=inputs.boundaries,
                                      waters=inputs.waters)
    warn_vacancies(chiefs)
    for level in REACH_LEVELS:
        frame = chiefs.reaches[level]
        echo(f"{level:>9}: {len(frame):5d} reaches, {int(frame['vacant'].sum()):3d} vacant; "
             f"{len(chiefs.zones[level]):3d} lake zones")
    if "changes" in written:
        changes = pd.read_csv(written["changes"], dtype=str, encoding="utf-8-sig")
        echo(f"changes since {previous}: {len(changes)} row(s)" + (
            " (" + ", ".join(f"{n} {k}" for k, n in changes["变更"].value_counts().items())
            + ")" if len(changes) else ""))
    echo("wrote " + ", ".join(str(p) for p in dict.fromkeys(written.values())))
    return EXIT_OK


@cli.command(name="map")
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Map to write: .html (interactive, works offline), .png or .pdf (print "
                   "sheet).")
@officials_options
@county_option
@click.option("--river", default=None, metavar="CODE|NAME",
              help="Print sheet of one main river (.png/.pdf), e.g. R03 or 郁江干流.")
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Paper of a print sheet.")
@click.option("--orientation", type=click.Choice(["portrait", "landscape"]), default=None,
              help="Of a print sheet (default: whichever fits the area).")
@click.option("--no-phones", "no_phones", is_flag=True,
              help="Leave chiefs' phone numbers off (for a public map).")
@click.option("--tiles", type=click.Choice(["tianditu"]), default=None,
              help="Online web tiles under the HTML map (needs a network and "
                   "--tianditu-key). Default: no tiles, drawn from the data alone.")
@click.option("--tianditu-key", default=None, metavar="KEY", help="Your 天地图 key.")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data, printed on the map. Default: today.")
@segment_options
@common_options
def map_(out, river, paper, orientation, no_phones, tiles, tianditu_key, data_date, quiet,
         debug, **given) -> int:
    """Draw the distribution map (分布示意图): interactive HTML or a print sheet.

    The HTML map has layers per level (reaches coloured by responsible unit, boundaries,
    lakes), popups with the chiefs, a legend, a name search and a scale bar, and opens
    from disk with no network. PNG/PDF sheets are A4 or A3 with title, legend, scale bar,
    north arrow and sources. Popups name the chiefs when office holders are given (the
    bundled sample for the bundled data), else the responsible units.

    \b
    Examples:
      hzgeo map --out map.html --no-phones
      hzgeo map --county 港北区 --out gangbei.pdf --paper A3
      hzgeo map --river 郁江 --out yujiang.png
    """
    from hzgeo.maps import write_map

    check_output_path(out, suffixes=(".html", ".png", ".pdf"), inputs=_inputs_of(given))
    if tiles and not tianditu_key:
        raise click.BadParameter("天地图 tiles need your key: --tianditu-key KEY",
                                 param_hint="--tiles")
    with noting(quiet, vacancies_apart=True) as echo:
        inputs = load(given, echo)
        result = _segment(inputs, given)
        chiefs = inputs.assign_chiefs(result)
        write_map(result, inputs.boundaries, out, chiefs=chiefs, county=inputs.county,
                  river=river, paper=paper, orientation=orientation, hide_phones=no_phones,
                  tiles=tiles, tiles_key=tianditu_key,
                  data_date=data_date or _dt.date.today().isoformat())
    warn_vacancies(chiefs)
    echo(f"wrote {out}")
    return EXIT_OK


_FIELD_SUFFIXES = {"sections": (".gpkg", ".xlsx", ".csv", ".geojson", ".kml"),
                   "boards": (".pdf", ".gpkg", ".xlsx", ".csv", ".geojson", ".kml")}


@cli.command()
@input_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Sections (跨界断面) and confluences (主要交汇处) to write: .gpkg "
                   "(layers cross_sections, confluences), .xlsx, .csv, .geojson "
                   "(<stem>.<layer>.<suffix> each) or .kml.")
@click.option("--township", is_flag=True,
              help="Sections at every township border too (default: county borders).")
@click.option("--rules", default=None, metavar="TOML",
              help="Rules file: its [sections] table gives control level, target class, "
                   "unit and frequency. Default: the bundled Guigang rules (silent on them).")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data, on every output. Default: today.")
@segment_options
@county_option
@common_options
def sections(out, township, data_date, quiet, debug, **given) -> int:
    """Cross-boundary monitoring sections and confluences, from the reaches.

    \b
    Examples:
      hzgeo sections --out sections.xlsx
      hzgeo sections --township --out sections.kml
    """
    from hzgeo.field import confluences, cross_sections, write_field

    out = check_output_path(out, suffixes=_FIELD_SUFFIXES["sections"], inputs=_inputs_of(given))
    with noting(quiet) as echo:
        inputs = load(given, echo, holders="none")
        result = _segment(inputs, given)
        found = cross_sections(result, level="township" if township else "county",
                               boundaries=inputs.boundaries, waters=inputs.waters,
                               rules=inputs.rules)
        joins = confluences(result, inputs.waters, inputs.boundaries)
        written = write_field(found, joins, None, out, data_date=data_date)
    kinds = found["kind"].value_counts()
    echo(f"sections: {len(found)} ({int(kinds.get('crossing', 0))} crossings, "
         f"{int(kinds.get('entry', 0))} entries into and {int(kinds.get('exit', 0))} exits "
         f"from the area, {int(kinds.get('boundary_start', 0))} 界河 starts, "
         f"{int(kinds.get('boundary_end', 0))} ends, {int(kinds.get('boundary_change', 0))} "
         f"changes; {int(found['main'].sum())} on main rivers); confluences: {len(joins)}")
    echo("wrote " + ", ".join(str(p) for p in dict.fromkeys(written.values())))
    return EXIT_OK


@cli.command()
@input_options
@officials_options
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="Boards (公示牌) to write: .pdf (one A4 page per board, then the common "
                   "back), .gpkg, .xlsx, .csv, .geojson or .kml.")
@county_option
@click.option("--spacing-km", type=float, default=None, metavar="KM",
              help="One board per started KM of a village's river.")
@click.option("--data-date", default=None, metavar="YYYY-MM-DD",
              help="Date of the data: the boards' 落款 date, on every output. Default: today.")
@segment_options
@common_options
def boards(out, spacing_km, data_date, quiet, debug, **given) -> int:
    """Notice boards (公示牌): sites and content, as a table, points or printable pages.

    \b
    Examples:
      hzgeo boards --county 450802 --out boards.pdf
      hzgeo boards --out boards.kml --spacing-km 5
    """
    from hzgeo.field import write_boards

    out = check_output_path(out, suffixes=_FIELD_SUFFIXES["boards"], inputs=_inputs_of(given))
    with noting(quiet, vacancies_apart=True) as echo:
        inputs = load(given, echo, holders="required")
        chiefs = inputs.assign_chiefs(_segment(inputs, given))
        made = write_boards(chiefs, inputs.boundaries, inputs.waters, out, rules=inputs.rules,
                            spacing_km=spacing_km, seats=inputs.seats, data_date=data_date,
                            sources=inputs.sources)
    warn_vacancies(chiefs)
    found, unboarded = made.boards, made.short[made.short["board_code"] == ""]
    kinds = found["kind"].value_counts()
    short_file = next((p for k, p in made.files.items() if k.endswith("_short")), out)
    echo(f"boards: {len(found)} ({int(kinds.get('reach', 0))} on reaches, "
         f"{int(kinds.get('boundary_reach', 0))} on a village's bank of a 界河, "
         f"{int(kinds.get('zone', 0))} on lakes and reservoirs); {len(made.short)} village "
         f"reaches shorter than the board length ({len(unboarded)} of them with no board of "
         f"their village either), listed in {short_file.name}")
    echo(f"wrote {out}")
    return EXIT_OK


@cli.command(name="init-rules")
@click.option("--boundaries", "boundaries", multiple=True, required=True,
              metavar="PATH|LEVEL=PATH", help="The city's boundaries, as for the other commands.")
@click.option("--columns", multiple=True, metavar="OURS=YOURS",
              help="Map a boundary column, e.g. code=XZQDM, name=XZQMC (repeat).")
@click.option("--layers", multiple=True, metavar="LEVEL=LAYER",
              help="Layer of a level in a GeoPackage (repeat).")
@click.option("--city", default=None, help="The city's name. Default: its city unit's name.")
@click.option("--supervision-phone", default="", help="The offices' supervision phone.")
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="The rules file to write (.toml).")
@common_options
def init_rules(boundaries, columns, layers, city, supervision_phone, out, quiet, debug) -> int:
    """Start the city's own rules file (TOML, commented) from its boundaries.

    \b
    Example:
      hzgeo init-rules --boundaries bnd.gpkg --out rules.toml
    """
    from hzgeo.chiefs.template import init_rules as start_rules
    from hzgeo.chiefs.template import write_rules
    from hzgeo.inputs import _pairs

    out = check_output_path(out, suffixes=(".toml",))
    source = _pairs(boundaries, "boundaries") if all("=" in b for b in boundaries) \
        else boundaries[0]
    with noting(quiet) as echo:
        text = start_rules(source, city=city, supervision_phone=supervision_phone,
                           levels=_pairs(layers, "layers"), columns=_pairs(columns, "columns"))
        write_rules(text, out)
    echo(f"wrote {out}: edit it, then pass it with --rules")
    return EXIT_OK
