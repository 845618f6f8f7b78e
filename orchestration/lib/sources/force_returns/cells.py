"""Turn a grid of cells into canonical count cells: one row per count, every value still text.

Long layouts select the manifest's columns; wide layouts unpivot their value columns, whose
headers hold one or more dimensions (nationality, month, offence, sex, age band), from one header
row or several combined ("British|Male" under a merged "British"); record-level layouts count
their rows (records.py). Before that, the body loses the rows the manifest says are not figures
(row_rules.py) and its section headings become a dimension; a sheet holding several tables is read
one table at a time (tables.py). Work is done column by column with Arrow compute, never cell by
cell in Python, so national-scale returns stay fast. Every output row keeps the spreadsheet row
and column its count came from (a counted record cell: every row it counts).
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.sources.force_returns.manifest import DIMENSIONS, HEADER_JOIN, FileSpec
from orchestration.lib.sources.force_returns.readers import (
    LINEAGE_FIELDS,
    Grid,
    ReadError,
    column_letter,
    text_fields,
)
from orchestration.lib.sources.force_returns.records import count_records
from orchestration.lib.sources.force_returns.row_rules import (
    drop_layout_lines,
    fill_sections,
    strip_marks,
)
from orchestration.lib.sources.force_returns.tables import TablePlace, place_table

CELL_SCHEMA = pa.schema(
    [
        *LINEAGE_FIELDS,
        *text_fields(
            "month_raw", "offence_raw", "nationality_raw", "sex_raw", "age_band_raw", "count_raw"
        ),
        # Every row a record-level cell counts (ascending); null for a cell read from one row.
        ("source_rows", pa.list_(pa.int32())),
    ]
)


def _error(
    grid: Grid, spec: FileSpec, detail: str, row: int | None = None, column: str | None = None
):
    return ReadError.at(detail, file=spec.source_name, sheet=grid.sheet, row=row, column=column)


def combined_headers(grid: Grid, spec: FileSpec, place: TablePlace | None = None) -> list[str]:
    """The header text of every column, footnote marks stripped. With several header rows, an
    upper row's merged cells (from the file's merged ranges, else a blank continuing a group whose
    columns all have lower headers) are filled across, and the rows' texts are joined:
    "British|Male"."""
    lines = (place or place_table(grid, spec)).header_lines
    if grid.height < lines[-1]:
        raise _error(grid, spec, "header row is past the end of the data", row=lines[-1])
    rows = [grid.row(n) for n in lines]
    if spec.footnote_marks is not None:
        rows = [strip_marks(pa.array(row, pa.string()), spec).to_pylist() for row in rows]
    if len(rows) > 1:
        first = lines[0] - 1
        for (r0, c0), (r1, c1) in grid.merged:
            for i, line in enumerate(lines):
                if r0 <= line - 1 <= r1 and r0 >= first:
                    value = grid.row(r0 + 1)[c0]
                    for c in range(c0, min(c1 + 1, grid.width)):
                        rows[i][c] = rows[i][c] or value
        lowest = rows[-1]
        for upper in rows[:-1]:
            for c in range(1, len(upper)):
                if upper[c] or not lowest[c]:
                    continue
                k = c - 1
                while k >= 0 and not upper[k] and lowest[k]:
                    k -= 1
                if k >= 0 and upper[k] and all(lowest[k : c + 1]):
                    upper[c] = upper[k]
    headers = []
    for c in range(grid.width):
        parts: list[str] = []
        for row in rows:
            if row[c] and (not parts or parts[-1] != row[c]):
                parts.append(row[c])
        headers.append(HEADER_JOIN.join(parts))
    return headers


def dimension_columns(grid: Grid, spec: FileSpec) -> dict[str, str]:
    """Spreadsheet column letter of each dimension the manifest reads from a column (the first,
    for a month over several)."""
    headers = combined_headers(grid, spec)
    letters = {}
    for dim in DIMENSIONS:
        name = spec.columns.column(dim)
        if name is not None and name in headers:
            letters[dim] = column_letter(headers.index(name))
    return letters


def _require(
    grid: Grid, spec: FileSpec, place: TablePlace, index: dict[str, int], names: list[str]
) -> None:
    missing = [n for n in names if n not in index]
    if missing:
        raise _error(
            grid,
            spec,
            f"expected header(s) {missing} not found; headers present: {list(index)}",
            row=place.header_lines[-1],
        )


def _body(grid: Grid, place: TablePlace) -> pa.Table:
    """The rows below the header (up to last_row, or the first blank row after the table when
    skip_rows_after_blank), blank rows dropped, with their spreadsheet row numbers."""
    first_row = place.header_lines[-1] + 1
    stop = grid.height if place.last_row is None else min(place.last_row, grid.height)
    body = grid.table.slice(first_row - 1, max(stop - first_row + 1, 0))
    n = body.num_rows
    body = body.add_column(
        0, "source_row", pa.array(np.arange(first_row, first_row + n, dtype=np.int32))
    )
    if not grid.width or not n:
        return body.slice(0, 0)
    blank = pc.equal(body["c0"], "")
    for j in range(1, grid.width):
        blank = pc.and_(blank, pc.equal(body[f"c{j}"], ""))
    blank_np = blank.to_numpy(zero_copy_only=False)
    if place.stop_at_blank and not blank_np.all():
        first_data = int(np.argmax(~blank_np))
        after = np.flatnonzero(blank_np[first_data:])
        if after.size:
            body = body.slice(0, first_data + int(after[0]))
            blank = blank.slice(0, body.num_rows)
    # Filtering copies every column: skip it when there is no blank row to drop.
    return body.filter(pc.invert(blank)) if pc.any(blank).as_py() else body


def rows_matching(table: pa.Table, index: dict[str, int], match: dict[str, str]) -> pa.Array:
    """True for the rows whose cell under every header in `match` matches its regular expression."""
    hit = None
    for column, pattern in match.items():
        found = pc.match_substring_regex(table[f"c{index[column]}"], pattern)
        hit = found if hit is None else pc.and_(hit, found)
    assert hit is not None  # a total row's match names at least one column
    return hit


def canonical_cells(grid: Grid, spec: FileSpec) -> pa.Table:
    """Count cells of one file (or sheet, or table) as text, with their source row and column."""
    place = place_table(grid, spec)
    headers = combined_headers(grid, spec, place)
    index: dict[str, int] = {}
    for i, name in enumerate(headers):
        if name and name not in index:
            index[name] = i
    cols = spec.columns
    dimension_columns = [c for d in DIMENSIONS for c in cols.names(d)]
    count_columns = [cols.count] if cols.count else []
    section_columns = [section.column for section in spec.sections]
    _require(
        grid,
        spec,
        place,
        index,
        dimension_columns
        + count_columns
        + list(spec.skip_rows_matching)
        + section_columns
        + spec.totals.headers,
    )

    table = drop_layout_lines(_body(grid, place), grid, spec, place.header_lines)
    # Rows the manifest marks as totals or notes are not data.
    for column, pattern in spec.skip_rows_matching.items():
        table = table.filter(
            pc.invert(pc.match_substring_regex(table[f"c{index[column]}"], pattern))
        )
    # Rows stating the return's own totals are checked against the data (totals.py), never data.
    for total in spec.totals.rows:
        table = table.filter(pc.invert(rows_matching(table, index, total.match)))
    table, sections = fill_sections(table, grid, spec, index)
    n = table.num_rows

    def constant(value: str | None) -> pa.Array:
        if value is None:
            return pa.nulls(n, pa.string())
        return pa.repeat(pa.scalar(value, pa.string()), n)

    fixed: dict[str, pa.Array] = {}
    for dim in DIMENSIONS:
        if names := cols.names(dim):
            parts = [table[f"c{index[name]}"].combine_chunks() for name in names]
            # A month over several columns reads as their texts joined: "2024 January".
            joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " ")
            fixed[dim] = strip_marks(joined, spec)
        elif dim in sections:
            fixed[dim] = sections[dim]
        elif dim not in spec.wide_by:
            fixed[dim] = constant(cols.value(dim))

    if spec.layout == "records":
        month = cols.column("month")
        letter = column_letter(index[month]) if month else "(manifest month_value)"
        return count_records(table, grid, spec, fixed, letter, CELL_SCHEMA)
    if spec.layout == "long":
        assert cols.count is not None  # the manifest requires it for a long layout
        pieces = [_piece(table, fixed, index[cols.count], cols.count)]
    else:
        not_values = (
            set(dimension_columns)
            | set(spec.skip_rows_matching)
            | set(spec.ignore_columns)
            | set(spec.totals.columns)
            | set(section_columns)
        )
        value_names = spec.value_columns or [h for h in index if h not in not_values]
        _require(grid, spec, place, index, value_names)
        if not value_names:
            raise _error(
                grid, spec, "a wide layout found no value columns", row=place.header_lines[-1]
            )
        k = len(spec.wide_by)
        pieces = []
        for name in value_names:
            parts = name.split(HEADER_JOIN)
            if len(parts) < k:
                raise _error(
                    grid,
                    spec,
                    f"header {name!r} does not hold {k} parts ({HEADER_JOIN.join(spec.wide_by)}) "
                    "for wide_by",
                    row=place.header_lines[-1],
                    column=column_letter(index[name]),
                )
            wide = {dim: constant(part) for dim, part in zip(spec.wide_by, parts[-k:], strict=True)}
            pieces.append(_piece(table, fixed | wide, index[name], name))
    cells = pa.concat_tables(pieces) if pieces else CELL_SCHEMA.empty_table()
    cells = _without_separators(cells, spec)
    # A blank count cell means the return gives no figure there; it is not a zero.
    given = pc.not_equal(cells["count_raw"], "")
    if given.null_count == 0 and pc.all(given).as_py():
        return cells  # nothing to drop: filtering would only copy every column
    return cells.filter(given)


def _without_separators(cells: pa.Table, spec: FileSpec) -> pa.Table:
    """Counts with their thousands separators removed ("1,234" -> "1234"), where the manifest
    declares one; only digits in groups of three count, so "1,23" stays as written (and bad)."""
    sep = spec.thousands_separator
    if sep is None:
        return cells
    counts = cells["count_raw"]
    grouped = pc.match_substring_regex(counts, rf"^\d{{1,3}}({re.escape(sep)}\d{{3}})+$")
    plain = pc.if_else(grouped, pc.replace_substring(counts, sep, ""), counts)
    return cells.set_column(cells.schema.get_field_index("count_raw"), "count_raw", plain)


def _piece(table: pa.Table, dims: dict[str, pa.Array], count_index: int, header: str) -> pa.Table:
    n = table.num_rows
    return pa.table(
        {
            "source_row": table["source_row"],
            "source_column": pa.repeat(pa.scalar(column_letter(count_index), pa.string()), n),
            "source_header": pa.repeat(pa.scalar(header, pa.string()), n),
            **{f"{dim}_raw": dims[dim] for dim in DIMENSIONS},
            "count_raw": table[f"c{count_index}"],
            "source_rows": pa.nulls(n, pa.list_(pa.int32())),
        },
        schema=CELL_SCHEMA,
    )
