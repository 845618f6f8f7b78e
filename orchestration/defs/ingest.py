"""Parse the force returns in the landing folder into the raw schema of the build database."""

import dagster as dg

from orchestration import faults
from orchestration.defs.resources import WarehouseResource
from orchestration.homeoffice import RAW_TABLES as HOME_OFFICE_TABLES
from orchestration.homeoffice import load_home_office
from orchestration.return_partitions import RETURN_PARTITIONS
from orchestration.returns.ingest import ingest_landing

RAW_TABLES = (
    "force_returns",
    "return_supersessions",
    "return_files",
    "return_suppression_markers",
    "return_cells",
    "quarantined_returns",
)


@dg.asset(
    key=["landing", "force_return"],
    partitions_def=RETURN_PARTITIONS,
    group_name="raw",
    kinds={"python"},
)
def landed_return(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """One return folder of the landing folder (one dynamic partition each), parsed into raw on
    its own: the landing sensor runs a new or corrected return's partition, then everything
    downstream. A whole refresh does not run these partitions (a run over hundreds of partitions
    costs Dagster a materialization per partition and asset); `raw_force_returns` parses every
    changed return in one step instead."""
    folder = context.partition_key
    with warehouse.connect_build() as con:
        report = ingest_landing(con, warehouse.landing, log=context.log.info, only={folder})
    context.log.info(f"return {folder}: {report.summary()}")
    return dg.MaterializeResult(
        metadata={
            "parsed": folder in report.parsed,
            "unchanged": folder in report.unchanged,
            "quarantined": report.quarantined.get(folder, ""),
        }
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            group_name="raw",
            kinds={"duckdb", "python"},
            description=f"raw.{table}: force returns as parsed, every cell as text, with lineage.",
            deps=[landed_return],
            skippable=False,
        )
        for table in RAW_TABLES
    ],
    name="raw_force_returns",
)
def raw_force_returns(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Parse new or changed returns (by content sha256), drop removed ones, quarantine bad ones.
    After a `landing/force_return` partition run has parsed its return, that return is unchanged."""

    def progress(message: str) -> None:
        context.log.info(message)
        faults.maybe_crash("parse")

    with warehouse.connect_build() as con:
        report = ingest_landing(con, warehouse.landing, log=progress)
        counts = dict(
            con.execute(
                "select 'return_cells', count(*) from raw.return_cells "
                "union all select 'force_returns', count(*) from raw.force_returns "
                "union all select 'quarantined_returns', count(*) from raw.quarantined_returns"
            ).fetchall()
        )
    context.log.info(f"landing {warehouse.landing}: {report.summary()}")
    for table in RAW_TABLES:
        metadata = {
            "returns_parsed": len(report.parsed),
            "returns_unchanged": len(report.unchanged),
        }
        if table in counts:
            metadata["dagster/row_count"] = counts[table]
        if table == "quarantined_returns":
            metadata["quarantined"] = dg.MetadataValue.json(report.quarantined)
        yield dg.MaterializeResult(asset_key=["raw", table], metadata=metadata)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            group_name="raw",
            kinds={"duckdb", "python"},
            description=f"raw.{table}: Home Office arrest statistics as read, with lineage.",
            # After the force returns: one writer at a time on the build database.
            deps=[dg.AssetKey(["raw", "force_returns"])],
            skippable=False,
        )
        for table in HOME_OFFICE_TABLES
    ],
    name="raw_home_office",
)
def raw_home_office(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Read new or changed Home Office datasets (open data table, summary tables) into raw."""
    with warehouse.connect_build() as con:
        report = load_home_office(con, warehouse.home_office, log=context.log.info)
    context.log.info(f"Home Office datasets in {warehouse.home_office}: {report.summary()}")
    for table in HOME_OFFICE_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={
                "datasets_loaded": len(report.loaded),
                "quarantined": dg.MetadataValue.json(report.quarantined),
            },
        )
