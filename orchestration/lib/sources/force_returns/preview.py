"""The first rows of a sheet as the readers see it, for a return whose layout does not parse.

`warehouse check` shows this under a parse failure (a header not found, a column the manifest
names missing, no count cells): the grid after encoding and delimiter detection, with spreadsheet
row numbers and column letters, cut to a readable size, so a user can correct header_row or a
column name without opening code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from orchestration.lib.sources.force_returns.readers import Grid, column_letter

ROWS = 12
COLUMNS = 8
CELL_WIDTH = 20


@dataclass(frozen=True)
class SheetPreview:
    """Rows `rows[i][0]` (1-based, as on the sheet) with their first cells; `columns` their
    letters; `height` and `width` the whole grid's."""

    sheet: str | None
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    height: int
    width: int

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "columns": self.columns,
            "rows": [{"row": n, "cells": cells} for n, cells in self.rows],
            "height": self.height,
            "width": self.width,
        }

    def lines(self) -> list[str]:
        """The preview as a small table: a line of column letters, then one line per row."""
        title = f"sheet {self.sheet!r}" if self.sheet else "file"
        if not self.columns or not self.rows:
            return [f"{title} as read: no cells"]
        out = [
            f"{title} as read (rows 1-{len(self.rows)} of {self.height}, "
            f"columns A-{self.columns[-1]} of {self.width}):"
        ]
        widths = [
            max([len(letter)] + [len(cells[j]) for _, cells in self.rows])
            for j, letter in enumerate(self.columns)
        ]
        number = len(str(self.rows[-1][0]))

        def line(label: str, cells: list[str]) -> str:
            padded = " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
            return f"{label.rjust(number)} | {padded}".rstrip()

        out.append(line("", self.columns))
        out += [line(str(n), cells) for n, cells in self.rows]
        return out


def _readable(text: str | None, width: int) -> str:
    """A cell's text with control characters escaped (a tab as \\t), cut to `width` characters."""
    shown = "".join(
        repr(ch)[1:-1] if unicodedata.category(ch) == "Cc" else ch for ch in (text or "")
    )
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def sheet_preview(
    grid: Grid, rows: int = ROWS, columns: int = COLUMNS, width: int = CELL_WIDTH
) -> SheetPreview:
    """The first `rows` rows and `columns` columns of `grid`, each cell cut at `width`."""
    n_rows, n_cols = min(rows, grid.height), min(columns, grid.width)
    head = grid.table.slice(0, n_rows).select(list(range(n_cols))).to_pylist()
    return SheetPreview(
        sheet=grid.sheet,
        columns=[column_letter(j) for j in range(n_cols)],
        rows=[(i + 1, [_readable(v, width) for v in row.values()]) for i, row in enumerate(head)],
        height=grid.height,
        width=grid.width,
    )
