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

from orchestration.lib.report import charts, coverage, methodology
from orchestration.lib.report import formatting as fmt
from orchestration.lib.report.claims import CANNOT, Claim
from orchestration.lib.report.queries import Z95, ReportData
from orchestration.lib.report.template import PAGE
from orchestration.lib.report.tiles import FORCES_TOTAL, GRID_COLS, GRID_ROWS

DOCS = (
    ("dbt documentation: models, columns and tests", Path("docs/dbt/index.html")),
    ("Great Expectations Data Docs: validation results", Path("docs/gx/index.html")),
)


@dataclass(frozen=True)
class HeadlineCard:
    figure_id: str
    description: str
    value: str  # the point estimate, or the range when there is none
    estimate: str  # "exact", "midpoint estimate", "range only" or "not available"
    estimate_note: str
    bounds: str  # feasible range under suppression
    bounds_incl_unknown: str  # the same with unknown-nationality arrests in either group
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


@dataclass(frozen=True)
class TableRow:
    """One row of the rates or ratios table, every figure already in words."""

    area: str
    group: str
    value: str
    estimate: str
    bounds: str
    bounds_incl_unknown: str
    interval: str
    counts: str
    person_years: str
    months: str
    synthetic: bool


def headline_card(row: pd.Series) -> HeadlineCard:
    unit = str(row["unit"])
    value, lower, upper = row["value"], row["value_lower"], row["value_upper"]
    has_interval = not fmt.missing(row["ci_lower"]) and not fmt.missing(row["ci_upper"])
    suppressed = 0 if fmt.missing(row["suppressed_cells"]) else int(row["suppressed_cells"])
    numerator = fmt.value_range(row["numerator_lower"], row["numerator_upper"], fmt.count)
    denominator = fmt.value_range(row["denominator_lower"], row["denominator_upper"], fmt.count)
    return HeadlineCard(
        figure_id=str(row["figure_id"]),
        description=str(row["description"]),
        value=(
            fmt.figure(value, unit)
            if not fmt.missing(value)
            else fmt.figure_range(lower, upper, unit)
        ),
        estimate=fmt.estimate_kind(value, row["estimate_method"], lower, upper),
        estimate_note=fmt.estimate_note(value, row["estimate_method"], lower, upper),
        bounds=fmt.figure_range(lower, upper, unit),
        bounds_incl_unknown=fmt.figure_range(
            row["value_lower_incl_unknown"], row["value_upper_incl_unknown"], unit
        ),
        interval=(
            f"95% interval {fmt.figure(row['ci_lower'], unit)} to {fmt.figure(row['ci_upper'], unit)}"
            if has_interval
            else "No interval available"
        ),
        counts=(
            f"{numerator} non-British of {denominator} arrests"
            if unit == "share"
            else f"{numerator} non-British, {denominator} British arrests"
        ),
        forces=f"{fmt.count(row['forces_reporting'])} of {fmt.count(row['forces_total'])} forces reporting",
        population=f"{fmt.pct(row['population_coverage'], 0)} of the population covered",
        months=(
            fmt.DASH
            if fmt.missing(row["months_covered_min"])
            else f"at least {int(row['months_covered_min'])} months from each reporting force"
        ),
        suppressed=(
            f"{suppressed:,} suppressed cells, carried as bounds" if suppressed else "none"
        ),
        unknown=f"{fmt.pct(row['unknown_nationality_share'])} of arrests",
        caveat="" if fmt.missing(row["caveat"]) else str(row["caveat"]),
        partial=not bool(row["is_complete"]) if not fmt.missing(row["is_complete"]) else True,
        synthetic=row["data_origin"] == "synthetic",
    )


def _months(low: Any, high: Any) -> str:
    return fmt.value_range(low, high, fmt.count)


def rate_rows(rates: pd.DataFrame) -> list[TableRow]:
    """All offences, each region and nationality group with a population: rate and bounds."""
    rows = rates[
        (rates["offence_group"] == charts.ALL_OFFENCES)
        & rates["nationality_group"].isin(list(charts.NATIONALITY_GROUPS))
    ]
    order = {group: i for i, group in enumerate(charts.NATIONALITY_GROUPS)}
    rows = rows.assign(_order=rows["nationality_group"].map(order)).sort_values(
        ["region", "_order"]
    )
    result = []
    for _, r in rows.iterrows():
        value, lower, upper = r["rate_per_100k"], r["rate_per_100k_lower"], r["rate_per_100k_upper"]
        result.append(
            TableRow(
                area=str(r["region"]),
                group=charts.NATIONALITY_GROUPS[r["nationality_group"]][0],
                value=fmt.point_or_range(value, lower, upper, fmt.rate),
                estimate=fmt.estimate_kind(value, r["estimate_method"], lower, upper),
                bounds=fmt.value_range(lower, upper, fmt.rate),
                bounds_incl_unknown="",
                interval=fmt.value_range(r["rate_ci_lower"], r["rate_ci_upper"], fmt.rate),
                counts=fmt.count_range(r["arrests"], r["arrests_lower"], r["arrests_upper"]),
                person_years=fmt.person_years(r["person_years"]),
                months=_months(r["months_covered"], r["months_covered_max"]),
                synthetic=r["data_origin"] == "synthetic",
            )
        )
    return result


