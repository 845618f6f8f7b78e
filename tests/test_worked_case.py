"""The worked case (issue 13): a SYNTHETIC think tank's FOI answers from 22 forces for
2024-01..2024-10 (tests/data/worked_case, see its README), refreshed once, and the article's
claims asked of `warehouse figure` and of `open_warehouse(path)`.

Every expected figure is computed here from the generator's truth table (truth.csv), the
manifests' declared months, the offence taxonomy's flags and the population seed, by the plain
Python of tests/figure_expected.py; none of orchestration/ is used to compute an expectation.
Counts must match exactly; rates, shares and intervals to 1e-9; every coverage key too.
"""

from __future__ import annotations

import csv
import filecmp
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from orchestration.lib.figures import open_warehouse
from tests.conftest import REPO, refresh
from tests.figure_expected import (
    FORCES,
    RATIO_KEYS,
    REQUIRED_KEYS,
    SEEDS,
    areas,
    differences,
    expected_figures,
)

WAREHOUSE = str(Path(sys.executable).parent / "warehouse")
CASE = REPO / "tests" / "data" / "worked_case"
BY_NAME = {r["force_name"]: code for code, r in FORCES.items()}
with (SEEDS / "ref_offence_taxonomy.csv").open(newline="") as _fh:
    TAXONOMY = {r["offence_code"]: r for r in csv.DictReader(_fh)}


@dataclass(frozen=True)
class TruthCell:
    """One row of truth.csv: a count cell as the generator wrote it."""

    return_id: str
    source_file: str
    sheet: str | None
    source_row: int
    source_column: str
    force: str  # ONS code
    month: str
    code: str | None
    group: str
    nationality_group: str
    true_count: int
    lower: int
    upper: int
    suppressed: bool

    def flag(self, name: str) -> bool:
        return self.code is not None and TAXONOMY[self.code][name] == "true"

    @property
    def category(self) -> str | None:
        return TAXONOMY[self.code]["offence_category"] if self.code else None

    @property
    def place(self) -> tuple[str, str, str | None, int, str]:
        return (self.return_id, self.source_file, self.sheet, self.source_row, self.source_column)


