"""The dbt project as Dagster assets: seeds, staging, intermediate and marts, with dbt tests as
asset checks. `dbt build` runs models and tests in dependency order, so a failing test stops the
models downstream of it."""

import os

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from expectations._gx import preload as preload_great_expectations
from orchestration import checked_returns, faults
from orchestration.defs.dbt_project import DBT_PROJECT
from orchestration.defs.resources import WarehouseResource

TRANSLATOR = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path, project=DBT_PROJECT, dagster_dbt_translator=TRANSLATOR
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    # profiles.yml reads the build database's path from the environment of the dbt process.
    os.environ["WAREHOUSE_BUILD_DB"] = str(warehouse.build_db)
    # Row-level tests of the cells run on the returns whose cells have not passed them yet.
    with warehouse.connect_build() as con:
        unchecked, total = checked_returns.mark_unchecked(con)
        scope = checked_returns.scope_sql(con)
    context.log.info(f"cell checks run on {unchecked} of {total} returns (the others passed them)")
    # The GX checks run right after the build: import GX while this thread waits on dbt.
    preload_great_expectations()
    os.environ[checked_returns.SCOPE_ENV] = scope  # for this dbt build only
    try:
        for event in dbt.cli(["build"], context=context, target_path=warehouse.dbt_target).stream():
            faults.maybe_crash("dbt")
            yield event
    finally:
        os.environ.pop(checked_returns.SCOPE_ENV, None)
