"""A return's own totals are checks, not noise: total rows and columns the manifest declares are
checked against the cells they sum (suppressed cells as bounds), never published as data, and a
return whose totals disagree is quarantined naming the total's cell, the other returns publishing.

Every expected sum and difference below is worked out by hand from the small SYNTHETIC tables in
this file (written out beside each), not by the code under test.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

from orchestration.cli import main as cli_main
from orchestration.lib.sources.force_returns.check import check_return
from orchestration.lib.sources.force_returns.ingest import ingest_landing
from orchestration.lib.sources.force_returns.manifest import ManifestError, load_manifest
from orchestration.lib.sources.force_returns.parse import parse_return, validate_return
from orchestration.lib.sources.force_returns.readers import ReadError
from tests.conftest import SAMPLE_LANDING, refresh

# The truth (SYNTHETIC): month, offence, nationality, arrests; "*" stands for 1-4 (here 2).
TRUTH = [
    ("2023-04", "Robbery", "British", "10"),
    ("2023-04", "Robbery", "Polish", "*"),
    ("2023-04", "Theft", "British", "20"),
    ("2023-04", "Theft", "Polish", "6"),
    ("2023-05", "Robbery", "British", "8"),
    ("2023-05", "Robbery", "Polish", "0"),
    ("2023-05", "Theft", "British", "15"),
    ("2023-05", "Theft", "Polish", "7"),
]

# Wide: header on row 3, columns A Month, B Offence, C British, D Polish, E Total. By hand:
# E4 12 within 10 + 1..4 = 11..14;  D6 8 within 1..4 + 6 = 7..10;  E6 38 = 12 + 26 = 30 + 8;
# E9 30 = 8 + 22 = 23 + 7;  C10 53 = 10 + 20 + 8 + 15;  D10 15 within 1..4 + 6 + 0 + 7 = 14..17;
# E10 68 = 12 + 26 + 8 + 22 = 53 + 15.
WIDE = [
    ["Arrests by nationality - SYNTHETIC test data"],
    [],
    ["Month", "Offence", "British", "Polish", "Total"],
    ["2023-04", "Robbery", 10, "*", 12],
    ["2023-04", "Theft", 20, 6, 26],
    ["2023-04", "Total", 30, 8, 38],
    ["2023-05", "Robbery", 8, 0, 8],
    ["2023-05", "Theft", 15, 7, 22],
    ["2023-05", "Total", 23, 7, 30],
    ["All months", "All offences", 53, 15, 68],
]
WIDE_TOTALS = {
    "rows": [
        {"match": {"Offence": "^Total$"}, "sums": "block"},
        {"match": {"Month": "^All months$"}, "sums": "table"},
    ],
    "columns": ["Total"],
}
# Long: header on row 1, columns A Month, B Offence, C Nationality, D Arrests. By hand:
# D6 38 within 10 + 1..4 + 20 + 6 = 37..40;  D11 30 = 8 + 0 + 15 + 7;
# D12 68 within 36 + 1..4 + 30 = 67..70.
LONG = [
    ["Month", "Offence", "Nationality", "Arrests"],
    *[list(row) for row in TRUTH[:4]],
    ["2023-04", "Total", "All", 38],
    *[list(row) for row in TRUTH[4:]],
    ["2023-05", "Total", "All", 30],
    ["All months", "All offences", "All", 68],
]
LONG_TOTALS = {
    "rows": [
        {"match": {"Offence": "^Total$"}, "sums": "block"},
        {"match": {"Month": "^All months$"}, "sums": "table"},
    ]
}
COLUMNS = {
    "wide": {"month": "Month", "offence": "Offence"},
    "long": {
        "month": "Month",
        "offence": "Offence",
        "nationality": "Nationality",
        "count": "Arrests",
    },
}
SHAPES = [("wide", "csv"), ("wide", "xlsx"), ("long", "csv"), ("long", "xlsx")]


def _grid(layout: str, changes: dict[str, object] | None = None) -> list[list]:
    """The layout's table with cells changed by address ("E4": 15)."""
    grid = [list(row) for row in (WIDE if layout == "wide" else LONG)]
    for address, value in (changes or {}).items():
        grid[int(address[1:]) - 1][ord(address[0]) - ord("A")] = value
    return grid


