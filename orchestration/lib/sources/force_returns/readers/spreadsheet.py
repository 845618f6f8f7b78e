"""Spreadsheets (XLSX, XLSM, ODS, XLS) read into text columns through python-calamine.

Every guard runs before calamine builds anything it could choke on: the zip checks (zip_guard.py)
and, for ODS, the extent of every sheet (ods.py) before the workbook is opened; for XLSX the
extent of the sheet asked for (xlsx.py) before calamine builds it. A workbook opened (or refused)
once is kept in `workbooks` for the next sheet read from the same file. Values become text here,
column by column with Arrow: typing is staging's job.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError, CalamineWorkbook

from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers.grid import Grid, ReadError, file_name
from orchestration.lib.sources.force_returns.readers.limits import Limits, too_many_cells
from orchestration.lib.sources.force_returns.readers.ods import check_ods_sheets, ods_extents
from orchestration.lib.sources.force_returns.readers.xlsx import xlsx_extent
from orchestration.lib.sources.force_returns.readers.zip_guard import ZIP_SUFFIXES, check_zip

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls"}


def _text_columns(values: Sequence[Sequence[object]]) -> pa.Table:
    """Spreadsheet values (str, float, int, bool, date, datetime, ...) as text columns: numpy turns
    every value into text in one pass, then Arrow fixes the forms per column: whole numbers without
    '.0', midnight datetimes as dates, other datetimes in ISO form, whitespace trimmed."""
    if not values or not values[0]:
        return pa.table({})
    width = max(len(r) for r in values)
    if any(len(r) != width for r in values):
        values = [list(r) + [""] * (width - len(r)) for r in values]
    text = np.array(values, dtype=object).astype(str)
    columns = {}
    for j in range(width):
        col = pa.array(text[:, j], pa.string())
        col = pc.replace_substring_regex(col, r"^(-?\d+)\.0$", r"\1")
        col = pc.replace_substring_regex(col, r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1")
        col = pc.replace_substring_regex(col, r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})", r"\1T\2")
        columns[f"c{j}"] = pc.utf8_trim_whitespace(col)
    return pa.table(columns)


def read_spreadsheet(path: Path, spec: FileSpec, workbooks: dict, limits: Limits) -> Grid:
    """Sheet spec.sheet (else the first) of the spreadsheet as a Grid, once the file and the sheet
    pass the zip and cell-limit guards."""
    name = file_name(path, spec)
    try:
        workbook = workbooks.get(path)
        if isinstance(workbook, ReadError):  # refused when an earlier sheet was read
            raise workbook
        if workbook is None:
            try:
                if path.suffix.lower() in ZIP_SUFFIXES:
                    check_zip(path, name, limits)
                if path.suffix.lower() == ".ods":
                    check_ods_sheets(path, spec, limits)
            except ReadError as exc:
                workbooks[path] = exc
                raise
            workbook = workbooks[path] = CalamineWorkbook.from_path(str(path))
        sheet_name = spec.sheet or workbook.sheet_names[0]
        if sheet_name not in workbook.sheet_names:
            raise ReadError.at(
                f"no sheet {sheet_name!r} (sheets: {', '.join(workbook.sheet_names)})",
                file=name,
            )
        if path.suffix.lower() in (ZIP_SUFFIXES - {".ods"}):
            try:
                rows, columns = sheet_extent(path, sheet_name, limits.max_cells)
            except (ET.ParseError, zipfile.BadZipFile, KeyError) as exc:
                raise ReadError.at(
                    f"not a readable spreadsheet: cannot measure sheet {sheet_name!r}: {exc}",
                    file=name,
                ) from exc
            error = too_many_cells(rows, columns, limits, path, spec, sheet_name)
            if error is not None:
                raise error
        sheet = workbook.get_sheet_by_name(sheet_name)
        end = sheet.end
        if end is not None:
            error = too_many_cells(end[0] + 1, end[1] + 1, limits, path, spec, sheet_name)
            if error is not None:
                raise error
        # skip_empty_area=False keeps absolute positions, so row and column numbers match the file.
        values = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
    except CalamineError as exc:
        raise ReadError.at(
            f"not a readable spreadsheet: {exc}", file=name, sheet=spec.sheet
        ) from exc
    return Grid(sheet=sheet_name, table=_text_columns(values), merged=merged)


def sheet_extent(path: Path, sheet: str, max_cells: int) -> tuple[int, int]:
    """Rows and columns of the grid calamine would build for `sheet` (from A1 to its last cell
    with a value), measured from the sheet's XML without building it. Stops early once the grid
    is known to exceed `max_cells`. Call only on an archive check_zip accepted."""
    with zipfile.ZipFile(path) as archive:
        if path.suffix.lower() == ".ods":
            return ods_extents(archive, max_cells).get(sheet, (0, 0))
        return xlsx_extent(archive, sheet)
