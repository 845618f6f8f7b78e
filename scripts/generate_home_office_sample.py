"""Generate the embedded SYNTHETIC samples of the Home Office arrest statistics layouts in
data/homeoffice/.

Every figure this script writes is invented (fixed seed, reproducible) and every manifest says so
(`data_origin: synthetic`); force names, ONS codes and regions are the real ones from
dbt_project/seeds/reference/ref_forces.csv. The figures are consistent with the synthetic force
returns in data/landing (read from their truth, tests/data/sample_truth.csv) with deliberate
differences, so the reconciliation has real differences to list:

- `arrests-open-data/`: the open data table in long form (Financial Year, Geocode, Force Name,
  Region, Gender, Ethnic Group (self-defined), Age group, Reason for arrest (offence group),
  Arrests) for the forces of two regions (North East, Wales; kept small), 2022/23 and 2023/24.
  2022/23 has no force return (the reconciliation lists it as missing in returns).
- `arrests-summary-a01-ye-mar24/`: one sheet (A_01) of a summary-table ODS in the published
  layout: title rows, a header row, an England and Wales row and region subtotal rows between the
  forces, all 43 forces, footnote digits stuck to names (`Cleveland1`), `..` (not available) and
  `-` (nil) cells, notes under the table, and the usual cover and notes sheets before it.

- `arrests-rates-a02-ye-mar24/`: a rate table (XLSX) in the published layout: arrests per 1,000
  population by force under a two-row header (sex over financial year, the years repeated under
  each sex), region rows above their forces (West Midlands is a region and a force), rates stored
  at full precision and shown to one decimal place by the number format, a nil stored as 0 and
  shown as `-`, a `..` and figures marked `*`. Synthetic rates: arrests as below over the
  population in the reference seed, split by sex with synthetic shares.

In the count tables, a force's 2023/24 figure per offence group is the true total of its current (not
superseded) force returns, before suppression; for a return covering part of the year, plus a
synthetic draw for the months it misses (the Home Office figure is for the whole year); plus
DIFFERENCES. Forces without a return get synthetic figures. Run this again after
scripts/generate_sample_returns.py changes the force returns.

    python scripts/generate_home_office_sample.py [--out data/homeoffice]

`generate()` returns the truth the files were written from, so tests check the readers against
it rather than against the readers.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import openpyxl
import yaml
from generate_sample_returns import OFFENCES
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

SEED = 20240725
REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "dbt_project" / "seeds" / "reference"
RETURNS_TRUTH = REPO / "tests" / "data" / "sample_truth.csv"
LANDING = REPO / "data" / "landing"
OFFENCE_LOOKUP = REPO / "dbt_project" / "seeds" / "lookups" / "offence_lookup.csv"
FINANCIAL_YEAR = "2023/24"  # the year the force returns cover, as the Home Office writes it
PREVIOUS_YEAR = "2022/23"
# The same synthetic shares of arrests by offence group as the force returns (not real proportions).
OFFENCE_SHARES = OFFENCES
OFFENCE_GROUPS = list(OFFENCE_SHARES)
OPEN_DATA_REGIONS = ("North East", "Wales")

# Deliberate differences from the force returns' true totals in 2023/24 (Home Office minus returns):
# two forces whose returns suppress nothing, so each is a difference beyond any suppression bound.
DIFFERENCES = {
    ("E23000008", "Theft offences"): -12,  # Durham
    ("W15000003", "Violence against the person"): 31,  # South Wales
}
# Summary table cells published as not available (`..`); the table's total still counts them.
NOT_AVAILABLE = {("W15000004", "Fraud offences")}  # Dyfed-Powys
# Summary table cells published as nil (`-`).
NIL = {("E23000034", "Summary motoring"), ("E23000034", "Robbery")}  # City of London
# Footnote digits the summary table sticks to names.
FOOTNOTED_FORCES = {"E23000013": "1", "E23000005": "2", "E23000003": "3"}
FOOTNOTED_HEADERS = {"Fraud offences": "4"}
TOTAL_HEADER = "Total arrests"
NAME_HEADER = "Police force area"

# Open data dimensions with synthetic shares (not real proportions).
GENDERS = {"Male": 0.84, "Female": 0.15, "Not Known": 0.01}
ETHNIC_GROUPS = {
    "White": 0.72,
    "Black": 0.08,
    "Asian": 0.08,
    "Mixed": 0.04,
    "Other": 0.02,
    "Not Stated": 0.06,
}
AGE_GROUPS = {"10 - 17 years": 0.08, "18 - 20 years": 0.09, "21 years and over": 0.83}
OPEN_DATA_HEADER = [
    "Financial Year",
    "Geocode",
    "Force Name",
    "Region",
    "Gender",
    "Ethnic Group (self-defined)",
    "Age group",
    "Reason for arrest (offence group)",
    "Arrests",
]
# Names as the Home Office writes them, where they differ from the ONS police force area name.
HO_FORCE_NAMES = {"E23000035": "Devon and Cornwall"}
HO_REGION_NAMES = {"Yorkshire and The Humber": "Yorkshire and the Humber"}
ARRESTS_PER_RESIDENT = 0.0115  # synthetic scale for forces without a sample return

SYNTHETIC_NOTE = (
    "SYNTHETIC sample data generated by scripts/generate_home_office_sample.py "
    f"(seed {SEED}) in the layout of the Home Office arrest statistics; not real Home Office data."
)


@dataclass(frozen=True)
class Force:
    code: str
    name: str  # as the Home Office writes it
    region: str  # as the Home Office writes it


@dataclass
class Truth:
    """What the files were written from."""

    # (financial year, geocode, force name, region, gender, ethnicity, age, offence group) -> arrests
    open_data: dict[tuple[str, ...], int] = field(default_factory=dict)
    # (force name without footnote digits, offence group or TOTAL_HEADER) -> cell text as published
    summary: dict[tuple[str, str], str] = field(default_factory=dict)
    # force code -> name without footnote digits, for every force row of the summary table
    summary_forces: dict[str, str] = field(default_factory=dict)
    # (source kind, period as '2023-24', force code, offence group or 'All offences') -> arrests
    # as published (None where the table says not available)
    totals: dict[tuple[str, str, str, str], int | None] = field(default_factory=dict)
    region_rows: list[str] = field(default_factory=list)
    # (force code, "Sex|Financial year" header) -> rate cell text as shown
    rates: dict[tuple[str, str], str] = field(default_factory=dict)


def read_forces() -> list[Force]:
    """The 43 forces in the order the tables list them: by region (ONS order), then by code."""
    with (REFERENCE / "ref_regions.csv").open(encoding="utf-8") as fh:
        region_order = {r["region_code"]: i for i, r in enumerate(csv.DictReader(fh))}
    with (REFERENCE / "ref_forces.csv").open(encoding="utf-8") as fh:
        rows = sorted(
            csv.DictReader(fh), key=lambda r: (region_order[r["region_code"]], r["force_code"])
        )
    return [
        Force(
            r["force_code"],
            HO_FORCE_NAMES.get(r["force_code"], r["pfa_name"]),
            HO_REGION_NAMES.get(r["region_name"], r["region_name"]),
        )
        for r in rows
    ]


def read_population() -> dict[str, int]:
    with (REFERENCE / "ref_force_population.csv").open(encoding="utf-8") as fh:
        return {
            r["force_code"]: int(r["population"])
            for r in csv.DictReader(fh)
            if r["population_group"] == "all"
        }


def _superseded_returns(landing: Path) -> set[str]:
    """Return ids some landing manifest says it supersedes."""
    superseded: set[str] = set()
    for manifest in landing.glob("*/manifest.yml"):
        document = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        superseded.update(document.get("supersedes") or [])
    return superseded


def returns_totals(landing: Path = LANDING) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """True arrests of the current synthetic force returns (before suppression) per force ×
    offence group in financial year 2023/24, and the months each force's returns cover."""
    with OFFENCE_LOOKUP.open(encoding="utf-8") as fh:
        group_of = {r["offence_raw"]: r["offence_group"] for r in csv.DictReader(fh)}
    superseded = _superseded_returns(landing)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    months: dict[str, set[str]] = defaultdict(set)
    with RETURNS_TRUTH.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["return_id"] in superseded or not ("2023-04" <= row["month"] <= "2024-03"):
                continue
            group = group_of[row["offence_raw"].strip().lower()]
            totals[(row["force_code"], group)] += int(row["arrests"])
            months[row["force_code"]].add(row["month"])
    return dict(totals), {code: len(m) for code, m in months.items()}


