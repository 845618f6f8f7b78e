"""Run the Dagster `refresh` job in this process (what `warehouse refresh` does) and summarise it.

Runs land in the Dagster instance at $DAGSTER_HOME when set, so `dagster dev` shows them; otherwise
in a throwaway instance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import dagster as dg
import duckdb

from orchestration import settings

PUBLISHED_KEY = dg.AssetKey("published_warehouse")


@dataclass
class RefreshOutcome:
    published: bool
    problems: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)


def _instance() -> dg.DagsterInstance:
    return (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )


def _quarantined() -> dict[str, str]:
    build_db = settings.build_db_path(settings.warehouse_path())
    if not build_db.exists():
        return {}
    with duckdb.connect(str(build_db), read_only=True) as con:
        return dict(
            con.execute(
                "select landing_folder, error from raw.quarantined_returns order by 1"
            ).fetchall()
        )


def run_refresh(log_level: str = "INFO") -> RefreshOutcome:
    from orchestration.definitions import defs

    job = defs().resolve_job_def("refresh")
    with _instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
        )
    problems = [
        f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed: "
        f"{ {k: v.value for k, v in evaluation.metadata.items()} }"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    problems += [
        f"step {event.step_key} failed: {event.event_specific_data.error.message.strip()}"
        for event in result.get_step_failure_events()
    ]
    published = any(e.asset_key == PUBLISHED_KEY for e in result.get_asset_materialization_events())
    return RefreshOutcome(published=published, problems=problems, quarantined=_quarantined())
