"""Run the Dagster `refresh` job in this process (what `warehouse refresh` does) and summarise it.

One writer at a time per warehouse file (orchestration.lib.lock): a second one waits for the first
(up to `wait_seconds`) or stops with a clear message naming the holder; the run takes the same lock
again (re-entrant in one process), as a run launched from `dagster dev` takes it. Runs land in the
Dagster instance at $DAGSTER_HOME when Dagster finds one, so `dagster dev` shows them; otherwise in
a throwaway one. Every problem is summarised on one line; `debug` keeps Dagster's full log
(tracebacks included) and adds each failure's stack.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field

import dagster as dg
import duckdb
from dagster._core.errors import DagsterHomeNotSetError

from orchestration.lib.dbt_failures import failing_test_lines
from orchestration.lib.dbt_project import ensure_manifest
from orchestration.lib.lock import RefreshBusy, refresh_lock
from orchestration.lib.messages import one_line
from orchestration.lib.settings import WarehouseSettings

__all__ = ["RefreshBusy", "RefreshOutcome", "refresh_lock", "run_refresh"]

PUBLISHED_KEY = dg.AssetKey("published_warehouse")
# DuckDB's words when another process has the build database open for writing.
_DUCKDB_LOCKED = "Could not set lock on file"


@dataclass
class RefreshOutcome:
    published: bool
    run_id: str = ""
    problems: list[str] = field(default_factory=list)
    quarantined: dict[str, str] = field(default_factory=dict)
    checks_run: int = 0
    refused_strict: bool = False  # --strict: quarantined returns, nothing published
    stacks: list[str] = field(default_factory=list)  # each failure's full error, for --debug


def _root_cause(error) -> str:
    """The innermost error of a step failure: what went wrong, not Dagster's wrapper around it."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def summary_line(message: str) -> str:
    """One line of an error message: for a failed dbt command, the errors dbt logged (without its
    headings and macro call stack); otherwise the first line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if "Errors parsed from dbt logs:" in lines:
        parsed = lines[lines.index("Errors parsed from dbt logs:") + 1 :]
        skip = ("Encountered an error:", "Runtime Error", ">", "Stack Trace:", "File ")
        kept = [line for line in parsed if not line.startswith(skip)]
        return one_line(" ".join(kept) or lines[0])
    return one_line(lines[0] if lines else "unknown error")


@dg.logger(
    config_schema={"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Dagster's events on stderr, one line each (the first line of the message).",
)
def one_line_console(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger("warehouse.refresh")
    logger.setLevel(init_context.logger_config["log_level"])
    logger.propagate = False
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_FirstLine("%(asctime)s - %(levelname)s - %(message)s"))
    logger.addHandler(handler)
    return logger


class _FirstLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.msg, record.args = one_line(record.getMessage().split("\n", 1)[0]), None
        record.exc_info = record.exc_text = record.stack_info = None
        return super().format(record)


def _instance() -> dg.DagsterInstance:
    try:
        return dg.DagsterInstance.get()  # $DAGSTER_HOME, as every Dagster tool reads it
    except DagsterHomeNotSetError:
        return dg.DagsterInstance.ephemeral()


def _quarantined(settings: WarehouseSettings) -> dict[str, str]:
    if not settings.build_db.exists():
        return {}
    try:
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            rows = con.execute(
                "select landing_folder, error from raw.quarantined_returns order by 1"
            ).fetchall()
    except duckdb.CatalogException:  # the refresh failed before creating the raw schema
        return {}
    except duckdb.IOException:  # still open for writing: a stopped dbt not gone yet
        return {}
    return dict(rows)


def _check_problem(evaluation) -> str:
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    shown = {k: v for k, v in metadata.items() if k not in ("unique_id", "invocation_id")}
    return one_line(
        f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed: {shown}"
    )


def run_refresh(
    settings: WarehouseSettings,
    log_level: str = "INFO",
    wait_seconds: float = 0,
    strict: bool = False,
    debug: bool = False,
) -> RefreshOutcome:
    """Refresh and publish. `strict`: any quarantined return fails the run, nothing published.
    `debug`: Dagster's own console log, with tracebacks; otherwise one line per event."""
    from orchestration.definitions import build_definitions
    from orchestration.defs.publication.assets import STRICT_REFUSAL

    with refresh_lock(settings.published, wait_seconds):
        ensure_manifest()
        job = build_definitions(settings).resolve_job_def("refresh")
        if not debug:
            job = job.with_logger_defs({"console": one_line_console})
        started = time.time()
        with _instance() as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={
                    "loggers": {"console": {"config": {"log_level": log_level}}},
                    "ops": {"published_warehouse": {"config": {"strict": strict}}},
                },
            )
        evaluations = result.get_asset_check_evaluations()
        failed_tests = failing_test_lines(settings.dbt_target, settings.build_db, since=started)
        failed_checks = [e for e in evaluations if not e.passed]
        # dbt tests are quoted with their failing rows; the other checks with their metadata.
        problems = failed_tests + [
            _check_problem(e)
            for e in failed_checks
            if not (failed_tests and "unique_id" in e.metadata)
        ]
        failures = result.get_step_failure_events()
        causes = [_root_cause(event.step_failure_data.error) for event in failures]
        locked = [cause for cause in causes if _DUCKDB_LOCKED in cause]
        if locked:
            raise RefreshBusy(
                f"the build database {settings.build_db} is open for writing in another "
                f"process: {summary_line(locked[0])}"
            )
        problems += [
            f"step {event.step_key} failed: {summary_line(cause)}"
            for event, cause in zip(failures, causes, strict=True)
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
            refused_strict=any(STRICT_REFUSAL in cause for cause in causes),
            stacks=[
                error.to_string()
                for event in failures
                if (error := event.step_failure_data.error) is not None
            ],
        )
