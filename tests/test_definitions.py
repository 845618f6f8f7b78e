"""The code location loads whole, with the asset graph, checks, job, schedule and sensor intended."""

from __future__ import annotations

import shutil

import dagster as dg
import pytest

from orchestration.defs.automation import landing_sensor, nightly_refresh
from orchestration.defs.resources import WarehouseConfig
from tests.conftest import copy_sample_landing, settings_for


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs as build

    return build()


def keys(defs) -> set[str]:
    return {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}


def test_asset_graph_holds_raw_dbt_and_publication_assets(defs):
    expected = {
        "raw/return_cells",
        "raw/force_returns",
        "raw/quarantined_returns",
        "staging/stg_force_returns__cells",
        "intermediate/int_arrests_by_force_month",
        "marts/rates_by_force_offence",
        "marts/rates_by_region_offence",
        "reference/ref_forces",
        "reference/ref_force_population",
        "published_warehouse",
        "expectations_docs",
    }
    assert expected <= keys(defs)


def test_dbt_staging_reads_raw_and_publication_follows_marts(defs):
    graph = defs.resolve_asset_graph()
    staging = graph.get(dg.AssetKey(["staging", "stg_force_returns__cells"]))
    assert dg.AssetKey(["raw", "return_cells"]) in staging.parent_keys
    published = graph.get(dg.AssetKey("published_warehouse"))
    assert {
        dg.AssetKey(["marts", "rates_by_force_offence"]),
        dg.AssetKey(["marts", "rates_by_region_offence"]),
        dg.AssetKey(["staging", "stg_force_returns__cells"]),
    } <= published.parent_keys


def test_great_expectations_checks_are_blocking_on_staging_and_marts(defs):
    graph = defs.resolve_asset_graph()
    gx = {
        key.to_user_string(): graph.get_check_spec(key)
        for key in graph.asset_check_keys
        if key.name.startswith("gx_")
    }
    assert set(gx) == {
        "staging/stg_force_returns__cells:gx_stg_force_returns__cells",
        "marts/rates_by_force_offence:gx_rates_by_force_offence",
        "marts/rates_by_region_offence:gx_rates_by_region_offence",
        "marts/nationality_rate_ratios:gx_nationality_rate_ratios",
        "marts/headline_figures:gx_headline_figures",
    }
    assert all(spec.blocking for spec in gx.values())
    dbt_test_checks = [k for k in graph.asset_check_keys if not k.name.startswith("gx_")]
    assert any(k.name.startswith("unique_key_rates_by_region_offence") for k in dbt_test_checks)


def test_refresh_job_selects_every_asset_but_the_per_return_partitions(defs):
    job = defs.resolve_job_def("refresh")
    selected = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert selected == keys(defs) - {"landing/force_return"}


def test_refresh_return_job_parses_one_partition_then_everything_downstream(defs):
    job = defs.resolve_job_def("refresh_return")
    selected = {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
    assert selected == keys(defs)
    assert job.partitions_def.name == "force_returns"


def test_schedule_runs_a_whole_refresh_nightly_unless_one_is_running(tmp_path):
    from dagster._core.test_utils import create_run_for_test

    assert nightly_refresh.job_name == "refresh"
    assert nightly_refresh.cron_schedule == "0 2 * * *"
    resources = {"warehouse": WarehouseConfig(warehouse_path=str(tmp_path / "w.duckdb"))}
    with dg.instance_for_test() as instance:
        with dg.build_schedule_context(instance=instance, resources=resources) as context:
            assert isinstance(nightly_refresh(context), dg.RunRequest)
        create_run_for_test(instance, job_name="refresh", status=dg.DagsterRunStatus.STARTED)
        with dg.build_schedule_context(instance=instance, resources=resources) as context:
            assert isinstance(nightly_refresh(context), dg.SkipReason)


def _tick(instance: dg.DagsterInstance, cursor: str | None, warehouse: WarehouseConfig):
    """One sensor evaluation, with its partition requests applied as the daemon would."""
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"warehouse": warehouse}
    ) as context:
        result = landing_sensor(context)
    if isinstance(result, dg.SensorResult):
        for request in result.dynamic_partitions_requests:
            if isinstance(request, dg.AddDynamicPartitionsRequest):
                instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
            else:
                for key in request.partition_keys:
                    instance.delete_dynamic_partition(request.partitions_def_name, key)
    return result


def test_sensor_keeps_one_partition_per_return_and_runs_only_what_changed(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    folders = sorted(p.name for p in landing.iterdir() if p.is_dir())
    warehouse = WarehouseConfig.from_settings(settings_for(landing, tmp_path / "w.duckdb"))
    with dg.instance_for_test() as instance:
        first = _tick(instance, None, warehouse)
        assert sorted(instance.get_dynamic_partitions("force_returns")) == folders
        # Every return is new: one whole refresh, not one run per return.
        (run,) = first.run_requests
        assert (run.job_name, run.partition_key) == ("refresh", None)

        assert isinstance(_tick(instance, first.cursor, warehouse), dg.SkipReason)

        # A new return: its own partition, and a run of that partition alone.
        shutil.copytree(landing / "gwent-fy2023-24", landing / "gwent-fy2024-25")
        added = _tick(instance, first.cursor, warehouse)
        assert instance.get_dynamic_partitions("force_returns")[-1] == "gwent-fy2024-25"
        (run,) = added.run_requests
        assert (run.job_name, run.partition_key) == ("refresh_return", "gwent-fy2024-25")

        # A corrected file in an existing return: that partition alone, no new partition.
        csv = next((landing / "gwent-fy2023-24").glob("*.csv"))
        csv.write_text(csv.read_text() + "\n")
        corrected = _tick(instance, added.cursor, warehouse)
        (run,) = corrected.run_requests
        assert (run.job_name, run.partition_key) == ("refresh_return", "gwent-fy2023-24")
        assert corrected.dynamic_partitions_requests == []

        # A removed return: its partition deleted, and a whole refresh drops its rows.
        shutil.rmtree(landing / "gwent-fy2024-25")
        removed = _tick(instance, corrected.cursor, warehouse)
        assert "gwent-fy2024-25" not in instance.get_dynamic_partitions("force_returns")
        (run,) = removed.run_requests
        assert (run.job_name, run.partition_key) == ("refresh", None)


def test_sensor_waits_while_a_refresh_is_running(tmp_path):
    from dagster._core.test_utils import create_run_for_test

    landing = copy_sample_landing(tmp_path / "landing")
    warehouse = WarehouseConfig.from_settings(settings_for(landing, tmp_path / "w.duckdb"))
    with dg.instance_for_test() as instance:
        create_run_for_test(instance, job_name="refresh_return", status=dg.DagsterRunStatus.STARTED)
        with dg.build_sensor_context(
            instance=instance, resources={"warehouse": warehouse}
        ) as context:
            assert isinstance(landing_sensor(context), dg.SkipReason)
            assert context.cursor is None  # nothing seen, so the change is picked up later
        assert instance.get_dynamic_partitions("force_returns") == []


def test_dagster_definitions_validate_passes():
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate"], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr
