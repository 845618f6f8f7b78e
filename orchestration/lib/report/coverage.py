"""Which force covered which month, for the coverage table and the tile grid.

Everything comes from `marts.force_month_coverage`, one row per territorial force and month of the
period with its status: `received` (a current return declares the month), `quarantined` (a
return declaring it arrived but was quarantined, with the reason) or `missing`. A quarantined
return was received: it is never shown as "No return".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from orchestration.lib.report.tiles import TILE_POSITIONS

FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
RECEIVED, QUARANTINED, MISSING = "received", "quarantined", "missing"


@dataclass(frozen=True)
class MonthCell:
    state: str  # RECEIVED, QUARANTINED or MISSING
    suppressed_cells: int | None
    quarantine_reason: str  # "" unless a quarantined return declares the month

    @property
    def mark(self) -> str:
        """What the coverage table's month cell shows."""
        if self.state == RECEIVED:
            return str(self.suppressed_cells) if self.suppressed_cells else "✓"
        return "Q" if self.state == QUARANTINED else ""

    @property
    def title(self) -> str:
        """The month cell's tooltip where its mark does not say it all: a quarantined return and
        its reason. "" for ✓, a count of suppressed cells or a blank, which the legend explains
        (500 tooltips saying so would weigh on the page)."""
        if self.state == RECEIVED:
            if self.quarantine_reason:
                return f"Return received; another return was quarantined: {self.quarantine_reason}"
            return ""
        if self.state == QUARANTINED:
            return quarantined_text(self.quarantine_reason)
        return ""


@dataclass(frozen=True)
class ForceRow:
    force_code: str
    force_name: str
    region: str
    status: str  # RECEIVED, QUARANTINED or MISSING (return_coverage.status)
    quarantine_reason: str
    months: list[MonthCell]
    return_ids: str
    superseded_return_ids: str
    quarantined_folders: str  # folders of quarantined returns declaring any of its months
    suppressed_cells: int | None
    unknown_nationality_share: float | None
    data_origin: str | None

    @property
    def has_return(self) -> bool:
        return self.status == RECEIVED

    @property
    def months_received(self) -> int:
        return sum(cell.state == RECEIVED for cell in self.months)

    @property
    def status_text(self) -> str:
        return status_text(self.status, self.quarantine_reason)


@dataclass(frozen=True)
class Tile:
    force_code: str
    force_name: str
    label: str
    row: int
    col: int
    status: str  # "full", "partial", "quarantined" or "none"
    months_covered: int
    status_text: str
    flagged: bool  # received, but another return for the force was quarantined
    synthetic: bool


def quarantined_text(reason: str) -> str:
    return f"Return received, quarantined: {reason or 'reason not recorded'}"


def status_text(status: str, reason: str) -> str:
    """A force's or a month's status in the words the page uses everywhere."""
    if status == QUARANTINED:
        return quarantined_text(reason)
    if status == RECEIVED:
        if reason:
            return f"Return received; another return was quarantined: {reason}"
        return "Return received"
    return "No return"


def _month_start(value: object) -> dt.date:
    return pd.Timestamp(value).date().replace(day=1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def period_months(period: str, force_months: pd.DataFrame) -> list[dt.date]:
    """The months of the period: every month the coverage mart has for it (a financial year
    '2023-24' is April 2023 to March 2024, all twelve shown even if the mart lacked one)."""
    months = {_month_start(m) for m in force_months["month"].dropna()}
    if FINANCIAL_YEAR.match(period):
        start = dt.date(int(period[:4]), 4, 1)
        months.update(_add_months(start, i) for i in range(12))
    return sorted(months)


def _optional_int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _optional_float(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def _state(value: object) -> str:
    state = _text(value)
    return state if state in (RECEIVED, QUARANTINED) else MISSING


def _cells(force_months: pd.DataFrame, months: list[dt.date]) -> list[MonthCell]:
    by_month = {_month_start(r.month): r for r in force_months.itertuples()}
    cells = []
    for month in months:
        row = by_month.get(month)
        if row is None:
            cells.append(MonthCell(MISSING, None, ""))
            continue
        state = _state(row.status)
        cells.append(
            MonthCell(
                state,
                _optional_int(row.suppressed_cells) if state == RECEIVED else None,
                _text(row.quarantine_reason),
            )
        )
    return cells


def _folders(values: pd.Series) -> str:
    """The distinct folder names in comma-separated lists, in order."""
    names = {name.strip() for v in values.dropna() for name in str(v).split(",") if name.strip()}
    return ", ".join(sorted(names))


def force_rows(
    coverage: pd.DataFrame, force_months: pd.DataFrame, months: list[dt.date]
) -> list[ForceRow]:
    """One row per force in return_coverage, in its order, with a cell per month of the period."""
    by_force = {code: rows for code, rows in force_months.groupby("force_code", sort=False)}
    empty = force_months.iloc[0:0]
    rows = []
    for _, row in coverage.iterrows():
        code = str(row["force_code"])
        months_of_force = by_force.get(code, empty)
        rows.append(
            ForceRow(
                force_code=code,
                force_name=_text(row["force_name"]),
                region=_text(row["region"]),
                status=_state(row["status"]),
                quarantine_reason=_text(row["quarantine_reason"]),
                months=_cells(months_of_force, months),
                return_ids=_text(row["return_ids"]).replace(",", ", "),
                superseded_return_ids=_text(row["superseded_return_ids"]).replace(",", ", "),
                quarantined_folders=_folders(months_of_force["quarantined_folders"]),
                suppressed_cells=_optional_int(row["suppressed_cells"]),
                unknown_nationality_share=_optional_float(row["unknown_nationality_share"]),
                data_origin=None if pd.isna(row["data_origin"]) else str(row["data_origin"]),
            )
        )
    return rows


def _tile_status(row: ForceRow | None, months_in_period: int) -> str:
    if row is None:
        return "none"
    received = row.months_received
    if months_in_period and received >= months_in_period:
        return "full"
    if row.status == QUARANTINED or any(c.state == QUARANTINED for c in row.months):
        return "quarantined"
    return "partial" if received else "none"


def tiles(rows: list[ForceRow], months_in_period: int) -> list[Tile]:
    """One tile per force in TILE_POSITIONS; a force absent from return_coverage sent nothing."""
    by_code = {r.force_code: r for r in rows}
    result = []
    for code, (grid_row, grid_col, label) in TILE_POSITIONS.items():
        row = by_code.get(code)
        status = _tile_status(row, months_in_period)
        result.append(
            Tile(
                force_code=code,
                force_name=row.force_name if row else label,
                label=label,
                row=grid_row,
                col=grid_col,
                status=status,
                months_covered=row.months_received if row else 0,
                status_text=row.status_text if row else "No return",
                flagged=bool(row and row.quarantine_reason) and status != "quarantined",
                synthetic=bool(row and row.data_origin == "synthetic"),
            )
        )
    return result
