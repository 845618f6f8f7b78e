"""Write-audit-publish, the publish step: copy the audited build database to a temporary file
beside the published one, stamp it and export its marts, then swap it in with one atomic rename.

Readers open the published file read-only. A reader that opened the previous version keeps reading
it (the rename leaves its open inode intact); a reader opening after the rename sees the new one.
Nobody ever sees a half-written file, and the build database's write lock never touches readers.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)


@dataclass(frozen=True)
class Publication:
    path: Path
    published_at: dt.datetime
    tables: dict[str, int]  # marts table -> rows
    parquet_dir: Path


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _export_parquet(con: duckdb.DuckDBPyConnection, tables: list[str], parquet_dir: Path) -> None:
    """One Parquet file per mart, each written to a temporary name and renamed into place."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    for table in tables:
        target = parquet_dir / f"{table}.parquet"
        tmp = parquet_dir / f".{table}.{uuid.uuid4().hex}.parquet"
        # Table names come from the catalogue, not from input; quoted as identifiers.
        con.execute(f"copy marts.\"{table}\" to '{tmp.as_posix()}' (format parquet)")
        os.replace(tmp, target)


def publish(build_db: Path, published: Path, inputs: list[tuple[str, str]]) -> Publication:
    """Publish the build database atomically. `inputs` are (return id, content sha256) pairs."""
    published.parent.mkdir(parents=True, exist_ok=True)
    # Fold the write-ahead log into the build file so the copy is complete on its own.
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    tmp = published.parent / f".{published.name}.{uuid.uuid4().hex}.tmp"
    try:
        shutil.copyfile(build_db, tmp)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with duckdb.connect(str(tmp)) as con:
            con.execute("create schema if not exists meta")
            con.execute(
                "create or replace table meta.publication "
                "(published_at timestamp, return_id varchar, content_sha256 varchar)"
            )
            con.executemany(
                "insert into meta.publication values (?, ?, ?)",
                [[now, rid, sha] for rid, sha in inputs],
            )
            tables = _mart_tables(con)
            counts = {
                t: con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in tables
            }
            con.execute("checkpoint")
        _fsync(tmp)
        os.replace(tmp, published)
    finally:
        tmp.unlink(missing_ok=True)
    parquet_dir = published.parent / "parquet"
    with duckdb.connect(str(published), read_only=True) as con:
        _export_parquet(con, tables, parquet_dir)
    return Publication(published, now, counts, parquet_dir)
