"""The manifest beside each Home Office dataset: what the table is and how to read it.

Two kinds, both read through this one model:

- `open_data_long`: the open data table, one row per financial year × force × gender × ethnic
  group × age group × offence group, with an Arrests column.
- `summary_table`: one sheet of the published summary tables (ODS): title rows above the header,
  one row per force with one column per offence group, region subtotal rows between the forces,
  `..` (not available) and `-` (nil) in place of numbers, footnote digits stuck to names
  (`Lancashire1`), notes under the table.

Validation errors name the manifest file and the key (ManifestError, shared with force returns).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from orchestration.lib.sources.force_returns.manifest import ManifestError

MANIFEST_NAME = "manifest.yml"
# Trailing footnote digits stuck to a name: `Lancashire1` -> `Lancashire`, `Gwent2,3` -> `Gwent`.
# Digits count as a footnote only when they follow a letter or a closing bracket.
DEFAULT_FOOTNOTE_PATTERN = r"^(.*[A-Za-z)])\d+(?:,\d+)*$"
_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


def financial_year_period(text: str | None) -> str | None:
    """A financial year as the Home Office writes it ('2023/24', '2023-24', '2023/2024') as the
    warehouse's period '2023-24'; None when the text is not a financial year."""
    match = _FINANCIAL_YEAR.match(text or "")
    if not match:
        return None
    start, end = int(match.group(1)), match.group(2)
    expected = start + 1 if len(end) == 4 else (start + 1) % 100
    if int(end) != expected:
        return None
    return f"{start}-{(start + 1) % 100:02d}"


def _check_regex(value: str, what: str, groups: int | None = None) -> str:
    """A pattern must compile in Python and in Arrow (RE2), which applies it column-wide."""
    try:
        compiled = re.compile(value)
        pc.match_substring_regex(pa.array([""], pa.string()), value)
    except (re.error, pa.ArrowInvalid) as exc:
        raise ValueError(f"{what} {value!r} is not a regular expression: {exc}") from exc
    if groups is not None and compiled.groups != groups:
        raise ValueError(
            f"{what} {value!r} must have exactly {groups} capture group(s), has {compiled.groups}"
        )
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Columns(_Strict):
    """Header names of the columns that hold each field (all optional; the kind says which it needs)."""

    financial_year: str | None = None
    geocode: str | None = None
    force_name: str | None = None
    region: str | None = None
    offence_group: str | None = None
    arrests: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    age_group: str | None = None

    def mapped(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Markers(_Strict):
    """What the table writes instead of a number: not available (kept as null and flagged) and nil
    (a true zero)."""

    not_available: list[str] = Field(default_factory=lambda: [".."])
    nil: list[str] = Field(default_factory=lambda: ["-"])

    @model_validator(mode="after")
    def _disjoint(self) -> Markers:
        both = set(self.not_available) & set(self.nil)
        if both:
            raise ValueError(f"marker(s) {sorted(both)} cannot mean both not available and nil")
        if "" in self.not_available or "" in self.nil:
            raise ValueError("an empty cell cannot be a marker (a blank cell gives no figure)")
        return self


class SkipRows(_Strict):
    """Rows that are not a force: region subtotals, national totals. Compared with the row's force
    name after footnote digits are stripped, ignoring case.

    A region can share its name with a force (West Midlands). The published tables put a region's
    subtotal row above its forces, so by default a listed name that occurs more than once is skipped
    only at its first occurrence (`repeated_names: first_is_subtotal`); `skip_all` skips every one.
    """

    names: list[str] = Field(default_factory=list)
    names_matching: str | None = None
    repeated_names: Literal["first_is_subtotal", "skip_all"] = "first_is_subtotal"

    @field_validator("names_matching")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value, "names_matching")


class HomeOfficeManifest(_Strict):
    """One Home Office dataset as published and how to read it."""

    dataset_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    kind: Literal["open_data_long", "summary_table"]
    title: str
    publisher: str = "Home Office"
    publication: str | None = None
    url: str | None = None
    data_origin: Literal["real", "synthetic"]
    notes: str | None = None

    file: str
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = Field(default=1, ge=1)
    columns: Columns
    # The financial year of every row when the table has no such column (a summary table's title
    # says it), as the Home Office writes it: 2023/24.
    financial_year_value: str | None = None
    # summary_table: header names of the offence group columns (footnote digits stripped) and of
    # the column giving the total over offence groups, if any.
    offence_columns: list[str] = Field(default_factory=list)
    total_column: str | None = None
    markers: Markers = Field(default_factory=Markers)
    skip_rows: SkipRows = Field(default_factory=SkipRows)
    # The table ends at the first blank row below the header: what follows is notes.
    notes_after_blank_row: bool = True
    # Regex with one group: a name matching it is replaced by the group (footnote digits removed).
    footnote_pattern: str = DEFAULT_FOOTNOTE_PATTERN

    @field_validator("file")
    @classmethod
    def _relative_inside(cls, value: str) -> str:
        path = Path(value)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"expected a file name inside the dataset folder, got {value!r}")
        return value

    @field_validator("financial_year_value")
    @classmethod
    def _is_financial_year(cls, value: str | None) -> str | None:
        if value is not None and financial_year_period(value) is None:
            raise ValueError(f"expected a financial year such as '2023/24', got {value!r}")
        return value

    @field_validator("footnote_pattern")
    @classmethod
    def _footnote_compiles(cls, value: str) -> str:
        return _check_regex(value, "footnote_pattern", groups=1)

    @model_validator(mode="after")
    def _kind_complete(self) -> HomeOfficeManifest:
        cols = self.columns
        if (cols.financial_year is None) == (self.financial_year_value is None):
            raise ValueError("give exactly one of columns.financial_year or financial_year_value")
        if not (cols.force_name or cols.geocode):
            raise ValueError("give columns.force_name or columns.geocode (or both)")
        if self.kind == "open_data_long":
            if not (cols.offence_group and cols.arrests):
                raise ValueError(
                    "an open_data_long table needs columns.offence_group and columns.arrests"
                )
            if self.offence_columns or self.total_column:
                raise ValueError("offence_columns and total_column belong to a summary_table")
        else:
            if cols.offence_group or cols.arrests:
                raise ValueError(
                    "a summary_table takes offence group and arrests from offence_columns, "
                    "not columns.offence_group / columns.arrests"
                )
            if not self.offence_columns:
                raise ValueError(
                    "a summary_table needs offence_columns (its offence group headers)"
                )
            if self.total_column in self.offence_columns:
                raise ValueError(f"total_column {self.total_column!r} is also an offence column")
        return self


def load_dataset_manifest(path: Path) -> HomeOfficeManifest:
    """Read and validate one dataset manifest, raising ManifestError naming the file and each bad key."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(path, [f"cannot read as YAML: {exc}"]) from exc
    if not isinstance(document, dict):
        raise ManifestError(path, ["expected a mapping of keys at the top level"])
    try:
        return HomeOfficeManifest.model_validate(document)
    except ValidationError as exc:
        problems = [
            f"key {'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ManifestError(path, problems) from exc