def _read_truth() -> tuple[list[dict[str, str]], list[TruthCell]]:
    with (CASE / "truth.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = []
    for r in rows:
        code = r["offence_code"] or None
        suppressed = r["suppression_lower"] != ""
        count = int(r["true_count"])
        lower, upper = (
            (int(r["suppression_lower"]), int(r["suppression_upper"]))
            if suppressed
            else (count, count)
        )
        cells.append(
            TruthCell(
                r["return_id"], r["source_file"], r["sheet"] or None, int(r["source_row"]),
                r["source_column"], BY_NAME[r["force_name"]], r["month"], code,
                TAXONOMY[code]["offence_group"] if code else r["offence_group"],
                r["nationality_group"], count, lower, upper, suppressed,
            )
        )  # fmt: skip
    return rows, cells


CALENDAR = [f"{year}-{month:02d}" for year in range(2020, 2030) for month in range(1, 13)]


def months_between(first: str, last: str) -> list[str]:
    return [m for m in CALENDAR if first <= m <= last]


def _read_manifests() -> tuple[list[dict], dict[str, list[str]]]:
    manifests = [yaml.safe_load(p.read_text()) for p in sorted(CASE.glob("*/manifest.yml"))]
    declared: dict[str, list[str]] = {}
    for m in manifests:
        force = BY_NAME.get(m["force"], m["force"])
        declared.setdefault(force, []).extend(
            months_between(m["period"]["start"], m["period"]["end"])
        )
    return manifests, declared


TRUTH_ROWS, CELLS = _read_truth()
MANIFESTS, DECLARED = _read_manifests()

# What each flag counts, from the taxonomy's flags (README, "Asking for a figure").
FLAG_RULES: dict[str, Callable[[TruthCell], bool]] = {
    "child_sexual": lambda c: (
        (c.flag("is_sexual_offence") and c.flag("is_child_victim"))
        or c.flag("is_indecent_images_of_children")
    ),
    "under_13": lambda c: c.flag("is_victim_under_13"),
    "indecent_images": lambda c: c.flag("is_indecent_images_of_children"),
    "prostitution": lambda c: c.flag("is_prostitution_related"),
}
GROUPS = {r["offence_group"] for r in TAXONOMY.values()}
CATEGORIES = {r["offence_category"] for r in TAXONOMY.values()}


def selection(offence: str | None) -> tuple[Callable[[TruthCell], bool], str]:
    """Which cells an offence counts, and which forces stand behind it (expected_figures)."""
    if offence is None:
        return (lambda c: True), "all"
    if offence in FLAG_RULES:
        return FLAG_RULES[offence], "detailed"
    if offence in GROUPS:
        return (lambda c: c.group == offence), "group"
    if offence in CATEGORIES:
        return (lambda c: c.category == offence), "detailed"
    # a Home Office class (86) takes in the codes the taxonomy files under it (86/2, 86/10, ...)
    return (
        lambda c: (
            c.code == offence or (c.code is not None and TAXONOMY[c.code]["parent_code"] == offence)
        )
    ), "detailed"


def period_months(period: str) -> list[str]:
    if ".." in period:
        return months_between(*period.split(".."))
    if re.fullmatch(r"\d{4}-\d{2}", period) and int(period[5:]) > 12:  # a financial year
        start = int(period[:4])
        return months_between(f"{start}-04", f"{start + 1}-03")
    if re.fullmatch(r"\d{4}", period):
        return months_between(f"{period}-01", f"{period}-12")
    return [period]


@dataclass(frozen=True)
class Claim:
    """A figure as the article asks for it."""

    period: str
    offence: str | None = None
    by: str | None = None
    force: tuple[str, ...] = ()
    nationality: str = "split"
    ratio: bool = False

    @property
    def level(self) -> str:
        return "force" if self.force else self.by or "national"

    @property
    def groups(self) -> tuple[str, ...]:
        if self.nationality == "split":
            return ("all", "british", "non_british", "unknown")
        return (self.nationality,)

    @property
    def force_codes(self) -> list[str]:
        return [BY_NAME.get(f, f) for f in self.force]

    def __str__(self) -> str:
        area = "+".join(self.force) if self.force else self.level
        return f"{self.period} {self.offence or 'all'} {area} {self.nationality}" + (
            " ratio" if self.ratio else ""
        )

    def kwargs(self) -> dict[str, Any]:
        return dict(period=self.period, offence=self.offence, by=self.by,
                    force=list(self.force) or None, nationality=self.nationality,
                    ratio=self.ratio)  # fmt: skip

    def argv(self) -> list[str]:
        args = ["--period", self.period, "--nationality", self.nationality]
        if self.offence:
            args += ["--offence", self.offence]
        if self.force:
            args += ["--force", ",".join(self.force)]
        elif self.by:
            args += ["--by", self.by]
        return args + (["--ratio"] if self.ratio else [])


TEN_MONTHS = "2024-01..2024-10"
CLAIMS = [
    # "arrests of non-British nationals for child sexual offences, force by force"
    Claim(TEN_MONTHS, "child_sexual", by="force", nationality="non_british"),
    Claim(TEN_MONTHS, "child_sexual", by="national", ratio=True),
    Claim(TEN_MONTHS, "child_sexual", by="region", ratio=True),
    Claim(TEN_MONTHS, "under_13", by="national"),
    Claim(TEN_MONTHS, "under_13", by="region", nationality="non_british"),
    Claim(TEN_MONTHS, "indecent_images", by="national", ratio=True),
    Claim(TEN_MONTHS, "indecent_images", by="force"),
    Claim(TEN_MONTHS, "prostitution", by="national"),
    Claim(TEN_MONTHS, "prostitution", by="force", nationality="non_british"),
    Claim(TEN_MONTHS, "Sexual offences", by="region", ratio=True),
    Claim(TEN_MONTHS, None, by="national"),
    Claim(TEN_MONTHS, "Rape", by="region"),
    Claim(TEN_MONTHS, "86/10", by="national"),
    Claim(TEN_MONTHS, "86", by="national"),
    # named forces: Kent (two returns), Cleveland by code, Avon and Somerset (offence groups
    # only) and the City of London Police (no return)
    Claim(TEN_MONTHS, "child_sexual",
          force=("Kent Police", "E23000013", "Avon and Somerset Constabulary",
                 "City of London Police")),
    Claim("2024-01..2024-06", "child_sexual", by="region", nationality="non_british"),
    Claim("2024-25", "child_sexual", by="region"),
    Claim("2024", "under_13", by="national", ratio=True),
    Claim("2024-08", "Sexual offences", by="region"),
]  # fmt: skip


@cache
def expected(claim: Claim) -> dict[tuple[str, str], dict[str, Any]]:
    counts, behind_by = selection(claim.offence)
    rows = expected_figures(
        CELLS, DECLARED, period_months(claim.period), counts, behind_by, claim.level,
        claim.force_codes,
    )  # fmt: skip
    out = {}
    for (area, group), row in rows.items():
        if group not in claim.groups:
            continue
        row = row | {"period": claim.period}
        if claim.ratio:
            row |= {k: rows[(area, "non_british")][k] for k in RATIO_KEYS}
        out[(area, group)] = row
    return out


def truth_behind(claim: Claim, row: dict[str, Any]) -> list[TruthCell]:
    """The truth table's cells behind a figure row: its period, offence and nationality group, of
    the forces the row says stand behind it (the area's forces less `forces_missing`)."""
    counts, _ = selection(claim.offence)
    members = areas(claim.level, claim.force_codes)[row["area_code"]]
    missing = set(row["forces_missing"])
    reporting = {f for f in members if FORCES[f]["force_name"] not in missing}
    months = period_months(claim.period)
    return [
        c
        for c in CELLS
        if c.force in reporting
        and c.month in months
        and counts(c)
        and row["nationality_group"] in ("all", c.nationality_group)
    ]


def keyed(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["area_code"], r["nationality_group"]): r for r in rows}


