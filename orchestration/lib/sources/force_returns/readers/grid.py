"""What every reader gives back, and how every reader fails.

A Grid holds one sheet (or CSV) as text cells that keep their spreadsheet positions; a ReadError
names the file, sheet, row and column at fault. They sit apart from the readers so that the code
downstream (canonical cells, parse, the Home Office reader) depends on these shapes only, never
on how CSV, XLSX or ODS is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyarrow as pa

from orchestration.lib.sources.force_returns.manifest import FileSpec

# Where a count cell was read, first on every source's cells (after file, sha256 and sheet).
LINEAGE_FIELDS = [
    ("source_row", pa.int32()),
    ("source_column", pa.string()),
    ("source_header", pa.string()),
]


def text_fields(*names: str) -> list[tuple[str, pa.DataType]]:
    """Columns whose every value is text as read (typing is staging's job)."""
    return [(name, pa.string()) for name in names]


def place(first: str, sheet: str | None, row: int | None = None, column: str | None = None) -> str:
    """Where a cell is, as every error names it: '<first>, sheet 'S', row R, column C'."""
    parts = [first]
    if sheet:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


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
        # The sheet as read, when the error is about its layout (set by validate_return).
        self.grid: Grid | None = None

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
        return cls(
            f"{place(f'file {file}', sheet, row, column)}: {detail}",
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


def file_name(path: Path, spec: FileSpec) -> str:
    """How errors name the file: as the manifest does (spec.source_name), else its file name."""
    return getattr(spec, "source_name", None) or path.name
