"""Readers and layouts on small hand-written files, each checked against the counts written into it:
encodings and delimiters, merged and multi-row headers, wide by month / offence / nationality × sex,
notes under the table, nil markers, sex and age band columns."""

from __future__ import annotations

import codecs
from pathlib import Path

import openpyxl
import pytest
import yaml

from orchestration.lib.sources.force_returns.parse import parse_return
from orchestration.lib.sources.force_returns.readers import (
    ReadError,
    detect_delimiter,
    detect_encoding,
)

# The counts every small return below holds: (month, offence, nationality) -> count.
COUNTS = {
    ("2023-04", "Robbery", "British"): 12,
    ("2023-04", "Robbery", "Polish"): 3,
    ("2023-04", "Drug offences", "British"): 40,
    ("2023-04", "Drug offences", "Polish"): 0,
    ("2023-05", "Robbery", "British"): 9,
    ("2023-05", "Robbery", "Polish"): 5,
    ("2023-05", "Drug offences", "British"): 31,
    ("2023-05", "Drug offences", "Polish"): 7,
}
LONG_ROWS = [["Month", "Offence", "Nationality", "Arrests"]] + [
    [m, o, n, str(c)] for (m, o, n), c in COUNTS.items()
]


def write_return(folder: Path, files: list[dict], period=("2023-04", "2023-05")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "return_id": "test-return",
        "force": "Cleveland Police",
        "reference": "TEST",
        "received": "2024-05-15",
        "period": {"start": period[0], "end": period[1]},
        "data_origin": "synthetic",
        "files": files,
    }
    (folder / "manifest.yml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return folder


def counts_of(folder: Path, with_sex: bool = False) -> dict:
    cells = parse_return(folder).cells.to_pylist()
    out = {}
    for c in cells:
        key = (c["month"], c["offence_raw"], c["nationality_raw"])
        if with_sex:
            key += (c["sex_raw"],)
        out[key] = c["count_raw"]
    return out


def as_text(counts: dict) -> dict:
    return {k: str(v) for k, v in counts.items()}


LONG_SPEC = {
    "path": "data.csv",
    "layout": "long",
    "columns": {
        "month": "Month",
        "offence": "Offence",
        "nationality": "Nationality",
        "count": "Arrests",
    },
}


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
)
def test_csv_encodings_are_detected(tmp_path, encoding, bom):
    title = "Arrests – Cleveland (£ none) — synthetic\n"  # dashes and £ differ between encodings
    text = title + "\n".join(",".join(r) for r in LONG_ROWS) + "\n"
    data = bom + text.encode(encoding)
    folder = write_return(tmp_path / "r", [LONG_SPEC | {"header_row": 2}])
    (folder / "data.csv").write_bytes(data)
    expected = {
        "utf-8": "utf-8-sig" if bom else "utf-8",
        "utf-16-le": "utf-16",
        "utf-16-be": "utf-16",
    }
    assert detect_encoding(data) == expected.get(encoding, encoding)
    assert counts_of(folder) == as_text(COUNTS)


def test_declared_encoding_that_does_not_fit_names_the_file(tmp_path):
    folder = write_return(tmp_path / "r", [LONG_SPEC | {"encoding": "utf-8"}])
    (folder / "data.csv").write_bytes(
        "\n".join(",".join(r) for r in LONG_ROWS).replace("Polish", "Polish–").encode("cp1252")
    )
    with pytest.raises(ReadError, match="file data.csv: not readable as utf-8"):
        parse_return(folder)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_detected_despite_a_title_line(tmp_path, delimiter):
    text = "Arrests, by nationality; FY 2023/24 | synthetic\n\n" + "\n".join(
        delimiter.join(r) for r in LONG_ROWS
    )
    assert detect_delimiter(text) == delimiter
    folder = write_return(tmp_path / "r", [LONG_SPEC | {"header_row": 3}])
    (folder / "data.csv").write_text(text, encoding="utf-8")
    assert counts_of(folder) == as_text(COUNTS)


