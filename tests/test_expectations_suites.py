"""Expectation suites: valid frames pass, specific violations fail and are named."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from expectations.runner import SuiteOutcome, validate_frame
from expectations.suites import SUITES, select_sql


def _cells() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "return_id": ["r1", "r1", "r1"],
            "source_row": [5, 6, 7],
            "month": [dt.date(2023, 4, 1)] * 3,
            "offence_raw": ["Violence against the person", "Robbery", "Theft"],
            "nationality_raw": ["British", "Non-British", "Unknown"],
            "is_suppressed": [False, True, False],
            "arrests": pd.array([120, None, 0], dtype="Int32"),
            "arrests_lower": [120, 1, 0],
            "arrests_upper": [120, 4, 0],
        }
    )


def _rates() -> dict[str, list]:
    return {
        "period": ["2023/24"] * 4,
        "offence_group": ["robbery"] * 4,
        "nationality_group": ["all", "british", "non_british", "unknown"],
        "arrests_lower": [100, 80, 15, 5],
        "arrests_upper": [100, 80, 15, 5],
        "population": [1_000_000, 900_000, 100_000, None],
        "rate_per_100k": [10.0, 8.9, 15.0, None],
        "rate_ci_lower": [8.1, 7.0, 8.4, None],
        "rate_ci_upper": [12.2, 11.1, 24.7, None],
        "share_of_arrests": [1.0, 0.8, 0.15, 0.05],
        "unknown_nationality_share": [0.05, 0.05, 0.05, 0.05],
        "months_covered": [12, 12, 12, 12],
        "data_origin": ["real", "real", "real", "synthetic"],
    }


def _force_rates() -> pd.DataFrame:
    return pd.DataFrame({"force_code": ["E23000001"] * 3 + ["W15000004"], **_rates()})


def _region_rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": ["E12000007"] * 3 + ["W92000004"],
            **_rates(),
            "population_coverage": [1.0, 1.0, 0.98, 0.5],
            "forces_reporting": [2, 2, 2, 4],
            "forces_in_region": [2, 2, 2, 4],
        }
    )


def _ratios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2023-24"] * 2,
            "geography_level": ["region", "national"],
            "geography_code": ["E12000001", "K04000001"],
            "offence_group": ["All offences"] * 2,
            "rate_ratio": [1.9, 2.2],
            "rate_ratio_ci_lower": [1.8, 2.1],
            "rate_ratio_ci_upper": [2.0, 2.3],
            "population_coverage": [1.0, 0.1],
            "unknown_nationality_share": [0.05, 0.06],
            "data_origin": ["synthetic"] * 2,
        }
    )


def _headlines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "figure_id": ["share", "child_share"],
            "period": ["2023-24"] * 2,
            "unit": ["share", "share"],
            "value": [0.078, None],
            "ci_lower": [0.076, None],
            "ci_upper": [0.080, None],
            "forces_reporting": [7, 0],
            "forces_total": [43, 43],
            "population_coverage": [0.1, 0.0],
            "unknown_nationality_share": [0.05, None],
            "caveat": ["Arrests are not convictions."] * 2,
        }
    )


VALID = {
    "stg_force_returns__cells": _cells,
    "rates_by_force_offence": _force_rates,
    "rates_by_region_offence": _region_rates,
    "nationality_rate_ratios": _ratios,
    "headline_figures": _headlines,
}


def _failure(outcome: SuiteOutcome, expectation: str, column: str) -> dict:
    matches = [
        f for f in outcome.failed if f["expectation"] == expectation and column in f["columns"]
    ]
    assert matches, f"{expectation} on {column} not in {outcome.failed}"
    assert "exception" not in matches[0], matches[0]
    return matches[0]


def test_registry_matches_valid_frames() -> None:
    assert set(SUITES) == set(VALID)
    for name, frame in VALID.items():
        assert set(SUITES[name].columns) == set(frame().columns)


@pytest.mark.parametrize("name", sorted(SUITES))
def test_suite_reads_only_registered_columns(name: str) -> None:
    spec = SUITES[name]
    used = {
        e.configuration.kwargs[k]
        for e in spec.build().expectations
        for k in ("column", "column_A", "column_B")
        if k in e.configuration.kwargs
    }
    assert used <= set(spec.columns)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_frame_passes(name: str) -> None:
    outcome = validate_frame(name, VALID[name]())
    assert outcome.success, outcome.failed
    assert outcome.failed == []
    assert outcome.evaluated == len(SUITES[name].build().expectations)
    json.dumps(outcome.to_metadata())


def test_share_above_one_fails() -> None:
    df = _force_rates()
    df.loc[1, "share_of_arrests"] = 1.5
    outcome = validate_frame("rates_by_force_offence", df)
    assert not outcome.success
    failure = _failure(outcome, "expect_column_values_to_be_between", "share_of_arrests")
    assert failure["column"] == "share_of_arrests"
    assert failure["unexpected_count"] == 1
    assert failure["unexpected_values"] == [1.5]
    assert failure["kwargs"] == {"min_value": 0.0, "max_value": 1.0}
    assert len(outcome.failed) == 1


def test_upper_below_lower_fails() -> None:
    df = _force_rates()
    df.loc[2, "arrests_upper"] = 10
    outcome = validate_frame("rates_by_force_offence", df)
    assert not outcome.success
    failure = _failure(outcome, "expect_column_pair_values_a_to_be_greater_than_b", "arrests_upper")
    assert failure["columns"] == ["arrests_upper", "arrests_lower"]
    assert failure["unexpected_values"] == [[10, 15]]


def test_unknown_nationality_group_fails() -> None:
    df = _region_rates()
    df.loc[3, "nationality_group"] = "martian"
    outcome = validate_frame("rates_by_region_offence", df)
    assert not outcome.success
    failure = _failure(outcome, "expect_column_values_to_be_in_set", "nationality_group")
    assert failure["unexpected_values"] == ["martian"]
    assert failure["kwargs"]["value_set"] == ["all", "british", "non_british", "unknown"]


def test_negative_staging_arrests_fail() -> None:
    df = _cells()
    df.loc[0, "arrests"] = -3
    outcome = validate_frame("stg_force_returns__cells", df)
    assert not outcome.success
    failure = _failure(outcome, "expect_column_values_to_be_between", "arrests")
    assert failure["unexpected_values"] == [-3]


def test_bad_region_coverage_and_codes_fail() -> None:
    df = _region_rates()
    df.loc[0, "region_code"] = "E23000001"
    df.loc[1, "forces_reporting"] = 3
    outcome = validate_frame("rates_by_region_offence", df)
    _failure(outcome, "expect_column_values_to_match_regex", "region_code")
    _failure(outcome, "expect_column_pair_values_a_to_be_greater_than_b", "forces_reporting")


def test_empty_mart_fails_row_count() -> None:
    outcome = validate_frame("rates_by_force_offence", _force_rates().iloc[0:0])
    assert not outcome.success
    failure = next(
        f for f in outcome.failed if f["expectation"] == "expect_table_row_count_to_be_between"
    )
    assert failure["observed_value"] == 0


def test_repeated_validations_in_one_process_are_independent() -> None:
    bad = _cells()
    bad.loc[1, "source_row"] = 0
    first = validate_frame("stg_force_returns__cells", bad)
    second = validate_frame("stg_force_returns__cells", _cells())
    third = validate_frame("stg_force_returns__cells", bad)
    assert not first.success and second.success and not third.success
    assert first.failed == third.failed


def test_select_sql_quotes_identifiers() -> None:
    sql = select_sql("stg_force_returns__cells")
    assert sql.startswith('select "return_id", "source_row", ')
    assert sql.endswith(' from "staging"."stg_force_returns__cells"')


def test_duckdb_frame_round_trip() -> None:
    """Frames from DuckDB's ``.df()`` carry nullable dtypes (Int32, boolean, pd.NA)."""
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(
        """
        create table staging.stg_force_returns__cells as
        select 'r1' as return_id, 'f.xlsx' as source_file, (i + 2)::integer as source_row,
               'C' as source_column, date '2023-04-01' as month, 'Robbery' as offence_raw,
               'British' as nationality_raw, case when i = 1 then '*' else '7' end as count_raw,
               i = 1 as is_suppressed,
               case when i = 1 then null else 7 end::integer as arrests,
               case when i = 1 then 1 else 7 end::integer as arrests_lower,
               case when i = 1 then null else 7 end::integer as arrests_upper
        from range(3) t(i)
        """
    )
    df = con.sql(select_sql("stg_force_returns__cells")).df()
    assert list(df.columns) == list(SUITES["stg_force_returns__cells"].columns)
    assert validate_frame("stg_force_returns__cells", df).success
    con.execute(
        "update staging.stg_force_returns__cells set arrests_lower = 9 where source_row = 2"
    )
    outcome = validate_frame(
        "stg_force_returns__cells", con.sql(select_sql("stg_force_returns__cells")).df()
    )
    failure = _failure(outcome, "expect_column_pair_values_a_to_be_greater_than_b", "arrests_lower")
    assert failure["unexpected_values"] == [[7, 9]]


def test_rate_outside_its_interval_fails():
    df = _force_rates()
    df.loc[1, "rate_ci_upper"] = 5.0  # below the rate 8.9
    outcome = validate_frame("rates_by_force_offence", df)
    assert not outcome.success
    _failure(outcome, "expect_column_pair_values_a_to_be_greater_than_b", "rate_ci_upper")
