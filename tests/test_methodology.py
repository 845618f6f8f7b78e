"""Mart figures recomputed independently: counts straight from the landing files (csv / openpyxl /
odfpy, never the warehouse's parser), suppressed cells' ranges and declared periods from the
manifests, denominators from the population seed, offence flags from the lookup and taxonomy seeds,
intervals with scipy or by hand; compared to 1e-9.

As the marts publish them (issue 16): a suppressed cell is a count in its file's declared range;
`arrests` is exact or NULL, with `arrests_lower` / `arrests_upper`; point estimates put every
suppressed cell at the midpoint of its range; rates are per 100,000 person-years (population x
declared months / 12); intervals are widened over suppression (the lower limit at the lowest
feasible count, the upper at the highest)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import math
from collections import Counter
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml
from scipy.stats import chi2

from tests.conftest import REPO, SAMPLE_LANDING

SEEDS = REPO / "dbt_project" / "seeds"
Z = 1.959963984540054
REL = 1e-9


def _nationality_groups() -> dict[str, str]:
    with (SEEDS / "lookups" / "nationality_lookup.csv").open() as fh:
        return {r["nationality_raw"]: r["nationality_group"] for r in csv.DictReader(fh)}


def _population(group: str) -> dict[str, int]:
    with (SEEDS / "reference" / "ref_force_population.csv").open() as fh:
        return {
            r["force_code"]: int(r["population"])
            for r in csv.DictReader(fh)
            if r["population_group"] == group and r["is_missing"] == "false"
        }


def _offence_groups() -> dict[str, str]:
    with (SEEDS / "lookups" / "offence_lookup.csv").open() as fh:
        return {r["offence_raw"]: r["offence_group"] for r in csv.DictReader(fh)}


def _forces_by_name() -> dict[str, str]:
    """ONS code, force name or police force area name (lower-cased) -> ONS code."""
    names = {}
    with (SEEDS / "reference" / "ref_forces.csv").open() as fh:
        for r in csv.DictReader(fh):
            for name in (r["force_code"], r["force_name"], r["pfa_name"]):
                names[name.lower()] = r["force_code"]
    return names


def _population_se(group: str) -> dict[str, float]:
    """Standard error of each force's APS estimate, from its 95% interval."""
    with (SEEDS / "reference" / "ref_force_population.csv").open() as fh:
        return {
            r["force_code"]: (float(r["population_ci_upper"]) - float(r["population_ci_lower"]))
            / (2 * Z)
            for r in csv.DictReader(fh)
            if r["population_group"] == group and r["is_missing"] == "false"
        }


def _iso(month: str, fmt: str) -> str:
    return dt.datetime.strptime(month, fmt).strftime("%Y-%m")


def _cell(
    month: str, offence: str, nationality: str, count: str, suppressed: set, nil: set = frozenset()
):
    return {
        "month": month,
        "offence": offence,
        "nationality": nationality,
        "count": count,
        "suppressed": count in suppressed,
        "known": 0 if count in suppressed or count in nil else int(count),
    }


def _csv_long(folder: Path) -> list[dict]:
    with (folder / "arrests_by_nationality.csv").open() as fh:
        return [
            _cell(r["Month"], r["Offence Group"], r["Nationality"], r["Arrests"], {"*"})
            for r in csv.DictReader(fh)
        ]


