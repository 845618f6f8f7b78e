"""Cell checks run once per return content and checks version (orchestration/lib/checked_returns.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from orchestration.lib import checked_returns
from orchestration.lib.settings import build_db_path
from tests.conftest import copy_sample_landing, refresh

T0 = dt.datetime(2026, 11, 1, 12, 0)


@pytest.fixture()
def con():
    con = duckdb.connect()
    con.execute(
        "create schema raw; create table raw.force_returns "
        "(return_id varchar, content_sha256 varchar, loaded_at timestamp)"
    )
    con.executemany(
        "insert into raw.force_returns values (?, ?, ?)",
        [["a", "sha-a", T0], ["b", "sha-b", T0], ["c", "sha-c", T0]],
    )
    return con


def _unchecked(con, dbt_fingerprint: str = "project-1") -> list[str]:
    checked_returns.mark_unchecked(con, dbt_fingerprint)
    return [
        r
        for (r,) in con.execute(
            "select return_id from audit.unchecked_returns order by 1"
        ).fetchall()
    ]


def test_returns_are_unchecked_until_recorded_then_again_when_they_change(con):
    assert _unchecked(con) == ["a", "b", "c"]
    checked_returns.record_checked(con)
    assert _unchecked(con) == []

    con.execute("update raw.force_returns set content_sha256 = 'sha-b2' where return_id = 'b'")
    con.execute(
        "update raw.force_returns set loaded_at = ? where return_id = 'c'", [T0 + dt.timedelta(1)]
    )
    con.execute("insert into raw.force_returns values ('d', 'sha-d', ?)", [T0])
    assert _unchecked(con) == ["b", "c", "d"]  # corrected, re-parsed, new

    checked_returns.record_checked(con)
    assert _unchecked(con) == []
    # the dbt project or its tests changed
    assert _unchecked(con, dbt_fingerprint="project-2") == ["a", "b", "c", "d"]


def test_a_return_written_after_the_checks_started_is_not_recorded(con):
    assert _unchecked(con) == ["a", "b", "c"]  # the checks run on these
    con.execute("insert into raw.force_returns values ('late', 'sha-late', ?)", [T0])
    con.execute("update raw.force_returns set content_sha256 = 'sha-a2' where return_id = 'a'")
    checked_returns.record_checked(con)
    assert _unchecked(con) == ["a", "late"]


def test_scope_filter_selects_the_unchecked_returns_cells(con):
    con.execute("create table cells as select unnest(['a', 'a', 'b', 'c']) as return_id")

    def scoped() -> list[str]:
        where = checked_returns.scope_sql(con)
        return [
            r for (r,) in con.execute(f"select * from cells where {where} order by 1").fetchall()
        ]

    _unchecked(con)
    assert checked_returns.scope_sql(con) == "true"  # nothing checked before: no filter
    checked_returns.record_checked(con)
    con.execute("update raw.force_returns set content_sha256 = 'sha-c2' where return_id = 'c'")
    assert _unchecked(con) == ["c"]
    assert scoped() == ["c"]
    checked_returns.record_checked(con)
    assert _unchecked(con) == [] and scoped() == []

    con.execute("insert into raw.force_returns values ('x''); drop table cells; --', 's', ?)", [T0])
    with pytest.raises(ValueError, match="is not one a manifest may give"):
        _unchecked(con)


def test_returns_count_as_checked_only_when_every_cell_check_ran_and_passed():
    cells = checked_returns.CELL_ASSET
    passed = [
        (f"{cells}:gx_stg_force_returns__cells", True),
        (f"{cells}:unique_key_stg_force_returns__cells_return_id__source_file", True),
        (f"{cells}:not_null_columns_stg_force_returns__cells_return_id__month", True),
        ("marts/rates_by_force_offence:gx_rates_by_force_offence", True),
    ]
    assert checked_returns.cell_checks_passed(passed)
    assert not checked_returns.cell_checks_passed(passed[1:])  # GX suite not run
    failing = [(passed[1][0], False), *passed[:1], *passed[2:]]
    assert not checked_returns.cell_checks_passed(failing)


def test_refresh_checks_cells_of_new_returns_only_and_records_them_when_published(tmp_path):
    landing = copy_sample_landing(tmp_path / "landing")
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    build_db = build_db_path(warehouse)

    def state() -> tuple[list[str], int]:
        with duckdb.connect(str(build_db), read_only=True) as db:
            unchecked = [
                r for (r,) in db.execute("select * from audit.unchecked_returns").fetchall()
            ]
            recorded = db.execute("select count(*) from audit.checked_returns").fetchone()[0]
        return unchecked, recorded

    assert refresh(landing, warehouse).published
    unchecked, recorded = state()
    assert len(unchecked) == recorded == len([p for p in landing.iterdir() if p.is_dir()])

    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    lines = csv_path.read_text().splitlines()
    head, count = lines[1].rsplit(",", 1)
    lines[1] = f"{head},{int(count) + 1}" if count.isdigit() else f"{head},7"
    csv_path.write_text("\n".join(lines) + "\n")
    assert refresh(landing, warehouse).published
    assert state() == (["gwent-fy2023-24"], recorded)


def test_checking_every_cell_asks_for_no_filter_and_still_records_the_returns(con):
    checked_returns.mark_unchecked(con, "project-1")
    checked_returns.record_checked(con)
    checked_returns.mark_unchecked(con, "project-1", every_cell=True)
    assert checked_returns.scope_sql(con) == "true"  # every cell, though all were checked
    checked_returns.mark_unchecked(con, "project-1")
    assert checked_returns.scope_sql(con) != "true"  # back to the unchecked ones (none)
