"""Suppression bounds, midpoint estimates and person-years rates, checked by brute force.

The SYNTHETIC corpus tests/data/bounds_case is refreshed once. Every figure of the marts is then
recomputed here from the corpus' own CSV files, the lookups and the population seed, using none of
the warehouse's code: each bound is the minimum or maximum over EVERY allocation of the suppressed
cells (itertools.product over their declared ranges: 102,400 allocations). Each point estimate is
the figure at the midpoint allocation (every suppressed cell at (lower + upper) / 2). It is exact
when no suppressed cell stands behind it, and NULL when nothing but suppressed cells does.

Which cells stand behind a figure: a count or a rate, the cells of its group; a share (of arrests,
of unknown nationality), the cells of its total; a rate ratio, the non-British and British cells.
Rates are per 100,000 person-years: each force's population x (months its return declares) / 12.

Each test gathers every disagreement (table, key, column, expected, got) before it fails.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from scipy.stats import chi2

from tests.conftest import REPO, refresh

CORPUS = REPO / "tests" / "data" / "bounds_case"
SEEDS = REPO / "dbt_project" / "seeds"
PERIOD = "2023-24"
FY_MONTHS = [f"2023-{m:02d}" for m in range(4, 13)] + [f"2024-{m:02d}" for m in range(1, 4)]
ALL_OFFENCES = "All offences"
GROUPS = ("british", "non_british", "unknown", "all")
NATIONAL = ("national", "K04000001")
REL = 1e-9
Z = 1.959963984540054
EXACT, MIDPOINT = "exact", "midpoint"

Values = np.ndarray  # one value per allocation (a row of the allocation grid)
Measure = Callable[[np.ndarray], Values]


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as fh:
        return list(csv.DictReader(fh))


FORCES = {r["force_code"]: r for r in _seed("reference/ref_forces.csv")}
FORCE_NAMES = {
    name.lower(): code
    for code, r in FORCES.items()
    for name in (code, r["force_name"], r["pfa_name"])
}
POPULATION = {
    (r["force_code"], r["population_group"]): r
    for r in _seed("reference/ref_force_population.csv")
    if r["is_missing"] == "false"
}
NATIONALITY_GROUP = {
    r["nationality_raw"]: r["nationality_group"] for r in _seed("lookups/nationality_lookup.csv")
}
OFFENCE = {
    r["offence_raw"]: (r["offence_code"] or None, r["offence_group"])
    for r in _seed("lookups/offence_lookup.csv")
}
CHILD_SEXUAL_CODES = {
    r["offence_code"]
    for r in _seed("reference/ref_offence_taxonomy.csv")
    if r["is_sexual_offence"] == "true" and r["is_child_victim"] == "true"
}


# --- The corpus, read with csv and yaml alone -------------------------------------------------


@dataclass(eq=False)
class Cell:
    return_id: str
    force: str
    month: str
    offence_code: str | None
    offence_group: str
    group: str
    count: int | None  # None: suppressed
    lower: int
    upper: int

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass
class Return:
    return_id: str
    folder: str
    force: str
    months: list[str]
    cells: list[Cell]
    unreadable: bool  # a count that is neither a whole number nor a declared marker


def _months(start: str, end: str) -> list[str]:
    year, month = map(int, start.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _read_return(manifest_path: Path) -> Return:
    manifest = yaml.safe_load(manifest_path.read_text())
    (spec,) = manifest["files"]
    columns, suppression = spec["columns"], spec["suppression"]
    force = FORCE_NAMES[str(manifest["force"]).lower()]
    cells, unreadable = [], False
    with (manifest_path.parent / spec["path"]).open(newline="") as fh:
        for row in csv.DictReader(fh):
            raw = row[columns["count"]].strip()
            if raw in suppression["markers"]:
                count, lower, upper = None, suppression["lower"], suppression["upper"]
            elif raw.isdigit():
                count = lower = upper = int(raw)
            else:
                unreadable = True
                continue
            code, offence_group = OFFENCE[row[columns["offence"]].strip().lower()]
            month = dt.datetime.strptime(row[columns["month"]], spec["month_format"])
            cells.append(
                Cell(
                    return_id=manifest["return_id"],
                    force=force,
                    month=month.strftime("%Y-%m"),
                    offence_code=code,
                    offence_group=offence_group,
                    group=NATIONALITY_GROUP[row[columns["nationality"]].strip().lower()],
                    count=count,
                    lower=lower,
                    upper=upper,
                )
            )
    period = manifest["period"]
    return Return(
        return_id=manifest["return_id"],
        folder=manifest_path.parent.name,
        force=force,
        months=_months(str(period["start"]), str(period["end"])),
        cells=cells,
        unreadable=unreadable,
    )


RETURNS = [_read_return(p) for p in sorted(CORPUS.glob("*/manifest.yml"))]
GOOD = [r for r in RETURNS if not r.unreadable]
QUARANTINED = [r for r in RETURNS if r.unreadable]
CELLS = [c for r in GOOD for c in r.cells]
SUPPRESSED = [c for c in CELLS if c.suppressed]
MONTHS = {r.force: len(r.months) for r in GOOD}


# --- Every allocation of the suppressed cells -------------------------------------------------

COLUMN = {id(c): j for j, c in enumerate(SUPPRESSED)}


@cache
def _grid() -> np.ndarray:
    """One row per allocation, one column per suppressed cell: every count each could be."""
    ranges = [range(c.lower, c.upper + 1) for c in SUPPRESSED]
    return np.array(list(itertools.product(*ranges)), dtype=float)


MIDPOINT_ALLOCATION = np.array([[(c.lower + c.upper) / 2 for c in SUPPRESSED]])


def count(cells: Iterable[Cell]) -> Measure:
    """The count of `cells` under each allocation (rows of `at`)."""
    cells = list(cells)
    known = sum(c.count or 0 for c in cells)
    columns = [COLUMN[id(c)] for c in cells if c.suppressed]
    return lambda at: known + at[:, columns].sum(axis=1)


def bounds(measure: Measure) -> tuple[float | None, float | None]:
    """(min, max) of a measure over every allocation; a side is None where some allocation leaves
    the measure undefined or unbounded (a zero denominator)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        values = measure(_grid())
    finite = values[np.isfinite(values)]
    if not finite.size:
        return None, None
    return float(finite.min()), float(values.max()) if finite.size == values.size else None


