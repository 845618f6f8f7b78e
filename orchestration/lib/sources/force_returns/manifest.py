"""The manifest a data team writes beside each force return: what the return is and how to read it.

Layouts differ from force to force; the manifest absorbs that, so a new layout is a new manifest,
not new code. Validation errors name the manifest file, the key and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

MANIFEST_NAME = "manifest.yml"
# A manifest is a page of YAML; anything larger is not one.
MAX_MANIFEST_BYTES = 1024 * 1024
# Where a file named by `url:` is downloaded to, inside its return folder.
PULLED_DIR = ".pulled"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

Dimension = Literal["month", "offence", "nationality", "sex", "age_band"]
DIMENSIONS: tuple[str, ...] = ("month", "offence", "nationality", "sex", "age_band")
REQUIRED_DIMENSIONS: tuple[str, ...] = ("month", "offence", "nationality")
# Joins the parts of a header spread over several rows: "British|Male".
HEADER_JOIN = "|"


class ManifestError(ValueError):
    """A manifest that cannot be used, with every problem found, and `facts`: what it still says
    validly about its return (ReturnManifest.facts' keys; empty when it could not be read)."""

    def __init__(self, path: Path, problems: list[str], facts: Mapping[str, str] | None = None):
        self.path = path
        self.problems = problems
        self.facts: Mapping[str, str] = dict(facts or {})
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

    @model_validator(mode="after")
    def _sane(self) -> Suppression:
        if self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) must not exceed upper ({self.upper})")
        if len(set(self.markers)) != len(self.markers) or "" in self.markers:
            raise ValueError(f"expected distinct, non-empty markers, got {self.markers}")
        return self


def _inside_folder(name: str) -> bool:
    """A relative file name that stays inside its folder: no absolute path, `..` or backslash."""
    path = PurePosixPath(name)
    return not (path.is_absolute() or ".." in path.parts or "\\" in name or not path.name)


