"""The manifest keys for returns as forces really send them, each on a small hand-written file
checked against the counts written into it (tests/test_returns_readers.py's COUNTS): section rows,
several tables on one sheet, months from several columns / header text / date cells / Excel day
numbers, record-level returns, page-break lines and repeated headers, footnote marks, thousands
separators, numbers stored as text and bilingual headers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from orchestration.lib.sources.force_returns.parse import parse_return
from orchestration.lib.sources.force_returns.readers import ReadError
from tests.test_returns_readers import COUNTS, as_text, counts_of, write_return

MONTHS = ["2023-04", "2023-05"]
OFFENCES = ["Robbery", "Drug offences"]
NATIONALITIES = ["British", "Polish"]


def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _xlsx(path: Path, rows: list[list], sheet: str = "Sheet1") -> None:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)


def _section_rows(heading: str) -> list[list]:
    """Nationality as section rows: a heading, the offences by month, a sub-total."""
    rows: list[list] = [["Offence", *MONTHS]]
    for nationality in NATIONALITIES:
        rows.append([heading.format(nationality)])
        for offence in OFFENCES:
            rows.append([offence, *(COUNTS[(m, offence, nationality)] for m in MONTHS)])
        rows.append(
            ["Sub-total", *(sum(COUNTS[(m, o, nationality)] for o in OFFENCES) for m in MONTHS)]
        )
    return rows


WIDE_BY_MONTH = {"layout": "wide", "wide_by": "month", "columns": {"offence": "Offence"}}


def test_section_headings_fill_the_nationality_down_and_sub_totals_are_skipped(tmp_path):
    spec = WIDE_BY_MONTH | {
        "path": "data.csv",
        "sections": [{"dimension": "nationality", "column": "Offence"}],
        "skip_rows_matching": {"Offence": "^Sub-total$"},
    }
    folder = write_return(tmp_path / "r", [spec])
    (folder / "data.csv").write_text(_csv(_section_rows("{}")), encoding="utf-8")
    assert counts_of(folder) == as_text(COUNTS)


def test_section_heading_read_with_a_pattern_in_xlsx(tmp_path):
    spec = WIDE_BY_MONTH | {
        "path": "data.xlsx",
        "sections": [
            {"dimension": "nationality", "column": "Offence", "pattern": "^Nationality: (.+)$"}
        ],
        "skip_rows_matching": {"Offence": "^Sub-total$"},
    }
    folder = write_return(tmp_path / "r", [spec])
    _xlsx(folder / "data.xlsx", _section_rows("Nationality: {}"))
    assert counts_of(folder) == as_text(COUNTS)
    # The count's own cell is its lineage: Polish's Robbery row is row 7 (header, British heading,
    # two offences, sub-total, Polish heading).
    cells = parse_return(folder).cells.to_pylist()
    polish = [
        c for c in cells if c["nationality_raw"] == "Polish" and c["offence_raw"] == "Robbery"
    ]
    assert {(c["source_row"], c["source_column"]) for c in polish} == {(7, "B"), (7, "C")}


def test_figures_above_the_first_section_heading_name_their_row(tmp_path):
    spec = WIDE_BY_MONTH | {
        "path": "data.csv",
        "sections": [{"dimension": "nationality", "column": "Offence", "pattern": "^Nat: (.+)$"}],
    }
    folder = write_return(tmp_path / "r", [spec])
    (folder / "data.csv").write_text(_csv(_section_rows("{}")), encoding="utf-8")
    # "British" (row 2) does not match the pattern: it is taken for a row of figures.
    with pytest.raises(ReadError, match=r"row 2, column A: row 2 is above the first nationality"):
        parse_return(folder)


def _stacked_tables(path: Path) -> None:
    """One sheet, one table per offence, each with a heading, its own header row and a blank row
    after it; a title above and notes below."""
    rows: list[list] = [["SYNTHETIC test return"], []]
    for k, offence in enumerate(OFFENCES, 1):
        rows += [[f"Table {k}: {offence}"], ["Month", *NATIONALITIES]]
        rows += [[m, *(COUNTS[(m, offence, n)] for n in NATIONALITIES)] for m in MONTHS]
        rows.append([])
    rows.append(["Notes: synthetic."])
    _xlsx(path, rows, "Arrests")


def _table_spec(offence: str, table: dict) -> dict:
    return {
        "path": "data.xlsx",
        "sheet": "Arrests",
        "table": table,
        "header_row": 2,
        "layout": "wide",
        "wide_by": "nationality",
        "columns": {"month": "Month", "offence_value": offence},
    }


def test_several_tables_on_one_sheet_found_by_heading(tmp_path):
    specs = [_table_spec(o, {"heading": f"^Table {k}:"}) for k, o in enumerate(OFFENCES, 1)]
    folder = write_return(tmp_path / "r", specs)
    _stacked_tables(folder / "data.xlsx")
    assert counts_of(folder) == as_text(COUNTS)
    parsed = parse_return(folder)
    # Table 1 starts at row 3 (its heading), table 2 at row 8; cells keep their sheet rows.
    assert [f["table_row"] for f in parsed.files] == [3, 8]
    rows = {(c["offence_raw"], c["month"]): c["source_row"] for c in parsed.cells.to_pylist()}
    assert rows[("Robbery", "2023-04")] == 5 and rows[("Drug offences", "2023-05")] == 11


def test_several_tables_on_one_sheet_by_row_range(tmp_path):
    specs = [
        _table_spec("Robbery", {"rows": [3, 6]}),
        _table_spec("Drug offences", {"rows": [8, 11]}),
    ]
    folder = write_return(tmp_path / "r", specs)
    _stacked_tables(folder / "data.xlsx")
    assert counts_of(folder) == as_text(COUNTS)


def test_a_table_heading_must_match_one_row(tmp_path):
    folder = write_return(tmp_path / "r", [_table_spec("Robbery", {"heading": "^Table"})])
    _stacked_tables(folder / "data.xlsx")
    with pytest.raises(ReadError, match=r"table heading '\^Table' matches 2 rows \(3, 8\)"):
        parse_return(folder)
    folder = write_return(tmp_path / "s", [_table_spec("Robbery", {"heading": "^Table 9"})])
    _stacked_tables(folder / "data.xlsx")
    with pytest.raises(ReadError, match="no row has a cell matching table heading"):
        parse_return(folder)


LONG_COLUMNS = {"offence": "Offence", "nationality": "Nationality", "count": "Arrests"}


def _long_csv_return(folder: Path, rows: list[list], **keys) -> Path:
    """A return of one long CSV with a Month column, read with the manifest keys given."""
    spec = {"path": "data.csv", "layout": "long", "columns": LONG_COLUMNS | {"month": "Month"}}
    folder = write_return(folder, [spec | keys])
    (folder / "data.csv").write_text(_csv(rows), encoding="utf-8")
    return folder


def test_month_assembled_from_a_year_and_a_month_name_column(tmp_path):
    rows = [["Year", "Month", "Offence", "Nationality", "Arrests"]]
    for (m, o, n), c in COUNTS.items():
        day = dt.date.fromisoformat(m + "-01")
        rows.append([day.year, day.strftime("%B"), o, n, c])
    spec = {
        "path": "data.csv",
        "layout": "long",
        "columns": LONG_COLUMNS | {"month": ["Year", "Month"]},
        "month_format": "%Y %B",
    }
    folder = write_return(tmp_path / "r", [spec])
    (folder / "data.csv").write_text(_csv(rows), encoding="utf-8")
    assert counts_of(folder) == as_text(COUNTS)
    assert {c["month_raw"] for c in parse_return(folder).cells.to_pylist()} == {
        "2023 April",
        "2023 May",
    }


@pytest.mark.parametrize("where", ["column", "header"])
def test_excel_date_cells_need_no_month_format(tmp_path, where):
    """Month cells typed as dates in an XLSX (in a column, or across the header row) read as the
    months they are, whatever month_format says (here the default '%Y-%m')."""
    if where == "column":
        rows = [["Month", "Offence", "Nationality", "Arrests"]]
        rows += [[dt.datetime.fromisoformat(m + "-01"), o, n, c] for (m, o, n), c in COUNTS.items()]
        spec = {"layout": "long", "columns": LONG_COLUMNS | {"month": "Month"}}
    else:
        rows = [["Offence", "Nationality", *(dt.date.fromisoformat(m + "-01") for m in MONTHS)]]
        rows += [
            [o, n, *(COUNTS[(m, o, n)] for m in MONTHS)] for o in OFFENCES for n in NATIONALITIES
        ]
        spec = {
            "layout": "wide",
            "wide_by": "month",
            "columns": {"offence": "Offence", "nationality": "Nationality"},
        }
    folder = write_return(tmp_path / "r", [spec | {"path": "data.xlsx"}])
    _xlsx(folder / "data.xlsx", rows)
    assert counts_of(folder) == as_text(COUNTS)


def test_excel_day_numbers_with_month_format_excel_serial(tmp_path):
    epoch = dt.date(1899, 12, 30)  # Excel's day 0 (day 45017 is 2023-04-01)
    rows = [["Month", "Offence", "Nationality", "Arrests"]]
    for (m, o, n), c in COUNTS.items():
        rows.append([(dt.date.fromisoformat(m + "-15") - epoch).days, o, n, c])
    folder = _long_csv_return(tmp_path / "r", rows, month_format="excel_serial")
    assert rows[1][0] == 45031
    assert counts_of(folder) == as_text(COUNTS)


def _records() -> list[list]:
    """One row per arrest, in date order, with a sex column: COUNTS' arrests (Male for even days,
    Female for odd), as a custody system exports them."""
    rows = [["Arrest date", "Offence", "Nationality", "Sex"]]
    records = []
    for (m, o, n), c in COUNTS.items():
        for i in range(c):
            records.append((f"{m}-{i % 28 + 1:02d}", o, n, "Male" if i % 2 == 0 else "Female"))
    for day, o, n, sex in sorted(records):
        rows.append([dt.date.fromisoformat(day).strftime("%d/%m/%Y"), o, n, sex])
    return rows


def test_record_level_rows_are_counted_with_every_source_row(tmp_path):
    rows = _records()
    spec = {
        "path": "data.csv",
        "layout": "records",
        "columns": {
            "month": "Arrest date",
            "offence": "Offence",
            "nationality": "Nationality",
            "sex": "Sex",
        },
        "month_format": "%d/%m/%Y",
    }
    folder = write_return(tmp_path / "r", [spec])
    (folder / "data.csv").write_text(_csv(rows), encoding="utf-8")
    # Expected, from the rows written: each row's (month, offence, nationality, sex) and row number.
    expected_rows: dict[tuple, list[int]] = {}
    for number, (day, o, n, sex) in enumerate(rows[1:], 2):
        month = dt.datetime.strptime(day, "%d/%m/%Y").strftime("%Y-%m")
        expected_rows.setdefault((month, o, n, sex), []).append(number)
    cells = parse_return(folder).cells.to_pylist()
    got = {(c["month"], c["offence_raw"], c["nationality_raw"], c["sex_raw"]): c for c in cells}
    assert set(got) == set(expected_rows)
    for key, numbers in expected_rows.items():
        cell = got[key]
        assert cell["count_raw"] == str(len(numbers))
        assert cell["source_rows"] == numbers and cell["source_row"] == numbers[0]
        assert cell["source_column"] == "A" and cell["source_header"] == "rows counted"
    by_key = Counter()
    for c in cells:
        by_key[(c["month"], c["offence_raw"], c["nationality_raw"])] += int(c["count_raw"])
    assert by_key == Counter({k: v for k, v in COUNTS.items() if v})  # a zero has no rows


def test_record_with_a_bad_date_names_its_cell(tmp_path):
    rows = _records()
    rows[4][0] = "31/02/2023"
    spec = {
        "path": "data.csv",
        "layout": "records",
        "columns": {"month": "Arrest date", "offence": "Offence", "nationality": "Nationality"},
        "month_format": "%d/%m/%Y",
    }
    folder = write_return(tmp_path / "r", [spec])
    (folder / "data.csv").write_text(_csv([r[:3] for r in rows]), encoding="utf-8")
    with pytest.raises(ReadError, match=r"row 5, column A: date '31/02/2023' is not a month"):
        parse_return(folder)


def test_page_lines_repeated_headers_footnotes_and_thousands_separators(tmp_path):
    """A CSV re-typed from a PDF: "Page n of m" lines, the header repeated after each, footnote
    marks on labels and headers, counts with thousands separators; a count of 1,234 as text."""
    header = ["Month", "Offence", "Nationality¹", "Arrests"]
    counts = dict(COUNTS) | {("2023-05", "Drug offences", "British"): 1234}
    marks = {"Robbery": "Robbery²", "Drug offences": "Drug offences*"}
    rows: list[list] = [header]
    for k, ((m, o, n), c) in enumerate(counts.items()):
        if k and k % 3 == 0:
            rows += [[f"Page {k // 3} of 2"], header]
        rows.append([m, marks[o], n, f"{c:,}"])
    folder = _long_csv_return(
        tmp_path / "r",
        rows,
        skip_lines_matching=[r"^Page \d+ of \d+$"],
        footnote_marks=r"[¹²³*]+$",
        thousands_separator=",",
    )
    assert counts_of(folder) == as_text(counts)


def test_thousands_separator_accepts_only_groups_of_three(tmp_path):
    rows = [
        ["Month", "Offence", "Nationality", "Arrests"],
        ["2023-04", "Robbery", "British", "1,23"],
    ]
    folder = _long_csv_return(tmp_path / "r", rows, thousands_separator=",")
    with pytest.raises(ReadError, match=r"row 2, column D: count '1,23' is not a whole"):
        parse_return(folder)


def test_numbers_stored_as_text_and_bilingual_headers_in_xlsx(tmp_path):
    """Welsh/English headers are named as written (one cell with a line break, one with a slash);
    counts typed as text read as the numbers they are."""
    header = ["Mis / Month", "Trosedd\nOffence", "Cenedligrwydd / Nationality", "Nifer / Arrests"]
    rows = [header] + [[m, o, n, str(c)] for (m, o, n), c in COUNTS.items()]
    spec = {
        "path": "data.xlsx",
        "layout": "long",
        "columns": {
            "month": "Mis / Month",
            "offence": "Trosedd\nOffence",
            "nationality": "Cenedligrwydd / Nationality",
            "count": "Nifer / Arrests",
        },
    }
    folder = write_return(tmp_path / "r", [spec])
    _xlsx(folder / "data.xlsx", rows)
    assert isinstance(openpyxl.load_workbook(folder / "data.xlsx").active["D2"].value, str)
    assert counts_of(folder) == as_text(COUNTS)


def test_two_headings_that_find_the_same_table_are_refused(tmp_path):
    specs = [
        _table_spec("Robbery", {"heading": "^Table 1:"}),
        _table_spec("Drug offences", {"heading": "Robbery$"}),
    ]
    folder = write_return(tmp_path / "r", specs)
    _stacked_tables(folder / "data.xlsx")
    with pytest.raises(ReadError, match=r"row 3: the table at rows 3..6 overlaps the table read"):
        parse_return(folder)


def test_a_table_ends_above_the_row_matching_until(tmp_path):
    """Tables with no blank row between them: each ends above the next one's heading (until:)."""
    rows: list[list] = []
    for k, offence in enumerate(OFFENCES, 1):
        rows += [[f"Table {k}: {offence}"], ["Month", *NATIONALITIES]]
        rows += [[m, *(COUNTS[(m, offence, n)] for n in NATIONALITIES)] for m in MONTHS]
    rows.append(["Notes: synthetic."])
    specs = [
        _table_spec("Robbery", {"heading": "^Table 1:", "until": "^Table 2:"}),
        _table_spec("Drug offences", {"heading": "^Table 2:", "until": "^Notes"}),
    ]
    folder = write_return(tmp_path / "r", specs)
    _xlsx(folder / "data.xlsx", rows, "Arrests")
    assert counts_of(folder) == as_text(COUNTS)
