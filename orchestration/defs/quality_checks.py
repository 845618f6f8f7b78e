"""Great Expectations suites (expectations/) as blocking Dagster asset checks on staging and marts.

Each check reads only the columns its suite needs from the build database through Arrow into
pandas (GX 1.x's SQL datasource fails on DuckDB; the pandas one works). A failed check stops
`published_warehouse`, so the published file stays as it was.
"""

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES, select_sql
from orchestration import faults
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import dbt_models


def _gx_check(suite_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=get_asset_key_for_model([dbt_models], suite_name),
        name=f"gx_{suite_name}",
        blocking=True,
        description=f"Great Expectations suite {suite_name!r} (expectations/suites.py).",
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from expectations.runner import validate_frame  # imports GX: only when checks run

        with duckdb.connect(str(warehouse.build_db), read_only=True) as con:
            frame = con.sql(select_sql(suite_name)).df()
        faults.maybe_crash("checks")
        outcome = validate_frame(suite_name, frame)
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata=outcome.to_metadata(),
        )

    return _check


gx_checks = [_gx_check(name) for name in SUITES]
