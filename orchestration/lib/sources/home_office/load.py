"""Bring the Home Office datasets folder into the raw schema: read new or changed datasets (by
content sha256 over manifest and files), drop removed ones, quarantine the unreadable. A dataset
whose new version is bad keeps its last good load."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.lib.fingerprint import folder_fingerprint
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.manifest import ManifestError
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS, ReadError
from orchestration.lib.sources.home_office import raw_tables as store
from orchestration.lib.sources.home_office.manifest import MANIFEST_NAME
from orchestration.lib.sources.home_office.read import read_dataset


@dataclass
class HomeOfficeLoadReport:
    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)
    cells: int = 0  # rows in raw.home_office_cells after the load

    def summary(self) -> str:
        return (
            f"{len(self.loaded)} loaded, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.quarantined)} quarantined; "
            f"{self.cells} Home Office cells in raw"
        )


def dataset_folders(root: Path) -> list[Path]:
    """Every dataset folder: a visible sub-folder of the root holding a manifest. A missing root
    means no Home Office datasets (the source is optional), not an error."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and (p / MANIFEST_NAME).is_file()
    )


def load_home_office(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    log: Callable[[str], None] = print,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> HomeOfficeLoadReport:
    """Create raw.home_office_* in the connection's database if needed and bring them in line with
    the dataset folders under root."""
    store.ensure_schema(con)
    report = HomeOfficeLoadReport()
    loaded = store.loaded_fingerprints(con)
    quarantined = store.quarantined_fingerprints(con)
    folders = dataset_folders(root)
    for n, folder in enumerate(folders, start=1):
        name = folder.name
        fingerprint = folder_fingerprint(folder)
        if loaded.get(name, (None, None))[1] == fingerprint:
            store.clear_quarantine(con, name)
            report.unchanged.append(name)
            continue
        if quarantined.get(name) == fingerprint:
            report.quarantined[name] = "unchanged since it was quarantined"
            continue
        try:
            parsed = read_dataset(folder, limits)
            owner = next(
                (f for f, (did, _) in loaded.items() if did == parsed.manifest.dataset_id), name
            )
            if owner != name:
                raise ManifestError(
                    folder / MANIFEST_NAME,
                    [
                        f"key dataset_id: {parsed.manifest.dataset_id!r} is already used by folder {owner!r}"
                    ],
                )
        except (ManifestError, ReadError, OSError) as exc:
            error = f"Home Office dataset {name}: {exc}"
            store.quarantine(con, name, fingerprint, error)
            report.quarantined[name] = error
            log(f"[{n}/{len(folders)}] QUARANTINED {error}")
            continue
        if name in loaded and loaded[name][0] != parsed.manifest.dataset_id:
            store.drop_dataset(con, loaded[name][0])
        store.replace_dataset(con, name, parsed)
        store.clear_quarantine(con, name)
        report.loaded.append(name)
        log(
            f"[{n}/{len(folders)}] loaded Home Office dataset {name}: {parsed.cells.num_rows} cells"
        )
    present = {f.name for f in folders}
    for name, (dataset_id, _) in loaded.items():
        if name not in present:
            store.drop_dataset(con, dataset_id)
            report.removed.append(name)
    for name in set(quarantined) - present:
        store.clear_quarantine(con, name)
    report.cells = con.execute("select count(*) from raw.home_office_cells").fetchone()[0]
    return report
