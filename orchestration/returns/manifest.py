"""The manifest a data team writes beside each force return: what the return is and how to read it.

Layouts differ from force to force; the manifest absorbs that, so a new layout is a new manifest,
not new code. Validation errors name the manifest file, the key and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

MANIFEST_NAME = "manifest.yml"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ManifestError(ValueError):
    """A manifest that cannot be used, with every problem found."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """First and last month the return covers, as YYYY-MM."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _is_month(cls, value: str) -> str:
        if not _MONTH.match(str(value)):
            raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
        return str(value)

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}")
        return self


class Suppression(_Strict):
    """Markers a force writes instead of a small count, and the range such a cell stands for."""

    markers: list[str] = Field(default_factory=lambda: ["*", "<5"])
    lower: int = Field(default=1, ge=0)
    upper: int = Field(default=4, ge=0)


class Columns(_Strict):
    """Which header names hold each dimension; a fixed `*_value` stands in for an absent column."""

    month: str | None = None
    month_value: str | None = None
    offence: str | None = None
    offence_value: str | None = None
    nationality: str | None = None
    count: str | None = None

    @field_validator("month_value")
    @classmethod
    def _is_month(cls, value: str | None) -> str | None:
        if value is not None and not _MONTH.match(value):
            raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
        return value


class FileSpec(_Strict):
    """One file of a return and how to read it."""

    path: str
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = Field(default=1, ge=1)
    layout: Literal["long", "wide"]
    # In a wide layout, which dimension the value columns' headers hold.
    wide_by: Literal["nationality"] | None = None
    columns: Columns
    # Header names of the value columns in a wide layout; empty means every other column.
    value_columns: list[str] = Field(default_factory=list)
    # Rows whose cell in the named column matches the regular expression are not data (totals, notes).
    skip_rows_matching: dict[str, str] = Field(default_factory=dict)
    month_format: str = "%Y-%m"
    suppression: Suppression = Field(default_factory=Suppression)

    @field_validator("path")
    @classmethod
    def _relative_inside(cls, value: str) -> str:
        path = Path(value)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"expected a file name inside the return folder, got {value!r}")
        return value

    @field_validator("skip_rows_matching")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        for column, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern for column {column!r} is not a regex: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _layout_complete(self) -> FileSpec:
        cols = self.columns
        if (cols.month is None) == (cols.month_value is None):
            raise ValueError("give exactly one of columns.month or columns.month_value")
        if (cols.offence is None) == (cols.offence_value is None):
            raise ValueError("give exactly one of columns.offence or columns.offence_value")
        if self.layout == "long":
            if not (cols.nationality and cols.count):
                raise ValueError("a long layout needs columns.nationality and columns.count")
            if self.wide_by or self.value_columns:
                raise ValueError("wide_by and value_columns belong to a wide layout")
        elif self.wide_by != "nationality":
            raise ValueError("a wide layout needs wide_by: nationality")
        elif cols.nationality or cols.count:
            raise ValueError("a wide layout takes nationality and count from its value columns")
        return self


class ReturnManifest(_Strict):
    """A force return as received: which force, which period, its reference, how to read it."""

    return_id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    force: str
    reference: str
    received: dt.date
    period: Period
    data_origin: Literal["real", "synthetic"]
    supersedes: list[str] = Field(default_factory=list)
    notes: str | None = None
    files: list[FileSpec] = Field(min_length=1)


def load_manifest(path: Path) -> ReturnManifest:
    """Read and validate one manifest, raising ManifestError naming the file and each bad key."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(path, [f"cannot read as YAML: {exc}"]) from exc
    if not isinstance(document, dict):
        raise ManifestError(path, ["expected a mapping of keys at the top level"])
    try:
        return ReturnManifest.model_validate(document)
    except ValidationError as exc:
        problems = [
            f"key {'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        ]
        raise ManifestError(path, problems) from exc


def find_manifests(landing_dir: Path) -> list[Path]:
    """Every return folder's manifest under the landing folder, in a stable order."""
    return sorted(landing_dir.glob(f"*/{MANIFEST_NAME}"))
