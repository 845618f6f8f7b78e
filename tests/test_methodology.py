"""Mart figures recomputed independently: counts straight from the landing files (csv / openpyxl),
denominators from the population seed, intervals with scipy or by hand; compared to 1e-9."""

from __future__ import annotations

import csv
import importlib.util
import math
from collections import Counter
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from scipy.stats import chi2

from tests.conftest import REPO, SAMPLE_LANDING

SEEDS = REPO / "dbt_project" / "seeds"
Z = 1.959963984540054
REL = 1e-9


def _nationality_groups() -> dict[str, str]:
    with (SEEDS / "lookups" / "nationality_lookup.csv").open() as fh:
        return {r["nationality_raw"]: r["nationality_group"] for r in csv.DictReader(fh)}


def _population(group: str) -> dict[str, int]:
    with (SEEDS / "reference" / "ref_force_population.csv").open() as fh:
        return {
            r["force_code"]: int(r["population"])
            for r in csv.DictReader(fh)
            if r["population_group"] == group and r["is_missing"] == "false"
        }


def _landing_cells() -> list[dict]:
    """Every count cell of the sample returns, read without the warehouse's parser."""
    groups = _nationality_groups()
    cells = []
    for manifest in sorted(SAMPLE_LANDING.glob("*/manifest.yml")):
        folder = manifest.parent
        force = next(
            line.split(": ")[1]
            for line in manifest.read_text().splitlines()
            if line.startswith("force:")
        )
        if (folder / "arrests_by_nationality.csv").exists():
            with (folder / "arrests_by_nationality.csv").open() as fh:
                for row in csv.DictReader(fh):
                    cells.append(
                        {
                            "force": force,
                            "month": row["Month"],
                            "offence": row["Offence Group"],
                            "nationality": row["Nationality"],
                            "count": row["Arrests"],
                        }
                    )
        else:
            sheet = openpyxl.load_workbook(folder / "foi_response_arrests.xlsx", read_only=True)[
                "Arrests"
            ]
            rows = list(sheet.iter_rows(values_only=True))
            header = rows[2]
            for row in rows[3:]:
                if row[1] == "Total":
                    continue
                for name, value in zip(header[2:], row[2:], strict=True):
                    cells.append(
                        {
                            "force": force,
                            "month": row[0],
                            "offence": row[1],
                            "nationality": name,
                            "count": str(value),
                        }
                    )
    for cell in cells:
        cell["group"] = groups[cell["nationality"].strip().lower()]
        cell["known"] = 0 if cell["count"] == "*" else int(cell["count"])
    return cells


@pytest.fixture(scope="module")
def cells() -> list[dict]:
    return _landing_cells()


def _one(warehouse: Path, sql: str, params: list | None = None) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(sql, params or []).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def _exact_limits(k: int) -> tuple[float, float]:
    lower = 0.0 if k == 0 else chi2.ppf(0.025, 2 * k) / 2
    return lower, chi2.ppf(0.975, 2 * k + 2) / 2


