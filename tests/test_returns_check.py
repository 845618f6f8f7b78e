"""`warehouse check`: validates the landing returns, writing only to a database in a temporary
folder that it removes (the refresh's dbt tests run there), prints every problem with its return,
file, sheet, row and column, and exits non-zero when a return is bad."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from orchestration.cli import main as cli_main
from orchestration.lib.sources.force_returns.check import check_landing
from tests.conftest import REPO, SAMPLE_LANDING

FEW = [
    "gwent-fy2023-24",
    "essex-fy2023-24",
    "merseyside-fy2023-24",
    "kent-fy2023-24",
    "kent-fy2023-24-v2",
]


def main(argv: list[str]) -> int:
    """`warehouse check ARGV`."""
    return cli_main(["check", *argv])


def _landing(tmp_path: Path, folders=FEW) -> Path:
    landing = tmp_path / "landing"
    for name in folders:
        shutil.copytree(SAMPLE_LANDING / name, landing / name)
    return landing


def _run(landing: Path, temp: Path, home: Path) -> subprocess.CompletedProcess:
    """`warehouse check --landing LANDING` in a fresh process whose temporary folder and home are
    `temp` and `home`."""
    env = {**os.environ, "TMPDIR": str(temp), "HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "check", "--landing", str(landing)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def _files(*roots: Path) -> dict[Path, tuple[int, int]]:
    """Every file under the roots with its size and modification time (Python's own bytecode
    caches aside)."""
    return {
        p: (p.stat().st_size, p.stat().st_mtime_ns)
        for root in roots
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and ".git" not in p.parts
    }


def test_sample_landing_passes_with_exit_code_zero(tmp_path, capsys):
    assert main(["--landing", str(SAMPLE_LANDING)]) == 0
    out = capsys.readouterr().out
    assert "43 return(s)" in out and "43 good, 0 bad (0 error(s), 0 warning(s))" in out


def test_every_problem_is_printed_with_its_place_and_the_exit_code_is_one(tmp_path):
    landing = _landing(tmp_path)
    # A count that is not a number, in a sheet of the merged-header XLSX.
    book_path = landing / "essex-fy2023-24" / "arrests_nationality_sex.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["Table 1"]["D7"] = "n/a"
    book.save(book_path)
    # A manifest key that does not exist.
    manifest = landing / "merseyside-fy2023-24" / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("ignore_columns:", "ignored_columns:"))
    # A nationality the lookup does not map, in the CSV.
    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    csv_path.write_text(
        csv_path.read_text().replace("\n2023-05,Robbery,UK,", "\n2023-05,Robbery,MARTIAN,", 1)
    )

    temp, home = tmp_path / "tmp", tmp_path / "home"
    temp.mkdir()
    home.mkdir()
    before = _files(REPO, tmp_path)

    result = _run(landing, temp, home)

    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert (
        "ERROR: return essex-fy2023-24, file arrests_nationality_sex.xlsx, sheet 'Table 1', row 7, "
        "column D: count 'n/a' is not a whole non-negative number or a suppression marker ['*'] "
        "(1 such cell(s))"
    ) in lines
    assert any(
        line.startswith(
            "ERROR: return merseyside-fy2023-24, file manifest.yml: key files.0.ignored_columns: unknown key"
        )
        for line in lines
    )
    (martian,) = [line for line in lines if "MARTIAN" in line]
    assert martian.startswith(
        "ERROR: return gwent-fy2023-24, file arrests_by_nationality.csv, row "
    )
    assert (
        ", column C: nationality 'MARTIAN' is not in dbt_project/seeds/lookups/nationality_lookup.csv"
        in martian
    )
    summary = lines[-1]
    assert summary.startswith("warehouse check:")
    assert "5 return(s)" in summary and "2 good, 3 bad (3 error(s), 0 warning(s))" in summary
    assert "bad: essex-fy2023-24, gwent-fy2023-24, merseyside-fy2023-24" in summary
    # Nothing written anywhere but the check's temporary folder, and that folder is gone.
    assert _files(REPO, tmp_path) == before
    assert list(temp.iterdir()) == [] and list(home.iterdir()) == []


def test_two_current_returns_for_the_same_force_months_are_an_error(tmp_path):
    landing = _landing(tmp_path)
    manifest = landing / "kent-fy2023-24-v2" / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("supersedes:\n- kent-fy2023-24\n", ""))
    problems = check_landing(landing, pull=False)
    (problem,) = problems
    assert problem.return_folder == "kent-fy2023-24-v2" and problem.file == "manifest.yml"
    assert (
        "returns kent-fy2023-24, kent-fy2023-24-v2 all cover force E23000032 in 11 month(s) (2023-04..2024-02)"
        in problem.message
    )


def test_superseding_a_return_that_is_not_there_is_only_a_warning(tmp_path, capsys):
    landing = _landing(tmp_path, ["kent-fy2023-24-v2"])
    (problem,) = check_landing(landing, pull=False)
    assert problem.severity == "warning" and "no return 'kent-fy2023-24'" in problem.message
    assert main(["--landing", str(landing)]) == 0
    assert (
        "WARNING: return kent-fy2023-24-v2, file manifest.yml: key supersedes:"
        in capsys.readouterr().out
    )


def test_unknown_force_is_an_error(tmp_path):
    landing = _landing(tmp_path, ["gwent-fy2023-24"])
    manifest = landing / "gwent-fy2023-24" / "manifest.yml"
    manifest.write_text(
        manifest.read_text().replace("force: W15000002", "force: Gwent Constabulary")
    )
    (problem,) = check_landing(landing, pull=False)
    assert problem.message.startswith(
        "key force: 'Gwent Constabulary' names no force in dbt_project/seeds/reference/ref_forces.csv"
    )


def test_check_opens_only_its_own_temporary_database(tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    opened: list[Path] = []
    connect = duckdb.connect

    def recording(database=":memory:", *args, **kwargs):
        opened.append(Path(database))
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", recording)
    landing = _landing(tmp_path, ["gwent-fy2023-24", "essex-fy2023-24"])
    assert check_landing(landing) == []
    assert opened and all(p.is_relative_to(temp) for p in opened), opened
    assert list(temp.iterdir()) == []


def test_the_dbt_tests_report_every_return_at_once(tmp_path):
    """A failing dbt test stops nothing after it: an unknown force, an unmapped offence and two
    returns covering the same months are each reported, in three different returns."""
    landing = _landing(tmp_path)
    gwent = landing / "gwent-fy2023-24" / "manifest.yml"
    gwent.write_text(gwent.read_text().replace("force: W15000002", "force: Gwent Constabulary"))
    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    csv_path.write_text(csv_path.read_text().replace(",Robbery,", ",Piracy,", 1))
    kent = landing / "kent-fy2023-24-v2" / "manifest.yml"
    kent.write_text(kent.read_text().replace("supersedes:\n- kent-fy2023-24\n", ""))
    essex = landing / "essex-fy2023-24" / "arrests_nationality_sex.xlsx"
    book = openpyxl.load_workbook(essex)
    book["Table 1"]["E3"] = "Hibernian"
    book.save(essex)

    problems = check_landing(landing, pull=False)

    by_return = {
        (p.return_folder, p.message.split(" is not in ")[0].split(" names ")[0]) for p in problems
    }
    assert by_return == {
        ("gwent-fy2023-24", "key force: 'Gwent Constabulary'"),
        ("gwent-fy2023-24", "offence 'Piracy'"),
        ("essex-fy2023-24", "nationality 'Hibernian'"),
        (
            "kent-fy2023-24-v2",
            "returns kent-fy2023-24, kent-fy2023-24-v2 all cover force E23000032 in 11 month(s) "
            "(2023-04..2024-02) and would be counted twice; a correction must list the return it "
            "replaces under supersedes",
        ),
    }, problems
    (piracy,) = [p for p in problems if "Piracy" in p.message]
    assert (piracy.file, piracy.column) == ("arrests_by_nationality.csv", "B")
    assert piracy.message.endswith(
        "(1 cell(s)); add it there (lower-cased) so the refresh can group it"
    )


def test_a_dbt_model_that_cannot_build_fails_the_check(tmp_path, capsys):
    """A count above DuckDB's INTEGER reads as a whole number but breaks the cells' model, as it
    would at refresh: no return is to blame, and the check still exits 1."""
    landing = _landing(tmp_path, ["gwent-fy2023-24"])
    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    head, *rows = csv_path.read_text().splitlines()
    rows[0] = rows[0].rsplit(",", 1)[0] + ",3000000000"
    csv_path.write_text("\n".join([head, *rows]) + "\n")
    assert main(["--landing", str(landing), "--no-pull"]) == 1
    out = capsys.readouterr().out
    assert "ERROR: landing folder: dbt int_arrest_cells_classified: " in out
    assert "Could not convert string '3000000000' to INT32" in out
    assert "1 good, 0 bad (1 error(s), 0 warning(s))" in out


def test_missing_landing_folder_exits_two(tmp_path, capsys):
    assert main(["--landing", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("flag", [[], ["--no-pull"]])
def test_command_line_options(tmp_path, flag):
    landing = _landing(tmp_path, ["gwent-fy2023-24"])
    assert main(["--landing", str(landing), *flag]) == 0


def test_unmapped_nationality_in_a_merged_header_is_placed_at_the_header(tmp_path):
    landing = _landing(tmp_path, ["essex-fy2023-24"])
    book_path = landing / "essex-fy2023-24" / "arrests_nationality_sex.xlsx"
    book = openpyxl.load_workbook(book_path)
    sheet = book["Table 1"]
    assert sheet["E3"].value == "Irish"
    sheet["E3"] = "Hibernian"
    book.save(book_path)
    (problem,) = check_landing(landing, pull=False)
    # The string is in the merged header over columns E:F; the first count under it is in E.
    assert (problem.file, problem.sheet, problem.row, problem.column) == (
        "arrests_nationality_sex.xlsx",
        "Table 1",
        4,
        "E",
    )
    assert problem.message.startswith("nationality 'Hibernian' is not in")


def test_a_wrong_header_row_prints_the_sheet_as_read_with_row_numbers(tmp_path, capsys):
    landing = _landing(tmp_path, ["durham-fy2023-24"])
    manifest = landing / "durham-fy2023-24" / "manifest.yml"
    manifest.write_text(manifest.read_text().replace("header_row: 3", "header_row: 1"))
    (tmp_path / "no-home-office").mkdir()
    assert main(["--landing", str(landing), "--home-office", str(tmp_path / "no-home-office")]) == 1
    lines = capsys.readouterr().out.splitlines()
    (error,) = [n for n, line in enumerate(lines) if "durham-fy2023-24" in line and "ERROR" in line]
    assert "row 1: expected header(s) ['Month', 'Offence'" in lines[error]
    preview = lines[error + 1 : error + 16]
    assert preview[0] == "    sheet 'Arrests' as read (rows 1-12 of 159, columns A-H of 9):"
    assert [c.strip() for c in preview[1].split("|")][:4] == ["", "A", "B", "C"]
    # The sheet's own row 3 is the header the manifest should name; row 4 its first figures.
    row3 = [cell.strip() for cell in preview[4].split("|")]
    assert row3[:4] == ["3", "Month", "Offence", "British"]
    row4 = [cell.strip() for cell in preview[5].split("|")]
    assert row4[0] == "4" and row4[1] == "2023-04" and row4[2] == "Violence against th…"
    # Twelve rows, then the summary: row 13 is not shown.
    assert preview[13].strip().startswith("12 |") and preview[14].startswith("warehouse check:")


def test_the_preview_is_data_on_the_problem_and_only_for_parse_failures(tmp_path):
    landing = _landing(tmp_path, ["gwent-fy2023-24", "essex-fy2023-24"])
    # gwent: a column the manifest names is not in the CSV (a tab and a control byte escaped).
    csv_path = landing / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    text = csv_path.read_text()
    csv_path.write_text(text.replace("Arrests", "Arrests\t\x01", 1))
    # essex: a count that is not one: placed exactly, no preview.
    book_path = landing / "essex-fy2023-24" / "arrests_nationality_sex.xlsx"
    book = openpyxl.load_workbook(book_path)
    book["Table 1"]["D7"] = "n/a"
    book.save(book_path)
    problems = check_landing(landing, pull=False)
    by_return = {p.return_folder: p for p in problems}
    assert by_return["essex-fy2023-24"].preview is None
    preview = by_return["gwent-fy2023-24"].preview
    assert preview is not None
    data = preview.as_dict()
    first_line = text.splitlines()[0].split(",")
    assert data["columns"] == ["A", "B", "C", "D"] and data["width"] == 4
    assert data["height"] == len(text.splitlines())
    assert data["rows"][0]["row"] == 1
    assert data["rows"][0]["cells"][:3] == first_line[:3]
    assert data["rows"][0]["cells"][3] == "Arrests\\t\\x01"
    assert len(data["rows"]) == 12
