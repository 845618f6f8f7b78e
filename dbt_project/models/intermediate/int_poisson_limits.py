"""Exact (Garwood) 95% Poisson limits for every arrest count a published rate rests on: both
bounds of each count (a rate's interval runs from the lower limit of its least feasible count to
the upper limit of its greatest, so it covers every allocation of the suppressed cells).

SQL has no chi-square quantile function, so this one small Python model computes the limits for
the distinct counts and the SQL marts join on the count. For a count k:
    lower = chi2.ppf(0.025, 2k) / 2   (0 when k = 0)
    upper = chi2.ppf(0.975, 2k + 2) / 2
computed as the equal inverse regularised gamma, chi2.ppf(q, 2a) / 2 = gammaincinv(a, q):
scipy.special imports in a fifth of the time scipy.stats takes (chi2.ppf calls the same
function), and the counts travel as numpy/Arrow without pandas.
"""

import numpy as np
import pyarrow as pa
from scipy.special import gammaincinv

ALPHA = 0.05


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds a Python model's dependencies by reading plain `dbt.ref("name")` calls.
    by_force = dbt.ref("int_rate_inputs_by_force")
    by_area = dbt.ref("int_rate_inputs_by_area")
    counts = (
        by_force.project("arrests_lower::bigint as arrests")
        .union(by_force.project("arrests_upper::bigint as arrests"))
        .union(by_area.project("arrests_lower::bigint as arrests"))
        .union(by_area.project("arrests_upper::bigint as arrests"))
        .filter("arrests is not null")
        .distinct()
        .order("arrests")
    )
    k = counts.fetchnumpy()["arrests"].astype(np.int64)
    with np.errstate(invalid="ignore"):  # gammaincinv(0, q) is nan; the lower limit of 0 is 0
        lower = np.where(k == 0, 0.0, gammaincinv(k, ALPHA / 2))
    upper = gammaincinv(k + 1, 1 - ALPHA / 2)
    return pa.table({"arrests": k, "count_ci_lower": lower, "count_ci_upper": upper})
