"""The manifest beside each Home Office dataset: what the table is and how to read it.

Three kinds, all read through this one model:

- `open_data_long`: the open data table, one row per financial year × force × gender × ethnic
  group × age group × offence group, with an Arrests column.
- `summary_table`: one sheet of the published summary tables (ODS/XLSX): title rows above the
  header, one row per force with one column per offence group and a total column, region
  sub-total and national total rows between the forces, `..` (not available) and `-` (nil) in
  place of numbers, footnote digits stuck to names (`Lancashire1`), notes under the table.
- `rate_table`: a published rate table (arrests per 1,000 population by force), value columns
  under a two-row header (sex over year), decimals, marks such as `*` stuck to figures.

Rows of the two table kinds are classified, never matched by name alone: a force row, a region
sub-total row (told apart by the seeds' codes and names and by where region rows stand), a total
row, or a row the manifest skips under its kind.

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
    (a true zero); and marks stuck to a figure (`12.3*`), kept as a flag beside the figure."""

    not_available: list[str] = Field(default_factory=lambda: [".."])
    nil: list[str] = Field(default_factory=lambda: ["-"])
    marks: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> Markers:
        both = set(self.not_available) & set(self.nil)
        if both:
            raise ValueError(f"marker(s) {sorted(both)} cannot mean both not available and nil")
        if "" in self.not_available or "" in self.nil or "" in self.marks:
            raise ValueError("an empty cell cannot be a marker (a blank cell gives no figure)")
        return self


Dimension = Literal["financial_year", "gender", "age_group", "ethnicity", "offence_group"]
# The countries a total row may cover, as ref_forces.csv names them; `all` is every force.
TotalScope = Literal["all", "England", "Wales"]


class SkipRows(_Strict):
    """Rows not to load, each rule naming the kind of row it matches, since a region and a force
    can share a name (West Midlands). A skipped force row is still read and counted in the
    table's totals; a skipped region row is not checked; `other` rows (neither a force nor a
    region, such as British Transport Police) are dropped."""

    forces: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    other: list[str] = Field(default_factory=list)
    other_matching: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_unscoped_names(cls, data: object) -> object:
        if isinstance(data, dict) and ("names" in data or "names_matching" in data):
            raise ValueError(
                "skip_rows.names matched a region and a force of the same name alike: list each "
                "name under skip_rows.forces, skip_rows.regions or skip_rows.other (or "
                "other_matching), and give total_rows for national totals"
            )
        return data

    @field_validator("other_matching")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return None if value is None else _check_regex(value, "other_matching")


