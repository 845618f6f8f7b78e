"""Figures recomputed from a corpus' cells with none of the warehouse's code: plain Python and
scipy, the methodology as the README states it. The independent side of tests/test_figure.py (b)
and tests/test_worked_case.py."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, Protocol

from scipy.stats import chi2

from tests.conftest import REPO

SEEDS = REPO / "dbt_project" / "seeds" / "reference"
Z = 1.959963984540054
REL = 1e-9
NATIONALITY_GROUPS = ("all", "british", "non_british", "unknown")
# The keys every figure has (issue 13); COLUMNS may add more.
REQUIRED_KEYS = (
    "period area_level area_code area_name nationality_group arrests arrests_lower arrests_upper "
    "rate_per_100k rate_per_100k_lower rate_per_100k_upper rate_ci_lower rate_ci_upper "
    "estimate_method share share_lower share_upper share_ci_lower share_ci_upper rate_ratio "
    "rate_ratio_lower rate_ratio_upper rate_ratio_lower_incl_unknown rate_ratio_upper_incl_unknown "
    "rate_ratio_ci_lower rate_ratio_ci_upper forces_reporting forces_in_area forces_missing "
    "months_covered months_requested population_covered unknown_nationality_share is_complete "
    "data_origin source_cells"
).split()
RATIO_KEYS = [k for k in REQUIRED_KEYS if k.startswith("rate_ratio")]


def same(expected: Any, got: Any) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, float) or isinstance(got, float):
        return math.isclose(expected, got, rel_tol=REL, abs_tol=1e-12)
    return expected == got


def differences(expected: dict, got: dict, columns: dict[str, str], key: tuple) -> list[str]:
    """Every column (ours -> theirs) where `got` (a figure row) differs from `expected`."""
    return [
        f"{key} {ours}: expected {expected[theirs]!r}, got {got[ours]!r}"
        for ours, theirs in columns.items()
        if not same(expected[theirs], got[ours])
    ]


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


FORCES = {r["force_code"]: r for r in _seed("ref_forces.csv")}
POPULATION = {
    (r["force_code"], r["population_group"]): r for r in _seed("ref_force_population.csv")
}


class Cell(Protocol):
    """A count cell as a corpus' own reader sees it: suppressed cells at their declared bounds."""

    @property
    def force(self) -> str: ...  # ONS code
    @property
    def month(self) -> str: ...  # YYYY-MM
    @property
    def code(self) -> str | None: ...  # Home Office code, None for an offence group
    @property
    def nationality_group(self) -> str: ...
    @property
    def lower(self) -> int: ...
    @property
    def upper(self) -> int: ...
    @property
    def suppressed(self) -> bool: ...


def areas(level: str, forces: Collection[str] = ()) -> dict[str, list[str]]:
    """Area code -> its forces' codes; at the force level only `forces` when given."""
    if level == "national":
        return {"K04000001": list(FORCES)}
    if level == "region":
        regions: dict[str, list[str]] = {}
        for code, force in FORCES.items():
            regions.setdefault(force["region_code"], []).append(code)
        return regions
    return {code: [code] for code in FORCES if not forces or code in forces}


def wilson(k: float, n: float, sign: int) -> float | None:
    if n <= 0:
        return None
    p = k / n
    centre = p + Z**2 / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2))
    return (centre + sign * spread) / (1 + Z**2 / n)