def ratio_rows(ratios: pd.DataFrame) -> list[TableRow]:
    """England and Wales by offence group, then each region for all offences."""
    national = ratios[ratios["geography_level"] == "national"]
    national = national.set_index("offence_group").loc[
        charts.offence_order(national["offence_group"])
    ]
    regional = ratios[
        (ratios["geography_level"] == "region") & (ratios["offence_group"] == charts.ALL_OFFENCES)
    ].sort_values("geography_name")
    result = []
    for _, r in pd.concat([national.reset_index(), regional]).iterrows():
        value, lower, upper = r["rate_ratio"], r["rate_ratio_lower"], r["rate_ratio_upper"]
        non_british = fmt.count_range(
            r["non_british_arrests"], r["non_british_arrests_lower"], r["non_british_arrests_upper"]
        )
        british = fmt.count_range(
            r["british_arrests"], r["british_arrests_lower"], r["british_arrests_upper"]
        )
        result.append(
            TableRow(
                area=str(r["geography_name"]),
                group=str(r["offence_group"]),
                value=fmt.point_or_range(value, lower, upper, fmt.ratio),
                estimate=fmt.estimate_kind(value, r["estimate_method"], lower, upper),
                bounds=fmt.value_range(lower, upper, fmt.ratio),
                bounds_incl_unknown=fmt.value_range(
                    r["rate_ratio_lower_incl_unknown"],
                    r["rate_ratio_upper_incl_unknown"],
                    fmt.ratio,
                ),
                interval=fmt.value_range(
                    r["rate_ratio_ci_lower"], r["rate_ratio_ci_upper"], fmt.ratio
                ),
                counts=f"{non_british} / {british}",
                person_years=(
                    f"{fmt.person_years(r['non_british_person_years'])} / "
                    f"{fmt.person_years(r['british_person_years'])}"
                ),
                months=fmt.count(r["months_covered"]),
                synthetic=r["data_origin"] == "synthetic",
            )
        )
    return result


def docs_links(warehouse_dir: Path, out_dir: Path) -> list[tuple[str, str]]:
    """Relative links to the docs sites that exist beside the warehouse, so the folder can move."""
    return [
        (label, Path(os.path.relpath(warehouse_dir / path, out_dir)).as_posix())
        for label, path in DOCS
        if (warehouse_dir / path).is_file()
    ]


def _national_unknown_share(data: ReportData) -> str:
    row = methodology.national_all_offences(data.ratios)
    share = None if row is None else row["unknown_nationality_share"]
    return "share not available" if fmt.missing(share) else fmt.pct(share)


def render_report(
    data: ReportData,
    warehouse: Path,
    out_dir: Path,
    claims: list[Claim] | None = None,
    figures: Path | None = None,
) -> str:
    """The page; with `claims` (answered from the figure list `figures`), a section of them."""
    months = coverage.period_months(data.period, data.force_months)
    rows = coverage.force_rows(data.coverage, data.force_months, months)
    example = methodology.worked_example(data.ratios, data.aps_terms)
    verdict = example.verdict if example else methodology.UNCHECKED
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    environment.filters["sig"] = fmt.significant
    page = environment.from_string(PAGE)
    return page.render(
        period=data.period,
        period_span=f"{months[0]:%B %Y} – {months[-1]:%B %Y}" if months else "",
        other_periods=[p for p in data.periods if p != data.period],
        published_at=data.published_at,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        forces_with_return=sum(r.has_return for r in rows),
        forces_quarantined=sum(r.status == coverage.QUARANTINED for r in rows),
        forces_total=FORCES_TOTAL,
        synthetic_rows=data.synthetic_rows,
        cards=[headline_card(r) for _, r in data.headlines.iterrows()],
        plotly_js=Markup(get_plotlyjs()),
        rates_chart=Markup(charts.figure_html(charts.rates_figure(data.rates), "chart-rates")),
        ratios_chart=Markup(charts.figure_html(charts.ratios_figure(data.ratios), "chart-ratios")),
        rate_rows=rate_rows(data.rates),
        ratio_rows=ratio_rows(data.ratios),
        unknown_share=_national_unknown_share(data),
        tiles=coverage.tiles(rows, len(months)),
        grid_rows=GRID_ROWS,
        grid_cols=GRID_COLS,
        months=months,
        force_rows=rows,
        pct=fmt.pct,
        example=example,
        verdict=verdict,
        z95=Z95,
        caveats=methodology.caveats(verdict),
        docs=docs_links(warehouse.parent, out_dir),
        warehouse_name=warehouse.name,
        claims=claims,
        figures_name=None if figures is None else Path(figures).name,
        cannot=CANNOT,
    )
