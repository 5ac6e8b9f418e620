"""The one exception family of hzgeo.

Every error that hzgeo raises for bad input is an :class:`HzgeoError`. Its message
names the file, the layer, the features (by code) and what to do, so that the
command line can print it as it is, without a traceback.

Examples
--------
>>> err = InputError("missing column 'code'", file="b.gpkg", layer="village",
...                  hint='map your column with `columns={"code": "XZQDM"}`')
>>> print(err)
b.gpkg, layer 'village': missing column 'code'
  what to do: map your column with `columns={"code": "XZQDM"}`
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CRSError",
    "DataQualityError",
    "HzgeoError",
    "HzgeoWarning",
    "InputError",
    "InputTypeError",
    "SliverWarning",
    "ValidationError",
]


def _short_list(items: Iterable[object], most: int = 10) -> str:
    texts = [str(i) for i in items]
    more = f" and {len(texts) - most} more" if len(texts) > most else ""
    return ", ".join(texts[:most]) + more


class HzgeoError(Exception):
    """Base class: an input or a run that hzgeo cannot use.

    Parameters
    ----------
    message : str
        What is wrong.
    file, layer : str, optional
        Where it is wrong.
    features : iterable, optional
        Codes (or row numbers) of the offending features.
    hint : str, optional
        What the user can do about it.
    """

    def __init__(self, message: str, *, file: object = None, layer: str | None = None,
                 features: Iterable[object] | None = None, hint: str | None = None):
        self.message = message
        self.file = None if file is None else str(file)
        self.layer = layer
        self.features = list(features) if features is not None else []
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.layer:
            where.append(f"layer {self.layer!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.features:
            text += f" (features: {_short_list(self.features)})"
        if self.hint:
            text += f"\n  what to do: {self.hint}"
        return text


class InputError(HzgeoError, ValueError):
    """The input cannot be used at all: missing file, layer, column, CRS, bad geometry type."""


class InputTypeError(InputError, TypeError):
    """An argument of a library call is of the wrong type (e.g. a GeoDataFrame where
    :class:`~hzgeo.Boundaries` belongs); also a :class:`TypeError`."""


#: The osmnx / STYLE name for the same thing.
ValidationError = InputError


class CRSError(InputError):
    """A layer has no CRS, a CRS that cannot be parsed, or one its coordinates cannot be
    in (degree-sized coordinates under a projected CRS, bounds outside the CRS's area of
    use, a region a few metres across)."""


class DataQualityError(HzgeoError, ValueError):
    """The data loads, but has defects the requested command cannot work around.

    The audit (``hzgeo check``) reports these; other commands refuse them.
    """


class HzgeoWarning(UserWarning):
    """Something odd but recoverable; the output says what was done about it."""


class SliverWarning(HzgeoWarning):
    """Reaches shorter than the minimum length were merged into their neighbours."""