def _spec(layout: str, fmt: str, totals: dict | None) -> dict:
    spec: dict = {"path": f"arrests.{fmt}"}
    if fmt == "xlsx":
        spec["sheet"] = "Arrests"
    spec |= {"header_row": 3 if layout == "wide" else 1, "layout": layout}
    if layout == "wide":
        spec["wide_by"] = "nationality"
    spec |= {"columns": COLUMNS[layout], "suppression": {"markers": ["*"], "lower": 1, "upper": 4}}
    if totals is not None:
        spec["totals"] = totals
    elif layout == "wide":  # the same return read as before totals were checks: skipped
        spec |= {"skip_rows_matching": {"Offence": "^Total$|^All offences$"}}
        spec["ignore_columns"] = ["Total"]
    else:
        spec["skip_rows_matching"] = {"Offence": "^Total$|^All offences$"}
    return spec


def write_return(
    folder: Path,
    layout: str,
    fmt: str,
    changes: dict[str, object] | None = None,
    totals: dict | None = WIDE_TOTALS,
    grid: list[list] | None = None,
) -> Path:
    """A SYNTHETIC return folder holding one table (CSV or XLSX) and its manifest."""
    folder.mkdir(parents=True)
    rows = grid if grid is not None else _grid(layout, changes)
    if fmt == "csv":
        with (folder / "arrests.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([[str(v) for v in row] for row in rows])
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Arrests"
        for row in rows:
            sheet.append(row)
        book.save(folder / "arrests.xlsx")
    if totals is WIDE_TOTALS and layout == "long":
        totals = LONG_TOTALS  # the default: each layout's own totals
    manifest = {
        "return_id": folder.name,
        "force": "E23000008",
        "reference": "TEST",
        "received": "2024-05-15",
        "period": {"start": "2023-04", "end": "2023-05"},
        "data_origin": "synthetic",
        "files": [_spec(layout, fmt, totals)],
    }
    (folder / "manifest.yml").write_text(yaml.safe_dump(manifest, sort_keys=False), "utf-8")
    return folder


def _published(folder: Path) -> list[tuple]:
    cells = parse_return(folder).cells
    keep = ["month_raw", "offence_raw", "nationality_raw", "count_raw"]
    return sorted(zip(*(cells[c].to_pylist() for c in keep), strict=True))


def _disagreements(folder: Path) -> list[tuple[int | None, str | None, str]]:
    """Each error of the return as (row, column, the difference it states)."""
    _, errors = validate_return(folder, load_manifest(folder / "manifest.yml"))
    return [(e.row, e.column, e.detail.rsplit("(difference ", 1)[-1].split(")")[0]) for e in errors]


@pytest.mark.parametrize(("layout", "fmt"), SHAPES)
def test_totals_that_agree_pass_and_publish_the_cells_without_totals(tmp_path, layout, fmt):
    checked = write_return(tmp_path / "checked", layout, fmt)
    skipped = write_return(tmp_path / "skipped", layout, fmt, totals=None)

    assert _disagreements(checked) == []
    assert _published(checked) == sorted(TRUTH)  # no total row or column among them
    assert _published(checked) == _published(skipped)
    cells = parse_return(checked).cells
    rows = {4, 5, 7, 8} if layout == "wide" else {2, 3, 4, 5, 7, 8, 9, 10}
    assert set(cells["source_row"].to_pylist()) == rows
    assert set(cells["source_column"].to_pylist()) == ({"C", "D"} if layout == "wide" else {"D"})


# Each kind of total off by one, and every total it throws out with it (worked out by hand):
WIDE_OFF_BY_ONE = {
    # C9 24, not 8 + 15 = 23; then E9 30 is not 24 + 7 = 31 either.
    "row total": ({"C9": 24}, [(9, "C", "+1"), (9, "E", "-1")]),
    # E8 23, not 15 + 7 = 22; then E9 30 is not 8 + 23 = 31, nor E10 68 12 + 26 + 8 + 23 = 69.
    "column total": ({"E8": 23}, [(8, "E", "+1"), (9, "E", "-1"), (10, "E", "-1")]),
    # C10 54, not 10 + 20 + 8 + 15 = 53; then E10 68 is not 54 + 15 = 69.
    "grand total": ({"C10": 54}, [(10, "C", "+1"), (10, "E", "-1")]),
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", sorted(WIDE_OFF_BY_ONE))
def test_a_wide_total_off_by_one_is_an_error_naming_its_cell(tmp_path, fmt, kind):
    changes, expected = WIDE_OFF_BY_ONE[kind]
    folder = write_return(tmp_path / "r", "wide", fmt, changes)

    assert _disagreements(folder) == expected


def test_the_error_names_file_sheet_row_column_stated_total_sum_and_difference(tmp_path):
    folder = write_return(tmp_path / "r", "wide", "xlsx", {"C9": 24})

    with pytest.raises(ReadError) as raised:
        parse_return(folder)

    assert str(raised.value) == (
        "file arrests.xlsx, sheet 'Arrests', row 9, column C: total row (Offence 'Total') in "
        "column 'British' states 24 but the rows above (rows 7-8) add up to 23: the total is 1 "
        "more than they add up to (difference +1) (2 totals in this file disagree)"
    )
    assert (raised.value.row, raised.value.column) == (9, "C")


def test_a_grand_total_sums_every_data_row_not_the_sub_totals(tmp_path):
    folder = write_return(tmp_path / "r", "wide", "csv", {"C10": 54})
    _, errors = validate_return(folder, load_manifest(folder / "manifest.yml"))

    assert errors[0].detail.startswith(
        "total row (Month 'All months') in column 'British' states 54 but the data rows of the "
        "whole table (rows 4-8) add up to 53: the total is 1 more than they add up to "
        "(difference +1)"
    )
    assert errors[1].detail == (
        "total column 'Total' states 68 but the row's value cells add up to 69: the total is 1 "
        "less than they add up to (difference -1)"
    )


# The totals the one suppressed cell (C4's neighbour D4, 1..4) enters: E4, D6, D10. Stated as if
# it were 1 or 4 (the bounds: just inside) every total passes; as if 0 or 5 (just outside), those
# three fail by one, and E6, E10 (which sum them) still agree.
def _as_if(suppressed: int) -> dict[str, int]:
    return {
        "E4": 10 + suppressed,
        "D6": suppressed + 6,
        "E6": 30 + suppressed + 6,
        "D10": suppressed + 6 + 0 + 7,
        "E10": 53 + suppressed + 13,
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("suppressed", "expected"),
    [
        (1, []),
        (4, []),
        (0, [(4, "E", "-1"), (6, "D", "-1"), (10, "D", "-1")]),
        (5, [(4, "E", "+1"), (6, "D", "+1"), (10, "D", "+1")]),
    ],
)
def test_suppressed_cells_are_bounds_a_total_must_lie_within(tmp_path, fmt, suppressed, expected):
    folder = write_return(tmp_path / "r", "wide", fmt, _as_if(suppressed))

    assert _disagreements(folder) == expected


def test_just_outside_the_bounds_says_by_how_much(tmp_path):
    folder = write_return(tmp_path / "r", "wide", "csv", _as_if(5))
    _, errors = validate_return(folder, load_manifest(folder / "manifest.yml"))

    assert errors[0].detail == (
        "total column 'Total' states 15 but the row's value cells add up to between 11 and 14 "
        "(1 of 2 suppressed): the total is 1 more than the most they can add up to (difference +1)"
        " (3 totals in this file disagree)"
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"D11": 31}, [(11, "D", "+1")]),  # not 8 + 0 + 15 + 7 = 30
        ({"D6": 40}, []),  # 37..40: just inside
        ({"D6": 37}, []),
        ({"D6": 41}, [(6, "D", "+1")]),  # just outside 37..40
        ({"D6": 36}, [(6, "D", "-1")]),
        ({"D12": 71}, [(12, "D", "+1")]),  # a grand total outside 67..70
        ({"D12": 66}, [(12, "D", "-1")]),
    ],
)
def test_long_total_rows_are_checked_in_the_count_column(tmp_path, fmt, changes, expected):
    folder = write_return(tmp_path / "r", "long", fmt, changes)

    assert _disagreements(folder) == expected


