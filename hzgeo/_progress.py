"""Say what a long command is doing: a progress bar on a terminal, a line per step elsewhere.

Examples
--------
>>> import io
>>> stream = io.StringIO()
>>> steps = Steps(2, stream=stream, tty=False)
>>> with steps.step("segment"):
...     pass
>>> with steps.step("write"):
...     pass
>>> steps.close()
>>> [line.split(" ... ")[0] for line in stream.getvalue().splitlines()]
['hzgeo: [1/2] segment', 'hzgeo: [2/2] write']
>>> quiet = Steps(1, stream=stream, quiet=True)
>>> with quiet.step("nothing shown"):
...     pass
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import TextIO

__all__ = ["Steps"]


class Steps:
    """Numbered steps of a command.

    On a terminal, one tqdm bar over the steps, its label the step under way; when the
    output is not a terminal (a log file, CI), one line per finished step with its time;
    nothing with ``quiet``.
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, quiet: bool = False,
                 tty: bool | None = None) -> None:
        self.total = total
        self.done = 0
        self.quiet = quiet
        self.stream = sys.stderr if stream is None else stream
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar = None
        if not quiet and self.tty:
            from tqdm import tqdm

            class _Bar(tqdm):
                # no monitor thread: a process with threads must not fork, and
                # hzgeo.maps.write_maps forks its sheet workers (else draws in turn)
                monitor_interval = 0

            self._bar = _Bar(total=total, file=self.stream, leave=False, unit="step",
                             bar_format="hzgeo: {desc} [{n_fmt}/{total_fmt}] {elapsed}")

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Run one step under ``label``."""
        start = time.perf_counter()
        if self._bar is not None:
            self._bar.set_description_str(label)
        yield
        self.done += 1
        if self._bar is not None:
            self._bar.update(1)
        elif not self.quiet:
            print(f"hzgeo: [{self.done}/{self.total}] {label} ... "
                  f"{time.perf_counter() - start:.1f} s", file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the bar (the lines stay)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
