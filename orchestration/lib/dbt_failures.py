"""dbt test failures quoted with their failing rows: after a `dbt build`, each test that failed
is one line naming the test, how many rows failed and the first few of them (column = value), so
the bad value is on the console and in the run's log, not only a count."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from orchestration.lib.messages import one_line, value

ROWS_QUOTED = 3


def _failing_rows(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    relation = con.sql(f"select * from ({sql.rstrip().rstrip(';')}) as failing limit {ROWS_QUOTED}")
    return relation.columns, relation.fetchall()


def failing_test_lines(dbt_target: Path, build_db: Path, since: float = 0) -> list[str]:
    """One line per failed or erroring dbt test of the last build in `dbt_target` (its
    run_results.json, if written after `since`, a time.time()), with its failing rows read from
    `build_db` by the test's own compiled query."""
    results_file = dbt_target / "run_results.json"
    if not results_file.is_file() or results_file.stat().st_mtime < since:
        return []
    try:
        results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    except (ValueError, KeyError):
        return []
    failed = [
        r
        for r in results
        if r.get("unique_id", "").startswith("test.") and r.get("status") in ("fail", "error")
    ]
    if not failed:
        return []
    try:
        con = duckdb.connect(str(build_db), read_only=True)
    except duckdb.Error:  # still open for writing (a dbt being stopped): the rows are not read
        con = duckdb.connect()
    lines = []
    with con:
        for result in failed:
            name = result["unique_id"].split(".")[2]
            if result["status"] == "error":
                lines.append(one_line(f"dbt test {name} could not run: {result.get('message')}"))
                continue
            quoted = ""
            if result.get("compiled_code"):
                try:
                    columns, rows = _failing_rows(con, result["compiled_code"])
                    quoted = "; ".join(
                        ", ".join(f"{c} = {value(v)}" for c, v in zip(columns, row, strict=True))
                        for row in rows
                    )
                except duckdb.Error as error:  # the rows are gone or the query needs dbt
                    quoted = f"(failing rows not readable: {error})"
            count = result.get("failures")
            lines.append(
                one_line(f"dbt test {name} failed on {count} row(s): {quoted}", limit=1000)
            )
    return lines
