"""A return's own totals as checks: every total row and column its manifest declares (`totals:`)
must agree with the cells it sums.

A suppressed cell stands for a range (suppression.lower..upper), so the cells a total sums add up
to a range too, and the total (itself a range when suppressed) must meet it: the check fails only
when the two ranges do not overlap. A nil marker counts 0; a blank cell gives no figure and adds
nothing, and a blank total states nothing to check.

What a total sums (manifest.TotalRow, manifest.Totals):
- a total row with `sums: block`, in each checked column: the data rows above it, back to the
  previous total row of its own entry or of one listed after it;
- a total row with `sums: table`, in each checked column: every data row of the file (or sheet);
- a total column: its row's value columns.
The checked columns are the value columns (a long layout's count column) and the total columns,
so a total row's cell under a total column is checked both ways. Data cells are the canonical
cells (cells.py) exactly as published; total cells are read from the grid and never published.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.sources.force_returns.cells import _body, combined_headers, rows_matching
from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers import Grid, ReadError, column_letter


@dataclass(frozen=True)
class _Cells:
    """Rows × checked columns: each cell's text and the range of counts it stands for (lo..hi);
    `given` is false for a blank cell, `bad` true for text that is no count."""

    text: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    given: np.ndarray
    bad: np.ndarray
    suppressed: np.ndarray


def _cells(text: np.ndarray, spec: FileSpec) -> _Cells:
    """Each text as the range of counts it stands for, reading counts as bad_count_errors does."""
    flat = pc.fill_null(pa.array(text.ravel().tolist(), pa.string()), "")
    digits = pc.ascii_is_decimal(flat).to_numpy(zero_copy_only=False)
    suppressed = pc.is_in(flat, pa.array(spec.suppression.markers, pa.string()))
    nil = pc.is_in(flat, pa.array(spec.nil_markers, pa.string()))
    blank = pc.equal(flat, "").to_numpy(zero_copy_only=False)
    numbers = pc.cast(pc.if_else(pa.array(digits), flat, "0"), pa.int64()).to_numpy()
    is_suppressed = suppressed.to_numpy(zero_copy_only=False)
    lower, upper = spec.suppression.lower, spec.suppression.upper
    shape = text.shape
    return _Cells(
        text=text,
        lo=np.where(is_suppressed, lower, numbers).reshape(shape),
        hi=np.where(is_suppressed, upper, numbers).reshape(shape),
        given=~blank.reshape(shape),
        bad=~(digits | is_suppressed | nil.to_numpy(zero_copy_only=False) | blank).reshape(shape),
        suppressed=is_suppressed.reshape(shape),
    )


@dataclass(frozen=True)
class _Table:
    """What the totals check reads of one file (or sheet)."""

    spec: FileSpec
    rows: np.ndarray  # spreadsheet row numbers, ascending: data rows and total rows
    entry: np.ndarray  # each row's totals.rows entry, -1 for a data row
    labels: dict[int, str]  # a total row's index -> how it names itself: "Offence 'Total'"
    letters: list[str]  # the checked columns: value columns, then total columns
    headers: list[str]  # their header names
    values: int  # how many of `letters` are value columns
    cells: _Cells


def _column_order(letter: str) -> tuple[int, str]:
    return len(letter), letter  # B before AA


def _read(grid: Grid, spec: FileSpec, data: pa.Table) -> _Table:
    """Data cells (the canonical cells) and total cells (from the grid) of one file or sheet."""
    headers = combined_headers(grid, spec)
    index = {name: i for i, name in reversed(list(enumerate(headers))) if name}
    body = _body(grid, spec)
    for column, pattern in spec.skip_rows_matching.items():
        body = body.filter(pc.invert(pc.match_substring_regex(body[f"c{index[column]}"], pattern)))
    entry_of: dict[int, int] = {}
    for k, total in enumerate(spec.totals.rows):
        for row in body["source_row"].filter(rows_matching(body, index, total.match)).to_pylist():
            entry_of.setdefault(row, k)  # a row two entries match belongs to the first
    value_letters = sorted(set(data["source_column"].to_pylist()), key=_column_order)
    total_letters = [column_letter(index[name]) for name in spec.totals.columns]
    letters = value_letters + [c for c in total_letters if c not in value_letters]
    rows = np.union1d(data["source_row"].to_numpy(), np.array(list(entry_of), dtype=np.int32))
    entry = np.array([entry_of.get(int(r), -1) for r in rows], dtype=np.int64)

    # Data cells as the canonical cells hold them; total rows' and total columns' from the grid.
    text = np.full((len(rows), len(letters)), "", dtype=object)
    col_of = {c: j for j, c in enumerate(letters)}
    at_row = np.searchsorted(rows, data["source_row"].to_numpy())
    at_col = np.array([col_of[c] for c in data["source_column"].to_pylist()], dtype=np.int64)
    text[at_row, at_col] = data["count_raw"].to_numpy(zero_copy_only=False)
    in_body = np.searchsorted(body["source_row"].to_numpy(), rows)
    total_rows = np.flatnonzero(entry >= 0)
    letter_index = {column_letter(i): i for i in range(grid.width)}
    for j, letter in enumerate(letters):
        read = np.arange(len(rows)) if letter in total_letters else total_rows
        column = body[f"c{letter_index[letter]}"]
        text[read, j] = pc.take(column, pa.array(in_body[read])).to_pylist()
    labels = {
        int(i): " ".join(
            f"{name} {body[f'c{index[name]}'][int(in_body[i])].as_py()!r}"
            for name in spec.totals.rows[int(entry[i])].match
        )
        for i in total_rows
    }
    by_letter = {column_letter(i): name for name, i in index.items()}
    return _Table(
        spec=spec,
        rows=rows,
        entry=entry,
        labels=labels,
        letters=letters,
        headers=[by_letter.get(c, c) for c in letters],
        values=len(value_letters),
        cells=_cells(text, spec),
    )


@dataclass(frozen=True)
class _Sum:
    """What the cells a total sums add up to: lo..hi, over `cells` cells, `suppressed` of them."""

    lo: int
    hi: int
    cells: int
    suppressed: int

    def __str__(self) -> str:
        if self.lo == self.hi and not self.suppressed:
            return f"{self.lo}"
        return f"between {self.lo} and {self.hi} ({self.suppressed} of {self.cells} suppressed)"


def _difference(t_lo: int, t_hi: int, summed: _Sum) -> str | None:
    """How far the stated total (t_lo..t_hi) lies outside its cells' sum; None when they meet."""
    exact = t_lo == t_hi and summed.lo == summed.hi
    if t_lo > summed.hi:
        gap, side = t_lo - summed.hi, "more than " + ("" if exact else "the most ")
        sign = "+"
    elif t_hi < summed.lo:
        gap, side = summed.lo - t_hi, "less than " + ("" if exact else "the least ")
        sign = "-"
    else:
        return None
    can = "" if exact else "can "
    return f"the total is {gap} {side}they {can}add up to (difference {sign}{gap})"


