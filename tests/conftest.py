"""Shared fixtures: a copy of the sample landing folder and one published refresh of it.

Every test works on copies under pytest's tmp_path: the repo's data/ is never written.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration import settings

REPO = Path(__file__).resolve().parent.parent
SAMPLE_LANDING = REPO / "data" / "landing"
SHARED_REFERENCE = REPO.parent / "shared" / "reference"


@contextmanager
def pointed_at(landing: Path, warehouse: Path) -> Iterator[None]:
    """Point the warehouse's settings at a landing folder and warehouse file, then restore them."""
    saved = {k: os.environ.get(k) for k in (settings.LANDING_ENV, settings.WAREHOUSE_ENV)}
    os.environ[settings.LANDING_ENV] = str(landing)
    os.environ[settings.WAREHOUSE_ENV] = str(warehouse)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def refresh(landing: Path, warehouse: Path):
    from orchestration.refresh import run_refresh

    with pointed_at(landing, warehouse):
        return run_refresh(log_level="ERROR")


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
