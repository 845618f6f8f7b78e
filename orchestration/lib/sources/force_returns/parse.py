"""Parse one return folder (manifest + files) into raw rows with lineage, or a quarantine reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.fingerprint import folder_fingerprint, link_fingerprint, sha256_of
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.cells import canonical_cells, dimension_columns
from orchestration.lib.sources.force_returns.manifest import (
    MANIFEST_NAME,
    FileSpec,
    ReturnManifest,
    load_manifest,
)
from orchestration.lib.sources.force_returns.months import describe_format, month_of
from orchestration.lib.sources.force_returns.readers import (
    DEFAULT_LIMITS,
    Grid,
    ReadError,
    read_grid,
)
from orchestration.lib.sources.force_returns.tables import TablePlace, place_table
from orchestration.lib.sources.force_returns.totals import total_errors

# How many bad cells of one kind a validation lists before summarising the rest.
MAX_LISTED = 20


@dataclass(frozen=True)
class ParsedReturn:
    manifest: ReturnManifest
    content_sha256: str
    files: list[dict]  # one row per file (or sheet): lineage and how it was read
    cells: pa.Table  # canonical count cells, with return, file, sha256 and sheet on every row


def outside_landing(folder: Path) -> ReadError | None:
    """An error when the return folder is a symbolic link resolving outside the landing folder
    (its parent): a return must be in the landing folder, not linked into it."""
    landing = folder.parent.resolve()
    real = folder.resolve()
    if real != landing and real.is_relative_to(landing):
        return None
    return ReadError(
        f"return folder {folder.name} is a symbolic link to {real}, outside the landing folder "
        f"{landing}; expected a folder inside it (copy the return in rather than linking it)"
    )


def inside_return(folder: Path, spec: FileSpec) -> Path:
    """The file's path, refusing one that resolves (through a symbolic link) outside the return
    folder; the manifest's path key is already confined to the folder by name."""
    path = spec.local_path(folder)
    real = path.resolve()
    if not real.is_relative_to(folder.resolve()):
        raise ReadError.at(
            f"is a symbolic link to {real}, outside the return folder; expected a file inside it "
            "(copy the file in rather than linking it)",
            file=spec.source_name,
        )
    return path


def return_fingerprint(folder: Path, digests: dict[Path, str] | None = None) -> str:
    """sha256 over the manifest and every file beside it: changes when anything in the return does.
    A folder linked from outside the landing folder counts by where it points (it is refused when
    parsed); links inside count by their target, so nothing outside the return is read.
    `digests`, when given, receives each file's own sha256 by path, so it is not hashed again."""
    if outside_landing(folder) is not None:
        return link_fingerprint(folder)
    return folder_fingerprint(folder, digests)


def _no_cells_error(spec: FileSpec, grid: Grid, place: TablePlace) -> ReadError:
    return ReadError.at(
        f"no count cells below the header (row {place.header_lines[-1]}); expected at least one "
        "row of figures",
        file=spec.source_name,
        sheet=grid.sheet,
    )


def _read_file(
    folder: Path,
    spec: FileSpec,
    manifest: ReturnManifest,
    workbooks: dict,
    digests: dict,
    limits: ReadLimits,
) -> tuple[pa.Table, dict]:
    path = inside_return(folder, spec)
    if spec.url is not None and not path.is_file():
        raise ReadError.at(
            f"not downloaded yet from {spec.url} (pull it first)", file=spec.source_name
        )
    grid = read_grid(path, spec, workbooks, limits)
    place = place_table(grid, spec)
    cells = canonical_cells(grid, spec)
    if cells.num_rows == 0:
        raise _no_cells_error(spec, grid, place)
    bad = bad_count_errors(cells, spec, grid.sheet, limit=1) or total_errors(
        grid, spec, cells, limit=1
    )
    if bad:
        raise bad[0]
    cells, bad = with_iso_months(cells, spec, manifest, grid.sheet, limit=1)
    if bad:
        raise bad[0]
    file_sha = digests.get(path) or sha256_of(path)
    n = cells.num_rows
    lineage = {
        "return_id": pa.repeat(pa.scalar(manifest.return_id, pa.string()), n),
        "source_file": pa.repeat(pa.scalar(spec.source_name, pa.string()), n),
        "file_sha256": pa.repeat(pa.scalar(file_sha, pa.string()), n),
        "sheet": pa.repeat(pa.scalar(grid.sheet, pa.string()), n),
        "table_row": pa.repeat(pa.scalar(place.first_row, pa.int32()), n),
    }
    table = pa.table(lineage | {name: cells[name] for name in cells.column_names})
    info = {
        "return_id": manifest.return_id,
        "source_file": spec.source_name,
        "source_url": spec.url,
        "file_sha256": file_sha,
        "sheet": grid.sheet,
        "table_row": place.first_row,
        "layout": spec.layout if not spec.wide_by else f"wide by {'|'.join(spec.wide_by)}",
        "suppression_markers": list(spec.suppression.markers),
        "nil_markers": list(spec.nil_markers),
        "suppressed_lower": spec.suppression.lower,
        "suppressed_upper": spec.suppression.upper,
        "cell_count": n,
    }
    return table, info


