"""Faults: a process killed at every step of publish or rollback leaves the DuckDB file and the
Parquet export of one version; one writer lock between `warehouse refresh`, a Dagster run and dbt;
SIGINT and SIGTERM stop cleanly (130, 143); `--strict`; errors on one line, `--debug`, `--json`.

The kill tests run `publish` itself in a subprocess (not a whole refresh), on a copy of the
sample's refreshed warehouse; the step to die at is named by replacing `publish._reached` in that
subprocess, so production code carries no fault-injection switch."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.lib import lock
from orchestration.lib.dbt_failures import failing_test_lines
from orchestration.lib.publication import publish
from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, build_db_path

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


# -- helpers ------------------------------------------------------------------------------------


def copy_warehouse(published_sample: Path, target: Path) -> tuple[Path, Path]:
    """A copy of the sample's landing folder and warehouse folder (links kept as links)."""
    shutil.copytree(published_sample.parent.parent / "landing", target / "landing")
    shutil.copytree(published_sample.parent, target / "warehouse", symlinks=True)
    return target / "landing", target / "warehouse" / published_sample.name


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs(published: Path) -> dict:
    """What a reader sees through the published paths: the DuckDB file's publication id and mart
    tables, each Parquet file's stamped publication id, and hashes of both outputs."""
    with duckdb.connect(str(published), read_only=True) as con:
        db_id = con.execute("select publication_id from meta.publication").fetchone()[0]
        marts = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        parquet = {}
        for path in sorted((published.parent / "parquet").glob("*.parquet")):
            rows = con.execute(
                "select value from parquet_kv_metadata(?) where decode(key) = 'publication_id'",
                [str(path)],
            ).fetchall()
            parquet[path.stem] = rows[0][0].decode() if rows else None
    files = sorted((published.parent / "parquet").glob("*.parquet"))
    return {
        "id": db_id,
        "marts": marts,
        "parquet_ids": parquet,
        "duckdb_sha": digest(published),
        "parquet_sha": {p.stem: digest(p) for p in files},
    }


def assert_one_version(seen: dict) -> None:
    assert set(seen["parquet_ids"]) == seen["marts"], "every mart exported, nothing else"
    assert set(seen["parquet_ids"].values()) == {seen["id"]}, "Parquet of another version"


def no_traceback(text: str) -> None:
    assert "Traceback" not in text and "Stack Trace" not in text, text[-3000:]


@pytest.fixture(scope="module")
def inputs(published_sample) -> list[tuple[str, str]]:
    with duckdb.connect(str(build_db_path(published_sample)), read_only=True) as con:
        return con.execute("select return_id, content_sha256 from raw.force_returns").fetchall()


# -- 5. publish both outputs atomically ----------------------------------------------------------

