"""Expectation suites as code, and the registry that ties each suite to its DuckDB relation.

The suites hold what a statistician expects of the values: counts and rates in their ranges, a
rate inside its own interval, bounds ordered, shares and coverage in [0, 1], months 1..12, at least
one row. Structural and referential rules (not null, unique, accepted values, the form of a code,
relationships) are dbt tests beside the models (dbt_project/models/**/_*__models.yml), each rule
in one home.

Each ``SuiteSpec`` lists only the columns its suite reads, so an asset check can select just
those from DuckDB (``select_sql``) and validate a small pandas frame. GX is imported inside
the builders so that importing this module (e.g. from the Dagster definitions) stays cheap.

Null handling: GX column expectations ignore nulls, so nullable measures (suppressed
``arrests``, ``population`` for 'unknown', ``rate_per_100k``) need no ``mostly``; pair
expectations skip rows where either side is null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from expectations._gx import gx as _gx

if TYPE_CHECKING:
    import great_expectations as gx
    from great_expectations.expectations import Expectation

FORCES_IN_ENGLAND_AND_WALES = 43


@dataclass(frozen=True)
class SuiteSpec:
    """A suite, the relation it validates and the only columns it needs."""

    name: str
    table: str
    columns: tuple[str, ...]
    build: Callable[[], gx.ExpectationSuite]
    # Every expectation is about one row of one return: validating only the rows of some returns
    # gives those returns' answer (callers then validate only returns not checked before).
    per_return_rows: bool = False


def _suite(name: str, expectations: list[Expectation]) -> gx.ExpectationSuite:
    """An unsaved suite: it is validated directly against a batch, never stored."""
    return _gx().ExpectationSuite(name=name, expectations=expectations)


def _between(column: str, min_value: float | None, max_value: float | None) -> Expectation:
    return _gx().expectations.ExpectColumnValuesToBeBetween(
        column=column, min_value=min_value, max_value=max_value
    )


def _a_at_least_b(column_a: str, column_b: str) -> Expectation:
    """column_a >= column_b on rows where both are present."""
    return _gx().expectations.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a,
        column_B=column_b,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
    )


def _inside(estimate: str, lower: str, upper: str) -> list[Expectation]:
    """An estimate inside its own interval: lower <= estimate <= upper."""
    return [_a_at_least_b(estimate, lower), _a_at_least_b(upper, estimate)]


def _at_least_one_row() -> Expectation:
    return _gx().expectations.ExpectTableRowCountToBeBetween(min_value=1)


def build_stg_force_returns__cells() -> gx.ExpectationSuite:
    """One row per parsed spreadsheet cell; counts are bounded, bounds are ordered."""
    return _suite(
        "stg_force_returns__cells",
        [
            _between("source_row", 1, None),
            _between("arrests", 0, 100_000),
            _between("arrests_lower", 0, None),
            _a_at_least_b("arrests_upper", "arrests_lower"),
        ],
    )


def _rate_expectations() -> list[Expectation]:
    """What a statistician checks on any published rate table, whatever its geography."""
    return [
        _at_least_one_row(),
        _between("arrests_lower", 0, None),
        _a_at_least_b("arrests_upper", "arrests_lower"),
        _between("share_of_arrests", 0, 1),
        _between("unknown_nationality_share", 0, 1),
        _between("rate_per_100k", 0, 100_000),
        # A point estimate lies within its bounds under suppression, and the Poisson interval
        # covers those bounds (its limits are taken at the least and greatest feasible count).
        *_inside("rate_per_100k", "rate_per_100k_lower", "rate_per_100k_upper"),
        _a_at_least_b("rate_per_100k_lower", "rate_ci_lower"),
        _a_at_least_b("rate_ci_upper", "rate_per_100k_upper"),
        *_inside("share_of_arrests", "share_of_arrests_lower", "share_of_arrests_upper"),
        _between("population", 1, None),
        _between("months_covered", 1, 12),
    ]


def build_rates_by_force_offence() -> gx.ExpectationSuite:
    """Rates per force: the shared rate checks."""
    return _suite("rates_by_force_offence", _rate_expectations())


def build_rates_by_region_offence() -> gx.ExpectationSuite:
    """Rates per region: shared rate checks plus the coverage of the reporting forces."""
    return _suite(
        "rates_by_region_offence",
        [
            *_rate_expectations(),
            _between("population_coverage", 0, 1),
            _between("forces_reporting", 1, FORCES_IN_ENGLAND_AND_WALES),
            _a_at_least_b("forces_in_region", "forces_reporting"),
        ],
    )


def build_nationality_rate_ratios() -> gx.ExpectationSuite:
    """Rate ratios: positive, inside their bounds, the bounds inside the interval, coverage in
    range."""
    return _suite(
        "nationality_rate_ratios",
        [
            _at_least_one_row(),
            _between("rate_ratio", 0, None),
            *_inside("rate_ratio", "rate_ratio_lower", "rate_ratio_upper"),
            _a_at_least_b("rate_ratio_lower", "rate_ratio_ci_lower"),
            _a_at_least_b("rate_ratio_ci_upper", "rate_ratio_upper"),
            # allocating unknown nationality either way can only widen the bounds
            _a_at_least_b("rate_ratio_lower", "rate_ratio_lower_incl_unknown"),
            _a_at_least_b("rate_ratio_upper_incl_unknown", "rate_ratio_upper"),
            _between("population_coverage", 0, 1),
            _between("unknown_nationality_share", 0, 1),
        ],
    )


def build_headline_figures() -> gx.ExpectationSuite:
    """Headline figures: each inside its bounds, the bounds inside its interval, coverage in
    range."""
    return _suite(
        "headline_figures",
        [
            _at_least_one_row(),
            _between("value", 0, None),
            *_inside("value", "value_lower", "value_upper"),
            _a_at_least_b("value_lower", "ci_lower"),
            _a_at_least_b("ci_upper", "value_upper"),
            _a_at_least_b("value_lower", "value_lower_incl_unknown"),
            _a_at_least_b("value_upper_incl_unknown", "value_upper"),
            _between("forces_reporting", 0, FORCES_IN_ENGLAND_AND_WALES),
            _between("population_coverage", 0, 1),
            _between("unknown_nationality_share", 0, 1),
        ],
    )


_RATE_COLUMNS = (
    "arrests_lower",
    "arrests_upper",
    "population",
    "rate_per_100k",
    "rate_per_100k_lower",
    "rate_per_100k_upper",
    "rate_ci_lower",
    "rate_ci_upper",
    "share_of_arrests",
    "share_of_arrests_lower",
    "share_of_arrests_upper",
    "unknown_nationality_share",
    "months_covered",
)

SUITES: dict[str, SuiteSpec] = {
    spec.name: spec
    for spec in (
        SuiteSpec(
            name="stg_force_returns__cells",
            table="staging.stg_force_returns__cells",
            columns=("source_row", "arrests", "arrests_lower", "arrests_upper"),
            build=build_stg_force_returns__cells,
            per_return_rows=True,
        ),
        SuiteSpec(
            name="rates_by_force_offence",
            table="marts.rates_by_force_offence",
            columns=_RATE_COLUMNS,
            build=build_rates_by_force_offence,
        ),
        SuiteSpec(
            name="rates_by_region_offence",
            table="marts.rates_by_region_offence",
            columns=(*_RATE_COLUMNS, "population_coverage", "forces_reporting", "forces_in_region"),
            build=build_rates_by_region_offence,
        ),
        SuiteSpec(
            name="nationality_rate_ratios",
            table="marts.nationality_rate_ratios",
            columns=(
                "rate_ratio",
                "rate_ratio_lower",
                "rate_ratio_upper",
                "rate_ratio_lower_incl_unknown",
                "rate_ratio_upper_incl_unknown",
                "rate_ratio_ci_lower",
                "rate_ratio_ci_upper",
                "population_coverage",
                "unknown_nationality_share",
            ),
            build=build_nationality_rate_ratios,
        ),
        SuiteSpec(
            name="headline_figures",
            table="marts.headline_figures",
            columns=(
                "value",
                "value_lower",
                "value_upper",
                "value_lower_incl_unknown",
                "value_upper_incl_unknown",
                "ci_lower",
                "ci_upper",
                "forces_reporting",
                "population_coverage",
                "unknown_nationality_share",
            ),
            build=build_headline_figures,
        ),
    )
}


def quote_identifier(name: str) -> str:
    """A DuckDB identifier in double quotes, embedded quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def select_sql(suite_name: str, where: str | None = None) -> str:
    """``select <needed columns> from <table> [where <where>]`` for a registered suite; ``where``
    is SQL from the code (never from input)."""
    spec = SUITES[suite_name]
    columns = ", ".join(quote_identifier(c) for c in spec.columns)
    table = ".".join(quote_identifier(part) for part in spec.table.split("."))
    return f"select {columns} from {table}" + (f" where {where}" if where else "")
