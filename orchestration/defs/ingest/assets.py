"""Parse the force returns in the landing folder into the raw schema of the build database."""

from typing import Any

import dagster as dg

from orchestration.defs.ingest.partitions import RETURN_PARTITIONS
from orchestration.defs.resources import WRITER_POOL, WarehouseConfig, WriterLock
from orchestration.lib.landing.tables import FORCE_RETURN_TABLES, HOME_OFFICE_TABLES, RawSource
from orchestration.lib.sources.force_returns.ingest import ingest_landing
from orchestration.lib.sources.home_office import load_home_office


def _raw_specs(source: RawSource, deps) -> list[dg.AssetSpec]:
    """One asset per raw table of the source (the registry's), all written by one step."""
    return [
        dg.AssetSpec(
            key=["raw", table.name],
            group_name="raw",
            kinds={"duckdb", "python"},
            description=f"raw.{table.name}: {source.description}",
            deps=deps,
            skippable=False,
        )
        for table in source.asset_tables
    ]


@dg.asset(
    key=["landing", "force_return"],
    partitions_def=RETURN_PARTITIONS,
    group_name="raw",
    kinds={"python"},
    pool=WRITER_POOL,
)
def landed_return(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig, writer_lock: WriterLock
):
    """One return folder of the landing folder (one dynamic partition each), parsed into raw on
    its own: the landing sensor runs a new or corrected return's partition, then everything
    downstream. A whole refresh does not run these partitions (a run over hundreds of partitions
    costs Dagster a materialization per partition and asset); `raw_force_returns` parses every
    changed return in one step instead."""
    folder = context.partition_key
    settings = warehouse.settings
    with warehouse.connect_build() as con:
        report = ingest_landing(
            con, settings.landing, log=context.log.info, only={folder}, limits=settings.limits
        )
    context.log.info(f"return {folder}: {report.summary()}")
    return dg.MaterializeResult(
        metadata={
            "parsed": folder in report.parsed,
            "unchanged": folder in report.unchanged,
            "quarantined": report.quarantined.get(folder, ""),
        }
    )


@dg.multi_asset(
    specs=_raw_specs(FORCE_RETURN_TABLES, deps=[landed_return]),
    name="raw_force_returns",
    pool=WRITER_POOL,
)
def raw_force_returns(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig, writer_lock: WriterLock
):
    """Parse new or changed returns (by content sha256), drop removed ones, quarantine bad ones.
    After a `landing/force_return` partition run has parsed its return, that return is unchanged."""

    settings = warehouse.settings
    with warehouse.connect_build() as con:
        report = ingest_landing(con, settings.landing, log=context.log.info, limits=settings.limits)
        counts = dict(
            con.execute(
                "select 'return_cells', count(*) from raw.return_cells "
                "union all select 'force_returns', count(*) from raw.force_returns "
                "union all select 'quarantined_returns', count(*) from raw.quarantined_returns"
            ).fetchall()
        )
    context.log.info(f"landing {settings.landing}: {report.summary()}")
    for table in (t.name for t in FORCE_RETURN_TABLES.asset_tables):
        metadata: dict[str, Any] = {
            "returns_parsed": len(report.parsed),
            "returns_unchanged": len(report.unchanged),
        }
        if table in counts:
            metadata["dagster/row_count"] = counts[table]
        if table == FORCE_RETURN_TABLES.quarantine.name:
            metadata["quarantined"] = dg.MetadataValue.json(report.quarantined)
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)


@dg.multi_asset(
    # After the force returns: one writer at a time on the build database.
    specs=_raw_specs(HOME_OFFICE_TABLES, deps=[dg.AssetKey(["raw", FORCE_RETURN_TABLES.loaded])]),
    name="raw_home_office",
    pool=WRITER_POOL,
)
def raw_home_office(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig, writer_lock: WriterLock
):
    """Read new or changed Home Office datasets (open data table, summary tables) into raw."""
    settings = warehouse.settings
    with warehouse.connect_build() as con:
        report = load_home_office(
            con, settings.home_office, log=context.log.info, limits=settings.limits
        )
    context.log.info(f"Home Office datasets in {settings.home_office}: {report.summary()}")
    for table in HOME_OFFICE_TABLES.asset_tables:
        yield dg.MaterializeResult(
            asset_key=["raw", table.name],
            metadata={
                "datasets_loaded": len(report.loaded),
                "quarantined": dg.MetadataValue.json(report.quarantined),
            },
        )