def div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def expected_figures(
    cells: Iterable[Cell],
    declared: dict[str, Sequence[str]],
    months: Sequence[str],
    counts: Callable[[Any], bool],
    behind_by: str,
    level: str,
    forces: Collection[str] = (),
) -> dict[tuple, dict]:
    """Every figure of a request, keyed by (area code, nationality group).

    declared: each force's declared months; months: the requested ones; counts: which cells the
    offence counts; behind_by: which forces stand behind it: 'all' (those declaring a requested
    month), 'group' (those that sent a counted cell) or 'detailed' (those whose cells name an
    offence by its Home Office code): in any month, since a return stands behind every month it
    declares (the corpora here give a force only returns alike in these respects)."""
    cells = list(cells)
    covered = {f: [m for m in ms if m in months] for f, ms in declared.items()}
    in_range = [c for c in cells if c.month in months]
    by_force: dict[str, list[Any]] = {}
    for c in in_range:
        by_force.setdefault(c.force, []).append(c)
    if behind_by == "all":
        behind = {f for f, ms in covered.items() if ms}
    elif behind_by == "detailed":
        behind = {c.force for c in cells if covered.get(c.force) and c.code is not None}
    else:
        behind = {c.force for c in cells if covered.get(c.force) and counts(c)}
    rows = {}
    for area, members in areas(level, forces).items():
        reporting = sorted(f for f in members if f in behind)
        totals = {}
        for group in NATIONALITY_GROUPS:
            chosen = [
                c
                for f in reporting
                for c in by_force.get(f, ())
                if counts(c) and (group == "all" or c.nationality_group == group)
            ]
            lo, hi = sum(c.lower for c in chosen), sum(c.upper for c in chosen)
            suppressed = sum(c.suppressed for c in chosen)
            person_years = se = None
            if group != "unknown":
                person_years = sum(
                    int(POPULATION[(f, group)]["population"]) * len(covered[f]) / 12
                    for f in reporting
                )
                se = math.sqrt(
                    sum(
                        (
                            (
                                int(POPULATION[(f, group)]["population_ci_upper"] or 0)
                                - int(POPULATION[(f, group)]["population_ci_lower"] or 0)
                            )
                            / (2 * Z)
                            * len(covered[f])
                            / 12
                        )
                        ** 2
                        for f in reporting
                    )
                )
            mid = (lo + hi) / 2 if suppressed < len(chosen) or not suppressed else None
            totals[group] = dict(lo=lo, hi=hi, mid=mid, s=suppressed, n=len(chosen))
            totals[group] |= dict(py=person_years or None, se=se)
        population = {f: int(POPULATION[(f, "all")]["population"]) for f in members}
        coverage = {
            "forces_reporting": len(reporting),
            "forces_in_area": len(members),
            "forces_missing": sorted(FORCES[f]["force_name"] for f in members if f not in behind),
            "months_covered": min((len(covered[f]) for f in reporting), default=0),
            "months_requested": len(months),
            "population_covered": sum(population[f] for f in reporting) / sum(population.values()),
            "is_complete": len(reporting) == len(members)
            and all(len(covered[f]) == len(months) for f in reporting),
        }
        t, u, a, b = (totals[g] for g in ("all", "unknown", "non_british", "british"))
        for group in NATIONALITY_GROUPS:
            g = totals[group]
            row: dict[str, Any] = dict.fromkeys(REQUIRED_KEYS) | coverage
            row |= {"area_level": level, "area_code": area, "nationality_group": group}
            row["area_name"] = {
                "national": "England and Wales",
                "region": FORCES[members[0]]["region_name"],
                "force": FORCES[members[0]]["force_name"],
            }[level]
            rows[(area, group)] = row
            row["source_cells"] = g["n"] if reporting else None
            if not reporting:
                continue
            py, per = g["py"], 100_000
            poisson_lower = chi2.ppf(0.025, 2 * g["lo"]) / 2 if g["lo"] else 0.0
            row |= {
                "arrests": g["lo"] if not g["s"] else None,
                "arrests_lower": g["lo"],
                "arrests_upper": g["hi"],
                "estimate_method": "exact"
                if not g["s"]
                else "midpoint"
                if g["s"] < g["n"]
                else None,
                "rate_per_100k": div(None if g["mid"] is None else g["mid"] * per, py),
                "rate_per_100k_lower": div(g["lo"] * per, py),
                "rate_per_100k_upper": div(g["hi"] * per, py),
                "rate_ci_lower": div(poisson_lower * per, py),
                "rate_ci_upper": div(chi2.ppf(0.975, 2 * g["hi"] + 2) / 2 * per, py),
                "share": div(g["mid"], (t["lo"] + t["hi"]) / 2),
                "share_lower": div(g["lo"], g["lo"] + t["hi"] - g["hi"]),
                "share_upper": div(g["hi"], g["hi"] + t["lo"] - g["lo"]),
                "share_ci_lower": wilson(g["lo"], g["lo"] + t["hi"] - g["hi"], -1),
                "share_ci_upper": wilson(g["hi"], g["hi"] + t["lo"] - g["lo"], +1),
                "unknown_nationality_share": div(u["mid"], (t["lo"] + t["hi"]) / 2),
                "data_origin": "synthetic",
            }
            if group == "non_british":
                rate = lambda count, x: count / x["py"]  # noqa: E731
                least = div(rate(a["lo"], a), rate(b["hi"], b))
                greatest = div(rate(a["hi"], a), rate(b["lo"], b))
                rel_var = (a["se"] / a["py"]) ** 2 + (b["se"] / b["py"]) ** 2
                ci_lower = ci_upper = None
                if a["lo"] == 0 and b["hi"] > 0:
                    ci_lower = 0.0
                if a["lo"] > 0 and b["lo"] > 0:
                    se = math.sqrt(1 / a["lo"] + 1 / b["lo"] + rel_var)
                    ci_lower = math.exp(math.log(least) - Z * se)
                    ci_upper = math.exp(math.log(greatest) + Z * se)
                both = a["mid"] is not None and b["mid"] is not None and b["mid"] > 0
                row |= {
                    "rate_ratio": rate(a["mid"], a) / rate(b["mid"], b) if both else None,
                    "rate_ratio_lower": least,
                    "rate_ratio_upper": greatest,
                    "rate_ratio_lower_incl_unknown": div(
                        rate(a["lo"], a), rate(b["hi"] + u["hi"], b)
                    ),
                    "rate_ratio_upper_incl_unknown": div(
                        rate(a["hi"] + u["hi"], a), rate(b["lo"], b)
                    ),
                    "rate_ratio_ci_lower": ci_lower,
                    "rate_ratio_ci_upper": ci_upper,
                }
    return rows
