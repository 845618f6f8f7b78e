"""Read a return's file into a grid of text cells, keeping every cell's spreadsheet position.

CSV through the standard library (encoding from the manifest, a byte-order mark or by trying UTF-8
then cp1252; delimiter from the manifest or detected); XLSX and ODS through python-calamine. Every
value becomes text here, column by column with Arrow: typing is staging's job.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError, CalamineWorkbook

from orchestration.returns.manifest import FileSpec

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls"}
# Byte-order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in order when the manifest names no encoding and there is no byte-order mark; cp1252
# accepts almost any byte, so it is last.
_FALLBACK_ENCODINGS = ("utf-8", "cp1252")
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 60


class ReadError(ValueError):
    """A file that cannot be read as its manifest says, naming where: file, sheet, row, column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        detail: str | None = None,
    ):
        super().__init__(message)
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.detail = detail if detail is not None else message

    @classmethod
    def at(
        cls,
        detail: str,
        *,
        file: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> ReadError:
        """An error at a place: the message reads 'file F, sheet 'S', row R, column C: detail'."""
        parts = [f"file {file}"]
        if sheet:
            parts.append(f"sheet {sheet!r}")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column}")
        return cls(
            f"{', '.join(parts)}: {detail}",
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            detail=detail,
        )


@dataclass(frozen=True)
class Grid:
    """Cells as text. Column j of `table` (named c0, c1, ...) is spreadsheet column j + 1 and its
    item i is spreadsheet row i + 1. `merged` holds merged ranges as 0-based
    ((first_row, first_col), (last_row, last_col)) when the file format reports them."""

    sheet: str | None
    table: pa.Table
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return self.table.num_rows

    @property
    def width(self) -> int:
        return self.table.num_columns

    def row(self, number: int) -> list[str]:
        """Spreadsheet row `number` (1-based) as text, one item per column."""
        return [col[number - 1].as_py() for col in self.table.columns]

    @cached_property
    def rows(self) -> list[list[str]]:
        """Every row as a list of text (for small files and tests; not used on the hot path)."""
        return [list(r.values()) for r in self.table.to_pylist()]


def column_letter(index: int) -> str:
    """0-based column index to a spreadsheet letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _name(path: Path, spec: FileSpec) -> str:
    """How errors name the file: as the manifest does (spec.source_name), else its file name."""
    return getattr(spec, "source_name", None) or path.name


def read_grid(path: Path, spec: FileSpec, workbooks: dict | None = None) -> Grid:
    """Read one file (one sheet of a spreadsheet). `spec` needs only sheet, encoding and delimiter.
    `workbooks`, when given, keeps each opened spreadsheet for the next sheet read from it."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError.at("file not found in the return folder", file=_name(path, spec))
    if suffix in (".csv", ".txt", ".tsv"):
        return Grid(sheet=None, table=_read_csv(path, spec))
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path, spec, {} if workbooks is None else workbooks)
    raise ReadError.at(
        f"unsupported type {suffix!r} (expected CSV, XLSX or ODS)", file=_name(path, spec)
    )


def detect_encoding(data: bytes) -> str:
    """The encoding a byte-order mark declares, or the first fallback that decodes the bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    for candidate in _FALLBACK_ENCODINGS:
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    raise UnicodeError(f"not readable as any of {_FALLBACK_ENCODINGS}")


def _decode(path: Path, spec: FileSpec) -> str:
    data = path.read_bytes()
    encoding = spec.encoding
    try:
        if encoding is None:
            encoding = detect_encoding(data)
        text = data.decode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise ReadError.at(
            f"not readable as {encoding or 'UTF-8 or cp1252'}: {exc}", file=_name(path, spec)
        ) from exc
    return text.removeprefix("\ufeff")


def detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits most of the first lines into the same number (> 1) of
    fields. Title or note lines above and below a table do not mislead it the way they can
    mislead csv.Sniffer."""
    head = "\n".join(text.splitlines()[:_SNIFF_LINES])
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(head), delimiter=delimiter) if len(r) > 1]
        if not widths:
            continue
        width, lines = Counter(widths).most_common(1)[0]
        score = lines * 1000 + width
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, spec: FileSpec) -> pa.Table:
    text = _decode(path, spec)
    delimiter = spec.delimiter or detect_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ReadError.at(f"not readable as CSV: {exc}", file=_name(path, spec)) from exc
    # Transposed in C (zip_longest), then trimmed column by column with Arrow.
    columns = list(itertools.zip_longest(*rows, fillvalue="")) if rows else []
    return pa.table(
        {
            f"c{j}": pc.utf8_trim_whitespace(pa.array(col, pa.string()))
            for j, col in enumerate(columns)
        }
    )


def _text_columns(values: list[list[object]]) -> pa.Table:
    """Spreadsheet values (str, float, int, bool, date, datetime, ...) as text columns: numpy turns
    every value into text in one pass, then Arrow fixes the forms per column: whole numbers without
    '.0', midnight datetimes as dates, other datetimes in ISO form, whitespace trimmed."""
    if not values or not values[0]:
        return pa.table({})
    width = max(len(r) for r in values)
    if any(len(r) != width for r in values):
        values = [list(r) + [""] * (width - len(r)) for r in values]
    text = np.array(values, dtype=object).astype(str)
    columns = {}
    for j in range(width):
        col = pa.array(text[:, j], pa.string())
        col = pc.replace_substring_regex(col, r"^(-?\d+)\.0$", r"\1")
        col = pc.replace_substring_regex(col, r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1")
        col = pc.replace_substring_regex(col, r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})", r"\1T\2")
        columns[f"c{j}"] = pc.utf8_trim_whitespace(col)
    return pa.table(columns)


def _read_spreadsheet(path: Path, spec: FileSpec, workbooks: dict) -> Grid:
    try:
        workbook = workbooks.get(path)
        if workbook is None:
            workbook = workbooks[path] = CalamineWorkbook.from_path(str(path))
        sheet_name = spec.sheet or workbook.sheet_names[0]
        if sheet_name not in workbook.sheet_names:
            raise ReadError.at(
                f"no sheet {sheet_name!r} (sheets: {', '.join(workbook.sheet_names)})",
                file=_name(path, spec),
            )
        sheet = workbook.get_sheet_by_name(sheet_name)
        # skip_empty_area=False keeps absolute positions, so row and column numbers match the file.
        values = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
    except CalamineError as exc:
        raise ReadError.at(
            f"not a readable spreadsheet: {exc}", file=_name(path, spec), sheet=spec.sheet
        ) from exc
    return Grid(sheet=sheet_name, table=_text_columns(values), merged=merged)
