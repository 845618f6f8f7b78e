"""Reliability of publication: readers never blocked, refreshes idempotent, rollback, one refresh
at a time, crash safety at every stage, CSV exports safe to open in a spreadsheet."""

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

import duckdb
import pytest

from orchestration.lib.publication.export import export_marts
from orchestration.lib.publication.publish import list_versions
from orchestration.refresh import refresh_lock
from tests.conftest import copy_sample_landing, query_every_view, refresh

BIN = Path(sys.executable).parent
MARTS = (
    "rates_by_force_offence",
    "rates_by_region_offence",
    "nationality_rate_ratios",
    "return_coverage",
    "headline_figures",
    "source_cells",
)


def marts_hash(warehouse: Path) -> str:
    """Content hash of every mart, independent of row order."""
    digest = hashlib.sha256()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in MARTS:
            rows = sorted(repr(r) for r in con.execute(f"select * from marts.{table}").fetchall())
            digest.update("\n".join(rows).encode())
    return digest.hexdigest()


@pytest.fixture()
def published(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    outcome = refresh(landing, warehouse)
    assert outcome.published, outcome.problems
    return landing, warehouse


READER = textwrap.dedent(
    """
    import json, sys, time, duckdb
    path, stop, out = sys.argv[1], sys.argv[2], sys.argv[3]
    seen, errors = [], []
    import os
    while not os.path.exists(stop):
        try:
            with duckdb.connect(path, read_only=True) as con:
                seen.append(con.execute(
                    "select (select publication_id from meta.publication), count(*), sum(arrests) "
                    "from marts.rates_by_force_offence").fetchone())
        except Exception as exc:  # every error is a failure of the guarantee: record it
            errors.append(repr(exc))
        time.sleep(0.05)
    json.dump({"seen": seen, "errors": errors}, open(out, "w"))
    """
)


def test_readers_never_blocked_refresh_idempotent_and_rollback_restores(published, tmp_path):
    landing, warehouse = published
    first_hash = marts_hash(warehouse)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(warehouse), str(stop), str(tmp_path / f"r{i}.json")]
        )
        for i in range(2)
    ]
    second = refresh(landing, warehouse)  # same inputs
    assert second.published, second.problems
    second_hash = marts_hash(warehouse)
    shutil.rmtree(landing / "gwent-fy2023-24")
    third = refresh(landing, warehouse)
    assert third.published, third.problems
    stop.touch()
    for reader in readers:
        assert reader.wait(timeout=60) == 0

    assert second_hash == first_hash  # idempotent: same inputs, same marts
    versions_seen: dict[str, set] = {}
    for i in range(2):
        result = json.loads((tmp_path / f"r{i}.json").read_text())
        assert result["errors"] == []
        assert len(result["seen"]) > 10
        for publication_id, rows, arrests in result["seen"]:
            versions_seen.setdefault(publication_id, set()).add((rows, arrests))
    assert len(versions_seen) >= 2  # the readers saw publications change under them
    assert all(len(states) == 1 for states in versions_seen.values())  # each version consistent

    third_hash = marts_hash(warehouse)
    assert third_hash != second_hash
    result = subprocess.run(
        [BIN / "warehouse", "rollback", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert marts_hash(warehouse) == second_hash
    versions = list((warehouse.parent / "versions").glob(f"*/{warehouse.name}"))
    assert any(marts_hash(v) == third_hash for v in versions)  # the rolled-back version is kept
    assert all(query_every_view(v) >= 4 for v in versions)  # views resolve in kept versions too


def test_second_refresh_exits_with_clear_message_while_one_runs(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with refresh_lock(warehouse):
        started = time.monotonic()
        result = subprocess.run(
            [BIN / "warehouse", "refresh", "--warehouse", str(warehouse), "--wait", "1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 75
    assert "another refresh" in result.stderr and str(os.getpid()) in result.stderr
    assert time.monotonic() - started >= 1
    assert not warehouse.exists()


# A refresh killed (SIGKILL, process group) on reaching a stage: the test wraps the function that
# stage runs, in the refresh's own process, so production code carries no fault-injection hook.
KILL_AT = textwrap.dedent(
    """
    import os, signal, sys

    def kill(*args, **kwargs):
        os.killpg(os.getpgid(0), signal.SIGKILL)

    stage = sys.argv[1]
    if stage == "parse":  # while parsing the returns, before raw is committed
        import orchestration.lib.sources.force_returns.ingest as target
        target.parse_return = kill
    elif stage == "dbt":  # after dbt's first event, while it builds
        from dagster_dbt import DbtCliInvocation
        stream = DbtCliInvocation.stream
        def first_event_then_kill(self, *args, **kwargs):
            for _ in stream(self, *args, **kwargs):
                kill()
        DbtCliInvocation.stream = first_event_then_kill
    elif stage == "checks":  # a Great Expectations suite about to validate
        import expectations.runner as target
        target.validate_frame = kill
    elif stage == "publish":  # the new version written, about to be switched in
        import orchestration.lib.publication.publish as target
        target._reached = lambda step: kill() if step == "switch" else None
    from orchestration.cli import main
    sys.exit(main(sys.argv[2:]))
    """
)
STAGES = ("parse", "dbt", "checks", "publish")


def test_killed_refresh_at_any_stage_leaves_published_file_and_next_refresh_works(published):
    landing, warehouse = published
    before = warehouse.read_bytes()
    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    for n, stage in enumerate(STAGES):
        # A change in the landing folder, so every stage has work to do.
        lines = csv_path.read_text().splitlines()
        lines[1] = lines[1].rsplit(",", 1)[0] + f",{300 + n}"
        csv_path.write_text("\n".join(lines) + "\n")
        process = subprocess.run(
            [
                sys.executable,
                "-c",
                KILL_AT,
                stage,
                "refresh",
                "--quiet",
                "--landing",
                str(landing),
                "--warehouse",
                str(warehouse),
            ],
            start_new_session=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert process.returncode == -signal.SIGKILL, (stage, process.stderr[-2000:])
        assert warehouse.read_bytes() == before, stage

    result = subprocess.run(
        [
            BIN / "warehouse",
            "refresh",
            "--quiet",
            "--landing",
            str(landing),
            "--warehouse",
            str(warehouse),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first_cell = con.execute(
            "select count_raw from marts.source_cells where return_id = 'gwent-fy2023-24' and source_row = 2"
        ).fetchone()
    assert first_cell == (f"{300 + len(STAGES) - 1}",)
    assert not list(warehouse.parent.glob(".*.tmp"))  # no leftovers


def test_csv_export_neutralises_formula_injection(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (name varchar, n integer)")
        con.executemany(
            "insert into marts.t values (?, ?)",
            [
                ['=HYPERLINK("http://x","y")', 1],
                ["+1", 2],
                ["-2", 3],
                ["@SUM(A1)", 4],
                ["Cleveland", 5],
                ["'; drop table marts.t; --", 6],
            ],
        )
        (path,) = export_marts(con, tmp_path / "out", "csv")
        assert con.execute("select count(*) from marts.t").fetchone() == (6,)
    lines = path.read_text().splitlines()
    assert lines[1].startswith("\"'=HYPERLINK") and lines[2] == "'+1,2" and lines[3] == "'-2,3"
    assert lines[4] == "'@SUM(A1),4" and lines[5] == "Cleveland,5"


def test_incremental_refresh_publishes_what_a_full_refresh_would(published, tmp_path):
    """The classified cells are rebuilt only for returns whose input changed: after a corrected
    return, a removed return and a removed correction (which makes the corrected return current
    again), the marts equal those of a refresh from scratch of the same landing folder."""
    landing, warehouse = published
    csv = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    line = "2023-04,Violence against the person,UK,194"
    assert csv.read_text().count(line) == 1
    csv.write_text(csv.read_text().replace(line, line[:-3] + "150"))
    shutil.rmtree(landing / "wiltshire-fy2023-24")
    shutil.rmtree(landing / "kent-fy2023-24-v2")
    before = marts_hash(warehouse)

    assert refresh(landing, warehouse).published
    scratch = tmp_path / "scratch" / "warehouse.duckdb"
    assert refresh(landing, scratch).published
    assert marts_hash(warehouse) == marts_hash(scratch) != before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kept = dict(
            con.execute(
                "select return_id, count(*) from intermediate.int_arrest_cells_classified "
                "group by 1"
            ).fetchall()
        )
    assert "wiltshire-fy2023-24" not in kept and "kent-fy2023-24-v2" not in kept
    assert kept["kent-fy2023-24"] > 0


def test_versions_kept_in_the_earlier_layout_are_moved_into_the_current_one(tmp_path):
    published = tmp_path / "warehouse.duckdb"
    published.write_bytes(b"current")
    folder = tmp_path / "versions"
    folder.mkdir()
    (folder / "warehouse-20261101T020000000000Z.duckdb").write_bytes(b"older")
    (folder / "other-20261101T020000000000Z.duckdb").write_bytes(b"another warehouse's")

    (version,) = list_versions(published)

    assert version == folder / "20261101T020000000000Z" / "warehouse.duckdb"
    assert version.read_bytes() == b"older"
    assert (folder / "other-20261101T020000000000Z.duckdb").exists()
