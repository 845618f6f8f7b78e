"""Read a Home Office dataset (manifest + file) into count cells as text, with lineage.

The file becomes a grid of text cells through the force returns' reader (CSV, XLSX, ODS); this
module finds the table in it (header row, rows up to the first blank row), drops the rows that are
not a force (region subtotals, national totals), strips footnote digits from names and headers, and
gives one row per count cell: the open data's Arrests cell, or each offence-group cell of a summary
table row. Work is column-wise with Arrow compute. Values stay text (`..`, `-` included): staging
types them with the markers the manifest declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.fingerprint import folder_fingerprint, sha256_of
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.readers import (
    DEFAULT_LIMITS,
    LINEAGE_FIELDS,
    Grid,
    ReadError,
    column_letter,
    place,
    read_grid,
    text_fields,
)
from orchestration.lib.sources.home_office.manifest import (
    MANIFEST_NAME,
    HomeOfficeManifest,
    financial_year_period,
    load_dataset_manifest,
)

CELL_SCHEMA = pa.schema(
    [
        *LINEAGE_FIELDS,
        *text_fields("financial_year_raw", "period", "geocode_raw", "force_name_raw", "force_name"),
        *text_fields("region_raw", "offence_group_raw"),
        ("is_offence_total", pa.bool_()),
        *text_fields("gender_raw", "ethnicity_raw", "age_group_raw", "arrests_raw"),
    ]
)
# A count: digits, optionally with thousands separators as published (1,234).
_COUNT = r"^([0-9]+|[0-9]{1,3}(,[0-9]{3})+)$"


@dataclass(frozen=True)
class ParsedDataset:
    manifest: HomeOfficeManifest
    content_sha256: str  # over the manifest and every file in the dataset folder
    file_sha256: str
    sheet: str | None
    cells: pa.Table  # CELL_SCHEMA with the lineage fields first


@dataclass(frozen=True)
class _GridSpec:
    """What read_grid needs from a spec: which sheet, and how to decode a CSV."""

    sheet: str | None
    encoding: str | None
    delimiter: str | None


def _where(
    m: HomeOfficeManifest, sheet: str | None, row: int | None = None, column: str | None = None
) -> str:
    return place(f"dataset {m.dataset_id}, file {m.file}", sheet, row, column)


def strip_footnotes(values: pa.Array, pattern: str) -> pa.Array:
    """`Lancashire1` -> `Lancashire`: a value matching the pattern becomes its first group."""
    return pc.replace_substring_regex(values, pattern=pattern, replacement=r"\1")


def grid_columns(grid: Grid) -> pa.Table:
    """The grid as text columns c0, c1, … (item i = spreadsheet row i + 1), whether the reader
    gives it column-wise (`grid.table`) or as a list of rows (`grid.rows`)."""
    table = getattr(grid, "table", None)
    if table is not None:
        return table.cast(pa.schema([(name, pa.string()) for name in table.column_names]))
    rows = grid.rows
    width = max((len(r) for r in rows), default=0)
    columns = list(zip(*(r + [""] * (width - len(r)) for r in rows), strict=True))
    return pa.table({f"c{j}": pa.array(columns[j], pa.string()) for j in range(width)})


def _header_index(
    columns: pa.Table, m: HomeOfficeManifest, sheet: str | None
) -> tuple[list[str], dict[str, int]]:
    """The header row, and header name -> column index under both the name as found and with
    footnote digits stripped."""
    if columns.num_rows < m.header_row:
        raise ReadError(f"{_where(m, sheet, m.header_row)}: header row is past the end of the data")
    header = [col[m.header_row - 1].as_py() or "" for col in columns.columns]
    stripped = strip_footnotes(pa.array(header, pa.string()), m.footnote_pattern).to_pylist()
    index: dict[str, int] = {}
    for i, (raw, clean) in enumerate(zip(header, stripped, strict=True)):
        for name in (raw, clean):
            if name and name not in index:
                index[name] = i
    needed = list(m.columns.mapped().values()) + m.offence_columns
    if m.total_column:
        needed.append(m.total_column)
    missing = [n for n in needed if n not in index]
    if missing:
        raise ReadError(
            f"{_where(m, sheet, m.header_row)}: expected header(s) {missing} not found; "
            f"headers present: {[h for h in header if h]}"
        )
    return header, index


def _table_body(columns: pa.Table, m: HomeOfficeManifest) -> pa.Table:
    """Rows below the header as columns c0, c1, … with their 1-based row number in `source_row`.
    The table ends at the first blank row when the manifest says notes follow it; otherwise blank
    rows are dropped."""
    body = columns.slice(m.header_row)
    body = body.add_column(
        0,
        "source_row",
        pa.array(range(m.header_row + 1, m.header_row + 1 + body.num_rows), pa.int32()),
    )
    if not columns.num_columns:
        return body
    blank = pa.array([True] * body.num_rows, pa.bool_())
    for name in columns.column_names:
        blank = pc.and_(blank, pc.equal(pc.fill_null(body[name], ""), ""))
    if m.notes_after_blank_row:
        first_blank = pc.index(blank, True).as_py()
        if first_blank >= 0:
            body, blank = body.slice(0, first_blank), blank.slice(0, first_blank)
    return body.filter(pc.invert(blank))


def _forces_only(table: pa.Table, names: pa.Array, m: HomeOfficeManifest) -> pa.Array:
    """True for rows that are a force; false for region subtotals and other rows the manifest skips."""
    lowered = pc.utf8_lower(names)
    listed = pa.array([n.lower() for n in m.skip_rows.names], pa.string())
    skip = pc.is_in(lowered, listed)
    if m.skip_rows.repeated_names == "first_is_subtotal" and len(listed):
        # A listed name met again below its first row (West Midlands the force, after West
        # Midlands the region) is a force: only the first occurrence is the subtotal.
        seen: set[str] = set()
        first = []
        for value, is_listed in zip(lowered.to_pylist(), skip.to_pylist(), strict=True):
            first.append(bool(is_listed) and value not in seen)
            if is_listed:
                seen.add(value)
        skip = pa.array(first, pa.bool_())
    if m.skip_rows.names_matching:
        skip = pc.or_(skip, pc.match_substring_regex(names, m.skip_rows.names_matching))
    return pc.invert(pc.fill_null(skip, False))


def dataset_cells(grid: Grid, m: HomeOfficeManifest) -> pa.Table:
    """Count cells of one table as text, with their source row and column (CELL_SCHEMA)."""
    columns = grid_columns(grid)
    header, index = _header_index(columns, m, grid.sheet)
    table = _table_body(columns, m)
    n = table.num_rows
    cols = m.columns

    def column(name: str | None) -> pa.Array:
        if name is None:
            return pa.nulls(n, pa.string())
        return table[f"c{index[name]}"].combine_chunks()

    geocode = column(cols.geocode)
    name_raw = column(cols.force_name)
    name = strip_footnotes(name_raw, m.footnote_pattern) if cols.force_name else name_raw
    identity = name if cols.force_name else geocode

    keep = _forces_only(table, identity, m)
    table, geocode, name_raw, name = (x.filter(keep) for x in (table, geocode, name_raw, name))
    n = table.num_rows
    unnamed = pc.and_(pc.equal(pc.fill_null(name, ""), ""), pc.equal(pc.fill_null(geocode, ""), ""))
    if pc.any(unnamed).as_py():
        row = table.filter(unnamed)["source_row"][0].as_py()
        raise ReadError(
            f"{_where(m, grid.sheet, row)}: a row inside the table names no force "
            f"(expected a value under {cols.force_name or cols.geocode!r})"
        )

    if cols.financial_year:
        financial_year = column(cols.financial_year)
    else:
        financial_year = pa.array([m.financial_year_value] * n, pa.string())
    shared = {
        "financial_year_raw": financial_year,
        "geocode_raw": geocode,
        "force_name_raw": name_raw,
        "force_name": name,
        "region_raw": column(cols.region),
        "gender_raw": column(cols.gender),
        "ethnicity_raw": column(cols.ethnicity),
        "age_group_raw": column(cols.age_group),
    }

    def piece(count_index: int, header: str, offence: pa.Array, is_total: bool) -> pa.Table:
        return (
            pa.table(
                {
                    "source_row": table["source_row"],
                    "source_column": pa.array([column_letter(count_index)] * n, pa.string()),
                    "source_header": pa.array([header] * n, pa.string()),
                    **shared,
                    "period": pa.nulls(n, pa.string()),
                    "offence_group_raw": offence,
                    "is_offence_total": pa.array([is_total] * n, pa.bool_()),
                    "arrests_raw": table[f"c{count_index}"],
                }
            )
            .select(CELL_SCHEMA.names)
            .cast(CELL_SCHEMA)
        )

    if m.kind == "open_data_long":
        assert cols.arrests is not None  # the manifest requires it for the open data table
        i = index[cols.arrests]
        pieces = [piece(i, header[i], column(cols.offence_group), False)]
    else:
        targets = [(name, False) for name in m.offence_columns]
        if m.total_column:
            targets.append((m.total_column, True))
        pieces = [
            piece(index[t], header[index[t]], pa.array([t] * n, pa.string()), is_total)
            for t, is_total in targets
        ]
    cells = pa.concat_tables(pieces) if pieces and n else CELL_SCHEMA.empty_table()
    # A blank cell gives no figure; it is neither nil nor not available.
    cells = cells.filter(pc.not_equal(cells["arrests_raw"], ""))
    _check_counts(cells, m, grid.sheet)
    return _with_periods(cells, m, grid.sheet)


def _first(cells: pa.Table, mask: pa.Array) -> dict:
    return cells.filter(mask).slice(0, 1).to_pylist()[0]


def _check_counts(cells: pa.Table, m: HomeOfficeManifest, sheet: str | None) -> None:
    """Every count cell is a whole number or a declared marker; report the first bad one."""
    markers = m.markers.not_available + m.markers.nil
    ok = pc.or_(
        pc.match_substring_regex(cells["arrests_raw"], _COUNT),
        pc.is_in(cells["arrests_raw"], pa.array(markers, pa.string())),
    )
    if not pc.all(ok).as_py():
        bad = pc.invert(ok)
        cell = _first(cells, bad)
        raise ReadError(
            f"{_where(m, sheet, cell['source_row'], cell['source_column'])} "
            f"({cell['source_header']!r}): {cell['arrests_raw']!r} is not a whole non-negative "
            f"number or a marker (not available {m.markers.not_available}, nil {m.markers.nil}); "
            f"{pc.sum(bad).as_py()} such cell(s)"
        )


def _with_periods(cells: pa.Table, m: HomeOfficeManifest, sheet: str | None) -> pa.Table:
    """Fill `period` ('2023-24') from financial_year_raw; each distinct text is parsed once."""
    distinct = pc.unique(cells["financial_year_raw"])
    periods = []
    for raw in distinct.to_pylist():
        period = financial_year_period(raw)
        if period is None:
            cell = _first(cells, pc.equal(cells["financial_year_raw"], raw))
            column = m.columns.financial_year or "(manifest financial_year_value)"
            raise ReadError(
                f"{_where(m, sheet, cell['source_row'], column)}: financial year {raw!r} is not "
                "a financial year such as '2023/24'"
            )
        periods.append(period)
    filled = pc.take(
        pa.array(periods, pa.string()), pc.index_in(cells["financial_year_raw"], value_set=distinct)
    )
    return cells.set_column(cells.schema.get_field_index("period"), "period", filled)


def read_dataset(folder: Path, limits: ReadLimits = DEFAULT_LIMITS) -> ParsedDataset:
    """Read a dataset folder as its manifest says; raises ManifestError or ReadError naming the cell."""
    m = load_dataset_manifest(folder / MANIFEST_NAME)
    path = folder / m.file
    if not path.is_file():
        raise ReadError(f"{_where(m, None)}: file not found in {folder}")
    file_sha = sha256_of(path)
    grid = read_grid(path, _GridSpec(m.sheet, m.encoding, m.delimiter), None, limits)  # type: ignore[arg-type]
    cells = dataset_cells(grid, m)
    n = cells.num_rows
    lineage = {
        "dataset_id": pa.array([m.dataset_id] * n, pa.string()),
        "source_file": pa.array([m.file] * n, pa.string()),
        "file_sha256": pa.array([file_sha] * n, pa.string()),
        "sheet": pa.array([grid.sheet] * n, pa.string()),
    }
    table = pa.table(lineage | {name: cells[name] for name in cells.column_names})
    return ParsedDataset(m, folder_fingerprint(folder), file_sha, grid.sheet, table)
