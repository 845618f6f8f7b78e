"""The published warehouse: built only after every blocking check on staging and marts passed.

Its materialization carries what the data team looks at first in `dagster dev`: rows per mart,
return coverage, check results and a markdown preview of the headline figures, all read from the
file just published (read-only).
"""

from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from orchestration.defs.dbt.assets import dbt_models
from orchestration.defs.resources import WRITER_POOL, WarehouseConfig, WriterLock
from orchestration.lib import checked_returns
from orchestration.lib.publication.publish import publish
from orchestration.lib.publication.summary import published_summary

# Publication depends directly on every model a blocking check guards, so any failing check stops it.
GUARDED_MODELS = tuple(SUITES)
# How a strict run's refusal begins (`warehouse refresh --strict` tells it from other failures).
STRICT_REFUSAL = "strict run: "


class PublishConfig(dg.Config):
    """Run options of publication (the launchpad's `ops.published_warehouse.config`)."""

    # Any quarantined return fails the run and nothing is published (`warehouse refresh --strict`).
    strict: bool = False


def strict_refusal(quarantined: list[tuple[str, str]]) -> str:
    reasons = "; ".join(f"{folder}: {error}" for folder, error in quarantined)
    return (
        f"{STRICT_REFUSAL}{len(quarantined)} return(s) quarantined, so nothing was published "
        f"({reasons})"
    )


def _check_results(context: dg.AssetExecutionContext) -> list[tuple[str, bool]]:
    """Every asset check evaluated earlier in this run (dbt tests and expectation suites)."""
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return sorted((f"{e.asset_key.to_user_string()}:{e.check_name}", e.passed) for e in evaluations)


def check_summary(checks: list[tuple[str, bool]]) -> dict[str, Any]:
    failed = [name for name, passed in checks if not passed]
    return {
        "checks_total": len(checks),
        "checks_passed": len(checks) - len(failed),
        "checks_failed": len(failed),
        "gx_suites_passed": sum(passed for name, passed in checks if ":gx_" in name),
        "failed_checks": dg.MetadataValue.json(failed),
    }


def published_metadata(published: Path, log: Any = None) -> dict[str, Any]:
    """Return coverage and headline preview of the published file, as Dagster metadata."""
    coverage, headlines = published_summary(published, log)
    metadata: dict[str, Any] = {}
    if coverage is not None:
        metadata["return_coverage"] = dg.MetadataValue.json(coverage)
        metadata["quarantined_returns"] = coverage["quarantined_returns"]
        if coverage["periods"]:
            latest = coverage["periods"][max(coverage["periods"])]
            metadata["forces_with_return"] = latest["forces_with_return"]
    if headlines is not None:
        metadata["headline_figures"] = dg.MetadataValue.md(headlines)
    return metadata


@dg.asset(
    deps=[get_asset_key_for_model([dbt_models], name) for name in GUARDED_MODELS],
    group_name="publication",
    kinds={"duckdb", "parquet"},
    description="data/warehouse/warehouse.duckdb and its Parquet marts, one version switched in "
    "atomically.",
    pool=WRITER_POOL,
)
def published_warehouse(
    context: dg.AssetExecutionContext,
    config: PublishConfig,
    warehouse: WarehouseConfig,
    writer_lock: WriterLock,
) -> dg.MaterializeResult:
    with warehouse.connect_build(read_only=True) as con:
        inputs = con.execute(
            "select return_id, content_sha256 from raw.force_returns order by 1"
        ).fetchall()
        quarantined = con.execute(
            "select landing_folder, error from raw.quarantined_returns order by 1"
        ).fetchall()
    if config.strict and quarantined:
        raise dg.Failure(description=strict_refusal(quarantined), allow_retries=False)
    checks = _check_results(context)
    settings = warehouse.settings
    publication = publish(settings.build_db, settings.published, inputs, checks)
    if checked_returns.cell_checks_passed(checks):
        try:
            with warehouse.connect_build() as con:
                checked_returns.record_checked(con)
        except duckdb.Error as error:  # published all the same; the cells are checked next time
            context.log.warning(f"could not record the checked returns: {error}")
    context.log.info(f"published {publication.path} ({publication.publication_id})")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "publication_id": publication.publication_id,
            "returns": len(inputs),
            **check_summary(checks),
            "mart_rows": dg.MetadataValue.json(publication.tables),
            "parquet_dir": dg.MetadataValue.path(str(publication.parquet_dir)),
            **published_metadata(publication.path, context.log),
        }
    )
