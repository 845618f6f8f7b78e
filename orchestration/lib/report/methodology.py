"""The methodology section's worked example, and the caveats, stated from the data reported.

The rate-ratio interval is recomputed here from the mart's own columns (counts and their bounds,
person-years) and the Annual Population Survey confidence limits of the reporting forces:

    ln RR = ln((a / PYa) / (b / PYb)),
    se(ln RR)^2 = 1/a + 1/b + (se_PYa / PYa)^2 + (se_PYb / PYb)^2,
    interval = exp(ln RR -/+ z * se),

with each force's APS standard error taken as its 95% half-width / z, scaled by months / 12 like
its person-years, and summed in quadrature over forces. Under suppression the lower limit uses the
lowest feasible non-British count with the highest British one, the upper limit the reverse. The
page then says which computation the published interval matches, so the caveat about the APS
sampling error is whatever the mart really does, not what it was meant to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from orchestration.lib.report import formatting as fmt
from orchestration.lib.report.queries import Z95

ALL_OFFENCES = "All offences"
# Relative tolerance for "the published limit is this computation" (the page prints 2-3 digits).
MATCH_TOLERANCE = 1e-3

APS_IN_RATIO = "aps"  # the published ratio interval includes the APS sampling error
POISSON_ONLY = "poisson"  # it treats the populations as fixed
UNEXPLAINED = "neither"  # it matches neither computation
UNCHECKED = "unchecked"  # this report could not recompute it


@dataclass(frozen=True)
class Limit:
    side: str  # "lower" or "upper"
    non_british: float  # arrests the limit uses
    british: float
    ratio: float  # (a / PYa) / (b / PYb) at those counts
    inv_a: float  # 1 / a
    inv_b: float
    aps_a: float  # (se_PYa / PYa)^2
    aps_b: float
    se: float  # se(ln RR), Poisson and APS terms
    se_poisson: float
    limit: float
    limit_poisson: float


@dataclass(frozen=True)
class WorkedExample:
    geography_name: str
    offence_group: str
    non_british: str  # counts in words, a range under suppression
    british: str
    non_british_person_years: float
    british_person_years: float
    non_british_se: float  # se of the person-years from the APS
    british_se: float
    non_british_forces: int
    british_forces: int
    person_years_match: bool  # the forces summed here give the mart's person-years
    ratio: str
    estimate: str
    lower: Limit  # the lowest feasible non-British count over the highest British one
    upper: Limit  # the reverse; the same counts when nothing is suppressed
    published_lower: float | None
    published_upper: float | None
    verdict: str

    @property
    def exact_counts(self) -> bool:
        return (self.lower.non_british, self.lower.british) == (
            self.upper.non_british,
            self.upper.british,
        )

    @property
    def interval(self) -> str:
        return f"{self.lower.limit:.2f} to {self.upper.limit:.2f}"

    @property
    def interval_poisson(self) -> str:
        return f"{self.lower.limit_poisson:.2f} to {self.upper.limit_poisson:.2f}"

    @property
    def published(self) -> str:
        if self.published_lower is None or self.published_upper is None:
            return "not published"
        return f"{self.published_lower:.2f} to {self.published_upper:.2f}"


def _limit(side: str, a: float, b: float, pya: float, pyb: float, rel_a: float, rel_b: float):
    ratio = (a / pya) / (b / pyb)
    poisson = 1 / a + 1 / b
    se, se_poisson = math.sqrt(poisson + rel_a**2 + rel_b**2), math.sqrt(poisson)
    sign = -1 if side == "lower" else 1
    return Limit(
        side=side,
        non_british=a,
        british=b,
        ratio=ratio,
        inv_a=1 / a,
        inv_b=1 / b,
        aps_a=rel_a**2,
        aps_b=rel_b**2,
        se=se,
        se_poisson=se_poisson,
        limit=ratio * math.exp(sign * Z95 * se),
        limit_poisson=ratio * math.exp(sign * Z95 * se_poisson),
    )


def _close(value: float, published: float | None) -> bool:
    return published is not None and math.isclose(value, published, rel_tol=MATCH_TOLERANCE)


def _float(value: object) -> float | None:
    return None if fmt.missing(value) else float(value)  # type: ignore[arg-type]


def national_all_offences(ratios: pd.DataFrame) -> pd.Series | None:
    rows = ratios[
        (ratios["geography_level"] == "national") & (ratios["offence_group"] == ALL_OFFENCES)
    ]
    return None if rows.empty else rows.iloc[0]


def worked_example(ratios: pd.DataFrame, aps_terms: pd.DataFrame | None) -> WorkedExample | None:
    """The national all-offences rate ratio's interval, recomputed; None when it cannot be
    (no national row, a zero count, no person-years, or no APS limits published)."""
    row = national_all_offences(ratios)
    if row is None or aps_terms is None:
        return None
    terms = {str(t.nationality_group): t for t in aps_terms.itertuples()}
    if set(terms) != {"british", "non_british"}:
        return None
    values = {
        name: _float(row[name])
        for name in (
            "non_british_arrests_lower",
            "non_british_arrests_upper",
            "british_arrests_lower",
            "british_arrests_upper",
            "non_british_person_years",
            "british_person_years",
        )
    }
    if any(v is None or v <= 0 for v in values.values()):
        return None
    a_lo, a_hi = values["non_british_arrests_lower"], values["non_british_arrests_upper"]
    b_lo, b_hi = values["british_arrests_lower"], values["british_arrests_upper"]
    pya, pyb = values["non_british_person_years"], values["british_person_years"]
    assert a_lo and a_hi and b_lo and b_hi and pya and pyb  # for mypy: all positive above
    se_a = float(terms["non_british"].person_years_se)
    se_b = float(terms["british"].person_years_se)
    rel_a, rel_b = se_a / pya, se_b / pyb
    low = _limit("lower", a_lo, b_hi, pya, pyb, rel_a, rel_b)
    high = _limit("upper", a_hi, b_lo, pya, pyb, rel_a, rel_b)
    published_lower = _float(row["rate_ratio_ci_lower"])
    published_upper = _float(row["rate_ratio_ci_upper"])
    if _close(low.limit, published_lower) and _close(high.limit, published_upper):
        verdict = APS_IN_RATIO
    elif _close(low.limit_poisson, published_lower) and _close(high.limit_poisson, published_upper):
        verdict = POISSON_ONLY
    else:
        verdict = UNEXPLAINED
    return WorkedExample(
        geography_name=str(row["geography_name"]),
        offence_group=ALL_OFFENCES,
        non_british=fmt.count_range(
            row["non_british_arrests"], a_lo, row["non_british_arrests_upper"]
        ),
        british=fmt.count_range(row["british_arrests"], b_lo, row["british_arrests_upper"]),
        non_british_person_years=pya,
        british_person_years=pyb,
        non_british_se=se_a,
        british_se=se_b,
        non_british_forces=int(terms["non_british"].forces),
        british_forces=int(terms["british"].forces),
        person_years_match=math.isclose(float(terms["non_british"].person_years), pya, rel_tol=1e-9)
        and math.isclose(float(terms["british"].person_years), pyb, rel_tol=1e-9),
        ratio=fmt.point_or_range(
            row["rate_ratio"], row["rate_ratio_lower"], row["rate_ratio_upper"], fmt.ratio
        ),
        estimate=fmt.estimate_kind(
            row["rate_ratio"],
            row["estimate_method"],
            row["rate_ratio_lower"],
            row["rate_ratio_upper"],
        ),
        lower=low,
        upper=high,
        published_lower=published_lower,
        published_upper=published_upper,
        verdict=verdict,
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
