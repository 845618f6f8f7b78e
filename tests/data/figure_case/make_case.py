"""Writes the SYNTHETIC corpus tests/data/figure_case (see its README): three hand-made returns
whose declared months straddle two financial years. Deterministic; run it to regenerate:

    python tests/data/figure_case/make_case.py
"""

from __future__ import annotations

import csv
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


def months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def cleveland() -> list[tuple[str, str, str, str]]:
    """Twelve months 2023-10..2024-09; sexual offences named by Home Office wording."""
    rows = []
    for i, m in enumerate(months("2023-10", "2024-09")):
        rows += [
            (m, "Violence against the person", "British", str(60 + 3 * i)),
            (m, "Violence against the person", "Polish", str(5 + i % 4)),
            (m, "Violence against the person", "Not stated", "*" if i % 3 == 0 else str(4 + i % 2)),
            (m, "Theft offences", "British", str(30 + i)),
            (m, "Theft offences", "Romanian", "*" if i % 4 == 1 else str(6 + i % 3)),
            (m, "Sexual assault on a female aged 13 and over", "British", str(3 + i % 3)),
            (m, "Rape of a female child under 13", "British", str(1 + i % 2)),
            (m, "Rape of a female child under 13", "Polish", "*" if i % 2 == 0 else "0"),
            (m, "Sexual activity involving child under 16", "British", str(2 + i % 4)),
        ]
        if i % 5 == 2:
            rows.append((m, "Sexual activity involving child under 16", "Not stated", "*"))
    return rows


def durham() -> list[tuple[str, str, str, str]]:
    """Six months 2024-01..2024-06 by offence group only; March declared but has no cells."""
    rows = []
    for i, m in enumerate(months("2024-01", "2024-06")):
        if m == "2024-03":
            continue
        rows += [
            (m, "Violence against the person", "British", str(40 + 2 * i)),
            (m, "Violence against the person", "Irish", "<10" if i % 2 else "11"),
            (m, "Violence against the person", "Unknown", str(2 + i)),
            (m, "Sexual offences", "British", str(4 + i)),
            (m, "Sexual offences", "Romanian", "<10"),
            (m, "Theft offences", "British", str(20 + i)),
        ]
    return rows


def cumbria() -> list[tuple[str, str, str, str]]:
    """Six months 2023-10..2024-03, sexual offences named; no Romanian or Polish arrests."""
    rows = []
    for i, m in enumerate(months("2023-10", "2024-03")):
        rows += [
            (m, "Violence against the person", "British", str(25 + i)),
            (m, "Violence against the person", "Irish", str(1 + i % 3)),
            (m, "Violence against the person", "Not stated", "*" if i % 2 else "1"),
            (m, "Exposure and voyeurism", "British", str(2 + i % 2)),
            (m, "Rape of a female child under 13", "British", "*" if i % 3 == 0 else "0"),
            (m, "Sexual activity involving child under 16", "Irish", "*" if i == 4 else "0"),
        ]
    return rows


RETURNS = [
    dict(
        return_id="cleveland-synthetic-2023-10-2024-09",
        force="Cleveland Police",
        reference="CLEVELAND",
        received="2024-10-20",
        start="2023-10",
        end="2024-09",
        marker="*",
        lower=1,
        upper=4,
        notes="Twelve months straddling two financial years; sexual offences named.",
        rows=cleveland(),
    ),
    dict(
        return_id="durham-synthetic-2024-01-2024-06",
        force="E23000008",
        reference="DURHAM",
        received="2024-07-15",
        start="2024-01",
        end="2024-06",
        marker="<10",
        lower=0,
        upper=9,
        notes="Six months by offence group; March 2024 declared but has no cells; '<10' is 0 to 9.",
        rows=durham(),
    ),
    dict(
        return_id="cumbria-synthetic-2023-10-2024-03",
        force="Cumbria Constabulary",
        reference="CUMBRIA",
        received="2024-04-30",
        start="2023-10",
        end="2024-03",
        marker="*",
        lower=1,
        upper=4,
        notes="Six months, all in 2023-24; sexual offences named.",
        rows=cumbria(),
    ),
]


def main() -> None:
    for spec in RETURNS:
        folder = HERE / str(spec["return_id"])
        folder.mkdir(exist_ok=True)
        fields = {k: v for k, v in spec.items() if k != "rows"}
        (folder / "manifest.yml").write_text(MANIFEST.format(**fields), encoding="utf-8")
        with (folder / "arrests.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["Month", "Offence", "Nationality", "Arrests"])
            writer.writerows(spec["rows"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
