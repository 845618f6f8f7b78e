"""The `warehouse` command: refresh the warehouse, and query the published file.

warehouse refresh [--landing DIR] [--warehouse PATH] [--quiet]
warehouse sql "SELECT ..." [--warehouse PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from pathlib import Path

import duckdb

from orchestration import settings

HEADLINE_SQL = """
select region, nationality_group, arrests, population, round(rate_per_100k, 1) as rate_per_100k,
       round(share_of_arrests, 3) as share_of_arrests, forces_reporting, forces_in_region,
       round(population_coverage, 3) as population_coverage, months_covered, data_origin
from marts.rates_by_region_offence
where offence_group = 'All offences'
order by region, nationality_group
"""


def _point_at(landing: str | None, warehouse: str | None) -> None:
    """Options become the environment the Dagster definitions read their paths from."""
    if landing:
        os.environ[settings.LANDING_ENV] = str(Path(landing).resolve())
    if warehouse:
        os.environ[settings.WAREHOUSE_ENV] = str(Path(warehouse).resolve())


def _open_published(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        sys.exit(f"warehouse: no published warehouse at {path}; run `warehouse refresh` first")
    return duckdb.connect(str(path), read_only=True)


def refresh(args: argparse.Namespace) -> int:
    _point_at(args.landing, args.warehouse)
    started = time.perf_counter()
    from orchestration.refresh import run_refresh  # imports Dagster: only when refreshing

    # dbt's progress lines go to stdout through dagster-dbt; --quiet swallows them.
    with contextlib.redirect_stdout(io.StringIO()) if args.quiet else contextlib.nullcontext():
        outcome = run_refresh(log_level="ERROR" if args.quiet else "INFO")
    elapsed = time.perf_counter() - started
    for line in outcome.problems:
        print(f"warehouse: {line}", file=sys.stderr)
    for folder, error in outcome.quarantined.items():
        print(f"warehouse: quarantined {folder}: {error}", file=sys.stderr)
    if not outcome.published:
        print(
            f"warehouse: refresh FAILED after {elapsed:.1f}s; nothing was published and "
            f"{settings.warehouse_path()} is unchanged",
            file=sys.stderr,
        )
        return 1
    print(f"Published {settings.warehouse_path()} in {elapsed:.1f}s")
    if not args.quiet:
        with _open_published(settings.warehouse_path()) as con:
            print("All offences by region (rates per 100,000 residents; months covered shown):")
            con.sql(HEADLINE_SQL).show(max_width=200)
    return 0


def sql(args: argparse.Namespace) -> int:
    _point_at(None, args.warehouse)
    with _open_published(settings.warehouse_path()) as con:
        try:
            con.sql(args.query).show(max_rows=args.max_rows, max_width=250)
        except duckdb.Error as exc:
            print(f"warehouse sql: {exc}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="warehouse", description="Police arrest statistics warehouse."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p_refresh = commands.add_parser("refresh", help="parse returns, build, check and publish")
    p_refresh.add_argument("--landing", help="folder of returns (default: data/landing)")
    p_refresh.add_argument(
        "--warehouse", help="published file (default: data/warehouse/warehouse.duckdb)"
    )
    p_refresh.add_argument("--quiet", action="store_true", help="print only the outcome")
    p_refresh.set_defaults(func=refresh)

    p_sql = commands.add_parser("sql", help="run a query on the published warehouse (read-only)")
    p_sql.add_argument("query")
    p_sql.add_argument(
        "--warehouse", help="published file (default: data/warehouse/warehouse.duckdb)"
    )
    p_sql.add_argument("--max-rows", type=int, default=100)
    p_sql.set_defaults(func=sql)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
