"""Segment rivers into nested county, township and village reaches, and zone lakes.

How it works (all geometry work in one projected CRS, all reported lengths geodesic):

1. Every river is a sequence of vertices; a position on it is ``s = i + t``: vertex
   ``i`` plus a fraction ``t`` of the next segment. Chainage (geodesic metres from the
   upstream end) is a monotone function of ``s``, so reach lengths are differences of
   chainage and add up exactly.
2. The river is cut where it crosses a village boundary edge (segment-segment
   intersections, found on a uniform grid over the unique edges of the village coverage),
   and each piece is given the village that contains its midpoint.
3. Where the river runs along a village border within the tolerance (the river's
   ``accuracy_m``, else :data:`~hzgeo.settings.BOUNDARY_TOLERANCE_M`), over at least
   ``BOUNDARY_MIN_FACTOR`` x tolerance, the stretch is shared by the two villages (界河);
   one that passes from one side to the other must stay within
   ``BOUNDARY_MAX_CROSSING_DEG`` of the border's direction (else it is a crossing).
4. Pieces shorter than ``min_length`` are slivers, merged into the longer neighbour.
5. Township and county reaches are runs of village reaches with the same parent: the
   nesting holds by construction, with no second overlay that could disagree.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from hzgeo._checks import (
    check_boundaries,
    check_metres,
    check_type,
    check_waters,
    parse_crs,
    refuse_unusable_geometry,
    warn_rivers_outside,
)
from hzgeo._crossings import coverage_edges, crossings
from hzgeo._network import RiverNetwork
from hzgeo._polygons import PolygonArrays
from hzgeo._reaches import ParentCodes, ReachWriter
from hzgeo._runs import GAP, OUTSIDE, apply_overrides, label_runs, merge_slivers
from hzgeo._shared import following_pairs, shared_stretches
from hzgeo._stages import stage
from hzgeo._units import UnitTable
from hzgeo._zones import zone_lakes
from hzgeo.errors import DataQualityError, InputError, SliverWarning
from hzgeo.io import work_crs_for
from hzgeo.model import REACH_COLUMNS, Boundaries, Segmentation, Waters
from hzgeo.settings import (
    BOUNDARY_MAX_CROSSING_DEG,
    BOUNDARY_MIN_FACTOR,
    BOUNDARY_TOLERANCE_M,
    MIN_REACH_M,
    REACH_LEVELS,
    STORE_CRS,
)

__all__ = ["Segmentation", "segment_waters"]

#: A piece's midpoint this close to a village (metres) is on its boundary: rounding of
#: coordinates of 10^6 m is 1e-10 m, of a point interpolated on a segment a little more.
_ON_BOUNDARY_M = 1e-6


def _tolerance_per_river(rivers: gpd.GeoDataFrame, boundary_tolerance) -> np.ndarray:
    if boundary_tolerance is not None:
        return np.full(len(rivers), float(boundary_tolerance))
    acc = pd.to_numeric(rivers.get("accuracy_m", pd.Series(np.nan, index=rivers.index)),
                        errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(acc) & (acc > 0), acc, BOUNDARY_TOLERANCE_M)


def _against_flow(rivers: gpd.GeoDataFrame) -> np.ndarray:
    """Rivers digitised against their ``flows_into`` river: they start on it."""
    reverse = np.zeros(len(rivers), dtype=bool)
    by_code = dict(zip(rivers["river_code"].tolist(), rivers.geometry.values, strict=True))
    for i, (geom, into) in enumerate(zip(rivers.geometry.values, rivers["flows_into"].tolist(),
                                         strict=True)):
        if not into or into not in by_code:
            continue
        parts = shapely.get_parts(geom)
        start = shapely.get_point(parts[0], 0)
        end = shapely.get_point(parts[-1], -1)
        target = by_code[into]
        reverse[i] = shapely.distance(start, target) < shapely.distance(end, target)
    return reverse


def _in_crs(frame: gpd.GeoDataFrame, crs: CRS) -> gpd.GeoDataFrame:
    """``frame`` in ``crs``, without a copy if it is there already."""
    return frame if frame.crs is not None and frame.crs.equals(crs) else frame.to_crs(crs)


def segment_waters(boundaries: Boundaries, waters: Waters, *, min_length: float = MIN_REACH_M,
                   boundary_tolerance: float | None = None,
                   overrides: pd.DataFrame | None = None,
                   work_crs=None, workers: int | None = None, client=None) -> Segmentation:
    """Derive the nested reaches of every river and the zones of every lake.

    Parameters
    ----------
    boundaries : Boundaries
        Village level required; township, county and city used where present (derived
        from the village codes otherwise).
    waters : Waters
        Rivers with ``river_code``, ``name``; optional ``flows_into``, ``accuracy_m``.
    min_length : float, default 30
        Reaches shorter than this (geodesic metres) are slivers, merged into the longer
        neighbouring reach of the same river and listed in ``slivers``.
    boundary_tolerance : float, optional
        Metres within which a river counts as running along a border. Default: each
        river's ``accuracy_m``, else 20 m.
    overrides : DataFrame, optional
        Rows with ``river_code``, ``action`` (``assign`` or ``cut``) and, for ``assign``,
        ``admin_code`` (the side that takes the shared stretch; any level) with optional
        ``from_km``/``to_km``; for ``cut``, ``at_km`` and ``name`` (the point's name).
    work_crs : optional
        Projected CRS for the geometry work; default chosen from the data.
    workers : int, optional
        Cut the rivers county by county on a local dask cluster of this many worker
        processes (needs the ``distributed`` extra); the result is the same as without.
    client : dask.distributed.Client or str, optional
        Cut county by county on this cluster instead, or on the running scheduler at this
        address (``tcp://10.0.0.5:8786``; see :mod:`hzgeo.distributed`).

    Returns
    -------
    Segmentation

    Raises
    ------
    InputTypeError
        ``boundaries`` or ``waters`` of the wrong type (read them with
        :func:`~hzgeo.read_boundaries` / :func:`~hzgeo.read_waters`).
    InputError, CRSError
        A layer without CRS or required columns, null geometries, wrong geometry types,
        a negative ``min_length``, a ``boundary_tolerance`` that is not positive.
    DataQualityError
        Invalid polygons, rivers of zero length, villages that overlap where a river
        runs. (Codes that do not nest, gaps and the like are for
        :func:`~hzgeo.validate_boundaries`, which the command line runs first.)

    Warns
    -----
    HzgeoWarning
        Rivers with no length inside the region (they get no reach).

    Examples
    --------
    >>> import geopandas, shapely
    >>> from hzgeo.io import Boundaries, Waters
    >>> villages = geopandas.GeoDataFrame(
    ...     {"code": ["450802001001", "450802001002"], "name": ["甲村", "乙村"],
    ...      "parent_code": ["450802001"] * 2},
    ...     geometry=[shapely.box(400000, 2560000, 401000, 2561000),
    ...               shapely.box(401000, 2560000, 402000, 2561000)], crs="EPSG:4546")
    >>> rivers = geopandas.GeoDataFrame({"river_code": ["R1"], "name": ["示例河"]},
    ...     geometry=[shapely.LineString([(400000, 2560500), (402000, 2560500)])],
    ...     crs="EPSG:4546")
    >>> seg = segment_waters(Boundaries({"village": villages}), Waters(rivers, rivers.iloc[:0]))
    >>> seg.reaches["village"][["reach_name", "from_km", "to_km", "end_desc"]].round(4)
      reach_name  from_km   to_km  end_desc
    0     示例河甲村段   0.0000  0.9999  甲村与乙村交界处
    1     示例河乙村段   0.9999  1.9998    市界（出境）
    """
    return _segment(boundaries, waters, min_length=min_length,
                    boundary_tolerance=boundary_tolerance, overrides=overrides,
                    work_crs=work_crs, workers=workers, client=client, validated=False,
                    stacklevel=3)


def segment_validated(boundaries: Boundaries, waters: Waters, **options) -> Segmentation:
    """:func:`segment_waters` for inputs that :func:`hzgeo.validate_boundaries` (or
    :func:`hzgeo.find_defects` with the blocking defects refused) and
    :func:`hzgeo.validate_waters` have just passed: the geometry checks and the validity
    test of every polygon are not repeated. Its warnings point at its caller.

    ``on_level`` (an option of this call only): called with each level (county first)
    and its reach table as an iterator of pieces, which is then not kept: the result's
    ``reaches`` of the levels handed over are empty (their columns, no rows). The pieces
    are frames of whole rivers, in order: one after the other, they are the table the
    result would have held. With ``piece_runs`` (an option of this call only) each is of
    about that many runs of the level, made when the iterator is asked for it; without,
    the level is one piece. ``hzgeo segment`` writes each piece and lets it go before the
    next is made. Boundaries limited to a county (cut with the counties around) hand
    nothing over.

    ``release`` (an option of this call only): the caller gives ``boundaries`` and
    ``waters`` up, and they are emptied as soon as segmentation no longer needs them: the
    rivers lose their geometry once the river network holds its vertices, the boundaries
    lose every level once the rivers are cut and labelled (their codes and names are
    kept apart). Not for boundaries limited to a county, which are kept whole."""
    return _segment(boundaries, waters, validated=True, stacklevel=3, **options)


def _segment(boundaries: Boundaries, waters: Waters, *, min_length: float = MIN_REACH_M,
             boundary_tolerance: float | None = None, overrides: pd.DataFrame | None = None,
             work_crs=None, workers: int | None = None, client=None, validated: bool,
             stacklevel: int,
             on_level: Callable[[str, Iterator[gpd.GeoDataFrame]], None] | None = None,
             piece_runs: int | None = None, release: bool = False) -> Segmentation:
    """:func:`segment_waters`; ``validated``: the inputs' geometry was checked already;
    ``stacklevel``: of the warnings raised here (2 points at the caller); ``on_level``,
    ``piece_runs``, ``release``: see :func:`segment_validated`."""
    given = (boundaries, waters) if release else None
    with stage("checks"):
        boundaries, waters, min_length, boundary_tolerance, work_crs = _checked(
            boundaries, waters, min_length, boundary_tolerance, overrides, work_crs,
            validated)
    if boundaries.around is not None:  # limited to a county: cut with the counties around
        from hzgeo.select import cut_county

        if work_crs is None:  # the whole city's, so that X/Y are the city run's
            whole = boundaries.around
            work_crs = work_crs_for(whole["village"] if "village" in whole
                                    else next(iter(whole.levels.values())))

        return cut_county(boundaries, waters, segment_waters, min_length=min_length,
                          boundary_tolerance=boundary_tolerance, overrides=overrides,
                          work_crs=work_crs, workers=workers, client=client,
                          stacklevel=stacklevel + 1)
    with stage("checks"):
        boundaries, stand_ins = _complete_levels(boundaries)
    rivers = waters.rivers.reset_index(drop=True)
    if work_crs is None:
        work_crs = work_crs_for(boundaries["village"])
    if not work_crs.is_projected:
        raise InputError(f"work_crs must be projected, got {work_crs.name}",
                         hint="use e.g. EPSG:4546 (CGCS2000 / 3-degree GK CM 111E)")
    with stage("prepare"):
        villages = _in_crs(boundaries["village"], work_crs).reset_index(drop=True)
        rivers = _in_crs(rivers, work_crs)
        to_lonlat = Transformer.from_crs(work_crs, STORE_CRS, always_xy=True)
        units = UnitTable(boundaries)
    with stage("city"):  # the city outline: river outside it is not counted
        if "city" in boundaries:
            city = shapely.union_all(_in_crs(boundaries["city"], work_crs).geometry.values)
        else:
            city = shapely.coverage_union_all(villages.geometry.values)
        shapely.prepare(city)
        city_border = city.boundary
    with stage("zones"):  # (the lakes need the village polygons as GEOS objects)
        zones = zone_lakes(waters.lakes, units, villages, work_crs)
    with stage("network"):
        net = RiverNetwork(rivers.geometry.values, to_lonlat, _against_flow(rivers))
        tol_river = _tolerance_per_river(rivers, boundary_tolerance)
        tol_part = tol_river[net.part_river]
        # the network holds the vertices now: keep the rivers' columns, not a second copy
        # of their geometry in the work CRS
        rivers = pd.DataFrame(rivers.drop(columns=rivers.geometry.name))
    if given is not None:  # the caller's rivers too: their geometry is not needed again
        _release_rivers(given[1], waters)
        _give_back()
    if client is None and workers is None:
        with stage("edges"):
            # from here on the villages are coordinate arrays, not GEOS objects
            shapes = PolygonArrays(villages.geometry.values)
            del villages
            if given is not None:
                _release_boundaries(given[0], boundaries)
            edges, edge_lo, edge_hi, edge_left = coverage_edges(shapes)
        with stage("crossings"):
            pair_seg, pair_edge = net.segment_pairs(edges, distance=tol_part)
            cut_s, cut_part = crossings(net, edges, pair_seg, pair_edge)
            # the rest are for the shared stretches: only the pairs that may follow an edge
            pair_seg, pair_edge = following_pairs(net, pair_seg, pair_edge, edges, edge_hi,
                                                  tol_part)
    else:  # the same arrays, computed county by county on a dask cluster
        from hzgeo.distributed import cut_by_county

        with stage("distributed"):
            (edges, edge_lo, edge_hi, edge_left, pair_seg, pair_edge, cut_s,
             cut_part) = cut_by_county(net, villages.geometry.values,
                                       units.index("county")[0], tol_part,
                                       client=client, workers=workers)
            shapes = PolygonArrays(villages.geometry.values)
            del villages
            if given is not None:
                _release_boundaries(given[0], boundaries)
    given = None
    with stage("pieces"):
        piece_s0, piece_s1, piece_p, piece_unit = _pieces(net, cut_s, cut_part, shapes,
                                                          units.village_codes, city,
                                                          city_border)
    del shapes, city  # done with the village polygons and the city's
    _give_back()  # (the polygons made to label the pieces: many small blocks)
    with stage("shared"):
        stretches = shared_stretches(net, edges, edge_lo, edge_hi, edge_left, pair_seg,
                                     pair_edge, [units.index(lvl)[0] for lvl in
                                                 ("county", "township", "village")],
                                     tol_part, BOUNDARY_MIN_FACTOR, BOUNDARY_MAX_CROSSING_DEG)
        runs = label_runs(piece_s0, piece_s1, piece_p, piece_unit, stretches)
        del edges, edge_lo, edge_hi, edge_left, pair_seg, pair_edge, stretches  # done with
        net.cutting_done()  # and with the planar measures; lon/lat is made from here on

    # overrides: a shared stretch given to one side, cuts at named points
    cuts: dict[tuple[int, float], str] = {}
    runs, overrides_log = apply_overrides(overrides, runs, net, rivers, units, cuts)
    runs, _ = runs.coalesce()
    with stage("slivers"):  # chainage measured once; merging carries it along
        runs, sliver_list = merge_slivers(runs.with_chainage(net), net, min_length)
    if sliver_list:
        warnings.warn(f"{len(sliver_list)} sliver reach(es) shorter than {min_length} m were "
                      "merged into their neighbours; see the 'slivers' layer.",
                      SliverWarning, stacklevel=stacklevel)

    # every level is the village runs relabelled and coalesced: nesting by construction
    with stage("names"):
        writer = ReachWriter(net, rivers, units, city_border, tol_river, cuts, runs,
                             outline=boundaries.outline)
    with stage("tables"):  # before the levels: the network goes once the last is made
        slivers, gaps, lengths = (writer.slivers(sliver_list), writer.gaps(runs),
                                  writer.lengths(runs))
    del net
    reaches = {}
    for level, pieces in _reach_levels(writer, runs, units, piece_runs):
        if level in stand_ins:  # a level the city does not have: no reaches, no zones
            frame, zones[level] = _whole(pieces).iloc[:0], zones[level].iloc[:0]
        elif on_level is not None:  # handed over, not kept
            frame = _hand_over(on_level, level, pieces)
        else:
            frame = _whole(pieces)
        reaches[level] = frame
        del frame, pieces
    result = Segmentation(
        reaches, zones, slivers, gaps, overrides_log, lengths,
        settings={"min_length_m": min_length, "boundary_tolerance_m": boundary_tolerance,
                  "work_crs": work_crs.to_string()},
        levels=tuple(level for level in REACH_LEVELS if level not in stand_ins))
    warn_rivers_outside(result.river_lengths, stacklevel=stacklevel + 1)
    return result


def _give_back() -> None:
    """Return the memory just freed to the system where the C library can (glibc's
    ``malloc_trim``): the geometry of the inputs is many small blocks, whose free space
    the tables made next (numpy arrays, Python strings) would not reuse."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim
    # not glibc: macOS and musl have no malloc_trim (AttributeError); Windows cannot
    # load "no library" (TypeError)
    except (OSError, AttributeError, TypeError):
        return None


def _release_boundaries(*boundaries: Boundaries) -> None:
    """Every level of ``boundaries`` let go (the caller's and this run's: the codes and
    names are in the unit table, the villages in coordinate arrays), and the memory
    handed back."""
    for given in boundaries:
        given.levels.clear()
    _give_back()


def _release_rivers(*waters: Waters) -> None:
    """The rivers of ``waters`` without their geometry (in place: each frame of them that
    the caller or this run holds lets its shapely lines go)."""
    for frame in {id(w.rivers): w.rivers for w in waters}.values():
        name = frame.geometry.name
        if name in frame.columns:
            del frame[name]


def _reach_levels(writer: ReachWriter, runs, units: UnitTable,
                  piece_runs: int | None = None):
    """Each level, county first, and its reach table (:data:`REACH_COLUMNS`, parent reach
    codes filled in) as pieces: frames of whole rivers in flow order, of about
    ``piece_runs`` runs each (one piece without), each made when asked for. One level is
    made at a time, so a caller that writes and lets go of each piece never holds a
    whole level. A level's pieces are all made before the next level's (the next one
    needs their codes)."""
    above: ParentCodes | None = None  # the level above's reach codes
    above_up = np.zeros(0, dtype=int)  # the run of the level above of every fine run
    for level in REACH_LEVELS:
        keys, codes = units.index(level)
        with stage(level):
            level_runs, up = runs.lift(keys).coalesce()  # up[i]: the run fine run i is in
        last = level == REACH_LEVELS[-1]
        # each piece's runs, units and codes, for the level below (the last has none)
        noted: list[tuple[np.ndarray, ...]] | None = None if last else []
        # the last level's table is handed over without the network's vertices beside it
        made = writer.reaches(level_runs, level, codes, piece_runs, network_done=last)
        pieces = _level_pieces(made, level, above,
                               None if above is None else _compose(up, above_up), noted)
        yield level, pieces
        for _ in pieces:  # (the pieces a caller did not take: their codes are needed)
            pass
        if noted is not None:
            run, admin, code = (np.concatenate(c) for c in zip(*noted, strict=True))
            above = ParentCodes(run, admin, code, len(level_runs))
            above_up = up
        del level_runs, noted


def _level_pieces(made, level: str, above: ParentCodes | None, to_above,
                  noted: list | None):
    """The pieces ``made`` of a level's table as :func:`_reach_levels` hands them over:
    their parent reach codes filled in from ``above`` (``to_above[r]``: the run above
    that run ``r`` lies in), their runs, units and reach codes ``noted`` for the level
    below, their columns :data:`REACH_COLUMNS`."""
    while True:
        with stage(level):
            frame = next(made, None)
        if frame is None:
            return
        with stage("parents"):
            run = frame["_run"].to_numpy()
            if above is not None:
                frame["parent_reach_code"] = above.of(to_above[run],
                                                      frame["_parent_admin"].to_numpy())
            if noted is not None:
                noted.append((run, frame["admin_code"].to_numpy(),
                              frame["reach_code"].to_numpy()))
            frame = frame[REACH_COLUMNS].reset_index(drop=True)
        yield frame
        del frame


def _whole(pieces) -> gpd.GeoDataFrame:
    """A level's table from its pieces (one: as it is)."""
    frames = list(pieces)
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _hand_over(on_level: Callable, level: str, pieces) -> gpd.GeoDataFrame:
    """Hand a level's pieces to ``on_level``; its table's columns, without rows (a copy:
    a slice is a view that would keep the first piece's rows alive)."""
    first = next(pieces)
    empty = first.iloc[:0].copy()
    pieces = itertools.chain([first], pieces)
    del first  # (each piece let go once the caller has)
    on_level(level, pieces)
    return empty


def _checked(boundaries, waters, min_length, boundary_tolerance, overrides, work_crs,
             validated: bool = False):
    """The entry checks of :func:`segment_waters`: the command line's messages.

    ``validated``: a validation has just checked the geometry and refused invalid
    polygons and rivers of zero length; those checks are not repeated."""
    check_boundaries(boundaries, need_village=True, unique=True, geometry=not validated)
    waters = check_waters(waters, geometry=not validated)
    min_length = check_metres(min_length, "min_length", "`min_length`")
    boundary_tolerance = check_metres(boundary_tolerance, "boundary_tolerance",
                                      "`boundary_tolerance`", positive=True, optional=True)
    if overrides is not None:
        check_type(overrides, "overrides", pd.DataFrame, "a DataFrame (the `overrides` table)")
    work_crs = parse_crs(work_crs)
    if not validated:
        refuse_unusable_geometry(boundaries, waters)  # GEOS would fail on these
    return boundaries, waters, min_length, boundary_tolerance, work_crs


def _compose(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Map each run of a lower level to the run of an upper level that contains it.

    Both arrays index the same fine runs: ``lower[i]`` is the lower-level run of fine run
    ``i``, ``upper[i]`` its upper-level run.
    """
    out = np.zeros(int(lower.max()) + 1 if len(lower) else 0, dtype=int)
    out[lower] = upper
    return out


def _pieces(net: RiverNetwork, cut_s, cut_part, villages: PolygonArrays, codes: np.ndarray,
            city, city_border):
    """Cut every part at the crossings; label each piece by the village of its midpoint
    (``codes``: the villages' codes, for the error about overlaps)."""
    n_parts = len(net.part_start)
    # a cut within a micrometre of an end of its part (a river that ends on a border, as a
    # mouth on a 界河 does) is that end: it would leave a zero-length sliver otherwise
    at = net.planar(cut_s, cut_part)
    end = (at - net.planar(net.part_start[cut_part].astype(float), cut_part) < 1e-6) | (
        net.planar(net.part_end[cut_part].astype(float), cut_part) - at < 1e-6)
    cut_s, cut_part = cut_s[~end], cut_part[~end]
    bounds_s = np.concatenate([net.part_start, net.part_end, cut_s]).astype(float)
    bounds_p = np.concatenate([np.arange(n_parts), np.arange(n_parts), cut_part])
    order = np.lexsort((bounds_s, bounds_p))
    bounds_s, bounds_p = bounds_s[order], bounds_p[order]
    keep = np.ones(len(bounds_s), dtype=bool)
    keep[1:] = ~((bounds_p[1:] == bounds_p[:-1]) & (np.abs(bounds_s[1:] - bounds_s[:-1]) < 1e-12))
    bounds_s, bounds_p = bounds_s[keep], bounds_p[keep]
    same = bounds_p[:-1] == bounds_p[1:]
    s0, s1, part = bounds_s[:-1][same], bounds_s[1:][same], bounds_p[:-1][same]
    mids = shapely.points(net.xy_at((s0 + s1) / 2, part))
    pi, vi = villages.query(mids, predicate="intersects")
    unit = np.full(len(mids), GAP)
    if len(pi):  # a midpoint on an edge touches two villages: take the first code
        order = np.lexsort((vi, pi))
        pi, vi = pi[order], vi[order]
        first = np.ones(len(pi), dtype=bool)
        first[1:] = pi[1:] != pi[:-1]
        unit[pi[first]] = vi[first]
        _refuse_overlaps(pi[~first], vi, pi, mids, villages, codes)
    unassigned = np.flatnonzero(unit == GAP)
    if len(unassigned):
        # a piece along the outline (or a hole's ring) has its midpoint on the ring up to
        # rounding, which may put it a hair outside: within _ON_BOUNDARY_M it is on it
        pi, vi = villages.query(mids[unassigned], predicate="dwithin",
                                distance=_ON_BOUNDARY_M)
        if len(pi):
            order = np.lexsort((vi, pi))
            pi, vi = pi[order], vi[order]
            first = np.ones(len(pi), dtype=bool)
            first[1:] = pi[1:] != pi[:-1]
            unit[unassigned[pi[first]]] = vi[first]
            unassigned = np.flatnonzero(unit == GAP)
        inside = shapely.contains(city, mids[unassigned]) | shapely.dwithin(
            city_border, mids[unassigned], _ON_BOUNDARY_M)
        unit[unassigned[~inside]] = OUTSIDE
    return s0, s1, part, unit


def _refuse_overlaps(multi, vi, pi, mids, villages: PolygonArrays, codes) -> None:
    """Raise if a river runs where two villages overlap (one metre, two chiefs)."""
    if len(multi) == 0:
        return
    points = np.isin(pi, multi)
    inside = shapely.contains_properly(villages.of(vi[points]), mids[pi[points]])
    hits = pd.Series(vi[points][inside]).groupby(pi[points][inside]).agg(list)
    overlap = hits[hits.map(len) > 1]
    if len(overlap):
        pairs = sorted({"/".join(sorted(codes[v])) for v in overlap})
        raise DataQualityError(
            f"villages overlap where rivers run, so those stretches would have two chiefs: "
            f"{', '.join(pairs[:10])}" + (f" and {len(pairs) - 10} more" if len(pairs) > 10
                                          else ""),
            layer="village", hint="fix the village polygons so that they do not overlap; "
                                  "hzgeo.validate_boundaries lists every coverage defect")


def _complete_levels(boundaries: Boundaries) -> tuple[Boundaries, list[str]]:
    """Every reach level, and the levels that stand in for missing ones.

    Levels above the finest given are derived by dissolving on the code prefix. Levels
    below it (a city with counties and townships but no villages) get stand-ins: a unit
    per unit of the finest level, same polygon, code + ``000``, so that segmentation,
    which cuts at the finest polygons, runs unchanged; their reaches and zones are emptied
    in the result (the level does not exist: no reaches, no chiefs, no names).
    """
    from hzgeo.io import _dissolve_up

    levels = dict(boundaries.levels)
    given = [lvl for lvl in REACH_LEVELS if lvl in levels]
    if not given:
        raise InputError("segmentation needs a county, township or village level",
                         hint="give the county, township or village layer")
    stand_ins = list(REACH_LEVELS[REACH_LEVELS.index(given[-1]) + 1:])
    for level in stand_ins:
        above = levels[REACH_LEVELS[REACH_LEVELS.index(level) - 1]]
        levels[level] = above.assign(code=above["code"] + "000", parent_code=above["code"])
    for child, level in (("village", "township"), ("township", "county")):
        if level not in levels:
            levels[level] = _dissolve_up(levels[child], level)
    for level in ("village", "township", "county"):
        frame = levels[level]
        if "synthetic" not in frame.columns:
            frame = frame.assign(synthetic=False)
        levels[level] = frame
    return Boundaries(levels, dict(boundaries.origin), boundaries.outline,
                      boundaries.neighbours), stand_ins
