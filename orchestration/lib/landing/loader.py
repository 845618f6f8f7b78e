"""The one loop that brings a source's folders into its raw tables, for every source: find the
folders, fingerprint each, skip the unchanged, keep a folder unchanged since it was quarantined
quarantined, read the rest, refuse an id another folder already loads, quarantine what cannot be
read (its last good load stays), write, clear the quarantine, drop the folders that have left.

A source (`Source`) supplies only what differs: how to find its folders, how to open and read one,
how its rows are written and dropped, and its raw tables (the registry, landing/tables.py). The
caller holds the transaction (store.in_transaction)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Generic, Protocol, TypeVar

import duckdb
import pyarrow as pa

from orchestration.lib.landing import store
from orchestration.lib.landing.tables import RawSource
from orchestration.lib.sources.force_returns.manifest import ManifestError
from orchestration.lib.sources.force_returns.readers import ReadError

Log = Callable[[str], None]


class Parsed(Protocol):
    """A folder as read: the fingerprint it was read at, and its count cells."""

    @property
    def content_sha256(self) -> str: ...

    @property
    def cells(self) -> pa.Table: ...


P = TypeVar("P", bound=Parsed)


@dataclass
class LandingReport:
    """What one load did, by folder name."""

    parsed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)  # folder -> error

    verb: ClassVar[str] = "parsed"  # what the summary calls a folder read and written

    def summary(self) -> str:
        return (
            f"{len(self.parsed)} {self.verb}, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.quarantined)} quarantined"
        )


R = TypeVar("R", bound=LandingReport)


@dataclass(frozen=True)
class Opened(Generic[P]):
    """A folder as the loader meets it: its fingerprint and how to read it, or why it is refused
    before it is read (it is quarantined, whatever its fingerprint). `facts`: what the folder
    says about itself whether or not it can be read (such as its manifest's id), kept with its
    quarantine in the columns the registry declares (RawTable.facts)."""

    fingerprint: str
    read: Callable[[], P]
    refused: Exception | None = None
    facts: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Source(Generic[P]):
    """What a source supplies to `load`."""

    tables: RawSource  # its raw tables: loaded folders, row tables, quarantine
    noun: str  # how an error names a folder: "<noun> <folder>: <error>"
    parsed_log: str  # logged when a folder is written, with {name} and {cells}
    manifest_name: str  # the file an id already loaded from another folder is reported against
    find: Callable[[], list[Path]]  # every folder, in a stable order
    # Fingerprint a folder, after any step before reading it (which logs through the callable).
    open: Callable[[Path, Log], Opened[P]]
    identify: Callable[[P], str]  # the id a folder loads as: its return or dataset id
    write: Callable[[str, P], None]  # (folder, parsed): replace the id's rows with these
    drop: Callable[[str], None]  # delete an id's rows
    # The connection for the loader's own reads and writes (RawWriter's: once its batch is in).
    connection: Callable[[], duckdb.DuckDBPyConnection]


def load(source: Source[P], report: R, log: Log, only: Collection[str] | None = None) -> R:
    """Bring the source's raw tables in line with its folders. `only` limits reading to some
    folders; a folder that has left is dropped whatever `only` says."""
    tables = source.tables
    loaded = store.loaded_fingerprints(source.connection(), tables)
    # As raw was at the start: only a folder's own turn could add its row.
    quarantined = store.quarantined_fingerprints(source.connection(), tables)
    all_folders = source.find()
    present = {f.name for f in all_folders}
    folders = [f for f in all_folders if only is None or f.name in only]
    for n, folder in enumerate(folders, start=1):
        say = _progress(log, n, len(folders))
        name = folder.name
        opened = source.open(folder, say)
        if opened.refused is not None:
            quarantine(source, report, say, name, opened, opened.refused)
            continue
        if loaded.get(name, (None, None))[1] == opened.fingerprint:
            if name in quarantined:
                store.clear_quarantine(source.connection(), tables, name)
            report.unchanged.append(name)
            continue
        if quarantined.get(name, (None, None))[0] == opened.fingerprint:
            # Its row stays as recorded, facts and all: they come from what is fingerprinted.
            error = quarantined[name][1]
            report.quarantined[name] = f"{error} (unchanged since it was quarantined)"
            continue
        try:
            parsed = opened.read()
            folder_id = source.identify(parsed)
            _refuse_if_owned(source, folder, folder_id, loaded, present)
        except (ManifestError, ReadError, OSError) as exc:
            quarantine(source, report, say, name, opened, exc)
            continue
        if name in loaded and loaded[name][0] != folder_id:
            source.drop(loaded[name][0])
        source.write(name, parsed)
        if name in quarantined:
            store.clear_quarantine(source.connection(), tables, name)
        loaded[name] = (folder_id, parsed.content_sha256)
        report.parsed.append(name)
        say(source.parsed_log.format(name=name, cells=parsed.cells.num_rows))
    _drop_removed(source, report, loaded, quarantined, present)
    return report


def quarantine(
    source: Source, report: LandingReport, say: Log, name: str, opened: Opened, exc: Exception
) -> None:
    """Record why a folder cannot be loaded, with what it says about itself (its last good load,
    if any, stays) and say so."""
    error = f"{source.noun} {name}: {exc}"
    store.record_quarantine(
        source.connection(), source.tables, name, opened.fingerprint, error, opened.facts
    )
    report.quarantined[name] = error
    say(f"QUARANTINED {error}")


def _progress(log: Log, n: int, total: int) -> Log:
    return lambda text: log(f"[{n}/{total}] {text}")


def _refuse_if_owned(
    source: Source,
    folder: Path,
    folder_id: str,
    loaded: dict[str, tuple[str, str]],
    present: set[str],
) -> None:
    """The folder that loaded an id first (in an earlier load or earlier in this one) keeps it, as
    long as it is still there; another folder with the same id is refused."""
    owner = next(
        (f for f, (loaded_id, _) in loaded.items() if loaded_id == folder_id and f in present),
        folder.name,
    )
    if owner != folder.name:
        key = source.tables.id_column
        raise ManifestError(
            folder / source.manifest_name,
            [f"key {key}: {folder_id!r} is already used by folder {owner!r}"],
        )


def _drop_removed(
    source: Source,
    report: LandingReport,
    loaded: dict[str, tuple[str, str]],
    quarantined: dict[str, tuple[str, str]],
    present: set[str],
) -> None:
    """Drop the rows of folders that have left, and their quarantine."""
    for name, (folder_id, _) in list(loaded.items()):
        if name not in present:
            # An id whose folder was renamed is now loaded from its new folder: keep it.
            if not any(i == folder_id and f in present for f, (i, _) in loaded.items()):
                source.drop(folder_id)
            report.removed.append(name)
    for name in set(quarantined) - present:
        store.clear_quarantine(source.connection(), source.tables, name)
