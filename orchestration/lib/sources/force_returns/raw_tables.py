"""The force returns' tables of the raw schema (declared in orchestration/lib/landing/tables.py):
returns as parsed, every cell as text, with lineage; and the version of those tables."""

from __future__ import annotations

import duckdb

from orchestration.lib.landing import store
from orchestration.lib.landing.tables import FORCE_RETURN_TABLES
from orchestration.lib.sql import scalar

# Bump when a raw table's columns change: an older raw schema in a build database is dropped and
# every return re-parsed (raw is derived from the landing folder, so nothing is lost).
# 3: raw.quarantined_returns gained return_id, force, period_start, period_end.
# 4: raw.home_office_cells gained force_code, offence_group, measure, value_raw (shown text),
#    stored_raw, flag; raw.home_office_datasets gained rate_per.
# 5: table_row (several tables on one sheet) and return_cells.source_rows (record-level returns).
RAW_SCHEMA_VERSION = 5


def _raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'"
    ).fetchall()
    return {name for (name,) in rows}


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema; an older version of it is dropped first, so every return re-parses."""
    tables = _raw_tables(con)
    if tables:
        version = None
        if "schema_version" in tables:
            version = scalar(con, "select max(version) from raw.schema_version")
        if version != RAW_SCHEMA_VERSION:
            con.execute("drop schema raw cascade")
    store.create_tables(con, FORCE_RETURN_TABLES)
    if scalar(con, "select count(*) from raw.schema_version") == 0:
        con.execute("insert into raw.schema_version values (?)", [RAW_SCHEMA_VERSION])
