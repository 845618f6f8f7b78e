"""Plotly figures for the report. Labels are HTML-escaped before they reach plotly, whose text
renderer interprets a few tags and decodes entities: a force or region name shows as written and
cannot inject markup."""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

ALL_OFFENCES = "All offences"
NATIONALITY_GROUPS = {  # group -> (legend label, colour); unknown has no denominator, so no rate
    "all": ("All residents", "#8c8c8c"),
    "british": ("British", "#2b6ca3"),
    "non_british": ("Non-British", "#d95f02"),
}
RATIO_TICKS = (0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10, 20, 50)
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
TEMPLATE = "plotly_white"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _e(value: object) -> str:
    return html.escape("" if pd.isna(value) else str(value))


def offence_order(groups: pd.Series) -> list[str]:
    """'All offences' first, then the Home Office groups alphabetically."""
    names = sorted(set(groups.dropna()))
    return ([ALL_OFFENCES] if ALL_OFFENCES in names else []) + [
        n for n in names if n != ALL_OFFENCES
    ]


def _errors(values: pd.Series, lower: pd.Series, upper: pd.Series) -> dict:
    """Asymmetric error bars from interval bounds; a missing bound draws no bar on that side."""
    return {
        "type": "data",
        "symmetric": False,
        "array": (upper - values).clip(lower=0).fillna(0).tolist(),
        "arrayminus": (values - lower).clip(lower=0).fillna(0).tolist(),
        "thickness": 1.2,
        "width": 3,
    }


def _region_labels(rates: pd.DataFrame) -> dict[str, str]:
    """Region name, with its forces reporting when not all of them did."""
    labels = {}
    for region, rows in rates.groupby("region", sort=True):
        reporting, total = rows["forces_reporting"].max(), rows["forces_in_region"].max()
        label = _e(region)
        if pd.notna(reporting) and pd.notna(total) and reporting < total:
            label += f" ({int(reporting)} of {int(total)} forces)"
        labels[region] = label
    return labels


