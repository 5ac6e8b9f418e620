"""Independent pieces of numpy work on two threads (the machine's second core).

Used where each piece is numpy, PROJ or GEOS work that releases the GIL, and where each
writes its own slice or returns its own arrays, gathered in order: the same result as in
turn, whatever the order the pieces finish in.

Examples
--------
>>> in_threads(lambda k: k * k, range(5))
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["in_threads"]

T = TypeVar("T")
R = TypeVar("R")

#: Threads for the pieces (1: in turn, as on a one-core machine).
THREADS = min(2, os.cpu_count() or 1)


def in_threads(work: Callable[[T], R], pieces: Iterable[T]) -> list[R]:
    """``[work(p) for p in pieces]``, on :data:`THREADS` threads; the threads end before
    this returns (a process that forks later has one thread again)."""
    pieces = list(pieces)
    if THREADS < 2 or len(pieces) < 2:
        return [work(p) for p in pieces]
    with ThreadPoolExecutor(THREADS, thread_name_prefix="hzgeo") as pool:
        return list(pool.map(work, pieces))
