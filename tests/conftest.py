"""Shared fixtures: a copy of the sample landing folder and one published refresh of it.

Every test works on copies under pytest's tmp_path: the repo's data/ is never written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.lib.dbt_project import ensure_manifest
from orchestration.lib.settings import WarehouseSettings

REPO = Path(__file__).resolve().parent.parent
SAMPLE_LANDING = REPO / "data" / "landing"
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


def pytest_configure(config):
    # Modules of orchestration/defs read the dbt manifest when imported: prepare it first.
    ensure_manifest()


def settings_for(landing: Path, warehouse: Path, **changes) -> WarehouseSettings:
    """The settings of a warehouse at `warehouse` refreshed from `landing` (Home Office datasets
    and limits as by default, unless changed)."""
    return WarehouseSettings(landing=landing, published=warehouse, **changes)


def refresh(landing: Path, warehouse: Path, **changes):
    from orchestration.refresh import run_refresh

    return run_refresh(settings_for(landing, warehouse, **changes), log_level="ERROR")


def query_every_view(database: Path) -> int:
    """Query each view of a DuckDB file read-only (raises if one does not resolve); returns how many.
    dbt's views name their tables with the catalog, which DuckDB takes from the file name."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        for schema, view in views:
            con.execute(f'select count(*) from "{schema}"."{view}"').fetchone()
    return len(views)


def copy_sample_landing(target: Path) -> Path:
    shutil.copytree(SAMPLE_LANDING, target)
    return target


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """The sample returns refreshed once into a temporary warehouse; returns the published file."""
    root = tmp_path_factory.mktemp("sample")
    landing = copy_sample_landing(root / "landing")
    # Not the default file name: what is published must not depend on it.
    warehouse = root / "warehouse" / "arrests.duckdb"
    outcome = refresh(landing, warehouse)
    assert outcome.published, outcome.problems
    return warehouse
