"""Where the warehouse reads and writes. Environment variables let a user point it at their own
returns and warehouse file without editing code; the `warehouse` command sets them from options."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt installed beside this Python, whether or not the environment's bin folder is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

LANDING_ENV = "WAREHOUSE_LANDING"
WAREHOUSE_ENV = "WAREHOUSE_PATH"
HOME_OFFICE_ENV = "WAREHOUSE_HOME_OFFICE"


def landing_dir() -> Path:
    return Path(os.environ.get(LANDING_ENV, REPO_ROOT / "data" / "landing")).resolve()


def home_office_dir() -> Path:
    """Home Office arrest statistics datasets (optional source), one folder per dataset."""
    return Path(os.environ.get(HOME_OFFICE_ENV, REPO_ROOT / "data" / "homeoffice")).resolve()


def warehouse_path() -> Path:
    return Path(
        os.environ.get(WAREHOUSE_ENV, REPO_ROOT / "data" / "warehouse" / "warehouse.duckdb")
    ).resolve()


def build_db_path(published: Path) -> Path:
    """The private database a refresh builds in, beside the published file but never opened by readers.

    Named like the published file: DuckDB names a file's catalog after it, and dbt's staging views
    name their tables with that catalog, so they resolve in the published copy too."""
    return published.parent / f".build-{published.stem}" / published.name