def test_wide_by_month_with_total_column_and_notes_under_a_blank_row(tmp_path):
    months = {"2023-04": "Apr 2023", "2023-05": "May 2023"}
    lines = ["Offence;Nationality;Apr 2023;May 2023;Total"]
    for offence in ("Robbery", "Drug offences"):
        for nat in ("British", "Polish"):
            values = [COUNTS[(m, offence, nat)] for m in months]
            lines.append(";".join([offence, nat, *map(str, values), str(sum(values))]))
    lines += ["", "Note: counts include 3 transfers; see page 2", "Source: 2023"]
    folder = write_return(
        tmp_path / "r",
        [
            {
                "path": "data.csv",
                "layout": "wide",
                "wide_by": "month",
                "columns": {"offence": "Offence", "nationality": "Nationality"},
                "ignore_columns": ["Total"],
                "skip_rows_after_blank": True,
                "month_format": "%b %Y",
            }
        ],
    )
    (folder / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert counts_of(folder) == as_text(COUNTS)
    cells = parse_return(folder).cells.to_pylist()
    assert {c["source_column"] for c in cells} == {"C", "D"}  # never the Total column E


def test_notes_under_the_table_are_data_without_skip_rows_after_blank(tmp_path):
    folder = write_return(tmp_path / "r", [LONG_SPEC])
    (folder / "data.csv").write_text(
        "\n".join(",".join(r) for r in LONG_ROWS) + "\n\n2023-05,Note,see annex,many\n",
        encoding="utf-8",
    )
    with pytest.raises(ReadError, match=r"row 11, column D: count 'many'"):
        parse_return(folder)


def test_wide_by_offence_with_last_row(tmp_path):
    offences = ["Robbery", "Drug offences"]
    rows = [["Month", "Nationality", *offences]]
    for month in ("2023-04", "2023-05"):
        for nat in ("British", "Polish"):
            rows.append([month, nat, *(str(COUNTS[(month, o, nat)]) for o in offences)])
    rows += [["Total", "", "29", "78"], ["* none suppressed", "", "", ""]]
    folder = write_return(
        tmp_path / "r",
        [
            {
                "path": "data.csv",
                "layout": "wide",
                "wide_by": ["offence"],
                "last_row": 5,
                "columns": {"month": "Month", "nationality": "Nationality"},
            }
        ],
    )
    (folder / "data.csv").write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    assert counts_of(folder) == as_text(COUNTS)


def _sex_split() -> dict:
    """COUNTS split into male and female (female = a third, rounded down)."""
    split = {}
    for (m, o, n), c in COUNTS.items():
        split[(m, o, n, "Female")] = c // 3
        split[(m, o, n, "Male")] = c - c // 3
    return split


MERGED_SPEC = {
    "path": "data.xlsx",
    "sheet": "Data",
    "header_rows": [3, 4],
    "layout": "wide",
    "wide_by": ["nationality", "sex"],
    "columns": {"month": "Month", "offence": "Offence"},
    "ignore_columns": ["All"],
}


def _merged_header_rows(split: dict) -> list[list]:
    upper = ["Month", "Offence", "British", None, "Polish", None, "All"]
    lower = [None, None, "Male", "Female", "Male", "Female", None]
    rows = [["Arrests by nationality and sex"], [], upper, lower]
    for month in ("2023-04", "2023-05"):
        for offence in ("Robbery", "Drug offences"):
            values = [
                split[(month, offence, n, s)]
                for n in ("British", "Polish")
                for s in ("Male", "Female")
            ]
            rows.append([month, offence, *values, sum(values)])
    return rows


@pytest.mark.parametrize("merge", [True, False], ids=["merged-cells", "blank-upper-cells"])
def test_two_row_header_nationality_by_sex_in_xlsx(tmp_path, merge):
    split = _sex_split()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in _merged_header_rows(split):
        sheet.append(row)
    if merge:
        sheet.merge_cells("C3:D3")
        sheet.merge_cells("E3:F3")
        sheet.merge_cells("A3:A4")
        sheet.merge_cells("B3:B4")
        sheet.merge_cells("G3:G4")
    folder = write_return(tmp_path / "r", [MERGED_SPEC])
    book.save(folder / "data.xlsx")
    assert counts_of(folder, with_sex=True) == as_text(split)
    headers = {
        c["source_column"]: c["source_header"] for c in parse_return(folder).cells.to_pylist()
    }
    assert headers == {
        "C": "British|Male",
        "D": "British|Female",
        "E": "Polish|Male",
        "F": "Polish|Female",
    }


def test_two_row_header_in_ods_with_spanned_cells(tmp_path):
    """ODS merged cells (number-columns-spanned, which the reader does not report as ranges) are
    filled across from the upper header row."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    split = _sex_split()
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Data")
    for r, row in enumerate(_merged_header_rows(split)):
        tr = TableRow()
        for c, value in enumerate(row):
            if r == 2 and c in (3, 5):
                tr.addElement(CoveredTableCell())
                continue
            if value is None:
                tr.addElement(TableCell())
                continue
            cell = (
                TableCell(valuetype="float", value=str(value))
                if isinstance(value, int)
                else TableCell(valuetype="string")
            )
            if r == 2 and c in (2, 4):
                cell.setAttribute("numbercolumnsspanned", "2")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    folder = write_return(tmp_path / "r", [MERGED_SPEC | {"path": "data.ods"}])
    doc.save(str(folder / "data.ods"))
    assert counts_of(folder, with_sex=True) == as_text(split)


def test_header_without_enough_parts_for_wide_by_names_the_column(tmp_path):
    folder = write_return(
        tmp_path / "r", [MERGED_SPEC | {"path": "data.csv", "sheet": None, "header_rows": [1]}]
    )
    (folder / "data.csv").write_text("Month,Offence,British\n2023-04,Robbery,3\n", encoding="utf-8")
    with pytest.raises(
        ReadError, match=r"file data.csv, row 1, column C: header 'British' does not hold 2 parts"
    ):
        parse_return(folder)


def test_long_layout_with_sex_and_age_band_columns(tmp_path):
    rows = [["Month", "Offence", "Nationality", "Sex", "Age", "N"]]
    expected = {}
    for (m, o, n), c in COUNTS.items():
        for sex, age, share in (("Male", "18+", c - c // 4), ("Female", "Under 18", c // 4)):
            rows.append([m, o, n, sex, age, str(share)])
            expected[(m, o, n, sex, age)] = str(share)
    spec = {
        "path": "data.csv",
        "layout": "long",
        "columns": {
            "month": "Month",
            "offence": "Offence",
            "nationality": "Nationality",
            "sex": "Sex",
            "age_band": "Age",
            "count": "N",
        },
    }
    folder = write_return(tmp_path / "r", [spec])
    (folder / "data.csv").write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    cells = parse_return(folder).cells.to_pylist()
    got = {
        (c["month"], c["offence_raw"], c["nationality_raw"], c["sex_raw"], c["age_band_raw"]): c[
            "count_raw"
        ]
        for c in cells
    }
    assert got == expected


def test_nil_marker_means_zero_and_is_distinct_from_suppression(tmp_path):
    rows = [r[:] for r in LONG_ROWS]
    rows[4][3] = "-"  # Drug offences, Polish, 2023-04: 0
    rows[2][3] = "*"  # Robbery, Polish, 2023-04: 3
    text = "\n".join(",".join(r) for r in rows)
    folder = write_return(
        tmp_path / "r", [LONG_SPEC | {"nil_markers": ["-"], "suppression": {"markers": ["*"]}}]
    )
    (folder / "data.csv").write_text(text, encoding="utf-8")
    parsed = parse_return(folder)
    assert parsed.files[0]["nil_markers"] == ["-"] and parsed.files[0]["suppression_markers"] == [
        "*"
    ]
    assert counts_of(folder)[("2023-04", "Drug offences", "Polish")] == "-"

    folder = write_return(tmp_path / "s", [LONG_SPEC | {"suppression": {"markers": ["*"]}}])
    (folder / "data.csv").write_text(text, encoding="utf-8")
    with pytest.raises(
        ReadError, match=r"row 5, column D: count '-' is not a whole non-negative number"
    ):
        parse_return(folder)


def test_month_outside_the_period_names_the_wide_month_column(tmp_path):
    folder = write_return(
        tmp_path / "r",
        [
            {
                "path": "data.csv",
                "layout": "wide",
                "wide_by": "month",
                "columns": {"offence": "Offence", "nationality": "Nationality"},
            }
        ],
    )
    (folder / "data.csv").write_text(
        "Offence,Nationality,2023-04,2023-06\nRobbery,British,1,2\n", encoding="utf-8"
    )
    with pytest.raises(
        ReadError,
        match=r"row 2, column D: month '2023-06' is not a month in '%Y-%m' within 2023-04..2023-05",
    ):
        parse_return(folder)
