"""dbt docs for the published warehouse, regenerated on every refresh after publication, as one
self-contained page at <warehouse dir>/docs/dbt/index.html (linked from the report)."""

import os
import shutil
import tempfile
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.publication import published_warehouse
from orchestration.defs.resources import WarehouseResource


@dg.asset(
    deps=[published_warehouse],
    group_name="publication",
    kinds={"dbt", "html"},
    description="dbt docs (models, columns, tests, lineage) of the published warehouse.",
)
def warehouse_docs(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    os.environ["WAREHOUSE_BUILD_DB"] = str(warehouse.build_db)
    out = warehouse.published.parent / "docs" / "dbt"
    with tempfile.TemporaryDirectory() as target:
        # --static writes one self-contained page that opens from disk without a web server.
        dbt.cli(["docs", "generate", "--static"], target_path=Path(target)).wait()
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / ".index.html.tmp"
        shutil.copyfile(Path(target) / "static_index.html", tmp)
        os.replace(tmp, out / "index.html")
    context.log.info(f"dbt docs at {out / 'index.html'}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out / "index.html"))})
