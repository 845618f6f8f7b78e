"""The dbt project as Dagster assets: seeds, staging, intermediate and marts, with dbt tests as
asset checks. `dbt build` runs models and tests in dependency order, so a failing test stops the
models downstream of it."""

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from expectations._gx import preload as preload_great_expectations
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.defs.resources import (
    WRITER_POOL,
    DbtCoreCli,
    WarehouseConfig,
    WriterLock,
    dbt_as_writer,
)
from orchestration.lib import checked_returns
from orchestration.lib.dbt_failures import failing_test_lines
from orchestration.lib.dbt_project import build_vars, project_fingerprint

TRANSLATOR = DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class DbtBuildConfig(dg.Config):
    """Run options of the dbt build (the launchpad's `ops.dbt_models.config`)."""

    # Check every cell, not only those of returns not checked yet (the dbt tests get it as the
    # var scope_cell_checks, the Great Expectations suite through audit.cell_check_filter).
    check_every_cell: bool = False
    # Rebuild incremental models from scratch.
    full_refresh: bool = False


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    pool=WRITER_POOL,
)
def dbt_models(
    context: dg.AssetExecutionContext,
    config: DbtBuildConfig,
    dbt: DbtCoreCli,
    warehouse: WarehouseConfig,
    writer_lock: WriterLock,
):
    settings = warehouse.settings
    fingerprint = project_fingerprint()
    with warehouse.connect_build() as con:
        unchecked, total = checked_returns.mark_unchecked(
            con, fingerprint, every_cell=config.check_every_cell
        )
    context.log.info(f"cell checks run on {unchecked} of {total} returns (the others passed them)")
    # The GX checks run right after the build: import GX while this thread waits on dbt.
    preload_great_expectations()
    # Unit tests check the project's code on fixed rows, not the data: they run in the test suite
    # (tests/test_dbt_unit_tests.py), not in every refresh.
    args = [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        build_vars(settings, fingerprint, scope_cell_checks=not config.check_every_cell),
    ]
    if config.full_refresh:
        args.append("--full-refresh")
    with dbt_as_writer(settings.published):
        invocation = dbt.cli(args, context=context, target_path=settings.dbt_target)
    try:
        yield from invocation.stream()
    except Exception:  # dbt failed (not an interruption): quote failing tests with their rows
        for line in failing_test_lines(settings.dbt_target, settings.build_db):
            context.log.error(line)
        raise
