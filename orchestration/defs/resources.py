"""Resources: `WarehouseConfig`, the only place paths and limits come from, and the dbt CLI."""

from __future__ import annotations

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
    return {
        "warehouse": WarehouseConfig.from_settings(settings),
        "dbt": DbtCoreCli(
            # DbtCliResource's validator takes a DbtProject; its field is typed str.
            project_dir=DBT_PROJECT,  # type: ignore[arg-type]
            profiles_dir=str(lib_settings.DBT_PROJECT_DIR),
            dbt_executable=lib_settings.DBT_EXECUTABLE,
        ),
    }
