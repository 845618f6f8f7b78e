"""Resources: `WarehouseConfig`, the only place paths and limits come from, the writer lock every
run holds, and the dbt CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging.version import Version

from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.lib import settings as lib_settings
from orchestration.lib.lock import WRITER_TOKEN_ENV, refresh_lock, token_held
from orchestration.lib.settings import ReadLimits, WarehouseSettings


class WarehouseConfig(dg.ConfigurableResource):
    """Where returns and Home Office datasets are read from, the published file to refresh, the
    limits on what a return's file may hold, and the figure list the report answers (a YAML file
    of claims). Defaults: the repo's data/ folder."""

    landing_dir: str = str(lib_settings.DEFAULT_LANDING)
    warehouse_path: str = str(lib_settings.DEFAULT_WAREHOUSE)
    home_office_dir: str = str(lib_settings.DEFAULT_HOME_OFFICE)
    max_file_bytes: int = lib_settings.DEFAULT_MAX_FILE_BYTES
    max_cells: int = lib_settings.DEFAULT_MAX_CELLS
    max_unzipped_bytes: int = lib_settings.DEFAULT_MAX_UNZIPPED_BYTES
    # Where a limit was set, for the error a file over it gets (e.g. "WAREHOUSE_MAX_CELLS").
    limits_set_by: dict[str, str] = {}
    figures_path: str = str(lib_settings.DEFAULT_FIGURES)

    @classmethod
    def from_settings(cls, settings: WarehouseSettings) -> WarehouseConfig:
        limits = settings.limits
        return cls(
            landing_dir=str(settings.landing),
            warehouse_path=str(settings.published),
            home_office_dir=str(settings.home_office),
            max_file_bytes=limits.max_file_bytes,
            max_cells=limits.max_cells,
            max_unzipped_bytes=limits.max_unzipped_bytes,
            limits_set_by=dict(limits.set_by),
            figures_path=str(settings.figures),
        )

    @property
    def settings(self) -> WarehouseSettings:
        return WarehouseSettings(
            landing=Path(self.landing_dir),
            home_office=Path(self.home_office_dir),
            published=Path(self.warehouse_path),
            limits=ReadLimits(
                self.max_file_bytes, self.max_cells, self.max_unzipped_bytes, self.limits_set_by
            ),
            figures=Path(self.figures_path),
        )

    def connect_build(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the build database; to write, its folder is created first."""
        build_db = self.settings.build_db
        if not read_only:
            build_db.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(build_db), read_only=read_only)


# The Dagster pool of every asset that writes the build database or publishes. With the instance
# settings of dagster.yaml (pools at run granularity, limit 1) a second run waits queued; the file
# lock below holds whatever the instance says.
WRITER_POOL = "warehouse_writer"


class WriterLock(dg.ConfigurableResource):
    """The warehouse's writer lock (orchestration/lib/lock.py), held for the whole run. Every asset
    that writes the build database or publishes requires it, and runs execute in one process
    (in_process_executor, definitions.py), so a run takes it when its resources are set up and
    lets go when the run ends, however it ends. A run started while `warehouse refresh` (or
    another run) writes the same warehouse fails at once, naming the holder."""

    warehouse: WarehouseConfig
    # Seconds to wait for another writer before failing.
    wait_seconds: float = 0

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WriterLock]:
        run = context.run
        command = f"dagster run {run.run_id} (job {run.job_name})" if run else "dagster"
        with refresh_lock(self.warehouse.settings.published, self.wait_seconds, command=command):
            yield self


@contextmanager
def dbt_as_writer(published: Path) -> Iterator[None]:
    """dbt started inside this block gets the writer lock's token, without which its on-run-start
    hook (macros/writer_lock.sql) refuses the build database. dagster-dbt passes the dbt process
    this process's environment and no other, so the token goes there, only while dbt starts."""
    previous = os.environ.get(WRITER_TOKEN_ENV)
    os.environ[WRITER_TOKEN_ENV] = token_held(published)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(WRITER_TOKEN_ENV, None)
        else:
            os.environ[WRITER_TOKEN_ENV] = previous


class DbtCoreCli(DbtCliResource):
    """dagster-dbt's dbt resource, minus two start-up costs measured at ~7 s of a ~25 s refresh:
    running `dbt --version` in a subprocess to learn a version pinned in our lock file, and
    building an in-process dbt adapter that is only used to fetch row counts and column metadata,
    which this project does not request."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - signature of the parent
        return None


def resources_for(settings: WarehouseSettings) -> dict[str, Any]:
    """The resources of one warehouse: what the code location and `warehouse refresh` both bind."""
    warehouse = WarehouseConfig.from_settings(settings)
    return {
        "warehouse": warehouse,
        "writer_lock": WriterLock(warehouse=warehouse),
        "dbt": DbtCoreCli(
            # DbtCliResource's validator takes a DbtProject; its field is typed str.
            project_dir=DBT_PROJECT,  # type: ignore[arg-type]
            profiles_dir=str(lib_settings.DBT_PROJECT_DIR),
            dbt_executable=lib_settings.DBT_EXECUTABLE,
        ),
    }
