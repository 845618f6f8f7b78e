"""Read a return's file into a grid of text cells, keeping every cell's spreadsheet position.

CSV through the standard library (encoding and delimiter from the manifest or sniffed); XLSX and
ODS through python-calamine. Every value becomes text here: typing is staging's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from orchestration.returns.manifest import FileSpec

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls"}
# Tried in order when the manifest names no encoding; cp1252 accepts any byte, so it is last.
_FALLBACK_ENCODINGS = ("utf-8-sig", "cp1252")


class ReadError(ValueError):
    """A file that cannot be read as its manifest says."""


@dataclass(frozen=True)
class Grid:
    """Cells as text; rows[i][j] is spreadsheet row i + 1, column j + 1."""

    sheet: str | None
    rows: list[list[str]]


def column_letter(index: int) -> str:
    """0-based column index to a spreadsheet letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_grid(path: Path, spec: FileSpec) -> Grid:
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return Grid(sheet=None, rows=_read_csv(path, spec))
    if suffix in SPREADSHEET_SUFFIXES:
        return _read_spreadsheet(path, spec)
    raise ReadError(f"file {path.name}: unsupported type {suffix!r} (expected CSV, XLSX or ODS)")


def _decode(path: Path, encoding: str | None) -> str:
    data = path.read_bytes()
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ReadError(f"file {path.name}: not readable as {encoding}: {exc}") from exc
    for candidate in _FALLBACK_ENCODINGS:
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    raise ReadError(f"file {path.name}: not readable as any of {_FALLBACK_ENCODINGS}")


def _read_csv(path: Path, spec: FileSpec) -> list[list[str]]:
    text = _decode(path, spec.encoding)
    delimiter = spec.delimiter
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    return [
        [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_spreadsheet(path: Path, spec: FileSpec) -> Grid:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet_name = spec.sheet or workbook.sheet_names[0]
        if sheet_name not in workbook.sheet_names:
            raise ReadError(
                f"file {path.name}: no sheet {sheet_name!r} (sheets: {', '.join(workbook.sheet_names)})"
            )
        # skip_empty_area=False keeps absolute positions, so row and column numbers match the file.
        values = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise ReadError(f"file {path.name}: not a readable spreadsheet: {exc}") from exc
    return Grid(sheet=sheet_name, rows=[[_as_text(v) for v in row] for row in values])