def home_office_totals(rng: np.random.Generator) -> dict[tuple[str, str], int]:
    """Home Office 2023/24 arrests per force × offence group for forces with a return: the returns'
    true totals, the months a return misses drawn at the same monthly rate, plus DIFFERENCES."""
    returned, months = returns_totals()
    totals = {}
    for code in sorted(months):
        for offence in OFFENCE_GROUPS:
            given = returned.get((code, offence), 0)
            missing = 12 - months[code]
            extra = int(rng.poisson(given / months[code] * missing)) if missing else 0
            totals[(code, offence)] = given + extra + DIFFERENCES.get((code, offence), 0)
    return totals


def _split(rng: np.random.Generator, total: int) -> dict[tuple[str, str, str], int]:
    """A total split across gender × ethnic group × age group (multinomial, synthetic shares)."""
    keys, probs = [], []
    for g, gp in GENDERS.items():
        for e, ep in ETHNIC_GROUPS.items():
            for a, ap in AGE_GROUPS.items():
                keys.append((g, e, a))
                probs.append(gp * ep * ap)
    counts = rng.multinomial(total, np.array(probs) / sum(probs))
    return {k: int(c) for k, c in zip(keys, counts, strict=True) if c > 0}


def _period(financial_year: str) -> str:
    return financial_year.replace("/", "-")


