"""`warehouse figure` and orchestration.lib.figures: one way to ask for a figure.

(a) On the sample warehouse, a financial year's figures by region and by force equal the
    financial-year marts (rates_by_region_offence, rates_by_force_offence, nationality_rate_ratios,
    headline_figures) for every row and measure, to 1e-9: the same methodology.
(b) On the SYNTHETIC corpus tests/data/figure_case (three returns whose declared months straddle
    two financial years, refreshed once), a calendar period's counts are the sums of its months,
    and every figure is recomputed here from the corpus' CSV files, its manifests, a truth table of
    its wordings and the population seed, using none of the warehouse's code.
(c) The command's formats and its errors.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestration.lib.figures import COLUMNS, FigureError, open_warehouse, parse_period
from tests.conftest import REPO, refresh
from tests.figure_expected import FORCES, REQUIRED_KEYS, differences, expected_figures
from tests.figure_expected import areas as _areas

WAREHOUSE = str(Path(sys.executable).parent / "warehouse")
CORPUS = REPO / "tests" / "data" / "figure_case"


# --- (a) a financial year equals the financial-year marts ---------------------------------------

RATE_COLUMNS = {
    c: c
    for c in (
        "arrests arrests_lower arrests_upper rate_per_100k rate_per_100k_lower rate_per_100k_upper "
        "rate_ci_lower rate_ci_upper estimate_method unknown_nationality_share "
        "unknown_nationality_share_lower unknown_nationality_share_upper months_covered "
        "is_complete data_origin suppressed_cells population person_years"
    ).split()
} | {
    "share": "share_of_arrests",
    "share_lower": "share_of_arrests_lower",
    "share_upper": "share_of_arrests_upper",
    "source_cells": "cells",
}
REGION_COLUMNS = RATE_COLUMNS | {
    "forces_reporting": "forces_reporting",
    "forces_in_area": "forces_in_region",
    "population_covered": "population_coverage",
    "months_covered_max": "months_covered_max",
}
RATIO_COLUMNS = {
    c: c
    for c in (
        "rate_ratio rate_ratio_lower rate_ratio_upper rate_ratio_lower_incl_unknown "
        "rate_ratio_upper_incl_unknown rate_ratio_ci_lower rate_ratio_ci_upper "
        "population_relative_se forces_reporting months_covered is_complete "
        "unknown_nationality_share data_origin"
    ).split()
} | {"rate_ratio_estimate_method": "estimate_method", "population_covered": "population_coverage"}


def mart_rows(wh, table: str, **where: str) -> list[dict[str, Any]]:
    clause = " and ".join(f"{column} = ?" for column in where)
    frame = wh.sql(f"select * from marts.{table} where {clause}", list(where.values()))
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_financial_year_equals_the_marts_for_every_row_and_measure(published_sample):
    wh = open_warehouse(published_sample)
    groups = sorted(
        wh.sql("select distinct offence_group from marts.rates_by_force_offence")["offence_group"]
    )
    assert "All offences" in groups and len(groups) > 5
    problems, compared = [], 0
    for offence in groups:
        for by, table, key, columns in (
            ("region", "rates_by_region_offence", "region_code", REGION_COLUMNS),
            ("force", "rates_by_force_offence", "force_code", RATE_COLUMNS),
        ):
            got = {
                (r["area_code"], r["nationality_group"]): r
                for r in wh.figure_rows("2023-24", offence, by=by, nationality="split")
                if r["forces_reporting"]
            }
            marts = {
                (r[key], r["nationality_group"]): r
                for r in mart_rows(wh, table, period="2023-24", offence_group=offence)
            }
            assert got.keys() == marts.keys(), (offence, by)
            for k, row in marts.items():
                problems += differences(row, got[k], columns, (offence, by, *k))
                compared += 1
        for by in ("region", "national"):
            got = {
                r["area_code"]: r
                for r in wh.figure_rows("2023-24", offence, by=by, nationality="non_british")
                if r["forces_reporting"]
            }
            marts = {
                r["geography_code"]: r
                for r in mart_rows(
                    wh,
                    "nationality_rate_ratios",
                    period="2023-24",
                    offence_group=offence,
                    geography_level=by,
                )
            }
            assert got.keys() == marts.keys(), (offence, by)
            for k, row in marts.items():
                problems += differences(row, got[k], RATIO_COLUMNS, (offence, by, k))
    assert compared > 500
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize(
    ("figure_id", "offence"),
    [
        ("non_british_share_all_arrests", None),
        ("non_british_share_sexual_offences", "Sexual offences"),
        ("non_british_share_child_sexual_offences", "child_sexual"),
    ],
)
def test_national_share_equals_the_headline_figure(published_sample, figure_id, offence):
    wh = open_warehouse(published_sample)
    (headline,) = mart_rows(wh, "headline_figures", figure_id=figure_id, period="2023-24")
    (row,) = wh.figure_rows("2023-24", offence, nationality="non_british")
    columns = {
        "share": "value",
        "share_lower": "value_lower",
        "share_upper": "value_upper",
        "share_ci_lower": "ci_lower",
        "share_ci_upper": "ci_upper",
        "forces_reporting": "forces_reporting",
        "population_covered": "population_coverage",
        "months_covered": "months_covered_min",
        "is_complete": "is_complete",
    }
    assert not differences(headline, row, columns, (figure_id,))


# --- (b) the SYNTHETIC figure case: months add up, and figures from the CSVs --------------------


# The corpus' wordings, as its generator meant them: offence group, Home Office code, category,
# whether the victim is a child; nationality groups.
OFFENCES = {
    "Violence against the person": ("Violence against the person", None, None, None),
    "Theft offences": ("Theft offences", None, None, None),
    "Sexual offences": ("Sexual offences", None, None, None),
    "Sexual assault on a female aged 13 and over": (
        "Sexual offences",
        "20A",
        "Other sexual offences",
        False,
    ),
    "Rape of a female child under 13": ("Sexual offences", "19E", "Rape", True),
    "Sexual activity involving child under 16": (
        "Sexual offences",
        "22B",
        "Other sexual offences",
        True,
    ),
    "Exposure and voyeurism": ("Sexual offences", "88E", "Other sexual offences", False),
}
NATIONALITIES = {
    "British": "british",
    "Polish": "non_british",
    "Romanian": "non_british",
    "Irish": "non_british",
    "Not stated": "unknown",
    "Unknown": "unknown",
}


@dataclass(frozen=True)
class Cell:
    force: str
    month: str
    wording: str
    nationality: str
    lower: int
    upper: int
    suppressed: bool

    @property
    def group(self) -> str:
        return OFFENCES[self.wording][0]

    @property
    def code(self) -> str | None:
        return OFFENCES[self.wording][1]

    @property
    def nationality_group(self) -> str:
        return NATIONALITIES[self.nationality]


def _months(first: str, last: str) -> list[str]:
    return [m for m in ALL_MONTHS if first <= m <= last]


ALL_MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)]


def _read_corpus() -> tuple[dict[str, list[str]], list[Cell]]:
    declared, cells = {}, []
    by_name = {r["force_name"]: code for code, r in FORCES.items()}
    for manifest_path in sorted(CORPUS.glob("*/manifest.yml")):
        manifest = yaml.safe_load(manifest_path.read_text())
        force = by_name.get(manifest["force"], manifest["force"])
        period = manifest["period"]
        declared[force] = _months(period["start"], period["end"])
        (spec,) = manifest["files"]
        marker = spec["suppression"]["markers"]
        lower, upper = spec["suppression"]["lower"], spec["suppression"]["upper"]
        with (manifest_path.parent / spec["path"]).open(newline="") as fh:
            for row in csv.DictReader(fh):
                raw = row["Arrests"]
                bounds = (lower, upper, True) if raw in marker else (int(raw), int(raw), False)
                cells.append(Cell(force, row["Month"], row["Offence"], row["Nationality"], *bounds))
    return declared, cells


DECLARED, CELLS = _read_corpus()


def _selection(offence: str | None) -> tuple[Callable[[Cell], bool], bool]:
    """Which cells an offence counts, and whether only forces naming offences stand behind it."""
    if offence is None:
        return (lambda c: True), False
    if offence == "Sexual offences":
        return (lambda c: c.group == "Sexual offences"), False
    if offence == "child_sexual":
        return (lambda c: OFFENCES[c.wording][3] is True), True
    if offence == "Rape":
        return (lambda c: OFFENCES[c.wording][2] == "Rape"), True
    return (lambda c: c.code == offence), True


def expected_rows(period: str, offence: str | None, level: str) -> dict[tuple, dict]:
    """Every figure of a request, from the corpus alone (see the module docstring)."""
    months = [f"{m:%Y-%m}" for m in parse_period(period).months]
    counts, detailed = _selection(offence)
    behind_by = "all" if offence is None else "detailed" if detailed else "group"
    return expected_figures(CELLS, DECLARED, months, counts, behind_by, level)


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    """The SYNTHETIC figure case refreshed once; returns the published file."""
    root = tmp_path_factory.mktemp("figure_case")
    landing = root / "landing"
    shutil.copytree(CORPUS, landing, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    published = root / "warehouse" / "warehouse.duckdb"
    outcome = refresh(landing, published)
    assert outcome.published, outcome.problems
    return published


def test_corpus_is_synthetic_and_straddles_two_financial_years():
    for path in CORPUS.glob("*/manifest.yml"):
        manifest = yaml.safe_load(path.read_text())
        assert manifest["data_origin"] == "synthetic" and "SYNTHETIC" in manifest["notes"]
    assert sorted(len(ms) for ms in DECLARED.values()) == [6, 6, 12]
    assert any(ms[0] < "2024-04" <= ms[-1] for ms in DECLARED.values())
    declared_empty = {(f, m) for f, ms in DECLARED.items() for m in ms} - {
        (c.force, c.month) for c in CELLS
    }
    assert declared_empty  # a declared month with no cells: covered, zero arrests
    assert {c.lower for c in CELLS if c.suppressed} == {0, 1}


REQUESTS = [
    (period, offence, level)
    for period in ("2024-01..2024-06", "2024", "2023-24", "2024-25", "2023-10..2024-09")
    for offence in (None, "Sexual offences", "child_sexual", "19E", "Rape")
    for level in ("national", "region", "force")
]


@pytest.mark.parametrize(("period", "offence", "level"), REQUESTS)
def test_figure_equals_the_corpus_recomputed(case, period, offence, level):
    wh = open_warehouse(case)
    expected = expected_rows(period, offence, level)
    got = {
        (r["area_code"], r["nationality_group"]): r
        for r in wh.figure_rows(period, offence, by=level, nationality="split")
    }
    assert got.keys() == expected.keys()
    problems = []
    for key, row in expected.items():
        problems += differences(row, got[key], {k: k for k in REQUIRED_KEYS if k != "period"}, key)
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("offence", [None, "Sexual offences", "child_sexual"])
@pytest.mark.parametrize("level", ["national", "region", "force"])
def test_a_period_straddling_two_financial_years_is_the_sum_of_its_months(case, offence, level):
    wh = open_warehouse(case)
    months = [f"2024-{m:02d}" for m in range(1, 7)]

    def by_key(period: str) -> dict[tuple, dict]:
        rows = wh.figure_rows(period, offence, by=level, nationality="split")
        return {(r["area_code"], r["nationality_group"]): r for r in rows if r["forces_reporting"]}

    whole = by_key("2024-01..2024-06")
    parts = [by_key(month) for month in months]
    assert whole and any(r["arrests_upper"] for r in whole.values())
    for key, row in whole.items():
        in_month = [part[key] for part in parts if key in part]
        for column in ("arrests_lower", "arrests_upper", "source_cells", "suppressed_cells"):
            assert row[column] == sum(r[column] for r in in_month), (key, column)
        if all(r["arrests"] is not None for r in in_month):
            assert row["arrests"] == sum(r["arrests"] for r in in_month), key
        # the forces behind the whole are those behind any of its months, with their months
        members = {FORCES[f]["force_name"] for f in _areas(level)[key[0]]}
        behind = [members - set(r["forces_missing"]) for r in in_month]
        assert members - set(row["forces_missing"]) == set().union(*behind), key
        if level == "force":
            # All offences: a force covers the months its returns declare. An offence group: a
            # force behind it over the period covers every declared month, a month with no cells
            # of the group counting as zero, so a single month it sent no cell in can leave it out.
            months = sum(r["months_covered"] for r in in_month)
            assert (
                row["months_covered"] == months
                if offence is None
                else row["months_covered"] >= months
            )
    # and the financial years the period straddles are in the marts as two rows
    periods = wh.sql("select distinct period from marts.force_month_coverage order by 1")["period"]
    assert list(periods) == ["2023-24", "2024-25"]


def test_financial_years_of_the_case_equal_the_marts(case):
    wh = open_warehouse(case)
    problems = []
    for period in ("2023-24", "2024-25"):
        for offence in ("All offences", "Sexual offences", "Violence against the person"):
            got = {
                (r["area_code"], r["nationality_group"]): r
                for r in wh.figure_rows(period, offence, by="region", nationality="split")
                if r["forces_reporting"]
            }
            for row in mart_rows(
                wh, "rates_by_region_offence", period=period, offence_group=offence
            ):
                key = (row["region_code"], row["nationality_group"])
                problems += differences(row, got[key], REGION_COLUMNS, (period, offence, *key))
    assert not problems, "\n".join(problems)


def test_cells_are_the_cells_behind_the_figure(case):
    wh = open_warehouse(case)
    for offence in (None, "child_sexual"):
        figure = wh.figure_rows("2024-01..2024-06", offence, by="region", nationality="split")
        cells = wh.cell_rows("2024-01..2024-06", offence, by="region", nationality="split")
        for row in figure:
            mine = [
                c
                for c in cells
                if c["area_code"] == row["area_code"]
                and row["nationality_group"] in ("all", c["nationality_group"])
            ]
            assert len(mine) == (row["source_cells"] or 0)
            assert sum(c["arrests_lower"] for c in mine) == (row["arrests_lower"] or 0)
            assert sum(c["arrests_upper"] for c in mine) == (row["arrests_upper"] or 0)
            assert all(c["source_file"] and c["source_row"] and c["return_id"] for c in mine)


# --- (c) the command and the Python API ---------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([WAREHOUSE, "figure", *args], capture_output=True, text=True, timeout=120)


def test_json_is_a_list_of_objects_with_the_keys(published_sample):
    result = run(
        "--period", "2023-24", "--by", "region", "--nationality", "split",
        "--format", "json", "--warehouse", str(published_sample),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and len(rows) == 40
    assert all(list(row) == list(COLUMNS) for row in rows)
    assert set(REQUIRED_KEYS) <= set(COLUMNS)
    assert {r["area_code"][:3] for r in rows} == {"E12", "W92"}
    assert all(isinstance(r["forces_missing"], list) for r in rows)


def test_csv_markdown_and_table(published_sample):
    warehouse = ("--warehouse", str(published_sample))
    result = run("--period", "2023-24", "--offence", "19E", "--force", "E23000001,kent",
                 "--nationality", "split", "--format", "csv", *warehouse)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split(",") == list(COLUMNS) and len(lines) == 1 + 8
    assert {line.split(",")[3] for line in lines[1:]} == {
        "Metropolitan Police Service",
        "Kent Police",
    }
    markdown = run("--period", "2024-01..2024-03", "--offence", "child_sexual", "--format",
                   "markdown", *warehouse)  # fmt: skip
    assert markdown.returncode == 0 and markdown.stdout.startswith("| period | area |")
    table = run("--period", "2024", *warehouse)
    assert table.returncode == 0 and "England and Wales" in table.stdout
    assert "SYNTHETIC" in table.stdout
    cells = run("--period", "2023-24", "--offence", "19E", "--force", "kent", "--cells",
                "--format", "csv", *warehouse)  # fmt: skip
    assert cells.returncode == 0, cells.stderr
    header = cells.stdout.splitlines()[0].split(",")
    assert {"return_id", "source_file", "sheet", "source_row", "source_column"} <= set(header)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--period", "2024-13"], ["2024-13", "financial year"]),
        (["--period", "last year"], ["not a period", "2023-24"]),
        (["--period", "2030"], ["no month", "2023-04..2024-03"]),
        (["--period", "2023-24", "--offence", "Burglary of sheds"],
         ["unknown offence", "Sexual offences", "child_sexual", "prostitution"]),
        (["--period", "2023-24", "--force", "Narnia Police"], ["unknown force", "Kent Police"]),
        (["--period", "2023-24", "--nationality", "martian"], ["unknown nationality", "split"]),
    ],
)  # fmt: skip
def test_errors_are_clear(published_sample, args, words):
    result = run(*args, "--warehouse", str(published_sample))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_python_api_gives_a_dataframe_and_reads_read_only(published_sample):
    before = published_sample.stat().st_mtime_ns
    wh = open_warehouse(published_sample)
    frame = wh.figure(period="2024-01..2024-03", offence="Sexual offences", by="region",
                      nationality="non_british")  # fmt: skip
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 10
    assert str(frame["arrests_upper"].dtype) == "Int64"
    assert str(frame["rate_per_100k"].dtype) == "Float64"
    assert (frame["months_requested"] == 3).all()
    assert wh.sql("select count(*) as n from marts.arrests_by_month")["n"][0] > 0
    with pytest.raises(FigureError, match="unknown offence"):
        wh.figure(period="2023-24", offence="nothing like it")
    assert published_sample.stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("text", "label", "first", "count"),
    [
        ("2024-01..2024-10", "2024-01..2024-10", "2024-01", 10),
        ("2023-24", "2023-24", "2023-04", 12),
        ("FY2011-12", "2011-12", "2011-04", 12),
        ("2011-12", "2011-12", "2011-12", 1),
        ("2024", "2024", "2024-01", 12),
        ("2024-03", "2024-03", "2024-03", 1),
        ("2023-11..2024-02", "2023-11..2024-02", "2023-11", 4),
    ],
)
def test_periods(text, label, first, count):
    period = parse_period(text)
    assert (period.label, f"{period.first:%Y-%m}", len(period.months)) == (label, first, count)


@pytest.mark.parametrize("text", ["2024-10..2024-01", "2023-25", "2024-00", "24", "2024-1"])
def test_bad_periods(text):
    with pytest.raises(FigureError):
        parse_period(text)
