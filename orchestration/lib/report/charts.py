"""Plotly figures for the report. Labels are HTML-escaped before they reach plotly, whose text
renderer interprets a few tags and decodes entities: a force or region name shows as written and
cannot inject markup."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from orchestration.lib.report import formatting as fmt

ALL_OFFENCES = "All offences"
NATIONALITY_GROUPS = {  # group -> (legend label, colour); unknown has no denominator, so no rate
    "all": ("All residents", "#8c8c8c"),
    "british": ("British", "#2b6ca3"),
    "non_british": ("Non-British", "#d95f02"),
}
RATIO_TICKS = (0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10, 20, 50)
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
AXIS = {
    "automargin": True,
    "gridcolor": "#EBF0F8",
    "linecolor": "#EBF0F8",
    "ticks": "",
    "title": {"standoff": 15},
    "zerolinecolor": "#EBF0F8",
    "zerolinewidth": 2,
}


def _template(**data: list) -> go.layout.Template:
    """What the charts use of plotly_white. The whole template (polar, ternary, geo, colour scales)
    is 7 kB written into every figure; trace defaults given here (a hovertemplate shared by every
    bar) are written once instead of once per trace."""
    return go.layout.Template(
        layout={
            "font": {"color": "#2a3f5f"},
            "hoverlabel": {"align": "left"},
            "hovermode": "closest",
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "xaxis": AXIS,
            "yaxis": AXIS,
            "shapedefaults": {"line": {"color": "#2a3f5f"}},
            "annotationdefaults": {"arrowcolor": "#2a3f5f", "arrowhead": 0, "arrowwidth": 1},
        },
        data=data,
    )


FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def _e(value: object) -> str:
    return html.escape("" if pd.isna(value) else str(value))


def offence_order(groups: pd.Series) -> list[str]:
    """'All offences' first, then the Home Office groups alphabetically."""
    names = sorted(set(groups.dropna()))
    return ([ALL_OFFENCES] if ALL_OFFENCES in names else []) + [
        n for n in names if n != ALL_OFFENCES
    ]


def _f4(values: pd.Series) -> np.ndarray:
    """Plotted numbers as float32: plotly writes them as compact typed arrays, and 7 digits are
    more than any hover shows."""
    return values.astype("float64").to_numpy(dtype="float32")


def _errors(values: pd.Series, lower: pd.Series, upper: pd.Series) -> dict:
    """Asymmetric error bars from interval bounds; a missing bound draws no bar on that side."""
    return {
        "type": "data",
        "symmetric": False,
        "array": _f4((upper - values).clip(lower=0).fillna(0)),
        "arrayminus": _f4((values - lower).clip(lower=0).fillna(0)),
        "thickness": 1.2,
        "width": 3,
    }


def _rate_hover(row: pd.Series) -> str:
    """The words of a rate's hover that differ in kind from bar to bar (the numbers that do not
    are customdata, which plotly writes compactly): the kind of estimate and the arrests."""
    kind = fmt.estimate_kind(row["rate_per_100k"], row["estimate_method"]).replace(" estimate", "")
    arrests = fmt.count_range(row["arrests"], row["arrests_lower"], row["arrests_upper"])
    return f"{kind}; {arrests} arrests"


# The trace name (nationality group) shows beside the box; the offence group is the menu's.
RATE_HOVER_TAIL = (
    "Range under suppression %{customdata[4]:,.1f}–%{customdata[5]:,.1f}<br>"
    "95% interval %{customdata[0]:,.1f}–%{customdata[1]:,.1f}<br>"
    "%{customdata[2]:,.0f} person-years · %{customdata[3]} months"
)
RATE_HOVER = (
    "<b>%{y}</b><br>Rate %{x:,.1f} per 100,000 person-years, %{hovertext}<br>" + RATE_HOVER_TAIL
)
RATE_CUSTOMDATA = (
    "rate_ci_lower",
    "rate_ci_upper",
    "person_years",
    "months_covered",
    "rate_per_100k_lower",
    "rate_per_100k_upper",
)


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
    """Rate per 100,000 person-years by region, one bar per nationality group, with 95% intervals;
    a dropdown picks the offence group (all offences first). A rate with no point estimate (every
    cell behind it suppressed) is drawn as a hatched bar spanning its feasible range, never as 0."""
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
            point = rows["rate_per_100k"].astype("float64")
            hover = [_rate_hover(r) for _, r in rows.iterrows()]
            y = [labels[r] for r in rows["region"]]
            custom = np.column_stack([_f4(rows[c]) for c in RATE_CUSTOMDATA])
            fig.add_bar(
                name=name,
                legendgroup=group,
                offsetgroup=group,
                orientation="h",
                marker_color=colour,
                visible=offence == offences[0],
                showlegend=offence == offences[0],
                y=y,
                x=_f4(point),
                hovertext=hover,
                customdata=custom,
                error_x=_errors(
                    point,
                    rows["rate_ci_lower"].astype("float64"),
                    rows["rate_ci_upper"].astype("float64"),
                ),
            )
            visibility.append(offence)
            # Range only: no point estimate, so the bar floats from the lower to the upper bound.
            lower = rows["rate_per_100k_lower"].astype("float64")
            upper = rows["rate_per_100k_upper"].astype("float64")
            only = (point.isna() & lower.notna() & upper.notna()).to_numpy()
            if not only.any():
                continue
            fig.add_bar(
                name=name,
                legendgroup=group,
                offsetgroup=group,
                orientation="h",
                marker_color=colour,
                visible=offence == offences[0],
                showlegend=False,
                y=[label for label, keep in zip(y, only, strict=True) if keep],
                base=_f4(lower[only]),
                x=_f4(upper[only] - lower[only]),
                marker_opacity=0.45,
                marker_pattern_shape="x",
                hovertext=[h for h, keep in zip(hover, only, strict=True) if keep],
                customdata=custom[only],
                hovertemplate=(
                    "<b>%{y}</b><br>No point estimate: every cell behind it is suppressed "
                    "(%{hovertext})<br>" + RATE_HOVER_TAIL
                ),
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
        template=_template(
            bar=[
                go.Bar(
                    hovertemplate=RATE_HOVER,
                    error_x={"color": "#2a3f5f"},
                    marker={"line": {"color": "white", "width": 0.5}},
                )
            ]
        ),
        font=FONT,
        barmode="group",
        bargap=0.25,
        height=max(360, 150 + 26 * 3 * len(labels)),
        margin={"l": 10, "r": 20, "t": 70, "b": 50},
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"},
        xaxis={
            "title": "Arrests per 100,000 person-years (population × months covered ÷ 12)",
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


RATIO_COLUMNS = ("rate_ratio", "rate_ratio_lower", "rate_ratio_upper")
RATIO_INTERVAL = ("rate_ratio_ci_lower", "rate_ratio_ci_upper")


def _ratio_hover(row: pd.Series) -> str:
    value, lower, upper = (row[c] for c in RATIO_COLUMNS)
    low, high = RATIO_INTERVAL
    kind = fmt.estimate_kind(value, row["estimate_method"], lower, upper)
    if fmt.missing(value):
        head = "No point estimate: every cell behind it is suppressed"
    else:
        head = f"Rate ratio {fmt.ratio(value)} ({kind})"
    non_british = fmt.count_range(
        row["non_british_arrests"],
        row["non_british_arrests_lower"],
        row["non_british_arrests_upper"],
    )
    british = fmt.count_range(
        row["british_arrests"], row["british_arrests_lower"], row["british_arrests_upper"]
    )
    incl_unknown = fmt.value_range(
        row["rate_ratio_lower_incl_unknown"], row["rate_ratio_upper_incl_unknown"], fmt.ratio
    )
    return (
        f"{head}<br>Range under suppression {fmt.value_range(lower, upper, fmt.ratio)}"
        f"<br>Range with unknown nationality in either group {incl_unknown}"
        f"<br>95% interval {fmt.value_range(row[low], row[high], fmt.ratio)}"
        f"<br>Non-British: {non_british} arrests, "
        f"{fmt.person_years(row['non_british_person_years'])} person-years"
        f"<br>British: {british} arrests, "
        f"{fmt.person_years(row['british_person_years'])} person-years"
    )


def _ratio_traces(
    rows: pd.DataFrame, labels: list[str], colour: str, high: float, legend: bool
) -> list[go.Scatter]:
    """A panel: the feasible range as a thick line (to the axis end when it has no upper bound),
    the point estimate as a diamond, filled when exact and open when a midpoint, with its 95%
    interval. A row with no point estimate shows its range alone."""
    hover = [_ratio_hover(r) for _, r in rows.iterrows()]
    # Two range lines: under a point estimate (its marker carries the hover), and alone.
    lines: dict[bool, tuple[list[float | None], list[str | None], list[str]]] = {
        True: ([], [], []),
        False: ([], [], []),
    }
    for (_, row), label, tip in zip(rows.iterrows(), labels, hover, strict=True):
        lower, upper = row["rate_ratio_lower"], row["rate_ratio_upper"]
        if fmt.missing(lower) or float(lower) <= 0:
            continue
        x, y, text = lines[fmt.missing(row["rate_ratio"])]
        x += [float(lower), 10**high if fmt.missing(upper) else float(upper), None]
        y += [label, label, None]
        text += [tip, tip, ""]
    traces = [
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            line={"color": colour, "width": 7},
            opacity=0.3,
            name="Feasible range under suppression",
            legendgroup="range",
            showlegend=legend and alone is False,
            **(
                {"hovertext": text, "hovertemplate": "<b>%{y}</b><br>%{hovertext}<extra></extra>"}
                if alone
                else {"hoverinfo": "skip"}
            ),
        )
        for alone, (x, y, text) in lines.items()
        if x or not alone
    ]
    midpoint = rows["estimate_method"] == fmt.MIDPOINT
    ratio = rows["rate_ratio"].astype("float64")
    for name, keep, symbol in (
        ("Point estimate (exact)", ~midpoint, "diamond"),
        ("Midpoint estimate", midpoint, "diamond-open"),
    ):
        keep = keep & (ratio > 0)
        if not keep.any():
            continue
        kept = rows[keep.to_numpy()]
        traces.append(
            go.Scatter(
                x=_f4(kept["rate_ratio"]),
                y=[label for label, k in zip(labels, keep, strict=True) if k],
                mode="markers",
                marker={"color": colour, "size": 9, "symbol": symbol, "line": {"width": 2}},
                error_x=_errors(
                    kept["rate_ratio"].astype("float64"),
                    kept["rate_ratio_ci_lower"].astype("float64"),
                    kept["rate_ratio_ci_upper"].astype("float64"),
                ),
                name=name,
                legendgroup=name,
                showlegend=legend,
                hovertext=[h for h, k in zip(hover, keep, strict=True) if k],
                hovertemplate="<b>%{y}</b><br>%{hovertext}<extra></extra>",
            )
        )
    return traces


def _log_range(rows: pd.DataFrame) -> list[float]:
    """log10 axis range spanning the estimates, bounds, intervals and the reference line at 1."""
    values = pd.concat([rows[c].astype("float64") for c in (*RATIO_COLUMNS, *RATIO_INTERVAL)])
    values = values[values > 0].dropna()
    low, high = min([1.0, *values]), max([1.0, *values])
    return [math.log10(low) - 0.08, math.log10(high) + 0.08]


def _drawable(ratios: pd.DataFrame) -> pd.DataFrame:
    """Rows a log axis can show: a positive estimate, or a positive lower bound (range only)."""
    return ratios[
        (ratios["rate_ratio"].astype("float64") > 0)
        | (ratios["rate_ratio_lower"].astype("float64") > 0)
    ]


def ratios_figure(ratios: pd.DataFrame) -> go.Figure:
    """Non-British ÷ British rate ratio with its feasible range and 95% interval on a log axis
    (1 = same rate): by offence group nationally, and by region for all offences."""
    drawable = _drawable(ratios)
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
    low, high = _log_range(pd.concat([national, by_region]))
    # Stacked on one shared log axis, each row the same height, so panels compare directly.
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=90 / (170 + 28 * sum(counts)),
        row_heights=counts,
        subplot_titles=("England and Wales, by offence group", "By region, all offences"),
    )
    panels = (
        (national, [_e(o) for o in national["offence_group"]], "#d95f02"),
        (
            by_region,
            [
                f"<b>{_e(name)}</b>" if level == "national" else _e(name)
                for level, name in zip(
                    by_region["geography_level"], by_region["geography_name"], strict=True
                )
            ],
            "#7b3294",
        ),
    )
    for row, (rows, labels, colour) in enumerate(panels, start=1):
        for trace in _ratio_traces(rows, labels, colour, high, legend=row == 1):
            fig.add_trace(trace, row=row, col=1)
        fig.add_vline(x=1, line_dash="dash", line_color="#555555", line_width=1, row=row, col=1)
        fig.update_yaxes(autorange="reversed", automargin=True, row=row, col=1)
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
        template=_template(),
        font=FONT,
        height=200 + 28 * sum(counts),
        margin={"l": 10, "r": 20, "t": 70, "b": 50},
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "yref": "container",
        },
    )
    return fig


def figure_html(fig: go.Figure, div_id: str) -> str:
    """A chart's div and script; plotly.js itself is embedded once per page by the template."""
    return pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG
    )
