"""What a refresh reads and writes, and the limits on what it reads: one value passed down.

`WarehouseSettings` is built once, by the `WarehouseConfig` Dagster resource (defs/resources.py)
or by the `warehouse` command (from its options and the documented user settings it reads), and
handed to every library function that needs a path or a limit. Nothing here reads the environment.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt installed beside this Python, whether or not the environment's bin folder is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

DEFAULT_LANDING = REPO_ROOT / "data" / "landing"
DEFAULT_HOME_OFFICE = REPO_ROOT / "data" / "homeoffice"
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse" / "warehouse.duckdb"
# The figure requests the report answers, one claim each (orchestration/lib/report/figure_list.py).
DEFAULT_FIGURES = REPO_ROOT / "data" / "figures.yml"

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_CELLS = 20_000_000
DEFAULT_MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """What one file may hold, checked before it is read, and where each limit was set (named in
    the error a file over it gets). A manifest's max_bytes / max_cells can only lower them."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_cells: int = DEFAULT_MAX_CELLS
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES
    set_by: dict[str, str] = field(default_factory=dict, compare=False)

    def source_of(self, name: str) -> str:
        return self.set_by.get(name, "the default")


def build_db_path(published: Path) -> Path:
    """The private database a refresh builds in, beside the published file but never opened by
    readers. Named like the published file, so that both open as the same catalog (DuckDB names it
    after the file); the views dbt creates name no catalog (macros/relations_without_catalog.sql)."""
    return published.parent / f".build-{published.stem}" / published.name


@dataclass(frozen=True)
class WarehouseSettings:
    """Where returns and Home Office datasets are read from, the published file, the limits, and
    the list of figures the report answers."""

    landing: Path = DEFAULT_LANDING
    home_office: Path = DEFAULT_HOME_OFFICE
    published: Path = DEFAULT_WAREHOUSE
    limits: ReadLimits = field(default_factory=ReadLimits)
    figures: Path = DEFAULT_FIGURES

    @property
    def report_dir(self) -> Path:
        """Where the report is written unless told otherwise: beside the published file."""
        return self.published.parent / "report"

    @property
    def build_db(self) -> Path:
        return build_db_path(self.published)

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse's builds. One per build database, kept between
        refreshes: dbt's partial-parse state is only valid for the profile (the build path) it was
        written with, so a shared or per-run folder would re-parse the whole project (≈ 4 s)."""
        return self.build_db.parent / "dbt-target"