DIE_AT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import orchestration.lib.publication.publish as publish

    step, action, build_db, published = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])

    def reached(name):
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    publish._reached = reached
    if action == "publish":
        publish.publish(build_db, published, [("r", "sha")], [("check", True)])
    else:
        publish.rollback(published)
    """
)


def _die_at(step: str, action: str, build_db: Path, published: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DIE_AT, step, action, str(build_db), str(published)],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )
    assert done.returncode == -signal.SIGKILL, (step, done.stderr[-2000:])


@pytest.mark.slow
def test_killed_at_every_publish_and_rollback_step_outputs_stay_of_one_version(
    published_sample, tmp_path
):
    _, published = copy_warehouse(published_sample, tmp_path)
    build_db = build_db_path(published)
    switched_after = publish.PUBLISH_STEPS.index("switch")
    kills = 0
    published_ids = {outputs(published)["id"]}
    for n, step in enumerate(publish.PUBLISH_STEPS):
        before = outputs(published)
        previous = publish.current_version(published)
        assert previous is not None
        previous_sha = digest(previous / published.name)
        _die_at(step, "publish", build_db, published)
        kills += 1
        after = outputs(published)
        assert_one_version(after)
        published_ids.add(after["id"])
        if n <= switched_after:  # died before the pointer moved: the old version, byte for byte
            assert after == before, step
        else:  # the new version is whole and published; the one before it is kept intact
            assert after["id"] != before["id"], step
            assert digest(previous / published.name) == previous_sha, step
            assert previous / published.name in publish.list_versions(published)

    for step in publish.ROLLBACK_STEPS:
        before = outputs(published)
        target = publish.list_versions(published)[0]
        _die_at(step, "rollback", build_db, published)
        kills += 1
        after = outputs(published)
        assert_one_version(after)
        if step == "rollback_link":  # the pointer had moved: the older version, whole
            assert after["id"] == publish.publication_id_of(target)
        else:
            assert after == before, step

    assert kills == len(publish.PUBLISH_STEPS) + len(publish.ROLLBACK_STEPS) == 13
    # The next publish clears what the kills left and publishes a whole version.
    done = publish.publish(build_db, published, [], [])
    final = outputs(published)
    assert_one_version(final)
    published_ids.add(final["id"])
    assert final["id"] == done.publication_id
    versions = published.parent / "versions"
    assert not [p for p in versions.iterdir() if p.name.startswith(".")]
    assert not list(published.parent.glob(".*.tmp"))
    # Kept: the versions that were published (the sample's, those of the kills after the switch,
    # and the one rolled back from), not the one sealed by the kill at the switch itself.
    kept = {publish.publication_id_of(v) for v in publish.list_versions(published)}
    assert kept == published_ids - {final["id"]}
    # A rollback moves both outputs back together.
    target = publish.list_versions(published)[0]
    publish.rollback(published)
    rolled = outputs(published)
    assert_one_version(rolled)
    assert rolled["id"] == publish.publication_id_of(target)


def test_a_warehouse_published_before_versions_is_adopted_as_a_version(published_sample, tmp_path):
    """The earlier layout (a plain file and a parquet/ folder) becomes the first kept version."""
    _, published = copy_warehouse(published_sample, tmp_path)
    version = publish.current_version(published)
    for link in (published, published.parent / "parquet", published.parent / "current"):
        link.unlink()
    os.replace(version / published.name, published)
    os.replace(version / "parquet", published.parent / "parquet")
    version.rmdir()
    old = outputs(published)

    publish.publish(build_db_path(published), published, [], [])

    assert_one_version(outputs(published))
    (kept,) = publish.list_versions(published)
    assert publish.publication_id_of(kept) == old["id"]
    assert {p.stem: digest(p) for p in (kept.parent / "parquet").glob("*")} == old["parquet_sha"]


# -- 4. one lock for every writer -----------------------------------------------------------------

# A Dagster run of the real `refresh` job, as `dagster dev` executes one (in one process, the
# writer lock taken by its resources), paused while it parses the returns.
DAGSTER_RUN = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    import dagster as dg
    import orchestration.defs.ingest.assets as ingest_assets
    from orchestration.definitions import build_definitions
    from orchestration.lib.settings import WarehouseSettings

    landing, published, ready = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    real = ingest_assets.ingest_landing

    def paused(*args, **kwargs):
        ready.write_text(str(os.getpid()))
        while True:
            time.sleep(0.2)

    ingest_assets.ingest_landing = paused
    job = build_definitions(WarehouseSettings(landing=landing, published=published)).resolve_job_def("refresh")
    try:
        result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        errors = [str(e.event_specific_data) for e in result.all_events if e.is_failure]
        print(json.dumps({"success": result.success, "errors": errors}))
    except Exception as exc:
        print(json.dumps({"success": False, "errors": [repr(exc)]}))
    """
)


def _warehouse(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [BIN / "warehouse", *args], capture_output=True, text=True, timeout=timeout, env=ENV
    )


@pytest.mark.slow
def test_cli_rollback_and_dbt_refused_while_a_dagster_run_holds_the_warehouse(
    published_sample, tmp_path
):
    landing, published = copy_warehouse(published_sample, tmp_path)
    ready = tmp_path / "ready"
    run = subprocess.Popen(
        [sys.executable, "-c", DAGSTER_RUN, str(landing), str(published), str(ready)],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 600
        while not ready.exists():
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.5)
        holder = lock.holder(published)
        assert holder is not None and holder.pid == run.pid
        assert holder.command.startswith("dagster run ") and holder.command.endswith(
            "(job refresh)"
        )
        before = outputs(published)

        refreshed = _warehouse(
            "refresh", "--json", "--landing", str(landing), "--warehouse", str(published)
        )
        assert refreshed.returncode == 75, refreshed.stderr[-3000:]
        answer = json.loads(refreshed.stdout)  # valid JSON on failure too
        assert answer["exit_code"] == 75 and f"pid {run.pid}" in answer["error"]
        assert "dagster run" in answer["error"]
        no_traceback(refreshed.stderr)

        rolled = _warehouse("rollback", "--warehouse", str(published))
        assert rolled.returncode == 75 and f"pid {run.pid}" in rolled.stderr

        by_hand = subprocess.run(
            [DBT_EXECUTABLE, "seed", "--select", "ref_regions"]
            + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
            + ["--target-path", str(tmp_path / "dbt-target"), "--log-path", str(tmp_path)]
            + ["--vars", json.dumps({"build_db": str(build_db_path(published))})],
            capture_output=True,
            text=True,
            timeout=600,
        )
        # The run has the build database open, so DuckDB refuses dbt's connection before the
        # hook runs (the hook's own refusal is tested below, with no run holding the file).
        assert by_hand.returncode != 0
        assert "Could not set lock on file" in by_hand.stdout, by_hand.stdout[-2000:]
        assert outputs(published) == before
    finally:
        run.send_signal(signal.SIGTERM)
        run.communicate(timeout=120)
    assert lock.holder(published) is None  # a stopped run lets go