def problems_of(claim: Claim, got: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    want = expected(claim)
    if got.keys() != want.keys():
        return [f"{claim}: rows {sorted(got)} expected {sorted(want)}"]
    problems = []
    for key, row in want.items():
        problems += differences(row, got[key], {k: k for k in REQUIRED_KEYS}, key)
    return problems


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> Path:
    """The SYNTHETIC worked case refreshed once; returns the published file."""
    root = tmp_path_factory.mktemp("worked_case")
    landing = root / "landing"
    ignore = shutil.ignore_patterns("*.py", "*.md", "truth.csv", "__pycache__")
    shutil.copytree(CASE, landing, ignore=ignore)
    published = root / "warehouse" / "warehouse.duckdb"
    outcome = refresh(landing, published)
    assert outcome.published, outcome.problems
    return published


# --- the case itself ------------------------------------------------------------------------


def test_case_regenerates_byte_identical(tmp_path):
    subprocess.run(
        [sys.executable, str(CASE / "make_case.py"), str(tmp_path)], check=True, timeout=120
    )
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    checked_in = sorted(
        p.relative_to(CASE)
        for p in CASE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".md", ".pyc")
    )
    assert written == checked_in
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, CASE, [str(p) for p in written], False)
    assert not mismatch and not errors


def test_case_is_synthetic_and_shaped_like_the_story():
    assert len(MANIFESTS) == 23 and len(DECLARED) == 22
    for m in MANIFESTS:
        assert m["data_origin"] == "synthetic" and "SYNTHETIC" in m["notes"]
    assert "SYNTHETIC" in (CASE / "README.md").read_text()
    by_region: dict[str, set[str]] = {}
    for code in DECLARED:
        by_region.setdefault(FORCES[code]["region_name"], set()).add(code)
    complete = {
        region
        for region, forces in by_region.items()
        if forces == {c for c, f in FORCES.items() if f["region_name"] == region}
    }
    assert complete == {"Wales", "North East"} and len(by_region) == 10
    in_period = {f: len(set(ms) & set(period_months(TEN_MONTHS))) for f, ms in DECLARED.items()}
    assert sorted(set(in_period.values())) == [6, 7, 10]
    layouts = {
        (f["layout"], f.get("wide_by"), f["path"][-4:]) for m in MANIFESTS for f in m["files"]
    }
    assert ("wide", "month", "xlsx") in layouts and ("wide", "nationality", "xlsx") in layouts
    assert len({(m["files"][0]["suppression"]["markers"][0]) for m in MANIFESTS}) >= 5


