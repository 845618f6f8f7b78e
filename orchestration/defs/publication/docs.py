"""The docs published beside the warehouse after every refresh, both linked from the report: dbt
docs as one self-contained page at <warehouse dir>/docs/dbt/index.html, from a cache unless the dbt
project or the catalog changed (orchestration/lib/dbt_docs.py), and the Great Expectations Data
Docs of this refresh's suites at <warehouse dir>/docs/gx/."""

import shutil
import time
from pathlib import Path

import dagster as dg

from orchestration.defs.checks.great_expectations import docs_dir, refresh_id, results_root
from orchestration.defs.publication.assets import published_warehouse
from orchestration.defs.resources import (
    WRITER_POOL,
    DbtCoreCli,
    WarehouseConfig,
    WriterLock,
    dbt_as_writer,
)
from orchestration.lib.dbt_docs import docs_key, publish_docs
from orchestration.lib.dbt_project import build_vars, ensure_manifest, project_fingerprint


@dg.asset(
    deps=[published_warehouse],
    group_name="publication",
    kinds={"dbt", "html"},
    pool=WRITER_POOL,
    description="dbt docs (models, columns, tests, lineage) of the published warehouse.",
)
def warehouse_docs(
    context: dg.AssetExecutionContext,
    dbt: DbtCoreCli,
    warehouse: WarehouseConfig,
    writer_lock: WriterLock,
):
    settings = warehouse.settings
    out = settings.published.parent / "docs" / "dbt" / "index.html"
    key = docs_key(ensure_manifest(), settings.build_db)

    def generate(target: Path) -> None:
        # --static writes one self-contained page that opens from disk without a web server.
        dbt_vars = build_vars(settings, project_fingerprint())
        with dbt_as_writer(settings.published):
            invocation = dbt.cli(
                ["docs", "generate", "--static", "--vars", dbt_vars], target_path=target
            )
        invocation.wait()

    cached = publish_docs(key, out, generate)
    context.log.info(f"dbt docs at {out} ({'cached' if cached else 'generated'}, key {key})")
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(out)), "cached": cached, "docs_key": key}
    )


@dg.asset(
    deps=[published_warehouse],
    group_name="publication",
    kinds={"greatexpectations", "html"},
    pool=WRITER_POOL,
    description="Great Expectations Data Docs of this refresh's suites, at <warehouse dir>/docs/gx/.",
)
def expectations_docs(
    context: dg.AssetExecutionContext, warehouse: WarehouseConfig, writer_lock: WriterLock
):
    from expectations.docs import load_results, publish_data_docs  # imports GX

    started = time.perf_counter()
    root = results_root(warehouse)
    run_id = refresh_id(context.run)
    results = load_results(root / run_id)
    out = docs_dir(warehouse)
    if not results:
        # Publication ran without the checks in this run (e.g. a hand-picked selection in
        # dagster dev): the site keeps the latest validations it has.
        context.log.warning(f"no expectation results in this run; {out} left as it was")
        return dg.MaterializeResult(metadata={"suites": 0, "path": dg.MetadataValue.path(str(out))})
    index = publish_data_docs(results, out)
    # Results of earlier runs (failed refreshes, superseded ones) are not needed any more.
    for stale in root.iterdir():
        if stale.name != run_id:
            shutil.rmtree(stale, ignore_errors=True)
    seconds = round(time.perf_counter() - started, 2)
    suites = [r["suite_name"] for r in results]
    context.log.info(f"Great Expectations Data Docs at {index} ({len(suites)} suites, {seconds} s)")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(index)),
            "suites": len(suites),
            "suites_passed": sum(bool(r.get("success")) for r in results),
            "suite_names": dg.MetadataValue.json(suites),
            "render_seconds": seconds,
        }
    )
