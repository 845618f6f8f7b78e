"""What the landing loader reads and writes in one source's raw tables: which folders are loaded
(with their id and fingerprint), which are quarantined, dropping one id's rows, recording and
clearing a quarantine. Every statement is the registry's (landing/tables.py); values are bound
parameters or Arrow tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar

import duckdb
import pyarrow as pa

from orchestration.lib.landing.tables import ROWS_VIEW, RawSource, RawTable

T = TypeVar("T")


def now() -> dt.datetime:
    """A load or quarantine time as raw stores it: UTC, without a time zone."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def create_tables(con: duckdb.DuckDBPyConnection, source: RawSource) -> None:
    con.execute(source.sql.create)


def in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], T]) -> T:
    """Run `work` in one transaction: committed if it returns, rolled back if anything escapes."""
    con.begin()
    try:
        result = work()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return result


def loaded_fingerprints(
    con: duckdb.DuckDBPyConnection, source: RawSource
) -> dict[str, tuple[str, str]]:
    """folder -> (id, content sha256) of every folder already in raw."""
    rows = con.execute(source.sql.select_loaded).fetchall()
    return {folder: (folder_id, sha) for folder, folder_id, sha in rows}


def quarantined_fingerprints(
    con: duckdb.DuckDBPyConnection, source: RawSource
) -> dict[str, tuple[str, str]]:
    """folder -> (content sha256, error) of every quarantined folder."""
    rows = con.execute(source.sql.select_quarantined).fetchall()
    return {folder: (sha, error) for folder, sha, error in rows}


def stored_ids(con: duckdb.DuckDBPyConnection, source: RawSource) -> set[str]:
    """Every id any of the source's row tables holds rows of."""
    ids: set[str] = set()
    for statement in source.sql.select_ids:
        ids.update(folder_id for (folder_id,) in con.execute(statement).fetchall())
    return ids


def drop_id(con: duckdb.DuckDBPyConnection, source: RawSource, folder_id: str) -> None:
    """Delete one return's or dataset's rows from every row table of its source."""
    for statement in source.sql.drop_by_id:
        con.execute(statement, [folder_id])


def append(con: duckdb.DuckDBPyConnection, table: RawTable, rows: pa.Table) -> None:
    """Insert Arrow rows into a raw table, matching columns by name."""
    con.register(ROWS_VIEW, rows)
    try:
        con.execute(table.sql.insert_rows)
    finally:
        con.unregister(ROWS_VIEW)


def clear_quarantine(con: duckdb.DuckDBPyConnection, source: RawSource, folder: str) -> None:
    con.execute(source.sql.clear_quarantine, [folder])


def record_quarantine(
    con: duckdb.DuckDBPyConnection,
    source: RawSource,
    folder: str,
    content_sha256: str,
    error: str,
    facts: Mapping[str, object] | None = None,
) -> None:
    """Record (or replace) a folder's quarantine, with the facts it gave about itself in the
    quarantine's fact columns (NULL for a fact not given)."""
    facts = facts or {}
    columns = source.quarantine.facts
    unknown = sorted(set(facts) - set(columns))
    if unknown:
        raise ValueError(f"raw.{source.quarantine.name} has no fact column(s) {unknown}")
    clear_quarantine(con, source, folder)
    values = [folder, content_sha256, error, now(), *(facts.get(c) for c in columns)]
    con.execute(source.sql.insert_quarantine, values)
