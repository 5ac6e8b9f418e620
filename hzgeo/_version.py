"""hzgeo's version, as installed (``0+unknown`` in a source tree never installed).

(Apart from ``hzgeo/__init__.py`` so that the modules that stamp their outputs with it do
not import the package that imports them.)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("hzgeo")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