def point(behind: list[Cell], measure: Measure) -> tuple[float | None, str | None]:
    """(estimate, estimate_method): exact with no suppressed cell behind, the midpoint allocation's
    value with some, NULL with nothing but suppressed cells (or an undefined value)."""
    suppressed = sum(c.suppressed for c in behind)
    if behind and suppressed == len(behind):
        return None, None
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(measure(MIDPOINT_ALLOCATION)[0])
    if not np.isfinite(value):
        return None, None
    return value, MIDPOINT if suppressed else EXACT


def point_of_parts(
    parts: list[list[Cell]], behind: list[Cell], measure: Measure
) -> tuple[float | None, str | None]:
    """A share's or a ratio's estimate: NULL when every cell of any of its parts (the share's
    group, each rate of a ratio) is suppressed, as its own count then has no estimate; else the
    midpoint allocation's value, exact when nothing behind it (the total's cells too) is
    suppressed."""
    if any(part and all(c.suppressed for c in part) for part in parts):
        return None, None
    value, _ = point([], measure)
    if value is None:
        return None, None
    return value, MIDPOINT if any(c.suppressed for c in behind) else EXACT


def exact_or_null(cells: list[Cell]) -> int | None:
    return None if any(c.suppressed for c in cells) else sum(c.count or 0 for c in cells)


def garwood(k_lower: float, k_upper: float) -> tuple[float, float]:
    """Exact 95% Poisson limits: the lower one at the lowest feasible count, the upper one at the
    highest."""
    lower = 0.0 if k_lower == 0 else chi2.ppf(0.025, 2 * k_lower) / 2
    return lower, chi2.ppf(0.975, 2 * k_upper + 2) / 2


def population(force: str, group: str) -> int | None:
    row = POPULATION.get((force, group)) if group != "unknown" else None
    return int(row["population"]) if row else None


def person_years(forces: Iterable[str], group: str) -> float | None:
    forces = list(forces)
    pops = [population(f, group) for f in forces]
    if not forces or any(p is None for p in pops):
        return None
    return sum(p * MONTHS[f] / 12 for p, f in zip(pops, forces, strict=True))


def relative_variance(forces: Iterable[str], group: str) -> float:
    """(se of the person-years / person-years)^2: each force's APS se (its 95% half-width / z)
    scaled by its months / 12, forces combined in quadrature."""
    forces = list(forces)
    var = 0.0
    for f in forces:
        row = POPULATION[(f, group)]
        se = (float(row["population_ci_upper"]) - float(row["population_ci_lower"])) / (2 * Z)
        var += (se * MONTHS[f] / 12) ** 2
    years = person_years(forces, group)
    assert years
    return var / years**2


def wilson(k: float, n: float) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * (p * (1 - p) / n + Z * Z / (4 * n * n)) ** 0.5 / (1 + Z * Z / n)
    return centre - half, centre + half


def total_population(forces: Iterable[str], group: str) -> int | None:
    pops = [population(f, group) for f in forces]
    return None if not pops or any(p is None for p in pops) else sum(pops)


def in_group(cells: Iterable[Cell], group: str) -> list[Cell]:
    return [c for c in cells if group == "all" or c.group == group]


