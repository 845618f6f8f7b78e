"""How large a grid calamine would build for each sheet of an ODS file, measured from its
content.xml before calamine opens it.

Unlike XLSX, calamine builds every sheet of an ODS file as it opens it, and a repeated row or
cell (number-rows-repeated, number-columns-repeated) can make a tiny file stand for billions of
cells: every sheet is measured, streaming the XML with iterparse, and the file is refused when
any of them is over the cell limit.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers.grid import ReadError, file_name
from orchestration.lib.sources.force_returns.readers.limits import Limits, too_many_cells

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def ods_extents(archive: zipfile.ZipFile, max_cells: int) -> dict[str, tuple[int, int]]:
    """Rows x columns up to the last non-empty cell of every table of an ODS file, counting
    number-rows-repeated and number-columns-repeated as calamine does. Stops at the first table
    found to exceed `max_cells` (calamine builds every sheet when it opens the file)."""
    table, row_el = f"{_ODS_TABLE}table", f"{_ODS_TABLE}table-row"
    cell_tags = {f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell"}
    rows_rep, cols_rep = f"{_ODS_TABLE}number-rows-repeated", f"{_ODS_TABLE}number-columns-repeated"
    extents: dict[str, tuple[int, int]] = {}
    current: str | None = None
    nested = row = col = max_row = max_col = 0
    row_has_value = False
    with archive.open("content.xml") as fh:
        try:
            for event, element in ET.iterparse(fh, events=("start", "end")):
                tag = element.tag
                if tag == table:
                    if event == "start":
                        if current is not None:
                            nested += 1
                        else:
                            current = element.get(f"{_ODS_TABLE}name") or ""
                            row = col = max_row = max_col = 0
                            row_has_value = False
                    elif nested:
                        nested -= 1
                    elif current is not None:
                        extents[current] = (max_row, max_col)
                        current = None
                        element.clear()
                    continue
                if event != "end" or current is None or nested:
                    continue
                if tag in cell_tags:
                    repeat = int(element.get(cols_rep, "1") or 1)
                    if element.get(f"{_ODS_OFFICE}value-type") is not None or len(element):
                        max_col = max(max_col, col + repeat)
                        row_has_value = True
                    col += repeat
                    element.clear()
                elif tag == row_el:
                    repeat = int(element.get(rows_rep, "1") or 1)
                    if row_has_value:
                        max_row = row + repeat
                    row += repeat
                    col, row_has_value = 0, False
                    element.clear()
                    if max_row * max_col > max_cells:
                        extents[current] = (max_row, max_col)
                        return extents
        except ValueError as exc:  # a repeat count that is not a number
            raise ET.ParseError(f"content.xml: {exc}") from exc
    return extents


def check_ods_sheets(path: Path, spec: FileSpec, limits: Limits) -> None:
    """Calamine builds every sheet of an ODS file when it opens it: measure them all first."""
    name = file_name(path, spec)
    try:
        with zipfile.ZipFile(path) as archive:
            extents = ods_extents(archive, limits.max_cells)
    except (ET.ParseError, zipfile.BadZipFile, KeyError) as exc:
        raise ReadError.at(
            f"not a readable spreadsheet: cannot measure its sheets: {exc}", file=name
        ) from exc
    for sheet, (rows, columns) in extents.items():
        error = too_many_cells(rows, columns, limits, path, spec, sheet)
        if error is not None:
            raise error
