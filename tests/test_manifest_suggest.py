"""`warehouse manifest suggest`: a first manifest for a received file. For sample returns of each
shape, the suggestion (its placeholders filled from the real manifest) reads the same count cells
as the real manifest; it says why it guessed what it did, and writes nowhere unless told."""

from __future__ import annotations

import shutil

import pyarrow.compute as pc
import pytest
import yaml

from orchestration.cli import main as cli_main
from orchestration.lib.sources.force_returns.manifest import load_manifest
from orchestration.lib.sources.force_returns.parse import parse_return
from orchestration.lib.sources.force_returns.suggest import suggest_manifest
from tests.conftest import SAMPLE_LANDING

# Return folder, file: a long CSV, wide XLSX (nationality across, per-month Total rows), a
# cp1252 ";" CSV with months across and a Total column, a two-row merged header (nationality over
# sex) with notes below, and nationality as section rows with date-cell months and sub-totals.
SHAPES = [
    ("gwent-fy2023-24", "arrests_by_nationality.csv"),
    ("lancashire-fy2023-24", "foi_response_arrests.xlsx"),
    ("durham-fy2023-24", "foi_response_arrests.xlsx"),
    ("hampshire-fy2023-24", "arrests_by_month.csv"),
    ("essex-fy2023-24", "arrests_nationality_sex.xlsx"),
    ("humberside-fy2023-24", "arrests_by_section.xlsx"),
]
# What a file cannot say: filled from the real manifest.
PLACEHOLDER_KEYS = ("return_id", "force", "reference", "received", "data_origin")
CELL_COLUMNS = [
    "source_row",
    "source_column",
    "month",
    "offence_raw",
    "nationality_raw",
    "sex_raw",
    "count_raw",
]


def _cells(folder):
    cells = parse_return(folder).cells.select(CELL_COLUMNS)
    keys = [(name, "ascending") for name in CELL_COLUMNS]
    return cells.take(pc.sort_indices(cells, sort_keys=keys)).to_pylist()


@pytest.mark.parametrize(("folder", "file"), SHAPES)
def test_the_suggestion_reads_the_same_cells_as_the_real_manifest(tmp_path, folder, file):
    real = SAMPLE_LANDING / folder
    suggested = tmp_path / folder
    shutil.copytree(real, suggested)
    document = suggest_manifest(real / file).document
    truth = yaml.safe_load((real / "manifest.yml").read_text())
    assert document["period"] == truth["period"]  # guessed from the months seen
    document |= {key: truth[key] for key in PLACEHOLDER_KEYS}
    (suggested / "manifest.yml").write_text(yaml.safe_dump(document, allow_unicode=True))
    expected = _cells(real)
    assert len(expected) > 100
    assert _cells(suggested) == expected


def test_each_guess_is_given_with_its_evidence():
    suggestion = suggest_manifest(SAMPLE_LANDING / "hampshire-fy2023-24" / "arrests_by_month.csv")
    reasons = "\n".join(suggestion.reasons)
    assert "header row 3: row 3 is the first row of labels above a row of counts" in reasons
    assert "headers are months in '%b-%y' ('Apr-23'..'Mar-24'): wide by month" in reasons
    assert "column B 'Nationality': nationality (" in reasons
    assert "suppression markers seen in count cells: '*'" in reasons
    assert "column(s) ['Total'] are labelled Total: totals.columns" in reasons
    (spec,) = suggestion.document["files"]
    assert spec["totals"] == {"columns": ["Total"]}
    assert spec["layout"] == "wide" and spec["wide_by"] == "month"


def test_a_month_over_year_and_month_name_columns_is_assembled(tmp_path):
    path = tmp_path / "retyped.csv"
    path.write_text(
        "Year,Month,Offence,Nationality,Arrests\n"
        "2024,January,Robbery,British,12\n"
        "2024,February,Robbery,Polish,<5\n"
        "2024,February,Theft offences,British,1,234\n".replace("1,234", '"1,234"')
    )
    suggestion = suggest_manifest(path)
    (spec,) = suggestion.document["files"]
    assert spec["columns"] == {
        "month": ["Year", "Month"],
        "offence": "Offence",
        "nationality": "Nationality",
        "count": "Arrests",
    }
    assert spec["month_format"] == "%Y %B" and spec["thousands_separator"] == ","
    assert spec["suppression"]["markers"] == ["<5"]
    assert suggestion.document["period"] == {"start": "2024-01", "end": "2024-02"}


def test_the_written_manifest_loads_and_marks_its_placeholders(tmp_path, capsys):
    out = tmp_path / "manifest.yml"
    source = SAMPLE_LANDING / "gwent-fy2023-24" / "arrests_by_nationality.csv"
    assert cli_main(["manifest", "suggest", str(source), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "guess: arrests_by_nationality.csv: column D 'Arrests': count" in err
    text = out.read_text()
    assert "return_id: fill-in-return-id  # FILL IN:" in text
    assert "force: FILL IN  # FILL IN:" in text
    assert load_manifest(out).files[0].columns.count == "Arrests"
    # Never over an existing file (a real manifest, say).
    assert cli_main(["manifest", "suggest", str(source), "--out", str(out)]) == 1
    assert "exists; not overwritten" in capsys.readouterr().err


def test_without_out_it_prints_and_writes_nothing(tmp_path, capsys):
    folder = tmp_path / "return"
    shutil.copytree(SAMPLE_LANDING / "gwent-fy2023-24", folder)
    before = sorted(p.name for p in folder.iterdir())
    assert cli_main(["manifest", "suggest", str(folder / "arrests_by_nationality.csv")]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["files"][0]["layout"] == "long"
    assert sorted(p.name for p in folder.iterdir()) == before


def test_every_sheet_of_a_workbook_is_suggested_unless_one_is_named():
    path = SAMPLE_LANDING / "avon-and-somerset-fy2023-24" / "arrests_by_offence.ods"
    truth = load_manifest(SAMPLE_LANDING / "avon-and-somerset-fy2023-24" / "manifest.yml")
    every = suggest_manifest(path).document["files"]
    assert [f["sheet"] for f in every] == [s.sheet for s in truth.files]
    (one,) = suggest_manifest(path, sheet="Theft offences").document["files"]
    assert one["sheet"] == "Theft offences"
    # No column or header names the offence: a placeholder to fill in (the sheet's name).
    assert one["columns"]["offence_value"] == "FILL IN"
