"""`warehouse report`: a self-contained HTML report built from the published warehouse.

The page embeds plotly.js, so it opens offline and can be mailed or archived as one folder.
Heavy imports (pandas, plotly) wait until a report is built, keeping `warehouse` quick to start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from orchestration.lib import atomic
from orchestration.lib.report.errors import ReportError

__all__ = ["ReportError", "build_report"]

REPORT_FILE = "index.html"


def _ignore(message: str) -> None:
    return None


def build_report(
    warehouse: Path,
    out_dir: Path,
    figures: Path | None = None,
    warn: Callable[[str], None] = _ignore,
) -> Path:
    """Write `out_dir/index.html` from the published warehouse (opened read-only); return its path.

    `figures` is a figure list (figure_list.py): the page then has a section with each claim's
    figure and coverage; `warn` is told of each claim the warehouse cannot answer.
    Raises ReportError when there is no published warehouse, it lacks a mart the report needs, or
    the figure list is malformed (FigureListError).
    """
    from orchestration.lib.report.claims import answer_claims
    from orchestration.lib.report.figure_list import load_figure_list
    from orchestration.lib.report.queries import load_report_data
    from orchestration.lib.report.render import render_report

    # absolute, not resolved: the published file is a link through `current` to a version folder,
    # and the report (and each claim's command) names the file readers use
    warehouse, out_dir = Path(warehouse).absolute(), Path(out_dir).resolve()
    # A malformed figure list stops the report before any mart is read.
    entries = [] if figures is None else load_figure_list(Path(figures))
    data = load_report_data(warehouse)
    claims = None
    if figures is not None:
        claims = answer_claims(entries, warehouse, Path(figures), warn)
    page = render_report(data, warehouse, out_dir, claims, figures)
    target = out_dir / REPORT_FILE
    atomic.write_text(target, page)  # a reader never opens half a page
    return target