class HomeOfficeManifest(_Strict):
    """One Home Office dataset as published and how to read it."""

    dataset_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    kind: Literal["open_data_long", "summary_table", "rate_table"]
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
    header_row: int | None = Field(default=None, ge=1)
    # Several header rows (sex above year) combine as "upper|lower", as in force returns.
    header_rows: list[int] | None = None
    columns: Columns
    # The financial year of every row when the table has no such column (a summary table's title
    # says it), as the Home Office writes it: 2023/24.
    financial_year_value: str | None = None
    # summary_table: header names of the offence group columns (footnote digits stripped) and of
    # the column giving the total over offence groups, if any.
    offence_columns: list[str] = Field(default_factory=list)
    total_column: str | None = None
    # Offence group headings (or open data values) as published -> offence group of the taxonomy
    # (ref_offence_taxonomy.csv); headings not listed go through seeds/lookups/offence_lookup.csv.
    offence_mapping: dict[str, str] = Field(default_factory=dict)
    # rate_table: what each part of a value column's header holds, top row first
    # ([gender, financial_year]: "Males|2023/24"); every column not named under `columns` or
    # ignore_columns is a value column. rate_per: the population the rate is per (1000).
    value_columns_by: list[Dimension] = Field(default_factory=list)
    ignore_columns: list[str] = Field(default_factory=list)
    rate_per: int | None = Field(default=None, ge=1)
    markers: Markers = Field(default_factory=Markers)
    # How the rows under the header are told apart (summary and rate tables): force rows and region
    # sub-total rows by the seeds' forces and regions (by code, else by name), region rows
    # above or below their forces; total rows by name with the forces they total.
    region_rows: Literal["none", "above_forces", "below_forces"] = "none"
    total_rows: dict[str, TotalScope] = Field(default_factory=dict)
    # Names (or codes) the seeds do not know -> ONS force code: 'Metropolitan Police Service'.
    force_names: dict[str, str] = Field(default_factory=dict)
    skip_rows: SkipRows = Field(default_factory=SkipRows)
    # Region, total rows and the total column are checked against the cells they total.
    check_totals: bool = True
    # The table ends at the first blank row below its first row: what follows is notes.
    notes_after_blank_row: bool = True
    # Regex with one group: a name matching it is replaced by the group (footnote digits removed).
    footnote_pattern: str = DEFAULT_FOOTNOTE_PATTERN

    @property
    def header_lines(self) -> list[int]:
        """The header row numbers, top first."""
        if self.header_rows is not None:
            return list(self.header_rows)
        return [self.header_row or 1]

    @property
    def is_table(self) -> bool:
        """A published table (force rows with region and total rows), not the open data."""
        return self.kind != "open_data_long"

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

    @field_validator("header_rows")
    @classmethod
    def _header_rows(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and (
            not value or any(r < 1 for r in value) or value != sorted(set(value))
        ):
            raise ValueError(f"expected row numbers from 1, increasing, got {value}")
        return value

    @field_validator("force_names")
    @classmethod
    def _force_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {k: v for k, v in value.items() if not re.fullmatch(r"[EW]\d{8}", v)}
        if bad:
            raise ValueError(f"expected ONS force codes such as E23000013, got {bad}")
        return value

    @model_validator(mode="after")
    def _kind_complete(self) -> HomeOfficeManifest:
        cols = self.columns
        if self.header_row is not None and self.header_rows is not None:
            raise ValueError("give header_row or header_rows, not both")
        year_sources = [
            cols.financial_year is not None,
            self.financial_year_value is not None,
            "financial_year" in self.value_columns_by,
        ]
        if sum(year_sources) != 1:
            raise ValueError(
                "give exactly one of columns.financial_year, financial_year_value or "
                "value_columns_by: [..., financial_year]"
            )
        if not (cols.force_name or cols.geocode):
            raise ValueError("give columns.force_name or columns.geocode (or both)")
        if self.kind == "open_data_long":
            if not (cols.offence_group and cols.arrests):
                raise ValueError(
                    "an open_data_long table needs columns.offence_group and columns.arrests"
                )
        elif cols.offence_group or cols.arrests:
            raise ValueError(
                f"a {self.kind} takes offence groups and figures from its value columns, "
                "not columns.offence_group / columns.arrests"
            )
        if self.kind != "summary_table" and (self.offence_columns or self.total_column):
            raise ValueError("offence_columns and total_column belong to a summary_table")
        if self.kind != "rate_table" and (self.value_columns_by or self.rate_per):
            raise ValueError("value_columns_by and rate_per belong to a rate_table")
        if self.kind == "summary_table":
            if not self.offence_columns:
                raise ValueError(
                    "a summary_table needs offence_columns (its offence group headers)"
                )
            if self.total_column in self.offence_columns:
                raise ValueError(f"total_column {self.total_column!r} is also an offence column")
        if self.kind == "rate_table":
            if not self.value_columns_by or self.rate_per is None:
                raise ValueError(
                    "a rate_table needs value_columns_by (what its value headers hold) and "
                    "rate_per (1000 for arrests per 1,000 population)"
                )
            if len(set(self.value_columns_by)) != len(self.value_columns_by):
                raise ValueError(f"value_columns_by lists a part twice: {self.value_columns_by}")
            named = set(cols.mapped())
            both = named & set(self.value_columns_by)
            if both:
                raise ValueError(f"{sorted(both)} given both under columns and value_columns_by")
        if not self.is_table and (self.region_rows != "none" or self.total_rows):
            raise ValueError("region_rows and total_rows belong to a summary_table or rate_table")
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
