"""Export the published marts as CSV or Parquet files for publication.

CSV is opened in spreadsheets, so text that a spreadsheet would run as a formula (starting with
=, +, -, @, tab or carriage return) is prefixed with a single quote, as OWASP advises against CSV
injection. Values come from force returns and are never trusted.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.lib import atomic

FORMULA_START = r"^[=+\-@\t\r]"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def neutralised_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """select over a mart with every text column made safe to open in a spreadsheet."""
    parts = []
    for column, data_type in _columns(con, table):
        ident = _quoted(column)
        if data_type.upper() == "VARCHAR":
            parts.append(
                f"case when regexp_matches({ident}, '{FORMULA_START}') then '''' || {ident} "
                f"else {ident} end as {ident}"
            )
        else:
            parts.append(ident)
    return f"select {', '.join(parts)} from marts.{_quoted(table)}"


def export_marts(con: duckdb.DuckDBPyConnection, out_dir: Path, file_format: str) -> list[Path]:
    """Write every mart to out_dir; each file appears whole or not at all (temp file + rename)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    written = []
    for table in tables:
        target = out_dir / f"{table}.{file_format}"
        if file_format == "csv":
            query, options = neutralised_select(con, table), "format csv, header true"
        else:
            query, options = f"select * from marts.{_quoted(table)}", "format parquet"
        with atomic.atomic_path(target) as tmp:
            # Identifiers are quoted; the path is ours, with any quote doubled.
            con.execute(
                f"copy ({query}) to '{tmp.as_posix().replace(chr(39), chr(39) * 2)}' ({options})"
            )
        written.append(target)
    return written
