"""Write-audit-publish, the publish step: both outputs, the DuckDB file and its Parquet export, are
built together in a new version folder, and one pointer is switched to it last.

    <dir>/versions/<publication id>/<name>.duckdb   a complete version: the audited build copied,
    <dir>/versions/<publication id>/parquet/         stamped with its id (meta.publication), and
                                                     its marts as Parquet, each file stamped with
                                                     the same id (key-value metadata publication_id)
    <dir>/current -> versions/<publication id>       the one pointer, replaced atomically (rename)
    <dir>/<name>.duckdb -> current/<name>.duckdb     fixed links: readers keep their paths
    <dir>/parquet -> current/parquet

A version is assembled under a hidden staging name and renamed into versions/ only when whole, so
the pointer never names a partial one. Readers open the published file read-only through the links:
one that opened the previous version keeps reading it (its inode stays open), one opening after the
switch gets the new one. A crash at any step leaves `current` on the previous version or on the
new, complete one, so the DuckDB file and the Parquet export always come from the same version;
leftovers are cleared by the next publish. Each step calls `_reached(step)` first, a no-op the
tests replace to kill the process there (tests/test_faults.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib import atomic
from orchestration.lib.settings import REPO_ROOT
from orchestration.lib.sql import read_sql, scalar

KEEP_VERSIONS = 5
_STAMP = re.compile(r"^\d{8}T\d{6}\d{6}Z$")
STAGING_SUFFIX = ".staging"
# Marks a version that was published and then rolled back from: newer than `current`, yet kept.
ROLLED_BACK = ".rolled-back"
PUBLISH_STEPS = (
    "clear_leftovers",
    "checkpoint_build",
    "copy",
    "stamp",
    "export",
    "fsync",
    "seal",
    "switch",
    "link",
    "prune",
)
ROLLBACK_STEPS = ("rollback_export", "rollback_switch", "rollback_link")


@dataclass(frozen=True)
class Publication:
    path: Path
    publication_id: str
    published_at: dt.datetime
    tables: dict[str, int]  # marts table -> rows
    parquet_dir: Path


def _reached(step: str) -> None:
    """Called before each step of publish and rollback (PUBLISH_STEPS, ROLLBACK_STEPS)."""


def versions_dir(published: Path) -> Path:
    return published.parent / "versions"


def pointer(published: Path) -> Path:
    return published.parent / "current"


def parquet_link(published: Path) -> Path:
    return published.parent / "parquet"


def current_version(published: Path) -> Path | None:
    """The version folder `current` points to, or None before the first versioned publish."""
    link = pointer(published)
    if not link.is_symlink():
        return None
    return versions_dir(published) / Path(os.readlink(link)).name


def list_versions(published: Path) -> list[Path]:
    """Kept versions other than the published one, newest first: versions/<id>/<published name>
    (the published file's name, so a kept version opens as the same catalog; its views name none)."""
    folder = versions_dir(published)
    if not folder.is_dir():
        return []
    for legacy in folder.glob(f"{published.stem}-*.duckdb"):  # kept before version folders
        if _STAMP.match(stamp := legacy.stem.removeprefix(f"{published.stem}-")):
            (folder / stamp).mkdir(exist_ok=True)
            os.replace(legacy, folder / stamp / published.name)
    current = current_version(published)
    found = [
        p / published.name
        for p in folder.iterdir()
        if _STAMP.match(p.name) and p != current and (p / published.name).is_file()
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


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        _fsync(path)
    _fsync(folder)


def _clear_leftovers(published: Path) -> None:
    """What a publish or rollback that died left: staging folders, temporary links and files."""
    for link in (published, pointer(published), parquet_link(published)):
        for leftover in atomic.leftovers(link):
            leftover.unlink(missing_ok=True)
    folder = versions_dir(published)
    if folder.is_dir():
        for staging in folder.glob(f".*{STAGING_SUFFIX}"):
            shutil.rmtree(staging, ignore_errors=True)
        for version in folder.iterdir():
            shutil.rmtree(version / f".parquet{STAGING_SUFFIX}", ignore_errors=True)
        # A version sealed but never switched in (a publish that died at the switch) is dropped:
        # rollback only ever goes back to versions that were published.
        current = current_version(published)
        for version in list_versions(published):
            never_switched_in = current and version.parent.name > current.name
            if never_switched_in and not (version.parent / ROLLED_BACK).exists():
                _drop_version(version)


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
    if inputs:
        con.executemany("insert into meta.publication_inputs values (?, ?)", [*map(list, inputs)])
    if checks:
        con.executemany("insert into meta.publication_checks values (?, ?)", [*map(list, checks)])


def publication_id_of(database: Path) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        return str(scalar(con, "select publication_id from meta.publication"))


def _export_parquet(con: duckdb.DuckDBPyConnection, parquet_dir: Path) -> None:
    """One Parquet file per mart, each stamped with the publication id of the file it came from."""
    publication_id = scalar(con, "select publication_id from meta.publication")
    stamp = str(publication_id).replace("'", "''")
    parquet_dir.mkdir(parents=True, exist_ok=True)
    for table in _mart_tables(con):
        target = (parquet_dir / f"{table}.parquet").as_posix().replace("'", "''")
        # Table names come from the catalogue, not from input; quoted as identifiers.
        con.execute(
            f"copy marts.\"{table}\" to '{target}' "
            f"(format parquet, kv_metadata {{publication_id: '{stamp}'}})"
        )


def _switch(published: Path, version: Path) -> None:
    """Point `current` at `version`: the one step that publishes (a rename of a new link)."""
    link = pointer(published)
    tmp = link.parent / f".{link.name}.{uuid.uuid4().hex}{atomic.TMP_SUFFIX}"
    os.symlink(Path(versions_dir(published).name) / version.name, tmp)
    os.replace(tmp, link)
    _fsync(link.parent)


def _ensure_link(path: Path, target: Path) -> None:
    """`path` a symbolic link to `target` (relative), replacing a file there atomically."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}{atomic.TMP_SUFFIX}"
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _link(published: Path) -> None:
    _ensure_link(published, Path(pointer(published).name) / published.name)
    _ensure_link(parquet_link(published), Path(pointer(published).name) / "parquet")


def _adopt_unversioned(published: Path) -> None:
    """A warehouse published before version folders (a plain file and a parquet/ folder) becomes
    a version like any other, so it can be rolled back to. Done once, before the first versioned
    publish; repeating it after a crash finishes it."""
    if not published.is_file() or published.is_symlink():
        return
    try:
        version_id = publication_id_of(published)
    except duckdb.Error:
        version_id = (
            f"{dt.datetime.fromtimestamp(published.stat().st_mtime, dt.UTC):%Y%m%dT%H%M%S%fZ}"
        )
    folder = versions_dir(published) / version_id
    kept = folder / published.name
    if kept.exists() and not kept.samefile(published):
        # Kept versions were once named by the publication that replaced them: the one the
        # published file replaced sits under its id. Give it a folder under its own.
        os.replace(folder, versions_dir(published) / publication_id_of(kept))
    folder.mkdir(parents=True, exist_ok=True)
    if not kept.exists():
        os.link(published, folder / published.name)
    old_parquet = parquet_link(published)
    if old_parquet.is_dir() and not old_parquet.is_symlink():
        os.replace(old_parquet, folder / "parquet")
    _switch(published, folder)
    _link(published)


def _prune(published: Path) -> None:
    for old in list_versions(published)[KEEP_VERSIONS:]:
        _drop_version(old)


def _drop_version(version: Path) -> None:
    version.unlink(missing_ok=True)
    shutil.rmtree(version.parent / "parquet", ignore_errors=True)
    (version.parent / ROLLED_BACK).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # another file was put there by hand: leave the folder
        version.parent.rmdir()


def publish(
    build_db: Path, published: Path, inputs: list[tuple[str, str]], checks: list[tuple[str, bool]]
) -> Publication:
    """Publish the build database and its Parquet export as one new version. `inputs` are
    (return id, content sha256) pairs and `checks` the (check name, passed) results of the run."""
    published.parent.mkdir(parents=True, exist_ok=True)
    _reached("clear_leftovers")
    _clear_leftovers(published)
    _adopt_unversioned(published)
    _reached("checkpoint_build")
    # Fold the write-ahead log into the build file so the copy is complete on its own.
    with duckdb.connect(str(build_db)) as con:
        con.execute("checkpoint")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    publication_id = f"{now:%Y%m%dT%H%M%S%fZ}"
    staging = versions_dir(published) / f".{publication_id}{STAGING_SUFFIX}"
    database = staging / published.name
    _reached("copy")
    staging.mkdir(parents=True)
    shutil.copyfile(build_db, database)
    _reached("stamp")
    with duckdb.connect(str(database)) as con:
        # The build's own bookkeeping (which returns passed the cell checks) is not published.
        con.execute("drop schema if exists audit cascade")
        _stamp(con, publication_id, now, inputs, checks)
        counts = {t: scalar(con, f'select count(*) from marts."{t}"') for t in _mart_tables(con)}
        con.execute("checkpoint")
    _reached("export")
    with duckdb.connect(str(database), read_only=True) as con:
        _export_parquet(con, staging / "parquet")
    _reached("fsync")
    _fsync_tree(staging)
    _reached("seal")
    version = versions_dir(published) / publication_id
    os.replace(staging, version)
    _fsync(versions_dir(published))
    _reached("switch")
    _switch(published, version)
    _reached("link")
    _link(published)
    _reached("prune")
    _prune(published)
    return Publication(published, publication_id, now, counts, parquet_link(published))


def rollback(published: Path, version: Path | None = None) -> Path:
    """Publish an earlier version again (the newest kept one unless named): its DuckDB file and
    its Parquet export together, by switching `current` back to it."""
    _clear_leftovers(published)
    _adopt_unversioned(published)
    available = list_versions(published)
    if version is None:
        if not available:
            raise FileNotFoundError(
                f"no earlier versions of {published} are kept in {versions_dir(published)}"
            )
        version = available[0]
    if version not in available:
        raise FileNotFoundError(f"{version} is not a kept version of {published}")
    _reached("rollback_export")
    parquet = version.parent / "parquet"
    if not parquet.is_dir():  # kept before versions had their export beside them
        staging = version.parent / f".parquet{STAGING_SUFFIX}"
        with duckdb.connect(str(version), read_only=True) as con:
            _export_parquet(con, staging)
        _fsync_tree(staging)
        os.replace(staging, parquet)
    _reached("rollback_switch")
    if (current := current_version(published)) is not None:
        (current / ROLLED_BACK).touch()
    _switch(published, version.parent)
    _reached("rollback_link")
    _link(published)
    return version