def in_offence(cells: Iterable[Cell], offence_group: str) -> list[Cell]:
    return [c for c in cells if offence_group == ALL_OFFENCES or c.offence_group == offence_group]


def reported_groups(force: str) -> set[str]:
    """Offence groups with at least one cell (any value) in the force's return, and the total."""
    return {c.offence_group for c in CELLS if c.force == force} | {ALL_OFFENCES}


def reporting(forces: Iterable[str], offence_group: str) -> list[str]:
    return sorted(f for f in forces if f in MONTHS and offence_group in reported_groups(f))


# --- Expected mart rows -----------------------------------------------------------------------


def rate_measures(group: str, area_cells: list[Cell], forces: list[str]) -> dict[str, object]:
    """The measures of one nationality group of an area x offence group (its cells: area_cells)."""
    cells, unknown = in_group(area_cells, group), in_group(area_cells, "unknown")
    arrests, total, unknowns = count(cells), count(area_cells), count(unknown)
    lower, upper = bounds(arrests)
    suppressed = sum(c.suppressed for c in cells)
    years = person_years(forces, group)
    row: dict[str, object] = {
        "arrests": exact_or_null(cells),
        "arrests_lower": lower,
        "arrests_upper": upper,
        "cells": len(cells),
        "suppressed_cells": suppressed,
        "depends_on_suppressed": suppressed > 0,
        "population": total_population(forces, group),
        "person_years": years,
        "estimate_method": point(cells, arrests)[1],
    }
    if years is None:
        row |= dict.fromkeys(
            ["rate_per_100k", "rate_per_100k_lower", "rate_per_100k_upper"]
            + ["rate_ci_lower", "rate_ci_upper"]
        )
    else:

        def rate(at: np.ndarray) -> Values:
            return arrests(at) / years * 1e5

        ci_lower, ci_upper = garwood(lower, upper)
        row["rate_per_100k"] = point(cells, rate)[0]
        row["rate_per_100k_lower"], row["rate_per_100k_upper"] = bounds(rate)
        row["rate_ci_lower"] = ci_lower / years * 1e5
        row["rate_ci_upper"] = ci_upper / years * 1e5
        row["denominator_method"] = "person_years"

    def share(at: np.ndarray) -> Values:
        return arrests(at) / total(at)

    def unknown_share(at: np.ndarray) -> Values:
        return unknowns(at) / total(at)

    row["share_of_arrests"] = point_of_parts([cells], area_cells, share)[0]
    row["share_of_arrests_lower"], row["share_of_arrests_upper"] = bounds(share)
    row["unknown_nationality_share"] = point_of_parts([unknown], area_cells, unknown_share)[0]
    lower_u, upper_u = bounds(unknown_share)
    row["unknown_nationality_share_lower"], row["unknown_nationality_share_upper"] = (
        lower_u,
        upper_u,
    )
    row["data_origin"] = "synthetic"
    return row


def expected_force_rows() -> dict[tuple, dict[str, object]]:
    rows = {}
    for ret in GOOD:
        force = FORCES[ret.force]
        for offence_group in reported_groups(ret.force):
            cells = in_offence(ret.cells, offence_group)
            for group in GROUPS:
                row = rate_measures(group, cells, [ret.force])
                row |= {
                    "force_name": force["force_name"],
                    "region": force["region_name"],
                    "region_code": force["region_code"],
                    "months_covered": len(ret.months),
                    "is_complete": len(ret.months) == 12,
                }
                pop = POPULATION.get((ret.force, group))
                if pop:
                    row["population_reference_period"] = pop["reference_period"]
                    row["population_source"] = pop["source"]
                rows[(PERIOD, ret.force, offence_group, group)] = row
    return rows


def areas() -> list[tuple[str, str, str, list[str]]]:
    """(level, code, name, its forces) of every region with a reporting force, and the nation."""
    regions = sorted({FORCES[f]["region_code"] for f in MONTHS})
    found = [
        (
            "region",
            code,
            next(r["region_name"] for r in FORCES.values() if r["region_code"] == code),
            sorted(f for f, r in FORCES.items() if r["region_code"] == code),
        )
        for code in regions
    ]
    return [*found, (*NATIONAL, "England and Wales", sorted(FORCES))]


def coverage(forces: list[str]) -> float:
    """Share of the area's population in the forces that reported (any offence group)."""
    return sum(population(f, "all") or 0 for f in forces if f in MONTHS) / sum(
        population(f, "all") or 0 for f in forces
    )


def area_offence_groups(forces: list[str]) -> set[str]:
    return set().union(*(reported_groups(f) for f in forces if f in MONTHS))


