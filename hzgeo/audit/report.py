"""The audit's report: :class:`AuditReport` and its files (JSON, GeoPackage)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from hzgeo import model as _model
from hzgeo.atomic import AtomicOutputs, atomic_outputs

__all__ = ["AuditReport"]


class AuditReport(_model.AuditReport):
    """What :func:`audit` found: :class:`hzgeo.model.AuditReport` (``ok``, ``summary``,
    ``defects``, ``coverage``; frozen) with its texts and files.
    """

    # ---- text
    def coverage_lines(self) -> list[str]:
        """One line per level, e.g. ``village: 652.36 km of river, 100.000 % with exactly
        one unit``."""
        from hzgeo.audit.render import coverage_lines

        return coverage_lines(self)

    def text(self, largest: int = 10) -> str:
        """The terminal summary: counts by kind and level, the largest defects with place
        names, a coverage line per level."""
        from hzgeo.audit.render import text

        return text(self, largest)

    # ---- files
    def to_dict(self) -> dict:
        """The JSON document: ``{"ok", "summary", "defects": [...]}``."""
        records = []
        for row in self.defects.drop(columns="geometry").to_dict("records"):
            row["codes"] = [c for c in str(row["codes"]).split(",") if c]
            row["names"] = [n for n in str(row["names"]).split(",") if n]
            for key in ("measure", "lon", "lat"):
                value = row[key]
                row[key] = None if pd.isna(value) else float(value)
            row["fixable"] = bool(row["fixable"])
            row["information"] = bool(row["information"])
            records.append(row)
        return {"ok": bool(self.ok), "summary": self.summary, "defects": records}

    def to_json(self, path: str | os.PathLike, *, outputs: AtomicOutputs | None = None
                ) -> None:
        """Write the JSON report (UTF-8), atomically."""
        if outputs is None:
            with atomic_outputs() as own:
                self.to_json(path, outputs=own)
            return
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        outputs.path(path).write_text(text + "\n", encoding="utf-8")

    def to_file(self, path: str | os.PathLike, *, outputs: AtomicOutputs | None = None,
                extra_layers: dict | None = None) -> None:
        """Write the GeoPackage: layer ``defects`` (EPSG:4490), layer ``about`` (one row:
        ``hzgeo_version``, ``data_date``, ``sources``, as in ``segments.gpkg``), plus
        ``extra_layers``."""
        from hzgeo.output import write_layers

        write_layers({"defects": self.defects, "about": self.about()}
                     | dict(extra_layers or {}), path, outputs=outputs)

    def about(self) -> pd.DataFrame:
        """Which hzgeo audited which data: one row, ``hzgeo_version``, ``data_date``,
        ``sources`` (from :attr:`summary`; empty where not known)."""
        return pd.DataFrame({key: [str(self.summary.get(key) or "")]
                             for key in ("hzgeo_version", "data_date", "sources")})

    def write(self, target: str | os.PathLike | dict, *, outputs: AtomicOutputs | None = None
              ) -> dict[str, Path]:
        """Write the JSON and the GeoPackage together, all or nothing.

        ``target`` is a folder (files ``audit.json`` and ``defects.gpkg`` in it) or
        ``{"json": path, "gpkg": path}`` (either may be left out). With ``outputs``
        the files join that set of outputs (as ``hzgeo run`` writes its results).
        Returns the paths written.
        """
        if isinstance(target, dict):
            unknown = set(target) - {"json", "gpkg"}
            if unknown:
                raise ValueError(f"`target` keys were {sorted(unknown)} but are expected "
                                 "to be in ['gpkg', 'json']")
            paths = {k: Path(v) for k, v in target.items() if v is not None}
        else:
            folder = Path(target)
            paths = {"json": folder / "audit.json", "gpkg": folder / "defects.gpkg"}
        if outputs is None:
            with atomic_outputs() as own:
                return self.write(paths, outputs=own)
        if "json" in paths:
            self.to_json(paths["json"], outputs=outputs)
        if "gpkg" in paths:
            self.to_file(paths["gpkg"], outputs=outputs)
        return paths

