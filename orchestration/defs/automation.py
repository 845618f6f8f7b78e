"""When a refresh runs: nightly, and whenever the landing folder changes.

Each return folder is a partition of `raw_force_returns`. The sensor keeps the partitions equal to
the landing folder's returns and requests a run of a new or changed return's partition alone; when
several changed at once, or a return was removed, or a Home Office dataset changed, it requests one
run over every partition, in which the returns whose content is unchanged are not re-parsed.
Runs never overlap: both the sensor and the schedule wait while a refresh is queued or running
(two writers cannot share the build database).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration import settings
from orchestration.return_partitions import (
    RETURN_PARTITIONS,
    landing_partition_keys,
    whole_range_tags,
)

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    description=(
        "Parse the run's returns (one partition each), dbt build, run every check, publish if "
        "all blocking checks pass."
    ),
)

_IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def refresh_in_progress(instance: dg.DagsterInstance) -> bool:
    runs = instance.get_run_records(
        dg.RunsFilter(job_name=refresh_job.name, statuses=_IN_PROGRESS), limit=1
    )
    return bool(runs)


def folder_fingerprint(folder: Path) -> str:
    """Cheap fingerprint of a folder's files: path, size and modification time of each."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def landing_state() -> dict:
    landing = settings.landing_dir()
    return {
        "returns": {
            key: folder_fingerprint(landing / key) for key in landing_partition_keys(landing)
        },
        "home_office": folder_fingerprint(settings.home_office_dir()),
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
def nightly_refresh(context: dg.ScheduleEvaluationContext):
    """Every return's partition in one run (pulling sources named by URL; unchanged returns are not
    re-parsed). Partitions are kept equal to the landing folder by `landing_sensor`."""
    if refresh_in_progress(context.instance):
        return dg.SkipReason("a refresh is queued or running")
    keys = context.instance.get_dynamic_partitions(RETURN_PARTITIONS.name)
    if not keys:
        return dg.SkipReason("no return partitions yet: the landing sensor adds them")
    return dg.RunRequest(tags=whole_range_tags(keys))


@dg.sensor(
    job=refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
)
def landing_sensor(context: dg.SensorEvaluationContext):
    """Add partitions for new returns, delete those of removed ones, request the runs they need."""
    if refresh_in_progress(context.instance):
        return dg.SkipReason("a refresh is queued or running; looking again after it")
    previous = _previous_state(context.cursor)
    state = landing_state()
    returns = state["returns"]
    existing = context.instance.get_dynamic_partitions(RETURN_PARTITIONS.name)
    added = [key for key in returns if key not in existing]
    removed = [key for key in existing if key not in returns]
    changed = [key for key, fp in returns.items() if previous["returns"].get(key) != fp]
    other_change = bool(removed) or state["home_office"] != previous["home_office"]
    cursor = json.dumps(state, sort_keys=True)
    if not returns:
        # Nothing to run over; the removed returns are dropped when one arrives again.
        run_requests = []
    elif len(changed) == 1 and not other_change:
        key = changed[0]
        run_requests = [dg.RunRequest(partition_key=key, run_key=f"{key}:{returns[key]}")]
    elif changed or other_change:
        keys = [key for key in existing if key in returns] + added
        run_key = hashlib.sha256(cursor.encode()).hexdigest()
        run_requests = [dg.RunRequest(run_key=run_key, tags=whole_range_tags(keys))]
    else:
        run_requests = []
    partition_requests = []
    if added:
        partition_requests.append(RETURN_PARTITIONS.build_add_request(added))
    if removed:
        partition_requests.append(RETURN_PARTITIONS.build_delete_request(removed))
    if not run_requests and not partition_requests:
        return dg.SkipReason("landing folder unchanged")
    return dg.SensorResult(
        run_requests=run_requests, dynamic_partitions_requests=partition_requests, cursor=cursor
    )