def test_poisson_model_matches_published_exact_limits():
    """The dbt model's limits against a published table of exact 95% Poisson limits
    (e.g. Ulm 1990; the same values appear in most epidemiology texts)."""
    spec = importlib.util.spec_from_file_location(
        "int_poisson_limits",
        REPO / "dbt_project" / "models" / "intermediate" / "int_poisson_limits.py",
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    class Relation:
        def __init__(self, counts):
            self.counts = counts

        def project(self, _column):
            return self

        def df(self):
            return pd.DataFrame({"arrests": self.counts})

    class FakeDbt:
        def config(self, **_):
            pass

        def ref(self, name):
            return Relation([0, 1, 2, 5] if name.endswith("force") else [10, 20])

    limits = module.model(FakeDbt(), None).set_index("arrests")
    published = {
        0: (0.0, 3.689),
        1: (0.0253, 5.572),
        2: (0.242, 7.225),
        5: (1.623, 11.668),
        10: (4.795, 18.390),
        20: (12.217, 30.888),
    }
    for k, (lower, upper) in published.items():
        assert limits.loc[k, "count_ci_lower"] == pytest.approx(lower, abs=6e-4)
        assert limits.loc[k, "count_ci_upper"] == pytest.approx(upper, abs=6e-4)


def test_region_rate_and_interval_recomputed(published_sample, cells):
    wales = [c for c in cells if c["force"].startswith("W15")]
    k = sum(c["known"] for c in wales)
    suppressed = sum(c["count"] == "*" for c in wales)
    population = sum(p for code, p in _population("all").items() if code.startswith("W15"))
    lower, upper = _exact_limits(k)
    row = _one(
        published_sample,
        "select arrests, suppressed_cells, depends_on_suppressed, rate_per_100k, rate_ci_lower, "
        "rate_ci_upper, is_complete from marts.rates_by_region_offence "
        "where region = 'Wales' and offence_group = 'All offences' and nationality_group = 'all'",
    )
    assert row[0:3] == (k, suppressed, suppressed > 0)
    assert row[3] == pytest.approx(k / population * 1e5, rel=REL)
    assert row[4] == pytest.approx(lower / population * 1e5, rel=REL)
    assert row[5] == pytest.approx(upper / population * 1e5, rel=REL)
    assert row[6] is True


def test_force_unknown_share_and_bounds_recomputed(published_sample, cells):
    gwent = [c for c in cells if c["force"] == "W15000002" and c["offence"] == "Robbery"]
    known = sum(c["known"] for c in gwent)
    n_suppressed = sum(c["count"] == "*" for c in gwent)
    unknown = sum(c["known"] for c in gwent if c["group"] == "unknown")
    row = _one(
        published_sample,
        "select arrests, arrests_lower, arrests_upper, unknown_nationality_share "
        "from marts.rates_by_force_offence where force_code = 'W15000002' "
        "and offence_group = 'Robbery' and nationality_group = 'all'",
    )
    assert row[:3] == (known, known + 1 * n_suppressed, known + 4 * n_suppressed)
    assert row[3] == pytest.approx(unknown / known, rel=REL)


def test_national_rate_ratio_and_log_interval_recomputed(published_sample, cells):
    a = sum(c["known"] for c in cells if c["group"] == "non_british")
    b = sum(c["known"] for c in cells if c["group"] == "british")
    forces = {c["force"] for c in cells}
    pa = sum(_population("non_british")[f] for f in forces)
    pb = sum(_population("british")[f] for f in forces)
    ratio = (a / pa) / (b / pb)
    se = math.sqrt(1 / a + 1 / b)
    row = _one(
        published_sample,
        "select non_british_arrests, british_arrests, rate_ratio, rate_ratio_ci_lower, "
        "rate_ratio_ci_upper, forces_reporting, population_coverage "
        "from marts.nationality_rate_ratios where geography_level = 'national' "
        "and offence_group = 'All offences'",
    )
    assert row[:2] == (a, b)
    assert row[2] == pytest.approx(ratio, rel=REL)
    assert row[3] == pytest.approx(math.exp(math.log(ratio) - Z * se), rel=REL)
    assert row[4] == pytest.approx(math.exp(math.log(ratio) + Z * se), rel=REL)
    all_population = _population("all")
    assert row[5] == len(forces)
    assert row[6] == pytest.approx(
        sum(all_population[f] for f in forces) / sum(all_population.values()), rel=REL
    )


def test_headline_share_and_wilson_interval_recomputed(published_sample, cells):
    sexual = [c for c in cells if c["offence"] == "Sexual offences"]
    k = sum(c["known"] for c in sexual if c["group"] == "non_british")
    n = sum(c["known"] for c in sexual)
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    row = _one(
        published_sample,
        "select value, ci_lower, ci_upper, numerator, denominator, forces_reporting, forces_total, "
        "is_complete, data_origin from marts.headline_figures "
        "where figure_id = 'non_british_share_sexual_offences'",
    )
    assert row[0] == pytest.approx(p, rel=REL)
    assert row[1] == pytest.approx(centre - half, rel=REL)
    assert row[2] == pytest.approx(centre + half, rel=REL)
    assert row[3:] == (k, n, len({c["force"] for c in cells}), 43, False, "synthetic")


def test_child_sexual_figure_is_null_with_zero_coverage_when_no_return_names_offences(
    published_sample,
):
    # The sample returns give offence groups only: no return says whether a victim was a child.
    row = _one(
        published_sample,
        "select value, forces_reporting, population_coverage from marts.headline_figures "
        "where figure_id = 'non_british_share_child_sexual_offences'",
    )
    assert row == (None, 0, 0.0)


def test_return_coverage_recomputed(published_sample, cells):
    gwent = [c for c in cells if c["force"] == "W15000002"]
    row = _one(
        published_sample,
        "select has_return, return_ids, months_covered, cells, suppressed_cells "
        "from marts.return_coverage where force_code = 'W15000002'",
    )
    assert row == (
        True,
        "gwent-fy2023-24",
        len({c["month"] for c in gwent}),
        len(gwent),
        sum(c["count"] == "*" for c in gwent),
    )
    forces = Counter(
        r[0]
        for r in duckdb.connect(str(published_sample), read_only=True)
        .execute("select has_return from marts.return_coverage")
        .fetchall()
    )
    assert forces == {
        True: len({c["force"] for c in cells}),
        False: 43 - len({c["force"] for c in cells}),
    }
