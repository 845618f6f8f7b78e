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
Every check runs over whole columns at once (numpy), so a national return's totals stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.sources.force_returns.cells import _body, combined_headers, rows_matching
from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers import Grid, ReadError, column_letter
from orchestration.lib.sources.force_returns.row_rules import drop_layout_lines
from orchestration.lib.sources.force_returns.tables import place_table


@dataclass(frozen=True)
class _Bounds:
    """Counts as ranges lo..hi; `given` false for a blank cell, `bad` true for text that is no
    count, `suppressed` true for a suppression marker."""

    lo: np.ndarray
    hi: np.ndarray
    given: np.ndarray
    bad: np.ndarray
    suppressed: np.ndarray


def _bounds(texts: pa.Array | pa.ChunkedArray, spec: FileSpec) -> _Bounds:
    """Each text as the range of counts it stands for, reading counts as bad_count_errors does."""
    texts = pc.fill_null(texts, "")

    def mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
        return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)

    digits = mask(pc.ascii_is_decimal(texts))
    suppressed = mask(pc.is_in(texts, pa.array(spec.suppression.markers, pa.string())))
    nil = mask(pc.is_in(texts, pa.array(spec.nil_markers, pa.string())))
    blank = mask(pc.equal(texts, ""))
    numbers = pc.cast(pc.if_else(pa.array(digits), texts, "0"), pa.int64()).to_numpy()
    return _Bounds(
        lo=np.where(suppressed, spec.suppression.lower, numbers).astype(np.int64),
        hi=np.where(suppressed, spec.suppression.upper, numbers).astype(np.int64),
        given=~blank,
        bad=~(digits | suppressed | nil | blank),
        suppressed=suppressed,
    )


def _column_order(letter: str) -> tuple[int, str]:
    return len(letter), letter  # B before AA


@dataclass(frozen=True)
class _Table:
    """What the totals check reads of one file (or sheet): rows (data rows and total rows, in
    spreadsheet order) × checked columns (value columns, then total columns)."""

    spec: FileSpec
    body: pa.Table  # the rows below the header, as cells.py reads them
    rows: np.ndarray  # spreadsheet row numbers, ascending
    entry: np.ndarray  # each row's totals.rows entry, -1 for a data row
    index: dict[str, int]  # each header's 0-based grid column
    letters: list[str]
    headers: list[str]
    grid_columns: list[int]  # each checked column's 0-based grid column
    values: int  # how many of `letters` are value columns
    in_body: np.ndarray  # each row's position in `body`
    lo: np.ndarray  # rows × letters, and likewise hi, given, suppressed
    hi: np.ndarray
    given: np.ndarray
    suppressed: np.ndarray
    bad_totals: np.ndarray  # (row index, column index) of total cells that are no count
    bad_data: bool  # a data cell that is no count (bad_count_errors names it)

    def text(self, i: int, j: int) -> str:
        """The text of the cell at row index i, column index j, as the grid holds it."""
        return str(self.body[f"c{self.grid_columns[j]}"][int(self.in_body[i])].as_py())

    def label(self, i: int) -> str:
        """How a total row names itself: its match columns' cells, "Offence 'Total'"."""
        match = self.spec.totals.rows[int(self.entry[i])].match
        at = int(self.in_body[i])
        return " ".join(
            f"{name} {self.body[f'c{self.index[name]}'][at].as_py()!r}" for name in match
        )


