"""Derive the reference dbt seeds (regions, forces, force-area populations, sources)
from the ONS files in ``../shared/reference``.

The raw ONS files are never copied into the repository: only these derived, documented
seeds are checked in. Re-run after the reference files change:

    python scripts/build_reference_seeds.py [--reference-dir DIR] [--out-dir DIR]

Every figure written comes from a published cell; suppressed or unavailable APS cells
are never imputed (the affected rows are flagged ``is_missing=true``).
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from python_calamine import CalamineWorkbook

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
DEFAULT_OUT_DIR = REPO_ROOT / "dbt_project" / "seeds" / "reference"

STREETLAMP_FILE = "streetlamp_forces_pfa_codes.csv"
LOOKUP22_FILE = "ons_lad22_csp22_pfa22_lookup_ew.csv"
LOOKUP16_FILE = "ons_lad16_csp16_pfa16_lookup_ew.csv"
MYE_FILE = "ons_mye_ukpopestimatesmid2021on2021geographyfinal.xls"
APS_FILE = "ons_aps_pop_by_country_of_birth_and_nationality_jul15_jun16.xls"
REQUIRED_FILES = (STREETLAMP_FILE, LOOKUP22_FILE, LOOKUP16_FILE, MYE_FILE, APS_FILE)

MYE_SHEET = "MYE2 - Persons"
APS_SHEET = "2.1"
MYE_PERIOD = "mid-2021"
APS_PERIOD = "2015-07/2016-06"
# Mid-year estimates refer to 30 June; the force/region geography is valid at that date
# (PFA codes and LA->PFA membership are checked identical in the 2016 and 2022 lookups).
GEOGRAPHY_REFERENCE_DATE = "2021-06-30"
LICENCE = "Open Government Licence v3.0"

# Both ONS files print E12000006 as "East"; the GSS register name is "East of England".
REGION_NAME_OVERRIDES = {"E12000006": "East of England"}

LA_GEOGRAPHIES = {
    "Unitary Authority",
    "Non-metropolitan District",
    "Metropolitan District",
    "London Borough",
}
LA_PREFIXES = ("E06", "E07", "E08", "E09", "W06")
COUNTY_PREFIXES = ("E10", "E11")
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")

# APS areas published as ':' because ONS folds them into a neighbour (table 2.1 footnotes).
# The footnote text is asserted present so this stays derived from the file.
APS_COMBINED_AREAS = {
    "E09000001": (
        "E09000033",
        "City of London estimates are included within the estimates for Westminster",
    ),
    "E06000053": ("E06000052", "they have been combined with Cornwall"),
}
APS_ROUNDED_ZERO = "0~"

LOOKUP_TITLE = (
    "Local Authority District to Community Safety Partnership to Police Force Area "
    "Lookup in England and Wales"
)
# file -> (title, publisher, reference period); workbook titles are read from the files.
SOURCE_META = {
    STREETLAMP_FILE: (
        "Police forces (data.police.uk force list) with ONS police force area codes",
        "data.police.uk (force ids/names); ONS (PFA codes/names)",
        "not stated (mirror snapshot)",
    ),
    LOOKUP22_FILE: (
        f"{LOOKUP_TITLE} (LAD22_CSP22_PFA22_EW_LU)",
        "Office for National Statistics (ONS Open Geography)",
        "2022 (LAD22/CSP22/PFA22 codes)",
    ),
    LOOKUP16_FILE: (
        f"{LOOKUP_TITLE} (LAD16_CSP16_PFA16)",
        "Office for National Statistics (ONS Open Geography)",
        "December 2016 (LAD16/CSP16/PFA16 codes)",
    ),
    MYE_FILE: (None, "Office for National Statistics (ONS)", MYE_PERIOD),
    APS_FILE: (None, "Office for National Statistics (ONS), Annual Population Survey", APS_PERIOD),
}

MYE_SOURCE = (
    f"ONS Mid-Year Population Estimates UK mid-2021 (2021 geography), sheet '{MYE_SHEET}' "
    f"col 'All ages', summed to PFA via ONS LAD22-CSP22-PFA22 lookup"
)
APS_SOURCE = (
    f"ONS Annual Population Survey Jul 2015-Jun 2016, population by country of birth and "
    f"nationality, Table 2.1 (sheet '{APS_SHEET}'), summed to PFA via ONS LAD16-CSP16-PFA16 lookup"
)
APS_GROUP_COLUMNS = {"all_aps": "All", "british": "British", "non_british": "Non-British"}


# --------------------------------------------------------------------------- models
@dataclass
class MyeArea:
    code: str
    name: str
    geography: str
    population: int
    region_code: str | None


@dataclass
class ApsCell:
    value: float | None  # thousands; None when suppressed / not available
    marker: str | None  # raw marker text when the cell is not a plain number


@dataclass
class ApsArea:
    code: str
    name: str
    region_code: str | None
    county_code: str | None
    cells: dict[str, tuple[ApsCell, ApsCell | None]] = field(default_factory=dict)


@dataclass
class Lookup:
    la_to_pfa: dict[str, str]
    pfa_names: dict[str, str]


@dataclass
class PopRow:
    force_code: str
    population_group: str
    population: int | None
    ci_lower: int | None
    ci_upper: int | None
    reference_period: str
    source: str
    method_note: str
    is_missing: bool


# --------------------------------------------------------------------------- io helpers
def fail(message: str) -> NoReturn:
    sys.exit(f"build_reference_seeds: error: {message}")


def check_reference_dir(ref_dir: Path) -> None:
    if not ref_dir.is_dir():
        fail(
            f"reference directory not found: {ref_dir}\n"
            "  The ONS source files live outside the repo (../shared/reference); pass "
            "--reference-dir to point at them."
        )
    missing = [name for name in REQUIRED_FILES if not (ref_dir / name).is_file()]
    if missing:
        fail(f"reference directory {ref_dir} lacks: {', '.join(missing)}")


def read_sheet(path: Path, sheet: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    # utf-8-sig strips the BOM on the 2016 lookup and is harmless elsewhere.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def clean(text: object) -> str:
    return str(text).replace("\xa0", " ").strip()


def format_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6f}"
    return str(value)


def write_csv(path: Path, header: list[str], rows: Iterable[Iterable[object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([format_value(v) for v in row])
            count += 1
    return count


# --------------------------------------------------------------------------- readers
def read_readme_table(ref_dir: Path) -> dict[str, tuple[str, str]]:
    """file name -> (description, source/mirror) from the README markdown table."""
    table: dict[str, tuple[str, str]] = {}
    for line in (ref_dir / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            table[cells[0].strip("`")] = (cells[1].replace("`", ""), cells[2].replace("`", ""))
    return table


def find_row(rows: list[list[object]], predicate, what: str) -> int:
    for i, row in enumerate(rows):
        if predicate(row):
            return i
    fail(f"could not find {what}")


def as_int(value: object, context: str) -> int:
    number = float(value)  # type: ignore[arg-type]
    if number != int(number):
        fail(f"non-integer population {value!r} for {context}")
    return int(number)


def read_mye(path: Path) -> tuple[list[MyeArea], dict[str, str], int]:
    """Local authorities with their region (from the sheet's hierarchy), region rows and E+W total."""
    rows = read_sheet(path, MYE_SHEET)
    if "mid-2021" not in clean(rows[0][0]):
        fail(f"{MYE_SHEET} title does not mention mid-2021: {rows[0][0]!r}")
    header_idx = find_row(rows, lambda r: clean(r[0]) == "Code", f"header row in {MYE_SHEET}")
    header = [clean(c) for c in rows[header_idx]]
    c_code, c_name, c_geo, c_pop = (
        header.index(h) for h in ("Code", "Name", "Geography", "All ages")
    )

    areas: list[MyeArea] = []
    region_rows: dict[str, str] = {}
    region_totals: dict[str, int] = {}
    ew_total = None
    current_region: str | None = None
    for row in rows[header_idx + 1 :]:
        code = clean(row[c_code])
        if not GSS_CODE.match(code):
            continue
        geography, name = clean(row[c_geo]), clean(row[c_name])
        population = as_int(row[c_pop], code)
        if geography == "Region":
            current_region = code
            region_rows[code] = name
            region_totals[code] = population
        elif geography == "Country":
            # Wales is listed as a country; it plays the region role for Welsh forces.
            current_region = code if code.startswith("W92") else None
            if code.startswith("W92"):
                region_rows[code] = name
                region_totals[code] = population
            if code == "K04000001":
                ew_total = population
        elif geography in LA_GEOGRAPHIES and code.startswith(LA_PREFIXES):
            areas.append(MyeArea(code, name, geography, population, current_region))

    if ew_total is None:
        fail("England and Wales total (K04000001) not found in MYE")
    for region_code, total in region_totals.items():
        la_sum = sum(a.population for a in areas if a.region_code == region_code)
        if la_sum != total:
            fail(f"MYE LAs in {region_code} sum to {la_sum}, region row says {total}")
    if sum(a.population for a in areas) != ew_total:
        fail("MYE LA populations do not sum to the England and Wales total")
    return areas, region_rows, ew_total  # type: ignore[return-value]


def parse_aps_cell(value: object) -> ApsCell:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return ApsCell(float(value), None)
    text = clean(value)
    if text == APS_ROUNDED_ZERO:  # published as "rounds to zero" (<500): keep the published 0
        return ApsCell(0.0, text)
    return ApsCell(None, text or "(blank)")


def aps_group_columns(rows: list[list[object]], header_idx: int) -> dict[str, tuple[int, int]]:
    """Locate (estimate, CI) column pairs for All / British / Non-British."""
    group_idx = find_row(
        rows[:header_idx], lambda r: "Non-British" in [clean(c) for c in r], "APS group header row"
    )
    labels = [clean(c) for c in rows[group_idx]]
    sub = [clean(c) for c in rows[header_idx]]
    columns: dict[str, tuple[int, int]] = {}
    for group, label in APS_GROUP_COLUMNS.items():
        col = labels.index(label)
        if sub[col] != "estimate" or not sub[col + 1].startswith("CI"):
            fail(f"unexpected APS sub-header under {label!r}: {sub[col : col + 2]}")
        columns[group] = (col, col + 1)
    return columns


def read_aps(path: Path) -> dict[str, ApsArea]:
    rows = read_sheet(path, APS_SHEET)
    top_text = " ".join(clean(c) for r in rows[:8] for c in r)
    if "July 2015 to June 2016" not in top_text or "thousands" not in top_text:
        fail("APS table 2.1 no longer states 'July 2015 to June 2016' in 'thousands'")
    all_text = " ".join(clean(c) for r in rows for c in r)
    for code, (_, footnote) in APS_COMBINED_AREAS.items():
        if footnote not in all_text:
            fail(f"APS footnote for {code} changed; re-check combined areas")
    header_idx = find_row(
        rows, lambda r: clean(r[0]).startswith("Area Code"), "APS 'Area Code' header"
    )
    columns = aps_group_columns(rows, header_idx)

    areas: dict[str, ApsArea] = {}
    region: str | None = None
    county: str | None = None
    for row in rows[header_idx + 1 :]:
        code = clean(row[0])
        if not GSS_CODE.match(code):
            continue
        if code.startswith(("E12", "W92")):
            region, county = code, None
        elif code.startswith(("K0", "E92", "S92", "N92")):
            region, county = None, None
        elif code.startswith(COUNTY_PREFIXES):
            county = code
        elif code.startswith(("E07", "E08")):
            if county is None:
                fail(f"APS district {code} is not under a county row")
        else:
            county = None  # unitary authorities, boroughs, Inner/Outer London (E13) rows
        # Footnote numbers are glued to names ("County Durham13"); drop them.
        name = re.sub(r"\d+$", "", clean(row[1])).strip()
        area = ApsArea(code, name, region, county if code.startswith(("E07", "E08")) else None)
        for group, (c_est, c_ci) in columns.items():
            ci = None if group == "all_aps" else parse_aps_cell(row[c_ci])  # 'All' has no CI ('z')
            area.cells[group] = (parse_aps_cell(row[c_est]), ci)
        areas[code] = area
    check_aps_counties(areas)
    return areas


def county_members(aps: dict[str, ApsArea]) -> dict[str, list[str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for area in aps.values():
        if area.county_code:
            members[area.county_code].append(area.code)
    return dict(members)


def check_aps_counties(aps: dict[str, ApsArea]) -> None:
    """County 'All' estimates must equal their districts' sum up to rounding to thousands."""
    for county, districts in county_members(aps).items():
        values = [aps[d].cells["all_aps"][0].value for d in districts]
        county_value = aps[county].cells["all_aps"][0].value
        if county_value is None or any(v is None for v in values):
            continue
        tolerance = 0.5 * (len(values) + 1)
        if abs(county_value - sum(values)) > tolerance:  # type: ignore[arg-type]
            fail(f"APS county {county} ({county_value}) differs from its districts ({sum(values)})")


def read_lookup(path: Path) -> Lookup:
    rows = read_csv_rows(path)
    cols = rows[0].keys()
    lad = next(c for c in cols if re.fullmatch(r"LAD\d\dCD", c))
    pfa = next(c for c in cols if re.fullmatch(r"PFA\d\dCD", c))
    pfa_nm = next(c for c in cols if re.fullmatch(r"PFA\d\dNM", c))
    la_to_pfa: dict[str, str] = {}
    pfa_names: dict[str, str] = {}
    for row in rows:
        if row[lad] in la_to_pfa:
            fail(f"{path.name}: duplicate LA {row[lad]}")
        la_to_pfa[row[lad]] = row[pfa]
        pfa_names[row[pfa]] = row[pfa_nm]
    return Lookup(la_to_pfa, pfa_names)


def read_forces(path: Path) -> list[dict[str, str]]:
    """Territorial forces only: those with an English (E23) or Welsh (W15) PFA code."""
    return [r for r in read_csv_rows(path) if r["pfa_code"].startswith(("E23", "W15"))]


# --------------------------------------------------------------------------- checks
def compare_lookups(lk16: Lookup, lk22: Lookup) -> list[str]:
    """PFAs must be the same 43 areas in both vintages; report the LA code churn."""
    notes: list[str] = []
    if lk16.pfa_names != lk22.pfa_names:
        fail("PFA codes/names differ between the 2016 and 2022 lookups")
    shared = lk16.la_to_pfa.keys() & lk22.la_to_pfa.keys()
    moved = sorted(c for c in shared if lk16.la_to_pfa[c] != lk22.la_to_pfa[c])
    if moved:
        fail(f"LAs changed PFA between 2016 and 2022: {moved}")
    old = sorted(lk16.la_to_pfa.keys() - shared)
    new = sorted(lk22.la_to_pfa.keys() - shared)
    old_pfas = {lk16.la_to_pfa[c] for c in old}
    new_pfas = {lk22.la_to_pfa[c] for c in new}
    if old_pfas != new_pfas:
        fail(f"retired/new LA codes sit in different PFAs: {sorted(old_pfas ^ new_pfas)}")
    notes.append(
        f"LA codes: {len(shared)} shared by LAD16/LAD22 (same PFA); {len(old)} 2016-only and "
        f"{len(new)} 2022-only codes (LA mergers inside PFAs {', '.join(sorted(new_pfas))})"
    )
    return notes


def check_codes(name: str, expected: set[str], actual: set[str]) -> None:
    if expected != actual:
        fail(
            f"{name}: LA codes differ; only in lookup {sorted(expected - actual)}, "
            f"only in data {sorted(actual - expected)}"
        )


# --------------------------------------------------------------------------- builders
def build_regions(mye_regions: dict[str, str], aps: dict[str, ApsArea]) -> list[list[object]]:
    """Codes/order from MYE region rows; mixed-case names from the APS table (both ONS)."""
    rows = []
    for code in sorted(mye_regions):
        if code not in aps:
            fail(f"region {code} missing from APS table")
        aps_name = aps[code].name
        if aps_name.upper() != mye_regions[code].upper():
            fail(f"region {code} named {mye_regions[code]!r} (MYE) vs {aps_name!r} (APS)")
        name = REGION_NAME_OVERRIDES.get(code, aps_name)
        source = (
            f"ONS MYE mid-2021 sheet '{MYE_SHEET}' region/country rows (code); name case from "
            f"ONS APS Table 2.1"
        )
        if code in REGION_NAME_OVERRIDES:
            source += f"; name hard-coded to GSS name (files print {aps_name!r})"
        country = "Wales" if code.startswith("W") else "England"
        rows.append([code, name, country, source, GEOGRAPHY_REFERENCE_DATE])
    if len(rows) != 10:
        fail(f"expected 9 English regions + Wales, found {len(rows)}")
    return rows


def force_regions(lookup: Lookup, la_region: dict[str, str | None], label: str) -> dict[str, str]:
    """Region of each PFA, asserting all of its LAs fall in the same region."""
    regions: dict[str, set[str]] = defaultdict(set)
    for la, pfa in lookup.la_to_pfa.items():
        region = la_region.get(la)
        if region is None:
            fail(f"{label}: LA {la} has no region")
        regions[pfa].add(region)  # type: ignore[arg-type]
    split = {p: sorted(r) for p, r in regions.items() if len(r) != 1}
    if split:
        fail(f"{label}: PFAs spanning regions: {split}")
    return {pfa: next(iter(r)) for pfa, r in regions.items()}


def build_forces(
    forces: list[dict[str, str]],
    lk22: Lookup,
    region_of_pfa: dict[str, str],
    region_names: dict[str, str],
) -> tuple[list[list[object]], list[str]]:
    notes: list[str] = []
    codes = {f["pfa_code"] for f in forces}
    if len(forces) != 43 or codes != set(lk22.pfa_names):
        fail(f"expected the 43 territorial forces matching the PFA lookup, got {len(forces)}")
    rows = []
    for force in sorted(forces, key=lambda f: f["pfa_code"]):
        code = force["pfa_code"]
        pfa_name = lk22.pfa_names[code]
        if force["pfa_name"] != pfa_name:
            notes.append(f"PFA name differs: streetlamp {force['pfa_name']!r} vs ONS {pfa_name!r}")
        region = region_of_pfa[code]
        source = (
            "data.police.uk force id/name (BlackThrive/streetlamp forces.csv); PFA code/name ONS "
            "LAD22-CSP22-PFA22 lookup; region from LAs under region rows in ONS MYE mid-2021 "
            f"sheet '{MYE_SHEET}'"
        )
        rows.append(
            [
                code,
                force["force_id"],
                force["name"],
                pfa_name,
                region,
                region_names[region],
                "Wales" if code.startswith("W") else "England",
                source,
                GEOGRAPHY_REFERENCE_DATE,
            ]
        )
    return rows, notes


def build_mye_population(mye: list[MyeArea], lk22: Lookup) -> list[PopRow]:
    totals: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for area in mye:
        pfa = lk22.la_to_pfa[area.code]
        totals[pfa] += area.population
        counts[pfa] += 1
    return [
        PopRow(
            pfa,
            "all",
            totals[pfa],
            None,
            None,
            MYE_PERIOD,
            MYE_SOURCE,
            f"Sum of mid-2021 estimates (usual residents, all ages) for {counts[pfa]} local authorities.",
            False,
        )
        for pfa in sorted(totals)
    ]


def aps_tiles(las: list[str], members: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Smallest set of published APS areas covering the PFA exactly.

    A county/met-county row is used whole when all of its districts lie in the PFA:
    it is ONS's own estimate (with its own CI) and is published even where some of
    its districts are suppressed for disclosure control.
    """
    remaining = set(las)
    used_counties = []
    for county, districts in sorted(members.items()):
        if set(districts) <= remaining:
            used_counties.append(county)
            remaining -= set(districts)
    return sorted(used_counties) + sorted(remaining), used_counties


@dataclass
class ApsSum:
    estimate: float  # thousands, over the available areas only
    half_width: float | None  # thousands; None when not applicable or a CI is unavailable
    missing: list[str]
    notes: list[str]


APS_MARKER_MEANING = {".": "no contact", "c": "disclosure control", ":": "not available"}


def aggregate_aps_group(
    group: str, tiles: list[str], las: set[str], aps: dict[str, ApsArea]
) -> ApsSum:
    """Sum estimates and combine CI half-widths in quadrature; collect gaps, never fill them."""
    estimate, variance, ci_ok = 0.0, 0.0, group != "all_aps"
    missing: list[str] = []
    notes: list[str] = []
    for code in tiles:
        est, ci = aps[code].cells[group]
        if est.value is None:
            partner = APS_COMBINED_AREAS.get(code, (None, ""))[0]
            if partner in las:  # folded into a neighbour inside the same PFA: already counted
                notes.append(f"{aps[code].name} counted within {aps[partner].name} by ONS")
                continue
            reason = f"'{est.marker}' ({APS_MARKER_MEANING.get(est.marker or '', 'unpublished')})"
            if partner:
                reason += f", ONS counts it within {aps[partner].name} (another PFA)"
            missing.append(f"{code} {aps[code].name} {reason}")
            continue
        if est.marker == APS_ROUNDED_ZERO:
            notes.append(f"{aps[code].name} published as 0~ (<500), used as 0")
        estimate += est.value
        if ci is None or ci.value is None:
            ci_ok = False
        else:
            variance += ci.value**2
    return ApsSum(estimate, math.sqrt(variance) if ci_ok else None, missing, notes)


def tiles_text(tiles: list[str], counties: list[str], aps: dict[str, ApsArea]) -> str:
    text = f"{len(tiles)} APS area{'s' if len(tiles) != 1 else ''}"
    if counties:
        text += " incl. whole-county rows " + ", ".join(aps[c].name for c in counties)
    return text


def build_aps_population(
    aps: dict[str, ApsArea], lk16: Lookup
) -> tuple[list[PopRow], list[str], list[str]]:
    members = county_members(aps)
    las_by_pfa: dict[str, list[str]] = defaultdict(list)
    for la, pfa in lk16.la_to_pfa.items():
        las_by_pfa[pfa].append(la)
    westminster_pfa = lk16.la_to_pfa.get("E09000033")

    rows: list[PopRow] = []
    missing_report: list[str] = []
    covered_report: list[str] = []
    for pfa in sorted(las_by_pfa):
        las = las_by_pfa[pfa]
        tiles, counties = aps_tiles(las, members)
        covered = sorted(
            f"{aps[d].name} {g} '{aps[d].cells[g][0].marker}'"
            for c in counties
            for d in members[c]
            for g in APS_GROUP_COLUMNS
            if aps[d].cells[g][0].value is None
        )
        if covered:
            covered_report.append(
                f"{pfa}: county row used where districts show {'; '.join(covered)}"
            )
        for group in APS_GROUP_COLUMNS:
            agg = aggregate_aps_group(group, tiles, set(las), aps)
            missing, notes = agg.missing, agg.notes
            if pfa == westminster_pfa and "E09000001" not in las:
                notes.append(
                    "includes City of London residents (ONS counts them within Westminster)"
                )
            if missing:
                available = len(tiles) - len(missing)
                note = f"Not available: {'; '.join(missing)}."
                note += (
                    f" Partial sum of the {available} other areas: {round(agg.estimate * 1000)} (not a PFA total)."
                    if available
                    else " No other areas in this PFA, so no partial sum."
                )
                missing_report.append(f"{pfa} {group}: {'; '.join(missing)}")
                rows.append(
                    PopRow(pfa, group, None, None, None, APS_PERIOD, APS_SOURCE, note, True)
                )
                continue
            note = f"Sum of estimates (thousands x 1000) for {tiles_text(tiles, counties, aps)}"
            population = round(agg.estimate * 1000)
            lower = upper = None
            if group == "all_aps":
                note += "; no CI (ONS: 'All' is not sample-based)"
            elif agg.half_width is not None:
                hw = round(agg.half_width * 1000)
                lower, upper = population - hw, population + hw
                note += "; 95% CI = sum +/- sqrt(sum of squared area CI half-widths), areas assumed independent"
                if lower < 0:  # ONS: a negative lower limit means "assume above zero"
                    lower = 0
                    note += "; lower limit floored at 0"
            if notes:
                note += "; " + "; ".join(notes)
            rows.append(
                PopRow(
                    pfa, group, population, lower, upper, APS_PERIOD, APS_SOURCE, note + ".", False
                )
            )
    return rows, missing_report, covered_report


def check_aps_vs_mye(rows: list[PopRow], low: float = 0.8, high: float = 1.1) -> None:
    """Guard against lookup/boundary mismatches between the 2016 and 2021 geographies.

    APS 2015/16 excludes most communal establishments and predates five years of growth,
    so it sits a little below MYE 2021; a ratio far outside that means areas were lost.
    """
    by_key = {(r.force_code, r.population_group): r.population for r in rows}
    for (pfa, group), aps_all in by_key.items():
        mye_all = by_key.get((pfa, "all"))
        if (
            group == "all_aps"
            and aps_all is not None
            and mye_all
            and not (low <= aps_all / mye_all <= high)
        ):
            fail(f"{pfa}: APS 2015/16 all ({aps_all}) vs MYE 2021 ({mye_all}) out of range")


def build_sources(ref_dir: Path) -> list[list[object]]:
    readme = read_readme_table(ref_dir)
    titles = {
        MYE_FILE: clean(read_sheet(ref_dir / MYE_FILE, "Cover sheet")[0][0]),
        APS_FILE: re.sub(r"[\d,]+$", "", clean(read_sheet(ref_dir / APS_FILE, APS_SHEET)[0][0]))
        + " (July 2015 to June 2016)",
    }
    rows = []
    for name in sorted(REQUIRED_FILES):
        if name not in readme:
            fail(f"{name} is not described in the reference README")
        _, mirror = readme[name]
        title, publisher, period = SOURCE_META[name]
        rows.append([Path(name).stem, titles.get(name, title), publisher, period, LICENCE, mirror])
    return rows


# --------------------------------------------------------------------------- main
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=DEFAULT_REFERENCE_DIR,
        help=f"directory with the ONS reference files (default: {DEFAULT_REFERENCE_DIR})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"where to write the seed CSVs (default: {DEFAULT_OUT_DIR})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ref_dir: Path = args.reference_dir.resolve()
    out_dir: Path = args.out_dir.resolve()
    check_reference_dir(ref_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    mye_areas, mye_regions, ew_total = read_mye(ref_dir / MYE_FILE)
    aps = read_aps(ref_dir / APS_FILE)
    lk16, lk22 = read_lookup(ref_dir / LOOKUP16_FILE), read_lookup(ref_dir / LOOKUP22_FILE)
    forces = read_forces(ref_dir / STREETLAMP_FILE)

    check_codes("MYE mid-2021 vs LAD22 lookup", set(lk22.la_to_pfa), {a.code for a in mye_areas})
    aps_las = {c for c in aps if c.startswith(LA_PREFIXES)}
    check_codes("APS 2015/16 vs LAD16 lookup", set(lk16.la_to_pfa), aps_las)
    notes = compare_lookups(lk16, lk22)

    regions = build_regions(mye_regions, aps)
    region_names = {r[0]: r[1] for r in regions}
    region_of_pfa = force_regions(lk22, {a.code: a.region_code for a in mye_areas}, "MYE 2021")
    if force_regions(lk16, {c: aps[c].region_code for c in aps_las}, "APS 2016") != region_of_pfa:
        fail("force regions differ between the 2021 and 2016 geographies")
    force_rows, force_notes = build_forces(forces, lk22, region_of_pfa, region_names)

    mye_rows = build_mye_population(mye_areas, lk22)
    aps_rows, missing, covered = build_aps_population(aps, lk16)
    pop_rows = sorted(
        mye_rows + aps_rows, key=lambda r: (r.force_code, r.reference_period, r.population_group)
    )
    check_aps_vs_mye(pop_rows)
    mye_sum = sum(r.population for r in mye_rows)  # type: ignore[misc]
    if mye_sum != ew_total:
        fail(f"force populations sum to {mye_sum}, MYE England and Wales total is {ew_total}")

    write_csv(
        out_dir / "ref_regions.csv",
        ["region_code", "region_name", "country", "source", "reference_date"],
        regions,
    )
    write_csv(
        out_dir / "ref_forces.csv",
        [
            "force_code",
            "force_id",
            "force_name",
            "pfa_name",
            "region_code",
            "region_name",
            "country",
            "source",
            "reference_date",
        ],
        force_rows,
    )
    write_csv(
        out_dir / "ref_force_population.csv",
        [
            "force_code",
            "population_group",
            "population",
            "population_ci_lower",
            "population_ci_upper",
            "reference_period",
            "source",
            "method_note",
            "is_missing",
        ],
        (
            [
                r.force_code,
                r.population_group,
                r.population,
                r.ci_lower,
                r.ci_upper,
                r.reference_period,
                r.source,
                r.method_note,
                r.is_missing,
            ]
            for r in pop_rows
        ),
    )
    write_csv(
        out_dir / "ref_sources.csv",
        ["source_id", "title", "publisher", "reference_period", "licence", "mirror"],
        build_sources(ref_dir),
    )

    print_summary(
        out_dir,
        regions,
        force_rows,
        pop_rows,
        ew_total,
        aps,
        notes + force_notes + covered,
        missing,
    )
    return 0


def print_summary(
    out_dir: Path,
    regions: list[list[object]],
    force_rows: list[list[object]],
    pop_rows: list[PopRow],
    ew_total: int,
    aps: dict[str, ApsArea],
    notes: list[str],
    missing: list[str],
) -> None:
    def total(group: str) -> int:
        return sum(r.population or 0 for r in pop_rows if r.population_group == group)

    def published(group: str) -> int:
        return round(
            sum(aps[c].cells[group][0].value or 0 for c in ("E92000001", "W92000004")) * 1000
        )

    print(f"wrote seeds to {out_dir}")
    print(f"  regions: {len(regions)}  forces: {len(force_rows)}  population rows: {len(pop_rows)}")
    print(
        f"  mid-2021 population, England+Wales (sum of 43 PFAs): {total('all'):,} (MYE row {ew_total:,})"
    )
    for group in APS_GROUP_COLUMNS:
        print(
            f"  APS {APS_PERIOD} {group}: {total(group):,} summed over non-missing PFAs "
            f"(published England+Wales {published(group):,})"
        )
    for note in notes:
        print(f"  note: {note}")
    print(f"  missing APS rows: {len(missing)}")
    for item in missing:
        print(f"    - {item}")


if __name__ == "__main__":
    sys.exit(main())
