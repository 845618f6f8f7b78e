"""Writes the SYNTHETIC worked case tests/data/worked_case (see its README): an invented think
tank's Freedom-of-Information answers from 22 of the 43 forces for January to October 2024, with
child sexual offence categories, and the truth table `truth.csv` every file was drawn from (one
row per count cell). Every number is invented. Deterministic (seeded); run it to regenerate, the
files come out byte-identical:

    python tests/data/worked_case/make_case.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
from scripts.generate_sample_returns import _fix_zip_timestamps  # noqa: E402

SEED = 20241031
SYNTHETIC = "SYNTHETIC worked case (tests/data/worked_case): invented figures, not police data."
TRUTH_COLUMNS = [
    "return_id", "force_name", "source_file", "sheet", "source_row", "source_column", "month",
    "offence_as_written", "offence_code", "offence_group", "nationality_as_written",
    "nationality_group", "true_count", "shown", "suppression_lower", "suppression_upper",
]  # fmt: skip

# What each offence is, by the generator's own reading of the Home Office Counting Rules: code
# (None for a wording that names only an offence group), group, arrests a month per million
# residents, and the wordings forces use for it (each force takes one).
OFFENCES: dict[str, tuple[str | None, str, float, list[str]]] = {
    # sexual offences against a child
    "rape_girl_u13": ("19E", "Sexual offences", 5.4, ["Rape of a female child under 13",
                      "Rape of a girl under 13", "RAPE OF A FEMALE CHILD U13"]),
    "rape_boy_u13": ("19H", "Sexual offences", 2.2, ["Rape of a male child under 13",
                     "Rape of a boy u13"]),
    "rape_child_u13": ("19E+19H", "Sexual offences", 7.6, ["Rape of a child under 13",
                       "Rape - child u13"]),
    "rape_girl_u16": ("19D", "Sexual offences", 6.8, ["Rape of a female child under 16",
                      "Rape of a girl u16"]),
    "rape_boy_u16": ("19G", "Sexual offences", 1.8, ["Rape of a male child under 16"]),
    "assault_girl_u13": ("20B", "Sexual offences", 6.3, ["Sexual assault on a female child under 13",
                         "Sexual assault on a girl u13"]),
    "assault_boy_u13": ("17B", "Sexual offences", 2.7, ["Sexual assault on a male child under 13"]),
    "activity_u13": ("21", "Sexual offences", 4.1, ["Sexual activity involving a child under 13",
                     "Sexual activity with a child u13"]),
    "activity_u16": ("22B", "Sexual offences", 9.0, ["Sexual activity involving a child under 16",
                     "SEXUAL ACTIVITY INVOLVING CHILD U16"]),
    "exploitation": ("71", "Sexual offences", 2.2, ["Abuse of children through sexual exploitation",
                     "Paying for sexual services of a child"]),
    "communication": ("71/17", "Sexual offences", 4.9, ["Sexual communication with a child",
                      "Engaging in sexual communication with a child"]),
    "grooming": ("88A", "Sexual offences", 3.2, ["Sexual grooming",
                 "Meeting a child following sexual grooming"]),
    # other sexual offences
    "rape_woman": ("19C", "Sexual offences", 4.0, ["Rape of a female aged 16 and over",
                   "Rape of a woman aged 16 and over"]),
    "assault_woman": ("20A", "Sexual offences", 3.0, ["Sexual assault on a female aged 13 and over",
                      "Sexual assault on a female aged 13 & over"]),
    "exposure": ("88E", "Sexual offences", 1.5, ["Exposure and voyeurism", "Indecent exposure"]),
    "rape_group": (None, "Sexual offences", 8.0, ["Rape"]),
    "sexual_group": (None, "Sexual offences", 20.0, ["Sexual offences"]),
    # indecent images of children, and their neighbours in class 86 that are not
    "iioc_possess": ("86/10", "Miscellaneous crimes against society", 2.5,
                     ["Possession of indecent photograph of a child",
                      "Possess indecent image of a child"]),
    "iioc_make": ("86/2", "Miscellaneous crimes against society", 3.0,
                  ["Making an indecent image of a child",
                   "Distribute indecent images of children",
                   "Taking, permitting to be taken or making, distributing or publishing indecent "
                   "photographs or pseudo photographs of children"]),
    "iioc_any": ("86/2+86/10", "Miscellaneous crimes against society", 5.5,
                 ["Indecent images of children", "IIOC"]),
    "obscene": ("86", "Miscellaneous crimes against society", 0.8, ["Obscene publications etc"]),
    "prohibited": ("86/15", "Miscellaneous crimes against society", 0.4,
                   ["Possess prohibited images of children"]),
    # prostitution
    "exploit_prostitution": ("24", "Miscellaneous crimes against society", 0.3,
                             ["Exploitation of prostitution"]),
    "inciting_prostitution": ("24/17", "Miscellaneous crimes against society", 0.3,
                              ["Causing or inciting prostitution for gain"]),
    "controlling_prostitution": ("24/18", "Miscellaneous crimes against society", 0.4,
                                 ["Controlling prostitution for gain"]),
    "brothel": ("24/19", "Miscellaneous crimes against society", 0.3,
                ["Keeping a brothel used for prostitution"]),
    "kerb_crawling": ("27", "Miscellaneous crimes against society", 0.6,
                      ["Kerb crawling", "Soliciting for the purpose of prostitution"]),
    "loitering": ("166/4", "Summary non-motoring", 0.5,
                  ["Loitering or soliciting for the purposes of prostitution"]),
    "advertising": ("165/3", "Summary non-motoring", 0.1,
                    ["Placing of advertisement relating to prostitution"]),
    # ordinary offences
    "shoplifting": ("46", "Theft offences", 60.0, ["Shoplifting"]),
    "assault_injury": ("8N", "Violence against the person", 90.0, ["Assault with injury"]),
    "cannabis": ("92E", "Drug offences", 35.0, ["Possession of controlled drugs (cannabis)"]),
    "burglary": ("28E", "Theft offences", 12.0, ["Burglary residential"]),
    "violence_group": (None, "Violence against the person", 250.0, ["Violence against the person"]),
    "theft_group": (None, "Theft offences", 150.0, ["Theft offences"]),
    "drugs_group": (None, "Drug offences", 70.0, ["Drug offences"]),
    "misc_group": (None, "Miscellaneous crimes against society", 25.0,
                   ["Miscellaneous crimes against society"]),
}  # fmt: skip

# Offence lists forces answer with. "Detailed" forces name sexual offences one by one; the
# "groups" force answers by offence group only, so it cannot stand behind a child-victim figure.
CHILD_BY_SEX = [
    "rape_girl_u13",
    "rape_boy_u13",
    "rape_girl_u16",
    "rape_boy_u16",
    "assault_girl_u13",
    "assault_boy_u13",
    "activity_u13",
    "activity_u16",
]
CHILD_TOGETHER = [
    "rape_child_u13",
    "rape_girl_u16",
    "assault_girl_u13",
    "activity_u13",
    "activity_u16",
    "exploitation",
    "communication",
    "grooming",
]
ADULT = ["rape_woman", "assault_woman", "exposure"]
IMAGES = ["iioc_possess", "iioc_make", "prohibited"]
PROSTITUTION = ["exploit_prostitution", "controlling_prostitution", "brothel", "kerb_crawling"]
ORDINARY = ["shoplifting", "assault_injury", "cannabis", "violence_group"]
OFFENCE_SETS = {
    "full": CHILD_BY_SEX + ["exploitation", "communication", "grooming"] + ADULT + IMAGES
    + PROSTITUTION + ["loitering"] + ORDINARY,
    "together": CHILD_TOGETHER + ADULT + ["iioc_any", "obscene"] + PROSTITUTION + ORDINARY,
    "lean": ["rape_child_u13", "activity_u16", "communication", "rape_woman", "rape_group",
             "iioc_possess", "iioc_make", "kerb_crawling", "inciting_prostitution",
             "advertising", "theft_group", "violence_group", "burglary"],
    "groups": ["sexual_group", "violence_group", "theft_group", "drugs_group", "misc_group"],
}  # fmt: skip

# Nationality labels as forces write them: the first is British, the last unknown; weights are
# each label's share of arrests.
NATIONALITY_STYLES = {
    "plain": [("British", 0.80), ("Polish", 0.06), ("Romanian", 0.06),
              ("Other foreign national", 0.04), ("Not stated", 0.04)],
    "countries": [("UK", 0.82), ("POLAND", 0.05), ("ROMANIA", 0.05), ("Albania", 0.03),
                  ("Not recorded", 0.05)],
    "citizens": [("British Citizen", 0.78), ("Polish", 0.05), ("Pakistani", 0.04),
                 ("Other", 0.05), ("Unknown", 0.08)],
    "iso": [("GBR", 0.84), ("POL", 0.05), ("ROU", 0.04), ("IRL", 0.02), ("N/K", 0.05)],
    "short": [("United Kingdom", 0.84), ("EU national", 0.08), ("Foreign national", 0.04),
              ("Refused", 0.04)],
}  # fmt: skip
UNKNOWN_LABELS = {"Not stated", "Not recorded", "Unknown", "N/K", "Refused"}


@dataclass(frozen=True)
class Suppression:
    marker: str
    lower: int
    upper: int


STAR = Suppression("*", 1, 4)
BELOW_5 = Suppression("<5", 1, 4)
BELOW_3 = Suppression("<3", 1, 2)
BELOW_10 = Suppression("<10", 0, 9)  # a cell shown "<10" may be a zero
C_MARK = Suppression("[c]", 1, 9)
X_MARK = Suppression("x", 1, 5)
_CREATED = dt.datetime(2024, 11, 15)  # fixed document dates: regeneration is byte-identical


@dataclass(frozen=True)
class Layout:
    """How a force writes its answer: a long CSV (with its own headers and month format), or a
    table with months or nationalities across the columns."""

    kind: str  # long_csv, wide_month_xlsx, wide_month_csv, wide_nationality_xlsx
    headers: tuple[str, str, str, str] = ("Month", "Offence", "Nationality", "Arrests")
    month_format: str = "%Y-%m"
    writes_zeros: bool = False  # a long answer usually leaves out its zero rows
    nil: str | None = None  # a marker for zero, such as "-"


LONG = Layout("long_csv")
LONG_NAMED = Layout(
    "long_csv", ("Period", "Offence description", "Nationality of arrestee", "Number of arrests"),
    "%B %Y", writes_zeros=True,
)  # fmt: skip
LONG_SHORT = Layout("long_csv", ("Month of arrest", "HO offence", "Nationality", "Count"), "%b-%y")
LONG_DATED = Layout(
    "long_csv", ("Date", "Offence", "Nationality", "Arrests"), "%d/%m/%Y", writes_zeros=True,
    nil="-",
)  # fmt: skip
WIDE_MONTH_XLSX = Layout("wide_month_xlsx", month_format="%b %Y")
WIDE_MONTH_CSV = Layout("wide_month_csv", month_format="%b-%y")
WIDE_NATIONALITY_XLSX = Layout("wide_nationality_xlsx", month_format="%B %Y")


@dataclass(frozen=True)
class Answer:
    """One force's FOI answer (one return)."""

    return_id: str
    force: str  # the force as the manifest names it: a name or an ONS code
    force_name: str
    population: int  # for drawing counts only
    start: str
    end: str
    offences: str
    nationalities: str
    suppression: Suppression
    layout: Layout
    wording: int = 0  # which variant of each wording
    empty_months: tuple[str, ...] = ()  # declared, but no arrests of any listed offence
    notes: str = ""