def expected_region_rows() -> dict[tuple, dict[str, object]]:
    rows = {}
    for level, code, name, forces in areas():
        if level != "region":
            continue
        for offence_group in area_offence_groups(forces):
            present = reporting(forces, offence_group)
            cells = in_offence([c for c in CELLS if c.force in present], offence_group)
            months = [MONTHS[f] for f in present]
            for group in GROUPS:
                row = rate_measures(group, cells, present)
                row |= {
                    "region": name,
                    "forces_reporting": len(present),
                    "forces_in_region": len(forces),
                    "population_coverage": coverage(forces),
                    "months_covered": min(months),
                    "months_covered_max": max(months),
                    "is_complete": len(present) == len(forces) and min(months) == 12,
                }
                rows[(PERIOD, code, offence_group, group)] = row
    return rows


def ratio_measures(cells: list[Cell], forces: list[str]) -> dict[str, object]:
    """Non-British vs British rate ratio over `cells` (an area x offence group)."""
    a_cells, b_cells, u_cells = (in_group(cells, g) for g in ("non_british", "british", "unknown"))
    a, b, u, total = count(a_cells), count(b_cells), count(u_cells), count(cells)
    years_a, years_b = person_years(forces, "non_british"), person_years(forces, "british")
    assert years_a and years_b

    def ratio(at: np.ndarray) -> Values:
        return (a(at) / years_a) / (b(at) / years_b)

    def ratio_unknown_british(at: np.ndarray) -> Values:  # every unknown arrest a British one
        return (a(at) / years_a) / ((b(at) + u(at)) / years_b)

    def ratio_unknown_non_british(at: np.ndarray) -> Values:
        return ((a(at) + u(at)) / years_a) / (b(at) / years_b)

    def unknown_share(at: np.ndarray) -> Values:
        return u(at) / total(at)

    row: dict[str, object] = {}
    for name, group_cells, measure in (
        ("non_british", a_cells, a),
        ("british", b_cells, b),
        ("unknown", u_cells, u),
    ):
        row[f"{name}_arrests"] = exact_or_null(group_cells)
        row[f"{name}_arrests_lower"], row[f"{name}_arrests_upper"] = bounds(measure)
    row["non_british_person_years"], row["british_person_years"] = years_a, years_b
    row["rate_ratio"], row["estimate_method"] = point_of_parts(
        [a_cells, b_cells], a_cells + b_cells, ratio
    )
    row["rate_ratio_lower"], row["rate_ratio_upper"] = bounds(ratio)
    row["rate_ratio_lower_incl_unknown"] = bounds(ratio_unknown_british)[0]
    row["rate_ratio_upper_incl_unknown"] = bounds(ratio_unknown_non_british)[1]
    # Log method with the APS error (delta method), the se at the smallest feasible counts
    # around the least and greatest feasible ratio (README, Methodology). With no non-British
    # arrest possible the lower limit is 0 (the upper one is not checked: the log method has none).
    a_lo, b_lo = row["non_british_arrests_lower"], row["british_arrests_lower"]
    least, greatest = row["rate_ratio_lower"], row["rate_ratio_upper"]
    if a_lo and b_lo:
        se = (
            1 / a_lo
            + 1 / b_lo
            + relative_variance(forces, "non_british")
            + relative_variance(forces, "british")
        ) ** 0.5
        row["rate_ratio_ci_lower"] = float(np.exp(np.log(least) - Z * se))
        row["rate_ratio_ci_upper"] = float(np.exp(np.log(greatest) + Z * se))
    elif a_lo == 0 and row["british_arrests_upper"]:
        row["rate_ratio_ci_lower"] = 0.0
    months = [MONTHS[f] for f in forces]
    row |= {
        "forces_reporting": len(forces),
        "suppressed_cells": sum(c.suppressed for c in cells),
        "unknown_nationality_share": point_of_parts([u_cells], cells, unknown_share)[0],
        "months_covered": min(months),
        "data_origin": "synthetic",
    }
    return row


def expected_ratio_rows() -> dict[tuple, dict[str, object]]:
    rows = {}
    for level, code, name, forces in areas():
        for offence_group in area_offence_groups(forces):
            present = reporting(forces, offence_group)
            cells = in_offence([c for c in CELLS if c.force in present], offence_group)
            row = ratio_measures(cells, present)
            row |= {
                "geography_name": name,
                "population_coverage": coverage(forces),
                "is_complete": len(present) == len(forces) and row["months_covered"] == 12,
            }
            rows[(PERIOD, level, code, offence_group)] = row
    return rows


