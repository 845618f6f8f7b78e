"""The dbt project's unit tests (`unit_tests:` in models/**/_*__unit_tests.yml): model logic on
fixed rows with expected rows worked out by hand. A refresh leaves them out of its `dbt build`
(orchestration/defs/dbt/assets.py); they run here, against a copy of a real build database (dbt
reads the column types of a unit test's inputs from the tables a build made)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, build_db_path

# How many unit tests the project defines (staging 2, intermediate 9, marts 5): fewer run means
# some were lost (a yml file not parsed, a test disabled).
UNIT_TESTS = 16


def _dbt_unit_tests(project: Path, build_db: Path, target: Path, select: str) -> dict:
    """Run `dbt test` on the unit tests ``select`` picks; returns run_results.json."""
    result = subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", select, "--resource-type", "unit_test", "--quiet"]
        + ["--project-dir", str(project), "--profiles-dir", str(project)]
        + ["--target-path", str(target), "--vars", json.dumps({"build_db": str(build_db)})],
        check=False,
        capture_output=True,
        text=True,
    )
    run_results = target / "run_results.json"
    assert run_results.exists(), result.stdout[-4000:] + result.stderr[-4000:]
    results = json.loads(run_results.read_text())
    # Unit tests only: the project's on-run-start hook (macros/writer_lock.sql) has a result too.
    results["results"] = [r for r in results["results"] if r["unique_id"].startswith("unit_test.")]
    return results


@pytest.fixture
def build_db(published_sample, tmp_path) -> Path:
    """A copy of the sample's build database (same file name: same catalog)."""
    source = build_db_path(published_sample)
    copy = tmp_path / source.parent.name / source.name
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    return copy


def test_every_unit_test_passes(build_db, tmp_path):
    results = _dbt_unit_tests(DBT_PROJECT_DIR, build_db, tmp_path / "target", "test_type:unit")
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    assert all(uid.startswith("unit_test.") for uid in statuses)
    assert len(statuses) >= UNIT_TESTS, sorted(statuses)
    failed = {uid: status for uid, status in statuses.items() if status != "pass"}
    assert not failed, [
        (r["unique_id"], r["message"]) for r in results["results"] if r["unique_id"] in failed
    ]


def test_a_unit_test_fails_when_the_logic_is_wrong(build_db, tmp_path):
    """A copy of the project whose financial year starts in May instead of April: the unit test
    pinning April 2024 to 2024-25 must fail (and say how the rows differ), not pass or error."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    macro = project / "macros" / "financial_year.sql"
    text = macro.read_text()
    assert "extract(month from {{ date_column }}) >= 4" in text
    macro.write_text(text.replace("{{ date_column }}) >= 4", "{{ date_column }}) >= 5"))

    results = _dbt_unit_tests(
        project, build_db, tmp_path / "target", "int_arrest_cells_classified_financial_year"
    )
    (result,) = results["results"]
    assert result["unique_id"].endswith(".int_arrest_cells_classified_financial_year")
    assert result["status"] == "fail", result["message"]
    message = re.sub(r"\x1b\[[0-9;]*m", "", result["message"])  # dbt colours the diff
    assert "actual differs from expected" in message
    # the April row: expected 2024-25, got 2023-24
    assert "2024-04-01,2024-25→2023-24" in message.replace(" ", ""), message
