"""SQL kept in `.sql` files beside the module that runs it, read once per process; one value read."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import duckdb


@cache
def read_sql(package: str, name: str) -> str:
    """The text of `<name>.sql` in the folder of `package` (pass `__package__` from beside it)."""
    return (files(package) / f"{name}.sql").read_text(encoding="utf-8")


def scalar(con: duckdb.DuckDBPyConnection, query: str, parameters: list | None = None) -> Any:
    """The one value of a query that returns one row (a count, a max, a setting)."""
    row = con.execute(query, parameters or []).fetchone()
    if row is None:
        raise LookupError(f"no row from {query!r}")
    return row[0]
