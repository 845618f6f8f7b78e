"""The `warehouse` command: refresh, query, export, report and roll back the warehouse.

warehouse refresh [--landing DIR] [--warehouse PATH] [--wait SECONDS] [--quiet | --json]
warehouse sql [QUERY | --file FILE | -] [--format table|csv|json] [--warehouse PATH]
warehouse export [--format csv|parquet] [--out DIR] [--warehouse PATH]
warehouse report [--out DIR] [--warehouse PATH]
warehouse rollback [--warehouse PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

import duckdb

from orchestration import settings
from orchestration.report import add_report_command
from orchestration.returns.check import add_check_command

HEADLINE_SQL = """
select region, nationality_group, arrests, population, round(rate_per_100k, 1) as rate_per_100k,
       round(rate_ci_lower, 1) as ci_lower, round(rate_ci_upper, 1) as ci_upper,
       forces_reporting, forces_in_region, round(population_coverage, 3) as population_coverage,
       months_covered, data_origin
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
    from orchestration.refresh import (  # imports Dagster: only when refreshing
        RefreshBusy,
        run_refresh,
    )

    quiet = args.quiet or args.json
    try:
        # dbt's progress lines go to stdout through dagster-dbt; --quiet and --json swallow them.
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            outcome = run_refresh(log_level="ERROR" if quiet else "INFO", wait_seconds=args.wait)
    except RefreshBusy as exc:
        print(f"warehouse: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    elapsed = time.perf_counter() - started
    published = settings.warehouse_path()
    if args.json:
        print(
            json.dumps(
                {
                    "published": outcome.published,
                    "warehouse": str(published),
                    "run_id": outcome.run_id,
                    "seconds": round(elapsed, 2),
                    "checks_run": outcome.checks_run,
                    "problems": outcome.problems,
                    "quarantined": outcome.quarantined,
                },
                indent=2,
            )
        )
        return 0 if outcome.published else 1
    for line in outcome.problems:
        print(f"warehouse: {line}", file=sys.stderr)
    for folder, error in outcome.quarantined.items():
        print(f"warehouse: quarantined {folder}: {error}", file=sys.stderr)
    if not outcome.published:
        print(
            f"warehouse: refresh FAILED after {elapsed:.1f}s; nothing was published and "
            f"{published} is unchanged",
            file=sys.stderr,
        )
        return 1
    print(f"Published {published} in {elapsed:.1f}s ({outcome.checks_run} checks passed)")
    if not args.quiet:
        with _open_published(published) as con:
            print("All offences by region (rates per 100,000 residents, exact 95% interval):")
            con.sql(HEADLINE_SQL).show(max_width=200)
    return 0


def _query_text(args: argparse.Namespace) -> str:
    if args.file:
        return Path(args.file).read_text(encoding="utf-8")
    if args.query in (None, "-"):
        return sys.stdin.read()
    return args.query


def sql(args: argparse.Namespace) -> int:
    _point_at(None, args.warehouse)
    query = _query_text(args)
    with _open_published(settings.warehouse_path()) as con:
        try:
            relation = con.sql(query)
            if relation is None:
                return 0
            if args.format == "table":
                relation.show(max_rows=args.max_rows, max_width=250)
            elif args.format == "csv":
                relation.df().to_csv(sys.stdout, index=False)
            else:
                print(relation.df().to_json(orient="records", date_format="iso", indent=2))
        except duckdb.Error as exc:
            print(f"warehouse sql: {exc}", file=sys.stderr)
            return 1
    return 0


def export(args: argparse.Namespace) -> int:
    from orchestration.export import export_marts

    _point_at(None, args.warehouse)
    published = settings.warehouse_path()
    out = Path(args.out) if args.out else published.parent / "exports"
    with _open_published(published) as con:
        for path in export_marts(con, out, args.format):
            print(path)
    return 0


def rollback(args: argparse.Namespace) -> int:
    from orchestration.publish import rollback as roll_back
    from orchestration.refresh import RefreshBusy, refresh_lock

    _point_at(None, args.warehouse)
    published = settings.warehouse_path()
    try:
        with refresh_lock(published):
            restored = roll_back(published)
    except (FileNotFoundError, RefreshBusy) as exc:
        print(f"warehouse rollback: {exc}", file=sys.stderr)
        return 1
    print(f"Published {published} again from {restored.name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="warehouse", description="Police arrest statistics warehouse."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    warehouse_help = "published file (default: data/warehouse/warehouse.duckdb, or $WAREHOUSE_PATH)"

    p_refresh = commands.add_parser("refresh", help="parse returns, build, check and publish")
    p_refresh.add_argument(
        "--landing", help="folder of returns (default: data/landing, or $WAREHOUSE_LANDING)"
    )
    p_refresh.add_argument("--warehouse", help=warehouse_help)
    p_refresh.add_argument(
        "--wait", type=float, default=0, help="seconds to wait for a running refresh"
    )
    output = p_refresh.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true", help="print only the outcome")
    output.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p_refresh.set_defaults(func=refresh)

    p_sql = commands.add_parser("sql", help="run a query on the published warehouse (read-only)")
    p_sql.add_argument("query", nargs="?", help="the query; '-' or nothing reads it from stdin")
    p_sql.add_argument("--file", help="read the query from a file")
    p_sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p_sql.add_argument("--warehouse", help=warehouse_help)
    p_sql.add_argument("--max-rows", type=int, default=100)
    p_sql.set_defaults(func=sql)

    p_export = commands.add_parser("export", help="write every mart as CSV or Parquet")
    p_export.add_argument("--format", choices=["csv", "parquet"], default="csv")
    p_export.add_argument("--out", help="folder (default: data/warehouse/exports)")
    p_export.add_argument("--warehouse", help=warehouse_help)
    p_export.set_defaults(func=export)

    p_rollback = commands.add_parser("rollback", help="publish the previous version again")
    p_rollback.add_argument("--warehouse", help=warehouse_help)
    p_rollback.set_defaults(func=rollback)

    add_check_command(commands)
    add_report_command(commands)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
