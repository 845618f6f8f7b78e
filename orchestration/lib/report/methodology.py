"""The methodology section's worked example, and the caveats, stated from the data reported.

The national all-offences rate-ratio interval is recomputed here from the mart's own columns
(counts and their bounds, person-years, population_relative_se), as the mart states it is built:

    least / greatest feasible ratio = (a_lower / Pa) / (b_upper / Pb), (a_upper / Pa) / (b_lower / Pb)
    se(ln RR)^2 = 1/a + 1/b + (se_Pa / Pa)^2 + (se_Pb / Pb)^2   at the smallest feasible counts
    interval = least * exp(-z * se) to greatest * exp(+z * se)

Each group's APS standard error (its forces' 95% half-widths / z, scaled by months / 12 like the
person-years, combined in quadrature) is read from the reference table to show the two APS terms
separately. The page says which computation the published interval matches, with or without the
APS terms, so the caveat about the APS sampling error is what the mart really does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from orchestration.lib.report import formatting as fmt
from orchestration.lib.report.queries import Z95

ALL_OFFENCES = "All offences"
# Relative tolerance for "the published limit is this computation": the same arithmetic in DuckDB
# and here differs only in rounding.
MATCH_TOLERANCE = 1e-6

APS_IN_RATIO = "aps"  # the published ratio interval includes the APS sampling error
POISSON_ONLY = "poisson"  # it treats the populations as fixed
UNEXPLAINED = "neither"  # it matches neither computation
UNCHECKED = "unchecked"  # this report could not recompute it


@dataclass(frozen=True)
class GroupTerm:
    """One group's APS term, from the reference table (shown beside the mart's combined term)."""

    se: float  # standard error of the person-years
    relative_variance: float  # (se / person-years)^2
    forces: int


@dataclass(frozen=True)
class WorkedExample:
    geography_name: str
    non_british: str  # counts in words: a range under suppression
    british: str
    a_lower: float
    a_upper: float
    b_lower: float
    b_upper: float
    pya: float  # person-years
    pyb: float
    ratio: str
    estimate: str
    least: float  # least and greatest feasible ratio
    greatest: float
    aps_variance: float  # the mart's population_relative_se^2
    non_british_term: GroupTerm | None
    british_term: GroupTerm | None
    published_lower: float | None
    published_upper: float | None

    @property
    def exact_counts(self) -> bool:
        return self.a_lower == self.a_upper and self.b_lower == self.b_upper

    @property
    def inv_a(self) -> float:
        return 1 / self.a_lower

    @property
    def inv_b(self) -> float:
        return 1 / self.b_lower

    @property
    def se(self) -> float:
        return math.sqrt(self.inv_a + self.inv_b + self.aps_variance)

    @property
    def se_poisson(self) -> float:
        return math.sqrt(self.inv_a + self.inv_b)

    def limits(self, se: float) -> tuple[float, float]:
        return self.least * math.exp(-Z95 * se), self.greatest * math.exp(Z95 * se)

    @property
    def interval(self) -> str:
        low, high = self.limits(self.se)
        return f"{low:.2f} to {high:.2f}"

    @property
    def interval_poisson(self) -> str:
        low, high = self.limits(self.se_poisson)
        return f"{low:.2f} to {high:.2f}"

    @property
    def published(self) -> str:
        if self.published_lower is None or self.published_upper is None:
            return "not published"
        return f"{self.published_lower:.2f} to {self.published_upper:.2f}"

    @property
    def terms_add_up(self) -> bool:
        """The two groups' APS terms from the reference table sum to the mart's."""
        if self.non_british_term is None or self.british_term is None:
            return False
        total = self.non_british_term.relative_variance + self.british_term.relative_variance
        return math.isclose(total, self.aps_variance, rel_tol=1e-6, abs_tol=1e-15)

    @property
    def verdict(self) -> str:
        def matches(se: float) -> bool:
            return all(
                published is not None and math.isclose(value, published, rel_tol=MATCH_TOLERANCE)
                for value, published in zip(
                    self.limits(se), (self.published_lower, self.published_upper), strict=True
                )
            )

        if self.aps_variance > 0 and matches(self.se):
            return APS_IN_RATIO
        return POISSON_ONLY if matches(self.se_poisson) else UNEXPLAINED


def _float(value: object) -> float | None:
    return None if fmt.missing(value) else float(value)  # type: ignore[arg-type]


def national_all_offences(ratios: pd.DataFrame) -> pd.Series | None:
    rows = ratios[
        (ratios["geography_level"] == "national") & (ratios["offence_group"] == ALL_OFFENCES)
    ]
    return None if rows.empty else rows.iloc[0]


def _group_terms(aps_terms: pd.DataFrame | None, group: str, pys: float) -> GroupTerm | None:
    if aps_terms is None:
        return None
    rows = aps_terms[aps_terms["nationality_group"] == group]
    if rows.empty or fmt.missing(rows.iloc[0]["person_years_se"]):
        return None
    se = float(rows.iloc[0]["person_years_se"])
    return GroupTerm(se=se, relative_variance=(se / pys) ** 2, forces=int(rows.iloc[0]["forces"]))


def worked_example(ratios: pd.DataFrame, aps_terms: pd.DataFrame | None) -> WorkedExample | None:
    """The national all-offences rate ratio's interval, recomputed; None when it cannot be (no
    national row, a count that can be 0, or no person-years)."""
    row = national_all_offences(ratios)
    if row is None:
        return None
    names = (
        "non_british_arrests_lower",
        "non_british_arrests_upper",
        "british_arrests_lower",
        "british_arrests_upper",
        "non_british_person_years",
        "british_person_years",
    )
    values = [_float(row[name]) for name in names]
    aps = _float(row["population_relative_se"])
    if aps is None or any(v is None or v <= 0 for v in values):
        return None
    a_lower, a_upper, b_lower, b_upper, pya, pyb = (float(v or 0) for v in values)
    return WorkedExample(
        geography_name=str(row["geography_name"]),
        non_british=fmt.count_range(row["non_british_arrests"], a_lower, a_upper),
        british=fmt.count_range(row["british_arrests"], b_lower, b_upper),
        a_lower=a_lower,
        a_upper=a_upper,
        b_lower=b_lower,
        b_upper=b_upper,
        pya=pya,
        pyb=pyb,
        ratio=fmt.point_or_range(
            row["rate_ratio"], row["rate_ratio_lower"], row["rate_ratio_upper"], fmt.ratio
        ),
        estimate=fmt.estimate_kind(
            row["rate_ratio"],
            row["estimate_method"],
            row["rate_ratio_lower"],
            row["rate_ratio_upper"],
        ),
        least=(a_lower / pya) / (b_upper / pyb),
        greatest=(a_upper / pya) / (b_lower / pyb),
        aps_variance=aps**2,
        non_british_term=_group_terms(aps_terms, "non_british", pya),
        british_term=_group_terms(aps_terms, "british", pyb),
        published_lower=_float(row["rate_ratio_ci_lower"]),
        published_upper=_float(row["rate_ratio_ci_upper"]),
    )


def aps_caveat(verdict: str) -> str:
    """What the page says about the APS sampling error: what the published intervals do."""
    older = (
        "The APS is a sample survey: its British and non-British estimates carry sampling error "
        "and are older than the arrests. "
    )
    city = (
        " No estimate exists for the City of London, whose residents are counted within the "
        "Metropolitan Police area."
    )
    if verdict == APS_IN_RATIO:
        says = (
            "That error is propagated into the rate-ratio intervals by the delta method (see "
            "Methodology); the rate intervals are Poisson only and treat the population as fixed."
        )
    elif verdict == POISSON_ONLY:
        says = (
            "That error is not in any interval shown: the published rate-ratio intervals, like the "
            "rate intervals, treat the populations as fixed, so they are too narrow."
        )
    elif verdict == UNEXPLAINED:
        says = (
            "The published rate-ratio intervals could not be reproduced from the stated method "
            "(see Methodology), so how much of that error they hold is not confirmed; the rate "
            "intervals treat the population as fixed."
        )
    else:
        says = (
            "The rate-ratio intervals are built to include that error by the delta method; this "
            "report could not recompute them to confirm it. The rate intervals treat the "
            "population as fixed."
        )
    return older + says + city


def caveats(verdict: str) -> list[tuple[str, str]]:
    return [
        (
            "Arrests are not charges or convictions.",
            "An arrest records that police suspected an offence; many arrests end with no further action.",
        ),
        (
            "Resident population excludes visitors.",
            "Arrests of anyone (residents, visitors, people in transit) are divided by the usual "
            "resident population, so places with many visitors, such as central London, show "
            "higher rates.",
        ),
        (
            "Nationality denominators are from the Annual Population Survey, July 2015 – June 2016.",
            aps_caveat(verdict),
        ),
        (
            "Suppressed cells are carried as bounds.",
            "Forces suppress small counts (such as * or <5). A suppressed cell is a count within "
            "its file's stated range (by default 1 to 4), never 0: every figure that depends on "
            "one has a feasible range, and its point estimate is the midpoint (each suppressed cell "
            "at the middle of its range). Where every cell behind a figure is suppressed there is "
            "no point estimate and only the range is shown.",
        ),
        (
            "Unknown nationality is its own group.",
            "Arrests with nationality not stated or not recorded have no population to divide by; "
            "their share is shown beside every figure, and the headline ranges are also given with "
            "those arrests allocated to either group.",
        ),
        (
            "Coverage is partial where forces did not report.",
            "Regional and national figures use the forces and months that reported, with the "
            "person-years of those forces; a quarantined return is not used. The coverage section "
            "shows which.",
        ),
    ]