def year_totals(
    rng: np.random.Generator, forces: list[Force], population: dict[str, int]
) -> dict[str, dict[str, int]]:
    """Home Office 2023/24 arrests per force and offence group, for all forces: from the force
    returns where the force made one, else a synthetic draw scaled by population."""
    from_returns = home_office_totals(rng)
    values: dict[str, dict[str, int]] = {}
    for force in forces:
        if any(code == force.code for code, _ in from_returns):
            values[force.code] = {o: from_returns[(force.code, o)] for o in OFFENCE_GROUPS}
        else:
            scale = population[force.code] * ARRESTS_PER_RESIDENT
            values[force.code] = {
                o: int(rng.poisson(scale * OFFENCE_SHARES[o])) for o in OFFENCE_GROUPS
            }
        for o in OFFENCE_GROUPS:
            if (force.code, o) in NIL:
                values[force.code][o] = 0
    return values


def write_open_data(
    folder: Path, rng, forces: list[Force], values: dict[str, dict[str, int]], truth: Truth
) -> dict:
    rows = []
    for financial_year in (PREVIOUS_YEAR, FINANCIAL_YEAR):
        period = _period(financial_year)
        for force in forces:
            if force.region not in OPEN_DATA_REGIONS:
                continue
            for offence in OFFENCE_GROUPS:
                total = values[force.code][offence]
                if financial_year == PREVIOUS_YEAR:
                    total = int(rng.poisson(total * 0.96))
                truth.totals[("open_data_long", period, force.code, offence)] = total
                for (gender, ethnicity, age), count in _split(rng, total).items():
                    key = (
                        financial_year,
                        force.code,
                        force.name,
                        force.region,
                        gender,
                        ethnicity,
                        age,
                        offence,
                    )
                    truth.open_data[key] = count
                    rows.append([*key, count])
            truth.totals[("open_data_long", period, force.code, "All offences")] = sum(
                truth.totals[("open_data_long", period, force.code, o)] for o in OFFENCE_GROUPS
            )
    path = folder / "arrests-open-data-table.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(OPEN_DATA_HEADER)
        out.writerows(rows)
    return {
        "dataset_id": "ho-arrests-open-data",
        "kind": "open_data_long",
        "title": "Arrests open data table: arrests by financial year, police force area, sex, "
        "self-defined ethnicity, age group and offence group (SYNTHETIC sample)",
        "file": path.name,
        "header_row": 1,
        "columns": {
            "financial_year": "Financial Year",
            "geocode": "Geocode",
            "force_name": "Force Name",
            "region": "Region",
            "gender": "Gender",
            "ethnicity": "Ethnic Group (self-defined)",
            "age_group": "Age group",
            "offence_group": "Reason for arrest (offence group)",
            "arrests": "Arrests",
        },
    }


