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
        ): int(c["arrests_raw"])
        for c in cells
    }
    assert len(parsed) == len(cells)
    assert parsed == truth.open_data, "stale sample: run scripts/generate_home_office_sample.py"
    assert {c["period"] for c in cells} == {"2022-23", "2023-24"}


def test_summary_table_parses_to_generator_truth(truth):
    cells = read_dataset(SUMMARY).cells.to_pylist()
    parsed = {(c["force_name"], c["offence_group_raw"]): c["arrests_raw"] for c in cells}
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


def test_summary_markers_stay_text_until_staging_types_them():
    cells = read_dataset(SUMMARY).cells.to_pylist()
    marked = {(c["force_name"], c["offence_group_raw"]): c["arrests_raw"] for c in cells}
    assert marked[("Dyfed-Powys", "Fraud offences")] == ".."
    assert marked[("London, City of", "Summary motoring")] == "-"
    assert marked[("London, City of", "Robbery")] == "-"


def test_lineage_points_at_the_cell_in_the_ods():
    parsed = read_dataset(SUMMARY)
    sheet = CalamineWorkbook.from_path(str(SUMMARY / parsed.manifest.file)).get_sheet_by_name(
        "A_01"
    )
    grid = sheet.to_python(skip_empty_area=False)
    letters = {column_letter(j): j for j in range(len(grid[0]))}
    for cell in parsed.cells.to_pylist():
        value = grid[cell["source_row"] - 1][letters[cell["source_column"]]]
        shown = str(int(value)) if isinstance(value, float) else value
        assert shown == cell["arrests_raw"], cell
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
            {"skip_rows": {"names_matching": "(unclosed"}},
            "skip_rows.names_matching",
            "regular expression",
        ),
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
    with pytest.raises(ReadError, match=r"row 4, column I .*'12a' is not a whole"):
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
    assert sorted(first.loaded) == ["arrests-open-data", "arrests-summary-a01-ye-mar24"]
    assert load_home_office(con, root, log=messages.append).unchanged == first.loaded

    # A changed file is read again and replaces its dataset's rows.
    path = root / "arrests-open-data" / "arrests-open-data-table.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",99999"
    path.write_text("\n".join(lines) + "\n")
    assert load_home_office(con, root, log=messages.append).loaded == ["arrests-open-data"]
    assert con.execute(
        "select arrests_raw from raw.home_office_cells where dataset_id = 'ho-arrests-open-data' and source_row = 2"
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
