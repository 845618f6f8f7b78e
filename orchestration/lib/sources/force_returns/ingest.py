"""Bring the landing folder into the raw schema: pull files named by URL, parse new or changed
returns, drop removed ones, quarantine the unreadable. A return whose new version is bad (or whose
download fails) keeps its last good load.

The loop is the landing loader's (orchestration/lib/landing/loader.py); what is the force returns'
own is here: a folder linked in from outside the landing folder is refused unread, files named by
URL are pulled before the folder is fingerprinted, and rows go through RawWriter's batches.

`only` limits pulling and parsing to some return folders (the Dagster partitions of a run); returns
whose folder has left the landing folder are dropped whatever `only` says. All writes of one call
are one transaction: a crash leaves raw as it was, and DuckDB commits once, not once per return."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import duckdb

from orchestration.lib.landing import store
from orchestration.lib.landing.loader import LandingReport, Opened, Source, load
from orchestration.lib.landing.tables import FORCE_RETURN_TABLES
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
    ParsedReturn,
    outside_landing,
    parse_return,
    return_fingerprint,
)
from orchestration.lib.sources.force_returns.pull import PullError, pull_return
from orchestration.lib.sources.force_returns.raw_writer import RawWriter
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS


def ingest_landing(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    log: Callable[[str], None] = print,
    only: Collection[str] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> LandingReport:
    raw_tables.ensure_schema(con)
    return store.in_transaction(con, lambda: _ingest(con, landing_dir, log, only, limits))


def _ingest(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    log: Callable[[str], None],
    only: Collection[str] | None,
    limits: ReadLimits,
) -> LandingReport:
    writer = RawWriter(con)
    try:
        # Every use of the connection goes through writer.connection(): see RawWriter.
        source = Source(
            tables=FORCE_RETURN_TABLES,
            noun="return",
            parsed_log="parsed {name}: {cells} cells",
            manifest_name=MANIFEST_NAME,
            find=lambda: return_folders(landing_dir),
            open=lambda folder, say: _open_return(folder, say, limits),
            identify=lambda parsed: parsed.manifest.return_id,
            write=writer.replace_return,
            drop=writer.drop_return,
            connection=writer.connection,
        )
        report = load(source, LandingReport(), log, only)
        writer.flush()
    finally:
        writer.close()  # before the caller commits or rolls back
    return report


def _open_return(
    folder: Path, say: Callable[[str], None], limits: ReadLimits
) -> Opened[ParsedReturn]:
    """Pull the files the manifest names by URL, then fingerprint the folder. A folder linked in
    from outside the landing folder is refused, not pulled into or read (so it says nothing of
    itself); so is one whose download fails."""
    refused: Exception | None = outside_landing(folder)
    # The manifest is read once, for pulling and parsing (None: parsing reports why not), and for
    # what it says of the return, which a quarantine keeps (what still parses of a bad manifest).
    manifest: ReturnManifest | None = None
    facts: Mapping[str, str] = {}
    if refused is None:
        try:
            manifest = load_manifest(folder / MANIFEST_NAME)
            facts = manifest.facts
        except ManifestError as exc:
            facts = exc.facts
        try:
            for pulled in pull_return(folder, manifest) if manifest is not None else []:
                say(f"pulled {folder.name}/{pulled.file}: {pulled.status}")
        except PullError as exc:
            refused = exc
    digests: dict[Path, str] = {}  # each file's sha256, so that parsing does not hash it again
    fingerprint = return_fingerprint(folder, digests)
    return Opened(
        fingerprint,
        lambda: parse_return(folder, manifest, (fingerprint, digests), limits),
        refused,
        facts,
    )
