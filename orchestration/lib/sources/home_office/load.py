"""Bring the Home Office datasets folder into the raw schema: read new or changed datasets (by
content sha256 over manifest, files and the seeds they are read with), drop removed ones,
quarantine the unreadable (a reader fault included: one bad dataset never stops the rest). A
dataset whose new version is bad keeps its last good load. The loop is the landing loader's
(orchestration/lib/landing/loader.py); all writes of one call are one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.landing import store
from orchestration.lib.landing.loader import LandingReport, Opened, Source, load
from orchestration.lib.landing.tables import HOME_OFFICE_TABLES
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.manifest import return_folders
from orchestration.lib.sources.force_returns.readers import DEFAULT_LIMITS
from orchestration.lib.sources.home_office.manifest import MANIFEST_NAME
from orchestration.lib.sources.home_office.raw_tables import replace_dataset
from orchestration.lib.sources.home_office.read import (
    ParsedDataset,
    dataset_fingerprint,
    guarded,
    read_dataset,
)
from orchestration.lib.sql import scalar


@dataclass
class HomeOfficeLoadReport(LandingReport):
    verb = "loaded"
    cells: int = 0  # rows in raw.home_office_cells after the load

    @property
    def loaded(self) -> list[str]:
        """The datasets read and written."""
        return self.parsed

    def summary(self) -> str:
        return f"{super().summary()}; {self.cells} Home Office cells in raw"


def dataset_folders(root: Path) -> list[Path]:
    """Every dataset folder: a visible sub-folder of the root holding a manifest. A missing root
    means no Home Office datasets (the source is optional), not an error."""
    if not root.is_dir():
        return []
    return [f for f in return_folders(root) if (f / MANIFEST_NAME).is_file()]


def load_home_office(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    log: Callable[[str], None] = print,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> HomeOfficeLoadReport:
    """Create raw.home_office_* in the connection's database if needed and bring them in line with
    the dataset folders under root."""
    store.create_tables(con, HOME_OFFICE_TABLES)
    source: Source[ParsedDataset] = Source(
        tables=HOME_OFFICE_TABLES,
        noun="Home Office dataset",
        parsed_log="loaded Home Office dataset {name}: {cells} cells",
        manifest_name=MANIFEST_NAME,
        find=lambda: dataset_folders(root),
        open=lambda folder, _: Opened(
            dataset_fingerprint(folder), guarded(lambda: read_dataset(folder, limits), folder)
        ),
        identify=lambda parsed: parsed.manifest.dataset_id,
        write=lambda folder, parsed: replace_dataset(con, folder, parsed),
        drop=lambda dataset_id: store.drop_id(con, HOME_OFFICE_TABLES, dataset_id),
        connection=lambda: con,
    )
    report = store.in_transaction(con, lambda: load(source, HomeOfficeLoadReport(), log))
    report.cells = scalar(con, "select count(*) from raw.home_office_cells")
    return report