def test_manifests_use_only_keys_the_readme_documents():
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Adding a force's return") :]
    section = section[: section.index("\n## ", 10)]

    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        if isinstance(node, list):
            return {k for v in node for k in keys(v)}
        return set()

    # `notes:` (where each manifest says SYNTHETIC) is the one top-level key the section's
    # examples leave out; every key of how a file is read is there.
    used = set().union(*(keys(m) for m in MANIFESTS)) - {"notes"}
    undocumented = sorted(k for k in used if not re.search(rf"\b{re.escape(k)}:", section))
    assert len(used) > 20 and not undocumented


def test_truth_table_is_consistent():
    assert {r["shown"] for r in TRUTH_ROWS if r["suppression_lower"]} == {
        "*", "<5", "<3", "x", "[c]", "<10",
    }  # fmt: skip
    for r, c in zip(TRUTH_ROWS, CELLS, strict=True):
        if c.suppressed:
            assert c.lower <= c.true_count <= c.upper, r
        else:
            assert r["shown"] in (str(c.true_count), "-" if c.true_count == 0 else None), r
        if c.code is not None:  # the generator's group is the taxonomy's
            assert r["offence_group"] == c.group, r
    assert (
        any(c.code == "86" for c in CELLS) and not TAXONOMY["86"]["is_indecent_images_of_children"]
    )
    nationalities = {
        r["nationality_as_written"] for r in TRUTH_ROWS if r["nationality_group"] == "unknown"
    }
    assert {"Not stated", "Not recorded", "Unknown", "N/K", "Refused"} <= nationalities


def test_every_cell_of_the_truth_table_is_a_source_cell(case):
    wh = open_warehouse(case)
    with wh.connect() as con:
        rows = con.execute(
            "select return_id, source_file, sheet, source_row, source_column, offence_code, "
            "nationality_group, arrests_lower, arrests_upper from marts.source_cells"
        ).fetchall()
    got = {tuple(r[:5]): tuple(r[5:]) for r in rows}
    want = {c.place: (c.code, c.nationality_group, c.lower, c.upper) for c in CELLS}
    assert len(got) == len(rows) == len(want)
    wrong = [
        (place, want[place], got.get(place)) for place in want if got.get(place) != want[place]
    ]
    assert not wrong, wrong[:10]


# --- the article's claims -------------------------------------------------------------------


@cache
def figure_rows(path: Path, claim: Claim) -> list[dict[str, Any]]:
    """`figure_rows` of a claim, asked once per test run."""
    return open_warehouse(path).figure_rows(**claim.kwargs())


