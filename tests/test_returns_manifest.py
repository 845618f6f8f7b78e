"""Manifest validation: every error names the manifest, the key and what was expected; the
manifests written before the format grew still load unchanged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from orchestration.lib.sources.force_returns.manifest import ManifestError, load_manifest
from tests.conftest import REPO, SAMPLE_LANDING

BASE = {
    "return_id": "test-return",
    "force": "E23000013",
    "reference": "TEST",
    "received": "2024-05-15",
    "period": {"start": "2023-04", "end": "2024-03"},
    "data_origin": "synthetic",
    "files": [
        {
            "path": "data.csv",
            "layout": "long",
            "columns": {"month": "Month", "offence": "Offence", "nationality": "Nat", "count": "N"},
        }
    ],
}


def _errors(tmp_path: Path, change) -> list[str]:
    document = yaml.safe_load(yaml.safe_dump(BASE))
    change(document)
    path = tmp_path / "manifest.yml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ManifestError) as error:
        load_manifest(path)
    assert str(error.value).startswith(f"{path}: ")
    return error.value.problems


def _file(document: dict) -> dict:
    return document["files"][0]


def test_unknown_key_lists_the_keys_expected(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: _file(d).update(header_line=3))
    assert problem.startswith("key files.0.header_line: unknown key; expected one of [")
    assert "'header_row'" in problem and "'header_rows'" in problem


def test_unknown_column_key_lists_the_dimensions(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: _file(d)["columns"].update(gender="Sex"))
    assert problem.startswith("key files.0.columns.gender: unknown key")
    assert "'sex'" in problem and "'age_band'" in problem


def test_missing_required_key(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: d.pop("period"))
    assert problem == "key period: required key is missing"


def test_bad_wide_by_names_the_allowed_dimensions(tmp_path):
    def change(d):
        _file(d).update(layout="wide", wide_by="gender")
        _file(d)["columns"] = {"month": "Month", "offence": "Offence"}

    problems = _errors(tmp_path, change)
    assert any(
        p.startswith("key files.0.wide_by.0:") and "'nationality'" in p and "'sex'" in p
        for p in problems
    )


def test_dimension_given_twice(tmp_path):
    def change(d):
        _file(d).update(layout="wide", wide_by="nationality")
        _file(d)["columns"].pop("count")

    (problem,) = _errors(tmp_path, change)
    assert (
        "key files.0: nationality is given more than once (columns.nationality, wide_by: nationality)"
        in problem
    )


def test_missing_dimension_says_how_to_give_it(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: _file(d)["columns"].pop("offence"))
    assert (
        "no offence: give columns.offence (a header), columns.offence_value (a fixed value)"
        in problem
    )


def test_nil_marker_cannot_also_be_a_suppression_marker(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: _file(d).update(nil_markers=["-", "*"]))
    assert "nil_markers and suppression.markers overlap on ['*']" in problem


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"header_row": 3, "header_rows": [3, 4]}, "give header_row or header_rows, not both"),
        ({"header_rows": [4, 3]}, "expected ascending row numbers from 1"),
        ({"header_row": 3, "last_row": 3}, "last_row 3 is not below the header"),
        ({"path": None}, "give path: (a file in the return folder) or url: (a file to download)"),
        ({"path": "../other/data.csv"}, "expected a file name inside the return folder"),
        (
            {"path": None, "url": "ftp://example.org/a.csv"},
            "expected an http:// or https:// address",
        ),
        ({"path": None, "url": "https://example.org/"}, "names no file; add path:"),
        (
            {"pull": {"max_bytes": 0}},
            "key files.0.pull.max_bytes: Input should be greater than or equal to 1",
        ),
    ],
)
def test_file_spec_errors(tmp_path, change, expected):
    problems = _errors(tmp_path, lambda d: _file(d).update(change))
    assert any(expected in p for p in problems), problems


def test_same_sheet_listed_twice(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: d["files"].append(dict(_file(d))))
    assert "file 'data.csv' is listed twice" in problem


def test_every_problem_is_listed(tmp_path):
    def change(d):
        d["period"]["start"] = "2023-13"
        d["data_origin"] = "made up"
        _file(d)["layout"] = "diagonal"

    keys = {p.split(":")[0] for p in _errors(tmp_path, change)}
    assert keys == {"key period.start", "key data_origin", "key files.0.layout"}


def test_manifests_committed_before_the_format_grew_load_unchanged():
    """The first seven manifests, as committed (git HEAD or the working tree), still load and mean
    what they meant: one header row, wide by nationality, Total rows skipped."""
    first = [
        "cleveland",
        "durham",
        "dyfed-powys",
        "gwent",
        "north-wales",
        "northumbria",
        "south-wales",
    ]
    for force in first:
        path = SAMPLE_LANDING / f"{force}-fy2023-24" / "manifest.yml"
        head = subprocess.run(
            ["git", "show", f"HEAD:data/landing/{force}-fy2023-24/manifest.yml"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if head.returncode == 0:
            assert head.stdout == path.read_text(encoding="utf-8")
        manifest = load_manifest(path)
        (spec,) = manifest.files
        if spec.layout == "wide":
            assert spec.header_lines == [3] and spec.wide_by == ["nationality"]
            assert spec.skip_rows_matching == {"Offence": "^Total$"}
        else:
            assert spec.header_lines == [1] and spec.columns.count == "Arrests"
        assert spec.nil_markers == [] and spec.url is None and spec.source_name == spec.path


def _listed_twice(tmp_path: Path, first: dict, second: dict) -> list[str]:
    def change(d):
        d["files"] = [_file(d) | first, _file(d) | second]

    return _errors(tmp_path, change)


@pytest.mark.parametrize(
    "first, second",
    [
        ({"path": "./data.csv"}, {"path": "data.csv"}),
        ({"path": "sub//data.csv"}, {"path": "sub/./data.csv"}),
        ({"path": "DATA.csv"}, {"path": "data.csv"}),
        ({"table": {"heading": "^Table 1"}}, {}),
        ({"table": {"heading": "^Table 1"}}, {"table": {"heading": "^Table 1"}}),
    ],
)
def test_a_file_sheet_or_table_listed_twice_under_another_spelling(tmp_path, first, second):
    (problem,) = _listed_twice(tmp_path, first, second)
    assert "is listed twice" in problem or "lists the same table twice" in problem, problem


def test_overlapping_table_rows_are_refused_and_distinct_tables_accepted(tmp_path):
    (problem,) = _listed_twice(
        tmp_path, {"table": {"rows": [3, 10]}}, {"table": {"rows": [10, 20]}}
    )
    assert "table rows overlap ([(3, 10), (10, 20)])" in problem
    document = yaml.safe_load(yaml.safe_dump(BASE))
    document["files"] = [
        _file(document) | {"table": {"rows": [3, 9]}},
        _file(document) | {"table": {"heading": "^Table 2"}},
    ]
    path = tmp_path / "ok.yml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    assert [f.table.key for f in load_manifest(path).files] == [
        ("rows", 3, 9),
        ("heading", "^Table 2"),
    ]


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"table": {"heading": "x", "rows": [1, 5]}}, "key files.0.table: give heading:"),
        ({"table": {"rows": [5, 2]}}, "expected rows: [first, last] with 1 <= first < last"),
        ({"table": {"rows": [1, 5], "until": "x"}}, "until: belongs to a table found by heading"),
        ({"table": {"heading": "("}}, "key files.0.table.heading: '(' is not a regular expression"),
        ({"skip_lines_matching": ["Page [0-9"]}, "key files.0.skip_lines_matching.0: 'Page [0-9'"),
        ({"footnote_marks": ""}, "key files.0.footnote_marks: String should have at least 1"),
        ({"thousands_separator": ";"}, "key files.0.thousands_separator: Input should be"),
        ({"month_format": "Month Year"}, "month_format 'Month Year' is neither a strptime format"),
        ({"layout": "records"}, "a records layout counts its rows (one per arrest)"),
        (
            {"sections": [{"dimension": "nationality", "column": "Offence"}]},
            "nationality is given more than once (columns.nationality, sections: nationality)",
        ),
        (
            {"sections": [{"dimension": "gender", "column": "Offence"}]},
            "key files.0.sections.0.dimension: Input should be",
        ),
    ],
)
def test_layout_key_errors_name_the_key(tmp_path, change, expected):
    problems = _errors(tmp_path, lambda d: _file(d).update(change))
    assert any(expected in p for p in problems), problems


def test_month_over_several_columns_needs_two_distinct_headers(tmp_path):
    (problem,) = _errors(tmp_path, lambda d: _file(d)["columns"].update(month=["Year"]))
    assert problem.startswith("key files.0.columns.month: expected two or more distinct headers")


def test_the_readme_examples_of_adding_a_return_validate():
    """Every example in the README's "Adding a force's return" is a manifest (or files: entry)
    that validates, so the documentation cannot drift from the keys."""
    from orchestration.lib.sources.force_returns.manifest import FileSpec, ReturnManifest, Totals

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a force's return", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in section.split("```yaml\n")[1:]]
    manifest, entries, totals = (yaml.safe_load(b) for b in blocks)
    assert {t.sums for t in Totals.model_validate(totals["totals"]).rows} == {"block", "table"}
    assert ReturnManifest.model_validate(manifest).files[0].layout == "long"
    specs = [FileSpec.model_validate(entry) for entry in entries]
    used = {key for spec in specs for key in spec.model_fields_set}
    assert used >= {"sections", "table", "skip_lines_matching", "footnote_marks"}
    assert used >= {"thousands_separator", "header_rows", "url", "nil_markers"}
    assert {spec.layout for spec in specs} == {"long", "wide", "records"}
