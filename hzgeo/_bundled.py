"""Where the bundled sample data is: ``hzgeo/_data/`` in a wheel, ``data/`` in a checkout.

(Apart from :mod:`hzgeo.datasets`, which reads the data with :mod:`hzgeo.io`, so that
:mod:`hzgeo.io` can find the default files without importing its own caller.)

Examples
--------
>>> get_path("waters").name
'guigang_waters.gpkg'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "get_path"]

_FILES = {
    "boundaries": Path("boundaries") / "guigang_boundaries.gpkg",
    "waters": Path("rivers") / "guigang_waters.gpkg",
    "sources": Path("SOURCES.md"),
    "officials": Path("officials") / "guigang_officials.csv",
}


def data_dir() -> Path:
    """The folder holding ``boundaries/`` and ``rivers/``."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data", package.parent / "data"):
        if (candidate / _FILES["boundaries"]).exists():
            return candidate
    raise FileNotFoundError(
        f"hzgeo's bundled data is missing (looked in {package / '_data'} and "
        f"{package.parent / 'data'}); reinstall hzgeo")


def get_path(name: str) -> Path:
    """Path of a bundled file: ``"boundaries"``, ``"waters"``, ``"sources"`` or
    ``"officials"``."""
    if name not in _FILES:
        raise ValueError(f"`name` was {name!r} but is expected to be in {sorted(_FILES)}")
    return data_dir() / _FILES[name]
