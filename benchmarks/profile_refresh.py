"""Where a refresh's time goes: `python -X importtime` of the code location, and cProfile of
`orchestration.refresh.run_refresh` in-process (WAREHOUSE_LANDING / WAREHOUSE_PATH set), summarised
by named functions (seconds, cumulative) and the top functions by own time.

    .venv/bin/python benchmarks/profile_refresh.py --landing /tmp/frw-bench/1e6/landing \\
        [--warehouse /tmp/frw-bench/1e6/profile/warehouse.duckdb] [--code live|REV] [--out FILE]

The dbt build runs in a subprocess (cProfile sees only the wait for it); its node timings come
from its run_results.json. A fresh warehouse path is used, so this profiles a full refresh.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench  # noqa: E402

# (label, regex on "file:function") -> cumulative seconds of the outermost matching call
NAMED = [
    ("whole refresh (import + load + run)", r"profile_refresh\.py:_refresh$"),
    ("all imports (any module, cumulative)", r"^<frozen importlib\._bootstrap>:_find_and_load$"),
    ("import orchestration.refresh (dagster)", r"profile_refresh\.py:_import_refresh$"),
    ("load definitions (build_definitions())", r"orchestration/definitions\.py:build_definitions$"),
    ("  dbt manifest check / dbt parse", r"lib/dbt_project\.py:ensure_manifest$"),
    ("job.execute_in_process", r"dagster/_core/definitions/job_definition\.py:execute_in_process$"),
    ("  step raw_force_returns (ingest)", r"defs/ingest/assets\.py:raw_force_returns$"),
    ("    return_fingerprint (sha256)", r"force_returns/parse\.py:return_fingerprint$"),
    ("    load_manifest", r"force_returns/manifest\.py:load_manifest$"),
    ("      yaml.safe_load (pure-Python loader)", r"yaml/__init__\.py:safe_load$"),
    ("    readers.read_grid", r"force_returns/readers/__init__\.py:read_grid$"),
    ("      readers.csv_text.read_csv", r"force_returns/readers/csv_text\.py:read_csv$"),
    ("        csv.Sniffer.sniff", r"csv\.py:sniff$"),
    (
        "        per-row loop (csv rows + strip)",
        r"force_returns/readers/csv_text\.py:<listcomp>$",
        max,
    ),
    (
        "      readers.spreadsheet.read_spreadsheet",
        r"force_returns/readers/spreadsheet\.py:read_spreadsheet$",
    ),
    ("    cells.canonical_cells", r"force_returns/cells\.py:canonical_cells$"),
    ("      per-row padding / pyarrow lists", r"force_returns/cells\.py:<(listcomp|dictcomp)>$"),
    ("    parse.bad_count_errors", r"force_returns/parse\.py:bad_count_errors$"),
    ("    parse.with_iso_months", r"force_returns/parse\.py:with_iso_months$"),
    # The inserts run on RawWriter's worker thread, which cProfile does not see: the main
    # thread's wait for them is the figure here.
    ("    RawWriter.replace_return (buffering)", r"force_returns/raw_writer\.py:replace_return$"),
    ("    RawWriter.connection (waits for inserts)", r"force_returns/raw_writer\.py:connection$"),
    ("      store.drop_id (deletes)", r"landing/store\.py:drop_id$"),
    ("    quarantine (one path, every source)", r"landing/loader\.py:quarantine$"),
    ("  step dbt_models (dbt build)", r"defs/dbt/assets\.py:dbt_models$"),
    ("  step warehouse_docs (dbt docs generate)", r"defs/publication/docs\.py:warehouse_docs$"),
    ("    DbtCliResource.cli (both, incl. adapter)", r"dagster_dbt/core/resource\.py:cli$"),
    (
        "      dagster-dbt adapter start-up",
        r"dagster_dbt/core/resource\.py:_initialize_dbt_core_adapter$",
    ),
    (
        "    waiting on dbt subprocess stdout",
        r"dagster_dbt/core/dbt_cli_invocation\.py:_stream_stdout$",
    ),
    ("  GX checks (all asset checks)", r"defs/checks/great_expectations\.py:_check$"),
    ("    DuckDB -> pandas (relation.df())", r"<built-in method _duckdb\.df>"),
    ("    validate_frame", r"expectations/runner\.py:validate_frame$"),
    ("      GX import (in first suite build)", r"expectations/_gx\.py:gx$"),
    (
        "      GX validate (all suites)",
        r"great_expectations/datasource/fluent/interfaces\.py:validate$",
    ),
    ("  step published_warehouse", r"defs/publication/assets\.py:published_warehouse$"),
]


def _import_refresh():
    from orchestration import refresh

    return refresh


def _refresh():
    refresh = _import_refresh()
    from orchestration.cli import settings_from_environment

    return refresh.run_refresh(settings_from_environment(), log_level="ERROR")


def _key(func: tuple) -> str:
    filename, _, name = func
    return f"{filename}:{name}"


def named_costs(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    out = []
    for label, pattern, *how in NAMED:
        rx = re.compile(pattern)
        found = [
            (ct, nc)
            for func, (_cc, nc, _tt, ct, _c) in stats.stats.items()
            if rx.search(_key(func))
        ]
        if how:  # nested matches (a comprehension inside a comprehension): the outermost only
            found = [max(found, default=(0.0, 0))]
        out.append((label, sum(ct for ct, _ in found), sum(nc for _, nc in found)))
    return out


def top(stats: pstats.Stats, sort: str, n: int) -> str:
    buf = io.StringIO()
    stats.stream = buf
    stats.sort_stats(sort).print_stats(n)
    text = buf.getvalue()
    return text[text.find("   ncalls") :]


HEAVY = (
    "dagster",
    "dagster_dbt",
    "dbt",
    "great_expectations",
    "pandas",
    "numpy",
    "scipy",
    "pyarrow",
    "duckdb",
    "pydantic",
    "sqlalchemy",
    "yaml",
    "orchestration",
    "expectations",
)


def import_times(code: Path, env: dict) -> list[tuple[str, float]]:
    """Seconds to first import each heavy package (cumulative, wherever it was first imported)
    when loading the code location and GX as a refresh does, from `python -X importtime`."""
    script = (
        "import orchestration.refresh; from orchestration.definitions import defs; defs(); "
        "from expectations._gx import gx; gx(); import expectations.runner"
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", script],
        env=env,
        cwd=code,
        capture_output=True,
        text=True,
    )
    first: dict[str, float] = {}
    total = 0.0
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if not m:
            continue
        if m.group(3) == "":
            total += int(m.group(2)) / 1e6
        if m.group(4) in HEAVY:
            first[m.group(4)] = max(first.get(m.group(4), 0.0), int(m.group(2)) / 1e6)
    return [("ALL (top-level sum)", total)] + sorted(first.items(), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", required=True)
    parser.add_argument("--warehouse", help="default: <landing>/../profile/warehouse.duckdb")
    parser.add_argument("--code", default="live")
    parser.add_argument("--work", default="/tmp/frw-bench")
    parser.add_argument("--out", help="text report (default: beside the warehouse)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--from-prof", help="only re-render the report from this .prof file")
    args = parser.parse_args()

    landing = Path(args.landing).resolve()
    published = Path(args.warehouse or landing.parent / "profile" / "warehouse.duckdb").resolve()
    code = bench.code_dir(args.code, Path(args.work))

    if not args.child:
        # Re-run this script in a child whose sys.path starts at the code under test.
        env = bench.refresh_env(code, None)
        env["WAREHOUSE_LANDING"], env["WAREHOUSE_PATH"] = str(landing), str(published)
        if not args.from_prof:
            if published.parent.exists():
                shutil.rmtree(published.parent)
            bench.warm_up(code, landing, published)
        imports = import_times(code, env)
        (published.parent).mkdir(parents=True, exist_ok=True)
        (published.parent / "imports.json").write_text(json.dumps(imports))
        cmd = [sys.executable, __file__, "--child", "--landing", str(landing)]
        cmd += ["--warehouse", str(published), "--code", args.code, "--work", args.work]
        cmd += ["--out", args.out] if args.out else []
        cmd += ["--from-prof", args.from_prof] if args.from_prof else []
        sys.exit(subprocess.run(cmd, env=env, cwd=code).returncode)

    sys.path.insert(0, str(code))
    prof_path = published.parent / "refresh.prof"
    if args.from_prof:  # re-render a report from an earlier profile
        prof_path, wall, outcome = Path(args.from_prof), float("nan"), None
    else:
        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        # dbt's progress lines reach stdout through dagster-dbt; keep them out of the report.
        with contextlib.redirect_stdout(io.StringIO()):
            profiler.enable()
            outcome = _refresh()
            profiler.disable()
        wall = time.perf_counter() - t0
        profiler.dump_stats(prof_path)
    stats = pstats.Stats(str(prof_path))

    lines = [
        f"Profile of a full refresh (cProfile, in-process): landing {landing}",
        f"code {code}; published={outcome and outcome.published}; "
        f"wall under the profiler {wall:.1f} s",
        f"problems: {outcome and outcome.problems[:3]}",
        "",
        "Named costs (cumulative seconds, outermost calls; indented = inside the line above):",
    ]
    for label, seconds, calls in named_costs(stats):
        lines.append(f"  {label:<44} {seconds:8.2f} s   ({calls} calls)")
    imports = json.loads((published.parent / "imports.json").read_text())
    lines += [
        "",
        "Import time, no profiler (python -X importtime; seconds to first import each package,",
        "nested packages included in their importer's figure):",
    ]
    lines += [f"  {name:<32} {sec:6.2f}" for name, sec in imports[:15]]
    runs = sorted(
        [
            *(code / "dbt_project" / "target").glob("dbt_models-*/run_results.json"),
            *bench.dbt_target(published).glob("run_results.json"),
        ],
        key=lambda p: p.stat().st_mtime,
    )
    if runs:
        doc = json.loads(runs[-1].read_text())
        nodes = sorted(doc["results"], key=lambda r: -(r.get("execution_time") or 0))
        lines += ["", f"dbt build: elapsed {doc.get('elapsed_time', 0):.1f} s; slowest nodes:"]
        lines += [f"  {r['execution_time']:7.2f} s  {r['unique_id']}" for r in nodes[:12]]
    lines += ["", "Top 40 by own time (tottime):", top(stats, "tottime", 40)]
    lines += ["Top 60 by cumulative time:", top(stats, "cumulative", 60)]
    text = "\n".join(lines)
    out = Path(args.out) if args.out else published.parent / "profile.txt"
    out.write_text(text)
    print("\n".join(lines[: 8 + len(NAMED) + 20]))
    print(f"\nfull report: {out}; raw profile: {prof_path}")


if __name__ == "__main__":
    main()