def answer(slug: str, name: str, population: int, start: str = "2024-01", end: str = "2024-10",
           **kw) -> Answer:  # fmt: skip
    return Answer(
        return_id=kw.pop("return_id", f"{slug}-foi-2024-01-2024-10"),
        force=kw.pop("force", name),
        force_name=name,
        population=population,
        start=start,
        end=end,
        **kw,
    )


ANSWERS = [
    # Wales: all four forces answered
    answer("north-wales", "North Wales Police", 700_000, offences="full", nationalities="plain",
           suppression=STAR, layout=LONG, force="W15000001"),
    answer("gwent", "Gwent Police", 600_000, offences="together", nationalities="countries",
           suppression=BELOW_5, layout=LONG_NAMED, wording=1, empty_months=("2024-08",),
           notes="August 2024 is declared but has no rows: the force recorded no such arrests."),
    answer("south-wales", "South Wales Police", 1_300_000, offences="lean", nationalities="iso",
           suppression=BELOW_5, layout=WIDE_MONTH_CSV, wording=2),
    answer("dyfed-powys", "Dyfed-Powys Police", 520_000, end="2024-06", offences="lean",
           nationalities="short", suppression=BELOW_3, layout=LONG_SHORT,
           return_id="dyfed-powys-foi-2024-01-2024-06", notes="Answered January to June only."),
    # North East: all three
    answer("northumbria", "Northumbria Police", 1_480_000, offences="full",
           nationalities="countries", suppression=STAR, layout=WIDE_MONTH_XLSX, wording=1),
    answer("durham", "Durham Constabulary", 640_000, offences="together", nationalities="plain",
           suppression=C_MARK, layout=LONG, force="E23000008"),
    answer("cleveland", "Cleveland Police", 570_000, offences="lean", nationalities="citizens",
           suppression=BELOW_5, layout=LONG_DATED, wording=1),
    # North West: three of five
    answer("lancashire", "Lancashire Constabulary", 1_530_000, offences="full",
           nationalities="plain", suppression=STAR, layout=LONG_NAMED, wording=2),
    answer("merseyside", "Merseyside Police", 1_430_000, start="2024-04", offences="together",
           nationalities="iso", suppression=X_MARK, layout=LONG,
           return_id="merseyside-foi-2024-04-2024-10",
           notes="Answered April to October only (financial year 2024-25 to date)."),
    answer("greater-manchester", "Greater Manchester Police", 2_870_000, offences="full",
           nationalities="citizens", suppression=X_MARK, layout=WIDE_MONTH_XLSX),
    # Yorkshire and The Humber: two of four
    answer("west-yorkshire", "West Yorkshire Police", 2_350_000, offences="together",
           nationalities="citizens", suppression=STAR, layout=WIDE_MONTH_XLSX, wording=1,
           force="E23000010"),
    answer("south-yorkshire", "South Yorkshire Police", 1_390_000, offences="lean",
           nationalities="plain", suppression=BELOW_3, layout=LONG),
    # East Midlands: three of five
    answer("derbyshire", "Derbyshire Constabulary", 1_050_000, start="2024-04", offences="full",
           nationalities="countries", suppression=BELOW_5, layout=LONG_SHORT, wording=1,
           return_id="derbyshire-foi-2024-04-2024-10", notes="Answered April to October only."),
    answer("nottinghamshire", "Nottinghamshire Police", 1_160_000, offences="together",
           nationalities="short", suppression=STAR, layout=LONG),
    answer("leicestershire", "Leicestershire Police", 1_120_000, offences="full",
           nationalities="iso", suppression=C_MARK, layout=LONG_NAMED),
    # West Midlands: two of four
    answer("west-midlands", "West Midlands Police", 2_920_000, offences="full",
           nationalities="citizens", suppression=X_MARK, layout=LONG, wording=1),
    answer("staffordshire", "Staffordshire Police", 1_130_000, end="2024-06", offences="lean",
           nationalities="plain", suppression=STAR, layout=LONG_DATED,
           return_id="staffordshire-foi-2024-01-2024-06", notes="Answered January to June only."),
    # East of England: two of six
    answer("essex", "Essex Police", 1_860_000, offences="together", nationalities="countries",
           suppression=BELOW_10, layout=LONG_SHORT),
    answer("norfolk", "Norfolk Constabulary", 920_000, end="2024-06", offences="full",
           nationalities="short", suppression=BELOW_5, layout=LONG, wording=2,
           return_id="norfolk-foi-2024-01-2024-06", notes="Answered January to June only."),
    # London: the Metropolitan Police, not the City of London Police
    answer("metropolitan", "Metropolitan Police Service", 8_790_000, offences="full",
           nationalities="plain", suppression=STAR, layout=WIDE_NATIONALITY_XLSX, wording=1,
           force="E23000001"),
    # South East: Kent answered with two returns, one per financial year
    answer("kent", "Kent Police", 1_860_000, start="2023-04", end="2024-03", offences="together",
           nationalities="iso", suppression=BELOW_3, layout=LONG,
           return_id="kent-foi-2023-04-2024-03",
           notes="Financial year 2023-24; its first nine months fall outside the case's period."),
    answer("kent", "Kent Police", 1_860_000, start="2024-04", end="2024-10", offences="together",
           nationalities="iso", suppression=BELOW_3, layout=LONG,
           return_id="kent-foi-2024-04-2024-10", notes="Financial year 2024-25 to date."),
    # South West: Avon and Somerset answered by offence group only
    answer("avon-and-somerset", "Avon and Somerset Constabulary", 1_730_000, offences="groups",
           nationalities="countries", suppression=STAR, layout=LONG,
           notes="By offence group only: no child-victim detail."),
]  # fmt: skip


