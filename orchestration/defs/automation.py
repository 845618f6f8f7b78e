"""When a refresh runs: nightly, and whenever the landing folder changes."""

import hashlib

import dagster as dg

from orchestration import settings

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all(),
    description="Parse changed returns, dbt build, run every check, publish if all blocking checks pass.",
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
)


def landing_fingerprint() -> str:
    """Cheap fingerprint of the inputs (force returns and Home Office datasets): every file's path,
    size and modification time."""
    digest = hashlib.sha256()
    for root in (settings.landing_dir(), settings.home_office_dir()):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    job=refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
)
def landing_sensor(context: dg.SensorEvaluationContext):
    """Request a refresh when a return is added, changed or removed; nothing when all is as before."""
    fingerprint = landing_fingerprint()
    if fingerprint == context.cursor:
        return dg.SkipReason("landing folder unchanged")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
