"""Read the published marts into pandas frames for one period.

The report is a reader like any analyst: it opens the published file read-only, so it never
blocks a refresh. Table and column names are constants; the period is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.lib.report.errors import ReportError
from orchestration.lib.sql import read_sql, scalar

REQUIRED_TABLES = (
    "rates_by_region_offence",
    "nationality_rate_ratios",
    "return_coverage",
    "force_month_coverage",
    "headline_figures",
)
# The methodology's worked example also reads each force's person-years and the APS confidence
# limits; without them it states the method and leaves the numbers out.
APS_TABLES = (("marts", "rates_by_force_offence"), ("reference", "ref_force_population"))
Z95 = 1.959963984540054

# Any synthetic row in any table the report reads, whatever its period: the banner errs on the
# side of warning.
SYNTHETIC_ROWS_SQL = " union all ".join(
    f"select count(*) from marts.{table} where data_origin = 'synthetic'"
    for table in REQUIRED_TABLES
)
LATEST_PERIOD_SQL = "select max(period) from marts.rates_by_region_offence"
TABLES_SQL = "select table_schema, table_name from information_schema.tables"


@dataclass(frozen=True)
class ReportData:
    period: str
    periods: list[str]
    rates: pd.DataFrame
    ratios: pd.DataFrame
    coverage: pd.DataFrame
    force_months: pd.DataFrame
    headlines: pd.DataFrame
    aps_terms: pd.DataFrame | None
    synthetic_rows: int
    published_at: str | None


def _tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {(schema, name) for schema, name in con.execute(TABLES_SQL).fetchall()}


def _frame(
    con: duckdb.DuckDBPyConnection, query: str, period: str, *before: object
) -> pd.DataFrame:
    """One period of a mart, by the query in `<query>.sql` beside this module."""
    return con.execute(read_sql(__package__, query), [*before, period]).df()


def load_report_data(warehouse: Path) -> ReportData:
    """Everything the report shows, for the latest period in the published warehouse."""
    if not warehouse.exists():
        raise ReportError(f"no published warehouse at {warehouse}; run `warehouse refresh` first")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            tables = _tables(con)
            missing = [t for t in REQUIRED_TABLES if ("marts", t) not in tables]
            if missing:
                raise ReportError(
                    f"{warehouse} has no marts.{', marts.'.join(missing)}; "
                    "refresh it with this version of the warehouse"
                )
            period = scalar(con, LATEST_PERIOD_SQL)
            if period is None:
                raise ReportError(f"{warehouse}: marts.rates_by_region_offence is empty")
            periods = [
                r[0]
                for r in con.execute(
                    "select distinct period from marts.rates_by_region_offence order by 1"
                ).fetchall()
            ]
            published_at = None
            if ("meta", "publication") in tables:
                published_at = scalar(con, "select max(published_at) from meta.publication")
            return ReportData(
                period=period,
                periods=periods,
                rates=_frame(con, "rates_by_region", period),
                ratios=_frame(con, "rate_ratios", period),
                coverage=_frame(con, "return_coverage", period),
                force_months=_frame(con, "force_month_coverage", period),
                headlines=_frame(con, "headline_figures", period),
                aps_terms=(
                    _frame(con, "aps_terms", period, Z95)
                    if all(t in tables for t in APS_TABLES)
                    else None
                ),
                synthetic_rows=sum(r[0] for r in con.execute(SYNTHETIC_ROWS_SQL).fetchall()),
                published_at=None if published_at is None else f"{published_at:%Y-%m-%d %H:%M} UTC",
            )
    except duckdb.Error as exc:
        # A mart without a column the report needs: name the file and DuckDB's message.
        raise ReportError(f"cannot read {warehouse}: {exc}") from exc
