"""The `warehouse sql` command queries the published file read-only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WAREHOUSE = str(Path(sys.executable).parent / "warehouse")


def test_sql_prints_query_result(published_sample):
    result = subprocess.run(
        [
            WAREHOUSE,
            "sql",
            "select count(distinct region) as regions from marts.rates_by_region_offence",
            "--warehouse",
            str(published_sample),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "regions" in result.stdout and "10" in result.stdout


def test_sql_error_is_reported_not_raised(published_sample):
    result = subprocess.run(
        [
            WAREHOUSE,
            "sql",
            "select * from marts.no_such_table",
            "--warehouse",
            str(published_sample),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "no_such_table" in result.stderr and "Traceback" not in result.stderr


def test_sql_without_published_file_says_so(tmp_path):
    result = subprocess.run(
        [WAREHOUSE, "sql", "select 1", "--warehouse", str(tmp_path / "none.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "warehouse refresh" in result.stderr
