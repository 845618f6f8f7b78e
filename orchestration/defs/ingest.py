"""Parse the force returns in the landing folder into the raw schema of the build database."""

import dagster as dg
import duckdb

from orchestration.defs.resources import WarehouseResource
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
)
def raw_force_returns(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Parse new or changed returns (by content sha256), drop removed ones, quarantine bad ones."""
    warehouse.build_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse.build_db)) as con:
        report = ingest_landing(con, warehouse.landing, log=context.log.info)
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