def parse_return(
    folder: Path,
    manifest: ReturnManifest | None = None,
    fingerprinted: tuple[str, dict[Path, str]] | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> ParsedReturn:
    """Read a return folder as its manifest says; raises ManifestError or ReadError naming the cell.
    A caller that has already read the manifest, or fingerprinted the folder with its files'
    digests (return_fingerprint), passes them so that neither is done twice."""
    outside = outside_landing(folder)
    if outside is not None:
        raise outside
    if manifest is None:
        manifest = load_manifest(folder / MANIFEST_NAME)
    if fingerprinted is None:
        digests: dict[Path, str] = {}  # each file is hashed once, for the fingerprint and its rows
        fingerprint = return_fingerprint(folder, digests)
    else:
        fingerprint, digests = fingerprinted
    files, tables = [], []
    workbooks: dict = {}  # a spreadsheet read sheet by sheet is opened once
    spans: dict[tuple[str, str | None], list[tuple[int, int]]] = {}
    for spec in manifest.files:
        table, info = _read_file(folder, spec, manifest, workbooks, digests, limits)
        if info["table_row"] is not None:
            overlap = overlapping_table(spans, spec, info["sheet"], info["table_row"], table)
            if overlap is not None:
                raise overlap
        tables.append(table)
        files.append(info)
    return ParsedReturn(manifest, fingerprint, files, pa.concat_tables(tables))


def overlapping_table(
    spans: dict[tuple[str, str | None], list[tuple[int, int]]],
    spec: FileSpec,
    sheet: str | None,
    first_row: int,
    cells: pa.Table,
) -> ReadError | None:
    """An error when this table's rows (its first row to its last cell's) overlap a table read
    before from the same sheet: two headings found the same table. Records the span in `spans`."""
    span = (first_row, int(pc.max(cells["source_row"]).as_py()))
    earlier = spans.setdefault((spec.source_name, sheet), [])
    for other in earlier:
        if span[0] <= other[1] and other[0] <= span[1]:
            return ReadError.at(
                f"the table at rows {span[0]}..{span[1]} overlaps the table read before at rows "
                f"{other[0]}..{other[1]}; expected each table: heading to find a table of its own",
                file=spec.source_name,
                sheet=sheet,
                row=span[0],
            )
    earlier.append(span)
    return None


@dataclass(frozen=True)
class FileCells:
    """One file's (or sheet's) canonical cells as read for validation, with `month` as YYYY-MM
    (null where the month string is bad)."""

    spec: FileSpec
    sheet: str | None
    cells: pa.Table
    columns: dict[str, str]  # dimension -> column letter, for dimensions read from a column
    header_row: int  # the (lowest) header row on the sheet


def validate_return(
    folder: Path, manifest: ReturnManifest, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[FileCells], list[ReadError]]:
    """Every problem reading the return's files, not only the first: each file is read on its own,
    and bad counts and months are listed cell by cell (up to MAX_LISTED of each per file). Returns
    the cells of the files that could be read, and the problems."""
    errors: list[ReadError] = []
    read: list[FileCells] = []
    workbooks: dict = {}
    spans: dict[tuple[str, str | None], list[tuple[int, int]]] = {}
    for spec in manifest.files:
        as_read: Grid | None = None  # the sheet, once read
        try:
            path = inside_return(folder, spec)
            if spec.url is not None and not path.is_file():
                raise ReadError.at(f"not downloaded from {spec.url}", file=spec.source_name)
            grid = as_read = read_grid(path, spec, workbooks, limits)
            place = place_table(grid, spec)
            cells = canonical_cells(grid, spec)
            if cells.num_rows == 0:
                raise _no_cells_error(spec, grid, place)
        except ReadError as exc:
            # The sheet was read but its layout does not parse: keep the grid as read, so that
            # `warehouse check` can show its first rows (preview.py).
            exc.grid = exc.grid or as_read
            # Every sheet of a file that cannot be opened fails alike: list that once.
            if not any(str(e) == str(exc) for e in errors):
                errors.append(exc)
            continue
        if place.first_row is not None:
            overlap = overlapping_table(spans, spec, grid.sheet, place.first_row, cells)
            if overlap is not None:
                errors.append(overlap)
        errors += bad_count_errors(cells, spec, grid.sheet, limit=MAX_LISTED)
        errors += total_errors(grid, spec, cells, limit=MAX_LISTED)
        cells, month_errors = with_iso_months(cells, spec, manifest, grid.sheet, limit=MAX_LISTED)
        errors += month_errors
        read.append(
            FileCells(
                spec, grid.sheet, cells, dimension_columns(grid, spec), place.header_lines[-1]
            )
        )
    return read, errors


def _cell_error(
    spec: FileSpec, sheet: str | None, cell: dict, column: str, detail: str
) -> ReadError:
    return ReadError.at(
        detail, file=spec.source_name, sheet=sheet, row=cell["source_row"], column=column
    )


def bad_count_errors(
    cells: pa.Table, spec: FileSpec, sheet: str | None, limit: int
) -> list[ReadError]:
    """Counts must be whole non-negative numbers, a declared suppression marker or a declared nil
    marker. Checked over the whole column at once; lists up to `limit` bad cells, the first saying
    how many there are."""
    counts = cells["count_raw"]
    markers = pa.array(spec.suppression.markers + spec.nil_markers, pa.string())
    # ascii_is_decimal: non-empty and only 0-9, as ^[0-9]+$ says, without a regex per cell.
    ok = pc.or_(pc.ascii_is_decimal(counts), pc.is_in(counts, markers))
    if pc.all(ok).as_py() is not False:
        return []
    bad_cells = cells.filter(pc.invert(ok))
    total = bad_cells.num_rows
    expected = f"a whole non-negative number or a suppression marker {spec.suppression.markers}"
    if spec.nil_markers:
        expected += f" or a nil marker {spec.nil_markers}"
    errors = []
    for cell in bad_cells.slice(0, limit).to_pylist():
        errors.append(
            _cell_error(
                spec,
                sheet,
                cell,
                cell["source_column"],
                f"count {cell['count_raw']!r} is not {expected} ({total} such cell(s))",
            )
        )
    return errors


def with_iso_months(
    cells: pa.Table, spec: FileSpec, manifest: ReturnManifest, sheet: str | None, limit: int = 1
) -> tuple[pa.Table, list[ReadError]]:
    """Add `month` as YYYY-MM, read with the manifest's month_format (a spreadsheet's date cells
    as the dates they are: months.py); every month must fall inside the return's period. A file
    holds few distinct month strings, so each is parsed once. Returns the cells and up to `limit`
    errors (one per distinct bad month string)."""
    distinct = pc.unique(cells["month_raw"])
    iso: list[str | None] = []
    errors: list[ReadError] = []
    # A record-level file's cells were counted by month (records.py): month_raw is YYYY-MM.
    month_format = "%Y-%m" if spec.layout == "records" else spec.month_format
    expected = (
        f"{describe_format(month_format)} within {manifest.period.start}..{manifest.period.end}"
    )
    for raw in distinct.to_pylist():
        month = month_of(raw, month_format, typed_dates=sheet is not None)
        if month is None or not (manifest.period.start <= month <= manifest.period.end):
            if len(errors) < limit:
                cell = cells.filter(pc.equal(cells["month_raw"], raw)).slice(0, 1).to_pylist()[0]
                if spec.columns.month is not None:
                    column = ", ".join(spec.columns.names("month"))
                elif "month" in spec.wide_by:
                    column = cell["source_column"]
                else:
                    column = "(manifest month_value)"
                errors.append(
                    _cell_error(spec, sheet, cell, column, f"month {raw!r} is not {expected}")
                )
            month = None
        iso.append(month)
    months = pc.take(
        pa.array(iso, pa.string()), pc.index_in(cells["month_raw"], value_set=distinct)
    )
    return cells.append_column("month", months), errors