CALENDAR = [f"{year}-{month:02d}" for year in (2023, 2024) for month in range(1, 13)]


def months(first: str, last: str) -> list[str]:
    return [m for m in CALENDAR if first <= m <= last]


def month_text(month: str, fmt: str) -> str:
    return dt.date(int(month[:4]), int(month[5:]), 1).strftime(fmt)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw by inversion, from rng.random() alone (stable across Python versions)."""
    k, p, u = 0, math.exp(-mean), rng.random()
    cumulative = p
    while u > cumulative and k < 10_000:
        k += 1
        p *= mean / k
        cumulative += p
    return k


@dataclass
class Cell:
    month: str
    offence_key: str
    wording: str
    nationality: str
    true_count: int
    shown: str
    suppressed: bool


def draw(spec: Answer, rng: random.Random) -> list[Cell]:
    """Every (month, offence, nationality) of an answer with its true count and shown text."""
    cells = []
    labels = NATIONALITY_STYLES[spec.nationalities]
    for month in months(spec.start, spec.end):
        for key in OFFENCE_SETS[spec.offences]:
            _code, _group, rate, wordings = OFFENCES[key]
            wording = wordings[spec.wording % len(wordings)]
            for label, share in labels:
                mean = rate * spec.population / 1e6 * share
                true = 0 if month in spec.empty_months else poisson(rng, mean)
                sup = spec.suppression
                suppressed = sup.lower <= true <= sup.upper and (true > 0 or sup.lower == 0)
                if suppressed:
                    shown = sup.marker
                elif true == 0 and spec.layout.nil:
                    shown = spec.layout.nil
                else:
                    shown = str(true)
                cells.append(Cell(month, key, wording, label, true, shown, suppressed))
    return cells


def nationality_group(label: str, labels: list[tuple[str, float]]) -> str:
    if label in UNKNOWN_LABELS:
        return "unknown"
    return "british" if label == labels[0][0] else "non_british"


# --- writers: each returns the manifest's files: entry and the lineage of every cell written ----

Lineage = dict[int, tuple[str, str | None, int, str]]  # id(cell) -> file, sheet, row, column


def column_letter(index: int) -> str:
    """A..Z: no table here is wider than 26 columns."""
    assert 0 <= index < 26
    return chr(ord("A") + index)


def write_long_csv(folder: Path, spec: Answer, cells: list[Cell]) -> tuple[dict, Lineage]:
    layout = spec.layout
    kept = [c for c in cells if layout.writes_zeros or c.true_count]
    if spec.empty_months:  # a declared month with no rows at all
        kept = [c for c in kept if c.month not in spec.empty_months]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(layout.headers)
    lineage: Lineage = {}
    for row, cell in enumerate(kept, start=2):
        writer.writerow(
            [
                month_text(cell.month, layout.month_format),
                cell.wording,
                cell.nationality,
                cell.shown,
            ]
        )
        lineage[id(cell)] = ("arrests.csv", None, row, "D")
    (folder / "arrests.csv").write_text(buffer.getvalue(), encoding="utf-8")
    month_h, offence_h, nationality_h, count_h = layout.headers
    entry = {
        "path": "arrests.csv",
        "layout": "long",
        "columns": {
            "month": month_h, "offence": offence_h, "nationality": nationality_h, "count": count_h,
        },
        "month_format": layout.month_format,
        "suppression": _suppression(spec),
    }  # fmt: skip
    if layout.nil:
        entry["nil_markers"] = [layout.nil]
    return entry, lineage


def _suppression(spec: Answer) -> dict:
    s = spec.suppression
    return {"markers": [s.marker], "lower": s.lower, "upper": s.upper}


def _by_row(spec: Answer, cells: list[Cell]) -> dict[tuple[str, str], dict[str, Cell]]:
    """offence wording, nationality -> month -> cell (the rows of a months-across table)."""
    rows: dict[tuple[str, str], dict[str, Cell]] = {}
    for cell in cells:
        rows.setdefault((cell.wording, cell.nationality), {})[cell.month] = cell
    return rows


def _title(spec: Answer) -> list[str]:
    return [
        f"{spec.force_name}: Freedom of Information response, arrests by offence and nationality, "
        f"{month_text(spec.start, '%B %Y')} to {month_text(spec.end, '%B %Y')}",
        SYNTHETIC,
    ]


def write_wide_month_xlsx(folder: Path, spec: Answer, cells: list[Cell]) -> tuple[dict, Lineage]:
    """Months across the columns, a Total column and a total row per offence, notes below."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Table 1"
    title, note = _title(spec)
    sheet.append([title])
    sheet.append([note])
    sheet.append([])
    month_list = months(spec.start, spec.end)
    sheet.append(
        ["Offence", "Nationality"]
        + [month_text(m, spec.layout.month_format) for m in month_list]
        + ["Total"]
    )
    lineage: Lineage = {}
    row = 4
    rows = _by_row(spec, cells)
    wordings = list(dict.fromkeys(c.wording for c in cells))
    for wording in wordings:
        keys = [k for k in rows if k[0] == wording]
        for key in keys:
            row += 1
            by_month = rows[key]
            values: list[object] = [int(c.shown) if c.shown.isdigit() else c.shown
                                    for c in (by_month[m] for m in month_list)]  # fmt: skip
            total = sum(by_month[m].true_count for m in month_list)
            sheet.append([*key, *values, "*" if any(c.suppressed for c in by_month.values())
                          else total])  # fmt: skip
            for j, month in enumerate(month_list):
                lineage[id(by_month[month])] = (
                    "arrests.xlsx",
                    "Table 1",
                    row,
                    column_letter(2 + j),
                )
        row += 1
        sheet.append([f"Total {wording}", ""] + [""] * len(month_list) + [""])
    sheet.append([])
    sheet.append(["Figures of 1 to 4 are shown as *. " + SYNTHETIC])
    book.properties.created = book.properties.modified = _CREATED
    path = folder / "arrests.xlsx"
    book.save(path)
    _fix_zip_timestamps(path)
    entry = {
        "path": "arrests.xlsx",
        "sheet": "Table 1",
        "header_row": 4,
        "skip_rows_after_blank": True,
        "layout": "wide",
        "wide_by": "month",
        "columns": {"offence": "Offence", "nationality": "Nationality"},
        "ignore_columns": ["Total"],
        "skip_rows_matching": {"Offence": "^Total "},
        "month_format": spec.layout.month_format,
        "suppression": _suppression(spec),
    }
    return entry, lineage


