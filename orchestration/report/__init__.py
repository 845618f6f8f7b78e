"""`warehouse report`: a self-contained HTML report built from the published warehouse.

The page embeds plotly.js, so it opens offline and can be mailed or archived as one folder.
Heavy imports (pandas, plotly) wait until a report is built, keeping `warehouse` quick to start.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path

from orchestration import settings
from orchestration.report.errors import ReportError

__all__ = ["ReportError", "add_report_command", "build_report"]

REPORT_FILE = "index.html"


def build_report(warehouse: Path, out_dir: Path) -> Path:
    """Write `out_dir/index.html` from the published warehouse (opened read-only); return its path.

    Raises ReportError when there is no published warehouse or it lacks a mart the report needs.
    """
    from orchestration.report.queries import load_report_data
    from orchestration.report.render import render_report

    warehouse, out_dir = Path(warehouse).resolve(), Path(out_dir).resolve()
    page = render_report(load_report_data(warehouse), warehouse, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / REPORT_FILE
    # Written beside and renamed into place: a reader never opens half a page.
    tmp = out_dir / f".{REPORT_FILE}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, target)
    return target


def _report(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    out_dir = Path(args.out) if args.out else warehouse.parent / "report"
    try:
        path = build_report(warehouse, out_dir)
    except ReportError as exc:
        print(f"warehouse report: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def add_report_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `warehouse report [--out DIR] [--warehouse PATH]` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report from the published warehouse"
    )
    parser.add_argument("--out", help="output folder (default: <warehouse dir>/report)")
    parser.add_argument(
        "--warehouse", help="published file (default: data/warehouse/warehouse.duckdb)"
    )
    parser.set_defaults(func=_report)
    return parser
