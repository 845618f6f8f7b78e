"""Parse one return folder (manifest + files) into raw rows with lineage, or a quarantine reason."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.returns.canonical import canonical_cells
from orchestration.returns.manifest import MANIFEST_NAME, FileSpec, ReturnManifest, load_manifest
from orchestration.returns.readers import ReadError, read_grid


@dataclass(frozen=True)
class ParsedReturn:
    manifest: ReturnManifest
    content_sha256: str
    files: list[dict]  # one row per file: lineage and how it was read
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


def parse_return(folder: Path) -> ParsedReturn:
    """Read a return folder as its manifest says; raises ManifestError or ReadError naming the cell."""
    manifest = load_manifest(folder / MANIFEST_NAME)
    files, tables = [], []
    for spec in manifest.files:
        path = folder / spec.path
        file_sha = sha256_of(path)
        grid = read_grid(path, spec)
        cells = canonical_cells(grid, spec)
        _check_counts(cells, spec, grid.sheet)
        cells = _with_iso_months(cells, spec, manifest, grid.sheet)
        n = cells.num_rows
        lineage = {
            "return_id": pa.array([manifest.return_id] * n, pa.string()),
            "source_file": pa.array([spec.path] * n, pa.string()),
            "file_sha256": pa.array([file_sha] * n, pa.string()),
            "sheet": pa.array([grid.sheet] * n, pa.string()),
        }
        tables.append(pa.table(lineage | {name: cells[name] for name in cells.column_names}))
        files.append(
            {
                "return_id": manifest.return_id,
                "source_file": spec.path,
                "file_sha256": file_sha,
                "sheet": grid.sheet,
                "layout": spec.layout,
                "suppression_markers": list(spec.suppression.markers),
                "suppressed_lower": spec.suppression.lower,
                "suppressed_upper": spec.suppression.upper,
                "cell_count": n,
            }
        )
    return ParsedReturn(manifest, return_fingerprint(folder), files, pa.concat_tables(tables))


def _first_bad(cells: pa.Table, bad: pa.Array) -> dict:
    return cells.filter(bad).slice(0, 1).to_pylist()[0]


def _where(spec: FileSpec, sheet: str | None, cell: dict, column: str) -> str:
    sheet_part = f", sheet {sheet!r}" if sheet else ""
    return f"file {spec.path}{sheet_part}, row {cell['source_row']}, column {column}"


def _check_counts(cells: pa.Table, spec: FileSpec, sheet: str | None) -> None:
    """Counts must be whole non-negative numbers or a declared suppression marker. Checked over the
    whole column at once, reporting the first bad cell and how many there are."""
    counts = cells["count_raw"]
    ok = pc.or_(
        pc.match_substring_regex(counts, r"^[0-9]+$"),
        pc.is_in(counts, pa.array(spec.suppression.markers, pa.string())),
    )
    if not pc.all(ok).as_py():
        cell = _first_bad(cells, pc.invert(ok))
        raise ReadError(
            f"{_where(spec, sheet, cell, cell['source_column'])}: count {cell['count_raw']!r} is not a "
            f"whole non-negative number or a suppression marker {spec.suppression.markers} "
            f"({pc.sum(pc.invert(ok)).as_py()} such cell(s))"
        )


def _with_iso_months(
    cells: pa.Table, spec: FileSpec, manifest: ReturnManifest, sheet: str | None
) -> pa.Table:
    """Add `month` as YYYY-MM, read with the manifest's month_format; every month must fall inside
    the return's period. A file holds few distinct month strings, so each is parsed once."""
    distinct = pc.unique(cells["month_raw"])
    iso = []
    for raw in distinct.to_pylist():
        try:
            month = dt.datetime.strptime(raw, spec.month_format).strftime("%Y-%m")
        except (TypeError, ValueError):
            month = None
        if month is None or not (manifest.period.start <= month <= manifest.period.end):
            cell = _first_bad(cells, pc.equal(cells["month_raw"], raw))
            column = spec.columns.month or "(manifest month_value)"
            expected = f"a month in {spec.month_format!r} within {manifest.period.start}..{manifest.period.end}"
            raise ReadError(f"{_where(spec, sheet, cell, column)}: month {raw!r} is not {expected}")
        iso.append(month)
    months = pc.take(
        pa.array(iso, pa.string()), pc.index_in(cells["month_raw"], value_set=distinct)
    )
    return cells.append_column("month", months)