def write_wide_month_csv(folder: Path, spec: Answer, cells: list[Cell]) -> tuple[dict, Lineage]:
    """Months across the columns in cp1252 with ';', title lines above, notes below a blank."""
    month_list = months(spec.start, spec.end)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    title, note = _title(spec)
    writer.writerow([title])
    writer.writerow([note])
    writer.writerow(
        ["Offence", "Nationality"] + [month_text(m, spec.layout.month_format) for m in month_list]
    )
    lineage: Lineage = {}
    for row, (key, by_month) in enumerate(_by_row(spec, cells).items(), start=4):
        writer.writerow([*key, *(by_month[m].shown for m in month_list)])
        for j, month in enumerate(month_list):
            lineage[id(by_month[month])] = ("arrests_by_month.csv", None, row, column_letter(2 + j))
    writer.writerow([])
    writer.writerow(
        [f"Counts from 0 to 9 are shown as {spec.suppression.marker} (disclosure control)."]
    )
    (folder / "arrests_by_month.csv").write_bytes(buffer.getvalue().encode("cp1252"))
    entry = {
        "path": "arrests_by_month.csv",
        "encoding": "cp1252",
        "delimiter": ";",
        "header_row": 3,
        "skip_rows_after_blank": True,
        "layout": "wide",
        "wide_by": "month",
        "columns": {"offence": "Offence", "nationality": "Nationality"},
        "month_format": spec.layout.month_format,
        "suppression": _suppression(spec),
    }
    return entry, lineage