# A nil as published: the number 0 stored, `-` shown (as a number format shows it).
NIL_SHOWN = "-"


def shown_count(value: int) -> str:
    """A count as the published sheet shows it: thousands separated, `-` for zero."""
    return f"{value:,}" if value else NIL_SHOWN


def _cell(value: object) -> TableCell:
    """A number is stored as a number and shown with thousands separators (0 shown as `-`), as
    published sheets do; text is stored as text."""
    if value is None or value == "":
        return TableCell()
    if isinstance(value, int):
        cell = TableCell(valuetype="float", value=value)
        cell.addElement(P(text=shown_count(value)))
        return cell
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=str(value)))
    return cell


def _sheet(name: str, rows: list[list[object]]) -> Table:
    table = Table(name=name)
    for values in rows:
        row = TableRow()
        for value in values:
            row.addElement(_cell(value))
        table.addElement(row)
    return table


def write_summary(
    folder: Path, rng, forces: list[Force], values: dict[str, dict[str, int]], truth: Truth
) -> dict:
    """Table A.01 for 2023/24 in the published layout."""

    def shown(code: str, offence: str) -> int | str:
        if (code, offence) in NOT_AVAILABLE:
            return ".."
        return values[code][offence]

    def data_row(label: str, codes: list[str]) -> list[object]:
        cells = [sum(values[c][o] for c in codes) for o in OFFENCE_GROUPS]
        return [label, *cells, sum(cells)]

    header = [
        NAME_HEADER,
        *[o + FOOTNOTED_HEADERS.get(o, "") for o in OFFENCE_GROUPS],
        TOTAL_HEADER,
    ]
    title = (
        "Table A.01: Arrests by police force area and offence group, England and Wales, "
        "year ending March 2024 (SYNTHETIC)"
    )
    rows: list[list[object]] = [
        [title],
        [
            "This worksheet contains one table. Some cells refer to notes which can be found below the table."
        ],
        [SYNTHETIC_NOTE],
        [],
        header,
        data_row("England and Wales", [f.code for f in forces]),
    ]
    regions: dict[str, list[Force]] = defaultdict(list)
    for force in forces:
        regions[force.region].append(force)
    for region, members in regions.items():
        rows.append(data_row(region, [f.code for f in members]))
        truth.region_rows.append(region)
        for force in members:
            name = force.name + FOOTNOTED_FORCES.get(force.code, "")
            cells = [shown(force.code, o) for o in OFFENCE_GROUPS]
            total = sum(values[force.code].values())
            rows.append([name, *cells, total])
            truth.summary_forces[force.code] = force.name
            for offence, cell in zip(OFFENCE_GROUPS, cells, strict=True):
                truth.summary[(force.name, offence)] = (
                    cell if isinstance(cell, str) else shown_count(cell)
                )
                truth.totals[("summary_table", _period(FINANCIAL_YEAR), force.code, offence)] = (
                    None if cell == ".." else values[force.code][offence]
                )
            truth.summary[(force.name, TOTAL_HEADER)] = shown_count(total)
            truth.totals[("summary_table", _period(FINANCIAL_YEAR), force.code, "All offences")] = (
                total
            )
    btp = [int(rng.poisson(800 * OFFENCE_SHARES[o])) for o in OFFENCE_GROUPS]
    rows.append(["British Transport Police", *btp, sum(btp)])
    rows += [
        [],
        ["Notes"],
        [
            "1. Cleveland: synthetic footnote (figures include arrests made on behalf of other forces)."
        ],
        [
            "2. Greater Manchester: synthetic footnote (figures are estimates after a records system change)."
        ],
        ["3. Lancashire: synthetic footnote (figures revised since the previous release)."],
        [
            "4. Fraud offences: synthetic footnote (most fraud arrests are made by specialist units)."
        ],
        [".. = not available; - = nil (zero)."],
        ["Source: SYNTHETIC imitation of Home Office, Police powers and procedures, Table A.01."],
    ]
    doc = OpenDocumentSpreadsheet()
    doc.spreadsheet.addElement(
        _sheet(
            "Cover_sheet",
            [["Police powers and procedures: arrests, year ending March 2024"], [SYNTHETIC_NOTE]],
        )
    )
    doc.spreadsheet.addElement(
        _sheet(
            "Notes", [["Note number", "Note text"], ["1", ".. = not available"], ["2", "- = nil"]]
        )
    )
    doc.spreadsheet.addElement(_sheet("A_01", rows))
    path = folder / "arrests-summary-tables-ye-mar24.ods"
    doc.save(str(path))
    _fix_zip_timestamps(path)
    return {
        "dataset_id": "ho-arrests-summary-a01-ye-mar24",
        "kind": "summary_table",
        "title": title,
        "file": path.name,
        "sheet": "A_01",
        "header_row": 5,
        "financial_year_value": FINANCIAL_YEAR,
        "columns": {"force_name": NAME_HEADER},
        "offence_columns": OFFENCE_GROUPS,
        "total_column": TOTAL_HEADER,
        "markers": {"not_available": [".."], "nil": ["-"]},
        # Rows are classified by the seeds' forces and regions; a region row stands above its
        # forces, so "West Midlands" the region and West Midlands the force are told apart.
        "region_rows": "above_forces",
        "total_rows": {"England and Wales": "all"},
        "skip_rows": {"other": ["British Transport Police"]},
        "notes_after_blank_row": True,
    }