@pytest.mark.parametrize(("suppressed_cells", "expected"), [(4, []), (5, [(7, "D", "-1")])])
def test_a_suppressed_total_is_a_range_that_must_meet_its_cells(
    tmp_path, suppressed_cells, expected
):
    """A total shown as '*' is 1..4; k suppressed cells above it add up to k..4k: they meet for
    k = 4 (at 4) and not for k = 5 (5..20 lies 1 above 1..4)."""
    grid = [["Month", "Offence", "Nationality", "Arrests"]]
    nationalities = ["British", "Polish", "Irish", "Romanian", "Albanian"]
    grid += [["2023-04", "Robbery", n, "*"] for n in nationalities[:suppressed_cells]]
    grid += [["2023-04", "Robbery", "Not stated", 0]] * (5 - suppressed_cells)
    grid.append(["2023-04", "Total", "All", "*"])
    totals = {"rows": [{"match": {"Offence": "^Total$"}, "sums": "block"}]}
    folder = write_return(tmp_path / "r", "long", "csv", totals=totals, grid=grid)
    _, errors = validate_return(folder, load_manifest(folder / "manifest.yml"))

    assert _disagreements(folder) == expected
    if expected:
        assert errors[0].detail == (
            "total row (Offence 'Total') in column 'Arrests' states '*' (1..4) but the rows "
            "above (rows 2-6) add up to between 5 and 20 (5 of 5 suppressed): the total is 1 "
            "less than the least they can add up to (difference -1)"
        )


