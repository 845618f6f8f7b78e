"""The code location loads whole, with the asset graph, checks, job, schedule and sensor intended."""

from __future__ import annotations

import shutil

import dagster as dg
import pytest

from orchestration.defs.automation import landing_sensor, nightly_refresh
from tests.conftest import copy_sample_landing, pointed_at


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


def test_refresh_job_selects_every_asset(defs):
    job = defs.resolve_job_def("refresh")
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == keys(defs)


def test_schedule_targets_refresh_nightly():
    assert nightly_refresh.job_name == "refresh"
    assert nightly_refresh.cron_schedule == "0 2 * * *"
    with dg.build_schedule_context() as context:
        result = nightly_refresh.evaluate_tick(context)
    assert len(result.run_requests) == 1


def test_sensor_requests_a_run_for_a_new_return_and_none_when_unchanged(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    with pointed_at(landing, tmp_path / "w.duckdb"):
        with dg.build_sensor_context() as context:
            first = landing_sensor(context)
        assert isinstance(first, dg.RunRequest)
        cursor = first.run_key

        with dg.build_sensor_context(cursor=cursor) as context:
            unchanged = landing_sensor(context)
        assert isinstance(unchanged, dg.SkipReason)

        shutil.copytree(landing / "gwent-fy2023-24", landing / "gwent-fy2024-25")
        with dg.build_sensor_context(cursor=cursor) as context:
            added = landing_sensor(context)
        assert isinstance(added, dg.RunRequest) and added.run_key != cursor


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