def _error(table: _Table, sheet: str | None, i: int, j: int, what: str, summed: _Sum, of: str):
    """The error for the total at (i, j) when it does not meet its cells' sum, else None."""
    cells = table.cells
    if not cells.given[i, j]:
        return None
    lo, hi = int(cells.lo[i, j]), int(cells.hi[i, j])
    gap = _difference(lo, hi, summed)
    if gap is None:
        return None
    text = str(cells.text[i, j])
    stated = text if lo == hi and text.isdecimal() else f"{text!r} ({lo}..{hi})"
    return ReadError.at(
        f"{what} states {stated} but {of} add up to {summed}: {gap}",
        file=table.spec.source_name,
        sheet=sheet,
        row=int(table.rows[i]),
        column=table.letters[j],
    )


def _running(values: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Column sums of the data rows before each row index, with a leading row of zeros."""
    summed = np.cumsum(np.where(data[:, None], values, 0), axis=0, dtype=np.int64)
    return np.vstack([np.zeros((1, values.shape[1]), dtype=np.int64), summed])


def _row_total_errors(table: _Table, sheet: str | None) -> list[ReadError]:
    """Every total row's cells against the data rows it sums, column by column."""
    cells, data = table.cells, table.entry < 0
    sums = [
        _running(m, data) for m in (cells.lo, cells.hi, cells.given, cells.suppressed & cells.given)
    ]
    errors = []
    for i in np.flatnonzero(~data):
        total = table.spec.totals.rows[int(table.entry[i])]
        if total.sums == "table":
            start, stop, of = 0, len(table.rows), "every data row of the table"
        else:
            outer = np.flatnonzero(table.entry[:i] >= table.entry[i])
            start, stop, of = (int(outer[-1]) + 1 if outer.size else 0), int(i), "the rows above"
        span = table.rows[start:stop][data[start:stop]]
        of += f" (rows {span[0]}-{span[-1]})" if span.size else " (none)"
        for j, header in enumerate(table.headers):
            summed = _Sum(*(int(s[stop, j] - s[start, j]) for s in sums))
            what = f"total row ({table.labels[int(i)]}) in column {header!r}"
            error = _error(table, sheet, int(i), j, what, summed, of)
            if error is not None:
                errors.append(error)
    return errors


def _column_total_errors(table: _Table, sheet: str | None) -> list[ReadError]:
    """Every total column's cells against their row's value cells."""
    cells, v = table.cells, table.values
    lo, hi = cells.lo[:, :v].sum(axis=1), cells.hi[:, :v].sum(axis=1)
    given = cells.given[:, :v].sum(axis=1)
    suppressed = (cells.suppressed & cells.given)[:, :v].sum(axis=1)
    errors = []
    for j in range(v, len(table.letters)):
        what = f"total column {table.headers[j]!r}"
        apart = (cells.lo[:, j] > hi) | (cells.hi[:, j] < lo)
        for i in np.flatnonzero(cells.given[:, j] & apart):
            summed = _Sum(int(lo[i]), int(hi[i]), int(given[i]), int(suppressed[i]))
            error = _error(table, sheet, int(i), j, what, summed, "the row's value cells")
            if error is not None:
                errors.append(error)
    return errors


def total_errors(grid: Grid, spec: FileSpec, cells: pa.Table, limit: int) -> list[ReadError]:
    """The totals of one file (or sheet) that disagree with its canonical `cells`, in row and
    column order, up to `limit` (the first saying how many there are); a total cell that is no
    count is an error too. Nothing to check (no totals declared, or counts bad_count_errors
    refuses): no errors."""
    if not (spec.totals.rows or spec.totals.columns):
        return []
    table = _read(grid, spec, cells)
    if table.cells.bad[table.entry < 0, : table.values].any():
        return []  # bad_count_errors names these
    bad = np.argwhere(table.cells.bad)
    if bad.size:
        return [
            ReadError.at(
                f"total {table.cells.text[i, j]!r} is not a whole non-negative number, a "
                f"suppression marker {spec.suppression.markers} or a nil marker "
                f"{spec.nil_markers}",
                file=spec.source_name,
                sheet=grid.sheet,
                row=int(table.rows[i]),
                column=table.letters[j],
            )
            for i, j in bad[:limit]
        ]
    errors = _row_total_errors(table, grid.sheet) + _column_total_errors(table, grid.sheet)
    errors.sort(key=lambda e: (e.row or 0, _column_order(e.column or "")))
    if len(errors) > 1:
        first = errors[0]
        errors[0] = ReadError.at(
            f"{first.detail} ({len(errors)} totals in this file disagree)",
            file=spec.source_name,
            sheet=grid.sheet,
            row=first.row,
            column=first.column,
        )
    return errors[:limit]
