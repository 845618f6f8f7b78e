"""Published mart rates equal arrests / person-years × 100,000 computed here, from the landing files,
their manifests and the population seed directly, never from the warehouse's own intermediate
tables. A suppressed cell is a count in its manifest's declared range: `arrests` is exact or NULL,
with its bounds; the rate's point estimate puts every suppressed cell at the range's midpoint;
person-years are the population × the months the return declares / 12."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

from tests.conftest import REPO, SAMPLE_LANDING

POPULATION_SEED = REPO / "dbt_project" / "seeds" / "reference" / "ref_force_population.csv"
NON_BRITISH_CSV = {"POLISH", "ROMANIAN", "IRISH", "ALBANIAN", "OTHER FOREIGN"}
REL = 1e-12


def _population(force_code: str, group: str) -> int:
    with POPULATION_SEED.open() as fh:
        (row,) = [
            r
            for r in csv.DictReader(fh)
            if r["force_code"] == force_code and r["population_group"] == group
        ]
    return int(row["population"])


def _declared(folder: Path) -> tuple[int, int, int]:
    """(lowest, highest count a suppressed cell stands for, months the period declares) from the
    return's manifest."""
    manifest = yaml.safe_load((folder / "manifest.yml").read_text())
    (spec,) = manifest["files"]
    suppression = spec.get("suppression", {})
    start, end = (
        dt.datetime.strptime(str(manifest["period"][key]), "%Y-%m") for key in ("start", "end")
    )
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return suppression.get("lower", 1), suppression.get("upper", 4), months


def _csv_counts(
    folder: Path, offence: str | None, nationalities: set[str] | None
) -> tuple[int, int]:
    """(sum of numeric counts, number of suppressed cells) straight from a CSV-long return."""
    total = suppressed = 0
    with (folder / "arrests_by_nationality.csv").open() as fh:
        for row in csv.DictReader(fh):
            if offence and row["Offence Group"] != offence:
                continue
            if nationalities and row["Nationality"] not in nationalities:
                continue
            if row["Arrests"] == "*":
                suppressed += 1
            else:
                total += int(row["Arrests"])
    return total, suppressed


def _xlsx_counts(folder: Path) -> tuple[int, int]:
    """(all arrests, suppressed cells) in an XLSX-wide return: every nationality column, total rows
    left out."""
    sheet = openpyxl.load_workbook(folder / "foi_response_arrests.xlsx", read_only=True)["Arrests"]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[1] != "Total"]
    values = [value for row in rows for value in row[2:]]
    return sum(v for v in values if isinstance(v, int)), sum(v == "*" for v in values)


def _feasible(known: int, suppressed: int, lower: int, upper: int) -> tuple:
    """(exact count or None, lowest, midpoint, highest feasible count)."""
    return (
        None if suppressed else known,
        known + lower * suppressed,
        known + (lower + upper) / 2 * suppressed,
        known + upper * suppressed,
    )


def _mart(warehouse: Path, sql: str, params: list) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchone()


def test_force_rate_all_offences(published_sample):
    folder = SAMPLE_LANDING / "cleveland-fy2023-24"
    known, suppressed = _csv_counts(folder, None, None)
    lower, upper, months = _declared(folder)
    exact, k_lo, k_mid, k_hi = _feasible(known, suppressed, lower, upper)
    years = _population("E23000013", "all") * months / 12
    row = _mart(
        published_sample,
        "select arrests, arrests_lower, arrests_upper, suppressed_cells, person_years, "
        "rate_per_100k, rate_per_100k_lower, rate_per_100k_upper, estimate_method, data_origin "
        "from marts.rates_by_force_offence "
        "where force_code = ? and offence_group = 'All offences' and nationality_group = 'all'",
        ["E23000013"],
    )
    assert suppressed > 0
    assert row[:4] == (exact, k_lo, k_hi, suppressed)
    assert row[4] == pytest.approx(years, rel=REL)
    assert row[5] == pytest.approx(k_mid / years * 100_000, rel=REL)
    assert row[6] == pytest.approx(k_lo / years * 100_000, rel=REL)
    assert row[7] == pytest.approx(k_hi / years * 100_000, rel=REL)
    assert row[8:] == ("midpoint", "synthetic")


