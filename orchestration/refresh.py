"""Run the Dagster `refresh` job in this process (what `warehouse refresh` does) and summarise it.

One refresh at a time per warehouse file: a second one waits for the first (up to `wait_seconds`)
or stops with a clear message; the lock is an OS file lock, so a crashed refresh never leaves it
held. Runs land in the Dagster instance at $DAGSTER_HOME when set, so `dagster dev` shows them;
otherwise in a throwaway instance.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import settings

PUBLISHED_KEY = dg.AssetKey("published_warehouse")


class RefreshBusy(RuntimeError):
    """Another refresh of the same warehouse is running."""


@dataclass
class RefreshOutcome:
    published: bool
    run_id: str = ""
    problems: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)
    checks_run: int = 0


@contextmanager
def refresh_lock(published: Path, wait_seconds: float = 0) -> Iterator[None]:
    published.parent.mkdir(parents=True, exist_ok=True)
    path = published.parent / f".refresh-{published.stem}.lock"
    with path.open("a+") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise RefreshBusy(
                        f"another refresh of {published} is running (pid {holder}); "
                        "wait for it or pass --wait SECONDS"
                    ) from None
                time.sleep(0.5)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _root_cause(error) -> str:
    """The innermost error of a step failure: what went wrong, not Dagster's wrapper around it."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


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
        try:
            rows = con.execute(
                "select landing_folder, error from raw.quarantined_returns order by 1"
            ).fetchall()
        except duckdb.CatalogException:  # the refresh failed before creating the raw schema
            return {}
    return dict(rows)


def run_refresh(log_level: str = "INFO", wait_seconds: float = 0) -> RefreshOutcome:
    from orchestration.definitions import defs

    with refresh_lock(settings.warehouse_path(), wait_seconds):
        job = defs().resolve_job_def("refresh")
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
            f"step {event.step_key} failed: {_root_cause(event.event_specific_data.error)}"
            for event in result.get_step_failure_events()
        ]
        published = any(
            e.asset_key == PUBLISHED_KEY for e in result.get_asset_materialization_events()
        )
        return RefreshOutcome(
            published=published,
            run_id=result.run_id,
            problems=problems,
            quarantined=_quarantined(),
            checks_run=len(evaluations),
        )
