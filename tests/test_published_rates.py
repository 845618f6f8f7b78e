"""Published mart rates equal arrests / population × 100,000 computed here, from the landing files
and the population seed directly, never from the warehouse's own intermediate tables."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import REPO, SAMPLE_LANDING

POPULATION_SEED = REPO / "dbt_project" / "seeds" / "reference" / "ref_force_population.csv"
NON_BRITISH_CSV = {"POLISH", "ROMANIAN", "IRISH", "ALBANIAN", "OTHER FOREIGN"}


def _population(force_code: str, group: str) -> int:
    with POPULATION_SEED.open() as fh:
        (row,) = [
            r
            for r in csv.DictReader(fh)
            if r["force_code"] == force_code and r["population_group"] == group
        ]
    return int(row["population"])


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


def _xlsx_total(folder: Path) -> int:
    """All arrests in an XLSX-wide return: every nationality column, total rows left out."""
    sheet = openpyxl.load_workbook(folder / "foi_response_arrests.xlsx", read_only=True)["Arrests"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    return sum(sum(row[2:]) for row in rows if row[1] != "Total")


def _mart(warehouse: Path, sql: str, params: list) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchone()


def test_force_rate_all_offences(published_sample):
    arrests, suppressed = _csv_counts(SAMPLE_LANDING / "cleveland-fy2023-24", None, None)
    expected_rate = arrests / _population("E23000013", "all") * 100_000
    row = _mart(
        published_sample,
        "select arrests, suppressed_cells, rate_per_100k, data_origin from marts.rates_by_force_offence "
        "where force_code = ? and offence_group = 'All offences' and nationality_group = 'all'",
        ["E23000013"],
    )
    assert row[0] == arrests and row[1] == suppressed
    assert row[2] == pytest.approx(expected_rate, rel=1e-12)
    assert row[3] == "synthetic"


def test_force_rate_non_british_sexual_offences(published_sample):
    arrests, _ = _csv_counts(SAMPLE_LANDING / "gwent-fy2023-24", "Sexual offences", NON_BRITISH_CSV)
    all_arrests, _ = _csv_counts(SAMPLE_LANDING / "gwent-fy2023-24", "Sexual offences", None)
    row = _mart(
        published_sample,
        "select arrests, rate_per_100k, share_of_arrests from marts.rates_by_force_offence "
        "where force_code = ? and offence_group = 'Sexual offences' and nationality_group = 'non_british'",
        ["W15000002"],
    )
    assert row[0] == arrests
    assert row[1] == pytest.approx(
        arrests / _population("W15000002", "non_british") * 100_000, rel=1e-12
    )
    assert row[2] == pytest.approx(arrests / all_arrests, rel=1e-12)


def test_region_rate_all_offences_wales(published_sample):
    wales = {
        "W15000004": "dyfed-powys",
        "W15000002": "gwent",
        "W15000001": "north-wales",
        "W15000003": "south-wales",
    }
    arrests = 0
    for force_id in wales.values():
        folder = SAMPLE_LANDING / f"{force_id}-fy2023-24"
        arrests += (
            _xlsx_total(folder)
            if (folder / "foi_response_arrests.xlsx").exists()
            else _csv_counts(folder, None, None)[0]
        )
    population = sum(_population(code, "all") for code in wales)
    row = _mart(
        published_sample,
        "select arrests, population, rate_per_100k, forces_reporting, forces_in_region, population_coverage "
        "from marts.rates_by_region_offence "
        "where region = 'Wales' and offence_group = 'All offences' and nationality_group = 'all'",
        [],
    )
    assert row[:2] == (arrests, population)
    assert row[2] == pytest.approx(arrests / population * 100_000, rel=1e-12)
    assert row[3:] == (4, 4, pytest.approx(1.0))


def test_both_rate_marts_publish_rows(published_sample):
    with duckdb.connect(str(published_sample), read_only=True) as con:
        for table in ("rates_by_force_offence", "rates_by_region_offence"):
            assert con.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0
        assert (published_sample.parent / "parquet" / "rates_by_region_offence.parquet").exists()
