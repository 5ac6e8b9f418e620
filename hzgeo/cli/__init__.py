"""The ``hzgeo`` command line: thin click commands over the library, no logic of their own.

Conventions every command follows:

- options: ``--boundaries``, ``--waters``, ``--out``, ``--crs`` (CRS of input that has none),
  ``--gcj02`` (input is GCJ-02 lon/lat), ``--encoding`` (of shapefiles without .cpg),
  ``--columns``, ``--layers``, ``--fix``, ``--county``, ``--quiet``, ``--debug``;
  later commands add ``--officials`` and ``--rules`` with the same spelling; each is read,
  repaired and limited by :func:`hzgeo.inputs.load`, the same for every command;
- exit status: 0 success, 1 the command worked and found defects (audit), 2 unusable input
  or failure;
- errors: one message naming file, layer, features and what to do; a traceback only
  with ``--debug``; the library names its arguments (`` `columns` ``), the command line
  says its options (``--columns``): :data:`~hzgeo.cli._options.OPTION_NAMES`;
- outputs: checked by :func:`hzgeo.atomic.check_output_path` before anything is read (a
  folder where a file goes or the reverse, a wrong suffix, an input, a read-only folder are
  refused), then written through :mod:`hzgeo.atomic`, so a failed or interrupted run
  (Ctrl-C, SIGTERM) leaves no partial file and earlier outputs as they were;
- the console: what it cannot show (``²`` on a GBK console) is replaced (``2``, else
  ``?``), never an error;
- the bundled Guigang sample is used only when neither ``--boundaries`` nor ``--waters`` is
  given, and the first line of output says so; it is never mixed with the user's data.
"""

from __future__ import annotations

import codecs
import io
import signal
import sys
import threading
import traceback
import unicodedata

import click

from hzgeo.atomic import commit_count
from hzgeo.cli._options import for_command_line
from hzgeo.cli.commands import EXIT_DEFECTS, EXIT_ERROR, EXIT_OK, cli, summary_lines
from hzgeo.errors import HzgeoError

__all__ = ["EXIT_DEFECTS", "EXIT_ERROR", "EXIT_OK", "cli", "main", "summary_lines"]


# --------------------------------------------------------------------------- the console


def _replace(err: UnicodeError) -> tuple[str, int]:
    """Characters the console cannot show: their compatibility form (² -> 2) if it can
    show that, else ``?``."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for char in err.object[err.start:err.end]:
        plain = unicodedata.normalize("NFKC", char)
        try:
            plain.encode(err.encoding)
        except UnicodeEncodeError:
            plain = "?"
        out.append(plain)
    return "".join(out), err.end


codecs.register_error("hzgeo.replace", _replace)


def tolerant_console() -> None:
    """Make stdout and stderr replace what their encoding cannot write, rather than fail
    (a GBK console on Chinese Windows cannot write ``²``). UTF-8 streams are left alone."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            name = codecs.lookup(stream.encoding).name
        except LookupError:
            continue
        if not name.startswith("utf") and stream.errors in ("strict", "backslashreplace"):
            stream.reconfigure(errors="hzgeo.replace")


# --------------------------------------------------------------------------- entry point


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is, so that it ends the way Ctrl-C does."""


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, 1 or 2).

    While it runs, SIGTERM is handled as Ctrl-C is: the outputs being written are
    abandoned, earlier outputs are left as they were, exit status 2.
    """
    tolerant_console()
    args = list(sys.argv[1:] if argv is None else argv)
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if on_main_thread else None
    if previous == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return _main(args)
    finally:
        if previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, previous)


def _main(args: list[str]) -> int:
    debug = "--debug" in args
    written = commit_count()
    try:
        status = cli.main(args=args, prog_name="hzgeo", standalone_mode=False)
    except click.exceptions.Exit as err:
        return err.exit_code
    except click.ClickException as err:
        err.show()
        return EXIT_ERROR
    except click.exceptions.Abort as err:
        how = "SIGTERM" if isinstance(err.__cause__, Terminated) else "Ctrl-C"
        click.echo(f"hzgeo: interrupted ({how}); " + (
            "its outputs had been written" if commit_count() > written else
            "no output was written, earlier outputs are as they were"), err=True)
        return EXIT_ERROR
    except HzgeoError as err:
        if debug:
            traceback.print_exc()
        click.echo(f"hzgeo: error: {for_command_line(str(err))}", err=True)
        return EXIT_ERROR
    except Exception as err:  # anything else is our bug or an unforeseen input
        if debug:
            traceback.print_exc()
        click.echo(f"hzgeo: error: {type(err).__name__}: {err}\n  what to do: rerun with "
                   "--debug for the traceback and report it", err=True)
        return EXIT_ERROR
    return int(status or 0)
