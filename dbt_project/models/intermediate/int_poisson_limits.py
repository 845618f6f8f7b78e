"""Exact (Garwood) 95% Poisson limits for every arrest count a published rate rests on.

SQL has no chi-square quantile function, so this one small Python model computes the limits for
the distinct counts and the SQL marts join on the count. For a count k:
    lower = chi2.ppf(0.025, 2k) / 2   (0 when k = 0)
    upper = chi2.ppf(0.975, 2k + 2) / 2
"""

import pandas as pd
from scipy.stats import chi2

ALPHA = 0.05


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds a Python model's dependencies by reading plain `dbt.ref("name")` calls.
    by_force = dbt.ref("int_rate_inputs_by_force")
    by_area = dbt.ref("int_rate_inputs_by_area")
    counts = pd.concat([by_force.project("arrests").df(), by_area.project("arrests").df()])["arrests"]
    counts = counts.dropna().drop_duplicates().astype("int64").sort_values()
    k = counts.to_numpy()
    lower = chi2.ppf(ALPHA / 2, 2 * k) / 2
    lower[k == 0] = 0.0
    upper = chi2.ppf(1 - ALPHA / 2, 2 * k + 2) / 2
    return pd.DataFrame({"arrests": k, "count_ci_lower": lower, "count_ci_upper": upper})
