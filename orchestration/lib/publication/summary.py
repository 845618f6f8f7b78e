"""What a publication says about itself, read back from the published file: return coverage per
period and the headline figures as a markdown table (shown on the publication asset in Dagster)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import duckdb

from orchestration.lib.sql import read_sql, scalar


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _figure(value: Any, unit: str) -> str:
    if _missing(value):
        return "—"
    return f"{float(value) * 100:.1f}%" if unit == "share" else f"{float(value):.2f}×"


def _cell(text: Any) -> str:
    """Text safe inside a markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def headline_figures_markdown(con: duckdb.DuckDBPyConnection) -> str:
    """The headline figures as a markdown table: value (and how it was estimated), its feasible
    range under suppression, its 95% interval, forces reporting, population coverage, and a
    SYNTHETIC marker on figures built from synthetic data."""
    rows = con.execute(read_sql(__package__, "headline_figures")).fetchall()
    if not rows:
        return "_No headline figures in this publication._"
    synthetic = any(r[-1] == "synthetic" for r in rows)
    lines = []
    if synthetic:
        lines += [
            "**SYNTHETIC DATA**: figures marked SYNTHETIC were built from generated sample "
            "returns, not police or Home Office data.",
            "",
        ]
    lines += [
        "| Figure | Period | Value (95% interval) | Range under suppression | Forces reporting "
        "| Population coverage | Data |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        fid, desc, period, value, least, greatest, method, lower, upper, unit, *rest = row
        reporting, total, coverage, origin = rest
        value_text = _figure(value, unit) + (" (midpoint)" if method == "midpoint" else "")
        if not _missing(lower) and not _missing(upper):
            value_text += f" ({_figure(lower, unit)} to {_figure(upper, unit)})"
        forces = f"{'—' if reporting is None else reporting} of {'—' if total is None else total}"
        covered = "—" if _missing(coverage) else f"{float(coverage) * 100:.0f}%"
        marker = "**SYNTHETIC**" if origin == "synthetic" else _cell(origin or "—")
        lines.append(
            f"| {_cell(desc or fid)} (`{_cell(fid)}`) | {_cell(period)} | {value_text} "
            f"| {_figure(least, unit)} to {_figure(greatest, unit)} | {forces} | {covered} "
            f"| {marker} |"
        )
    return "\n".join(lines)


def return_coverage_summary(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per period: forces with a return out of all forces, and force-months covered; plus the
    number of quarantined returns."""
    columns = (
        "forces_with_return",
        "forces_total",
        "force_months_covered",
        "force_months_possible",
    )
    periods = {
        period: dict(zip(columns, rest, strict=True))
        for period, *rest in con.execute(read_sql(__package__, "coverage_by_period")).fetchall()
    }
    quarantined = scalar(con, "select count(*) from raw.quarantined_returns")
    return {"periods": periods, "quarantined_returns": int(quarantined)}


def _read(con: duckdb.DuckDBPyConnection, read: Any, label: str, log: Any) -> Any:
    try:
        return read(con)
    except duckdb.Error as error:
        if log is not None:
            log.warning(f"no {label} for the metadata: {error}")
        return None


def published_summary(published: Path, log: Any = None) -> tuple[dict | None, str | None]:
    """Return coverage (return_coverage_summary) and the headline figures as markdown, read-only
    from the published file. The publication has already happened, so a missing mart is logged
    (with `log.warning`), never raised: what cannot be read is None."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            coverage = _read(con, return_coverage_summary, "return coverage", log)
            headlines = _read(con, headline_figures_markdown, "headline figures", log)
    except duckdb.Error as error:
        if log is not None:
            log.warning(f"could not read {published} for the metadata: {error}")
        return None, None
    return coverage, headlines
