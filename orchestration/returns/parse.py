"""Parse one return folder (manifest + files) into raw rows with lineage, or a quarantine reason."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.returns.canonical import canonical_cells, dimension_columns
from orchestration.returns.manifest import MANIFEST_NAME, FileSpec, ReturnManifest, load_manifest
from orchestration.returns.readers import ReadError, read_grid

# How many bad cells of one kind a validation lists before summarising the rest.
MAX_LISTED = 20


@dataclass(frozen=True)
class ParsedReturn:
    manifest: ReturnManifest
    content_sha256: str
    files: list[dict]  # one row per file (or sheet): lineage and how it was read
    cells: pa.Table  # canonical count cells, with return, file, sha256 and sheet on every row


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def return_fingerprint(folder: Path) -> str:
    """sha256 over the manifest and every file beside it: changes when anything in the return does."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(sha256_of(path).encode())
    return digest.hexdigest()


def _read_file(
    folder: Path, spec: FileSpec, manifest: ReturnManifest, workbooks: dict
) -> tuple[pa.Table, dict]:
    path = spec.local_path(folder)
    if spec.url is not None and not path.is_file():
        raise ReadError.at(
            f"not downloaded yet from {spec.url} (pull it first)", file=spec.source_name
        )
    grid = read_grid(path, spec, workbooks)
    cells = canonical_cells(grid, spec)
    bad = bad_count_errors(cells, spec, grid.sheet, limit=1)
    if bad:
        raise bad[0]
    cells, bad = with_iso_months(cells, spec, manifest, grid.sheet, limit=1)
    if bad:
        raise bad[0]
    file_sha = sha256_of(path)
    n = cells.num_rows
    lineage = {
        "return_id": pa.repeat(pa.scalar(manifest.return_id, pa.string()), n),
        "source_file": pa.repeat(pa.scalar(spec.source_name, pa.string()), n),
        "file_sha256": pa.repeat(pa.scalar(file_sha, pa.string()), n),
        "sheet": pa.repeat(pa.scalar(grid.sheet, pa.string()), n),
    }
    table = pa.table(lineage | {name: cells[name] for name in cells.column_names})
    info = {
        "return_id": manifest.return_id,
        "source_file": spec.source_name,
        "source_url": spec.url,
        "file_sha256": file_sha,
        "sheet": grid.sheet,
        "layout": spec.layout if not spec.wide_by else f"wide by {'|'.join(spec.wide_by)}",
        "suppression_markers": list(spec.suppression.markers),
        "nil_markers": list(spec.nil_markers),
        "suppressed_lower": spec.suppression.lower,
        "suppressed_upper": spec.suppression.upper,
        "cell_count": n,
    }
    return table, info


def parse_return(folder: Path) -> ParsedReturn:
    """Read a return folder as its manifest says; raises ManifestError or ReadError naming the cell."""
    manifest = load_manifest(folder / MANIFEST_NAME)
    files, tables = [], []
    workbooks: dict = {}  # a spreadsheet read sheet by sheet is opened once
    for spec in manifest.files:
        table, info = _read_file(folder, spec, manifest, workbooks)
        tables.append(table)
        files.append(info)
    return ParsedReturn(manifest, return_fingerprint(folder), files, pa.concat_tables(tables))


@dataclass(frozen=True)
class FileCells:
    """One file's (or sheet's) canonical cells as read for validation, with `month` as YYYY-MM
    (null where the month string is bad)."""

    spec: FileSpec
    sheet: str | None
    cells: pa.Table
    columns: dict[str, str]  # dimension -> column letter, for dimensions read from a column


def validate_return(
    folder: Path, manifest: ReturnManifest
) -> tuple[list[FileCells], list[ReadError]]:
    """Every problem reading the return's files, not only the first: each file is read on its own,
    and bad counts and months are listed cell by cell (up to MAX_LISTED of each per file). Returns
    the cells of the files that could be read, and the problems."""
    errors: list[ReadError] = []
    read: list[FileCells] = []
    workbooks: dict = {}
    for spec in manifest.files:
        path = spec.local_path(folder)
        try:
            if spec.url is not None and not path.is_file():
                raise ReadError.at(f"not downloaded from {spec.url}", file=spec.source_name)
            grid = read_grid(path, spec, workbooks)
            cells = canonical_cells(grid, spec)
        except ReadError as exc:
            errors.append(exc)
            continue
        errors += bad_count_errors(cells, spec, grid.sheet, limit=MAX_LISTED)
        cells, month_errors = with_iso_months(cells, spec, manifest, grid.sheet, limit=MAX_LISTED)
        errors += month_errors
        read.append(FileCells(spec, grid.sheet, cells, dimension_columns(grid, spec)))
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
    ok = pc.or_(pc.match_substring_regex(counts, r"^[0-9]+$"), pc.is_in(counts, markers))
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
    """Add `month` as YYYY-MM, read with the manifest's month_format; every month must fall inside
    the return's period. A file holds few distinct month strings, so each is parsed once. Returns
    the cells and up to `limit` errors (one per distinct bad month string)."""
    distinct = pc.unique(cells["month_raw"])
    iso, errors = [], []
    expected = (
        f"a month in {spec.month_format!r} within {manifest.period.start}..{manifest.period.end}"
    )
    for raw in distinct.to_pylist():
        try:
            month = dt.datetime.strptime(raw, spec.month_format).strftime("%Y-%m")
        except (TypeError, ValueError):
            month = None
        if month is None or not (manifest.period.start <= month <= manifest.period.end):
            if len(errors) < limit:
                cell = cells.filter(pc.equal(cells["month_raw"], raw)).slice(0, 1).to_pylist()[0]
                if spec.columns.month is not None:
                    column = spec.columns.month
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
