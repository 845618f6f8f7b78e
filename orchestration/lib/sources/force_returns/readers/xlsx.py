"""How large a grid calamine would build for one XLSX sheet, measured from the sheet's XML.

Calamine allocates a sheet's whole grid, from A1 to its last cell, before handing it over: a
few-kilobyte file with one cell at XFD1048576 would make it allocate half a terabyte and abort
the process. The XML is scanned in bounded chunks with byte regexes (no tree built) so that such
a sheet is refused by the cell limit first. Calamine reads XLSX sheets lazily, so only the sheet
asked for is measured.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile

from orchestration.lib.sources.force_returns.readers.zip_guard import CHUNK_BYTES

# A cell with a value in sheet XML: <c r="B7" ...> not self-closed (a self-closed <c .../> is
# empty, which calamine skips); the prefix allows writers that use "x:c".
_XLSX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])([^>]*)>")
_XLSX_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,9})"')
_XLSX_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b[^>]*?\br="([0-9]{1,9})"')
_XLSX_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


def _letters_to_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ch - 64)
    return index


def xlsx_extent(archive: zipfile.ZipFile, sheet: str) -> tuple[int, int]:
    """Rows and columns of the grid calamine would build for `sheet`: the largest extent of its
    worksheet XML (or of every worksheet, when which one is `sheet` cannot be worked out)."""
    rows = columns = 0
    for member in _sheet_members(archive, sheet):
        r, c = _member_extent(archive, member)
        rows, columns = max(rows, r), max(columns, c)
    return rows, columns


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_members(archive: zipfile.ZipFile, sheet: str) -> list[str]:
    """The worksheet XML of `sheet` (from workbook.xml and its relationships); every worksheet
    when that cannot be worked out, so the check errs on the safe side."""
    everything = [
        n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
    ]
    try:
        book = ET.fromstring(archive.read("xl/workbook.xml"))
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, OSError, zipfile.BadZipFile):
        return everything
    rel_id = None
    for element in book.iter():
        if _local(element.tag) == "sheet" and element.get("name") == sheet:
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            break
    for element in rels.iter():
        if _local(element.tag) == "Relationship" and element.get("Id") == rel_id:
            target = element.get("Target", "")
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            member = posixpath.normpath(member)
            if member in archive.namelist():
                return [member]
    return everything


def _member_extent(archive: zipfile.ZipFile, member: str) -> tuple[int, int]:
    max_row = max_col = max_row_attr = unreffed = row_tags = 0
    carry = b""
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            data = carry + chunk
            if chunk:
                cut = data.rfind(b"<")
                data, carry = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
            for match in _XLSX_CELL.finditer(data):
                attrs = match.group(1)
                if attrs.endswith(b"/"):
                    continue
                ref = _XLSX_REF.search(attrs)
                if ref is None:
                    unreffed += 1
                    continue
                max_col = max(max_col, _letters_to_index(ref.group(1)))
                max_row = max(max_row, int(ref.group(2)))
            for row in _XLSX_ROW.findall(data):
                max_row_attr = max(max_row_attr, int(row))
            row_tags += len(_XLSX_ROW_TAG.findall(data))
            if not chunk:
                break
    if unreffed:
        # Cells without a reference take the next position: bound their extent generously.
        max_row = max(max_row, max_row_attr + row_tags)
        max_col += unreffed
    return max_row, max_col
