"""The raw schema of the build database: returns as parsed, every cell as text, with lineage.

Values always travel as bound parameters or Arrow tables, never spliced into SQL text.
"""

from __future__ import annotations

import datetime as dt

import duckdb

# Bump when a raw table's columns change: an older raw schema in a build database is dropped and
# every return re-parsed (raw is derived from the landing folder, so nothing is lost).
RAW_SCHEMA_VERSION = 2

RAW_DDL = """
create schema if not exists raw;
create table if not exists raw.schema_version (version integer not null);
create table if not exists raw.force_returns (
    return_id varchar primary key,
    landing_folder varchar not null,
    force varchar not null,
    reference varchar not null,
    received varchar not null,
    period_start varchar not null,
    period_end varchar not null,
    data_origin varchar not null,
    notes varchar,
    content_sha256 varchar not null,
    loaded_at timestamp not null
);
create table if not exists raw.return_supersessions (
    return_id varchar not null,
    supersedes_return_id varchar not null
);
create table if not exists raw.return_files (
    return_id varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    source_url varchar,
    layout varchar not null,
    suppressed_lower integer not null,
    suppressed_upper integer not null,
    cell_count bigint not null
);
create table if not exists raw.return_suppression_markers (
    return_id varchar not null,
    source_file varchar not null,
    sheet varchar,
    marker varchar not null,
    meaning varchar not null  -- 'suppressed' (a small count withheld) or 'nil' (zero)
);
create table if not exists raw.return_cells (
    return_id varchar not null,
    source_file varchar not null,
    file_sha256 varchar not null,
    sheet varchar,
    source_row integer not null,
    source_column varchar not null,
    source_header varchar,
    month_raw varchar,
    month varchar,
    offence_raw varchar,
    nationality_raw varchar,
    sex_raw varchar,
    age_band_raw varchar,
    count_raw varchar
);
create table if not exists raw.quarantined_returns (
    landing_folder varchar primary key,
    content_sha256 varchar not null,
    error varchar not null,
    quarantined_at timestamp not null
);
"""

_TABLES_BY_RETURN = (
    "raw.return_cells",
    "raw.return_suppression_markers",
    "raw.return_files",
    "raw.return_supersessions",
    "raw.force_returns",
)


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
            version = con.execute("select max(version) from raw.schema_version").fetchone()[0]
        if version != RAW_SCHEMA_VERSION:
            con.execute("drop schema raw cascade")
    con.execute(RAW_DDL)
    if con.execute("select count(*) from raw.schema_version").fetchone()[0] == 0:
        con.execute("insert into raw.schema_version values (?)", [RAW_SCHEMA_VERSION])


def loaded_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """landing folder -> (return id, content sha256) of every return already in raw."""
    rows = con.execute(
        "select landing_folder, return_id, content_sha256 from raw.force_returns"
    ).fetchall()
    return {folder: (rid, sha) for folder, rid, sha in rows}


def quarantined_fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """landing folder -> (content sha256, error) of every quarantined return."""
    rows = con.execute(
        "select landing_folder, content_sha256, error from raw.quarantined_returns"
    ).fetchall()
    return {folder: (sha, error) for folder, sha, error in rows}


def stored_return_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every return id any raw table holds rows of."""
    ids: set[str] = set()
    for table in _TABLES_BY_RETURN:
        rows = con.execute(f"select distinct return_id from {table}").fetchall()
        ids.update(rid for (rid,) in rows)
    return ids


def drop_return(con: duckdb.DuckDBPyConnection, return_id: str) -> None:
    for table in _TABLES_BY_RETURN:
        con.execute(f"delete from {table} where return_id = ?", [return_id])


def clear_quarantine(con: duckdb.DuckDBPyConnection, landing_folder: str) -> None:
    con.execute("delete from raw.quarantined_returns where landing_folder = ?", [landing_folder])


def quarantine(
    con: duckdb.DuckDBPyConnection, landing_folder: str, content_sha256: str, error: str
) -> None:
    clear_quarantine(con, landing_folder)
    con.execute(
        "insert into raw.quarantined_returns values (?, ?, ?, ?)",
        [landing_folder, content_sha256, error, dt.datetime.now(dt.UTC).replace(tzinfo=None)],
    )