def write_wide_nationality_xlsx(
    folder: Path, spec: Answer, cells: list[Cell]
) -> tuple[list[dict], Lineage]:
    """One column per nationality; two sheets: sexual and image offences, and the rest."""
    labels = [label for label, _ in NATIONALITY_STYLES[spec.nationalities]]
    book = openpyxl.Workbook()
    book.remove(book.active)
    lineage: Lineage = {}
    entries = []
    sheets = {
        "Sexual offences": lambda c: (
            OFFENCES[c.offence_key][1] == "Sexual offences"
            or OFFENCES[c.offence_key][0] in ("86/2", "86/10", "86/15")
        ),
        "Other offences": lambda c: (
            not (
                OFFENCES[c.offence_key][1] == "Sexual offences"
                or OFFENCES[c.offence_key][0] in ("86/2", "86/10", "86/15")
            )
        ),
    }
    for name, belongs in sheets.items():
        sheet = book.create_sheet(name)
        title, note = _title(spec)
        sheet.append([f"{title} ({name.lower()})"])
        sheet.append([note])
        sheet.append(["Month", "Offence"] + labels)
        grid: dict[tuple[str, str], dict[str, Cell]] = {}
        for cell in cells:
            if belongs(cell):
                grid.setdefault((cell.month, cell.wording), {})[cell.nationality] = cell
        for row, ((month, wording), by_label) in enumerate(grid.items(), start=4):
            sheet.append(
                [month_text(month, spec.layout.month_format), wording]
                + [int(c.shown) if c.shown.isdigit() else c.shown
                   for c in (by_label[x] for x in labels)]
            )  # fmt: skip
            for j, label in enumerate(labels):
                lineage[id(by_label[label])] = ("arrests.xlsx", name, row, column_letter(2 + j))
        entries.append(
            {
                "path": "arrests.xlsx",
                "sheet": name,
                "header_row": 3,
                "layout": "wide",
                "wide_by": "nationality",
                "columns": {"month": "Month", "offence": "Offence"},
                "value_columns": labels,
                "month_format": spec.layout.month_format,
                "suppression": _suppression(spec),
            }
        )
    book.properties.created = book.properties.modified = _CREATED
    path = folder / "arrests.xlsx"
    book.save(path)
    _fix_zip_timestamps(path)
    return entries, lineage


