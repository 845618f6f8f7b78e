"""Every sample layout parses to the counts the generator drew, cell by cell: the committed sample
returns against the generator's truth table, and the same counts written in every layout."""

from __future__ import annotations

import csv
import functools
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from orchestration.lib.sources.force_returns.manifest import ManifestError, load_manifest
from orchestration.lib.sources.force_returns.parse import parse_return
from orchestration.lib.sources.force_returns.readers import ReadError
from tests.conftest import REPO, SAMPLE_LANDING

sys.path.insert(0, str(REPO / "scripts"))
import generate_sample_returns as generator  # noqa: E402

TRUTH = REPO / "tests" / "data" / "sample_truth.csv"
# The seven returns committed first; they must stay byte-identical (their truth never changes).
FIRST_RETURNS = [
    "cleveland-fy2023-24",
    "durham-fy2023-24",
    "dyfed-powys-fy2023-24",
    "gwent-fy2023-24",
    "north-wales-fy2023-24",
    "northumbria-fy2023-24",
    "south-wales-fy2023-24",
]
UNSPLIT_LAYOUTS = [
    "csv_long",
    "xlsx_wide",
    "csv_long_detail",
    "csv_wide_month",
    "csv_wide_offence",
    "ods_sheet_per_group",
]
Key = tuple[str, str, str, str | None, str | None]  # month, offence, nationality, sex, age band


@functools.cache
def truth_by_return() -> dict[str, dict[Key, int]]:
    """The generator's truth table: return id -> (month, offence, nationality, sex, age) -> count."""
    by_return: dict[str, dict] = defaultdict(dict)
    with TRUTH.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = (
                row["month"],
                row["offence_raw"],
                row["nationality_raw"],
                row["sex_raw"] or None,
                row["age_band_raw"] or None,
            )
            by_return[row["return_id"]][key] = int(row["arrests"])
    return by_return


def parsed_values(folder: Path) -> dict[Key, int | str]:
    """Parsed cells as key -> count, with each file's suppression markers as 'suppressed' and its
    nil markers as 0 (what the manifest says they mean)."""
    parsed = parse_return(folder)
    markers = {}
    for spec in parsed.manifest.files:
        markers[(spec.source_name, spec.sheet)] = (
            set(spec.suppression.markers),
            set(spec.nil_markers),
        )
    values: dict[Key, int | str] = {}
    for c in parsed.cells.to_pylist():
        key = (c["month"], c["offence_raw"], c["nationality_raw"], c["sex_raw"], c["age_band_raw"])
        assert key not in values, f"{folder.name}: {key} parsed twice"
        suppression, nil = (
            markers.get((c["source_file"], c["sheet"])) or markers[(c["source_file"], None)]
        )
        raw = c["count_raw"]
        values[key] = "suppressed" if raw in suppression else 0 if raw in nil else int(raw)
    return values


def assert_matches_truth(parsed: dict, truth: dict) -> None:
    assert set(parsed) == set(truth)
    for key, true_count in truth.items():
        if parsed[key] == "suppressed":
            assert 1 <= true_count <= 4, key  # suppression hides only counts 1..4
        else:
            assert parsed[key] == true_count, key


def test_sample_has_a_return_for_every_force_but_one_in_eleven_layouts():
    forces = {
        r["force_code"]
        for r in csv.DictReader((REPO / "dbt_project/seeds/reference/ref_forces.csv").open())
    }
    manifests = [load_manifest(p) for p in sorted(SAMPLE_LANDING.glob("*/manifest.yml"))]
    with TRUTH.open(encoding="utf-8") as fh:
        truth_forces = {r["force_code"] for r in csv.DictReader(fh)}
    assert len(manifests) == 43
    assert forces - truth_forces == {"E23000034"}  # City of London Police made no return
    assert all(m.data_origin == "synthetic" and "SYNTHETIC" in (m.notes or "") for m in manifests)
    suffixes = {spec.local_name.rsplit(".", 1)[1] for m in manifests for spec in m.files}
    assert suffixes == {"csv", "xlsx", "ods"}
    layouts = {
        (spec.layout, tuple(spec.wide_by), spec.local_name) for m in manifests for spec in m.files
    }
    assert len({name for *_, name in layouts}) == 11
    specs = [spec for m in manifests for spec in m.files]
    # The shapes returns really come in: section rows, several tables on a sheet, a month over
    # two columns, record level, page-break lines with footnote marks, thousands separators.
    assert any(spec.sections for spec in specs)
    assert any(spec.table is not None for spec in specs)
    assert any(len(spec.columns.names("month")) == 2 for spec in specs)
    assert any(spec.layout == "records" for spec in specs)
    assert any(spec.skip_lines_matching and spec.footnote_marks for spec in specs)
    assert any(spec.thousands_separator for spec in specs)
    assert {wide_by for _, wide_by, _ in layouts} >= {
        ("nationality",),
        ("month",),
        ("offence",),
        ("nationality", "sex"),
    }
    assert any(m.supersedes for m in manifests)
    assert any((m.period.start, m.period.end) != ("2023-04", "2024-03") for m in manifests)


