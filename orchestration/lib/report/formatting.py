"""Figures in words: values, feasible ranges under suppression, and which kind of estimate a
value is. One place, so a card, a table and a chart's hover say the same thing the same way.

A measure that depends on suppressed cells has feasible bounds (`_lower`/`_upper`, over every
allocation of the suppressed counts) and, unless every cell behind it is suppressed, a midpoint
point estimate (`estimate_method = 'midpoint'`). With every cell suppressed there is no point
estimate: only the range is shown, never a 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

MIDPOINT = "midpoint"
DASH = "—"


def missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def pct(value: Any, digits: int = 1) -> str:
    return DASH if missing(value) else f"{float(value) * 100:.{digits}f}%"


def count(value: Any) -> str:
    return DASH if missing(value) else f"{int(value):,}"


def rate(value: Any) -> str:
    return DASH if missing(value) else f"{float(value):,.1f}"


def ratio(value: Any) -> str:
    return DASH if missing(value) else f"{float(value):.2f}×"


def person_years(value: Any) -> str:
    return DASH if missing(value) else f"{float(value):,.0f}"


def significant(value: float, digits: int = 3) -> str:
    """A small term of a worked calculation in plain decimals: 0.0000333, not 3.33e-05."""
    return np.format_float_positional(value, precision=digits, unique=False, fractional=False)


def figure(value: Any, unit: str) -> str:
    """A headline value: a share as a percentage, a ratio with ×."""
    return pct(value) if unit == "share" else ratio(value)


def value_range(lower: Any, upper: Any, fmt: Callable[[Any], str]) -> str:
    """'a–b', one figure when both bounds read the same, an open end when a bound is missing
    (a ratio has no upper bound when the British count could be 0)."""
    if missing(lower) and missing(upper):
        return DASH
    if missing(upper):
        return f"{fmt(lower)} or more"
    if missing(lower):
        return f"up to {fmt(upper)}"
    low, high = fmt(lower), fmt(upper)
    return low if low == high else f"{low}–{high}"


def share_range(lower: Any, upper: Any) -> str:
    """A range of shares with enough digits that distinct bounds do not print the same."""
    if missing(lower) or missing(upper) or float(lower) == float(upper):
        return value_range(lower, upper, pct)
    for digits in (1, 2, 3):
        low, high = pct(lower, digits), pct(upper, digits)
        if low != high:
            return f"{low}–{high}"
    return f"{low}–{high}"


def figure_range(lower: Any, upper: Any, unit: str) -> str:
    return share_range(lower, upper) if unit == "share" else value_range(lower, upper, ratio)


def count_range(value: Any, lower: Any, upper: Any) -> str:
    """An arrest count: exact when known, else its bounds under suppression."""
    if not missing(value):
        return count(value)
    return value_range(lower, upper, count)


def estimate_kind(value: Any, method: Any, lower: Any = None, upper: Any = None) -> str:
    """'exact', 'midpoint estimate', 'range only' (every cell suppressed) or 'not available'."""
    if missing(value):
        return "not available" if missing(lower) and missing(upper) else "range only"
    return "midpoint estimate" if method == MIDPOINT else "exact"


def estimate_note(value: Any, method: Any, lower: Any, upper: Any) -> str:
    """A sentence for a card: what kind of figure the big number is."""
    kind = estimate_kind(value, method, lower, upper)
    if kind == "midpoint estimate":
        return (
            "Midpoint estimate: each suppressed cell counted at the middle of its range "
            "(suppressed cells are bounds, never 0)."
        )
    if kind == "range only":
        return "No point estimate: every cell behind this figure is suppressed, so only its range is known."
    if kind == "exact":
        return "Exact: no suppressed cell stands behind this figure."
    return "Not available for this period."


def point_or_range(value: Any, lower: Any, upper: Any, fmt: Callable[[Any], str]) -> str:
    """The figure a table cell shows: the point estimate, or the range when there is none."""
    if missing(value):
        return value_range(lower, upper, fmt)
    return fmt(value)
