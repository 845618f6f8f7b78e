"""Great Expectations suites (expectations/) as blocking Dagster asset checks on staging and marts,
and their Data Docs.

Each check reads only the columns its suite needs from the build database through Arrow into
pandas (GX 1.x's SQL datasource fails on DuckDB; the pandas one works; expectations/frames.py says
which dtypes and why). GX itself is imported in the background while `dbt build` runs
(expectations/_gx.py). A failed check stops `published_warehouse`, so the published file stays as
it was. Each check also stores its full validation result under <build dir>/gx_results/<run>/;
once the warehouse is published, `expectations_docs` (defs/publication/docs.py) renders this
refresh's results as GX Data Docs at <warehouse dir>/docs/gx/index.html (linked from the report).
"""

from pathlib import Path

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from orchestration.defs.dbt.assets import dbt_models
from orchestration.defs.resources import WarehouseConfig
from orchestration.lib import checked_returns


def results_root(warehouse: WarehouseConfig) -> Path:
    return warehouse.settings.build_db.parent / "gx_results"


def refresh_id(run: dg.DagsterRun) -> str:
    """The refresh a run belongs to: a re-execution stores and reads the original run's results."""
    return run.root_run_id or run.run_id


def docs_dir(warehouse: WarehouseConfig) -> Path:
    return warehouse.settings.published.parent / "docs" / "gx"


def _gx_check(suite_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=get_asset_key_for_model([dbt_models], suite_name),
        name=f"gx_{suite_name}",
        blocking=True,
        description=f"Great Expectations suite {suite_name!r} (expectations/suites.py).",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseConfig
    ) -> dg.AssetCheckResult:
        from expectations.docs import save_result  # imports GX: only when checks run
        from expectations.frames import read_frame
        from expectations.runner import validate_frame

        # A suite of per-row rules sees only the returns whose cells have not passed it yet.
        scoped = SUITES[suite_name].per_return_rows
        with warehouse.connect_build(read_only=True) as con:
            frame = read_frame(con, suite_name, checked_returns.scope_sql(con) if scoped else None)
        outcome = validate_frame(suite_name, frame)
        run_id = refresh_id(context.run)
        save_result(outcome, results_root(warehouse) / run_id, run_name=run_id)
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                **outcome.to_metadata(),  # rows validated, expectations, failures
                "rows_validated": "returns not checked before" if scoped else "all",
            },
        )

    return _check


gx_checks = [_gx_check(name) for name in SUITES]
