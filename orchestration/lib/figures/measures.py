"""The measures of a figure from its counts, person-years and coverage, exactly as the marts
compute them (README, "Methodology"; dbt_project/macros/bounds.sql, rate_measures.sql,
intervals.sql; models/marts/nationality_rate_ratios.sql; models/intermediate/int_poisson_limits.py).
Each expression is written in the order the SQL evaluates it, so a figure for a financial year
equals the financial-year marts to the last few bits.

A count is a pair of bounds (suppressed cells at their declared range); `arrests` is exact or
null; a point estimate takes each suppressed cell at its midpoint and is null when every cell
behind it is suppressed; an interval runs from the limit at the least feasible count to the limit
at the greatest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

Z95 = 1.959963984540054
ALPHA = 0.05
PER = 100000


def poisson_limits(counts: Iterable[int]) -> dict[int, tuple[float, float]]:
    """Exact (Garwood) 95% limits of each count, as int_poisson_limits: lower = chi2(0.025; 2k)/2
    (0 at k = 0), upper = chi2(0.975; 2k + 2)/2, as the inverse regularised gamma."""
    from scipy.special import gammaincinv

    k = np.array(sorted({int(c) for c in counts}), dtype=np.int64)
    if not len(k):
        return {}
    with np.errstate(invalid="ignore"):  # gammaincinv(0, q) is nan; the lower limit of 0 is 0
        lower = np.where(k == 0, 0.0, gammaincinv(k, ALPHA / 2))
    upper = gammaincinv(k + 1, 1 - ALPHA / 2)
    return {int(c): (float(lo), float(hi)) for c, lo, hi in zip(k, lower, upper, strict=True)}


def _div(a: float | None, b: float | None) -> float | None:
    """a / b with SQL's nulls: null when either is null or b is 0 (nullif(b, 0))."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def estimate_method(suppressed: int, cells: int) -> str | None:
    """'exact' (no suppressed cell), 'midpoint' (some), null (every cell suppressed)."""
    if suppressed == 0:
        return "exact"
    if suppressed < cells:
        return "midpoint"
    return None


def midpoint(lower: int, upper: int, suppressed: int, cells: int) -> float | None:
    """The count at the middle of its bounds, where a point estimate exists."""
    if suppressed == 0 or suppressed < cells:
        return (lower + upper) / 2.0
    return None


def share_lower(g_lower: int, g_upper: int, t_lower: int, t_upper: int) -> float | None:
    return _div(float(g_lower), g_lower + t_upper - g_upper)


def share_upper(g_lower: int, g_upper: int, t_lower: int, t_upper: int) -> float | None:
    return _div(float(g_upper), g_upper + t_lower - g_lower)


def _wilson(k: float, n: float, sign: int) -> float | None:
    if not n > 0:
        return None
    p = k / n
    return (
        p
        + Z95 * Z95 / (2.0 * n)
        + sign * Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4.0 * n * n))
    ) / (1 + Z95 * Z95 / n)


def wilson_lower(k: float, n: float) -> float | None:
    """Wilson score 95% lower limit of k / n (intervals.sql)."""
    return _wilson(k, n, -1)


def wilson_upper(k: float, n: float) -> float | None:
    return _wilson(k, n, +1)


