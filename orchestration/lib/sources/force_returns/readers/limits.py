"""How much one file may hold, checked before it is read.

The warehouse's ReadLimits apply to every file; a manifest's max_bytes / max_cells can only lower
them for one file, never raise them. Each limit remembers where it was set, so that a refusal
tells the user which setting to change. The cell limit is shared by every reader (CSV, XLSX,
ODS), and so is its error text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers.grid import ReadError, file_name

DEFAULT_LIMITS = ReadLimits()


@dataclass(frozen=True)
class Limits:
    """What one file may hold, and where each limit was set (for error messages)."""

    max_bytes: int
    max_cells: int
    max_unzipped_bytes: int
    bytes_from: str
    cells_from: str
    unzipped_from: str


def limits_for(spec: object, base: ReadLimits) -> Limits:
    """The limits for one file: the warehouse's, lowered by the manifest's max_bytes / max_cells
    when they are lower. A manifest cannot raise a limit."""
    max_bytes, bytes_from = base.max_file_bytes, base.source_of("max_file_bytes")
    max_cells, cells_from = base.max_cells, base.source_of("max_cells")
    unzipped, unzipped_from = base.max_unzipped_bytes, base.source_of("max_unzipped_bytes")
    own_bytes = getattr(spec, "max_bytes", None)
    if own_bytes is not None and own_bytes < max_bytes:
        max_bytes, bytes_from = own_bytes, "manifest key max_bytes"
    own_cells = getattr(spec, "max_cells", None)
    if own_cells is not None and own_cells < max_cells:
        max_cells, cells_from = own_cells, "manifest key max_cells"
    return Limits(max_bytes, max_cells, unzipped, bytes_from, cells_from, unzipped_from)


def too_many_cells(
    rows: int, columns: int, limits: Limits, path: Path, spec: FileSpec, sheet: str | None
) -> ReadError | None:
    """The error for a grid of rows x columns over the cell limit, or None if it is within it."""
    cells = rows * columns
    if cells <= limits.max_cells:
        return None
    return ReadError.at(
        f"holds {rows:,} rows x {columns:,} columns = {cells:,} cells, over the limit of "
        f"{limits.max_cells:,} cells ({limits.cells_from})",
        file=file_name(path, spec),
        sheet=sheet,
    )