class Columns(_Strict):
    """Which header names hold each dimension; a fixed `*_value` stands in for an absent column.
    The month may be assembled from several columns ([Year, Month]): their texts joined by a space
    ("2024 January") are read with month_format."""

    month: str | list[str] | None = None
    month_value: str | None = None
    offence: str | None = None
    offence_value: str | None = None
    nationality: str | None = None
    nationality_value: str | None = None
    sex: str | None = None
    sex_value: str | None = None
    age_band: str | None = None
    age_band_value: str | None = None
    count: str | None = None

    @field_validator("month_value")
    @classmethod
    def _is_month(cls, value: str | None) -> str | None:
        if value is not None and not _MONTH.match(value):
            raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
        return value

    @field_validator("month")
    @classmethod
    def _month_columns(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and (len(value) < 2 or len(set(value)) != len(value)):
            raise ValueError(f"expected two or more distinct headers ([Year, Month]), got {value}")
        return value

    def names(self, dimension: str) -> list[str]:
        """Every header the dimension is read from (several for a month assembled from columns)."""
        value = getattr(self, dimension)
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    def column(self, dimension: str) -> str | None:
        """The header a dimension is read from (the first, for a month over several columns)."""
        names = self.names(dimension)
        return names[0] if names else None

    def value(self, dimension: str) -> str | None:
        return getattr(self, f"{dimension}_value")


def _regexes(value: dict[str, str]) -> dict[str, str]:
    """Header name -> regular expression, each pattern compiling."""
    for column, pattern in value.items():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern for column {column!r} is not a regex: {exc}") from exc
    return value


class TotalRow(_Strict):
    """Rows that state a total: those whose cells in every `match` column match its regular
    expression. `sums` says what such a row adds up, column by column:
    - block: the data rows above it, back to the previous total row of this entry or of one listed
      after it (a per-month or per-section sub-total; list inner totals before outer ones);
    - table: every data row of the file (or sheet): a grand total."""

    match: dict[str, str] = Field(min_length=1)
    sums: Literal["block", "table"]

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        return _regexes(value)


class Totals(_Strict):
    """A return's own totals, declared so that the refresh checks its cells add up to them (within
    the bounds of suppressed cells) instead of skipping them. Total cells are never data."""

    rows: list[TotalRow] = Field(default_factory=list)
    # Header names of columns stating the total of their row's value columns (wide layouts).
    columns: list[str] = Field(default_factory=list)

    @property
    def headers(self) -> list[str]:
        """Every header the totals name: their rows' match columns and their columns."""
        return [c for row in self.rows for c in row.match] + self.columns


def _is_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a regular expression: {exc}") from exc
    return value


# A regular expression, matched as re.search does (anchor it with ^...$ to match a whole cell).
Regex = Annotated[str, Field(min_length=1), AfterValidator(_is_regex)]
# month_format's value for dates written as Excel day numbers (45292 is 2024-01-01).
EXCEL_SERIAL = "excel_serial"


class Section(_Strict):
    """Heading rows that fill a dimension down over the rows below them until the next heading:
    "British" above its offence rows, or "Nationality: Polish" read with a pattern. A heading row is
    one whose cell in `column` matches `pattern` and whose other cells are blank; the pattern's
    first group (or one named `value`) is the value, else the whole cell."""

    dimension: Dimension
    column: str  # the header of the column headings are written in
    pattern: Regex = ".+"

    def value_of(self, text: str) -> str | None:
        """The heading's value, or None when `text` is not a heading."""
        found = re.search(self.pattern, text)
        if found is None:
            return None
        if "value" in found.groupdict():
            return found.group("value")
        return found.group(1) if found.re.groups else text


class TableLocation(_Strict):
    """One of several tables on a sheet: from the one row with a cell matching `heading`, or over
    `rows: [first, last]`. The file's header_row(s) and last_row then count from the table's first
    row (1). A table found by its heading ends above the first row below its header with a cell
    matching `until`, else at its first blank row after figures."""

    heading: Regex | None = None
    rows: list[int] | None = None
    until: Regex | None = None

    @model_validator(mode="after")
    def _one_way(self) -> TableLocation:
        if (self.heading is None) == (self.rows is None):
            raise ValueError("give heading: (text above the table) or rows: [first, last], one")
        if self.rows is not None:
            if len(self.rows) != 2 or not 1 <= self.rows[0] < self.rows[1]:
                raise ValueError(
                    f"expected rows: [first, last] with 1 <= first < last, got {self.rows}"
                )
            if self.until is not None:
                raise ValueError("until: belongs to a table found by heading, not by rows")
        return self

    @property
    def key(self) -> tuple:
        """What tells two listings of one sheet apart."""
        if self.heading is not None:
            return ("heading", self.heading)
        return ("rows", *(self.rows or []))


class PullOptions(_Strict):
    """How a file named by `url:` is downloaded."""

    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    retries: int = Field(default=2, ge=0, le=10)
    max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)