def _read(grid: Grid, spec: FileSpec, data: pa.Table) -> _Table:
    """Data cells (the canonical cells) and total cells (from the grid) of one file or sheet."""
    located = place_table(grid, spec)
    headers = combined_headers(grid, spec, located)
    index = {name: i for i, name in reversed(list(enumerate(headers))) if name}
    # the rows cells.py reads, page-break lines and repeated headers left out as it leaves them
    body = drop_layout_lines(_body(grid, located), grid, spec, located.header_lines)
    for column, pattern in spec.skip_rows_matching.items():
        body = body.filter(pc.invert(pc.match_substring_regex(body[f"c{index[column]}"], pattern)))
    total_at: dict[int, int] = {}
    for k, total in enumerate(spec.totals.rows):
        for row in body["source_row"].filter(rows_matching(body, index, total.match)).to_pylist():
            total_at.setdefault(row, k)  # a row two entries match belongs to the first
    value_letters = sorted(pc.unique(data["source_column"]).to_pylist(), key=_column_order)
    total_letters = [column_letter(index[name]) for name in spec.totals.columns]
    letters = value_letters + [c for c in total_letters if c not in value_letters]
    by_letter = {column_letter(i): i for i in range(grid.width)}
    totals = np.array(sorted(total_at), dtype=np.int64)
    # Total rows are never data rows (cells.py leaves them out): the two sets are disjoint.
    rows = np.sort(np.concatenate([pc.unique(data["source_row"]).to_numpy(), totals]))
    entry = np.full(len(rows), -1, dtype=np.int64)
    entry[np.searchsorted(rows, totals)] = [total_at[int(r)] for r in totals]
    shape = (len(rows), len(letters))
    matrices = {name: np.zeros(shape, dtype=np.int64) for name in ("lo", "hi")}
    matrices |= {name: np.zeros(shape, dtype=bool) for name in ("given", "suppressed", "bad")}

    def place(at_row: np.ndarray, at_col: np.ndarray | int, bounds: _Bounds) -> None:
        for name, matrix in matrices.items():
            matrix[at_row, at_col] = getattr(bounds, name)

    # Data cells as the canonical cells hold them.
    at_col = pc.index_in(data["source_column"], value_set=pa.array(letters)).to_numpy()
    place(
        np.searchsorted(rows, data["source_row"].to_numpy()),
        at_col,
        _bounds(data["count_raw"], spec),
    )
    bad_data = bool(matrices["bad"].any())
    matrices["bad"][:] = False
    # Total rows' cells, and total columns' cells of every row, from the grid.
    body_rows = body["source_row"].to_numpy()
    in_body = np.minimum(np.searchsorted(body_rows, rows), max(len(body_rows) - 1, 0))
    # A data row the body does not hold (a layout reading rows elsewhere) has no grid text here.
    found = body_rows[in_body] == rows if len(body_rows) else np.zeros(len(rows), dtype=bool)
    for j, letter in enumerate(letters):
        read = np.flatnonzero(found & ((entry >= 0) | (letter in total_letters)))
        texts = pc.take(body[f"c{by_letter[letter]}"], pa.array(in_body[read]))
        place(read, j, _bounds(texts, spec))
    return _Table(
        spec=spec,
        body=body,
        rows=rows,
        entry=entry,
        index=index,
        letters=letters,
        headers=[headers[by_letter[c]] for c in letters],
        grid_columns=[by_letter[c] for c in letters],
        values=len(value_letters),
        in_body=in_body,
        lo=matrices["lo"],
        hi=matrices["hi"],
        given=matrices["given"],
        suppressed=matrices["suppressed"] & matrices["given"],
        bad_totals=np.argwhere(matrices["bad"]),
        bad_data=bad_data,
    )


@dataclass(frozen=True)
class _Found:
    """Totals that do not meet their cells' sums: row and column indices, the sums (lo, hi, cells,
    suppressed cells) and, for a total row, the span of rows it sums (start..stop indices)."""

    i: np.ndarray
    j: np.ndarray
    sums: np.ndarray  # n × 4
    start: np.ndarray  # -1 for a total column
    stop: np.ndarray


