"""Assemble the report page: format figures for reading, then fill the escaped template."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from orchestration.lib.report import charts, coverage
from orchestration.lib.report.queries import ReportData
from orchestration.lib.report.template import PAGE
from orchestration.lib.report.tiles import FORCES_TOTAL, GRID_COLS, GRID_ROWS

CAVEATS = [
    (
        "Arrests are not charges or convictions.",
        "An arrest records that police suspected an offence; many arrests end with no further action.",
    ),
    (
        "Resident population excludes visitors.",
        "Arrests of anyone (residents, visitors, people in transit) are divided by the usual resident "
        "population, so places with many visitors, such as central London, show higher rates.",
    ),
    (
        "Nationality denominators are from the Annual Population Survey, July 2015 – June 2016.",
        "The APS is a sample survey: its British and non-British estimates carry sampling error "
        "(folded into the ratio intervals) and are older than the arrests. No estimate exists for "
        "the City of London, whose residents are counted within the Metropolitan Police area.",
    ),
    (
        "Suppressed cells are carried as bounds.",
        "Forces suppress small counts (such as * or <5). They are never read as zero: arrest counts "
        "include only cells given as numbers, and lower and upper bounds add each suppressed cell's range.",
    ),
    (
        "Unknown nationality is its own group.",
        "Arrests with nationality not stated or not recorded have no population to divide by; their "
        "share is shown beside every figure.",
    ),
    (
        "Coverage is partial where forces did not report.",
        "Regional and national figures use the forces and months that reported, with the population "
        "of those forces; the coverage section shows which.",
    ),
]
DOCS = (
    ("dbt documentation: models, columns and tests", Path("docs/dbt/index.html")),
    ("Great Expectations Data Docs: validation results", Path("docs/gx/index.html")),
)


@dataclass(frozen=True)
class HeadlineCard:
    figure_id: str
    description: str
    value: str
    interval: str
    counts: str
    forces: str
    population: str
    months: str
    suppressed: str
    unknown: str
    caveat: str
    partial: bool
    synthetic: bool


def pct(value: Any, digits: int = 1) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value) * 100:.{digits}f}%"


def _num(value: Any) -> str:
    return "—" if pd.isna(value) else f"{int(value):,}"


def _figure(value: Any, unit: str) -> str:
    if pd.isna(value):
        return "—"
    return pct(value) if unit == "share" else f"{float(value):.2f}×"


def headline_card(row: pd.Series) -> HeadlineCard:
    unit = str(row["unit"])
    has_interval = pd.notna(row["ci_lower"]) and pd.notna(row["ci_upper"])
    suppressed = 0 if pd.isna(row["suppressed_cells"]) else int(row["suppressed_cells"])
    return HeadlineCard(
        figure_id=str(row["figure_id"]),
        description=str(row["description"]),
        value=_figure(row["value"], unit),
        interval=(
            f"95% interval {_figure(row['ci_lower'], unit)} to {_figure(row['ci_upper'], unit)}"
            if has_interval
            else "No interval available"
        ),
        counts=(
            f"{_num(row['numerator'])} of {_num(row['denominator'])} arrests"
            if unit == "share"
            else ""
        ),
        forces=f"{_num(row['forces_reporting'])} of {_num(row['forces_total'])} forces reporting",
        population=f"{pct(row['population_coverage'], 0)} of the population covered",
        months=(
            "—"
            if pd.isna(row["months_covered_min"])
            else f"at least {int(row['months_covered_min'])} months from each reporting force"
        ),
        suppressed=(
            f"{suppressed:,} suppressed cells, carried as bounds" if suppressed else "none"
        ),
        unknown=f"{pct(row['unknown_nationality_share'])} of arrests",
        caveat="" if pd.isna(row["caveat"]) else str(row["caveat"]),
        partial=not bool(row["is_complete"]) if pd.notna(row["is_complete"]) else True,
        synthetic=row["data_origin"] == "synthetic",
    )


def month_mark(cell: coverage.MonthCell) -> str:
    if cell.state == "covered":
        return str(cell.suppressed_cells) if cell.suppressed_cells else "✓"
    return "?" if cell.state == "uncertain" else ""


def docs_links(warehouse_dir: Path, out_dir: Path) -> list[tuple[str, str]]:
    """Relative links to the docs sites that exist beside the warehouse, so the folder can move."""
    return [
        (label, Path(os.path.relpath(warehouse_dir / path, out_dir)).as_posix())
        for label, path in DOCS
        if (warehouse_dir / path).is_file()
    ]


def _national_unknown_share(data: ReportData) -> str:
    rows = data.rates[
        (data.rates["offence_group"] == charts.ALL_OFFENCES)
        & (data.rates["nationality_group"] == "unknown")
    ]
    if rows.empty or rows["arrests"].isna().all():
        return "share not available"
    all_rows = data.rates[
        (data.rates["offence_group"] == charts.ALL_OFFENCES)
        & (data.rates["nationality_group"] == "all")
    ]
    total = all_rows["arrests"].sum()
    return pct(rows["arrests"].sum() / total) if total else "share not available"


def render_report(data: ReportData, warehouse: Path, out_dir: Path) -> str:
    months = coverage.period_months(data.period, data.coverage)
    rows = coverage.force_rows(data.coverage, data.force_months, months)
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    page = environment.from_string(PAGE)
    return page.render(
        period=data.period,
        period_span=f"{months[0]:%B %Y} – {months[-1]:%B %Y}" if months else "",
        other_periods=[p for p in data.periods if p != data.period],
        published_at=data.published_at,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        forces_with_return=sum(r.has_return for r in rows),
        forces_total=FORCES_TOTAL,
        synthetic_rows=data.synthetic_rows,
        cards=[headline_card(r) for _, r in data.headlines.iterrows()],
        plotly_js=Markup(get_plotlyjs()),
        rates_chart=Markup(charts.figure_html(charts.rates_figure(data.rates), "chart-rates")),
        ratios_chart=Markup(charts.figure_html(charts.ratios_figure(data.ratios), "chart-ratios")),
        unknown_share=_national_unknown_share(data),
        tiles=coverage.tiles(rows, len(months)),
        grid_rows=GRID_ROWS,
        grid_cols=GRID_COLS,
        months=months,
        force_rows=rows,
        month_mark=month_mark,
        pct=pct,
        caveats=CAVEATS,
        docs=docs_links(warehouse.parent, out_dir),
        warehouse_name=warehouse.name,
    )