def _xlsx_wide(folder: Path) -> list[dict]:
    sheet = openpyxl.load_workbook(folder / "foi_response_arrests.xlsx", read_only=True)["Arrests"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    return [
        _cell(row[0], row[1], name, str(value), {"*"})
        for row in rows[3:]
        if row[1] != "Total"
        for name, value in zip(header[2:], row[2:], strict=True)
    ]


def _csv_long_detail(folder: Path) -> list[dict]:
    with (folder / "arrests_offence_detail.csv").open(encoding="utf-8-sig") as fh:
        return [
            _cell(
                _iso(r["Month"], "%m/%Y"),
                r["Offence description"],
                r["Nationality"],
                r["Number of arrests"].replace(",", ""),  # thousands separators: "1,234"
                {"<5"},
            )
            for r in csv.DictReader(fh)
        ]


def _csv_wide_month(folder: Path) -> list[dict]:
    with (folder / "arrests_by_month.csv").open(encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header = rows[2]
    cells = []
    for row in rows[3:]:
        if not any(row):
            break  # notes follow the first blank row
        for label, value in zip(header[2:-1], row[2:-1], strict=True):  # the last column is Total
            if value:
                cells.append(_cell(_iso(label, "%b-%y"), row[0], row[1], value, {"*"}))
    return cells


def _csv_wide_offence(folder: Path) -> list[dict]:
    with (folder / "arrests_by_offence_group.csv").open(encoding="utf-16", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header = rows[0]
    return [
        _cell(row[0], offence, row[1], value, {"*"})
        for row in rows[1:]
        for offence, value in zip(header[2:], row[2:], strict=True)
        if value
    ]


def _ods_sheet_per_group(folder: Path) -> list[dict]:
    """One sheet per offence group; a sheet with no Offence column is all of its group."""
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table, TableRow

    def value(cell) -> str:
        if cell.getAttribute("valuetype") == "float":
            return str(int(float(cell.getAttribute("value"))))
        if cell.getAttribute("valuetype") == "date":
            return cell.getAttribute("datevalue")
        return teletype.extractText(cell)

    cells = []
    for table in load(str(folder / "arrests_by_offence.ods")).spreadsheet.getElementsByType(Table):
        rows = []
        for tr in table.getElementsByType(TableRow):
            values = []
            for cell in tr.childNodes:
                values += [value(cell)] * int(cell.getAttribute("numbercolumnsrepeated") or 1)
            rows.append(values)
        header = rows[2]
        first = 2 if header[1] == "Offence" else 1
        for row in rows[3:]:
            offence = row[1] if first == 2 else table.getAttribute("name")
            for name, count in zip(header[first:], row[first:], strict=True):
                if count:
                    cells.append(
                        _cell(_iso(row[0], "%Y-%m-%d"), offence, name, count, {".."}, {"-"})
                    )
    return cells


def _xlsx_merged_sex(folder: Path) -> list[dict]:
    """Two header rows: nationality merged across its Male/Female columns; notes under a blank row."""
    sheet = openpyxl.load_workbook(folder / "arrests_nationality_sex.xlsx")["Table 1"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    upper = rows[2]
    for j in range(1, len(upper)):
        upper[j] = upper[j] or (upper[j - 1] if rows[3][j] else None)
    cells = []
    for row in rows[4:]:
        if row[0] is None:
            break
        for j in range(2, len(row) - 1):  # the last column is Total
            if row[j] is not None:
                cells.append(_cell(_iso(row[0], "%B %Y"), row[1], upper[j], str(row[j]), {"*"}))
    return cells


def _no_marks(label: str) -> str:
    """A label without the footnote marks the sample's newer shapes put on it."""
    return label.rstrip("¹²*")


def _xlsx_sections(folder: Path) -> list[dict]:
    """Nationality as section rows ("Nationality: X"), months as date cells across row 4,
    sub-total rows under each section, notes under a blank row."""
    sheet = openpyxl.load_workbook(folder / "arrests_by_section.xlsx", read_only=True)["Arrests"]
    rows = list(sheet.iter_rows(values_only=True))
    months = [d.strftime("%Y-%m") for d in rows[3][1:]]
    cells, nationality = [], None
    for row in rows[4:]:
        if row[0] is None:
            break
        if row[0].startswith("Nationality: "):
            nationality = _no_marks(row[0].removeprefix("Nationality: "))
        elif row[0] != "Sub-total":
            for month, value in zip(months, row[1:], strict=True):
                cells.append(_cell(month, row[0], nationality, str(value), {"*"}))
    return cells


def _csv_paged(folder: Path) -> list[dict]:
    """Year and Month-name columns; "Page n of m" lines and the header again at page breaks."""
    with (folder / "arrests_retyped.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    return [
        _cell(_iso(f"{year} {month}", "%Y %B"), _no_marks(offence), nationality, count, {"*"})
        for row in rows
        if row != header and not row[0].startswith("Page ")
        for year, month, offence, nationality, count in [row]
    ]


def _xlsx_stacked_tables(folder: Path) -> list[dict]:
    """One table per offence group on one sheet: "Table k: <offence>", a header row, month rows
    (date cells) with counts stored as text, a blank row."""
    sheet = openpyxl.load_workbook(folder / "arrests_tables.xlsx", read_only=True)["Arrests"]
    cells, offence, header = [], None, None
    for row in sheet.iter_rows(values_only=True):
        first = row[0]
        if isinstance(first, str) and first.startswith("Table "):
            offence, header = first.split(": ", 1)[1], None
        elif first == "Month":
            header = row
        elif offence is not None and header is not None and isinstance(first, dt.datetime):
            for name, value in zip(header[1:], row[1:], strict=True):
                cells.append(_cell(first.strftime("%Y-%m"), offence, name, value, {"*"}))
        elif first is None:
            offence = header = None
    return cells


def _csv_records(folder: Path) -> list[dict]:
    """One row per arrest: counted per month × offence × nationality × sex × age group."""
    with (folder / "arrest_records.csv").open(encoding="utf-8", newline="") as fh:
        counts = Counter(
            (
                _iso(r["Arrest date"], "%d/%m/%Y"),
                r["Offence"],
                r["Nationality"],
                r["Sex"],
                r["Age group"],
            )
            for r in csv.DictReader(fh)
        )
    return [_cell(m, o, n, str(c), set()) for (m, o, n, _, _), c in counts.items()]


READERS = {
    "arrests_by_nationality.csv": _csv_long,
    "foi_response_arrests.xlsx": _xlsx_wide,
    "arrests_offence_detail.csv": _csv_long_detail,
    "arrests_by_month.csv": _csv_wide_month,
    "arrests_by_offence_group.csv": _csv_wide_offence,
    "arrests_by_offence.ods": _ods_sheet_per_group,
    "arrests_nationality_sex.xlsx": _xlsx_merged_sex,
    "arrests_by_section.xlsx": _xlsx_sections,
    "arrests_retyped.csv": _csv_paged,
    "arrests_tables.xlsx": _xlsx_stacked_tables,
    "arrest_records.csv": _csv_records,
}


def _landing_cells() -> list[dict]:
    """Every count cell of the current (not superseded) sample returns, read without the
    warehouse's parser: csv / openpyxl / odfpy, one reader per sample layout."""
    groups = _nationality_groups()
    offence_groups = _offence_groups()
    forces = _forces_by_name()
    manifests = {
        m.parent: yaml.safe_load(m.read_text())
        for m in sorted(SAMPLE_LANDING.glob("*/manifest.yml"))
    }
    superseded = {old for m in manifests.values() for old in m.get("supersedes") or []}
    cells = []
    for folder, manifest in manifests.items():
        if manifest["return_id"] in superseded:
            continue
        (reader,) = [read for name, read in READERS.items() if (folder / name).exists()]
        ranges = {
            (
                spec.get("suppression", {}).get("lower", 1),
                spec.get("suppression", {}).get("upper", 4),
            )
            for spec in manifest["files"]
        }
        (declared,) = ranges  # one range a return in the sample
        for cell in reader(folder):
            cell["lower"], cell["upper"] = declared if cell["suppressed"] else (cell["known"],) * 2
            cell["force"] = forces[manifest["force"].lower()]
            cell["return_id"] = manifest["return_id"]
            cell["group"] = groups[cell["nationality"].strip().lower()]
            cell["offence_group"] = offence_groups[cell["offence"].strip().lower()]
            cells.append(cell)
    return cells


def _declared_months() -> dict[str, int]:
    """Force code -> months its current return's period declares (start..end, inclusive)."""
    forces = _forces_by_name()
    manifests = [
        yaml.safe_load(m.read_text()) for m in sorted(SAMPLE_LANDING.glob("*/manifest.yml"))
    ]
    superseded = {old for m in manifests for old in m.get("supersedes") or []}
    months = {}
    for m in manifests:
        if m["return_id"] in superseded:
            continue
        start, end = (dt.datetime.strptime(str(m["period"][k]), "%Y-%m") for k in ("start", "end"))
        months[forces[m["force"].lower()]] = (
            (end.year - start.year) * 12 + end.month - start.month + 1
        )
    return months


@pytest.fixture(scope="module")
def cells() -> list[dict]:
    return _landing_cells()


@pytest.fixture(scope="module")
def months() -> dict[str, int]:
    return _declared_months()


def _counts(cells: list[dict]) -> tuple[int | None, int, float, int]:
    """(exact count or None when a cell is suppressed, lowest, midpoint and highest feasible count)."""
    lower = sum(c["lower"] for c in cells)
    upper = sum(c["upper"] for c in cells)
    exact = None if any(c["suppressed"] for c in cells) else lower
    return exact, lower, (lower + upper) / 2, upper


def _person_years(forces, population: dict[str, int], months: dict[str, int]) -> float:
    return sum(population[f] * months[f] / 12 for f in forces)


def _wilson(k: float, n: float) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def _share_bounds(part: list[dict], whole: list[dict]) -> tuple[float, float, float, float]:
    """(lowest, highest share, Wilson lower at the lowest, Wilson upper at the highest): the part
    at its bound, the rest of the whole at the opposite one."""
    _, k_lo, _, k_hi = _counts(part)
    _, n_lo, _, n_hi = _counts(whole)
    low_n, high_n = k_lo + (n_hi - k_hi), k_hi + (n_lo - k_lo)
    return k_lo / low_n, k_hi / high_n, _wilson(k_lo, low_n)[0], _wilson(k_hi, high_n)[1]


def _one(warehouse: Path, sql: str, params: list | None = None) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(sql, params or []).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def _exact_limits(k: int) -> tuple[float, float]:
    lower = 0.0 if k == 0 else chi2.ppf(0.025, 2 * k) / 2
    return lower, chi2.ppf(0.975, 2 * k + 2) / 2


def test_poisson_model_matches_published_exact_limits():
    """The dbt model's limits against a published table of exact 95% Poisson limits
    (e.g. Ulm 1990; the same values appear in most epidemiology texts)."""
    spec = importlib.util.spec_from_file_location(
        "int_poisson_limits",
        REPO / "dbt_project" / "models" / "intermediate" / "int_poisson_limits.py",
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    con = duckdb.connect()

    class Dbt:  # what dbt-duckdb hands a Python model: refs as DuckDB relations
        def config(self, **_):
            pass

        def ref(self, name):  # each count's bounds: the limits are wanted for both
            lower, upper = (
                ("[0, 2, null]", "[1, 5, null]")
                if name.endswith("force")
                else ("[10, 5]", "[20, 20]")
            )
            return con.sql(
                f"select unnest({lower}::hugeint[]) as arrests_lower, "
                f"unnest({upper}::hugeint[]) as arrests_upper"
            )

    table = module.model(Dbt(), con)
    limits = table.to_pandas().set_index("arrests")
    assert sorted(limits.index) == [0, 1, 2, 5, 10, 20]  # distinct counts, nulls dropped
    published = {
        0: (0.0, 3.689),
        1: (0.0253, 5.572),
        2: (0.242, 7.225),
        5: (1.623, 11.668),
        10: (4.795, 18.390),
        20: (12.217, 30.888),
    }
    for k, (lower, upper) in published.items():
        assert limits.loc[k, "count_ci_lower"] == pytest.approx(lower, abs=6e-4)
        assert limits.loc[k, "count_ci_upper"] == pytest.approx(upper, abs=6e-4)


def test_region_rate_and_interval_recomputed(published_sample, cells, months):
    wales = [c for c in cells if c["force"].startswith("W15")]
    exact, k_lo, k_mid, k_hi = _counts(wales)
    suppressed = sum(c["suppressed"] for c in wales)
    population = _population("all")
    forces = {c["force"] for c in wales}
    years = _person_years(forces, population, months)
    lower, upper = _exact_limits(k_lo)[0], _exact_limits(k_hi)[1]
    row = _one(
        published_sample,
        "select arrests, arrests_lower, arrests_upper, suppressed_cells, depends_on_suppressed, "
        "population, person_years, rate_per_100k, rate_per_100k_lower, rate_per_100k_upper, "
        "rate_ci_lower, rate_ci_upper, estimate_method, is_complete "
        "from marts.rates_by_region_offence "
        "where region = 'Wales' and offence_group = 'All offences' and nationality_group = 'all'",
    )
    assert suppressed > 0 and exact is None
    assert row[0:5] == (None, k_lo, k_hi, suppressed, True)
    assert row[5] == sum(population[f] for f in forces)
    assert row[6] == pytest.approx(years, rel=REL)
    assert row[7] == pytest.approx(k_mid / years * 1e5, rel=REL)
    assert row[8] == pytest.approx(k_lo / years * 1e5, rel=REL)
    assert row[9] == pytest.approx(k_hi / years * 1e5, rel=REL)
    assert row[10] == pytest.approx(lower / years * 1e5, rel=REL)
    assert row[11] == pytest.approx(upper / years * 1e5, rel=REL)
    assert row[12:] == ("midpoint", True)


def test_partial_year_force_rate_is_per_person_year(published_sample, cells, months):
    """A return declaring fewer than 12 months is a rate over that share of a year."""
    force = "E23000033"  # Sussex declares October to March
    assert months[force] == 6
    sussex = [c for c in cells if c["force"] == force]
    _, k_lo, k_mid, k_hi = _counts(sussex)
    years = _population("all")[force] * 6 / 12
    row = _one(
        published_sample,
        "select months_covered, person_years, denominator_method, rate_per_100k, "
        "rate_per_100k_lower, rate_per_100k_upper from marts.rates_by_force_offence "
        "where force_code = ? and offence_group = 'All offences' and nationality_group = 'all'",
        [force],
    )
    assert row[:3] == (6, pytest.approx(years, rel=REL), "person_years")
    assert row[3] == pytest.approx(k_mid / years * 1e5, rel=REL)
    assert row[4:] == (
        pytest.approx(k_lo / years * 1e5, rel=REL),
        pytest.approx(k_hi / years * 1e5, rel=REL),
    )


def test_force_unknown_share_and_bounds_recomputed(published_sample, cells):
    gwent = [c for c in cells if c["force"] == "W15000002" and c["offence"] == "Robbery"]
    exact, k_lo, k_mid, k_hi = _counts(gwent)
    unknown = [c for c in gwent if c["group"] == "unknown"]
    u_mid = _counts(unknown)[2]
    u_share_lo, u_share_hi, _, _ = _share_bounds(unknown, gwent)
    row = _one(
        published_sample,
        "select arrests, arrests_lower, arrests_upper, unknown_nationality_share, "
        "unknown_nationality_share_lower, unknown_nationality_share_upper "
        "from marts.rates_by_force_offence where force_code = 'W15000002' "
        "and offence_group = 'Robbery' and nationality_group = 'all'",
    )
    assert row[:3] == (exact, k_lo, k_hi)
    assert row[3] == pytest.approx(u_mid / k_mid, rel=REL)
    assert row[4:] == (pytest.approx(u_share_lo, rel=REL), pytest.approx(u_share_hi, rel=REL))


def test_national_rate_ratio_and_log_interval_recomputed(published_sample, cells, months):
    """Log method: var(ln RR) = 1/a + 1/b + (se PYa / PYa)^2 + (se PYb / PYb)^2, the APS sampling
    error of each person-years total by the delta method (forces independent, as in the seed),
    with a and b at their smallest feasible counts (the widest se), around the least and the
    greatest feasible ratio (README, Methodology)."""
    a_exact, a_lo, a_mid, a_hi = _counts([c for c in cells if c["group"] == "non_british"])
    b_exact, b_lo, b_mid, b_hi = _counts([c for c in cells if c["group"] == "british"])
    forces = {c["force"] for c in cells}
    pa, pb = _population("non_british"), _population("british")
    years_a, years_b = _person_years(forces, pa, months), _person_years(forces, pb, months)
    se_a, se_b = _population_se("non_british"), _population_se("british")
    rse2 = (
        sum((se_a[f] * months[f] / 12) ** 2 for f in forces) / years_a**2
        + sum((se_b[f] * months[f] / 12) ** 2 for f in forces) / years_b**2
    )

    def ratio(a: float, b: float) -> float:
        return (a / years_a) / (b / years_b)

    lower, upper = ratio(a_lo, b_hi), ratio(a_hi, b_lo)
    row = _one(
        published_sample,
        "select non_british_arrests, non_british_arrests_lower, non_british_arrests_upper, "
        "british_arrests, british_arrests_lower, british_arrests_upper, "
        "non_british_person_years, british_person_years, rate_ratio, rate_ratio_lower, "
        "rate_ratio_upper, rate_ratio_ci_lower, rate_ratio_ci_upper, estimate_method, "
        "forces_reporting, population_coverage "
        "from marts.nationality_rate_ratios where geography_level = 'national' "
        "and offence_group = 'All offences'",
    )
    assert row[:6] == (a_exact, a_lo, a_hi, b_exact, b_lo, b_hi)
    assert row[6:8] == (pytest.approx(years_a, rel=REL), pytest.approx(years_b, rel=REL))
    assert row[8] == pytest.approx(ratio(a_mid, b_mid), rel=REL)
    assert row[9:11] == (pytest.approx(lower, rel=REL), pytest.approx(upper, rel=REL))
    se = math.sqrt(1 / a_lo + 1 / b_lo + rse2)
    assert row[11] == pytest.approx(math.exp(math.log(lower) - Z * se), rel=REL)
    assert row[12] == pytest.approx(math.exp(math.log(upper) + Z * se), rel=REL)
    assert row[13] == "midpoint"
    all_population = _population("all")
    assert row[14] == len(forces)
    assert row[15] == pytest.approx(
        sum(all_population[f] for f in forces) / sum(all_population.values()), rel=REL
    )


def test_headline_share_and_wilson_interval_recomputed(published_sample, cells):
    sexual = [c for c in cells if c["offence_group"] == "Sexual offences"]
    non_british = [c for c in sexual if c["group"] == "non_british"]
    _, k_lo, k_mid, k_hi = _counts(non_british)
    _, n_lo, n_mid, n_hi = _counts(sexual)
    low, high, ci_lower, ci_upper = _share_bounds(non_british, sexual)
    row = _one(
        published_sample,
        "select value, value_lower, value_upper, ci_lower, ci_upper, estimate_method, "
        "numerator_lower, numerator_upper, denominator_lower, denominator_upper, "
        "forces_reporting, forces_total, is_complete, data_origin from marts.headline_figures "
        "where figure_id = 'non_british_share_sexual_offences'",
    )
    assert row[0] == pytest.approx(k_mid / n_mid, rel=REL)
    assert row[1:3] == (pytest.approx(low, rel=REL), pytest.approx(high, rel=REL))
    assert row[3:5] == (pytest.approx(ci_lower, rel=REL), pytest.approx(ci_upper, rel=REL))
    assert row[5:] == (
        "midpoint",
        k_lo,
        k_hi,
        n_lo,
        n_hi,
        len({c["force"] for c in cells}),
        43,
        False,
        "synthetic",
    )


def _child_sexual_offences() -> tuple[set[str], set[str]]:
    """(offence descriptions that name a Home Office offence, those whose victim is by definition a
    child in a sexual offence), lower-cased, from the lookup and taxonomy seeds."""
    with (SEEDS / "reference" / "ref_offence_taxonomy.csv").open() as fh:
        child = {
            r["offence_code"]
            for r in csv.DictReader(fh)
            if r["is_sexual_offence"] == "true" and r["is_child_victim"] == "true"
        }
    with (SEEDS / "lookups" / "offence_lookup.csv").open() as fh:
        lookup = {r["offence_raw"]: r["offence_code"] for r in csv.DictReader(fh)}
    named = {raw for raw, code in lookup.items() if code}
    return named, {raw for raw in named if lookup[raw] in child}


def test_child_sexual_figure_recomputed_from_offence_level_returns(published_sample, cells, months):
    """Only returns naming Home Office offences can say whether a victim was a child: the figure
    stands on those forces alone, and says so in its coverage."""
    named, child = _child_sexual_offences()
    detailed = [c for c in cells if c["offence"].strip().lower() in named]
    forces = {c["force"] for c in detailed}
    child_cells = [c for c in detailed if c["offence"].strip().lower() in child]
    non_british = [c for c in child_cells if c["group"] == "non_british"]
    _, k_lo, k_mid, k_hi = _counts(non_british)
    _, n_lo, n_mid, n_hi = _counts(child_cells)
    assert 0 < k_lo < n_lo and 0 < len(forces) < 43
    low, high, ci_lower, ci_upper = _share_bounds(non_british, child_cells)
    population = _population("all")
    row = _one(
        published_sample,
        "select value, value_lower, value_upper, ci_lower, ci_upper, numerator_lower, "
        "numerator_upper, denominator_lower, denominator_upper, forces_reporting, "
        "population_coverage, months_covered_min, suppressed_cells, is_complete "
        "from marts.headline_figures where figure_id = 'non_british_share_child_sexual_offences'",
    )
    assert row[0] == pytest.approx(k_mid / n_mid, rel=REL)
    assert row[1:3] == (pytest.approx(low, rel=REL), pytest.approx(high, rel=REL))
    assert row[3:5] == (pytest.approx(ci_lower, rel=REL), pytest.approx(ci_upper, rel=REL))
    assert row[5:10] == (k_lo, k_hi, n_lo, n_hi, len(forces))
    assert row[10] == pytest.approx(
        sum(population[f] for f in forces) / sum(population.values()), rel=REL
    )
    assert row[11:] == (
        min(months[f] for f in forces),  # the declared months, not the months with cells
        sum(c["suppressed"] for c in child_cells),
        False,
    )


def test_return_coverage_recomputed(published_sample, cells, months):
    gwent = [c for c in cells if c["force"] == "W15000002"]
    row = _one(
        published_sample,
        "select has_return, status, return_ids, months_covered, cells, suppressed_cells "
        "from marts.return_coverage where force_code = 'W15000002'",
    )
    assert row == (
        True,
        "received",
        "gwent-fy2023-24",
        months["W15000002"],
        len(gwent),
        sum(c["suppressed"] for c in gwent),
    )
    partial = _one(
        published_sample,
        "select months_covered from marts.return_coverage where force_code = 'E23000039'",
    )
    assert partial == (months["E23000039"],) == (9,)  # Dorset declares July to March
    forces = Counter(
        r[0]
        for r in duckdb.connect(str(published_sample), read_only=True)
        .execute("select has_return from marts.return_coverage")
        .fetchall()
    )
    assert forces == {
        True: len({c["force"] for c in cells}),
        False: 43 - len({c["force"] for c in cells}),
    }
