"""Read a return's file into a grid of text cells, keeping every cell's spreadsheet position.

CSV (encoding from the manifest, a byte-order mark or by trying UTF-8 then cp1252; delimiter from
the manifest or detected) through pyarrow.csv, or the standard library's csv.reader (the
reference) where pyarrow cannot be relied on to read it the same way; XLSX and ODS through
python-calamine. Every value becomes text here, column by column with Arrow: typing is staging's
job.

Limits, checked before a file is read (see `limits_for`): its size in bytes, the cells of one
sheet (or CSV) as a grid, and for XLSX/ODS (zip archives) the bytes it unzips to and each large
member's compression ratio. Every member is inflated once in bounded chunks to check that it holds
what its zip directory declares, and the sheet's extent is measured from its XML before calamine
builds the grid: a few-kilobyte file with one cell at XFD1048576 would otherwise make calamine
allocate half a terabyte and abort the process.

One module a concern: grid.py (what readers give back, how they fail), limits.py, csv_text.py,
spreadsheet.py (calamine), zip_guard.py, xlsx.py and ods.py (sheet extents from the XML). This
module holds `read_grid`, which checks what every file must pass and hands the file to its
reader, and the names the rest of the warehouse imports.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers.csv_text import (
    detect_delimiter,
    detect_encoding,
    read_csv,
)
from orchestration.lib.sources.force_returns.readers.grid import (
    LINEAGE_FIELDS,
    Grid,
    ReadError,
    column_letter,
    file_name,
    place,
    text_fields,
)
from orchestration.lib.sources.force_returns.readers.limits import (
    DEFAULT_LIMITS,
    Limits,
    limits_for,
)
from orchestration.lib.sources.force_returns.readers.ods import ods_extents
from orchestration.lib.sources.force_returns.readers.spreadsheet import (
    SPREADSHEET_SUFFIXES,
    read_spreadsheet,
    sheet_extent,
)
from orchestration.lib.sources.force_returns.readers.zip_guard import (
    MAX_ZIP_RATIO,
    ZIP_RATIO_FROM_BYTES,
    ZIP_SUFFIXES,
)

__all__ = [
    "DEFAULT_LIMITS",
    "MAX_ZIP_RATIO",
    "SPREADSHEET_SUFFIXES",
    "ZIP_RATIO_FROM_BYTES",
    "ZIP_SUFFIXES",
    "LINEAGE_FIELDS",
    "Grid",
    "Limits",
    "ReadError",
    "column_letter",
    "detect_delimiter",
    "detect_encoding",
    "limits_for",
    "place",
    "ods_extents",
    "read_grid",
    "sheet_extent",
    "text_fields",
]


def read_grid(
    path: Path,
    spec: FileSpec,
    workbooks: dict | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Grid:
    """Read one file (one sheet of a spreadsheet). `spec` needs only sheet, encoding and delimiter
    (and max_bytes / max_cells, when it has them). `workbooks`, when given, keeps each opened
    spreadsheet for the next sheet read from it. Limits are checked before anything is read."""
    suffix = path.suffix.lower()
    name = file_name(path, spec)
    if not path.is_file():
        raise ReadError.at("file not found in the return folder", file=name)
    if suffix not in (".csv", ".txt", ".tsv") and suffix not in SPREADSHEET_SUFFIXES:
        raise ReadError.at(f"unsupported type {suffix!r} (expected CSV, XLSX or ODS)", file=name)
    file_limits = limits_for(spec, limits)
    size = path.stat().st_size
    if size > file_limits.max_bytes:
        raise ReadError.at(
            f"file is {size:,} bytes, over the size limit of {file_limits.max_bytes:,} bytes "
            f"({file_limits.bytes_from})",
            file=name,
        )
    if size == 0:
        raise ReadError.at("file is empty (0 bytes); expected a table with a header row", file=name)
    if suffix in SPREADSHEET_SUFFIXES:
        return read_spreadsheet(path, spec, {} if workbooks is None else workbooks, file_limits)
    table = read_csv(path, spec, file_limits)
    return Grid(sheet=None, table=table)
