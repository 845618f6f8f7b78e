"""Bring the landing folder into the raw schema: pull files named by URL, parse new or changed
returns, drop removed ones, quarantine the unreadable. A return whose new version is bad (or whose
download fails) keeps its last good load.

`only` limits pulling and parsing to some return folders (the Dagster partitions of a run); returns
whose folder has left the landing folder are dropped whatever `only` says. All writes of one call
are one transaction: a crash leaves raw as it was, and DuckDB commits once, not once per return."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns import raw_tables
from orchestration.lib.sources.force_returns.manifest import (
    MANIFEST_NAME,
    ManifestError,
    ReturnManifest,
    load_manifest,
    return_folders,
)
from orchestration.lib.sources.force_returns.parse import (
    outside_landing,
    parse_return,
    return_fingerprint,
)
from orchestration.lib.sources.force_returns.pull import PullError, pull_return
from orchestration.lib.sources.force_returns.raw_writer import RawWriter
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS, ReadError


@dataclass
class IngestReport:
    parsed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{len(self.parsed)} parsed, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.quarantined)} quarantined"
        )


def ingest_landing(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    log: Callable[[str], None] = print,
    only: Collection[str] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> IngestReport:
    raw_tables.ensure_schema(con)
    con.begin()
    try:
        report = _ingest(con, landing_dir, log, only, limits)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return report


def _ingest(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    log: Callable[[str], None],
    only: Collection[str] | None,
    limits: ReadLimits,
) -> IngestReport:
    writer = RawWriter(con)
    try:
        report = _ingest_with(writer, landing_dir, log, only, limits)
        writer.flush()
    finally:
        writer.close()  # before the caller commits or rolls back
    return report


def _ingest_with(
    writer: RawWriter,
    landing_dir: Path,
    log: Callable[[str], None],
    only: Collection[str] | None,
    limits: ReadLimits,
) -> IngestReport:
    # Every use of the connection goes through writer.connection(): see RawWriter.
    report = IngestReport()
    loaded = raw_tables.loaded_fingerprints(writer.connection())
    quarantined = raw_tables.quarantined_fingerprints(writer.connection())
    all_folders = return_folders(landing_dir)
    present = {f.name for f in all_folders}
    folders = [f for f in all_folders if only is None or f.name in only]
    for n, folder in enumerate(folders, start=1):
        name = folder.name
        # A folder linked in from outside the landing folder is not pulled into or read.
        pull_error = outside_landing(folder)
        # The manifest is read once, for pulling and parsing (None: parsing reports why not).
        manifest: ReturnManifest | None = None
        if pull_error is None:
            try:
                manifest = load_manifest(folder / MANIFEST_NAME)
            except ManifestError:
                pass
            try:
                for pulled in pull_return(folder, manifest) if manifest is not None else []:
                    log(f"[{n}/{len(folders)}] pulled {name}/{pulled.file}: {pulled.status}")
            except PullError as exc:
                pull_error = exc
        digests: dict[Path, str] = {}  # each file's sha256, so that parsing does not hash it again
        fingerprint = return_fingerprint(folder, digests)
        if pull_error is not None:
            error = f"return {name}: {pull_error}"
            raw_tables.quarantine(writer.connection(), name, fingerprint, error)
            report.quarantined[name] = error
            log(f"[{n}/{len(folders)}] QUARANTINED {error}")
            continue
        if loaded.get(name, (None, None))[1] == fingerprint:
            # `quarantined` is as raw was at the start: only this folder's turn could add its row.
            if name in quarantined:
                raw_tables.clear_quarantine(writer.connection(), name)
            report.unchanged.append(name)
            continue
        if quarantined.get(name, (None, None))[0] == fingerprint:
            report.quarantined[name] = (
                f"{quarantined[name][1]} (unchanged since it was quarantined)"
            )
            continue
        try:
            parsed = parse_return(folder, manifest, (fingerprint, digests), limits)
            # The folder that loaded this return id first (in an earlier refresh or earlier in
            # this one) keeps it, as long as it is still in the landing folder.
            owner = next(
                (
                    f
                    for f, (rid, _) in loaded.items()
                    if rid == parsed.manifest.return_id and f in present
                ),
                name,
            )
            if owner != name:
                raise ManifestError(
                    folder / "manifest.yml",
                    [
                        f"key return_id: {parsed.manifest.return_id!r} is already used by folder {owner!r}"
                    ],
                )
        except (ManifestError, ReadError, OSError) as exc:
            error = f"return {name}: {exc}"
            raw_tables.quarantine(writer.connection(), name, fingerprint, error)
            report.quarantined[name] = error
            log(f"[{n}/{len(folders)}] QUARANTINED {error}")
            continue
        if name in loaded and loaded[name][0] != parsed.manifest.return_id:
            writer.drop_return(loaded[name][0])
        writer.replace_return(name, parsed)
        if name in quarantined:
            raw_tables.clear_quarantine(writer.connection(), name)
        loaded[name] = (parsed.manifest.return_id, parsed.content_sha256)
        report.parsed.append(name)
        log(f"[{n}/{len(folders)}] parsed {name}: {parsed.cells.num_rows} cells")
    for name, (return_id, _) in list(loaded.items()):
        if name not in present:
            # A return whose folder was renamed is now loaded from its new folder: keep it.
            if not any(rid == return_id and f in present for f, (rid, _) in loaded.items()):
                writer.drop_return(return_id)
            report.removed.append(name)
    for name in set(quarantined) - present:
        raw_tables.clear_quarantine(writer.connection(), name)
    return report
