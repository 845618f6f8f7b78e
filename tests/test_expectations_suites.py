"""Expectation suites: valid frames pass, specific violations fail and are named."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import pandas as pd
import pytest

from expectations.runner import SuiteOutcome, validate_frame
from expectations.suites import SUITES, select_sql


def _cells() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": [5, 6, 7],
            "arrests": pd.array([120, None, 0], dtype="Int32"),
            "arrests_lower": [120, 1, 0],
            "arrests_upper": [120, 4, 0],
        }
    )


def _rates() -> dict[str, list]:
    return {
        "arrests_lower": [100, 80, 15, 5],
        "arrests_upper": [100, 80, 15, 5],
        "population": [1_000_000, 900_000, 100_000, None],
        "rate_per_100k": [10.0, 8.9, 15.0, None],
        "rate_per_100k_lower": [9.0, 8.9, 14.0, None],
        "rate_per_100k_upper": [11.0, 8.9, 16.0, None],
        "rate_ci_lower": [8.1, 7.0, 8.4, None],
        "rate_ci_upper": [12.2, 11.1, 24.7, None],
        "share_of_arrests": [1.0, 0.8, 0.15, 0.05],
        "share_of_arrests_lower": [1.0, 0.8, 0.1, 0.04],
        "share_of_arrests_upper": [1.0, 0.8, 0.2, 0.06],
        "unknown_nationality_share": [0.05, 0.05, 0.05, 0.05],
        "months_covered": [12, 12, 12, 12],
    }


def _force_rates() -> pd.DataFrame:
    return pd.DataFrame(_rates())


def _region_rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            **_rates(),
            "population_coverage": [1.0, 1.0, 0.98, 0.5],
            "forces_reporting": [2, 2, 2, 4],
            "forces_in_region": [2, 2, 2, 4],
        }
    )


def _ratios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rate_ratio": [1.9, 2.2],
            "rate_ratio_lower": [1.7, 2.0],
            "rate_ratio_upper": [2.1, 2.4],
            "rate_ratio_lower_incl_unknown": [1.65, 1.95],
            "rate_ratio_upper_incl_unknown": [2.15, 2.45],
            "rate_ratio_ci_lower": [1.6, 1.9],
            "rate_ratio_ci_upper": [2.2, 2.5],
            "population_coverage": [1.0, 0.1],
            "unknown_nationality_share": [0.05, 0.06],
        }
    )


def _headlines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": [0.078, None],
            "value_lower": [0.07, None],
            "value_upper": [0.085, None],
            "value_lower_incl_unknown": [0.07, None],
            "value_upper_incl_unknown": [0.09, None],
            "ci_lower": [0.065, None],
            "ci_upper": [0.09, None],
            "forces_reporting": [7, 0],
            "population_coverage": [0.1, 0.0],
            "unknown_nationality_share": [0.05, None],
        }
    )


VALID = {
    "stg_force_returns__cells": _cells,
    "rates_by_force_offence": _force_rates,
    "rates_by_region_offence": _region_rates,
    "nationality_rate_ratios": _ratios,
    "headline_figures": _headlines,
}


def _set(row: int, **values) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        for column, value in values.items():
            df.loc[row, column] = value
        return df

    return change


def _no_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df.iloc[0:0]


ROWS = "expect_table_row_count_to_be_between"
BETWEEN = "expect_column_values_to_be_between"
PAIR = "expect_column_pair_values_a_to_be_greater_than_b"

# One violation per expectation: (expectation, its columns) -> a change of the valid frame that
# breaks that expectation and no other.
_RATE_VIOLATIONS = {
    (ROWS, ()): _no_rows,
    (BETWEEN, ("arrests_lower",)): _set(0, arrests_lower=-1),
    (PAIR, ("arrests_upper", "arrests_lower")): _set(2, arrests_upper=10),
    (BETWEEN, ("share_of_arrests",)): _set(1, share_of_arrests=1.5, share_of_arrests_upper=1.6),
    (BETWEEN, ("unknown_nationality_share",)): _set(0, unknown_nationality_share=-0.1),
    (BETWEEN, ("rate_per_100k",)): _set(3, rate_per_100k=150_000.0),
    (PAIR, ("rate_per_100k", "rate_per_100k_lower")): _set(0, rate_per_100k_lower=10.5),
    (PAIR, ("rate_per_100k_upper", "rate_per_100k")): _set(0, rate_per_100k_upper=9.5),
    (PAIR, ("rate_per_100k_lower", "rate_ci_lower")): _set(2, rate_ci_lower=14.5),
    (PAIR, ("rate_ci_upper", "rate_per_100k_upper")): _set(2, rate_ci_upper=15.5),
    (PAIR, ("share_of_arrests", "share_of_arrests_lower")): _set(2, share_of_arrests_lower=0.16),
    (PAIR, ("share_of_arrests_upper", "share_of_arrests")): _set(2, share_of_arrests_upper=0.14),
    (BETWEEN, ("population",)): _set(3, population=0),
    (BETWEEN, ("months_covered",)): _set(2, months_covered=13),
}
VIOLATIONS: dict[str, dict[tuple[str, tuple[str, ...]], Callable]] = {
    "stg_force_returns__cells": {
        (BETWEEN, ("source_row",)): _set(1, source_row=0),
        (BETWEEN, ("arrests",)): _set(0, arrests=-3),
        (BETWEEN, ("arrests_lower",)): _set(2, arrests_lower=-1),
        (PAIR, ("arrests_upper", "arrests_lower")): _set(1, arrests_lower=9),
    },
    "rates_by_force_offence": _RATE_VIOLATIONS,
    "rates_by_region_offence": {
        **_RATE_VIOLATIONS,
        (BETWEEN, ("population_coverage",)): _set(3, population_coverage=1.2),
        (BETWEEN, ("forces_reporting",)): _set(0, forces_reporting=0),
        (PAIR, ("forces_in_region", "forces_reporting")): _set(1, forces_reporting=3),
    },
    "nationality_rate_ratios": {
        (ROWS, ()): _no_rows,
        (BETWEEN, ("rate_ratio",)): _set(
            1,
            rate_ratio=-2.2,
            rate_ratio_lower=-2.3,
            rate_ratio_lower_incl_unknown=-2.4,
            rate_ratio_ci_lower=-2.5,
        ),
        (PAIR, ("rate_ratio", "rate_ratio_lower")): _set(0, rate_ratio_lower=1.95),
        (PAIR, ("rate_ratio_upper", "rate_ratio")): _set(0, rate_ratio_upper=1.85),
        (PAIR, ("rate_ratio_lower", "rate_ratio_ci_lower")): _set(0, rate_ratio_ci_lower=1.75),
        (PAIR, ("rate_ratio_ci_upper", "rate_ratio_upper")): _set(1, rate_ratio_ci_upper=2.3),
        (PAIR, ("rate_ratio_lower", "rate_ratio_lower_incl_unknown")): _set(
            1, rate_ratio_lower_incl_unknown=2.05
        ),
        (PAIR, ("rate_ratio_upper_incl_unknown", "rate_ratio_upper")): _set(
            1, rate_ratio_upper_incl_unknown=2.35
        ),
        (BETWEEN, ("population_coverage",)): _set(0, population_coverage=1.01),
        (BETWEEN, ("unknown_nationality_share",)): _set(1, unknown_nationality_share=2.0),
    },
    "headline_figures": {
        (ROWS, ()): _no_rows,
        (BETWEEN, ("value",)): _set(
            0, value=-0.5, value_lower=-0.6, value_lower_incl_unknown=-0.6, ci_lower=-0.7
        ),
        (PAIR, ("value", "value_lower")): _set(0, value_lower=0.079),
        (PAIR, ("value_upper", "value")): _set(0, value_upper=0.077),
        (PAIR, ("value_lower", "ci_lower")): _set(0, ci_lower=0.072),
        (PAIR, ("ci_upper", "value_upper")): _set(0, ci_upper=0.08),
        (PAIR, ("value_lower", "value_lower_incl_unknown")): _set(
            0, value_lower_incl_unknown=0.071
        ),
        (PAIR, ("value_upper_incl_unknown", "value_upper")): _set(
            0, value_upper_incl_unknown=0.084
        ),
        (BETWEEN, ("forces_reporting",)): _set(1, forces_reporting=44),
        (BETWEEN, ("population_coverage",)): _set(1, population_coverage=-0.1),
        (BETWEEN, ("unknown_nationality_share",)): _set(0, unknown_nationality_share=1.5),
    },
}


def _key(expectation) -> tuple[str, tuple[str, ...]]:
    kwargs = expectation.configuration.kwargs
    columns = tuple(kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs)
    return expectation.expectation_type, columns


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
def test_suite_reads_only_registered_columns_and_all_of_them(name: str) -> None:
    spec = SUITES[name]
    used = {column for e in spec.build().expectations for column in _key(e)[1]}
    assert used == set(spec.columns)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_frame_passes(name: str) -> None:
    outcome = validate_frame(name, VALID[name]())
    assert outcome.success, outcome.failed
    assert outcome.failed == []
    assert outcome.evaluated == len(SUITES[name].build().expectations)
    json.dumps(outcome.to_metadata())


@pytest.mark.parametrize("name", sorted(SUITES))
def test_every_expectation_has_a_violation(name: str) -> None:
    keys = [_key(e) for e in SUITES[name].build().expectations]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(VIOLATIONS[name])


@pytest.mark.parametrize(
    ("name", "key"), [(name, key) for name in sorted(VIOLATIONS) for key in VIOLATIONS[name]]
)
def test_each_expectation_fails_on_its_violation_alone(name: str, key) -> None:
    outcome = validate_frame(name, VIOLATIONS[name][key](VALID[name]()))
    assert not outcome.success
    assert [(f["expectation"], tuple(f["columns"])) for f in outcome.failed] == [key]
    assert "exception" not in outcome.failed[0], outcome.failed[0]


def test_share_above_one_fails_naming_the_value() -> None:
    df = _force_rates()
    df.loc[1, "share_of_arrests"] = 1.5
    outcome = validate_frame("rates_by_force_offence", df)
    failure = _failure(outcome, BETWEEN, "share_of_arrests")
    assert failure["column"] == "share_of_arrests"
    assert failure["unexpected_count"] == 1
    assert failure["unexpected_values"] == [1.5]
    assert failure["kwargs"] == {"min_value": 0.0, "max_value": 1.0}


def test_upper_below_lower_fails_naming_the_pair() -> None:
    df = _force_rates()
    df.loc[2, "arrests_upper"] = 10
    outcome = validate_frame("rates_by_force_offence", df)
    failure = _failure(outcome, PAIR, "arrests_upper")
    assert failure["columns"] == ["arrests_upper", "arrests_lower"]
    assert failure["unexpected_values"] == [[10, 15]]


def test_empty_mart_fails_row_count() -> None:
    outcome = validate_frame("rates_by_force_offence", _force_rates().iloc[0:0])
    failure = next(f for f in outcome.failed if f["expectation"] == ROWS)
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
    assert sql.startswith('select "source_row", "arrests", ')
    assert sql.endswith(' from "staging"."stg_force_returns__cells"')


def test_duckdb_frame_round_trip() -> None:
    """Frames from DuckDB's ``.df()`` carry nullable dtypes (Int32 with pd.NA)."""
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(
        """
        create table staging.stg_force_returns__cells as
        select 'r1' as return_id, 'f.xlsx' as source_file, (i + 2)::integer as source_row,
               'C' as source_column, case when i = 1 then '*' else '7' end as count_raw,
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
