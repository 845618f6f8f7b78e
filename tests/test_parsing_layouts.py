"""Both sample layouts parse to the counts the generator drew, cell by cell."""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from orchestration.returns.manifest import ManifestError, load_manifest
from orchestration.returns.parse import parse_return
from orchestration.returns.readers import ReadError
from tests.conftest import REPO, SAMPLE_LANDING

sys.path.insert(0, str(REPO / "scripts"))
import generate_sample_returns as generator  # noqa: E402


def _truth() -> dict[str, dict[tuple[str, str, str], int]]:
    by_return: dict[str, dict] = defaultdict(dict)
    with (REPO / "tests" / "data" / "sample_truth.csv").open() as fh:
        for row in csv.DictReader(fh):
            key = (row["month"], row["offence_raw"], row["nationality_raw"])
            by_return[row["return_id"]][key] = int(row["arrests"])
    return by_return


def _parsed_counts(folder: Path) -> dict[tuple[str, str, str], str]:
    cells = parse_return(folder).cells.to_pylist()
    return {(c["month"], c["offence_raw"], c["nationality_raw"]): c["count_raw"] for c in cells}


def _assert_matches_truth(parsed: dict, truth: dict, suppressed_marker: str = "*") -> None:
    assert set(parsed) == set(truth)
    for key, true_count in truth.items():
        if parsed[key] == suppressed_marker:
            assert 1 <= true_count <= 4, key  # suppression hides only counts 1..4
        else:
            assert int(parsed[key]) == true_count, key


@pytest.mark.parametrize("return_id", ["cleveland-fy2023-24", "durham-fy2023-24"])
def test_sample_return_parses_to_generator_truth(return_id):
    _assert_matches_truth(_parsed_counts(SAMPLE_LANDING / return_id), _truth()[return_id])


def test_same_counts_in_both_layouts_parse_to_identical_rows(tmp_path):
    """The same truth rows written as CSV-long and as XLSX-wide give identical canonical rows."""
    force = generator.FORCES[0]
    rows = [(m, o, n, c) for (m, o, n), c in _truth()["durham-fy2023-24"].items()]
    parsed = {}
    for layout, writer in (("csv", generator.write_csv_long), ("xlsx", generator.write_xlsx_wide)):
        folder = tmp_path / layout
        folder.mkdir()
        spec = writer(folder, force, rows)
        manifest = generator._manifest(force, spec)
        import yaml

        (folder / "manifest.yml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
        parsed[layout] = _parsed_counts(folder)
    truth = {(m, o, n): c for m, o, n, c in rows}
    _assert_matches_truth(parsed["csv"], truth)
    _assert_matches_truth(parsed["xlsx"], truth)
    unsuppressed = {k for k, v in parsed["csv"].items() if v != "*"}
    assert {k: parsed["csv"][k] for k in unsuppressed} == {
        k: parsed["xlsx"][k] for k in unsuppressed
    }


def test_lineage_points_at_the_cell_in_the_file(tmp_path):
    """A parsed cell's row and column locate the same value when the XLSX is opened directly."""
    import openpyxl

    folder = SAMPLE_LANDING / "durham-fy2023-24"
    cells = parse_return(folder).cells.to_pylist()
    sheet = openpyxl.load_workbook(folder / "foi_response_arrests.xlsx", read_only=True)["Arrests"]
    grid = {
        (r, c): v
        for r, row in enumerate(sheet.iter_rows(values_only=True), 1)
        for c, v in enumerate(row, 1)
    }
    for cell in cells[:: len(cells) // 25]:
        column_number = ord(cell["source_column"]) - 64
        assert str(grid[(cell["source_row"], column_number)]) == cell["count_raw"]
        assert cell["sheet"] == "Arrests" and len(cell["file_sha256"]) == 64


def test_manifest_error_names_file_and_key(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_text(
        (SAMPLE_LANDING / "cleveland-fy2023-24" / "manifest.yml")
        .read_text()
        .replace("layout: long", "layout: diagonal")
    )
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(path) in str(error.value)
    assert "files.0.layout" in str(error.value)


def test_bad_count_names_file_row_and_column(tmp_path):
    import shutil

    folder = tmp_path / "gwent"
    shutil.copytree(SAMPLE_LANDING / "gwent-fy2023-24", folder)
    csv_path = folder / "arrests_by_nationality.csv"
    lines = csv_path.read_text().splitlines()
    lines[9] = lines[9].rsplit(",", 1)[0] + ",twelve"
    csv_path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ReadError) as error:
        parse_return(folder)
    message = str(error.value)
    assert (
        "file arrests_by_nationality.csv" in message
        and "row 10" in message
        and "column D" in message
    )
    assert "'twelve'" in message