class FileSpec(_Strict):
    """One file (or one sheet of a file) of a return and how to read it."""

    # The file inside the return folder; with `url:`, the name the download is cached under.
    path: str | None = None
    url: str | None = None
    pull: PullOptions = Field(default_factory=PullOptions)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    # Several header rows (a merged top header over a lower one) combine as "upper|lower".
    header_rows: list[int] | None = None
    # Rows after this one are not data (notes under the table).
    last_row: int | None = Field(default=None, ge=1)
    # The table ends at its first blank row; anything below (notes) is not data.
    skip_rows_after_blank: bool = False
    # long: a count column; wide: counts in value columns; records: one row per arrest, counted.
    layout: Literal["long", "wide", "records"]
    # In a wide layout, which dimension(s) the value columns' headers hold; with several, a header
    # holds one part per dimension ("British|Male" for [nationality, sex]), the last parts counting.
    wide_by: list[Dimension] = Field(default_factory=list)
    columns: Columns
    # Header names of the value columns in a wide layout; empty means every other column.
    value_columns: list[str] = Field(default_factory=list)
    # Header names of columns that are neither dimensions nor counts (such as a Total column).
    ignore_columns: list[str] = Field(default_factory=list)
    # Rows whose cell in the named column matches the regular expression are not data (totals, notes).
    skip_rows_matching: dict[str, str] = Field(default_factory=dict)
    month_format: str = "%Y-%m"
    suppression: Suppression = Field(default_factory=Suppression)
    # Markers that mean nil (a count of zero), such as "-"; never a suppressed cell.
    nil_markers: list[str] = Field(default_factory=list)
    # The return's own total rows and columns, checked against its cells (totals.py).
    totals: Totals = Field(default_factory=Totals)
    # Lower limits for this file than the global ones (WAREHOUSE_MAX_FILE_BYTES,
    # WAREHOUSE_MAX_CELLS); a higher value does not raise them.
    max_bytes: int | None = Field(default=None, ge=1)
    max_cells: int | None = Field(default=None, ge=1)

    # -- Layout keys for returns as forces send them (README "Adding a force's return") ----------
    # One of several tables on the sheet, found by its heading text or a row range.
    table: TableLocation | None = None
    # Heading rows that fill a dimension down (nationality or offence as section rows).
    sections: list[Section] = Field(default_factory=list)
    # Rows any of whose cells matches one of these are not data ("Page 3 of 7"). A copy of the
    # header row repeated below it (after a page break) is always skipped.
    skip_lines_matching: list[Regex] = Field(default_factory=list)
    # Stripped from header texts and dimension labels: footnote marks ("Rape¹", "Other*").
    footnote_marks: Regex | None = None
    # Counts may group their digits with this ("1,234"); only groups of three are accepted.
    thousands_separator: Literal[",", ".", " ", "'"] | None = None

    @field_validator("wide_by", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("path")
    @classmethod
    def _relative_inside(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _inside_folder(value):
            raise ValueError(f"expected a file name inside the return folder, got {value!r}")
        # One spelling per file ("./x.csv" and "a//x.csv" are "x.csv" and "a/x.csv").
        return str(PurePosixPath(value))

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"expected an http:// or https:// address, got {value!r}")
        if not PurePosixPath(parts.path).name:
            raise ValueError(
                f"the address {value!r} names no file; add path: to name the downloaded file"
            )
        return value

    @field_validator("header_rows")
    @classmethod
    def _ascending(cls, value: list[int] | None) -> list[int] | None:
        if value is None:
            return value
        if not value or any(r < 1 for r in value) or value != sorted(set(value)):
            raise ValueError(f"expected ascending row numbers from 1, got {value}")
        return value

    @field_validator("skip_rows_matching")
    @classmethod
    def _compiles(cls, value: dict[str, str]) -> dict[str, str]:
        return _regexes(value)

    @model_validator(mode="after")
    def _layout_complete(self) -> FileSpec:
        if self.url is None and self.path is None:
            raise ValueError(
                "give path: (a file in the return folder) or url: (a file to download)"
            )
        if self.header_row is not None and self.header_rows is not None:
            raise ValueError("give header_row or header_rows, not both")
        if self.last_row is not None and self.last_row <= self.header_lines[-1]:
            raise ValueError(f"last_row {self.last_row} is not below the header")
        overlap = set(self.nil_markers) & set(self.suppression.markers)
        if overlap:
            raise ValueError(
                f"nil_markers and suppression.markers overlap on {sorted(overlap)}: a marker "
                "means either zero or a suppressed small count"
            )
        if self.month_format != EXCEL_SERIAL and "%" not in self.month_format:
            raise ValueError(
                f"month_format {self.month_format!r} is neither a strptime format (such as "
                f"'%Y-%m' or '%B %Y') nor {EXCEL_SERIAL!r}"
            )
        cols = self.columns
        if isinstance(cols.month, list) and self.layout == "wide" and "month" in self.wide_by:
            raise ValueError("columns.month lists columns; a month in the headers is wide_by")
        if len(set(self.wide_by)) != len(self.wide_by):
            raise ValueError(f"wide_by lists a dimension twice: {self.wide_by}")
        for dim in DIMENSIONS:
            sources = [
                name
                for name, given in (
                    (f"columns.{dim}", cols.column(dim) is not None),
                    (f"columns.{dim}_value", cols.value(dim) is not None),
                    (f"wide_by: {dim}", dim in self.wide_by),
                    (f"sections: {dim}", any(s.dimension == dim for s in self.sections)),
                )
                if given
            ]
            if len(sources) > 1:
                raise ValueError(f"{dim} is given more than once ({', '.join(sources)}); give one")
            if not sources and dim in REQUIRED_DIMENSIONS:
                raise ValueError(
                    f"no {dim}: give columns.{dim} (a header), columns.{dim}_value (a fixed "
                    f"value)" + (f" or wide_by: {dim}" if self.layout == "wide" else "")
                )
        if self.layout == "long":
            if not cols.count:
                raise ValueError("a long layout needs columns.count")
            if self.wide_by or self.value_columns:
                raise ValueError("wide_by and value_columns belong to a wide layout")
        elif self.layout == "records":
            if cols.count:
                raise ValueError(
                    "a records layout counts its rows (one per arrest); it has no columns.count"
                )
            if self.wide_by or self.value_columns:
                raise ValueError("wide_by and value_columns belong to a wide layout")
        else:
            if not self.wide_by:
                raise ValueError(
                    "a wide layout needs wide_by: the dimension its value columns' headers hold "
                    f"(one or more of {list(DIMENSIONS)})"
                )
            if cols.count:
                raise ValueError(
                    "a wide layout takes its counts from its value columns, not columns.count"
                )
        return self

    @model_validator(mode="after")
    def _totals_fit_layout(self) -> FileSpec:
        totals = self.totals
        if totals.columns and self.layout == "long":
            raise ValueError(
                "totals.columns belong to a wide layout (a long layout's rows hold one count)"
            )
        clash = set(totals.columns) & (set(self.value_columns) | set(self.ignore_columns))
        if clash:
            raise ValueError(
                f"totals.columns {sorted(clash)} also listed in value_columns or ignore_columns; "
                "a total column is neither data nor ignored"
            )
        for n, row in enumerate(totals.rows):
            skipped = set(row.match.items()) & set(self.skip_rows_matching.items())
            if skipped:
                raise ValueError(
                    f"totals.rows.{n}.match {dict(skipped)} is also in skip_rows_matching; a "
                    "skipped row is not checked: remove it there"
                )
        return self

    @property
    def header_lines(self) -> list[int]:
        """The 1-based header row number(s)."""
        if self.header_rows is not None:
            return list(self.header_rows)
        return [self.header_row or 1]

    @property
    def local_name(self) -> str:
        """The file's name inside the return folder (for `url:`, inside its download cache)."""
        if self.path is not None:
            return self.path
        return PurePosixPath(urlsplit(self.url or "").path).name

    @property
    def source_name(self) -> str:
        """How lineage names the file: its path, or the downloaded file's cache name."""
        return self.local_name if self.url is None else f"{PULLED_DIR}/{self.local_name}"

    def local_path(self, folder: Path) -> Path:
        return folder / self.source_name


# What a return id may be: also what lets an id be written into SQL as a literal (no quote).
RETURN_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
ReturnId = Annotated[str, Field(pattern=RETURN_ID_PATTERN)]
# The force as the manifest names it (a code or a name): resolved against the reference forces
# in dbt, not here.
ForceName = Annotated[str, Field(min_length=1)]


class ReturnManifest(_Strict):
    """A force return as received: which force, which period, its reference, how to read it."""

    return_id: ReturnId
    force: ForceName
    reference: str
    received: dt.date
    period: Period
    data_origin: Literal["real", "synthetic"]
    supersedes: list[str] = Field(default_factory=list)
    notes: str | None = None
    files: list[FileSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct_sources(self) -> ReturnManifest:
        """Each file, sheet or table is read once: a sheet listed more than once must say which
        table each listing reads, and no two listings may read the same one. Names compare as a
        file system that ignores case would ("X.csv" is "x.csv"; paths are already normalised)."""
        by_sheet: dict[tuple[str, str | None], list[FileSpec]] = {}
        for spec in self.files:
            sheet = spec.sheet.casefold() if spec.sheet is not None else None
            by_sheet.setdefault((spec.source_name.casefold(), sheet), []).append(spec)
        for specs in by_sheet.values():
            if len(specs) == 1:
                continue
            where = f"file {specs[0].source_name!r}" + (
                f" sheet {specs[0].sheet!r}" if specs[0].sheet else ""
            )
            tables = [s.table for s in specs]
            if any(t is None for t in tables):
                raise ValueError(
                    f"{where} is listed twice; each file (or sheet) is read once, unless each "
                    "listing names its table (table: heading or rows)"
                )
            keys = [t.key for t in tables if t is not None]
            if len(set(keys)) != len(keys):
                raise ValueError(f"{where} lists the same table twice; each table is read once")
            spans = sorted(tuple(t.rows) for t in tables if t is not None and t.rows)
            for (_, last), (first, _) in zip(spans, spans[1:], strict=False):
                if first <= last:
                    raise ValueError(
                        f"{where}: table rows overlap ({spans}); each row is read once"
                    )
        if self.return_id in self.supersedes:
            raise ValueError("a return cannot supersede itself")
        return self

    @property
    def facts(self) -> dict[str, str]:
        """What the return says about itself, under raw's column names (raw.force_returns'):
        kept with a quarantined return (raw.quarantined_returns), so that a return received but
        not loaded still names its id, force and months."""
        return {
            "return_id": self.return_id,
            "force": self.force,
            "period_start": self.period.start,
            "period_end": self.period.end,
        }


_RETURN_ID = TypeAdapter(ReturnId)
_FORCE = TypeAdapter(ForceName)
_PERIOD = TypeAdapter(Period)


def _valid(adapter: TypeAdapter, value: object) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def salvaged_facts(document: Mapping[str, object]) -> dict[str, str]:
    """ReturnManifest.facts of a manifest that fails validation: each fact whose own key is valid
    as ReturnManifest validates it (the period as a whole: both months, in order), the others
    left out."""
    period = _valid(_PERIOD, document.get("period"))
    found = {
        "return_id": _valid(_RETURN_ID, document.get("return_id")),
        "force": _valid(_FORCE, document.get("force")),
        "period_start": period.start if period is not None else None,
        "period_end": period.end if period is not None else None,
    }
    return {key: value for key, value in found.items() if value is not None}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The manifest model class that owns the key at `loc` (for listing the keys it accepts)."""
    model: type[BaseModel] = ReturnManifest
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        found = _find_model(field.annotation)
        if found is None:
            return None
        model = found
    return model


def _find_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _find_model(arg)
            if found is not None:
                return found
    return None


def _describe(err: Mapping[str, Any]) -> str:
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc) or "(top level)"
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        model = _model_at(loc)
        allowed = f"; expected one of {sorted(model.model_fields)}" if model else ""
        message = f"unknown key{allowed}"
    elif err["type"] == "missing":
        message = "required key is missing"
    return f"key {key}: {message}"


def _load_yaml(text: str) -> object:
    """yaml.safe_load's document, read by libyaml when PyYAML was built with it: the pure-Python
    reader takes about 8 ms a manifest, seconds over hundreds of returns. Anything libyaml refuses
    is read again by yaml.safe_load, so a bad manifest fails with the error it always had."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is not None:
        try:
            return yaml.load(text, Loader=loader)  # noqa: S506 - CSafeLoader is the safe loader
        except Exception:  # noqa: BLE001 - the pure-Python reader raises the error to report
            pass
    return yaml.safe_load(text)


def load_manifest(path: Path) -> ReturnManifest:
    """Read and validate one manifest, raising ManifestError naming the file and each bad key (and,
    for a mapping that fails validation, with the facts it still gives: salvaged_facts)."""
    if not path.is_file():
        raise ManifestError(
            path,
            [
                f"no {MANIFEST_NAME} in the return folder (expected one saying what the return is "
                "and how to read its files)"
            ],
        )
    real = path.resolve()
    if not real.is_relative_to(path.parent.resolve()):
        raise ManifestError(
            path,
            [f"is a symbolic link to {real}, outside the return folder; copy the manifest in"],
        )
    size = path.stat().st_size
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(
            path, [f"is {size:,} bytes; expected a manifest of at most {MAX_MANIFEST_BYTES:,}"]
        )
    try:
        document = _load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ManifestError(path, [f"cannot read as YAML: {exc}"]) from exc
    if not isinstance(document, dict):
        raise ManifestError(path, ["expected a mapping of keys at the top level"])
    try:
        return ReturnManifest.model_validate(document)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors()]
        raise ManifestError(path, problems, salvaged_facts(document)) from exc


def return_folders(landing_dir: Path) -> list[Path]:
    """Every return folder: a visible sub-folder of the landing folder."""
    if not landing_dir.is_dir():
        raise FileNotFoundError(f"landing folder {landing_dir} does not exist")
    return sorted(
        p for p in landing_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    )


def find_manifests(landing_dir: Path) -> list[Path]:
    """Every return folder's manifest under the landing folder, in a stable order."""
    return sorted(landing_dir.glob(f"*/{MANIFEST_NAME}"))
