"""`warehouse report`: a self-contained HTML report built from the published warehouse.

The page embeds plotly.js, so it opens offline and can be mailed or archived as one folder.
Heavy imports (pandas, plotly) wait until a report is built, keeping `warehouse` quick to start.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.lib import atomic
from orchestration.lib.report.errors import ReportError

__all__ = ["ReportError", "build_report"]

REPORT_FILE = "index.html"


def build_report(warehouse: Path, out_dir: Path) -> Path:
    """Write `out_dir/index.html` from the published warehouse (opened read-only); return its path.

    Raises ReportError when there is no published warehouse or it lacks a mart the report needs.
    """
    from orchestration.lib.report.queries import load_report_data
    from orchestration.lib.report.render import render_report

    warehouse, out_dir = Path(warehouse).resolve(), Path(out_dir).resolve()
    page = render_report(load_report_data(warehouse), warehouse, out_dir)
    target = out_dir / REPORT_FILE
    atomic.write_text(target, page)  # a reader never opens half a page
    return target