def share_figure(cells: list[Cell], forces: list[str]) -> dict[str, object]:
    """A headline share: non-British arrests / all arrests (unknown nationality included)."""
    a_cells, u_cells = in_group(cells, "non_british"), in_group(cells, "unknown")
    a, u, total = count(a_cells), count(u_cells), count(cells)

    def share(at: np.ndarray) -> Values:
        return a(at) / total(at)

    def share_unknown_non_british(at: np.ndarray) -> Values:
        return (a(at) + u(at)) / total(at)

    def unknown_share(at: np.ndarray) -> Values:
        return u(at) / total(at)

    value, method = point_of_parts([a_cells], cells, share)
    lower, upper = bounds(share)
    numerator, denominator = bounds(a), bounds(total)
    # Wilson 95% limits at the least and the greatest feasible share: the numerator at its bound,
    # the rest of the denominator at the opposite one.
    (a_lo, a_hi), (t_lo, t_hi) = numerator, denominator
    assert a_lo is not None and a_hi is not None and t_lo is not None and t_hi is not None
    months = [MONTHS[f] for f in forces]
    return {
        "value": value,
        "estimate_method": method,
        "value_lower": lower,
        "value_upper": upper,
        "value_lower_incl_unknown": lower,  # unknown arrests all British: the share's own minimum
        "value_upper_incl_unknown": bounds(share_unknown_non_british)[1],
        "ci_lower": wilson(a_lo, a_lo + t_hi - a_hi)[0],
        "ci_upper": wilson(a_hi, a_hi + t_lo - a_lo)[1],
        "numerator_lower": numerator[0],
        "numerator_upper": numerator[1],
        "denominator_lower": denominator[0],
        "denominator_upper": denominator[1],
        "unit": "share",
        "forces_reporting": len(forces),
        "forces_total": len(FORCES),
        "population_coverage": sum(population(f, "all") or 0 for f in forces)
        / sum(population(f, "all") or 0 for f in FORCES),
        "months_covered_min": min(months),
        "suppressed_cells": sum(c.suppressed for c in cells),
        "unknown_nationality_share": point_of_parts([u_cells], cells, unknown_share)[0],
        "is_complete": len(forces) == len(FORCES) and min(months) == 12,
        "data_origin": "synthetic",
    }


def expected_headline_rows() -> dict[tuple, dict[str, object]]:
    rows = {}
    for figure_id, offence_group in (
        ("non_british_share_all_arrests", ALL_OFFENCES),
        ("non_british_share_sexual_offences", "Sexual offences"),
    ):
        forces = reporting(FORCES, offence_group)
        cells = in_offence(CELLS, offence_group)
        rows[(figure_id, PERIOD)] = share_figure(cells, forces)
    # Child sexual offences: only forces whose returns name Home Office offences can tell.
    detailed = sorted({c.force for c in CELLS if c.offence_code})
    child = [c for c in CELLS if c.force in detailed and c.offence_code in CHILD_SEXUAL_CODES]
    rows[("non_british_share_child_sexual_offences", PERIOD)] = share_figure(child, detailed)
    ratios = expected_ratio_rows()
    for figure_id, offence_group in (
        ("rate_ratio_non_british_vs_british_all_arrests", ALL_OFFENCES),
        ("rate_ratio_non_british_vs_british_sexual_offences", "Sexual offences"),
    ):
        ratio = ratios[(PERIOD, *NATIONAL, offence_group)]
        rows[(figure_id, PERIOD)] = {
            "value": ratio["rate_ratio"],
            "estimate_method": ratio["estimate_method"],
            "value_lower": ratio["rate_ratio_lower"],
            "value_upper": ratio["rate_ratio_upper"],
            "value_lower_incl_unknown": ratio["rate_ratio_lower_incl_unknown"],
            "value_upper_incl_unknown": ratio["rate_ratio_upper_incl_unknown"],
            "ci_lower": ratio.get("rate_ratio_ci_lower"),
            "ci_upper": ratio.get("rate_ratio_ci_upper"),
            "numerator_lower": ratio["non_british_arrests_lower"],
            "numerator_upper": ratio["non_british_arrests_upper"],
            "denominator_lower": ratio["british_arrests_lower"],
            "denominator_upper": ratio["british_arrests_upper"],
            "unit": "ratio",
            "forces_reporting": ratio["forces_reporting"],
            "forces_total": len(FORCES),
            "population_coverage": ratio["population_coverage"],
            "months_covered_min": ratio["months_covered"],
            "suppressed_cells": ratio["suppressed_cells"],
            "unknown_nationality_share": ratio["unknown_nationality_share"],
            "is_complete": False,
            "data_origin": "synthetic",
        }
    return rows


# --- Comparison -------------------------------------------------------------------------------


def _same(expected: object, got: object) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, str) or isinstance(got, str):
        return expected == got
    return float(got) == pytest.approx(float(expected), rel=REL, abs=1e-12)


def compare(
    table: str, expected: dict[tuple, dict[str, object]], got: dict[tuple, dict[str, object]]
) -> list[str]:
    """Every disagreement: rows missing or extra, and each column that differs."""
    problems = [f"{table} {key}: row missing" for key in sorted(set(expected) - set(got))]
    problems += [f"{table} {key}: unexpected row" for key in sorted(set(got) - set(expected))]
    for key in sorted(set(expected) & set(got)):
        for column, want in expected[key].items():
            if column not in got[key]:
                problems.append(f"{table}: no column {column}")
            elif not _same(want, got[key][column]):
                problems.append(
                    f"{table} {key} {column}: expected {want!r}, got {got[key][column]!r}"
                )
    return sorted(set(problems), key=problems.index)