def test_dbt_by_hand_refuses_a_published_file_and_a_build_database_without_the_lock(
    published_sample, tmp_path
):
    _, published = copy_warehouse(published_sample, tmp_path)
    for database, expected in (
        (build_db_path(published), "unless started by the holder"),
        (published, "which only publication replaces"),
    ):
        done = subprocess.run(
            [DBT_EXECUTABLE, "seed", "--select", "ref_regions"]
            + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
            + ["--target-path", str(tmp_path / "dbt-target"), "--log-path", str(tmp_path)]
            + ["--vars", json.dumps({"build_db": str(database)})],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode != 0 and expected in done.stdout, done.stdout[-2000:]
    # Through `warehouse dbt`, which takes the lock, the same seed runs.
    locked = _warehouse("dbt", "--warehouse", str(published), "seed", "--select", "ref_regions")
    assert locked.returncode == 0, locked.stdout[-2000:]


@pytest.mark.slow
def test_a_dagster_run_fails_at_once_naming_the_cli_that_holds_the_warehouse(
    published_sample, tmp_path
):
    landing, published = copy_warehouse(published_sample, tmp_path)
    build_db = build_db_path(published)
    mtime = build_db.stat().st_mtime_ns
    with lock.refresh_lock(published, command="warehouse refresh --quiet"):
        done = subprocess.run(
            [sys.executable, "-c", DAGSTER_RUN, str(landing), str(published), str(tmp_path / "r")],
            capture_output=True,
            text=True,
            timeout=600,
            env=ENV,
        )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["success"] is False
    assert any(
        f"pid {os.getpid()}" in e and "warehouse refresh --quiet" in e for e in answer["errors"]
    )
    assert not (tmp_path / "r").exists()  # no step ran
    assert build_db.stat().st_mtime_ns == mtime


def test_sensor_and_schedule_skip_while_another_writer_holds_the_lock(tmp_path):
    from orchestration.defs.automation import landing_sensor, nightly_refresh
    from orchestration.defs.resources import WarehouseConfig

    published = tmp_path / "w.duckdb"
    warehouse = WarehouseConfig(landing_dir=str(tmp_path), warehouse_path=str(published))
    with (
        dg.instance_for_test() as instance,
        lock.refresh_lock(published, command="warehouse rollback"),
    ):
        with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as ctx:
            skipped = landing_sensor(ctx)
        with dg.build_schedule_context(
            instance=instance, resources={"warehouse": warehouse}
        ) as ctx:
            nightly = nightly_refresh(ctx)
    for result in (skipped, nightly):
        assert isinstance(result, dg.SkipReason)
        assert (
            f"pid {os.getpid()}" in result.skip_message
            and "warehouse rollback" in result.skip_message
        )


def test_lock_names_its_holder_is_reentrant_and_clears_on_release(tmp_path):
    published = tmp_path / "w.duckdb"
    with lock.refresh_lock(published, command="first") as me:
        with lock.refresh_lock(published) as again:  # the same process: re-entrant
            assert again == me
        assert lock.holder(published) == me
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from orchestration.lib.lock import "
                "holder; h = holder(Path(sys.argv[1])); print(h.pid, h.command, h.started)",
                str(published),
            ],
            capture_output=True,
            text=True,
            env=ENV,
        )
        assert other.stdout.split()[:2] == [str(os.getpid()), "first"]
    assert lock.holder(published) is None
    assert lock.lock_path(published).read_text() == ""  # no stale token left behind


# -- SIGINT and SIGTERM --------------------------------------------------------------------------