def test_force_rate_non_british_sexual_offences(published_sample):
    folder = SAMPLE_LANDING / "gwent-fy2023-24"
    lower, upper, months = _declared(folder)
    exact, k_lo, k_mid, k_hi = _feasible(
        *_csv_counts(folder, "Sexual offences", NON_BRITISH_CSV), lower, upper
    )
    _, n_lo, n_mid, n_hi = _feasible(*_csv_counts(folder, "Sexual offences", None), lower, upper)
    years = _population("W15000002", "non_british") * months / 12
    row = _mart(
        published_sample,
        "select arrests, arrests_lower, arrests_upper, rate_per_100k, share_of_arrests, "
        "share_of_arrests_lower, share_of_arrests_upper from marts.rates_by_force_offence "
        "where force_code = ? and offence_group = 'Sexual offences' and nationality_group = 'non_british'",
        ["W15000002"],
    )
    assert row[:3] == (exact, k_lo, k_hi)
    assert row[3] == pytest.approx(k_mid / years * 100_000, rel=REL)
    assert row[4] == pytest.approx(k_mid / n_mid, rel=REL)
    # the group at its bound, the other groups' cells at the opposite one
    assert row[5] == pytest.approx(k_lo / (k_lo + n_hi - k_hi), rel=REL)
    assert row[6] == pytest.approx(k_hi / (k_hi + n_lo - k_lo), rel=REL)


def test_region_rate_all_offences_wales(published_sample):
    wales = {
        "W15000004": "dyfed-powys",
        "W15000002": "gwent",
        "W15000001": "north-wales",
        "W15000003": "south-wales",
    }
    exact: int | None = 0
    k_lo = k_mid = k_hi = 0.0
    years = 0.0
    for code, force_id in wales.items():
        folder = SAMPLE_LANDING / f"{force_id}-fy2023-24"
        lower, upper, months = _declared(folder)
        counts = (
            _xlsx_counts(folder)
            if (folder / "foi_response_arrests.xlsx").exists()
            else _csv_counts(folder, None, None)
        )
        force_exact, lo, mid, hi = _feasible(*counts, lower, upper)
        exact = None if exact is None or force_exact is None else exact + force_exact
        k_lo, k_mid, k_hi = k_lo + lo, k_mid + mid, k_hi + hi
        years += _population(code, "all") * months / 12
    population = sum(_population(code, "all") for code in wales)
    row = _mart(
        published_sample,
        "select arrests, arrests_lower, arrests_upper, population, person_years, rate_per_100k, "
        "forces_reporting, forces_in_region, population_coverage "
        "from marts.rates_by_region_offence "
        "where region = 'Wales' and offence_group = 'All offences' and nationality_group = 'all'",
        [],
    )
    assert row[:4] == (exact, k_lo, k_hi, population)
    assert row[4] == pytest.approx(years, rel=REL)
    assert row[5] == pytest.approx(k_mid / years * 100_000, rel=REL)
    assert row[6:] == (4, 4, pytest.approx(1.0))


def test_both_rate_marts_publish_rows(published_sample):
    with duckdb.connect(str(published_sample), read_only=True) as con:
        for table in ("rates_by_force_offence", "rates_by_region_offence"):
            assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0
        assert (published_sample.parent / "parquet" / "rates_by_region_offence.parquet").exists()


# Each published point estimate with its feasible range under suppression: (table, estimate,
# lower, upper).
WITHIN_BOUNDS = (
    ("headline_figures", "value", "value_lower", "value_upper"),
    ("headline_figures", "value_lower", "value_lower_incl_unknown", "value_upper_incl_unknown"),
    ("headline_figures", "value_upper", "value_lower_incl_unknown", "value_upper_incl_unknown"),
    ("nationality_rate_ratios", "rate_ratio", "rate_ratio_lower", "rate_ratio_upper"),
    ("rates_by_region_offence", "rate_per_100k", "rate_per_100k_lower", "rate_per_100k_upper"),
    (
        "rates_by_region_offence",
        "share_of_arrests",
        "share_of_arrests_lower",
        "share_of_arrests_upper",
    ),
    ("rates_by_force_offence", "rate_per_100k", "rate_per_100k_lower", "rate_per_100k_upper"),
    (
        "rates_by_force_offence",
        "share_of_arrests",
        "share_of_arrests_lower",
        "share_of_arrests_upper",
    ),
)


@pytest.mark.parametrize(("table", "estimate", "lower", "upper"), WITHIN_BOUNDS)
def test_sample_estimates_lie_within_their_feasible_range(
    published_sample, table, estimate, lower, upper
):
    """The embedded sample's headline and every ratio, rate and share lie within the range their
    suppressed cells allow; a range that the suppressed cells widen is not a single value."""
    with duckdb.connect(str(published_sample), read_only=True) as con:
        rows = con.execute(
            f"select {estimate}, {lower}, {upper}, suppressed_cells from marts.{table}"
        ).fetchall()
    estimated = [r for r in rows if r[0] is not None]
    assert estimated, f"{table}.{estimate} has no estimate at all"
    # a missing bound is unbounded (a ratio whose British count can be 0)
    outside = [
        r
        for r in estimated
        if (r[1] is not None and r[0] < r[1]) or (r[2] is not None and r[0] > r[2])
    ]
    assert not outside, outside[:5]
    assert any(r[1] < r[2] for r in estimated if r[3])  # suppression does widen some ranges
