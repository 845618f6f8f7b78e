"""Resources: where the warehouse lives, and the dbt CLI."""

from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from packaging.version import Version

from orchestration import settings
from orchestration.defs.dbt_project import DBT_PROJECT


class WarehouseResource(dg.ConfigurableResource):
    """Where returns and Home Office datasets are read from, and the published file to refresh."""

    landing_dir: str
    warehouse_path: str
    home_office_dir: str

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def home_office(self) -> Path:
        return Path(self.home_office_dir)

    @property
    def published(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def build_db(self) -> Path:
        return settings.build_db_path(self.published)

    def connect_build(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the build database; to write, its folder is created first."""
        if not read_only:
            self.build_db.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(self.build_db), read_only=read_only)

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse's builds. One per build database, kept between
        refreshes: dbt's partial-parse state is only valid for the profile (the build path) it was
        written with, so a shared or per-run folder would re-parse the whole project (≈ 4 s)."""
        return self.build_db.parent / "dbt-target"


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


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(
                landing_dir=str(settings.landing_dir()),
                warehouse_path=str(settings.warehouse_path()),
                home_office_dir=str(settings.home_office_dir()),
            ),
            "dbt": DbtCoreCli(
                project_dir=DBT_PROJECT,
                profiles_dir=str(settings.DBT_PROJECT_DIR),
                dbt_executable=settings.DBT_EXECUTABLE,
            ),
        }
    )