def _apart(table: _Table, i: np.ndarray, j: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """Where the stated totals at (i, j) are given and their range does not meet the sums'."""
    lo, hi = table.lo[i, j], table.hi[i, j]
    return table.given[i, j] & ((lo > sums[:, 1]) | (hi < sums[:, 0]))


def _running(values: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Column sums of the data rows before each row index, with a leading row of zeros."""
    summed = np.cumsum(np.where(data[:, None], values, 0), axis=0, dtype=np.int64)
    return np.vstack([np.zeros((1, values.shape[1]), dtype=np.int64), summed])


def _row_totals(table: _Table) -> _Found:
    """Every total row's cells against the data rows it sums, column by column."""
    data = table.entry < 0
    running = np.stack(
        [_running(m, data) for m in (table.lo, table.hi, table.given, table.suppressed)], axis=-1
    )
    width = len(table.letters)
    found: list[_Found] = []
    for k, total in enumerate(table.spec.totals.rows):
        at = np.flatnonzero(table.entry == k)
        if total.sums == "table":
            start, stop = np.zeros_like(at), np.full_like(at, len(table.rows))
        else:
            # Back to the previous total row of this entry or of one listed after it.
            ends = np.flatnonzero(table.entry >= k)
            before = np.searchsorted(ends, at)
            start = np.where(before > 0, ends[np.maximum(before - 1, 0)] + 1, 0)
            stop = at
        sums = (running[stop] - running[start]).reshape(-1, 4)  # (rows × columns) × 4
        i, j = np.repeat(at, width), np.tile(np.arange(width), len(at))
        apart = _apart(table, i, j, sums)
        found.append(
            _Found(
                i[apart],
                j[apart],
                sums[apart],
                np.repeat(start, width)[apart],
                np.repeat(stop, width)[apart],
            )
        )
    return _concat(found)


def _column_totals(table: _Table) -> _Found:
    """Every total column's cells against their row's value cells."""
    v = table.values
    sums = np.stack(
        [m[:, :v].sum(axis=1) for m in (table.lo, table.hi, table.given, table.suppressed)], axis=-1
    )
    found: list[_Found] = []
    for j in range(v, len(table.letters)):
        i = np.arange(len(table.rows))
        apart = _apart(table, i, np.full_like(i, j), sums)
        none = np.full(int(apart.sum()), -1)
        found.append(_Found(i[apart], np.full_like(i, j)[apart], sums[apart], none, none))
    return _concat(found)


def _concat(parts: list[_Found]) -> _Found:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _Found(empty, empty, np.zeros((0, 4), dtype=np.int64), empty, empty)
    i, j, sums, start, stop = (
        np.concatenate([getattr(p, name) for p in parts])
        for name in ("i", "j", "sums", "start", "stop")
    )
    return _Found(i, j, sums.reshape(-1, 4), start, stop)


def _sum_text(lo: int, hi: int, cells: int, suppressed: int) -> str:
    if lo == hi and not suppressed:
        return f"{lo}"
    return f"between {lo} and {hi} ({suppressed} of {cells} suppressed)"


def _difference(t_lo: int, t_hi: int, lo: int, hi: int) -> str:
    """How far the stated total (t_lo..t_hi) lies outside its cells' sum (lo..hi)."""
    exact = t_lo == t_hi and lo == hi
    can = "" if exact else "can "
    if t_lo > hi:
        most = "" if exact else "the most "
        return f"the total is {t_lo - hi} more than {most}they {can}add up to (difference +{t_lo - hi})"
    least = "" if exact else "the least "
    return (
        f"the total is {lo - t_hi} less than {least}they {can}add up to (difference -{lo - t_hi})"
    )


def _message(table: _Table, found: _Found, n: int) -> str:
    i, j = int(found.i[n]), int(found.j[n])
    lo, hi, cells, suppressed = (int(x) for x in found.sums[n])
    t_lo, t_hi = int(table.lo[i, j]), int(table.hi[i, j])
    text = table.text(i, j)
    stated = text if t_lo == t_hi and text.isdecimal() else f"{text!r} ({t_lo}..{t_hi})"
    if found.start[n] < 0:
        what, of = f"total column {table.headers[j]!r}", "the row's value cells"
    else:
        what = f"total row ({table.label(i)}) in column {table.headers[j]!r}"
        start, stop = int(found.start[n]), int(found.stop[n])
        span = table.rows[start:stop][table.entry[start:stop] < 0]
        whole = table.spec.totals.rows[int(table.entry[i])].sums == "table"
        of = "the data rows of the whole table" if whole else "the rows above"
        of += f" (rows {span[0]}-{span[-1]})" if span.size else " (none)"
    summed = _sum_text(lo, hi, cells, suppressed)
    return f"{what} states {stated} but {of} add up to {summed}: {_difference(t_lo, t_hi, lo, hi)}"


def total_errors(grid: Grid, spec: FileSpec, cells: pa.Table, limit: int) -> list[ReadError]:
    """The totals of one file (or sheet) that disagree with its canonical `cells`, in row and
    column order, up to `limit` (the first saying how many there are); a total cell that is no
    count is an error too. Nothing to check (no totals declared, or a data cell that is no count,
    which bad_count_errors names): no errors."""
    if not (spec.totals.rows or spec.totals.columns):
        return []
    table = _read(grid, spec, cells)
    if table.bad_data:
        return []

    def error(i: int, j: int, detail: str) -> ReadError:
        return ReadError.at(
            detail,
            file=spec.source_name,
            sheet=grid.sheet,
            row=int(table.rows[i]),
            column=table.letters[j],
        )

    if len(table.bad_totals):
        expected = (
            f"a whole non-negative number, a suppression marker {spec.suppression.markers} or a "
            f"nil marker {spec.nil_markers}"
        )
        return [
            error(i, j, f"total {table.text(i, j)!r} is not {expected}")
            for i, j in table.bad_totals[:limit]
        ]
    found = _concat([_row_totals(table), _column_totals(table)])
    in_sheet_order = sorted(
        range(len(table.letters)), key=lambda j: _column_order(table.letters[j])
    )
    rank = np.argsort(np.array(in_sheet_order, dtype=np.int64))
    order = np.lexsort((rank[found.j], table.rows[found.i])).tolist()
    errors = [
        error(int(found.i[n]), int(found.j[n]), _message(table, found, n)) for n in order[:limit]
    ]
    if len(order) > 1 and errors:
        first = errors[0]
        errors[0] = error(
            int(found.i[order[0]]),
            int(found.j[order[0]]),
            f"{first.detail} ({len(order)} totals in this file disagree)",
        )
    return errors
