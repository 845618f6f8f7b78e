"""The published warehouse: built only after every blocking check on staging and marts passed."""

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.transform import dbt_models
from orchestration.publish import publish

# Publication depends directly on every model a blocking check guards, so any failing check stops it.
GUARDED_MODELS = tuple(SUITES)


def _check_results(context: dg.AssetExecutionContext) -> list[tuple[str, bool]]:
    """Every asset check evaluated earlier in this run (dbt tests and expectation suites)."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return sorted((f"{e.asset_key.to_user_string()}:{e.check_name}", e.passed) for e in evaluations)


@dg.asset(
    deps=[get_asset_key_for_model([dbt_models], name) for name in GUARDED_MODELS],
    group_name="publication",
    kinds={"duckdb", "parquet"},
    description="data/warehouse/warehouse.duckdb (+ Parquet marts), swapped in atomically.",
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    with duckdb.connect(str(warehouse.build_db), read_only=True) as con:
        inputs = con.execute(
            "select return_id, content_sha256 from raw.force_returns order by 1"
        ).fetchall()
    checks = _check_results(context)
    publication = publish(warehouse.build_db, warehouse.published, inputs, checks)
    context.log.info(f"published {publication.path} ({publication.publication_id})")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "publication_id": publication.publication_id,
            "returns": len(inputs),
            "checks_passed": sum(passed for _, passed in checks),
            "mart_rows": dg.MetadataValue.json(publication.tables),
            "parquet_dir": dg.MetadataValue.path(str(publication.parquet_dir)),
        }
    )
