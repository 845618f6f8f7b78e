"""Home Office arrest statistics: both published layouts read to the figures the generator wrote,
manifests fail naming the key, the loader replaces changed datasets, and the reconciliation lists
the differences the generator planted (checked against the truth tables, not the code)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml
from python_calamine import CalamineWorkbook

from orchestration.lib.landing.tables import HOME_OFFICE_TABLES
from orchestration.lib.sources.force_returns.manifest import ManifestError
from orchestration.lib.sources.force_returns.readers import ReadError, column_letter
from orchestration.lib.sources.home_office import load_home_office
from orchestration.lib.sources.home_office.manifest import (
    financial_year_period,
    load_dataset_manifest,
)
from orchestration.lib.sources.home_office.read import read_dataset
from tests.conftest import REPO, SAMPLE_LANDING

sys.path.insert(0, str(REPO / "scripts"))
import generate_home_office_sample as generator  # noqa: E402

HOME_OFFICE = REPO / "data" / "homeoffice"
OPEN_DATA = HOME_OFFICE / "arrests-open-data"
SUMMARY = HOME_OFFICE / "arrests-summary-a01-ye-mar24"
RATES = HOME_OFFICE / "arrests-rates-a02-ye-mar24"
DBT = Path(sys.executable).parent / "dbt"


@pytest.fixture(scope="module")
def truth(tmp_path_factory) -> generator.Truth:
    """What the generator writes today (into a scratch folder): the committed files must match it."""
    return generator.generate(tmp_path_factory.mktemp("ho-generated"))


# --- reading ----------------------------------------------------------------------------------


def test_open_data_table_parses_to_generator_truth(truth):
    cells = read_dataset(OPEN_DATA).cells.to_pylist()
    parsed = {
        (
            c["financial_year_raw"],
            c["geocode_raw"],
            c["force_name"],
            c["region_raw"],
            c["gender_raw"],
            c["ethnicity_raw"],
            c["age_group_raw"],
            c["offence_group_raw"],
        ): int(c["value_raw"])
        for c in cells
    }
    assert len(parsed) == len(cells)
    assert parsed == truth.open_data, "stale sample: run scripts/generate_home_office_sample.py"
    assert {c["period"] for c in cells} == {"2022-23", "2023-24"}


def test_summary_table_parses_to_generator_truth(truth):
    cells = read_dataset(SUMMARY).cells.to_pylist()
    parsed = {(c["force_name"], c["offence_group_raw"]): c["value_raw"] for c in cells}
    assert len(parsed) == len(cells)
    assert parsed == truth.summary, "stale sample: run scripts/generate_home_office_sample.py"
    assert {c["period"] for c in cells} == {"2023-24"}


def test_summary_table_strips_footnotes_and_skips_subtotals_and_notes(truth):
    cells = read_dataset(SUMMARY).cells.to_pylist()
    names = {c["force_name"] for c in cells}
    # Every force once, none of the region subtotal, national or BTP rows, none of the notes.
    assert names == set(truth.summary_forces.values())
    assert len(names) == 43
    assert not names & {"England and Wales", "North East", "Wales", "British Transport Police"}
    assert "West Midlands" in names  # the force, though the region of that name is skipped
    assert not any(n[-1].isdigit() for n in names)
    raw = {c["force_name_raw"] for c in cells}
    assert {"Cleveland1", "Greater Manchester2", "Lancashire3"} <= raw
    assert "Fraud offences4" in {c["source_header"] for c in cells}
    assert not any(c["force_name_raw"].startswith(("1.", "Notes", "Source")) for c in cells)


def test_summary_markers_stay_text_as_shown_with_their_flag():
    cells = read_dataset(SUMMARY).cells.to_pylist()
    marked = {
        (c["force_name"], c["offence_group_raw"]): (c["value_raw"], c["stored_raw"], c["flag"])
        for c in cells
    }
    assert marked[("Dyfed-Powys", "Fraud offences")] == ("..", "..", "not_available")
    # The sheet stores the nil as the number 0 and shows `-`: the shown text and its flag stay.
    assert marked[("London, City of", "Summary motoring")] == ("-", "0", "nil")
    assert marked[("London, City of", "Robbery")] == ("-", "0", "nil")
    assert {f for _, _, f in marked.values()} == {None, "nil", "not_available"}


def test_lineage_points_at_the_cell_in_the_ods():
    parsed = read_dataset(SUMMARY)
    sheet = CalamineWorkbook.from_path(str(SUMMARY / parsed.manifest.file)).get_sheet_by_name(
        "A_01"
    )
    grid = sheet.to_python(skip_empty_area=False)
    letters = {column_letter(j): j for j in range(len(grid[0]))}
    for cell in parsed.cells.to_pylist():
        value = grid[cell["source_row"] - 1][letters[cell["source_column"]]]
        stored = str(int(value)) if isinstance(value, float) else value
        assert stored == cell["stored_raw"], cell
    assert parsed.sheet == "A_01"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2023/24", "2023-24"),
        ("1999/00", "1999-00"),
        ("2023/2024", "2023-24"),
        ("2023-24", "2023-24"),
        ("2023/25", None),
        ("FY2023", None),
        ("", None),
    ],
)
def test_financial_year_as_period(text, period):
    assert financial_year_period(text) == period


# --- manifest and read errors -----------------------------------------------------------------


def _dataset_copy(tmp_path: Path, source: Path, **changes) -> Path:
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    document = yaml.safe_load((folder / "manifest.yml").read_text())
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    (folder / "manifest.yml").write_text(yaml.safe_dump(document))
    return folder


@pytest.mark.parametrize(
    ("changes", "key", "expected"),
    [
        ({"kind": "wide"}, "kind", "open_data_long"),
        ({"offence_columns": []}, "(top level)", "offence_columns"),
        ({"financial_year_value": "2023/25"}, "financial_year_value", "2023/24"),
        ({"footnote_pattern": r"\d+$"}, "footnote_pattern", "capture group"),
        ({"markers": {"not_available": [".."], "nil": [".."]}}, "markers", "both"),
        (
            {"skip_rows": {"other_matching": "(unclosed"}},
            "skip_rows.other_matching",
            "regular expression",
        ),
        # A skip rule must say what kind of row it matches (a region and a force share names).
        ({"skip_rows": {"names": ["West Midlands"]}}, "skip_rows", "skip_rows.regions"),
        ({"header_row": 5, "header_rows": [4, 5]}, "(top level)", "not both"),
        ({"force_names": {"Met": "E2300001"}}, "force_names", "ONS force codes"),
        ({"total_rows": {"England and Wales": "Scotland"}}, "total_rows.England and Wales", "all"),
        ({"rate_per": 1000}, "(top level)", "rate_table"),
        (
            {"columns": {"force_name": "Police force area", "arrests": "Arrests"}},
            "(top level)",
            "summary_table",
        ),
        ({"file": "../elsewhere.ods"}, "file", "inside the dataset folder"),
        ({"surprise": 1}, "surprise", "Extra inputs"),
    ],
)
def test_bad_manifest_names_file_and_key(tmp_path, changes, key, expected):
    folder = _dataset_copy(tmp_path, SUMMARY, **changes)
    with pytest.raises(ManifestError) as err:
        load_dataset_manifest(folder / "manifest.yml")
    assert str(folder / "manifest.yml") in str(err.value)
    assert any(p.startswith(f"key {key}") and expected in p for p in err.value.problems), err.value


def test_open_data_manifest_needs_offence_and_arrests_columns(tmp_path):
    columns = yaml.safe_load((OPEN_DATA / "manifest.yml").read_text())["columns"]
    del columns["arrests"]
    folder = _dataset_copy(tmp_path, OPEN_DATA, columns=columns)
    with pytest.raises(ManifestError, match="columns.arrests"):
        load_dataset_manifest(folder / "manifest.yml")


def test_unreadable_count_names_row_and_column(tmp_path):
    folder = _dataset_copy(tmp_path, OPEN_DATA)
    path = folder / "arrests-open-data-table.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",12a"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        ReadError, match=r"row 4, column I: '12a' \(under 'Arrests'\) is not a whole"
    ):
        read_dataset(folder)


def test_missing_header_lists_the_headers_present(tmp_path):
    folder = _dataset_copy(tmp_path, SUMMARY, total_column="All arrests")
    with pytest.raises(
        ReadError, match=r"sheet 'A_01', row 5: expected header\(s\) \['All arrests'\]"
    ):
        read_dataset(folder)


# --- loading ----------------------------------------------------------------------------------


def test_loader_replaces_changed_dataset_keeps_last_good_and_drops_removed(tmp_path):
    root = tmp_path / "homeoffice"
    shutil.copytree(HOME_OFFICE, root)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    messages: list[str] = []

    first = load_home_office(con, root, log=messages.append)
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    assert tables == {t.name for t in HOME_OFFICE_TABLES.tables}
    assert sorted(first.loaded) == [
        "arrests-open-data",
        "arrests-rates-a02-ye-mar24",
        "arrests-summary-a01-ye-mar24",
    ]
    assert load_home_office(con, root, log=messages.append).unchanged == first.loaded

    # A changed file is read again and replaces its dataset's rows.
    path = root / "arrests-open-data" / "arrests-open-data-table.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",99999"
    path.write_text("\n".join(lines) + "\n")
    assert load_home_office(con, root, log=messages.append).loaded == ["arrests-open-data"]
    assert con.execute(
        "select value_raw from raw.home_office_cells where dataset_id = 'ho-arrests-open-data' and source_row = 2"
    ).fetchone() == ("99999",)

    # A bad new version is quarantined; the last good load stays.
    before = con.execute("select count(*) from raw.home_office_cells").fetchone()
    (root / "arrests-open-data" / "manifest.yml").write_text("kind: [")
    report = load_home_office(con, root, log=messages.append)
    assert "arrests-open-data" in report.quarantined
    assert con.execute("select count(*) from raw.home_office_cells").fetchone() == before
    assert con.execute("select count(*) from raw.home_office_quarantined").fetchone() == (1,)

    shutil.rmtree(root / "arrests-summary-a01-ye-mar24")
    assert load_home_office(con, root, log=messages.append).removed == [
        "arrests-summary-a01-ye-mar24"
    ]
    assert con.execute(
        "select count(*) from raw.home_office_cells where dataset_id = 'ho-arrests-summary-a01-ye-mar24'"
    ).fetchone() == (0,)


def test_loader_follows_a_renamed_dataset_and_refuses_a_second_folder_with_its_id(tmp_path):
    """As for force returns (the same landing loader): the folder that loaded a dataset id keeps
    it while it is there; a renamed folder takes its id with it in one load."""
    root = tmp_path / "homeoffice"
    shutil.copytree(HOME_OFFICE, root)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    folders = "select dataset_folder, dataset_id from raw.home_office_datasets order by 1"
    load_home_office(con, root, log=lambda _: None)

    (root / "arrests-open-data").rename(root / "arrests-open-data-2")
    report = load_home_office(con, root, log=lambda _: None)
    assert report.loaded == ["arrests-open-data-2"] and report.removed == ["arrests-open-data"]
    assert not report.quarantined
    assert ("arrests-open-data-2", "ho-arrests-open-data") in con.execute(folders).fetchall()

    shutil.copytree(root / "arrests-open-data-2", root / "zz-copy")
    report = load_home_office(con, root, log=lambda _: None)
    assert report.quarantined["zz-copy"].endswith(
        "key dataset_id: 'ho-arrests-open-data' is already used by folder 'arrests-open-data-2'"
    )
    assert ("arrests-open-data-2", "ho-arrests-open-data") in con.execute(folders).fetchall()
    again = load_home_office(con, root, log=lambda _: None)
    assert again.quarantined["zz-copy"] == (
        f"{report.quarantined['zz-copy']} (unchanged since it was quarantined)"
    )


# --- reconciliation (dbt on a throwaway copy of the project and database) ---------------------


@pytest.fixture(scope="module")
def reconciled(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The sample force returns and Home Office datasets in raw, then `dbt build` of the
    reconciliation and everything upstream of it, in a temporary copy of the dbt project."""
    from orchestration.lib.sources.force_returns.ingest import ingest_landing

    root = tmp_path_factory.mktemp("ho-dbt")
    database = root / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        ingest_landing(con, SAMPLE_LANDING, log=lambda _: None)
        load_home_office(con, HOME_OFFICE, log=lambda _: None)
    project = root / "dbt_project"
    shutil.copytree(REPO / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--select",
            "+reconciliation_home_office",
            "+stg_home_office__rates",
            # only tests whose every parent is built here (not other marts' tests on shared seeds)
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",  # the models' unit tests run in tests/test_dbt_unit_tests.py
            "unit_test",
            "--profiles-dir",
            str(project),
            "--project-dir",
            str(project),
            "--vars",
            json.dumps({"build_db": str(database)}),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    con = duckdb.connect(str(database), read_only=True)
    yield con
    con.close()


def _rows(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _returns_truth() -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """Force returns' true 2023-24 totals per force × offence group, and months covered."""
    return generator.returns_totals()


def test_reconciliation_lists_exactly_the_planted_differences(reconciled, truth):
    _, months = _returns_truth()
    whole_year = {code for code, n in months.items() if n == 12}
    differs = {
        (r["force_code"], r["offence_group"], r["home_office_source"])
        for r in _rows(
            reconciled, "select * from marts.reconciliation_home_office where status = 'differs'"
        )
        if r["force_code"] in whole_year
    }
    planted = {
        (code, group, source)
        for code, offence in generator.DIFFERENCES
        for group in (offence, "All offences")
        for source in ("open_data_long", "summary_table")
        if (source, "2023-24", code, offence) in truth.totals
    }
    assert differs == planted


def test_reconciliation_differences_are_home_office_minus_returns(reconciled, truth):
    returned, _ = _returns_truth()
    for (code, offence), planted in generator.DIFFERENCES.items():
        row = _rows(
            reconciled,
            "select * from marts.reconciliation_home_office where period = '2023-24' and force_code = ? "
            "and offence_group = ? and home_office_source = 'summary_table'",
            [code, offence],
        )[0]
        assert row["returns_arrests"] == returned[(code, offence)]  # these returns suppress nothing
        assert (
            row["home_office_arrests"] == truth.totals[("summary_table", "2023-24", code, offence)]
        )
        assert row["difference"] == planted
        assert row["relative_difference"] == pytest.approx(planted / row["home_office_arrests"])
        assert row["within_suppression_bounds"] is False


def test_suppressed_returns_match_when_home_office_lies_within_their_bounds(reconciled):
    rows = _rows(
        reconciled,
        "select * from marts.reconciliation_home_office where status = 'match' and returns_suppressed_cells > 0",
    )
    assert rows
    for r in rows:
        assert r["returns_arrests_lower"] <= r["home_office_arrests"] <= r["returns_arrests_upper"]
        assert r["within_suppression_bounds"] is True


def test_not_available_and_nil_cells_of_the_published_table(reconciled):
    fraud = _rows(
        reconciled,
        "select home_office_source, home_office_arrests, home_office_not_available, status "
        "from marts.reconciliation_home_office where force_code = 'W15000004' "
        "and period = '2023-24' and offence_group = 'Fraud offences' order by home_office_source",
    )
    assert [(r["home_office_source"], r["status"]) for r in fraud] == [
        ("open_data_long", "match"),
        ("summary_table", "not_available"),
    ]
    assert fraud[1]["home_office_arrests"] is None and fraud[1]["home_office_not_available"] is True
    # The table's own total still counts the `..` cell, so All offences is compared.
    total = _rows(
        reconciled,
        "select status from marts.reconciliation_home_office where force_code = 'W15000004' "
        "and period = '2023-24' and offence_group = 'All offences' and home_office_source = 'summary_table'",
    )
    assert total == [{"status": "match"}]
    nil = _rows(
        reconciled,
        "select home_office_arrests, status from marts.reconciliation_home_office "
        "where force_code = 'E23000034' and offence_group in ('Robbery', 'Summary motoring')",
    )
    assert nil == [{"home_office_arrests": 0, "status": "missing_in_returns"}] * 2


def test_every_force_and_year_on_either_side_appears(reconciled, truth):
    keys = {
        (r["period"], r["force_code"], r["home_office_source"])
        for r in _rows(
            reconciled,
            "select distinct period, force_code, home_office_source from marts.reconciliation_home_office",
        )
    }
    expected = {(period, code, source) for source, period, code, _ in truth.totals}
    _, months = _returns_truth()
    expected |= {
        ("2023-24", code, source)
        for code in months
        for source in ("open_data_long", "summary_table")
    }
    assert keys == expected
    missing_years = _rows(
        reconciled,
        "select distinct status from marts.reconciliation_home_office where period = '2022-23'",
    )
    assert missing_years == [{"status": "missing_in_returns"}]


# --- published tables by the same rules as force returns (issue 14) ---------------------------
#
# Small tables written here, their figures chosen by hand: the West Midlands region (its four
# forces, the force West Midlands among them), a force of another region, and a national total.

WM_FORCES = {  # force -> (Robbery, Drug offences); the total column is their sum
    "West Midlands": (1627, 35000),
    "Staffordshire": (300, 2000),
    "Warwickshire": (120, 900),
    "West Mercia": (410, 3100),
}
WM_TOTAL = {"West Midlands": 36627}  # the force's arrests, as the issue reports them


def _table_rows(forces: dict[str, tuple[int, int]], layout: str = "above") -> list[list[str]]:
    # The region's sub-total is the sum of the four forces as published (1627+300+120+410 = 2457,
    # 35000+2000+900+3100 = 41000), whatever rows the test then drops.
    region = [2457, 41000]
    region_row = ["West Midlands", str(region[0]), str(region[1]), str(sum(region))]
    force_rows = [[n, str(r), str(d), str(r + d)] for n, (r, d) in forces.items()]
    block = [region_row, *force_rows] if layout == "above" else [*force_rows, region_row]
    national = ["England and Wales", "2457", "41000", "43457"]
    return [national, *block]


def _table(
    tmp_path: Path,
    rows: list[list[str]],
    header: list[list[str]] | None = None,
    name: str = "t",
    notes: bool = True,
    **manifest,
) -> Path:
    """A summary_table dataset: a CSV (title row, blank row, header, rows, blank, a note)."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    header = header or [["Police force area", "Robbery", "Drug offences", "Total arrests"]]
    below = [[], ["Notes: synthetic."]] if notes else []
    lines = [["Table X (SYNTHETIC test table)"], [], *header, *rows, *below]
    (folder / "t.csv").write_text("\n".join(",".join(r) for r in lines) + "\n")
    document = {
        "dataset_id": f"test-{name}",
        "kind": "summary_table",
        "title": "test table",
        "data_origin": "synthetic",
        "file": "t.csv",
        "header_row": 3,
        "financial_year_value": "2023/24",
        "columns": {"force_name": "Police force area"},
        "offence_columns": ["Robbery", "Drug offences"],
        "total_column": "Total arrests",
        "region_rows": "above_forces",
        "total_rows": {"England and Wales": "all"},
    } | manifest
    if document.get("header_rows"):
        document.pop("header_row")
    (folder / "manifest.yml").write_text(yaml.safe_dump(document))
    return folder


def _by_force(folder: Path) -> dict[tuple[str, str], str]:
    return {
        (c["force_code"], c["offence_group"]): c["value_raw"]
        for c in read_dataset(folder).cells.to_pylist()
    }


@pytest.mark.parametrize("layout", ["above", "below"])
def test_a_region_and_a_force_of_the_same_name_keep_the_force(tmp_path, layout):
    rows = _table_rows(WM_FORCES, layout)
    # Only the four West Midlands forces are in this table: its national row totals them.
    folder = _table(
        tmp_path,
        rows,
        region_rows=f"{layout}_forces",
        total_rows={"England and Wales": "England"},
        check_totals=False,
    )
    cells = _by_force(folder)
    assert cells[("E23000014", "Robbery")] == "1627"  # West Midlands the force
    assert cells[("E23000014", "All offences")] == str(WM_TOTAL["West Midlands"])
    assert {code for code, _ in cells} == {"E23000014", "E23000015", "E23000016", "E23000017"}


def test_a_force_missing_from_a_table_with_a_total_row_fails_the_totals_check(tmp_path):
    forces = {n: v for n, v in WM_FORCES.items() if n != "West Midlands"}
    rows = _table_rows(forces)[1:]  # the region's rows only: its row is the table's total
    folder = _table(tmp_path, rows)
    with pytest.raises(ReadError) as err:
        read_dataset(folder)
    # The region row (row 4: title, blank, header) is the first total to disagree: its Robbery
    # 2,457 less the three forces left (300 + 120 + 410 = 830) is 1,627.
    assert err.value.row == 4 and err.value.column == "B"
    assert "difference +1,627" in str(err.value)
    assert "the table does not list: ['West Midlands']" in str(err.value)


def test_groups_are_checked_against_the_tables_own_total_column(tmp_path):
    rows = _table_rows(WM_FORCES)
    rows[3][3] = "2301"  # Staffordshire's total arrests, one more than 300 + 2,000
    folder = _table(tmp_path, rows, total_rows={"England and Wales": "England"})
    with pytest.raises(ReadError) as err:
        read_dataset(folder)
    assert (err.value.row, err.value.column) == (7, "D")
    assert (
        "total 2,301 (Staffordshire) disagrees with the 2 offence group cells" in err.value.detail
    )
    assert "difference +1" in err.value.detail
    # The region's and the nation's total columns now disagree with the forces too.
    assert "(2 more total(s) disagree: row 4 column D, row 5 column D)" in err.value.detail


def test_not_available_cells_are_bounds_in_the_totals_check(tmp_path):
    rows = _table_rows(WM_FORCES)
    rows[3][1] = ".."  # Staffordshire's Robbery: the totals must be at least the other cells
    folder = _table(tmp_path, rows, total_rows={"England and Wales": "England"})
    cells = _by_force(folder)
    assert cells[("E23000015", "Robbery")] == ".."
    rows[3][3] = "1999"  # now less than its known Drug offences cell (2,000): impossible
    folder = _table(tmp_path, rows, name="u", total_rows={"England and Wales": "England"})
    with pytest.raises(ReadError, match="add up to at least 2,000 \\(1 not available\\)"):
        read_dataset(folder)


def test_a_skipped_force_is_not_loaded_but_still_counts_in_the_totals(tmp_path):
    folder = _table(
        tmp_path,
        _table_rows(WM_FORCES),
        total_rows={"England and Wales": "England"},
        skip_rows={"forces": ["Warwickshire"]},
    )
    assert {code for code, _ in _by_force(folder)} == {"E23000014", "E23000015", "E23000016"}


def test_a_skip_rule_naming_a_region_as_a_force_is_an_error(tmp_path):
    folder = _table(
        tmp_path,
        _table_rows(WM_FORCES),
        total_rows={"England and Wales": "England"},
        skip_rows={"regions": ["West Midlands"], "forces": ["Wessex"]},
    )
    with pytest.raises(ReadError, match=r"key skip_rows.forces: \['Wessex'\] match no force row"):
        read_dataset(folder)


def test_a_row_neither_force_nor_region_names_its_row(tmp_path):
    rows = [*_table_rows(WM_FORCES), ["British Transport Police", "5", "5", "10"]]
    folder = _table(tmp_path, rows, total_rows={"England and Wales": "England"})
    with pytest.raises(
        ReadError, match="'British Transport Police' is neither a force nor a region"
    ) as err:
        read_dataset(folder)
    assert err.value.row == 10  # title, blank, header, national, region, four forces, then BTP
    other = _table(
        tmp_path,
        rows,
        name="u",
        total_rows={"England and Wales": "England"},
        skip_rows={"other": ["British Transport Police"]},
    )
    assert len(_by_force(other)) == 4 * 3


def test_a_blank_first_row_under_the_header_is_skipped(tmp_path):
    folder = _table(
        tmp_path, [[], *_table_rows(WM_FORCES)], total_rows={"England and Wales": "England"}
    )
    parsed = read_dataset(folder)
    assert parsed.cells.num_rows == 4 * 3
    assert min(parsed.cells["source_row"].to_pylist()) == 7  # the first force, below the blank


def test_a_table_with_no_rows_is_quarantined_and_the_other_datasets_load(tmp_path):
    root = tmp_path / "homeoffice"
    shutil.copytree(HOME_OFFICE, root)
    _table(root, [], name="aa-empty", notes=False)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = load_home_office(con, root, log=lambda _: None)
    assert report.quarantined["aa-empty"] == (
        "Home Office dataset aa-empty: file t.csv, row 3: no rows under the header "
        "(expected a row per force below it)"
    )
    assert len(report.loaded) == 3


def test_a_reader_fault_in_one_dataset_quarantines_it_and_the_rest_load(tmp_path, monkeypatch):
    from orchestration.lib.sources.home_office import read

    root = tmp_path / "homeoffice"
    shutil.copytree(HOME_OFFICE, root)
    real = read.dataset_cells

    def faulty(grid, m, shown=None):
        if m.kind == "rate_table":
            raise IndexError("list index out of range")
        return real(grid, m, shown)

    monkeypatch.setattr(read, "dataset_cells", faulty)
    report = load_home_office(duckdb.connect(str(tmp_path / "w.duckdb")), root, log=lambda _: None)
    assert "IndexError: list index out of range" in report.quarantined["arrests-rates-a02-ye-mar24"]
    assert sorted(report.loaded) == ["arrests-open-data", "arrests-summary-a01-ye-mar24"]


SEX_OVER_GROUP = [
    ["", "Males", "Males", "Females", "Females"],
    ["Police force area", "Robbery", "Total arrests", "Robbery", "Total arrests"],
]


def test_a_repeated_header_name_is_refused(tmp_path):
    rows = [["West Midlands", "1000", "1000", "627", "627"]]
    folder = _table(
        tmp_path,
        rows,
        header=SEX_OVER_GROUP,
        header_row=4,
        offence_columns=["Robbery"],
        region_rows="none",
        total_rows={},
    )
    with pytest.raises(ReadError) as err:
        read_dataset(folder)
    assert (err.value.row, err.value.column) == (4, None)
    assert "header 'Robbery' is in 2 columns (B, D)" in err.value.detail


def test_a_two_row_header_is_joined_and_a_heading_mapped_in_the_manifest(tmp_path):
    rows = [["West Midlands", "1000", "1000", "627", "627"]]
    folder = _table(
        tmp_path,
        rows,
        header=SEX_OVER_GROUP,
        header_rows=[3, 4],
        offence_columns=["Females|Robbery"],
        total_column="Females|Total arrests",
        offence_mapping={"Females|Robbery": "Robbery"},
        region_rows="none",
        total_rows={},
    )
    cells = _by_force(folder)
    assert cells == {("E23000014", "Robbery"): "627", ("E23000014", "All offences"): "627"}


def test_an_unmapped_offence_heading_is_named_with_its_cell_and_mapped_by_the_manifest(tmp_path):
    header = [["Police force area", "Misc. crimes against society", "Total arrests"]]
    rows = [["West Midlands", "36627", "36627"]]
    common = {"offence_columns": ["Misc. crimes against society"], "region_rows": "none"}
    folder = _table(tmp_path, rows, header=header, total_rows={}, **common)
    with pytest.raises(ReadError) as err:
        read_dataset(folder)
    assert (err.value.row, err.value.column) == (3, "B")
    assert "heading 'Misc. crimes against society' is not in" in err.value.detail
    mapping = {"Misc. crimes against society": "Miscellaneous crimes against society"}
    mapped = _table(
        tmp_path, rows, header=header, name="u", total_rows={}, offence_mapping=mapping, **common
    )
    assert _by_force(mapped)[("E23000014", "Miscellaneous crimes against society")] == "36627"
    wrong = _table(
        tmp_path,
        rows,
        header=header,
        name="v",
        total_rows={},
        offence_mapping={"Misc. crimes against society": "Misc"},
        **common,
    )
    with pytest.raises(
        ManifestError,
        match="key offence_mapping.Misc. crimes against society: 'Misc' is not an offence group",
    ):
        read_dataset(wrong)


# --- shown text and rate tables ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0, '#,##0;-#,##0;"-"', "-"),
        (1234, '#,##0;-#,##0;"-"', "1,234"),
        (-5, '#,##0;-#,##0;"-"', "-5"),
        (12.3456, "0.0", "12.3"),
        (0.25, "0.0", "0.3"),  # half away from zero, as Excel (Python's round gives 0.2)
        (12.3456, '0.0"*"', "12.3*"),
        (0, "0.0;-0.0;\\-", "-"),
        (0.1234, "0.0%", "12.3%"),
        (7, "General", None),
        (45000, "dd/mm/yyyy", None),
    ],
)
def test_number_formats_give_the_shown_text(value, fmt, shown):
    from orchestration.lib.sources.home_office.shown import format_number

    assert format_number(value, fmt) == shown


def test_rate_table_parses_to_generator_truth_with_shown_rates_and_flags(truth):
    cells = read_dataset(RATES).cells.to_pylist()
    parsed = {(c["force_code"], c["source_header"]): c["value_raw"] for c in cells}
    assert parsed == truth.rates, "stale sample: run scripts/generate_home_office_sample.py"
    by_key = {(c["force_code"], c["gender_raw"], c["period"]): c for c in cells}
    marked = by_key[("E23000014", "All persons", "2023-24")]  # the force, not the region
    assert marked["flag"] == "marked" and marked["value_raw"].endswith("*")
    nil = by_key[("E23000034", "Females", "2022-23")]
    assert (nil["value_raw"], nil["stored_raw"], nil["flag"]) == ("-", "0", "nil")
    plain = by_key[("E23000007", "Males", "2023-24")]
    assert len(plain["stored_raw"]) > len(plain["value_raw"])  # stored at full precision
    assert {c["measure"] for c in cells} == {"rate"}
    assert len(cells) == 43 * 6


def test_published_rates_reach_staging_as_shown(reconciled, truth):
    rows = _rows(
        reconciled,
        "select force_code, source_header, rate, rate_per, is_marked, is_nil, is_not_available "
        "from staging.stg_home_office__rates",
    )
    assert len(rows) == len(truth.rates)
    for r in rows:
        text = truth.rates[(r["force_code"], r["source_header"])]
        if text == "..":
            assert r["rate"] is None and r["is_not_available"]
        elif text == "-":
            assert r["rate"] == 0 and r["is_nil"]
        else:
            assert float(r["rate"]) == float(text.rstrip("*"))
            assert r["is_marked"] == text.endswith("*")
        assert r["rate_per"] == 1000


# --- warehouse check --------------------------------------------------------------------------


def test_warehouse_check_reports_home_office_datasets_in_one_line_each(tmp_path, capsys):
    from orchestration.cli import main as cli_main

    landing = tmp_path / "landing"
    landing.mkdir()
    root = tmp_path / "homeoffice"
    shutil.copytree(HOME_OFFICE, root)
    args = ["check", "--landing", str(landing), "--home-office", str(root), "--no-pull"]
    assert cli_main(args) == 0
    assert "3 Home Office dataset(s) in" in capsys.readouterr().out

    forces = {n: v for n, v in WM_FORCES.items() if n != "West Midlands"}
    _table(root, _table_rows(forces)[1:], name="wm-missing")
    assert cli_main(args) == 1
    lines = capsys.readouterr().out.splitlines()
    (error,) = [line for line in lines if line.startswith("ERROR")]
    assert error.startswith(
        "ERROR: Home Office dataset wm-missing, file t.csv, row 4, column B: total 2,457 "
        "(West Midlands) disagrees with the 3 force rows it totals"
    )
    assert lines[-1].endswith("3 good, 1 bad; bad: wm-missing")