def rate_measures(
    row: Mapping[str, Any], total: Mapping[str, Any], unknown: Mapping[str, Any], limits: dict
) -> dict[str, Any]:
    """Rate, bounds and exact interval, share with bounds and Wilson interval, and the
    unknown-nationality share, of one nationality group's row within its area's totals."""
    lo, hi, s, c, py = (
        row["arrests_lower"],
        row["arrests_upper"],
        row["suppressed_cells"],
        row["cells"],
        row["person_years"],
    )
    t_lo, t_hi = total["arrests_lower"], total["arrests_upper"]
    u_lo, u_hi = unknown["arrests_lower"], unknown["arrests_upper"]
    mid = midpoint(lo, hi, s, c)
    total_mid = (t_lo + t_hi) / 2.0
    unknown_mid = midpoint(u_lo, u_hi, unknown["suppressed_cells"], unknown["cells"])
    return {
        "arrests": lo if s == 0 else None,
        "estimate_method": estimate_method(s, c),
        "rate_per_100k": _div(None if mid is None else mid * PER, py),
        "rate_per_100k_lower": _div(float(lo) * PER, py),
        "rate_per_100k_upper": _div(float(hi) * PER, py),
        "rate_ci_lower": _div(limits[lo][0] * PER, py),
        "rate_ci_upper": _div(limits[hi][1] * PER, py),
        "share": _div(mid, total_mid),
        "share_lower": share_lower(lo, hi, t_lo, t_hi),
        "share_upper": share_upper(lo, hi, t_lo, t_hi),
        "share_ci_lower": wilson_lower(lo, lo + t_hi - hi),
        "share_ci_upper": wilson_upper(hi, hi + t_lo - lo),
        "unknown_nationality_share": _div(unknown_mid, total_mid),
        "unknown_nationality_share_lower": share_lower(u_lo, u_hi, t_lo, t_hi),
        "unknown_nationality_share_upper": share_upper(u_lo, u_hi, t_lo, t_hi),
    }


def ratio_measures(
    non_british: Mapping[str, Any], british: Mapping[str, Any], unknown: Mapping[str, Any]
) -> dict[str, Any]:
    """The non-British vs British rate ratio of one area, as nationality_rate_ratios: bounds,
    bounds with unknown nationality allocated to either group, and the log-method 95% interval
    with the APS sampling error by the delta method, at the least feasible counts."""
    a_lo, a_hi, a_s, a_c = (non_british[k] for k in _COUNT_KEYS)
    b_lo, b_hi, b_s, b_c = (british[k] for k in _COUNT_KEYS)
    u_hi = unknown["arrests_upper"]
    pa, pb = non_british["person_years"], british["person_years"]
    a_mid, b_mid = midpoint(a_lo, a_hi, a_s, a_c), midpoint(b_lo, b_hi, b_s, b_c)
    a_rate = _div(None if a_mid is None else a_mid * PER, pa)
    b_rate = _div(None if b_mid is None else b_mid * PER, pb)
    rel_var = None
    if pa is not None and pb is not None:
        rel_var = ((non_british["person_years_se"] or 0) / pa) ** 2 + (
            (british["person_years_se"] or 0) / pb
        ) ** 2
    least = _div(_div(float(a_lo), pa), _div(float(b_hi), pb))
    greatest = _div(_div(float(a_hi), pa), _div(float(b_lo), pb))
    if a_rate is None or not b_rate:
        method = None
    elif a_s == 0 and b_s == 0:
        method = "exact"
    else:
        method = "midpoint"
    ci_lower = ci_upper = None
    if a_lo == 0 and b_hi > 0 and pa is not None and pb is not None:
        ci_lower = 0.0
    elif a_lo > 0 and b_lo > 0 and least is not None and rel_var is not None:
        se = math.sqrt(1.0 / a_lo + 1.0 / b_lo + rel_var)
        ci_lower = math.exp(math.log(least) - Z95 * se)
        if greatest is not None:
            ci_upper = math.exp(math.log(greatest) + Z95 * se)
    return {
        "rate_ratio": _div(_div(a_mid, pa), _div(b_mid, pb)),
        "rate_ratio_lower": least,
        "rate_ratio_upper": greatest,
        "rate_ratio_lower_incl_unknown": _div(_div(float(a_lo), pa), _div(float(b_hi + u_hi), pb)),
        "rate_ratio_upper_incl_unknown": _div(_div(float(a_hi + u_hi), pa), _div(float(b_lo), pb)),
        "rate_ratio_ci_lower": ci_lower,
        "rate_ratio_ci_upper": ci_upper,
        "rate_ratio_estimate_method": method,
        "population_relative_se": None if rel_var is None else math.sqrt(rel_var),
    }


_COUNT_KEYS = ("arrests_lower", "arrests_upper", "suppressed_cells", "cells")