def report(problems: list[str]) -> str:
    return f"{len(problems)} disagreement(s):\n" + "\n".join(problems[:200])


def mart(warehouse: Path, table: str, key: list[str]) -> dict[tuple, dict[str, object]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(f"select * from marts.{table}")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        if isinstance(row.get("month"), dt.date):
            row["month"] = row["month"].strftime("%Y-%m")
    return {tuple(row[k] for k in key): row for row in rows}


FORCE_KEY = ["period", "force_code", "offence_group", "nationality_group"]
REGION_KEY = ["period", "region_code", "offence_group", "nationality_group"]
RATIO_KEY = ["period", "geography_level", "geography_code", "offence_group"]
HEADLINE_KEY = ["figure_id", "period"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The corpus refreshed once into a temporary warehouse (the quarantined return aside)."""
    root = tmp_path_factory.mktemp("bounds_case")
    landing = root / "landing"
    shutil.copytree(CORPUS, landing)
    published = root / "warehouse" / "warehouse.duckdb"
    outcome = refresh(landing, published)
    assert outcome.published, outcome.problems
    assert sorted(outcome.quarantined) == sorted(r.return_id for r in QUARANTINED)
    return published


# --- The corpus is what the tests need ----------------------------------------------------------


def test_corpus_is_synthetic_and_small_enough_to_enumerate():
    for path in CORPUS.glob("*/manifest.yml"):
        manifest = yaml.safe_load(path.read_text())
        assert manifest["data_origin"] == "synthetic" and "SYNTHETIC" in manifest["notes"]
    assert len(_grid()) == np.prod([c.upper - c.lower + 1 for c in SUPPRESSED]) <= 200_000
    assert {c.lower for c in SUPPRESSED} == {0, 1}  # two declared ranges: 1..4 and 0..9
    assert sorted(MONTHS.values()) == [6, 9, 12, 12]
    assert len({FORCES[f]["region_code"] for f in MONTHS}) == 2 and len(QUARANTINED) == 1
    by_force_month: dict[tuple, list[Cell]] = {}
    for c in CELLS:
        by_force_month.setdefault((c.force, c.month), []).append(c)
    assert any(all(c.count == 0 for c in cells) for cells in by_force_month.values())
    assert any(m not in {c.month for c in r.cells} for r in GOOD for m in r.months)
    figures: dict[tuple, list[Cell]] = {}
    for c in CELLS:
        figures.setdefault((c.force, c.offence_group, c.group), []).append(c)
    assert any(all(c.suppressed for c in cells) for cells in figures.values())
    assert any(not in_group(r.cells, "non_british") for r in GOOD)
    assert any(in_group(r.cells, "unknown") for r in GOOD)
    assert {c.offence_group for c in CELLS} >= {"Sexual offences"}
    assert any(c.offence_code in CHILD_SEXUAL_CODES for c in CELLS)


# --- The marts against the brute force ---------------------------------------------------------


def test_force_rates_match_brute_force(warehouse):
    got = mart(warehouse, "rates_by_force_offence", FORCE_KEY)
    problems = compare("rates_by_force_offence", expected_force_rows(), got)
    assert not problems, report(problems)


def test_region_rates_match_brute_force(warehouse):
    got = mart(warehouse, "rates_by_region_offence", REGION_KEY)
    problems = compare("rates_by_region_offence", expected_region_rows(), got)
    assert not problems, report(problems)


def test_rate_ratios_match_brute_force(warehouse):
    got = mart(warehouse, "nationality_rate_ratios", RATIO_KEY)
    problems = compare("nationality_rate_ratios", expected_ratio_rows(), got)
    assert not problems, report(problems)


def test_headline_figures_match_brute_force(warehouse):
    got = mart(warehouse, "headline_figures", HEADLINE_KEY)
    problems = compare("headline_figures", expected_headline_rows(), got)
    assert not problems, report(problems)


# --- What every published row must satisfy, whatever its value ---------------------------------


def _inside(value, lower, upper) -> bool:
    return value is None or (
        lower is not None
        and lower * (1 - REL) - 1e-12 <= value
        and (upper is None or value <= upper * (1 + REL) + 1e-12)
    )


def test_estimates_inside_bounds_and_intervals_contain_the_feasible_range(warehouse):
    problems = []
    for table, key in (
        ("rates_by_force_offence", FORCE_KEY),
        ("rates_by_region_offence", REGION_KEY),
    ):
        for k, row in mart(warehouse, table, key).items():
            for measure in ("arrests", "rate_per_100k", "share_of_arrests"):
                if not _inside(row[measure], row[f"{measure}_lower"], row[f"{measure}_upper"]):
                    problems.append(f"{table} {k} {measure} outside its bounds: {row}")
            if row["rate_per_100k_lower"] is not None and not (
                row["rate_ci_lower"] <= row["rate_per_100k_lower"] * (1 + REL)
                and row["rate_ci_upper"] >= row["rate_per_100k_upper"] * (1 - REL)
            ):
                problems.append(f"{table} {k}: rate CI does not contain the feasible range")
            if row["arrests"] is not None and row["arrests_lower"] != row["arrests_upper"]:
                problems.append(f"{table} {k}: exact arrests {row['arrests']} with wide bounds")
    for k, row in mart(warehouse, "nationality_rate_ratios", RATIO_KEY).items():
        if not _inside(row["rate_ratio"], row["rate_ratio_lower"], row["rate_ratio_upper"]):
            problems.append(f"nationality_rate_ratios {k}: rate_ratio outside its bounds")
        if not _inside(
            row["rate_ratio"],
            row["rate_ratio_lower_incl_unknown"],
            row["rate_ratio_upper_incl_unknown"],
        ):
            problems.append(f"nationality_rate_ratios {k}: rate_ratio outside incl_unknown bounds")
        if row["rate_ratio_lower"] is not None and row["rate_ratio_ci_lower"] is not None:
            if row["rate_ratio_ci_lower"] > row["rate_ratio_lower"] * (1 + REL):
                problems.append(f"nationality_rate_ratios {k}: CI lower above the ratio's lower")
        if row["rate_ratio_upper"] is not None and row["rate_ratio_ci_upper"] is not None:
            if row["rate_ratio_ci_upper"] < row["rate_ratio_upper"] * (1 - REL):
                problems.append(f"nationality_rate_ratios {k}: CI upper below the ratio's upper")
    for k, row in mart(warehouse, "headline_figures", HEADLINE_KEY).items():
        if not _inside(row["value"], row["value_lower"], row["value_upper"]):
            problems.append(f"headline_figures {k}: value outside its bounds")
        if row["value_lower"] is not None and not (
            row["ci_lower"] <= row["value_lower"] * (1 + REL)
            and (row["value_upper"] is None or row["ci_upper"] >= row["value_upper"] * (1 - REL))
        ):
            problems.append(f"headline_figures {k}: CI does not contain the feasible range")
    assert not problems, report(problems)


# --- The cases the corpus was built for, spelled out -------------------------------------------


def _force_row(warehouse: Path, force: str, offence_group: str, group: str) -> dict:
    return mart(warehouse, "rates_by_force_offence", FORCE_KEY)[
        (PERIOD, force, offence_group, group)
    ]


def test_a_month_of_zeros_still_counts_its_months_and_population(warehouse):
    durham = next(r for r in GOOD if r.force == "E23000008")
    zero_month = next(
        m for m in durham.months if all(c.count == 0 for c in durham.cells if c.month == m)
    )
    assert any(c.month == zero_month for c in durham.cells)
    row = _force_row(warehouse, "E23000008", ALL_OFFENCES, "all")
    assert row["months_covered"] == len(durham.months) == 6
    assert row["population"] == population("E23000008", "all")
    assert row["person_years"] == pytest.approx(population("E23000008", "all") * 6 / 12, rel=REL)
    coverage_rows = mart(warehouse, "force_month_coverage", ["force_code", "month"])
    month = coverage_rows[("E23000008", zero_month)]
    assert (month["status"], month["cells"]) == (
        "received",
        sum(c.month == zero_month for c in durham.cells),
    )


def test_a_declared_month_without_cells_is_covered(warehouse):
    cleveland = next(r for r in GOOD if r.force == "E23000013")
    (empty,) = [m for m in cleveland.months if m not in {c.month for c in cleveland.cells}]
    row = _force_row(warehouse, "E23000013", ALL_OFFENCES, "british")
    assert row["months_covered"] == len(cleveland.months) == 9
    assert row["person_years"] == pytest.approx(
        population("E23000013", "british") * 9 / 12, rel=REL
    )
    month = mart(warehouse, "force_month_coverage", ["force_code", "month"])[("E23000013", empty)]
    assert month["status"] == "received" and month["cells"] in (0, None)


def test_a_nationality_group_without_arrests_has_a_zero_rate_row(warehouse):
    (cumbria,) = [r for r in GOOD if not in_group(r.cells, "non_british")]
    for offence_group in reported_groups(cumbria.force):
        row = _force_row(warehouse, cumbria.force, offence_group, "non_british")
        assert (row["arrests"], row["arrests_lower"], row["arrests_upper"]) == (0, 0, 0)
        assert (row["rate_per_100k"], row["rate_per_100k_lower"], row["rate_per_100k_upper"]) == (
            0,
            0,
            0,
        )
        assert row["rate_ci_lower"] == 0 and row["rate_ci_upper"] > 0
        assert row["rate_ci_upper"] == pytest.approx(
            chi2.ppf(0.975, 2) / 2 / person_years([cumbria.force], "non_british") * 1e5, rel=REL
        )


def test_a_wholly_suppressed_figure_has_bounds_and_no_estimate(warehouse):
    polish = [
        c
        for c in CELLS
        if (c.force, c.offence_group, c.group) == ("E23000008", "Sexual offences", "non_british")
    ]
    assert polish and all(c.suppressed for c in polish)
    row = _force_row(warehouse, "E23000008", "Sexual offences", "non_british")
    years = person_years(["E23000008"], "non_british")
    low, high = sum(c.lower for c in polish), sum(c.upper for c in polish)
    assert (row["arrests"], row["rate_per_100k"], row["estimate_method"]) == (None, None, None)
    assert (row["arrests_lower"], row["arrests_upper"]) == (low, high)
    assert row["rate_per_100k_lower"] == pytest.approx(low / years * 1e5, rel=REL)
    assert row["rate_per_100k_upper"] == pytest.approx(high / years * 1e5, rel=REL)
    assert row["depends_on_suppressed"] is True and row["suppressed_cells"] == len(polish)


def test_months_covered_are_the_declared_months(warehouse):
    rows = mart(warehouse, "rates_by_force_offence", FORCE_KEY)
    for key, row in rows.items():
        assert row["months_covered"] == MONTHS[key[1]], key
    coverage_rows = mart(warehouse, "return_coverage", ["period", "force_code"])
    for ret in GOOD:
        assert coverage_rows[(PERIOD, ret.force)]["months_covered"] == len(ret.months)


# --- Coverage ---------------------------------------------------------------------------------


def test_force_month_coverage(warehouse):
    got = mart(warehouse, "force_month_coverage", ["force_code", "month"])
    expected: dict[tuple, dict[str, object]] = {}
    for force, ref in FORCES.items():
        for month in FY_MONTHS:
            good = [r for r in GOOD if r.force == force and month in r.months]
            bad = [r for r in QUARANTINED if r.force == force and month in r.months]
            cells = [c for r in good for c in r.cells if c.month == month]
            row: dict[str, object] = {
                "period": PERIOD,
                "force_name": ref["force_name"],
                "region": ref["region_name"],
                "status": "received" if good else "quarantined" if bad else "missing",
            }
            if good:
                row |= {
                    "return_ids": ", ".join(r.return_id for r in good),
                    "cells": len(cells),
                    "suppressed_cells": sum(c.suppressed for c in cells),
                    "data_origin": "synthetic",
                }
            expected[(force, month)] = row
    problems = compare("force_month_coverage", expected, got)
    for key, row in got.items():
        declared_bad = [r for r in QUARANTINED if r.force == key[0] and key[1] in r.months]
        if declared_bad and not (row["quarantine_reason"] and row["quarantined_folders"]):
            problems.append(f"force_month_coverage {key}: no quarantine reason / folder: {row}")
        if declared_bad and declared_bad[0].folder not in str(row["quarantined_folders"]):
            problems.append(f"force_month_coverage {key}: quarantined_folders {row}")
        if not declared_bad and row["quarantine_reason"] is not None:
            problems.append(f"force_month_coverage {key}: unexpected quarantine_reason {row}")
    assert not problems, report(problems)


def test_return_coverage_status_and_declared_months(warehouse):
    got = mart(warehouse, "return_coverage", ["period", "force_code"])
    expected: dict[tuple, dict[str, object]] = {}
    for force in FORCES:
        good = [r for r in GOOD if r.force == force]
        bad = [r for r in QUARANTINED if r.force == force]
        row: dict[str, object] = {
            "status": "received" if good else "quarantined" if bad else "missing",
            "has_return": bool(good),
        }
        if good:
            cells = [c for r in good for c in r.cells]
            row |= {
                "return_ids": ", ".join(r.return_id for r in good),
                "months_covered": sum(len(r.months) for r in good),
                "cells": len(cells),
                "suppressed_cells": sum(c.suppressed for c in cells),
            }
        expected[(PERIOD, force)] = row
    problems = compare("return_coverage", expected, got)
    for ret in QUARANTINED:
        if not got[(PERIOD, ret.force)]["quarantine_reason"]:
            problems.append(f"return_coverage {ret.force}: no quarantine_reason")
    assert not problems, report(problems)


def test_source_cells_carry_their_declared_bounds(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select return_id, is_suppressed, arrests_lower, arrests_upper from marts.source_cells"
        ).fetchall()
    expected = sorted((c.return_id, c.suppressed, c.lower, c.upper) for c in CELLS)
    assert sorted(rows) == expected
