"""The bundled Guigang sample data, found without knowing where it was installed.

Inside an installed wheel the data sits in ``hzgeo/_data/``; in a source checkout
(editable install, or tests run from the repository) it is the repository's ``data/``.

Examples
--------
>>> get_path("boundaries").name
'guigang_boundaries.gpkg'
>>> boundaries, waters = guigang()
>>> len(boundaries["village"]), len(waters.rivers) > 7
(1195, True)
"""

from __future__ import annotations

from pathlib import Path

from hzgeo._bundled import data_dir, get_path

__all__ = ["data_dir", "get_path", "guigang", "guigang_officials"]

def guigang():
    """Load the bundled Guigang boundaries and waters: ``(Boundaries, Waters)``."""
    from hzgeo.io import read_boundaries, read_waters

    return read_boundaries(get_path("boundaries")), read_waters(get_path("waters"))


def guigang_officials() -> Path:
    """Path of the bundled sample office holders of Guigang (CSV, UTF-8 with BOM).

    Every name and phone number in it is **fictional** (虚构): names read ``张示例0001``,
    phones ``0775-0000xxxx``. Read it with :func:`hzgeo.read_officials`.

    Examples
    --------
    >>> guigang_officials().name
    'guigang_officials.csv'
    """
    return get_path("officials")
