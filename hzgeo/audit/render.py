"""The audit as terminal text: counts by kind and level, the largest defects with place
names, one coverage line per level (what ``hzgeo check`` prints).

Examples
--------
>>> _amount(12_345.0, "m")
'12.35 km'
>>> _amount(2_000.0, "m2")
'2,000 m²'
"""

from __future__ import annotations

import pandas as pd

__all__ = ["coverage_lines", "text"]


def coverage_lines(report) -> list[str]:
    """One line per level, e.g. ``village: 652.36 km of river, 100.000 % with exactly
    one unit``."""
    lines = []
    for row in report.coverage.itertuples():
        line = (f"{row.level}: {row.water_m / 1000:,.2f} km of river, "
                f"{row.percent:.3f} % with exactly one {row.basis}")
        if row.lake_m2 > 0:
            line += (f"; {row.lake_m2 / 1e6:,.2f} km² of lakes, {row.lake_percent:.3f} % "
                     f"with exactly one {row.basis}")
        lines.append(line)
    return lines


def text(report, largest: int = 10) -> str:
    """The terminal summary: counts by kind and level, the largest defects with place
    names, a coverage line per level."""
    lines = []
    real = report.defects[~report.defects["information"].astype(bool)]
    info = report.defects[report.defects["information"].astype(bool)]
    if real.empty:
        lines.append("no defects")
    else:
        lines.append(f"{len(real)} defect(s):")
        lines += _counts(real)
    if len(info):
        lines.append(f"{len(info)} for information:")
        lines += _counts(info)
    if len(real):
        lines.append(f"largest defects (of {len(real)}):")
        ranked = real.assign(_size=real["measure"].fillna(0.0)).sort_values(
            "_size", ascending=False, kind="stable").head(largest)
        for row in ranked.itertuples():
            lines.append("  " + _describe(row))
    fixable = int(real["fixable"].astype(bool).sum())
    if fixable:
        lines.append(f"`fix=True` would repair {fixable} of them (fixable in the report)")
    lines.append(report.summary.get("water_duty", ""))
    if report.summary.get("chief_duty", "checked") != "checked":
        lines.append("chief duty " + report.summary["chief_duty"])
    lines += coverage_lines(report)
    return "\n".join(line for line in lines if line)


def _counts(rows: pd.DataFrame) -> list[str]:
    out = []
    for (kind, level), group in rows.groupby(["kind", "level"], sort=False):
        total = group["measure"].sum(min_count=1)
        unit = group["unit"].iloc[0]
        size = "" if pd.isna(total) or not unit else f", {_amount(total, unit)} in all"
        out.append(f"  {kind:<22} {level or '-':<9} {len(group):5d}{size}")
    return out


def _amount(value: float, unit: str) -> str:
    if unit == "m2":
        return f"{value / 1e6:,.3f} km²" if value >= 1e5 else f"{value:,.0f} m²"
    if unit == "m":
        return f"{value / 1000:,.2f} km" if value >= 1e4 else f"{value:,.1f} m"
    return f"{value:g}"


def _describe(row) -> str:
    names = str(row.names).replace(",", "、")
    codes = str(row.codes)
    what = f"{row.kind} ({row.level})" if row.level else row.kind
    water = f"{row.water_name} " if row.water_name else ""
    size = "" if pd.isna(row.measure) or not row.unit else \
        f" {_amount(row.measure, row.unit)}"
    where = f" in {names} ({codes})" if codes else ""
    at = f" at {row.lon:.5f}, {row.lat:.5f}" if pd.notna(row.lon) else ""
    return f"{what}:{size} {water}{where}{at}".replace("  ", " ")

