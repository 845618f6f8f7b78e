"""Turn a grid of cells into canonical count cells: one row per count, every value still text.

Long layouts select the manifest's columns; wide layouts unpivot their value columns. Work is done
column by column with Arrow compute, never cell by cell in Python, so national-scale returns stay fast.
Every output row keeps the spreadsheet row and column its count came from.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.returns.manifest import FileSpec
from orchestration.returns.readers import Grid, ReadError, column_letter

CELL_SCHEMA = pa.schema(
    [
        ("source_row", pa.int32()),
        ("source_column", pa.string()),
        ("source_header", pa.string()),
        ("month_raw", pa.string()),
        ("offence_raw", pa.string()),
        ("nationality_raw", pa.string()),
        ("count_raw", pa.string()),
    ]
)


def _where(grid: Grid, spec: FileSpec, row: int | None = None, column: str | None = None) -> str:
    parts = [f"file {spec.path}"]
    if grid.sheet:
        parts.append(f"sheet {grid.sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


def _columns_by_header(grid: Grid, spec: FileSpec) -> tuple[list[str], dict[str, int]]:
    if len(grid.rows) < spec.header_row:
        raise ReadError(
            f"{_where(grid, spec, spec.header_row)}: header row is past the end of the data"
        )
    header = grid.rows[spec.header_row - 1]
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and name not in index:
            index[name] = i
    return header, index


def _require(grid: Grid, spec: FileSpec, index: dict[str, int], names: list[str]) -> None:
    missing = [n for n in names if n not in index]
    if missing:
        raise ReadError(
            f"{_where(grid, spec, spec.header_row)}: expected header(s) {missing} not found; "
            f"headers present: {[h for h in index]}"
        )


def canonical_cells(grid: Grid, spec: FileSpec) -> pa.Table:
    """Count cells of one file as text, with their source row and column."""
    header, index = _columns_by_header(grid, spec)
    cols = spec.columns
    dimension_columns = [c for c in (cols.month, cols.offence, cols.nationality, cols.count) if c]
    _require(grid, spec, index, dimension_columns + list(spec.skip_rows_matching))

    width = max((len(r) for r in grid.rows), default=0)
    body = [r + [""] * (width - len(r)) for r in grid.rows[spec.header_row :]]
    first_row = spec.header_row + 1
    columns = list(zip(*body, strict=True)) if body else [()] * width
    table = pa.table(
        {"source_row": pa.array(range(first_row, first_row + len(body)), pa.int32())}
        | {f"c{i}": pa.array(columns[i], pa.string()) for i in range(width)}
    )

    # Blank rows and rows the manifest marks as totals or notes are not data.
    keep = pa.array([True] * table.num_rows, pa.bool_())
    if width:
        keep = pc.invert(_all_true([pc.equal(table[f"c{i}"], "") for i in range(width)]))
    for column, pattern in spec.skip_rows_matching.items():
        keep = pc.and_(
            keep, pc.invert(pc.match_substring_regex(table[f"c{index[column]}"], pattern))
        )
    table = table.filter(keep)

    n = table.num_rows

    def dimension(name: str | None, constant: str | None) -> pa.Array:
        if name is not None:
            return table[f"c{index[name]}"].combine_chunks()
        return pa.array([constant] * n, pa.string())

    month = dimension(cols.month, cols.month_value)
    offence = dimension(cols.offence, cols.offence_value)

    if spec.layout == "long":
        count_index = index[cols.count]
        pieces = [
            _piece(
                table, month, offence, table[f"c{index[cols.nationality]}"], count_index, cols.count
            )
        ]
    else:
        value_names = spec.value_columns or [
            h for h in index if h not in dimension_columns and h not in spec.skip_rows_matching
        ]
        _require(grid, spec, index, value_names)
        pieces = [
            _piece(table, month, offence, pa.array([name] * n, pa.string()), index[name], name)
            for name in value_names
        ]
    cells = pa.concat_tables(pieces) if pieces else CELL_SCHEMA.empty_table()
    # A blank count cell means the return gives no figure there; it is not a zero.
    return cells.filter(pc.not_equal(cells["count_raw"], ""))


def _all_true(arrays: list[pa.Array]) -> pa.Array:
    result = arrays[0]
    for a in arrays[1:]:
        result = pc.and_(result, a)
    return result


def _piece(
    table: pa.Table,
    month: pa.Array,
    offence: pa.Array,
    nationality: pa.Array,
    count_index: int,
    count_header: str,
) -> pa.Table:
    n = table.num_rows
    return pa.table(
        {
            "source_row": table["source_row"],
            "source_column": pa.array([column_letter(count_index)] * n, pa.string()),
            "source_header": pa.array([count_header] * n, pa.string()),
            "month_raw": month,
            "offence_raw": offence,
            "nationality_raw": nationality,
            "count_raw": table[f"c{count_index}"],
        },
        schema=CELL_SCHEMA,
    )
