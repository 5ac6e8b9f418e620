"""Write output files so that a failed or interrupted run leaves no partial file.

Every file hzgeo writes goes through :func:`atomic_outputs`: each file is written to a
temporary name beside its target, and only when the whole block succeeds are all of them
moved into place (``os.replace``, atomic on one file system). If anything fails, the
temporary files are removed and earlier outputs stay as they were.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_outputs() as out:
...     _ = out.path(folder / "a.csv").write_text("code\\n1\\n")
>>> sorted(p.name for p in folder.iterdir())
['a.csv']
>>> try:
...     with atomic_outputs() as out:
...         _ = out.path(folder / "b.csv").write_text("half")
...         raise RuntimeError("disk full")
... except RuntimeError:
...     pass
>>> sorted(p.name for p in folder.iterdir())
['a.csv']
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

__all__ = ["AtomicOutputs", "atomic_outputs"]


class AtomicOutputs:
    """A set of files written together; see :func:`atomic_outputs`."""

    def __init__(self) -> None:
        self._pending: dict[Path, Path] = {}

    def path(self, target: str | os.PathLike) -> Path:
        """Return the temporary path to write ``target`` to (same folder, same suffix)."""
        target = Path(target)
        if target in self._pending:
            return self._pending[target]
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.partial{target.suffix}")
        self._pending[target] = tmp
        return tmp

    def _commit(self) -> None:
        for target, tmp in self._pending.items():
            if not tmp.exists():  # nothing was written for it
                continue
            if target.is_dir() and not tmp.is_dir():
                shutil.rmtree(target)
            os.replace(tmp, target)
        self._pending.clear()

    def _abort(self) -> None:
        for tmp in self._pending.values():
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        self._pending.clear()


@contextlib.contextmanager
def atomic_outputs() -> Iterator[AtomicOutputs]:
    """Context manager: write files to temporary paths, move all into place on success.

    Also on ``KeyboardInterrupt``: the temporary files are removed.
    """
    outputs = AtomicOutputs()
    try:
        yield outputs
    except BaseException:
        outputs._abort()
        raise
    outputs._commit()