@pytest.mark.parametrize("folder", sorted(p.name for p in SAMPLE_LANDING.iterdir() if p.is_dir()))
def test_every_sample_return_parses_to_generator_truth(folder):
    manifest = load_manifest(SAMPLE_LANDING / folder / "manifest.yml")
    assert_matches_truth(
        parsed_values(SAMPLE_LANDING / folder), truth_by_return()[manifest.return_id]
    )


def test_regeneration_writes_the_committed_sample_byte_for_byte(tmp_path):
    """The generator, run afresh, writes every committed return (the first seven included, which
    must never change) and the truth table byte for byte: the sample is what the script says.
    Run as a fresh process, as a user would: odfpy keeps counters across documents in a process,
    so other tests' writes would otherwise change the bytes of the ODS files."""
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "generate_sample_returns.py"),
            "--landing",
            str(tmp_path / "landing"),
            "--truth",
            str(tmp_path / "truth.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    committed = sorted(
        p.relative_to(SAMPLE_LANDING) for p in SAMPLE_LANDING.rglob("*") if p.is_file()
    )
    generated = sorted(
        p.relative_to(tmp_path / "landing")
        for p in (tmp_path / "landing").rglob("*")
        if p.is_file()
    )
    assert committed == generated
    assert {p.parts[0] for p in committed} >= set(FIRST_RETURNS)
    for rel in committed:
        assert (tmp_path / "landing" / rel).read_bytes() == (SAMPLE_LANDING / rel).read_bytes(), rel
    assert (tmp_path / "truth.csv").read_bytes() == TRUTH.read_bytes()


def _write_return(folder: Path, layout: str, cells: list) -> Path:
    folder.mkdir(parents=True)
    files = generator.write_layout(layout, folder, cells)
    months = sorted({c.month for c in cells})
    manifest = {
        "return_id": f"sample-{layout.replace('_', '-')}",
        "force": "E23000008",
        "reference": "TEST",
        "received": "2024-05-15",
        "period": {"start": months[0], "end": months[-1]},
        "data_origin": "synthetic",
        "files": files,
    }
    (folder / "manifest.yml").write_text(
        yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8"
    )
    return folder


def test_same_counts_in_every_layout_parse_to_identical_rows(tmp_path):
    """Durham's truth written in each of six layouts (CSV long, XLSX wide, CSV long with offence
    detail, cp1252 CSV wide by month, UTF-16 CSV wide by offence, ODS one sheet per offence group)
    parses to identical canonical rows, each equal to the truth. (The XLSX-wide layout shows small
    counts instead of suppressing them, so it equals the others wherever they give a number.)"""
    truth = truth_by_return()["durham-fy2023-24"]
    cells = [generator.Cell(m, o, n, count) for (m, o, n, _, _), count in truth.items()]
    parsed = {
        layout: parsed_values(_write_return(tmp_path / layout, layout, cells))
        for layout in UNSPLIT_LAYOUTS
    }
    for layout in UNSPLIT_LAYOUTS:
        assert_matches_truth(parsed[layout], truth)
        if layout == "xlsx_wide":
            assert parsed[layout] == truth
            shown = {k: v for k, v in parsed["csv_long"].items() if v != "suppressed"}
            assert {k: parsed[layout][k] for k in shown} == shown
        else:
            assert parsed[layout] == parsed["csv_long"], layout


def test_counts_split_by_sex_parse_identically_from_merged_header_and_long_csv(tmp_path):
    """Essex's truth (nationality × sex) as an XLSX with a two-row merged header and as a long CSV
    with a sex column: identical canonical rows, equal to the truth."""
    truth = truth_by_return()["essex-fy2023-24"]
    assert {key[3] for key in truth} == {"Male", "Female"}
    cells = [generator.Cell(m, o, n, count, sex) for (m, o, n, sex, _), count in truth.items()]
    merged = parsed_values(_write_return(tmp_path / "merged", "xlsx_merged_sex", cells))
    long = parsed_values(_write_return(tmp_path / "long", "csv_long_detail", cells))
    assert_matches_truth(merged, truth)
    assert merged == long


