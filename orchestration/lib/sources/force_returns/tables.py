"""Where a listing's table is on its sheet: its header row(s) and the rows it may read.

A sheet may hold several tables (one per offence category, each with its own heading and header);
a manifest lists the sheet once per table with `table:` (TableLocation), and the listing's
header_row(s) and last_row count from its table's first row. Everything downstream works with the
absolute rows placed here, so every error and every cell's lineage names rows as the file has them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers import Grid, ReadError

# How many rows an error lists when a heading matches more than one.
_LISTED_ROWS = 5


@dataclass(frozen=True)
class TablePlace:
    """The rows one listing reads, numbered as on the sheet (1-based)."""

    first_row: int | None  # the table's first row; None when the listing reads the whole sheet
    header_lines: list[int]
    last_row: int | None  # rows below it are not the table's
    stop_at_blank: bool  # the table ends at its first blank row after figures


def rows_matching(table: pa.Table, pattern: str, columns: list[str] | None = None) -> np.ndarray:
    """A mask of the rows of `table` with a cell (in `columns`, default every c<j> column) that
    matches `pattern` (re.search semantics), one regex pass over each column."""
    names = columns or [n for n in table.column_names if n.startswith("c")]
    mask = np.zeros(table.num_rows, dtype=bool)
    for name in names:
        found = pc.match_substring_regex(table[name], pattern)
        mask |= found.to_numpy(zero_copy_only=False).astype(bool)
    return mask


def _error(grid: Grid, spec: FileSpec, detail: str, row: int | None = None) -> ReadError:
    return ReadError.at(detail, file=spec.source_name, sheet=grid.sheet, row=row)


def place_table(grid: Grid, spec: FileSpec) -> TablePlace:
    """The listing's header rows and last row on the sheet: as the manifest gives them, or, with
    `table:`, counted from the table's first row (found by its heading, or the first of `rows`)."""
    where = spec.table
    if where is None:
        return TablePlace(None, spec.header_lines, spec.last_row, spec.skip_rows_after_blank)
    if where.rows is not None:
        first, end = where.rows
    else:
        assert where.heading is not None  # TableLocation requires heading or rows
        hits = np.flatnonzero(rows_matching(grid.table, where.heading)) + 1
        if hits.size == 0:
            raise _error(grid, spec, f"no row has a cell matching table heading {where.heading!r}")
        if hits.size > 1:
            listed = ", ".join(str(r) for r in hits[:_LISTED_ROWS])
            raise _error(
                grid,
                spec,
                f"table heading {where.heading!r} matches {hits.size} rows ({listed}); expected "
                "one: make the pattern match this table's heading only",
                row=int(hits[0]),
            )
        first, end = int(hits[0]), grid.height
    header_lines = [first - 1 + n for n in spec.header_lines]
    if header_lines[-1] > min(end, grid.height):
        raise _error(
            grid,
            spec,
            f"the table's header row {header_lines[-1]} (row {spec.header_lines[-1]} of the table "
            f"from row {first}) is past the table's end (row {min(end, grid.height)})",
            row=first,
        )
    last = end if spec.last_row is None else min(end, first - 1 + spec.last_row)
    stop_at_blank = spec.skip_rows_after_blank
    if where.until is not None:
        below = grid.table.slice(header_lines[-1])
        hits = np.flatnonzero(rows_matching(below, where.until))
        if hits.size:
            last = min(last, header_lines[-1] + int(hits[0]))
    elif where.heading is not None and spec.last_row is None:
        stop_at_blank = True  # the next table follows below a blank row
    return TablePlace(first, header_lines, last, stop_at_blank)
