"""Write-audit-publish: failed checks publish nothing; readers are never blocked; bad returns are
quarantined while the rest publish."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import duckdb
import pytest

from tests.conftest import copy_sample_landing, query_every_view, refresh

FORCE_ROWS_SQL = "select count(distinct force_code) from marts.rates_by_force_offence"
SAMPLE_FORCES = 42  # the sample has returns from 42 of the 43 forces (not City of London Police)


@pytest.fixture()
def published(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    outcome = refresh(landing, warehouse)
    assert outcome.published, outcome.problems
    return landing, warehouse


def test_failing_expectation_leaves_published_file_byte_identical(published):
    landing, warehouse = published
    before = warehouse.read_bytes()
    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    lines = csv_path.read_text().splitlines()
    # A whole number parses and passes the dbt tests, but no force-month cell is that large:
    # the Great Expectations suite on staging catches it.
    lines[1] = lines[1].rsplit(",", 1)[0] + ",250000"
    csv_path.write_text("\n".join(lines) + "\n")

    outcome = refresh(landing, warehouse)

    assert not outcome.published
    assert any("gx_stg_force_returns__cells" in p for p in outcome.problems), outcome.problems
    assert warehouse.read_bytes() == before


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    path, go = sys.argv[1], sys.argv[2]
    con = duckdb.connect(path, read_only=True)
    seen = [con.execute("{sql}").fetchone()[0]]
    print("ready", flush=True)
    sys.stdin.readline()  # the refresh has published
    seen.append(con.execute("{sql}").fetchone()[0])
    print(*seen, flush=True)
    """
).format(sql=FORCE_ROWS_SQL)


def test_reader_holding_published_file_is_not_blocked_and_sees_one_version(published, tmp_path):
    landing, warehouse = published
    shutil.rmtree(landing / "gwent-fy2023-24")
    broken = landing / "cleveland-resubmitted"
    shutil.copytree(landing / "cleveland-fy2023-24", broken)
    manifest = broken / "manifest.yml"
    manifest.write_text(
        manifest.read_text().replace("return_id: cleveland-fy2023-24", "return_id: cleveland-extra")
    )
    csv_path = broken / "arrests_by_nationality.csv"
    csv_path.write_text(
        csv_path.read_text().replace("\n2023-05,Robbery,UK,", "\n2023-05,Robbery,UK,x", 1)
    )

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse), "go"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "ready"
    outcome = refresh(landing, warehouse)  # runs while the reader holds the file open
    out, err = reader.communicate("published\n", timeout=60)

    assert outcome.published, outcome.problems
    assert reader.returncode == 0, err
    # The open connection kept seeing the version it opened.
    assert out.split() == [str(SAMPLE_FORCES), str(SAMPLE_FORCES)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # A new reader sees the new version: Gwent removed, the broken resubmission quarantined.
        assert con.execute(FORCE_ROWS_SQL).fetchone()[0] == SAMPLE_FORCES - 1
    error = outcome.quarantined["cleveland-resubmitted"]
    assert "file arrests_by_nationality.csv" in error and "column D" in error and "'x" in error


def test_duckdb_cli_opens_published_file_read_only(published):
    _, warehouse = published
    duckdb_cli = shutil.which("duckdb", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert duckdb_cli, "duckdb-cli is installed in the environment"
    result = subprocess.run(
        [duckdb_cli, "-readonly", "-csv", str(warehouse), "-c", FORCE_ROWS_SQL],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(SAMPLE_FORCES)


def test_every_view_resolves_in_a_published_file_not_named_warehouse(published_sample):
    """dbt's staging views name their tables with the database's catalog, which DuckDB takes from
    the file name: the published copy must still resolve them."""
    assert published_sample.name != "warehouse.duckdb"
    assert query_every_view(published_sample) >= 4  # staging views and marts.source_cells
