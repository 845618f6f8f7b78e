"""The project's own dbt generic tests, run by dbt against a copy of a real build database."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, build_db_path


def _dbt_test(build_db: Path, target: Path, select: str) -> dict:
    """Run `dbt test` on ``build_db``, keeping failing rows; returns run_results.json."""
    subprocess.run(
        [DBT_EXECUTABLE, "test", "--select", select, "--store-failures", "--quiet"]
        + ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        + ["--target-path", str(target), "--vars", json.dumps({"build_db": str(build_db)})],
        check=False,
        capture_output=True,
    )
    return json.loads((target / "run_results.json").read_text())


def test_not_null_columns_fails_naming_each_column_and_its_null_rows(published_sample, tmp_path):
    source = build_db_path(published_sample)
    build_db = tmp_path / source.parent.name / source.name  # same file name: same catalog
    build_db.parent.mkdir()
    shutil.copyfile(source, build_db)
    select = "ref_forces,test_name:not_null_columns"

    passing = _dbt_test(build_db, tmp_path / "target-pass", select)
    assert [r["status"] for r in passing["results"]] == ["pass"]

    with duckdb.connect(str(build_db)) as con:
        codes = [
            c
            for (c,) in con.execute(
                "select force_code from reference.ref_forces order by force_code limit 2"
            ).fetchall()
        ]
        con.execute(
            "update reference.ref_forces set pfa_name = null where force_code in ?", [codes]
        )
        con.execute(
            "update reference.ref_forces set force_name = null where force_code = ?", [codes[0]]
        )
    failing = _dbt_test(build_db, tmp_path / "target-fail", select)
    (result,) = failing["results"]
    assert result["status"] == "fail"
    assert result["failures"] == 2  # one row per column with nulls
    relation = result["relation_name"]
    with duckdb.connect(str(build_db), read_only=True) as con:
        rows = con.execute(f"select column_name, null_rows from {relation} order by 1").fetchall()
    assert rows == [("force_name", 1), ("pfa_name", 2)]
