"""`warehouse check`: validates the landing returns without touching any database, prints every
problem with its return, file, sheet, row and column, and exits non-zero when a return is bad."""

from __future__ import annotations

import shutil
import subprocess
import sys
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


def _run(landing: Path) -> subprocess.CompletedProcess:
    """The check as a command, in a fresh process that reports whether it imported DuckDB."""
    script = (
        "import sys; from orchestration.cli import main; code = main(['check', *sys.argv[1:]]); "
        "print('duckdb imported' if 'duckdb' in sys.modules else 'duckdb not imported'); sys.exit(code)"
    )
    return subprocess.run(
        [sys.executable, "-c", script, "--landing", str(landing)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sample_landing_passes_with_exit_code_zero(tmp_path, capsys):
    assert check_landing(SAMPLE_LANDING, pull=False) == []
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

    result = _run(landing)

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
    assert lines[-1] == "duckdb not imported"
    summary = next(line for line in lines if line.startswith("warehouse check:"))
    assert "5 return(s)" in summary and "2 good, 3 bad (3 error(s), 0 warning(s))" in summary
    assert "bad: essex-fy2023-24, gwent-fy2023-24, merseyside-fy2023-24" in summary
    assert not list(tmp_path.rglob("*.duckdb"))


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


def test_check_never_opens_a_database(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("warehouse check opened a DuckDB database")

    monkeypatch.setattr(duckdb, "connect", refuse)
    landing = _landing(tmp_path, ["gwent-fy2023-24", "essex-fy2023-24"])
    assert check_landing(landing) == []
    assert (
        sorted(
            p.name for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".duckdb", ".wal")
        )
        == []
    )


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
