"""When a refresh runs: nightly, and whenever the landing folder changes.

Each return folder is a partition of `landing/force_return`. The sensor keeps the partitions equal
to the landing folder's returns. A new or corrected return gets a `refresh_return` run of its
partition: that return is parsed alone, then everything downstream is rebuilt, checked and
published. When several returns changed at once, a return was removed or a Home Office dataset
changed, the sensor requests one `refresh` run instead, which parses every changed return in one
step (unchanged returns are not re-parsed). Runs never overlap: the sensor and the schedule wait
while a refresh is queued or running, or while another writer (`warehouse refresh`) holds the
warehouse's lock; each run holds that lock for its whole length (defs/resources.py WriterLock), and
its tag and pool let a Dagster instance configured as dagster.yaml queue a second run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.assets import landed_return
from orchestration.defs.ingest.partitions import (
    RETURN_PARTITIONS,
    RETURN_PARTITIONS_NAME,
    landing_partition_keys,
)
from orchestration.defs.resources import WarehouseConfig
from orchestration.lib.fingerprint import stat_fingerprint
from orchestration.lib.lock import holder

# The run tag of every run that writes the warehouse; dagster.yaml limits such runs to one at a
# time (the file lock is what guarantees it; the limit makes a second run wait instead of fail).
WRITER_TAGS = {"force_returns_warehouse/writer": "warehouse"}

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(landed_return),
    description=(
        "Parse changed returns, dbt build, run every check, publish if all blocking checks pass."
    ),
    # One process for the whole run, so the writer lock it takes at its start covers every step.
    executor_def=dg.in_process_executor,
    tags=WRITER_TAGS,
)

refresh_return_job = dg.define_asset_job(
    "refresh_return",
    # Everything, as `refresh` does: `raw_force_returns` then finds that return already parsed.
    selection=dg.AssetSelection.all(),
    description="Parse one return (its partition), then rebuild, check and publish as `refresh`.",
    executor_def=dg.in_process_executor,
    tags=WRITER_TAGS,
)

_IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def refresh_in_progress(instance: dg.DagsterInstance) -> bool:
    for job in (refresh_job, refresh_return_job):
        if instance.get_run_records(
            dg.RunsFilter(job_name=job.name, statuses=_IN_PROGRESS), limit=1
        ):
            return True
    return False


def landing_state(landing: Path, home_office: Path) -> dict:
    return {
        "returns": {
            key: stat_fingerprint(landing / key) for key in landing_partition_keys(landing)
        },
        "home_office": stat_fingerprint(home_office),
    }


def _previous_state(cursor: str | None) -> dict:
    try:
        state = json.loads(cursor or "")
    except json.JSONDecodeError:
        state = None
    if not isinstance(state, dict) or not isinstance(state.get("returns"), dict):
        return {"returns": {}, "home_office": None}
    return state


@dg.schedule(
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    name="nightly_refresh",
)
def nightly_refresh(context: dg.ScheduleEvaluationContext, warehouse: WarehouseConfig):
    """A whole refresh every night (pulling sources named by URL), unless one is running."""
    if refresh_in_progress(context.instance):
        return dg.SkipReason("a refresh is queued or running")
    if writer := holder(warehouse.settings.published):
        return dg.SkipReason(f"another writer holds the warehouse ({writer.describe()})")
    return dg.RunRequest()


@dg.sensor(
    jobs=[refresh_job, refresh_return_job],
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseConfig):
    """Add partitions for new returns, delete those of removed ones, request the runs they need."""
    if refresh_in_progress(context.instance):
        return dg.SkipReason("a refresh is queued or running; looking again after it")
    if writer := holder(warehouse.settings.published):
        return dg.SkipReason(f"another writer holds the warehouse ({writer.describe()}); later")
    previous = _previous_state(context.cursor)
    settings = warehouse.settings
    state = landing_state(settings.landing, settings.home_office)
    returns = state["returns"]
    existing = context.instance.get_dynamic_partitions(RETURN_PARTITIONS_NAME)
    added = [key for key in returns if key not in existing]
    removed = [key for key in existing if key not in returns]
    changed = [key for key, fp in returns.items() if previous["returns"].get(key) != fp]
    other_change = bool(removed) or state["home_office"] != previous["home_office"]
    cursor = json.dumps(state, sort_keys=True)
    if len(changed) == 1 and not other_change:
        key = changed[0]
        run_requests = [
            dg.RunRequest(
                job_name=refresh_return_job.name,
                partition_key=key,
                run_key=f"{key}:{returns[key]}",
            )
        ]
    elif changed or other_change:
        run_key = hashlib.sha256(cursor.encode()).hexdigest()
        run_requests = [dg.RunRequest(job_name=refresh_job.name, run_key=run_key)]
    else:
        run_requests = []
    partition_requests: list[
        dg.AddDynamicPartitionsRequest | dg.DeleteDynamicPartitionsRequest
    ] = []
    if added:
        partition_requests.append(RETURN_PARTITIONS.build_add_request(added))
    if removed:
        partition_requests.append(RETURN_PARTITIONS.build_delete_request(removed))
    if not run_requests and not partition_requests:
        return dg.SkipReason("landing folder unchanged")
    return dg.SensorResult(
        run_requests=run_requests, dynamic_partitions_requests=partition_requests, cursor=cursor
    )
