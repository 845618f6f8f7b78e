"""Writes the SYNTHETIC corpus tests/data/figure_case (see its README): three hand-made returns
whose declared months straddle two financial years. Deterministic; run it to regenerate:

    python tests/data/figure_case/make_case.py
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

MANIFEST = """\
# SYNTHETIC test corpus (tests/data/figure_case): hand-made figures, not real police data.
return_id: {return_id}
force: {force}
reference: SYNTHETIC-FIGURE-{reference}
received: {received}
period:
  start: {start}
  end: {end}
data_origin: synthetic
notes: >-
  SYNTHETIC test data for tests/test_figure.py; not real police data. {notes}
files:
- path: arrests.csv
  layout: long
  columns:
    month: Month
    offence: Offence
    nationality: Nationality
    count: Arrests
  month_format: '%Y-%m'
  suppression:
    markers:
    - '{marker}'
    lower: {lower}
    upper: {upper}
"""

Cell = tuple[str, str, str]  # offence, nationality, count as written


def months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def cleveland(i: int, month: str) -> list[Cell]:
    """Sexual offences named by Home Office wording."""
    cells = [
        ("Violence against the person", "British", str(60 + 3 * i)),
        ("Violence against the person", "Polish", str(5 + i % 4)),
        ("Violence against the person", "Not stated", "*" if i % 3 == 0 else str(4 + i % 2)),
        ("Theft offences", "British", str(30 + i)),
        ("Theft offences", "Romanian", "*" if i % 4 == 1 else str(6 + i % 3)),
        ("Sexual assault on a female aged 13 and over", "British", str(3 + i % 3)),
        ("Rape of a female child under 13", "British", str(1 + i % 2)),
        ("Rape of a female child under 13", "Polish", "*" if i % 2 == 0 else "0"),
        ("Sexual activity involving child under 16", "British", str(2 + i % 4)),
    ]
    if i % 5 == 2:
        cells.append(("Sexual activity involving child under 16", "Not stated", "*"))
    return cells


def durham(i: int, month: str) -> list[Cell]:
    """By offence group only; March declared but has no cells."""
    if month == "2024-03":
        return []
    return [
        ("Violence against the person", "British", str(40 + 2 * i)),
        ("Violence against the person", "Irish", "<10" if i % 2 else "11"),
        ("Violence against the person", "Unknown", str(2 + i)),
        ("Sexual offences", "British", str(4 + i)),
        ("Sexual offences", "Romanian", "<10"),
        ("Theft offences", "British", str(20 + i)),
    ]


def cumbria(i: int, month: str) -> list[Cell]:
    """Sexual offences named; no Romanian or Polish arrests."""
    return [
        ("Violence against the person", "British", str(25 + i)),
        ("Violence against the person", "Irish", str(1 + i % 3)),
        ("Violence against the person", "Not stated", "*" if i % 2 else "1"),
        ("Exposure and voyeurism", "British", str(2 + i % 2)),
        ("Rape of a female child under 13", "British", "*" if i % 3 == 0 else "0"),
        ("Sexual activity involving child under 16", "Irish", "*" if i == 4 else "0"),
    ]


@dataclass(frozen=True)
class CaseReturn:
    name: str  # the folder is <name>-synthetic-<start>-<end>
    force: str
    received: str
    start: str
    end: str
    marker: str  # the suppression marker, standing for lower..upper
    lower: int
    upper: int
    notes: str
    cells: Callable[[int, str], list[Cell]]  # the cells of the i-th declared month

    @property
    def return_id(self) -> str:
        return f"{self.name}-synthetic-{self.start}-{self.end}"

    def manifest(self) -> str:
        fields = {k: v for k, v in vars(self).items() if k not in ("name", "cells")}
        return MANIFEST.format(return_id=self.return_id, reference=self.name.upper(), **fields)

    def rows(self) -> list[tuple[str, ...]]:
        declared = months(self.start, self.end)
        return [(m, *cell) for i, m in enumerate(declared) for cell in self.cells(i, m)]


# name, force as the manifest names it, received, declared months (start, end), the suppression
# marker and the bounds it stands for, notes, the cells of each month
RETURNS = [
    CaseReturn("cleveland", "Cleveland Police", "2024-10-20", "2023-10", "2024-09", "*", 1, 4,
               "Twelve months straddling two financial years; sexual offences named.", cleveland),
    CaseReturn("durham", "E23000008", "2024-07-15", "2024-01", "2024-06", "<10", 0, 9,
               "Six months by offence group; March 2024 declared but has no cells; '<10' is 0 to"
               " 9.", durham),
    CaseReturn("cumbria", "Cumbria Constabulary", "2024-04-30", "2023-10", "2024-03", "*", 1, 4,
               "Six months, all in 2023-24; sexual offences named.", cumbria),
]  # fmt: skip


def main() -> None:
    for spec in RETURNS:
        folder = HERE / spec.return_id
        folder.mkdir(exist_ok=True)
        (folder / "manifest.yml").write_text(spec.manifest(), encoding="utf-8")
        with (folder / "arrests.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["Month", "Offence", "Nationality", "Arrests"])
            writer.writerows(spec.rows())


if __name__ == "__main__":
    main()
