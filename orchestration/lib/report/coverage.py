"""Which force covered which month, for the coverage table and the tile grid.

`marts.force_month_coverage` says it month by month when present. Otherwise each force's months
come from `return_coverage`: a return covers a contiguous range, so first..last month is exact
when the range holds `months_covered` months, and marked uncertain when it does not (two returns
with a gap between them).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from orchestration.lib.report.tiles import TILE_POSITIONS

FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class MonthCell:
    state: str  # "covered", "uncertain" (inside the range, may be a gap) or "missing"
    suppressed_cells: int | None  # known only from force_month_coverage


@dataclass(frozen=True)
class ForceRow:
    force_code: str
    force_name: str
    region: str
    has_return: bool
    months: list[MonthCell]
    months_covered: int
    return_ids: str
    superseded_return_ids: str
    suppressed_cells: int | None
    unknown_nationality_share: float | None
    data_origin: str | None


@dataclass(frozen=True)
class Tile:
    force_code: str
    force_name: str
    label: str
    row: int
    col: int
    status: str  # "full", "partial" or "none"
    months_covered: int
    synthetic: bool


def _month_start(value: object) -> dt.date:
    return pd.Timestamp(value).date().replace(day=1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def period_months(period: str, coverage: pd.DataFrame) -> list[dt.date]:
    """A financial year '2023-24' is April 2023 to March 2024; otherwise the span of the data."""
    if FINANCIAL_YEAR.match(period):
        start = dt.date(int(period[:4]), 4, 1)
        return [_add_months(start, i) for i in range(12)]
    firsts, lasts = coverage["first_month"].dropna(), coverage["last_month"].dropna()
    if firsts.empty:
        return []
    first, last = _month_start(firsts.min()), _month_start(lasts.max())
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    return [_add_months(first, i) for i in range(span)]


def _optional_int(value: Any) -> int | None:
    return None if pd.isna(value) else int(value)


def _optional_float(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


def _flag(value: object) -> bool:
    return False if pd.isna(value) else bool(value)


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)


def _cells_from_range(row: pd.Series, months: list[dt.date]) -> list[MonthCell]:
    if not _flag(row["has_return"]) or pd.isna(row["first_month"]) or pd.isna(row["last_month"]):
        return [MonthCell("missing", None) for _ in months]
    first, last = _month_start(row["first_month"]), _month_start(row["last_month"])
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    inside = "covered" if span == _optional_int(row["months_covered"]) else "uncertain"
    return [MonthCell(inside if first <= m <= last else "missing", None) for m in months]


def _cells_from_months(force_months: pd.DataFrame, months: list[dt.date]) -> list[MonthCell]:
    by_month = {_month_start(r.month): r for r in force_months.itertuples()}
    return [
        MonthCell("covered", _optional_int(by_month[m].suppressed_cells))
        if m in by_month
        else MonthCell("missing", None)
        for m in months
    ]


def force_rows(
    coverage: pd.DataFrame, force_months: pd.DataFrame | None, months: list[dt.date]
) -> list[ForceRow]:
    """One row per force in return_coverage, in its order, with a cell per month of the period."""
    rows = []
    for _, row in coverage.iterrows():
        if force_months is not None:
            cells = _cells_from_months(
                force_months[force_months["force_code"] == row["force_code"]], months
            )
        else:
            cells = _cells_from_range(row, months)
        rows.append(
            ForceRow(
                force_code=str(row["force_code"]),
                force_name=_text(row["force_name"]),
                region=_text(row["region"]),
                has_return=_flag(row["has_return"]),
                months=cells,
                months_covered=_optional_int(row["months_covered"]) or 0,
                return_ids=_text(row["return_ids"]).replace(",", ", "),
                superseded_return_ids=_text(row["superseded_return_ids"]).replace(",", ", "),
                suppressed_cells=_optional_int(row["suppressed_cells"]),
                unknown_nationality_share=_optional_float(row["unknown_nationality_share"]),
                data_origin=None if pd.isna(row["data_origin"]) else str(row["data_origin"]),
            )
        )
    return rows


def tiles(rows: list[ForceRow], months_in_period: int) -> list[Tile]:
    """One tile per force in TILE_POSITIONS; a force absent from return_coverage sent nothing."""
    by_code = {r.force_code: r for r in rows}
    result = []
    for code, (grid_row, grid_col, label) in TILE_POSITIONS.items():
        row = by_code.get(code)
        covered = row.months_covered if row and row.has_return else 0
        status = "none" if covered == 0 else "full" if covered >= months_in_period else "partial"
        result.append(
            Tile(
                force_code=code,
                force_name=row.force_name if row else label,
                label=label,
                row=grid_row,
                col=grid_col,
                status=status,
                months_covered=covered,
                synthetic=bool(row and row.data_origin == "synthetic"),
            )
        )
    return result
