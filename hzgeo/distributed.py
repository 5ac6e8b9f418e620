"""Segmentation past one machine: the coverage cut county by county on dask.distributed.

The work that grows with the area (the unique edges of the village coverage, the
candidate pairs of river segments and edges, and the crossings) is done one county at a
time on the workers of a dask cluster; the river network stays one global vertex sequence,
and the driver lets the single-process run and merge logic of :func:`~hzgeo.segment_waters`
work on it. The result is therefore the single-process result exactly, not stitched
pieces:

* Each county's task gets the county's villages and every village whose box meets the
  county's box (a superset of its neighbours), so every edge of the county is found
  with both its units; it keeps the edges whose lower unit is in the county, so an edge on
  the border of two counties (where a 界河 runs) is kept by exactly one of them.
* Crossings are local to an edge: the (segment, edge) candidates of an edge depend only on
  the two boxes (:mod:`hzgeo._pairs`), and each crossing only on the segment and the edge.
* The driver sorts the edges of all counties as :func:`hzgeo._crossings.coverage_edges`
  orders them for the whole coverage, renumbers the pairs, and goes on as in one process:
  rivers that cross counties and stretches along county borders are found on the global
  sequence.

Examples
--------
>>> from hzgeo import datasets, segment_waters
>>> boundaries, waters = datasets.guigang()
>>> seg = segment_waters(boundaries, waters, workers=2)  # doctest: +SKIP
>>> with local_client(2) as client:  # doctest: +SKIP
...     seg = segment_waters(boundaries, waters, client=client)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from types import SimpleNamespace

import numpy as np
import shapely

from hzgeo._crossings import coverage_edges, crossings
from hzgeo._gridjoin import box_pairs
from hzgeo._pairs import pairs_of_runs, run_boxes
from hzgeo._shared import following_pairs
from hzgeo.errors import InputError

__all__ = ["cut_by_county", "local_client"]

#: How long to try to reach a scheduler given by its address.
CONNECT_TIMEOUT = "20s"

#: Counties are sent to the workers in this many tasks per worker (at least one county
#: each): enough to balance large and small counties, few enough to keep the overhead low.
TASKS_PER_WORKER = 4


def _distributed():
    try:
        import distributed
    except ImportError:
        raise InputError("working on several processes or machines needs dask.distributed",
                         hint='install it with: pip install "hzgeo[distributed]"') from None
    return distributed


@contextlib.contextmanager
def local_client(workers: int = 2, *, scheduler: str | None = None) -> Iterator:
    """A dask client: of a new local cluster of ``workers`` processes (one thread each), or
    of the running scheduler at ``scheduler`` (e.g. ``tcp://10.0.0.5:8786``); closed after.

    Raises
    ------
    InputError
        dask.distributed is not installed, ``workers`` is not a positive number, or the
        scheduler cannot be reached.
    """
    distributed = _distributed()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as err:
            raise InputError(f"cannot reach the dask scheduler at {scheduler}: {err}",
                             hint="start one with `dask scheduler` and workers with "
                                  "`dask worker ADDRESS`, and give its address") from None
        with client:
            yield client
        return
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise InputError(f"workers must be a positive whole number, got {workers!r}",
                         hint="give e.g. `workers=2`")
    with distributed.LocalCluster(n_workers=int(workers), threads_per_worker=1,
                                  processes=True, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


def cut_by_county(net, villages: np.ndarray, county_of_village: np.ndarray,
                  tol_part: np.ndarray, *, client=None, workers: int | None = None):
    """The coverage edges, candidate pairs and crossings of :func:`~hzgeo.segment_waters`,
    computed county by county on a dask cluster (``client``: a ``distributed.Client`` or
    the address of a running scheduler; else a local cluster of ``workers`` processes).

    Returns ``edges, edge_lo, edge_hi, edge_left, pair_seg, pair_edge, cut_s, cut_part``:
    the arrays the single-process stages give, edges in the same order, crossings in
    another order (which the steps after them do not depend on), and of the candidate
    pairs only those :func:`hzgeo._shared.following_pairs` keeps (the first thing
    :func:`~hzgeo._shared.shared_stretches` does with them).
    """
    if client is None or isinstance(client, str):
        with local_client(workers or 2, scheduler=client) as own:
            return cut_by_county(net, villages, county_of_village, tol_part, client=own)
    villages = np.asarray(villages, dtype=object)
    county_of_village = np.asarray(county_of_village)
    first, last, grow, run_box = run_boxes(net, distance=tol_part)
    # each county's box, and the villages and river runs that meet it
    bounds = shapely.bounds(villages)
    counties = np.unique(county_of_village)
    order = np.argsort(county_of_village, kind="stable")
    starts = np.searchsorted(county_of_village[order], counties)
    county_box = np.column_stack([np.minimum.reduceat(bounds[order, 0], starts),
                                  np.minimum.reduceat(bounds[order, 1], starts),
                                  np.maximum.reduceat(bounds[order, 2], starts),
                                  np.maximum.reduceat(bounds[order, 3], starts)])
    vi, vc = box_pairs(bounds, county_box)
    ri, rc = box_pairs(run_box, county_box)
    v_of = _split_by(vi, vc, len(counties))
    r_of = _split_by(ri, rc, len(counties))
    names = ("xy", "part_start", "first", "last", "grow", "run_box", "tol")
    shared = dict(zip(names, client.scatter(
        [net.xy, net.part_start, first, last, grow, run_box, np.asarray(tol_part, dtype=float)],
        broadcast=True), strict=True))
    n_workers = max(1, len(client.scheduler_info().get("workers", {})))
    groups = np.array_split(np.arange(len(counties)),
                            min(len(counties), n_workers * TASKS_PER_WORKER))
    futures = []
    for group in groups:
        idx = np.unique(np.concatenate([v_of[k] for k in group]))
        runs = np.unique(np.concatenate([r_of[k] for k in group]))
        # the task's data go ahead as data, not inside the task graph (a list: each item
        # under a key of its own content; a dict would reuse its keys for every task)
        data = client.scatter([villages[idx], idx, county_of_village[idx], runs])
        futures.append(client.submit(_cut_counties, counties[group], *data, shared,
                                     pure=False))
    results = client.gather(futures)
    return _combine(results)


def _split_by(item: np.ndarray, group: np.ndarray, n: int) -> list[np.ndarray]:
    """``item`` split by ``group`` (0 .. n - 1), each list sorted."""
    order = np.lexsort((item, group))
    bounds = np.searchsorted(group[order], np.arange(n + 1))
    items = item[order]
    return [items[bounds[k]:bounds[k + 1]] for k in range(n)]


def _cut_counties(codes, polygons, index, county, runs, shared):
    """One task: the edges (with global unit numbers), pairs and crossings of the counties
    ``codes``. ``polygons`` are every village whose box meets one of the counties' boxes
    (``index``: their global numbers, sorted, so that the lower unit of an edge is the
    same here as in the whole coverage), ``runs`` the river runs that meet them."""
    edges, lo, hi, left = coverage_edges(polygons)
    own = np.isin(county[lo], codes)
    edges, lo, hi, left = edges[own], lo[own], hi[own], left[own]
    lo = index[lo]
    hi = np.where(hi >= 0, index[np.maximum(hi, 0)], -1)
    left = np.where(left >= 0, index[np.maximum(left, 0)], -1)
    seg, edge = pairs_of_runs(shared["xy"], shared["first"][runs], shared["last"][runs],
                              shared["grow"][runs], shared["run_box"][runs], edges)
    net = SimpleNamespace(xy=shared["xy"], part_start=shared["part_start"])
    cut_s, cut_part = crossings(net, edges, seg, edge)
    # only the pairs the search for shared stretches keeps go back to the driver
    seg, edge = following_pairs(net, seg, edge, edges, hi, shared["tol"])
    return edges, lo, hi, left, seg, edge, cut_s, cut_part


def _combine(results):
    """The counties' arrays as one: edges in :func:`coverage_edges`'s order, pairs
    renumbered to them."""
    edges = np.concatenate([r[0] for r in results]) if results else np.zeros((0, 2, 2))
    lo, hi, left = (np.concatenate([r[k] for r in results]).astype(int) for k in (1, 2, 3))
    offset = np.concatenate([[0], np.cumsum([len(r[0]) for r in results])])
    key = edges.reshape(-1, 4)
    order = np.lexsort(key.T[::-1])
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(len(order))
    seg = np.concatenate([r[4] for r in results]).astype(int)
    edge = rank[np.concatenate([r[5] + offset[k] for k, r in enumerate(results)]).astype(int)]
    cut_s = np.concatenate([r[6] for r in results])
    cut_part = np.concatenate([r[7] for r in results]).astype(int)
    return (edges[order], lo[order], hi[order], left[order], seg, edge, cut_s, cut_part)