@pytest.mark.parametrize("claim", CLAIMS, ids=str)
def test_claim_from_python_equals_the_truth_table(case, claim):
    assert any(r["arrests_upper"] for r in expected(claim).values())
    problems = problems_of(claim, keyed(figure_rows(case, claim)))
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("offence", ["child_sexual", "Sexual offences", None])
def test_a_declared_month_without_rows_is_zero_arrests_not_missing(case, offence):
    # Gwent declares August 2024 without rows; its return names offences in other months, so it
    # stands behind every figure of that month, with zero arrests
    claim = Claim("2024-08", offence, force=("Gwent Police",))
    want = expected(claim)
    assert {r["arrests"] for r in want.values()} == {0}
    assert {r["forces_reporting"] for r in want.values()} == {1}
    problems = problems_of(claim, keyed(figure_rows(case, claim)))
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("claim", CLAIMS, ids=str)
def test_claim_from_the_command_equals_the_truth_table(case, claim):
    result = subprocess.run(
        [WAREHOUSE, "figure", *claim.argv(), "--format", "json", "--warehouse", str(case)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    problems = problems_of(claim, keyed(json.loads(result.stdout)))
    assert not problems, "\n".join(problems[:40])


def test_headline_claim_as_a_dataframe(case):
    claim = CLAIMS[0]
    frame = open_warehouse(case).figure(**claim.kwargs())
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    assert len(rows) == 43
    problems = problems_of(claim, keyed(rows))
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("claim", CLAIMS, ids=str)
def test_the_true_count_lies_within_the_bounds(case, claim):
    checked = 0
    for row in figure_rows(case, claim):
        if not row["forces_reporting"]:
            assert row["arrests_lower"] is None and row["arrests_upper"] is None
            continue
        truth = sum(c.true_count for c in truth_behind(claim, row))
        assert row["arrests_lower"] <= truth <= row["arrests_upper"], (row["area_name"], truth)
        if row["arrests"] is not None:
            assert row["arrests"] == truth
        checked += 1
    assert checked


# --- a period is the sum of its months, across the financial-year boundary -----------------


@cache
def _figures(path: Path, period: str, offence: str | None, level: str) -> dict[tuple, dict]:
    return keyed(open_warehouse(path).figure_rows(period, offence, by=level, nationality="split"))


@pytest.mark.parametrize(
    ("offence", "level"),
    [("child_sexual", "national"), ("child_sexual", "region"), ("child_sexual", "force"),
     ("prostitution", "force"), ("Sexual offences", "region"), (None, "national")],
)  # fmt: skip
def test_ten_months_are_the_sum_of_their_months_and_of_two_financial_years(case, offence, level):
    whole = _figures(case, TEN_MONTHS, offence, level)
    monthly = [_figures(case, m, offence, level) for m in period_months(TEN_MONTHS)]
    halves = [_figures(case, p, offence, level) for p in ("2024-01..2024-03", "2024-04..2024-10")]
    assert any(r["arrests_upper"] for r in whole.values())
    for key, row in whole.items():
        for parts in (monthly, halves):
            rows = [p[key] for p in parts if p[key]["forces_reporting"]]
            for column in ("arrests_lower", "arrests_upper", "source_cells", "suppressed_cells"):
                assert (row[column] or 0) == sum(r[column] for r in rows), (key, column)
            if row["arrests"] is not None:
                assert row["arrests"] == sum(r["arrests"] for r in rows), key
            # the forces behind the whole are those behind any of its parts
            missing = [set(p[key]["forces_missing"]) for p in parts]
            assert set(row["forces_missing"]) == set.intersection(*missing), key


# --- --cells lists exactly the truth rows behind a figure -----------------------------------


def behind_cells(claim: Claim, row: dict[str, Any]) -> list[tuple]:
    return sorted(c.place for c in truth_behind(claim, row))


def _place(cell: dict[str, Any]) -> tuple:
    return (cell["return_id"], cell["source_file"], cell["sheet"], cell["source_row"],
            cell["source_column"])  # fmt: skip


@pytest.mark.parametrize(
    "claim", [CLAIMS[0], CLAIMS[2], CLAIMS[7], CLAIMS[13], CLAIMS[14]], ids=str
)
def test_cells_are_exactly_the_truth_rows_behind_the_figure(case, claim):
    kwargs = {k: v for k, v in claim.kwargs().items() if k != "ratio"}
    cells = open_warehouse(case).cell_rows(**kwargs)
    checked = 0
    for row in figure_rows(case, claim):
        mine = sorted(
            _place(c)
            for c in cells
            if c["area_code"] == row["area_code"]
            and row["nationality_group"] in ("all", c["nationality_group"])
        )
        assert mine == behind_cells(claim, row), row["area_name"]
        assert len(mine) == (row["source_cells"] or 0)
        checked += len(mine)
    assert checked


def test_cells_from_the_command(case):
    claim = Claim(TEN_MONTHS, "indecent_images", force=("Metropolitan Police Service",),
                  nationality="non_british")  # fmt: skip
    result = subprocess.run(
        [WAREHOUSE, "figure", *claim.argv(), "--cells", "--format", "json", "--warehouse",
         str(case)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    places = sorted(_place(c) for c in json.loads(result.stdout))
    (row,) = figure_rows(case, claim)
    assert places == behind_cells(claim, row) and len(places) == row["source_cells"] > 0
    assert {p[2] for p in places} == {"Sexual offences"}  # the sheet of the XLSX it came from