RATE_SEXES = {"Males": GENDERS["Male"], "Females": GENDERS["Female"], "All persons": 1.0}
# Synthetic shares of the population by sex (not real figures).
POPULATION_SHARES = {"Males": 0.49, "Females": 0.51, "All persons": 1.0}
RATE_NOT_AVAILABLE = {("W15000004", "Females|2022/23")}  # Dyfed-Powys: `..`
RATE_NIL = {("E23000034", "Females|2022/23")}  # City of London: stored 0, shown `-`
RATE_MARKED = {("E23000013", "Males|2023/24"), ("E23000014", "All persons|2023/24")}  # `12.3*`
RATE_FORMAT = '0.0;-0.0;"-"'


def _shown_rate(value: float) -> str:
    """A rate as the one-decimal number format shows it (halves away from zero, as Excel)."""
    return str(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def write_rates(
    folder: Path, forces: list[Force], values: dict[str, dict[str, int]], truth: Truth
) -> dict:
    """Table A.02: arrests per 1,000 population by force and sex, 2022/23 and 2023/24."""
    population = read_population()
    years = {PREVIOUS_YEAR: 0.96, FINANCIAL_YEAR: 1.0}  # synthetic: the year before, 4% fewer
    headers = [f"{sex}|{year}" for sex in RATE_SEXES for year in years]
    title = (
        "Table A.02: Arrests per 1,000 population by police force area and sex, England and "
        "Wales, years ending March 2023 and 2024 (SYNTHETIC)"
    )
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "A_02"
    for row in ([title], [SYNTHETIC_NOTE], ["Rates per 1,000 population; * see note 1."], []):
        sheet.append(row)
    sheet.append([NAME_HEADER, *[h.split("|")[0] for h in headers]])
    sheet.append([None, *[h.split("|")[1] for h in headers]])
    for k in range(len(RATE_SEXES)):  # each sex merged over its two year columns
        sheet.merge_cells(start_row=5, start_column=2 + 2 * k, end_row=5, end_column=3 + 2 * k)
    sheet.merge_cells(start_row=5, start_column=1, end_row=6, end_column=1)

    def rates(codes: list[str]) -> list[object]:
        arrests = sum(sum(values[c].values()) for c in codes)
        people = sum(population[c] for c in codes)
        return [
            arrests * years[year] * RATE_SEXES[sex] / (people * POPULATION_SHARES[sex]) * 1000
            for sex in RATE_SEXES
            for year in years
        ]

    def append(label: str, cells: list[object]) -> None:
        sheet.append([label, *cells])
        for j, cell in enumerate(cells):
            if not isinstance(cell, str):
                sheet.cell(row=sheet.max_row, column=2 + j).number_format = RATE_FORMAT

    append("England and Wales", rates([f.code for f in forces]))
    regions: dict[str, list[Force]] = defaultdict(list)
    for force in forces:
        regions[force.region].append(force)
    for region, members in regions.items():
        append(region, rates([f.code for f in members]))
        for force in members:
            cells: list[object] = []
            for header, rate in zip(headers, rates([force.code]), strict=True):
                key = (force.code, header)
                if key in RATE_NOT_AVAILABLE:
                    cells.append("..")
                elif key in RATE_NIL:
                    cells.append(0)
                elif key in RATE_MARKED:
                    cells.append(f"{_shown_rate(rate)}*")
                else:
                    cells.append(rate)
                shown = cells[-1]
                truth.rates[key] = (
                    shown if isinstance(shown, str) else "-" if shown == 0 else _shown_rate(rate)
                )
            append(force.name, cells)
    sheet.append([])
    sheet.append(["1. * Figure affected by a records system change (synthetic note)."])
    sheet.append([".. = not available; - = nil (zero)."])
    path = folder / "arrests-rates-tables-ye-mar24.xlsx"
    book.save(path)
    _fix_zip_timestamps(path)
    return {
        "dataset_id": "ho-arrests-rates-a02-ye-mar24",
        "kind": "rate_table",
        "title": title,
        "file": path.name,
        "sheet": "A_02",
        "header_rows": [5, 6],
        "columns": {"force_name": NAME_HEADER},
        "value_columns_by": ["gender", "financial_year"],
        "rate_per": 1000,
        "markers": {"not_available": [".."], "nil": ["-"], "marks": ["*"]},
        "region_rows": "above_forces",
        "total_rows": {"England and Wales": "all"},
        "notes_after_blank_row": True,
    }


# Timestamps openpyxl writes into an XLSX's properties (the time of saving): fixed, so the
# committed file changes only when its content does.
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _fix_zip_timestamps(path: Path) -> None:
    """Rewrite the ODS with fixed member dates (odfpy stamps the current time), keeping the
    uncompressed `mimetype` member first as the format requires."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 7, 25, 0, 0, 0))
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                data = _CORE_TIMES.sub(rb"\g<1>2024-07-25T00:00:00Z\g<2>", data)
            dst.writestr(fixed, data)


def _write_manifest(folder: Path, spec: dict) -> None:
    document = {
        "dataset_id": spec.pop("dataset_id"),
        "kind": spec.pop("kind"),
        "title": spec.pop("title"),
        "publisher": "Home Office",
        "publication": "Police powers and procedures: arrests (SYNTHETIC imitation)",
        "data_origin": "synthetic",
        "notes": SYNTHETIC_NOTE,
        **spec,
    }
    (folder / "manifest.yml").write_text(
        "# "
        + SYNTHETIC_NOTE
        + "\n"
        + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )


def generate(out: Path, seed: int = SEED) -> Truth:
    """Write the samples under `out` and return the truth they were written from."""
    rng = np.random.default_rng(seed)
    forces = read_forces()
    values = year_totals(rng, forces, read_population())
    truth = Truth()
    writers = [
        ("arrests-open-data", lambda f: write_open_data(f, rng, forces, values, truth)),
        ("arrests-summary-a01-ye-mar24", lambda f: write_summary(f, rng, forces, values, truth)),
        ("arrests-rates-a02-ye-mar24", lambda f: write_rates(f, forces, values, truth)),
    ]
    for name, writer in writers:
        folder = out / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _write_manifest(folder, writer(folder))
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=REPO / "data" / "homeoffice")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    truth = generate(args.out, args.seed)
    print(
        f"wrote 3 synthetic Home Office datasets to {args.out}: {len(truth.open_data)} open data rows, "
        f"{len(truth.summary_forces)} forces in the summary table"
    )


if __name__ == "__main__":
    main()
