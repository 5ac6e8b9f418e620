"""Write output files so that a failed or interrupted run leaves no partial file.

Every file hzgeo writes goes through :func:`atomic_outputs`: each file is written to a
temporary name beside its target, and only when the whole block succeeds are all of them
moved into place (``os.replace``, atomic on one file system). If anything fails, or the run
is interrupted (Ctrl-C, or SIGTERM, which the command line turns into the same), the
temporary files are removed and earlier outputs stay as they were, byte for byte.

Nothing is ever deleted to make room: :func:`check_output_path`, called by every command
before it reads its inputs, refuses an output path where a folder stands for a file (or a
file for a folder), a suffix the command cannot write, an input file, or a folder that
cannot be written.

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
>>> try:
...     check_output_path(folder, suffixes=(".gpkg",))  # a folder where the file goes
... except InputError as err:
...     print(err.message)
`out` is an existing folder; it names the file to write, and hzgeo never replaces a folder
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from hzgeo.errors import InputError

__all__ = ["AtomicOutputs", "atomic_outputs", "check_output_path", "commit_count"]

_commits = 0  # outputs moved into place in this process (see commit_count)


def commit_count() -> int:
    """How many output files this process has moved into place so far.

    The command line compares it before and after an interrupted run, to say truly
    whether anything was written.
    """
    return _commits


def _describe(suffixes: Iterable[str]) -> str:
    return " or ".join(suffixes)


def check_output_path(path: str | os.PathLike, *, suffixes: Iterable[str] = (".gpkg",),
                      kind: Literal["file", "folder"] = "file", option: str = "`out`",
                      inputs: Iterable[str | os.PathLike] = (), hint: str | None = None) -> Path:
    """Refuse an output path before any work starts; return it as a ``Path``.

    Parameters
    ----------
    path : path
        Where the command will write.
    suffixes : iterable of str, default (".gpkg",)
        The suffixes a file output may have (ignored for a folder).
    kind : {"file", "folder"}, default "file"
        A file to write (replaced whole if it exists) or a folder to write files into
        (created if missing; files in it that the command does not write are left alone).
    option : str, default "`out`"
        The argument's name in backticks (the command line says ``--out``), for the message.
    inputs : iterable of path, optional
        The command's input files: an output may not be one of them.
    hint : str, optional
        What to do, in place of the default advice (e.g. for a file the user did not name).

    Raises
    ------
    InputError
        The suffix is not one of ``suffixes``; a folder stands where the file goes, or a
        file where the folder goes; a file stands where a parent folder goes; the output
        is one of ``inputs``; the folder cannot be written.

    Examples
    --------
    >>> check_output_path("reaches.gpkg").name
    'reaches.gpkg'
    >>> check_output_path("reaches.csv", suffixes=(".gpkg",))
    Traceback (most recent call last):
    ...
    hzgeo.errors.InputError: reaches.csv: `out` must end in .gpkg, not '.csv'
      what to do: give a file name ending in .gpkg, e.g. reaches.gpkg
    """
    if kind not in ("file", "folder"):
        raise ValueError(f"`kind` was {kind!r} but is expected to be in ('file', 'folder')")
    try:
        return _check_output_path(Path(path), tuple(s.lower() for s in suffixes), kind,
                                  option, inputs)
    except InputError as err:
        if hint is None:
            raise
        raise InputError(err.message, file=err.file, hint=hint) from None


def _check_output_path(path: Path, suffixes: tuple[str, ...], kind: str, option: str,
                       inputs: Iterable[str | os.PathLike]) -> Path:
    if kind == "file":
        if path.is_dir():
            raise InputError(
                f"{option} is an existing folder; it names the file to write, and hzgeo never "
                "replaces a folder", file=path,
                hint=f"give a file name ending in {_describe(suffixes)}, e.g. "
                     f"{path / ('reaches' + suffixes[0])}")
        if path.suffix.lower() not in suffixes:
            got = f"not {path.suffix!r}" if path.suffix else "and has no suffix"
            raise InputError(f"{option} must end in {_describe(suffixes)}, {got}", file=path,
                             hint=f"give a file name ending in {_describe(suffixes)}, e.g. "
                                  f"{path.with_suffix(suffixes[0]).name}")
        if path.exists() and not path.is_file():
            raise InputError(f"{option} exists and is not a regular file", file=path,
                             hint="give the name of a file to write")
    elif path.exists() and not path.is_dir():
        raise InputError(f"{option} is an existing file; it names the folder to write into, "
                         "and hzgeo never replaces a file with a folder", file=path,
                         hint=f"give a folder name (created if missing), e.g. "
                              f"{path.with_suffix('')}_output")
    for given in inputs:
        given = Path(given)
        same = (path.resolve() == given.resolve()
                or (path.exists() and given.exists() and os.path.samefile(path, given)))
        if same:
            raise InputError(f"{option} is also an input of this command; writing would "
                             "replace it", file=path, hint="write to another file")
    folder = path if kind == "folder" else path.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{option} cannot be written: {existing} is a file, not a folder",
                         file=path, hint=f"choose another {option}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{option} cannot be written: folder {existing} is read-only",
                         file=path, hint=f"choose another {option}, or make the folder "
                                         "writable")
    return path


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while files are moved into place or cleaned up.

    A signal that arrives meanwhile is only noted, and acted on (as it would have been)
    when the block ends: a run is never stopped with some outputs replaced and others not,
    or with temporary files left over. Python runs signal handlers in the main thread only,
    so elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is signal.SIG_DFL or callable(handler):  # not ignored, not foreign
            previous[signum] = signal.signal(signum, lambda n, _: caught.append(n))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(caught):
            if callable(previous[number]):
                previous[number](number, None)
            else:
                signal.raise_signal(number)


class AtomicOutputs:
    """A set of files written together; see :func:`atomic_outputs`."""

    def __init__(self) -> None:
        self._pending: dict[Path, Path] = {}
        self._created: list[Path] = []  # folders made for the outputs, deepest last

    def path(self, target: str | os.PathLike) -> Path:
        """Return the temporary path to write ``target`` to (same folder, same suffix)."""
        target = Path(target)
        if target in self._pending:
            return self._pending[target]
        if target.is_dir():
            raise InputError("is an existing folder; hzgeo never replaces a folder with a file",
                             file=target, hint="move the folder away or write elsewhere")
        missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(f"cannot create the output folder: {err.strerror}",
                             file=target.parent, hint="choose another `out`") from err
        self._created += reversed(missing)
        tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex[:8]}.partial{target.suffix}")
        self._pending[target] = tmp
        return tmp

    def _commit(self) -> None:
        """Move every written file into place: all of them, or none.

        Existing targets are first moved aside (renamed beside themselves); a target that
        cannot be moved (on Windows, a file open in Excel or another program) stops the
        commit before any new file is in place, and the ones moved aside go back. Only
        when every new file is in place are the old ones deleted.
        """
        global _commits
        with _signals_deferred():
            written = {t: tmp for t, tmp in self._pending.items() if tmp.exists()}
            for target, tmp in written.items():
                if target.is_dir() and not tmp.is_dir():  # made since the run was checked
                    raise InputError("is an existing folder; hzgeo never replaces a folder "
                                     "with a file", file=target,
                                     hint="move the folder away or write elsewhere")
            aside: dict[Path, Path] = {}  # target -> its old version, moved aside
            placed: list[Path] = []
            at: Path | None = None  # the file being moved when a move fails
            try:
                for at in written:
                    if at.exists():
                        old = at.with_name(f".{at.stem}.{uuid.uuid4().hex[:8]}.old{at.suffix}")
                        os.replace(at, old)
                        aside[at] = old
                for at, tmp in written.items():
                    os.replace(tmp, at)
                    placed.append(at)
            except OSError as err:
                self._undo(aside, placed)
                raise _replace_error(at, err) from None
            for old in aside.values():
                _remove(old)
            _commits += len(written)
            self._pending.clear()
            self._created.clear()

    @staticmethod
    def _undo(aside: dict[Path, Path], placed: list[Path]) -> None:
        """Put the old versions back and remove new files that had none."""
        for target in placed:
            if target not in aside:
                _remove(target)
        for target, old in aside.items():
            with contextlib.suppress(OSError):
                os.replace(old, target)

    def _abort(self) -> None:
        with _signals_deferred():
            for tmp in self._pending.values():
                _remove(tmp)
            self._pending.clear()
            for folder in reversed(self._created):  # only the ones we made, if still empty
                with contextlib.suppress(OSError):
                    folder.rmdir()
            self._created.clear()


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _replace_error(target: Path | None, err: OSError) -> InputError:
    """The message for an output that could not be put in place (nothing was written)."""
    if isinstance(err, PermissionError):
        return InputError("cannot be replaced: the file is open in another program (Excel, "
                          "a GIS, a PDF viewer ...) or read-only; nothing was written, the "
                          "earlier outputs are as they were", file=target,
                          hint="close it in Excel / the program holding it, then run again")
    return InputError(f"cannot be replaced ({err.strerror or err}); nothing was written, "
                      "the earlier outputs are as they were", file=target,
                      hint="check the disk and the folder's permissions, then run again")


@contextlib.contextmanager
def atomic_outputs() -> Iterator[AtomicOutputs]:
    """Context manager: write files to temporary paths, move all into place on success.

    On any error, and on ``KeyboardInterrupt``, the temporary files (and any folder made
    for them) are removed and earlier outputs are left as they were.
    """
    outputs = AtomicOutputs()
    try:
        yield outputs
        outputs._commit()
    except BaseException:
        outputs._abort()
        raise