def test_nested_totals_each_sum_back_to_the_previous_total_of_their_level_or_outer(tmp_path):
    """Sub-totals per offence inside per-month totals: a month total sums the month's data rows
    (2..6: 10 + 5 + 20 + 6 = 41), not its sub-totals; the Theft sub-total sums only the rows after
    the Robbery one (5..6: 26); after a month total both start again (row 9: 8)."""
    grid = [
        ["Month", "Offence", "Nationality", "Arrests"],
        ["2023-04", "Robbery", "British", 10],
        ["2023-04", "Robbery", "Polish", 5],
        ["2023-04", "Robbery total", "All", 15],
        ["2023-04", "Theft", "British", 20],
        ["2023-04", "Theft", "Polish", 6],
        ["2023-04", "Theft total", "All", 26],
        ["2023-04", "All offences", "All", 41],
        ["2023-05", "Robbery", "British", 8],
        ["2023-05", "Robbery total", "All", 8],
        ["2023-05", "All offences", "All", 8],
    ]
    totals = {
        "rows": [
            {"match": {"Offence": " total$"}, "sums": "block"},
            {"match": {"Offence": "^All offences$"}, "sums": "block"},
        ]
    }
    good = write_return(tmp_path / "good", "long", "csv", totals=totals, grid=grid)
    grid[7][3] = 40
    bad = write_return(tmp_path / "bad", "long", "csv", totals=totals, grid=grid)

    assert _disagreements(good) == []
    assert len(parse_return(good).cells) == 5
    (error,) = validate_return(bad, load_manifest(bad / "manifest.yml"))[1]
    assert (error.row, error.column) == (8, "D")
    assert "the rows above (rows 2-6) add up to 41" in error.detail


def test_a_total_cell_that_is_no_count_is_an_error(tmp_path):
    folder = write_return(tmp_path / "r", "wide", "csv", {"E9": "thirty"})

    ((row, column, _),) = _disagreements(folder)
    assert (row, column) == (9, "E")
    _, (error,) = validate_return(folder, load_manifest(folder / "manifest.yml"))
    assert error.detail.startswith("total 'thirty' is not a whole non-negative number")


def _manifest_errors(tmp_path: Path, **spec_changes) -> list[str]:
    folder = write_return(tmp_path / "m", "long", "csv")
    path = folder / "manifest.yml"
    document = yaml.safe_load(path.read_text())
    document["files"][0] |= spec_changes
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(ManifestError) as raised:
        load_manifest(path)
    return raised.value.problems


def test_manifest_totals_are_validated_with_the_key_named(tmp_path):
    long_columns = _manifest_errors(tmp_path / "a", totals={"columns": ["Total"]})
    assert long_columns == [
        "key files.0: totals.columns belong to a wide layout (a long layout's rows hold one count)"
    ]
    no_sums = _manifest_errors(tmp_path / "b", totals={"rows": [{"match": {"Offence": "x"}}]})
    assert no_sums == ["key files.0.totals.rows.0.sums: required key is missing"]
    bad_sums = _manifest_errors(
        tmp_path / "c", totals={"rows": [{"match": {"Offence": "x"}, "sums": "above"}]}
    )
    assert bad_sums[0].startswith("key files.0.totals.rows.0.sums: Input should be 'block' or")
    bad_regex = _manifest_errors(
        tmp_path / "d", totals={"rows": [{"match": {"Offence": "("}, "sums": "block"}]}
    )
    assert bad_regex[0].startswith(
        "key files.0.totals.rows.0.match: pattern for column 'Offence' is not a regex"
    )
    both = _manifest_errors(tmp_path / "e", skip_rows_matching={"Offence": "^Total$"})
    assert both == [
        "key files.0: totals.rows.0.match {'Offence': '^Total$'} is also in skip_rows_matching; "
        "a skipped row is not checked: remove it there"
    ]
    unknown = _manifest_errors(tmp_path / "f", totals={"row": []})
    assert unknown == ["key files.0.totals.row: unknown key; expected one of ['columns', 'rows']"]


def test_a_header_the_totals_name_must_be_in_the_file(tmp_path):
    totals = {"rows": [{"match": {"Offence group": "^Total$"}, "sums": "block"}]}
    folder = write_return(tmp_path / "r", "long", "csv", totals=totals)

    with pytest.raises(ReadError, match=r"expected header\(s\) \['Offence group'\] not found"):
        parse_return(folder)


