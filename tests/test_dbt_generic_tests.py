"""The project's own dbt tests, run by dbt against a copy of a real build database: each passes on
the sample and, once the rows break its rule, fails with rows that say what to fix."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, build_db_path
from tests.conftest import SAMPLE_LANDING

GWENT = "gwent-fy2023-24"
# The tests under test, and what the sample build breaks for each (applied all at once).
SELECT = [
    "ref_forces,test_name:not_null_columns",
    "rates_by_force_offence,test_name:matches_regex",
    "not_null_columns_int_force_returns_resolved",
    "covered_once_int_force_month_coverage_returns_covering",
    "unmapped_nationalities",
]
BREAK = [
    # two forces without a police force area name, one of them without a force name either
    """update reference.ref_forces set pfa_name = null
       where force_code in (select force_code from reference.ref_forces order by 1 limit 2)""",
    """update reference.ref_forces set force_name = null
       where force_code = (select min(force_code) from reference.ref_forces)""",
    # a force code that is not one
    """update marts.rates_by_force_offence set force_code = 'E2300001X'
       where force_code = 'W15000002' and offence_group = 'Robbery'""",
    # Gwent's manifest naming no known force
    f"update intermediate.int_force_returns_resolved set force_code = null "
    f"where return_id = '{GWENT}'",
    # Gwent's April 2023 also declared by another return
    """insert into intermediate.int_return_months (return_id, force_code, month, period, data_origin)
       values ('gwent-again', 'W15000002', date '2023-04-01', '2023-24', 'synthetic')""",
    """update intermediate.int_force_month_coverage set returns_covering = 2
       where force_code = 'W15000002' and month = date '2023-04-01'""",
    # Gwent's POLISH not in the nationality lookup
    f"""update intermediate.int_arrest_cells_classified set nationality_group = null
        where return_id = '{GWENT}' and nationality_raw = 'POLISH'""",
]


def _dbt_test(build_db: Path, target: Path) -> dict[str, dict]:
    """Run `dbt test` of SELECT on ``build_db``, keeping failing rows; its results by test name."""
    subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", *SELECT, "--store-failures", "--quiet"]
        + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        + ["--target-path", str(target), "--log-path", str(target / "logs")]
        + ["--vars", json.dumps({"build_db": str(build_db)})],
        check=False,
        capture_output=True,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    # Tests only: the project's on-run-start hook (macros/writer_lock.sql) has a result too.
    return {r["unique_id"].split(".")[2]: r for r in results if r["unique_id"].startswith("test.")}


@pytest.fixture(scope="module")
def outcomes(published_sample, tmp_path_factory) -> tuple[dict, dict, Path]:
    """The tests' results on a copy of the sample's build database, before and after BREAK."""
    tmp_path = tmp_path_factory.mktemp("dbt-tests")
    source = build_db_path(published_sample)
    build_db = tmp_path / source.parent.name / source.name  # same file name: same catalog
    build_db.parent.mkdir()
    shutil.copyfile(source, build_db)
    passing = _dbt_test(build_db, tmp_path / "target")
    with duckdb.connect(str(build_db)) as con:
        for statement in BREAK:
            con.execute(statement)
    failing = _dbt_test(build_db, tmp_path / "target")
    return passing, failing, build_db


def _failing_rows(outcomes, prefix: str) -> list[tuple]:
    passing, failing, build_db = outcomes
    (name,) = [n for n in failing if n.startswith(prefix)]
    assert passing[name]["status"] == "pass"
    assert failing[name]["status"] == "fail"
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(
            f"select * from {failing[name]['relation_name']} order by all"
        ).fetchall()
    assert failing[name]["failures"] == len(rows)
    return rows


def test_every_test_under_test_ran(outcomes):
    passing, failing, _ = outcomes
    assert len(passing) == len(failing) == len(SELECT)


def test_not_null_columns_fails_naming_each_column_and_its_null_rows(outcomes):
    rows = _failing_rows(outcomes, "not_null_columns_ref_forces")
    assert rows == [("force_name", 1), ("pfa_name", 2)]  # one row per column with nulls


def test_not_null_columns_identified_by_names_the_rows(outcomes):
    rows = _failing_rows(outcomes, "not_null_columns_int_force_returns_resolved")
    assert rows == [("force_code", GWENT, GWENT, "W15000002", 1)]


def test_matches_regex_fails_with_each_value_that_does_not_match(outcomes):
    rows = _failing_rows(outcomes, "matches_regex_rates_by_force_offence_force_code")
    with duckdb.connect(str(outcomes[2]), read_only=True) as con:
        (changed,) = con.execute(
            "select count(*) from marts.rates_by_force_offence where force_code = 'E2300001X'"
        ).fetchone()
    assert changed > 0 and rows == [("E2300001X", changed)]


def test_covered_once_names_the_returns_covering_a_key_twice(outcomes):
    rows = _failing_rows(outcomes, "covered_once_int_force_month_coverage")
    assert rows == [("W15000002", date(2023, 4, 1), 2, ["gwent-again", GWENT])]


def test_unmapped_strings_are_listed_with_their_first_cell_and_count(outcomes):
    with (SAMPLE_LANDING / GWENT / "arrests_by_nationality.csv").open(newline="") as fh:
        polish = [n for n, row in enumerate(csv.reader(fh), start=1) if row[2] == "POLISH"]
    rows = _failing_rows(outcomes, "unmapped_nationalities")
    assert rows == [
        (GWENT, "arrests_by_nationality.csv", None, "POLISH", polish[0], "D", len(polish))
    ]