SIGNAL_AT = textwrap.dedent(
    """
    import os, signal, sys

    stage, how = sys.argv[1], sys.argv[2]

    def send():
        if how == "ctrl-c":  # as a terminal does: SIGINT to the whole process group (dbt too)
            os.killpg(os.getpgid(0), signal.SIGINT)
        else:
            os.kill(os.getpid(), signal.SIGTERM)

    if stage == "publish":  # half-way through publish: the version being exported
        import orchestration.lib.publication.publish as publish
        publish._reached = lambda step: send() if step == "export" else None
    else:  # while dbt builds
        from dagster_dbt import DbtCliInvocation
        stream = DbtCliInvocation.stream
        def signal_after_first_event(self, *args, **kwargs):
            for n, event in enumerate(stream(self, *args, **kwargs)):
                if n == 0:
                    send()
                yield event
        DbtCliInvocation.stream = signal_after_first_event
    from orchestration.cli import main
    sys.exit(main(sys.argv[3:]))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "how", "code", "name"),
    [("dbt", "ctrl-c", 130, "SIGINT"), ("publish", "sigterm", 143, "SIGTERM")],
)
def test_stop_signal_ends_the_refresh_cleanly(published_sample, tmp_path, stage, how, code, name):
    landing, published = copy_warehouse(published_sample, tmp_path)
    before = outputs(published)
    done = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT, stage, how, "refresh", "--quiet"]
        + ["--landing", str(landing), "--warehouse", str(published)],
        capture_output=True,
        text=True,
        timeout=900,
        env=ENV,
        start_new_session=True,  # the group signalled is the refresh's own
    )
    assert done.returncode == code, done.stderr[-3000:]
    no_traceback(done.stderr)
    assert f"stopped by {name}; nothing was published" in done.stderr
    assert outputs(published) == before
    assert lock.holder(published) is None


# -- 6. --strict, --json, --debug, dbt failures quoted -------------------------------------------


@pytest.mark.slow
def test_strict_refresh_with_a_quarantined_return_exits_65_and_publishes_nothing(
    published_sample, tmp_path
):
    landing, published = copy_warehouse(published_sample, tmp_path)
    csv = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    lines = csv.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",lots"  # not a whole number: quarantined
    csv.write_text("\n".join(lines) + "\n")
    before = outputs(published)

    done = _warehouse(
        "refresh", "--strict", "--json", "--landing", str(landing), "--warehouse", str(published)
    )

    assert done.returncode == 65, done.stderr[-3000:]
    answer = json.loads(done.stdout)
    assert answer["exit_code"] == 65 and answer["published"] is False and answer["strict"]
    assert list(answer["quarantined"]) == ["gwent-fy2023-24"]
    assert any("strict run: 1 return(s) quarantined" in p for p in answer["problems"])
    no_traceback(done.stderr)
    assert outputs(published) == before


@pytest.mark.slow
def test_failing_dbt_test_is_quoted_with_the_bad_value_on_one_line(published_sample, tmp_path):
    landing, published = copy_warehouse(published_sample, tmp_path)
    csv = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    text = csv.read_text()
    assert "2023-04,Violence against the person,POLISH,5" in text
    csv.write_text(text.replace("POLISH,5", "ATLANTEAN,5", 1))

    done = _warehouse(
        "refresh", "--quiet", "--landing", str(landing), "--warehouse", str(published)
    )

    assert done.returncode == 1
    no_traceback(done.stderr)
    lines = done.stderr.strip().splitlines()
    quoted = [line for line in lines if "dbt test unmapped_nationalities failed" in line]
    assert quoted and "'ATLANTEAN'" in quoted[0], lines
    assert lines[-1].startswith("warehouse: refresh FAILED")


def test_failing_rows_are_read_with_the_tests_own_query(tmp_path):
    build_db = tmp_path / "b.duckdb"
    with duckdb.connect(str(build_db)) as con:
        con.execute(
            "create table t as select * from (values (1, 'ok'), (-3, 'a\\nb'), (-7, 'x')) v(n, s)"
        )
    results = {
        "results": [
            {
                "unique_id": "test.p.positive_n.1",
                "status": "fail",
                "failures": 2,
                "compiled_code": "select n, s from t where n < 0 order by n desc",
            },
            {"unique_id": "test.p.fine.2", "status": "pass", "failures": 0, "compiled_code": "x"},
            {"unique_id": "model.p.m", "status": "error", "message": "not a test"},
        ]
    }
    (tmp_path / "run_results.json").write_text(json.dumps(results))

    (line,) = failing_test_lines(tmp_path, build_db)

    assert line == "dbt test positive_n failed on 2 row(s): n = -3, s = 'a\\nb'; n = -7, s = 'x'"
    assert failing_test_lines(tmp_path, build_db, since=time.time() + 60) == []  # a stale file


def test_errors_are_one_line_unless_debug_and_json_stays_json(tmp_path):
    broken = tmp_path / "w.duckdb"
    broken.write_bytes(b"not a database\n" * 100)
    plain = _warehouse("export", "--warehouse", str(broken), timeout=300)
    assert plain.returncode == 1
    assert len(plain.stderr.strip().splitlines()) == 1 and "--debug shows where" in plain.stderr
    no_traceback(plain.stderr)
    debug = _warehouse("export", "--warehouse", str(broken), "--debug", timeout=300)
    assert debug.returncode == 1 and "Traceback" in debug.stderr

    published = tmp_path / "busy" / "w.duckdb"
    with lock.refresh_lock(published, command="warehouse dbt build"):
        busy = _warehouse("refresh", "--json", "--warehouse", str(published), timeout=300)
    assert busy.returncode == 75
    answer = json.loads(busy.stdout)
    assert answer == {
        "published": False,
        "exit_code": 75,
        "error": answer["error"],
        "warehouse": str(published),
    }
    assert f"pid {os.getpid()}, `warehouse dbt build`" in answer["error"]
