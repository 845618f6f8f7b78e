"""dbt docs for the published warehouse, as one self-contained page at
<warehouse dir>/docs/dbt/index.html (linked from the report), published after every refresh from
a cache unless the dbt project or the catalog changed (orchestration/lib/dbt_docs.py)."""

from pathlib import Path

import dagster as dg

from orchestration.defs.publication.assets import published_warehouse
from orchestration.defs.resources import DbtCoreCli, WarehouseConfig
from orchestration.lib.dbt_docs import docs_key, publish_docs
from orchestration.lib.dbt_project import build_vars, ensure_manifest, project_fingerprint


@dg.asset(
    deps=[published_warehouse],
    group_name="publication",
    kinds={"dbt", "html"},
    description="dbt docs (models, columns, tests, lineage) of the published warehouse.",
)
def warehouse_docs(context: dg.AssetExecutionContext, dbt: DbtCoreCli, warehouse: WarehouseConfig):
    settings = warehouse.settings
    out = settings.published.parent / "docs" / "dbt" / "index.html"
    key = docs_key(ensure_manifest(), settings.build_db)

    def generate(target: Path) -> None:
        # --static writes one self-contained page that opens from disk without a web server.
        dbt_vars = build_vars(settings, project_fingerprint())
        dbt.cli(["docs", "generate", "--static", "--vars", dbt_vars], target_path=target).wait()

    cached = publish_docs(key, out, generate)
    context.log.info(f"dbt docs at {out} ({'cached' if cached else 'generated'}, key {key})")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(out)), "cached": cached, "docs_key": key}
    )
