"""The `warehouse` command: refresh, check, query, export, report and roll back the warehouse.

warehouse refresh [--landing DIR] [--warehouse PATH] [--wait SECONDS] [--strict]
                  [--quiet | --json]
warehouse check [--landing DIR] [--home-office DIR] [--no-pull]
warehouse manifest suggest FILE [--sheet S] [--out PATH]
warehouse sql [QUERY | --file FILE | -] [--format table|csv|json] [--warehouse PATH]
warehouse export [--format csv|parquet] [--out DIR] [--warehouse PATH]
warehouse report [--out DIR] [--figures FILE] [--warehouse PATH]
warehouse figure --period P [--offence O] [--by national|region|force | --force F[,F]]
                 [--nationality all|british|non_british|unknown|split] [--ratio] [--cells]
                 [--format table|csv|json|markdown] [--warehouse PATH]
warehouse rollback [--warehouse PATH]
warehouse dbt [--warehouse PATH] [--wait SECONDS] DBT_ARGS...   (dbt on the build database, locked)

Every command takes --debug (a traceback with any error; otherwise one line per problem). Exit
codes of `warehouse refresh` (EXIT_CODES): 0 published, 1 failed, nothing published, 2 bad usage,
65 --strict with a quarantined return, nothing published, 75 another writer holds the warehouse,
130 / 143 stopped by SIGINT / SIGTERM.

Options override the user settings read from the environment (USER_SETTINGS); this module is the
only one that reads the environment, and nothing writes it: the settings travel as values.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from orchestration.lib.messages import one_line
from orchestration.lib.settings import (
    DEFAULT_FIGURES,
    DEFAULT_HOME_OFFICE,
    DEFAULT_LANDING,
    DEFAULT_WAREHOUSE,
    ReadLimits,
    WarehouseSettings,
)
from orchestration.lib.sql import read_sql

# The documented user settings (README, "Pointing it at your own returns"), by what they set.
USER_SETTINGS = {
    "landing": "WAREHOUSE_LANDING",
    "published": "WAREHOUSE_PATH",
    "home_office": "WAREHOUSE_HOME_OFFICE",
    "max_file_bytes": "WAREHOUSE_MAX_FILE_BYTES",
    "max_cells": "WAREHOUSE_MAX_CELLS",
    "max_unzipped_bytes": "WAREHOUSE_MAX_UNZIPPED_BYTES",
}


EXIT_PUBLISHED, EXIT_FAILED, EXIT_STRICT, EXIT_BUSY = 0, 1, 65, 75  # 65, 75: sysexits.h
EXIT_CODES = {
    EXIT_PUBLISHED: "published",
    EXIT_FAILED: "failed: nothing was published",
    2: "bad usage",
    EXIT_STRICT: "--strict: a return was quarantined, nothing was published",
    EXIT_BUSY: "another writer holds the warehouse's lock (try again later, or --wait)",
    130: "stopped by SIGINT (Ctrl-C)",
    143: "stopped by SIGTERM",
}


class SettingsError(ValueError):
    """A user setting that cannot be used (a limit that is not a positive whole number)."""


def _limit(environ: Mapping[str, str], name: str, default: int) -> tuple[int, str | None]:
    raw = environ.get(name, "").strip()
    if not raw:
        return default, None
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(f"{name}={raw!r}: expected a whole number greater than 0")
    return value, name


def settings_from_environment(
    environ: Mapping[str, str] | None = None,
    landing: str | None = None,
    warehouse: str | None = None,
    home_office: str | None = None,
    figures: str | None = None,
) -> WarehouseSettings:
    """The warehouse's settings: command-line options first, then the user settings in the
    environment (USER_SETTINGS), then the defaults (the repo's data/ folder). The figure list is
    an option only (default data/figures.yml)."""
    env = os.environ if environ is None else environ

    def path(option: str | None, key: str, default: Path) -> Path:
        given = Path(option or env.get(USER_SETTINGS[key]) or default)
        # The published file is a link to its current version: resolve its folder, not the link.
        return given.absolute().parent.resolve() / given.name

    defaults = ReadLimits()
    values, set_by = {}, {}
    for key in ("max_file_bytes", "max_cells", "max_unzipped_bytes"):
        values[key], source = _limit(env, USER_SETTINGS[key], getattr(defaults, key))
        set_by[key] = source or f"the default; set {USER_SETTINGS[key]} to change it"
    return WarehouseSettings(
        landing=path(landing, "landing", DEFAULT_LANDING),
        home_office=path(home_office, "home_office", DEFAULT_HOME_OFFICE),
        published=path(warehouse, "published", DEFAULT_WAREHOUSE),
        limits=ReadLimits(**values, set_by=set_by),
        figures=Path(figures or DEFAULT_FIGURES).resolve(),
    )


def _settings(args: argparse.Namespace) -> WarehouseSettings:
    try:
        return settings_from_environment(
            landing=getattr(args, "landing", None),
            warehouse=getattr(args, "warehouse", None),
            home_office=getattr(args, "home_office", None),
            figures=getattr(args, "figures", None),
        )
    except SettingsError as exc:
        sys.exit(f"warehouse: {exc}")


def _open_published(path: Path):
    import duckdb

    if not path.exists():
        sys.exit(f"warehouse: no published warehouse at {path}; run `warehouse refresh` first")
    return duckdb.connect(str(path), read_only=True)


def _refresh_ended(args: argparse.Namespace, code: int, message: str, **fields) -> int:
    """How a refresh that did not run to its summary ends: one line, or one JSON object."""
    if args.json:
        print(json.dumps({"published": False, "exit_code": code, "error": message, **fields}))
    else:
        print(f"warehouse: {message}", file=sys.stderr)
    return code


def _stopped(args: argparse.Namespace, published: Path, before: Path | None) -> int:
    import signal

    from orchestration.lib.publication.publish import current_version
    from orchestration.lib.stopping import exit_code

    signum = (args.signals.first() if args.signals else None) or signal.SIGINT
    after = current_version(published)
    what = (
        f"nothing was published and {published} is unchanged"
        if after == before
        else f"version {after.name if after else '?'} had been published"
    )
    return _refresh_ended(
        args, exit_code(signum), f"refresh stopped by {signal.Signals(signum).name}; {what}"
    )


def refresh(args: argparse.Namespace) -> int:
    settings = _settings(args)
    started = time.perf_counter()
    from orchestration.lib.publication.publish import current_version
    from orchestration.refresh import (  # imports Dagster: only when refreshing
        RefreshBusy,
        run_refresh,
    )

    quiet = args.quiet or args.json
    published = settings.published
    before = current_version(published)
    try:
        # dbt's progress lines go to stdout through dagster-dbt; --quiet and --json swallow them.
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            outcome = run_refresh(
                settings,
                log_level="CRITICAL" if quiet else "INFO",
                wait_seconds=args.wait,
                strict=args.strict,
                debug=args.debug,
            )
    except RefreshBusy as exc:
        return _refresh_ended(args, EXIT_BUSY, str(exc), warehouse=str(published))
    except KeyboardInterrupt:
        return _stopped(args, published, before)
    if args.signals and args.signals.first():  # Dagster turned the signal into a failed run
        return _stopped(args, published, before)
    elapsed = time.perf_counter() - started
    code = (
        EXIT_PUBLISHED
        if outcome.published
        else EXIT_STRICT
        if outcome.refused_strict
        else EXIT_FAILED
    )
    if args.debug:
        for stack in outcome.stacks:
            print(stack, file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {
                    "published": outcome.published,
                    "exit_code": code,
                    "warehouse": str(published),
                    "run_id": outcome.run_id,
                    "seconds": round(elapsed, 2),
                    "checks_run": outcome.checks_run,
                    "strict": args.strict,
                    "problems": outcome.problems,
                    "quarantined": outcome.quarantined,
                },
                indent=2,
            )
        )
        return code
    for line in outcome.problems:
        print(f"warehouse: {line}", file=sys.stderr)
    for folder, error in outcome.quarantined.items():
        print(f"warehouse: quarantined {one_line(folder)}: {one_line(error)}", file=sys.stderr)
    if code == EXIT_STRICT:
        print(
            f"warehouse: refresh REFUSED (--strict) after {elapsed:.1f}s: "
            f"{len(outcome.quarantined)} return(s) quarantined; nothing was published and "
            f"{published} is unchanged",
            file=sys.stderr,
        )
        return code
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
            con.sql(read_sql("orchestration.lib.publication", "regional_rates")).show(max_width=200)
    return 0


def _query_text(args: argparse.Namespace) -> str:
    if args.file:
        return Path(args.file).read_text(encoding="utf-8")
    if args.query in (None, "-"):
        return sys.stdin.read()
    return args.query


def sql(args: argparse.Namespace) -> int:
    import duckdb

    query = _query_text(args)
    with _open_published(_settings(args).published) as con:
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
    from orchestration.lib.publication.export import export_marts

    published = _settings(args).published
    out = Path(args.out) if args.out else published.parent / "exports"
    with _open_published(published) as con:
        for path in export_marts(con, out, args.format):
            print(path)
    return 0


def rollback(args: argparse.Namespace) -> int:
    from orchestration.lib.lock import RefreshBusy, refresh_lock
    from orchestration.lib.publication.publish import rollback as roll_back

    published = _settings(args).published
    try:
        with refresh_lock(published):
            restored = roll_back(published)
    except FileNotFoundError as exc:
        print(f"warehouse rollback: {exc}", file=sys.stderr)
        return 1
    except RefreshBusy as exc:
        print(f"warehouse rollback: {exc}", file=sys.stderr)
        return EXIT_BUSY
    print(f"Published {published} again: version {restored.parent.name}")
    return 0


def dbt(args: argparse.Namespace) -> int:
    """dbt on the warehouse's build database, holding its writer lock (dbt run any other way
    refuses a warehouse's build database: dbt_project/macros/writer_lock.sql)."""
    from orchestration.lib.dbt_project import run_dbt_as_writer
    from orchestration.lib.lock import RefreshBusy

    try:
        return run_dbt_as_writer(_settings(args), args.dbt_args, args.wait)
    except RefreshBusy as exc:
        print(f"warehouse dbt: {exc}", file=sys.stderr)
        return EXIT_BUSY


def check(args: argparse.Namespace) -> int:
    from orchestration.lib.sources.force_returns.check import check_landing
    from orchestration.lib.sources.force_returns.manifest import return_folders
    from orchestration.lib.sources.home_office.load import dataset_folders

    settings = _settings(args)
    landing = settings.landing
    if not landing.is_dir():
        print(f"warehouse check: landing folder {landing} does not exist", file=sys.stderr)
        return 2
    problems = check_landing(
        landing, pull=not args.no_pull, limits=settings.limits, home_office=settings.home_office
    )
    for problem in problems:
        print(f"{problem.severity.upper()}: {problem}")
        for line in problem.preview.lines() if problem.preview is not None else []:
            print(f"    {line}")
    returns = [p for p in problems if p.noun == "return"]
    datasets = [p for p in problems if p.noun != "return"]
    folders = [f.name for f in return_folders(landing)]
    bad = sorted({p.return_folder for p in returns if p.severity == "error" and p.return_folder})
    bad_datasets = sorted({p.return_folder or "" for p in datasets if p.severity == "error"})
    warnings = sum(p.severity == "warning" for p in returns)
    errors = sum(p.severity == "error" for p in problems)
    home_office = len(dataset_folders(settings.home_office))
    print(
        f"warehouse check: {len(folders)} return(s) in {landing}: {len(folders) - len(bad)} good, "
        f"{len(bad)} bad ({errors - len(datasets)} error(s), {warnings} warning(s)); "
        f"{home_office} Home Office dataset(s) in {settings.home_office}: "
        f"{home_office - len(bad_datasets)} good, {len(bad_datasets)} bad"
        + (f"; bad: {', '.join(bad + bad_datasets)}" if bad or bad_datasets else "")
    )
    # An error of no return: the refresh's dbt tests could not run on the returns.
    return 1 if errors else 0


def manifest_suggest(args: argparse.Namespace) -> int:
    from orchestration.lib.sources.force_returns.readers import ReadError
    from orchestration.lib.sources.force_returns.suggest import suggest_manifest

    path = Path(args.file)
    try:
        suggestion = suggest_manifest(path, sheet=args.sheet)
    except ReadError as exc:
        print(f"warehouse manifest suggest: {exc}", file=sys.stderr)
        return 1
    # The guesses go to stderr, so that stdout is the manifest alone.
    for reason in suggestion.reasons:
        print(f"guess: {reason}", file=sys.stderr)
    text = suggestion.yaml_text()
    if args.out is None:
        print(text, end="")
        return 0
    out = Path(args.out)
    if out.exists():
        print(f"warehouse manifest suggest: {out} exists; not overwritten", file=sys.stderr)
        return 1
    out.write_text(text, encoding="utf-8")
    print(f"Wrote {out}: review it and fill in the keys marked FILL IN", file=sys.stderr)
    return 0


def report(args: argparse.Namespace) -> int:
    from orchestration.lib.report import ReportError, build_report

    settings = _settings(args)
    out_dir = Path(args.out) if args.out else settings.report_dir

    def warn(message: str) -> None:
        print(f"warehouse report: warning: {message}", file=sys.stderr)

    try:
        path = build_report(settings.published, out_dir, settings.figures, warn)
    except ReportError as exc:
        print(f"warehouse report: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


@contextlib.contextmanager
def _without_pandas():
    """DuckDB imports pandas (over a second) only to ask whether a bound parameter is a
    DataFrame; a command that binds plain values and prints text needs no pandas at all."""
    hidden = "pandas" not in sys.modules
    if hidden:
        sys.modules["pandas"] = None  # `import pandas` raises ImportError
    try:
        yield
    finally:
        if hidden and sys.modules.get("pandas", 0) is None:
            del sys.modules["pandas"]


def figure(args: argparse.Namespace) -> int:
    from orchestration.lib.figures import FigureError, open_warehouse
    from orchestration.lib.figures.render import render_cells, render_figure

    wh = open_warehouse(_settings(args).published)
    request = {
        "period": args.period,
        "offence": args.offence,
        "by": args.by,
        "force": args.force,
        "nationality": args.nationality,
    }
    try:
        with _without_pandas():
            if args.cells:
                text = render_cells(wh.cell_rows(**request), args.format, args.max_rows)
            else:
                text = render_figure(wh.figure_rows(**request, ratio=args.ratio), args.format)
    except FigureError as exc:
        print(f"warehouse figure: {exc}", file=sys.stderr)
        return 2
    print(text)
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
    p_refresh.add_argument(
        "--strict",
        action="store_true",
        help="any quarantined return fails the refresh (exit 65) and nothing is published",
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

    p_dbt = commands.add_parser(
        "dbt",
        help="run dbt on the build database, holding the warehouse's writer lock",
        description="dbt with the refresh's project, profile and --vars, on the warehouse's build "
        "database, while holding its writer lock: e.g. `warehouse dbt build --select marts`.",
    )
    p_dbt.add_argument("--warehouse", help=warehouse_help)
    p_dbt.add_argument("--wait", type=float, default=0, help="seconds to wait for another writer")
    p_dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="dbt's command and options")
    p_dbt.set_defaults(func=dbt)

    p_check = commands.add_parser(
        "check",
        help="validate the landing returns without publishing (in a temporary database)",
        description="Read every return in the landing folder as its manifest says, run the "
        "refresh's dbt tests on them in a temporary database, read every Home Office dataset as a "
        "refresh would, and list every problem (return or dataset, file, sheet, row, column). "
        "Exits 1 when any return or dataset is bad.",
    )
    p_check.add_argument(
        "--landing", help="folder of returns (default: data/landing, or $WAREHOUSE_LANDING)"
    )
    p_check.add_argument(
        "--home-office",
        help="folder of Home Office datasets (default: data/homeoffice, or $WAREHOUSE_HOME_OFFICE)",
    )
    p_check.add_argument(
        "--no-pull",
        action="store_true",
        help="do not download files a manifest names by url:; check the copies already pulled",
    )
    p_check.set_defaults(func=check)

    p_manifest = commands.add_parser("manifest", help="help writing a return's manifest")
    manifest_commands = p_manifest.add_subparsers(dest="manifest_command", required=True)
    p_suggest = manifest_commands.add_parser(
        "suggest",
        help="propose a first manifest for a received file, to review (never loaded)",
        description="Read a received CSV, XLSX or ODS file as a refresh would and propose a "
        "manifest: per sheet, the header row, which columns are months, offences, nationalities "
        "and counts, the layout, suppression markers and total rows and columns, with the "
        "evidence for each guess (on stderr). Keys the file cannot tell are marked FILL IN. "
        "Prints the manifest, or writes it to --out (never over an existing file).",
    )
    p_suggest.add_argument("file", help="the received file")
    p_suggest.add_argument("--sheet", help="only this sheet (default: every sheet)")
    p_suggest.add_argument("--out", help="write the manifest here instead of printing it")
    p_suggest.set_defaults(func=manifest_suggest)

    p_report = commands.add_parser(
        "report", help="write a self-contained HTML report from the published warehouse"
    )
    p_report.add_argument("--out", help="output folder (default: <warehouse dir>/report)")
    p_report.add_argument(
        "--figures",
        help="YAML list of claims to answer, each a figure request (default: data/figures.yml)",
    )
    p_report.add_argument("--warehouse", help=warehouse_help)
    p_report.set_defaults(func=report)

    p_figure = commands.add_parser(
        "figure",
        help="a figure for any period, offence and area, with its bounds, intervals and coverage",
        description="One figure as it would be quoted, from the published warehouse (read-only): "
        "arrests with their bounds under suppression, the rate per 100,000 person-years with its "
        "exact interval, the share of the offence's arrests, the non-British vs British rate "
        "ratio (on the non_british row), and beside every number the forces, months and "
        "population it stands on. table and markdown summarise; csv and json give every column.",
    )
    p_figure.add_argument(
        "--period",
        required=True,
        help="2024-01..2024-10 (months), 2023-24 (financial year), 2024 (calendar year), 2024-03",
    )
    p_figure.add_argument(
        "--offence",
        help="an offence group ('Sexual offences'), category ('Rape'), Home Office code (19E) or "
        "flag: child_sexual, under_13, indecent_images, prostitution (default: all offences)",
    )
    area = p_figure.add_mutually_exclusive_group()
    area.add_argument(
        "--by", choices=["national", "region", "force"], help="rows per area (default: national)"
    )
    area.add_argument("--force", help="one row per force: ONS codes or names, comma-separated")
    p_figure.add_argument(
        "--nationality",
        default="all",
        help="all (default), british, non_british, unknown, or split (all four rows)",
    )
    p_figure.add_argument(
        "--ratio",
        action="store_true",
        help="give the non-British vs British rate ratio on every row (not only non_british)",
    )
    p_figure.add_argument(
        "--cells",
        action="store_true",
        help="list the source cells behind the figure (return, file, sheet, row, column)",
    )
    p_figure.add_argument("--format", choices=["table", "csv", "json", "markdown"], default="table")
    p_figure.add_argument("--warehouse", help=warehouse_help)
    p_figure.add_argument("--max-rows", type=int, default=100, help="cells shown by --cells table")
    p_figure.set_defaults(func=figure)

    for subparser in commands.choices.values():
        subparser.add_argument(
            "--debug", action="store_true", help="show the traceback of any error"
        )
    args = parser.parse_args(argv)
    return _run(args)


@contextlib.contextmanager
def _unraisable_hook(hook):
    previous = sys.unraisablehook
    sys.unraisablehook = hook
    try:
        yield
    finally:
        import gc

        gc.collect()  # what is left to finalise is finalised under this command's hook
        sys.unraisablehook = previous


def _run(args: argparse.Namespace) -> int:
    """Run the command: an error is one line (its traceback with --debug; JSON with --json), a
    stop signal ends it cleanly with 128 + its number."""
    from orchestration.lib.stopping import exit_code, stop_signals_recorded

    def unraisable(info) -> None:
        # An error Python could not raise (a generator closed while a run was being stopped):
        # nothing to add after a stop signal, one line otherwise, Python's report with --debug.
        if args.debug:
            sys.__unraisablehook__(info)
        elif not signals.first():
            print(
                one_line(f"warehouse: ignored {info.exc_type.__name__}: {info.exc_value}"),
                file=sys.stderr,
            )

    with stop_signals_recorded() as signals, _unraisable_hook(unraisable):
        args.signals = signals
        try:
            return args.func(args)
        except KeyboardInterrupt:
            import signal

            signum = signals.first() or signal.SIGINT
            print(f"warehouse: stopped by {signal.Signals(signum).name}", file=sys.stderr)
            return exit_code(signum)
        except Exception as exc:
            if args.debug:
                raise
            message = one_line(f"{type(exc).__name__}: {exc}")
            if getattr(args, "json", False):
                print(json.dumps({"exit_code": 1, "error": message}))
            else:
                print(f"warehouse {args.command}: {message} (--debug shows where)", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
