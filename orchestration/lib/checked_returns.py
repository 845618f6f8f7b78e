"""Which returns' cells have passed the row-level checks, and under which checks.

The checks on single cells (the dbt tests and the Great Expectations suite of
stg_force_returns__cells, and the key test of int_arrest_cells_classified; each rule is about one
cell or one return's key) give the same answer for a return's cells until the return or the checks
change. So a refresh runs them only on the cells of returns not recorded here under the current
checks fingerprint: new, corrected or re-parsed returns, and every return after any change to the
dbt project, the suites or this scoping. When a refresh has passed every check and published, the
returns it checked against (a snapshot taken before the checks ran) are recorded. Mart checks
always run in full.

One mechanism: mark_unchecked writes audit.cell_check_filter (a constant list of the unchecked
return ids, or `true`); the dbt tests with `where: __unchecked_returns__` read it through
macros/cell_check_scope.sql (when a refresh passes --vars scope_cell_checks: true), the Great
Expectations suite through scope_sql. It pays: an incremental refresh of 1e6 cells after one
changed return took 51-56 s with it and 68-74 s with every return's cells checked again (two
rounds each, one machine, this session's note).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb

from orchestration.lib.fingerprint import files_fingerprint
from orchestration.lib.settings import REPO_ROOT
from orchestration.lib.sources.force_returns.manifest import RETURN_ID_PATTERN
from orchestration.lib.sql import scalar

# The checks that must have passed in a run before its returns count as checked.
CELL_ASSET = "staging/stg_force_returns__cells"
CELL_CHECKS = (
    "gx_stg_force_returns__cells",
    "unique_key_stg_force_returns__cells",
    "not_null_columns_stg_force_returns__cells",
)
# Code that decides what the cell checks are and which cells they see, besides the dbt project.
_CHECKS_CODE = (
    *sorted((REPO_ROOT / "expectations").glob("*.py")),
    REPO_ROOT / "orchestration" / "lib" / "checked_returns.py",
    REPO_ROOT / "orchestration" / "defs" / "checks" / "great_expectations.py",
)

_DDL = """
create schema if not exists audit;
create table if not exists audit.checked_returns (
    return_id varchar not null,
    content_sha256 varchar not null,
    loaded_at timestamp not null,  -- a re-parsed return (new parser) is checked again
    checks_fingerprint varchar not null,
    checked_at timestamp not null
);
"""


def checks_fingerprint(dbt_fingerprint: str) -> str:
    """The dbt project's fingerprint (models, tests, seeds) and the code of the other checks."""
    return files_fingerprint(REPO_ROOT, _CHECKS_CODE, seed=dbt_fingerprint)


def mark_unchecked(
    con: duckdb.DuckDBPyConnection, dbt_fingerprint: str, every_cell: bool = False
) -> tuple[int, int]:
    """Snapshot the parsed returns and the checks fingerprint (audit.check_scope), and write
    audit.unchecked_returns: those whose cells have not passed the checks under that fingerprint,
    and audit.cell_check_filter: the filter on their cells (scope_sql) that the dbt tests
    (macros/cell_check_scope.sql) and the Great Expectations suite both apply.
    With `every_cell`, the filter is `true`: every cell is checked this time.
    Returns (unchecked, all) return counts."""
    con.execute(_DDL)
    con.execute(
        """
        create or replace table audit.check_scope as
        select return_id, content_sha256, loaded_at, ?::varchar as checks_fingerprint
        from raw.force_returns
        """,
        [checks_fingerprint(dbt_fingerprint)],
    )
    con.execute(
        """
        create or replace table audit.unchecked_returns as
        select return_id from audit.check_scope as scope
        where not exists (
            select 1 from audit.checked_returns as checked
            where checked.return_id = scope.return_id
              and checked.content_sha256 = scope.content_sha256
              and checked.loaded_at = scope.loaded_at
              and checked.checks_fingerprint = scope.checks_fingerprint
        )
        """
    )
    con.execute(
        "create or replace table audit.cell_check_filter as select ?::varchar as filter",
        ["true" if every_cell else _filter_sql(con)],
    )
    unchecked = scalar(con, "select count(*) from audit.unchecked_returns")
    total = scalar(con, "select count(*) from audit.check_scope")
    return unchecked, total


def scope_sql(con: duckdb.DuckDBPyConnection) -> str:
    """The filter mark_unchecked wrote for this refresh's cell checks."""
    return scalar(con, "select filter from audit.cell_check_filter")


def _filter_sql(con: duckdb.DuckDBPyConnection) -> str:
    """SQL filter on return_id for the cells of the unchecked returns (see mark_unchecked): `true`
    when no return was checked before, else a constant list of ids. A constant is applied while
    DuckDB scans raw.return_cells; a subquery only after the staging view's joins (0.1 s against
    1.2 s for one return's cells at 1e7). Ids are validated to the manifest's pattern, which has
    no quote, so the literals are safe."""
    ids = [r for (r,) in con.execute("select return_id from audit.unchecked_returns").fetchall()]
    if len(ids) == scalar(con, "select count(*) from audit.check_scope"):
        return "true"
    for return_id in ids:
        if not re.fullmatch(RETURN_ID_PATTERN, return_id):
            raise ValueError(f"return id {return_id!r} is not one a manifest may give")
    literals = ", ".join(f"'{return_id}'" for return_id in sorted(ids))
    return f"list_contains([{literals}]::varchar[], return_id)"


def cell_checks_passed(checks: Iterable[tuple[str, bool]]) -> bool:
    """Whether a run evaluated every check of CELL_CHECKS on the cells, and all of them passed."""
    on_cells = [
        (name.split(":", 1)[1], ok) for name, ok in checks if name.startswith(CELL_ASSET + ":")
    ]
    return all(ok for _, ok in on_cells) and all(
        any(name.startswith(required) for name, _ in on_cells) for required in CELL_CHECKS
    )


def record_checked(con: duckdb.DuckDBPyConnection) -> None:
    """Record the returns of the last mark_unchecked snapshot, under its fingerprint, that raw
    still holds unchanged (a return written after the snapshot was not checked)."""
    con.execute(_DDL)
    con.execute("delete from audit.checked_returns")
    con.execute(
        """
        insert into audit.checked_returns
        select scope.return_id, scope.content_sha256, scope.loaded_at, scope.checks_fingerprint,
               now()
        from audit.check_scope as scope
        inner join raw.force_returns as parsed
            on parsed.return_id = scope.return_id
            and parsed.content_sha256 = scope.content_sha256
            and parsed.loaded_at = scope.loaded_at
        """
    )
