"""Write-audit-publish, the publish step: copy the audited build database to a temporary file
beside the published one, stamp it with what it was built from, export its marts, then swap it in
with one atomic rename. The version it replaces is kept (a hard link, no copy) for rollback.

Readers open the published file read-only. A reader that opened the previous version keeps reading
it (the rename leaves its open inode intact); a reader opening after the rename sees the new one.
Nobody ever sees a half-written file, and the build database's write lock never touches readers.
A crash at any point leaves the published file as it was; leftovers are cleared on the next publish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib import atomic
from orchestration.lib.settings import REPO_ROOT
from orchestration.lib.sql import read_sql, scalar

KEEP_VERSIONS = 5
_STAMP = re.compile(r"^\d{8}T\d{6}\d{6}Z$")


@dataclass(frozen=True)
class Publication:
    path: Path
    publication_id: str
    published_at: dt.datetime
    tables: dict[str, int]  # marts table -> rows
    parquet_dir: Path


def versions_dir(published: Path) -> Path:
    return published.parent / "versions"


def list_versions(published: Path) -> list[Path]:
    """Earlier published versions, newest first: versions/<time>/<published name> (the published
    file's name, so a kept version opens as the same catalog; its views name none)."""
    folder = versions_dir(published)
    if not folder.is_dir():
        return []
    for legacy in folder.glob(f"{published.stem}-*.duckdb"):  # kept before this layout
        if _STAMP.match(stamp := legacy.stem.removeprefix(f"{published.stem}-")):
            (folder / stamp).mkdir(exist_ok=True)
            os.replace(legacy, folder / stamp / published.name)
    found = [
        p / published.name
        for p in folder.iterdir()
        if _STAMP.match(p.name) and (p / published.name).is_file()
    ]
    return sorted(found, reverse=True)


def code_version() -> str:
    """The git commit the code ran from, or 'unknown' outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return result.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clear_leftovers(published: Path) -> None:
    """Temporary files of a publish that crashed before its rename."""
    for leftover in atomic.leftovers(published):
        leftover.unlink(missing_ok=True)


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _stamp(
    con: duckdb.DuckDBPyConnection,
    publication_id: str,
    now: dt.datetime,
    inputs: list[tuple[str, str]],
    checks: list[tuple[str, bool]],
) -> None:
    """Record what this publication was built from, readable with SQL from the published file."""
    con.execute(read_sql(__package__, "meta_tables"))
    con.execute(
        "insert into meta.publication values (?, ?, ?, ?)",
        [publication_id, now, code_version(), len(inputs)],
    )
    con.executemany("insert into meta.publication_inputs values (?, ?)", [list(i) for i in inputs])
    con.executemany("insert into meta.publication_checks values (?, ?)", [list(c) for c in checks])


def _export_parquet(con: duckdb.DuckDBPyConnection, tables: list[str], parquet_dir: Path) -> None:
    """One Parquet file per mart, each written to a temporary name and renamed into place."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    for table in tables:
        with atomic.atomic_path(parquet_dir / f"{table}.parquet") as tmp:
            # Table names come from the catalogue, not from input; quoted as identifiers.
            con.execute(f"copy marts.\"{table}\" to '{tmp.as_posix()}' (format parquet)")


def _keep_previous(published: Path, now: dt.datetime) -> None:
    """Hard-link the version about to be replaced into versions/, keeping the newest few."""
    if not published.exists():
        return
    folder = versions_dir(published) / f"{now:%Y%m%dT%H%M%S%fZ}"
    folder.mkdir(parents=True, exist_ok=True)
    os.link(published, folder / published.name)
    for old in list_versions(published)[KEEP_VERSIONS:]:
        _drop_version(old)


def _drop_version(version: Path) -> None:
    version.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # another file was put there by hand: leave the folder
        version.parent.rmdir()


def publish(
    build_db: Path, published: Path, inputs: list[tuple[str, str]], checks: list[tuple[str, bool]]
) -> Publication:
    """Publish the build database atomically. `inputs` are (return id, content sha256) pairs and
    `checks` the (check name, passed) results of the run being published."""
    published.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(published)
    # Fold the write-ahead log into the build file so the copy is complete on its own.
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    publication_id = f"{now:%Y%m%dT%H%M%S%fZ}"
    with atomic.atomic_path(published) as tmp:
        shutil.copyfile(build_db, tmp)
        with duckdb.connect(str(tmp)) as con:
            # The build's own bookkeeping (which returns passed the cell checks) is not published.
            con.execute("drop schema if exists audit cascade")
            _stamp(con, publication_id, now, inputs, checks)
            tables = _mart_tables(con)
            counts = {t: scalar(con, f'select count(*) from marts."{t}"') for t in tables}
            _export_parquet(con, tables, published.parent / "parquet")
            con.execute("checkpoint")
        _fsync(tmp)
        _keep_previous(published, now)
    return Publication(published, publication_id, now, counts, published.parent / "parquet")


def rollback(published: Path, version: Path | None = None) -> Path:
    """Publish an earlier version again (the newest kept one unless named), atomically."""
    available = list_versions(published)
    if version is None:
        if not available:
            raise FileNotFoundError(
                f"no earlier versions of {published} are kept in {versions_dir(published)}"
            )
        version = available[0]
    if version not in available:
        raise FileNotFoundError(f"{version} is not a kept version of {published}")
    with atomic.atomic_path(published) as tmp:
        os.link(version, tmp)
        # The version being replaced is kept too: a rollback never loses a publication.
        _keep_previous(published, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    _drop_version(version)  # it is the published file now
    with duckdb.connect(str(published), read_only=True) as con:
        _export_parquet(con, _mart_tables(con), published.parent / "parquet")
    return version
