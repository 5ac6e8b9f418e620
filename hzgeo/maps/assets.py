"""Offline assets: Leaflet from the ``xstatic-leaflet`` package, the CJK font from
``noto-cjk-sans-otc``; both install from PyPI with hzgeo, nothing is copied into our tree.

- Leaflet 1.9.3 (BSD-2-Clause; the version folium 0.20 writes for) is inlined into each
  HTML map, its CSS images as ``data:`` URIs, so a map opened from disk draws with no
  network at all.
- Noto Sans CJK (SIL Open Font License 1.1, Google/Adobe) is loaded by file path for the
  static sheets; the Simplified Chinese face of the collection is used.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from importlib import resources
from pathlib import Path

from hzgeo.errors import HzgeoError

__all__ = ["cjk_font", "leaflet_css", "leaflet_js", "map_js"]


def _leaflet_dir() -> Path:
    try:
        from xstatic.pkg import leaflet
    except ImportError as err:  # pragma: no cover - a dependency of hzgeo
        raise HzgeoError("the package 'xstatic-leaflet' is missing",
                         hint="pip install xstatic-leaflet (a dependency of hzgeo)") from err
    return Path(leaflet.BASE_DIR)


_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)


@cache
def leaflet_js() -> str:
    """Leaflet's minified script, without its source-map comment."""
    return _SOURCE_MAP.sub("", (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8"))


@cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with every ``url(images/...)`` made a ``data:`` URI."""
    folder = _leaflet_dir()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match) -> str:
        data = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


@cache
def map_js() -> str:
    """hzgeo's own script for the HTML map (layers, popups, legend, search)."""
    return resources.files("hzgeo.maps").joinpath("hzgeo_map.js").read_text(encoding="utf-8")


@cache
def cjk_font():
    """The Noto Sans CJK SC font as a matplotlib ``FontProperties``, loaded by file path."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    try:
        import noto_cjk_sans_otc
    except ImportError as err:  # pragma: no cover - a dependency of hzgeo
        raise HzgeoError("the package 'noto-cjk-sans-otc' is missing",
                         hint="pip install noto-cjk-sans-otc (a dependency of hzgeo)") from err
    path = str(Path(str(noto_cjk_sans_otc.FONT_PATH)))
    face = 0
    for index in range(FT2Font(path).num_faces):
        if FT2Font(path, face_index=index).family_name == "Noto Sans CJK SC":
            face = index
            break
    font_path = getattr(font_manager, "FontPath", None)
    if font_path is not None and face:  # matplotlib >= 3.11 picks a face of a collection
        return font_manager.FontProperties(fname=font_path(path, face))
    return font_manager.FontProperties(fname=path)  # first face: the JP cut, same glyph set