def test_partial_and_superseded_returns_keep_their_own_months():
    kent = load_manifest(SAMPLE_LANDING / "kent-fy2023-24" / "manifest.yml")
    correction = load_manifest(SAMPLE_LANDING / "kent-fy2023-24-v2" / "manifest.yml")
    assert correction.supersedes == [kent.return_id]
    months = {k[0] for k in parsed_values(SAMPLE_LANDING / "kent-fy2023-24")}
    assert max(months) == kent.period.end == "2024-02"
    sussex = {k[0] for k in parsed_values(SAMPLE_LANDING / "sussex-fy2023-24")}
    assert sussex == {
        f"{y}-{m:02d}"
        for y, m in [(2023, 10), (2023, 11), (2023, 12), (2024, 1), (2024, 2), (2024, 3)]
    }


def test_lineage_points_at_the_cell_in_the_file():
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


def test_lineage_of_merged_header_and_wide_by_month_cells():
    """Row and column of an unpivoted cell locate it in the file: the merged-header XLSX (opened
    with openpyxl) and the cp1252 wide-by-month CSV (read with the csv module)."""
    import openpyxl
    from openpyxl.utils import column_index_from_string

    folder = SAMPLE_LANDING / "essex-fy2023-24"
    cells = parse_return(folder).cells.to_pylist()
    sheet = openpyxl.load_workbook(folder / "arrests_nationality_sex.xlsx")["Table 1"]
    for cell in cells[:: len(cells) // 25]:
        column = column_index_from_string(cell["source_column"])
        assert str(sheet.cell(cell["source_row"], column).value) == cell["count_raw"]
        nationality = sheet.cell(3, column).value or sheet.cell(3, column - 1).value
        assert (nationality, sheet.cell(4, column).value) == (
            cell["nationality_raw"],
            cell["sex_raw"],
        )

    folder = SAMPLE_LANDING / "merseyside-fy2023-24"
    cells = parse_return(folder).cells.to_pylist()
    with (folder / "arrests_by_month.csv").open(encoding="cp1252", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    for cell in cells[:: len(cells) // 25]:
        column = column_index_from_string(cell["source_column"]) - 1
        assert rows[cell["source_row"] - 1][column] == cell["count_raw"]
        assert rows[2][column] == cell["month_raw"] == cell["source_header"]


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
    assert (error.value.file, error.value.row, error.value.column) == (
        "arrests_by_nationality.csv",
        10,
        "D",
    )


# Each shape added for returns as forces send them, with the sample return whose truth it is
# written from: section rows, a re-typed PDF with page breaks, stacked tables, record level.
NEW_SHAPES = {
    "xlsx_sections": "humberside-fy2023-24",
    "csv_paged": "staffordshire-fy2023-24",
    "xlsx_stacked_tables": "surrey-fy2023-24",
    "csv_records": "west-midlands-fy2023-24",
}


@pytest.mark.parametrize("layout", sorted(NEW_SHAPES))
def test_each_new_shape_parses_to_the_cells_of_a_long_csv_of_the_same_truth(tmp_path, layout):
    """The shape and a long CSV written by the generator from the same truth rows parse to the
    same canonical cells (month, offence, nationality, sex, age band -> count), each equal to the
    truth. The long CSV suppresses counts of 1..4 as `<5`: where it does, the shape's count (or its
    own suppression) must lie in 1..4. A record-level shape has no cell for a zero."""
    truth = truth_by_return()[NEW_SHAPES[layout]]
    cells = [generator.Cell(m, o, n, c, sex, age) for (m, o, n, sex, age), c in truth.items()]
    shape = parsed_values(_write_return(tmp_path / layout, layout, cells))
    long = parsed_values(_write_return(tmp_path / "long", "csv_long_detail", cells))
    assert_matches_truth(shape, truth)
    assert_matches_truth(long, truth)
    if layout in generator.RECORD_LAYOUTS:
        long = {key: value for key, value in long.items() if value != 0}
    assert set(shape) == set(long)
    for key, value in long.items():
        if value == "suppressed":
            assert shape[key] == "suppressed" or 1 <= shape[key] <= 4, key
        else:
            assert shape[key] == value, key
    if layout not in generator.RECORD_LAYOUTS:
        assert shape == long  # both suppress 1..4 alike
