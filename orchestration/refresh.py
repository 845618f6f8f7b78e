"""Run the Dagster `refresh` job in this process (what `warehouse refresh` does) and summarise it.

One refresh at a time per warehouse file (orchestration.lib.lock): a second one waits for the first
(up to `wait_seconds`) or stops with a clear message. Runs land in the Dagster instance at
$DAGSTER_HOME when Dagster finds one, so `dagster dev` shows them; otherwise in a throwaway one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg
import duckdb
from dagster._core.errors import DagsterHomeNotSetError

from orchestration.lib.dbt_project import ensure_manifest
from orchestration.lib.lock import RefreshBusy, refresh_lock
from orchestration.lib.settings import WarehouseSettings

__all__ = ["RefreshBusy", "RefreshOutcome", "refresh_lock", "run_refresh"]

PUBLISHED_KEY = dg.AssetKey("published_warehouse")


@dataclass
class RefreshOutcome:
    published: bool
    run_id: str = ""
    problems: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)
    checks_run: int = 0


def _root_cause(error) -> str:
    """The innermost error of a step failure: what went wrong, not Dagster's wrapper around it."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def _instance() -> dg.DagsterInstance:
    try:
        return dg.DagsterInstance.get()  # $DAGSTER_HOME, as every Dagster tool reads it
    except DagsterHomeNotSetError:
        return dg.DagsterInstance.ephemeral()


def _quarantined(settings: WarehouseSettings) -> dict[str, str]:
    if not settings.build_db.exists():
        return {}
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        try:
            rows = con.execute(
                "select landing_folder, error from raw.quarantined_returns order by 1"
            ).fetchall()
        except duckdb.CatalogException:  # the refresh failed before creating the raw schema
            return {}
    return dict(rows)


def run_refresh(
    settings: WarehouseSettings, log_level: str = "INFO", wait_seconds: float = 0
) -> RefreshOutcome:
    from orchestration.definitions import build_definitions

    with refresh_lock(settings.published, wait_seconds):
        ensure_manifest()
        job = build_definitions(settings).resolve_job_def("refresh")
        with _instance() as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            )
        evaluations = result.get_asset_check_evaluations()
        problems = [
            f"check {e.check_name} on {e.asset_key.to_user_string()} failed: "
            f"{ {k: v.value for k, v in e.metadata.items()} }"
            for e in evaluations
            if not e.passed
        ]
        problems += [
            f"step {event.step_key} failed: {_root_cause(event.step_failure_data.error)}"
            for event in result.get_step_failure_events()
        ]
        published = any(
            e.asset_key == PUBLISHED_KEY for e in result.get_asset_materialization_events()
        )
        return RefreshOutcome(
            published=published,
            run_id=result.run_id,
            problems=problems,
            quarantined=_quarantined(settings),
            checks_run=len(evaluations),
        )