def rates_figure(rates: pd.DataFrame) -> go.Figure:
    """Rate per 100,000 residents by region, one bar per nationality group, with 95% intervals;
    a dropdown picks the offence group (all offences first)."""
    labels = _region_labels(rates)
    offences = offence_order(rates["offence_group"])
    fig = go.Figure()
    visibility: list[str] = []
    for offence in offences:
        for group, (name, colour) in NATIONALITY_GROUPS.items():
            rows = rates[
                (rates["offence_group"] == offence) & (rates["nationality_group"] == group)
            ]
            rows = rows.sort_values("region")
            custom = rows[
                [
                    "arrests",
                    "arrests_lower",
                    "arrests_upper",
                    "population",
                    "rate_ci_lower",
                    "rate_ci_upper",
                    "months_covered",
                    "suppressed_cells",
                ]
            ].astype("float64")
            fig.add_bar(
                name=name,
                legendgroup=group,
                showlegend=offence == offences[0],
                orientation="h",
                x=rows["rate_per_100k"].astype("float64"),
                y=[labels[r] for r in rows["region"]],
                marker_color=colour,
                error_x=_errors(
                    rows["rate_per_100k"].astype("float64"),
                    rows["rate_ci_lower"].astype("float64"),
                    rows["rate_ci_upper"].astype("float64"),
                ),
                customdata=custom.to_numpy(),
                hovertemplate=(
                    f"<b>%{{y}}</b> · {name} · {_e(offence)}<br>"
                    "Rate %{x:,.1f} per 100,000 (95% CI %{customdata[4]:,.1f}–%{customdata[5]:,.1f})<br>"
                    "Arrests %{customdata[0]:,.0f} (with suppressed cells: %{customdata[1]:,.0f}–%{customdata[2]:,.0f})<br>"
                    "Population %{customdata[3]:,.0f} · %{customdata[6]} months<extra></extra>"
                ),
                visible=offence == offences[0],
            )
            visibility.append(offence)
    buttons = [
        {
            "label": _e(offence),
            "method": "update",
            "args": [{"visible": [v == offence for v in visibility]}],
        }
        for offence in offences
    ]
    fig.update_layout(
        template=TEMPLATE,
        font=FONT,
        barmode="group",
        bargap=0.25,
        height=max(360, 150 + 26 * 3 * len(labels)),
        margin={"l": 10, "r": 20, "t": 70, "b": 50},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        xaxis={
            "title": "Arrests per 100,000 residents (months covered, not annualised)",
            "rangemode": "tozero",
            "gridcolor": "#e6e6e6",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        updatemenus=[
            {
                "buttons": buttons,
                "direction": "down",
                "x": 0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
                "showactive": True,
                "bgcolor": "#ffffff",
                "bordercolor": "#999999",
            }
        ],
    )
    return fig


def _ratio_trace(rows: pd.DataFrame, labels: list[str], colour: str) -> go.Scatter:
    ratio = rows["rate_ratio"].astype("float64")
    custom = rows[
        [
            "rate_ratio_ci_lower",
            "rate_ratio_ci_upper",
            "non_british_rate_per_100k",
            "british_rate_per_100k",
            "non_british_arrests",
            "british_arrests",
        ]
    ].astype("float64")
    return go.Scatter(
        x=ratio,
        y=labels,
        mode="markers",
        marker={"color": colour, "size": 9, "symbol": "diamond"},
        error_x=_errors(
            ratio,
            rows["rate_ratio_ci_lower"].astype("float64"),
            rows["rate_ratio_ci_upper"].astype("float64"),
        ),
        customdata=custom.to_numpy(),
        showlegend=False,
        hovertemplate=(
            "<b>%{y}</b><br>Rate ratio %{x:.2f} (95% CI %{customdata[0]:.2f}–%{customdata[1]:.2f})<br>"
            "Non-British %{customdata[2]:,.1f} per 100,000 (%{customdata[4]:,.0f} arrests)<br>"
            "British %{customdata[3]:,.1f} per 100,000 (%{customdata[5]:,.0f} arrests)<extra></extra>"
        ),
    )


def _log_range(rows: pd.DataFrame) -> list[float]:
    """log10 axis range spanning the intervals and the reference line at 1, with a margin."""
    values = pd.concat(
        [
            rows[c].astype("float64")
            for c in ("rate_ratio", "rate_ratio_ci_lower", "rate_ratio_ci_upper")
        ]
    )
    values = values[values > 0].dropna()
    low, high = min([1.0, *values]), max([1.0, *values])
    return [math.log10(low) - 0.08, math.log10(high) + 0.08]


def ratios_figure(ratios: pd.DataFrame) -> go.Figure:
    """Non-British ÷ British rate ratio with 95% intervals on a log axis (1 = same rate): by
    offence group nationally, and by region for all offences."""
    drawable = ratios[ratios["rate_ratio"].astype("float64") > 0]
    national = drawable[drawable["geography_level"] == "national"]
    national = national.set_index("offence_group").loc[offence_order(national["offence_group"])]
    national = national.reset_index()
    regional = drawable[
        (drawable["offence_group"] == ALL_OFFENCES) & (drawable["geography_level"] == "region")
    ].sort_values("geography_name")
    overall = drawable[
        (drawable["offence_group"] == ALL_OFFENCES) & (drawable["geography_level"] == "national")
    ]
    by_region = pd.concat([overall, regional])
    counts = [max(len(national), 1), max(len(by_region), 1)]
    # Stacked on one shared log axis, each row the same height, so panels compare directly.
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=90 / (170 + 28 * sum(counts)),
        row_heights=counts,
        subplot_titles=("England and Wales, by offence group", "By region, all offences"),
    )
    fig.add_trace(
        _ratio_trace(national, [_e(o) for o in national["offence_group"]], "#d95f02"), row=1, col=1
    )
    fig.add_trace(
        _ratio_trace(
            by_region,
            [
                f"<b>{_e(name)}</b>" if level == "national" else _e(name)
                for level, name in zip(
                    by_region["geography_level"], by_region["geography_name"], strict=True
                )
            ],
            "#7b3294",
        ),
        row=2,
        col=1,
    )
    for row in (1, 2):
        fig.add_vline(x=1, line_dash="dash", line_color="#555555", line_width=1, row=row, col=1)
        fig.update_yaxes(autorange="reversed", automargin=True, row=row, col=1)
    low, high = _log_range(pd.concat([national, by_region]))
    ticks = [t for t in RATIO_TICKS if low <= math.log10(t) <= high]
    fig.update_xaxes(
        type="log",
        range=[low, high],
        tickvals=ticks,
        ticktext=[f"{t:g}" for t in ticks],
        gridcolor="#e6e6e6",
        showticklabels=True,
    )
    fig.update_xaxes(title_text="Rate ratio, non-British ÷ British (log scale)", row=2, col=1)
    fig.update_layout(
        template=TEMPLATE,
        font=FONT,
        height=170 + 28 * sum(counts),
        margin={"l": 10, "r": 20, "t": 40, "b": 50},
    )
    return fig


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A chart's div and script; plotly.js itself is embedded once per page by the template."""
    return pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG
    )
