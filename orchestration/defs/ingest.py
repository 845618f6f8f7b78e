"""Parse the force returns in the landing folder into the raw schema of the build database."""

import dagster as dg
import duckdb

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


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            group_name="raw",
            kinds={"duckdb", "python"},
            description=f"raw.{table}: force returns as parsed, every cell as text, with lineage.",
            skippable=False,
        )
        for table in RAW_TABLES
    ],
    name="raw_force_returns",
    partitions_def=RETURN_PARTITIONS,
    # A run over many partitions (a full refresh) parses them in one step and one transaction.
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def raw_force_returns(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Parse this run's returns (one partition per return folder) when new or changed by content
    sha256, drop returns whose folder is gone, quarantine bad ones."""
    warehouse.build_db.parent.mkdir(parents=True, exist_ok=True)

    def progress(message: str) -> None:
        context.log.info(message)
        faults.maybe_crash("parse")

    with duckdb.connect(str(warehouse.build_db)) as con:
        report = ingest_landing(
            con, warehouse.landing, log=progress, only=set(context.partition_keys)
        )
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
    with duckdb.connect(str(warehouse.build_db)) as con:
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