def test_a_return_whose_totals_disagree_is_quarantined_and_the_others_load(tmp_path):
    landing = tmp_path / "landing"
    write_return(landing / "good-wide", "wide", "xlsx")
    write_return(landing / "bad-long", "long", "csv", {"D11": 31})
    write_return(landing / "good-long", "long", "csv")

    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        report = ingest_landing(con, landing, log=lambda _: None)
        loaded = dict(
            con.execute("select return_id, count(*) from raw.return_cells group by 1").fetchall()
        )
        quarantined = con.execute(
            "select landing_folder, error from raw.quarantined_returns"
        ).fetchall()

    assert loaded == {"good-wide": 8, "good-long": 8}
    assert quarantined == [
        (
            "bad-long",
            "return bad-long: file arrests.csv, row 11, column D: total row (Offence 'Total') in "
            "column 'Arrests' states 31 but the rows above (rows 7-10) add up to 30: the total "
            "is 1 more than they add up to (difference +1)",
        )
    ]
    assert list(report.quarantined) == ["bad-long"]


def test_warehouse_check_reports_the_disagreeing_total_before_any_refresh(tmp_path, capsys):
    landing = tmp_path / "landing"
    folder = write_return(landing / "bad-wide", "wide", "csv", {"E8": 23})

    manifest, parsed, problems = check_return(folder, pull=False)
    code = cli_main(["check", "--landing", str(landing), "--no-pull"])

    assert parsed is None
    assert [(p.file, p.sheet, p.row, p.column) for p in problems] == [
        ("arrests.csv", None, 8, "E"),
        ("arrests.csv", None, 9, "E"),
        ("arrests.csv", None, 10, "E"),
    ]
    assert code == 1
    assert (
        "ERROR: return bad-wide, file arrests.csv, row 8, column E: total column 'Total' states "
        "23 but the row's value cells add up to 22: the total is 1 more than they add up to "
        "(difference +1) (3 totals in this file disagree)"
    ) in capsys.readouterr().out.splitlines()


def _lancashire_first_total(book_path: Path) -> tuple[int, int]:
    """Row 16 of Lancashire's sample: the April 2023 Total row; its British cell (C) and the sum of
    the twelve offence rows above it, read with openpyxl."""
    sheet = openpyxl.load_workbook(book_path)["Arrests"]
    assert [sheet.cell(16, c).value for c in (1, 2)] == ["2023-04", "Total"]
    return sheet["C16"].value, sum(sheet.cell(r, 3).value for r in range(4, 16))


def test_the_sample_lancashire_return_declares_its_total_rows_and_they_agree():
    manifest = load_manifest(SAMPLE_LANDING / "lancashire-fy2023-24" / "manifest.yml")
    (spec,) = manifest.files
    assert [(t.match, t.sums) for t in spec.totals.rows] == [({"Offence": "^Total$"}, "block")]
    assert spec.skip_rows_matching == {}
    stated, summed = _lancashire_first_total(
        SAMPLE_LANDING / "lancashire-fy2023-24" / "foi_response_arrests.xlsx"
    )
    assert stated == summed
    assert _disagreements(SAMPLE_LANDING / "lancashire-fy2023-24") == []


def test_a_sample_return_off_by_one_is_quarantined_and_the_others_publish(tmp_path):
    landing = tmp_path / "landing"
    for name in ("lancashire-fy2023-24", "durham-fy2023-24", "hampshire-fy2023-24"):
        shutil.copytree(SAMPLE_LANDING / name, landing / name)
    book_path = landing / "lancashire-fy2023-24" / "foi_response_arrests.xlsx"
    stated, summed = _lancashire_first_total(book_path)
    book = openpyxl.load_workbook(book_path)
    book["Arrests"]["C16"] = stated + 1
    book.save(book_path)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"

    outcome = refresh(landing, warehouse)

    assert outcome.published, outcome.problems
    assert outcome.quarantined == {
        "lancashire-fy2023-24": (
            "return lancashire-fy2023-24: file foi_response_arrests.xlsx, sheet 'Arrests', row 16, "
            f"column C: total row (Offence 'Total') in column 'British' states {stated + 1} but "
            f"the rows above (rows 4-15) add up to {summed}: the total is 1 more than they add "
            "up to (difference +1)"
        )
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        published = {
            r for (r,) in con.execute("select return_id from meta.publication_inputs").fetchall()
        }
    assert published == {"durham-fy2023-24", "hampshire-fy2023-24"}