def write_answer(spec: Answer, rng: random.Random, root: Path) -> list[dict[str, object]]:
    """Writes one return's folder under root; returns its truth rows."""
    folder = root / spec.return_id
    folder.mkdir(parents=True, exist_ok=True)
    cells = draw(spec, rng)
    kind = spec.layout.kind
    if kind == "long_csv":
        entry, lineage = write_long_csv(folder, spec, cells)
        files = [entry]
    elif kind == "wide_month_xlsx":
        entry, lineage = write_wide_month_xlsx(folder, spec, cells)
        files = [entry]
    elif kind == "wide_month_csv":
        entry, lineage = write_wide_month_csv(folder, spec, cells)
        files = [entry]
    else:
        files, lineage = write_wide_nationality_xlsx(folder, spec, cells)
    manifest = {
        "return_id": spec.return_id,
        "force": spec.force,
        "reference": f"SYNTHETIC-WORKED-{spec.return_id.upper()}",
        "received": "2024-11-15",
        "period": {"start": spec.start, "end": spec.end},
        "data_origin": "synthetic",
        "notes": f"{SYNTHETIC} {spec.notes}".strip(),
        "files": files,
    }
    text = f"# {SYNTHETIC}\n" + yaml.safe_dump(manifest, sort_keys=False, width=100)
    (folder / "manifest.yml").write_text(text, encoding="utf-8")
    labels = NATIONALITY_STYLES[spec.nationalities]
    truth = []
    for cell in cells:
        if id(cell) not in lineage:
            continue  # a zero the force left out
        source_file, sheet, row, column = lineage[id(cell)]
        code, group, _rate, _wordings = OFFENCES[cell.offence_key]
        truth.append(
            {
                "return_id": spec.return_id,
                "force_name": spec.force_name,
                "source_file": source_file,
                "sheet": sheet or "",
                "source_row": row,
                "source_column": column,
                "month": cell.month,
                "offence_as_written": cell.wording,
                "offence_code": code or "",
                "offence_group": group,
                "nationality_as_written": cell.nationality,
                "nationality_group": nationality_group(cell.nationality, labels),
                "true_count": cell.true_count,
                "shown": cell.shown,
                "suppression_lower": spec.suppression.lower if cell.suppressed else "",
                "suppression_upper": spec.suppression.upper if cell.suppressed else "",
            }
        )
    return truth


def main(root: Path = HERE) -> None:
    """Writes every return folder and truth.csv under root (this folder by default)."""
    rng = random.Random(SEED)
    truth: list[dict[str, object]] = []
    for spec in ANSWERS:
        truth += write_answer(spec, rng, root)
    truth.sort(key=lambda r: (r["return_id"], r["source_file"], r["sheet"], r["source_row"],
                              r["source_column"]))  # fmt: skip
    with (root / "truth.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, TRUTH_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(truth)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
