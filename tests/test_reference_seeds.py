"""The reference seeds are what the checked-in script derives from the ONS files, and hold the 43
territorial forces. Reading ../shared/reference needs it present; a user's fresh clone has none."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from tests.conftest import REPO, SHARED_REFERENCE

SEEDS = REPO / "dbt_project" / "seeds" / "reference"


def _rows(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_seeds_hold_43_forces_in_10_regions():
    forces = _rows(SEEDS / "ref_forces.csv")
    assert len(forces) == 43
    assert len({f["force_code"] for f in forces}) == 43
    assert all(f["force_code"][:3] in ("E23", "W15") for f in forces)
    assert len(_rows(SEEDS / "ref_regions.csv")) == 10
    assert sum(f["region_name"] == "Wales" for f in forces) == 4


def test_population_rows_carry_source_and_period():
    rows = _rows(SEEDS / "ref_force_population.csv")
    assert all(r["source"] and r["reference_period"] for r in rows)
    missing = [r for r in rows if r["is_missing"] == "true"]
    assert all(r["population"] == "" for r in missing)  # a missing figure is never filled in


@pytest.mark.skipif(
    not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside the repo"
)
def test_script_regenerates_the_committed_seeds(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_reference_seeds.py"),
            "--reference-dir",
            str(SHARED_REFERENCE),
            "--out-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "ref_forces.csv",
        "ref_regions.csv",
        "ref_force_population.csv",
        "ref_sources.csv",
    ):
        assert (tmp_path / name).read_bytes() == (SEEDS / name).read_bytes(), name


@pytest.mark.skipif(
    not SHARED_REFERENCE.is_dir(), reason="../shared/reference is not beside the repo"
)
def test_force_populations_sum_to_england_and_wales_mid_2021():
    # ONS mid-2021 estimate for England and Wales: 59,641,829 (MYE2 Persons, 'ENGLAND AND WALES').
    rows = _rows(SEEDS / "ref_force_population.csv")
    assert sum(int(r["population"]) for r in rows if r["population_group"] == "all") == 59_641_829
