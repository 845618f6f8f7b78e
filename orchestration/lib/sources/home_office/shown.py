"""The text a spreadsheet shows for its number cells, where it differs from the stored value.

A published table stores a nil as 0 and shows it as `-` (through an XLSX number format such as
`#,##0;-#,##0;"-"`, or as an ODS cell's text), and stores a rate as 12.3456 shown as `12.3`. The
grid reader gives the stored value; a Home Office figure is the one shown, and `-` must stay a
nil, so the reader keeps both. ODS cells carry their shown text (`<text:p>`); for XLSX the number
format is applied here (the parts published tables use: sections for positive, negative and zero,
literal text, decimals, thousands separators, percent). Only called on files the grid reader has
already read, so their size and zip guards have passed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl

Shown = dict[tuple[int, int], str]  # (0-based row, 0-based column) -> text shown

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_NUMERIC = {"float", "percentage", "currency"}
# Inside a format section: quoted text, an escaped character, a fill or spacing code, a bracket.
_TOKEN = re.compile(r'"[^"]*"|\\.|[_*].|\[[^\]]*\]|.', re.DOTALL)
_PLACEHOLDERS = set("0#?")


def shown_text(path: Path, sheet: str, height: int, width: int) -> Shown:
    """Shown text of the number cells of one sheet within the grid's extent."""
    suffix = path.suffix.lower()
    if suffix == ".ods":
        return _ods_shown(path, sheet, height, width)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_shown(path, sheet, height, width)
    return {}


def _ods_text(cell: ET.Element) -> str:
    """A cell's paragraphs as shown, `<text:s/>` as spaces."""
    lines = []
    for paragraph in cell.iter(f"{_TEXT}p"):
        parts = []
        for node in paragraph.iter():
            if node is not paragraph and node.tag == f"{_TEXT}s":
                parts.append(" " * int(node.get(f"{_TEXT}c", "1") or 1))
            if node.text and node.tag != f"{_TEXT}s":
                parts.append(node.text)
            if node is not paragraph and node.tail:
                parts.append(node.tail)
        lines.append("".join(parts))
    return "\n".join(lines).strip()


def _ods_shown(path: Path, sheet: str, height: int, width: int) -> Shown:
    shown: Shown = {}
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as fh:
        row = 0
        inside = False
        for event, element in ET.iterparse(fh, events=("start", "end")):
            if element.tag == f"{_TABLE}table":
                if event == "start":
                    inside = element.get(f"{_TABLE}name") == sheet
                elif inside:
                    break
                continue
            if not inside or event != "end" or element.tag != f"{_TABLE}table-row":
                continue
            repeat_rows = int(element.get(f"{_TABLE}number-rows-repeated", "1") or 1)
            col = 0
            for cell in element:
                repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1") or 1)
                if cell.get(f"{_OFFICE}value-type") in _NUMERIC and col < width:
                    text = _ods_text(cell)
                    for r in range(row, min(row + repeat_rows, height)):
                        for c in range(col, min(col + repeat, width)):
                            shown[(r, c)] = text
                col += repeat
            row += repeat_rows
            element.clear()
            if row >= height:
                break
    return shown


def _xlsx_shown(path: Path, sheet: str, height: int, width: int) -> Shown:
    shown: Shown = {}
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book[sheet].iter_rows(min_row=1, max_row=height, min_col=1, max_col=width)
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells):
                value = cell.value
                if isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                text = format_number(value, getattr(cell, "number_format", "General"))
                if text is not None:
                    shown[(r, c)] = text
    finally:
        book.close()
    return shown


def _sections(fmt: str) -> list[list[str]]:
    """A number format's sections (split at `;` outside quotes), each as tokens."""
    sections: list[list[str]] = [[]]
    for token in _TOKEN.findall(fmt):
        if token == ";":
            sections.append([])
        else:
            sections[-1].append(token)
    return sections


def _literal(tokens: list[str]) -> str:
    out = []
    for t in tokens:
        if t.startswith('"'):
            out.append(t[1:-1])
        elif t.startswith("\\"):
            out.append(t[1])
        elif t.startswith("_"):
            out.append(" ")
        elif t.startswith(("*", "[")):
            continue
        else:
            out.append(t)
    return "".join(out)


def format_number(value: float, fmt: str) -> str | None:
    """The text Excel shows for `value` under number format `fmt`; None for General (the stored
    value is what is shown) and for formats other than plain numbers (dates, fractions)."""
    if not fmt or fmt.lower() in ("general", "@"):
        return None
    sections = _sections(fmt)
    if value > 0 or len(sections) == 1 or (value < 0 and len(sections) < 2):
        tokens, sign = sections[0], "-" if value < 0 else ""
    elif value < 0:
        tokens, sign = sections[1], ""
    else:
        tokens, sign = (sections[2] if len(sections) > 2 else sections[0]), ""
    bare = [t for t in tokens if len(t) == 1]
    if any(t.lower() in "ymdhse/" for t in bare):
        return None  # a date, time or fraction: not a figure of these tables
    if not any(t in _PLACEHOLDERS for t in bare):
        return _literal(tokens).strip() or None
    first = next(i for i, t in enumerate(tokens) if t in _PLACEHOLDERS)
    last = max(i for i, t in enumerate(tokens) if t in _PLACEHOLDERS)
    number = tokens[first : last + 1]
    point = number.index(".") if "." in number else len(number)
    decimals = sum(1 for t in number[point:] if t in _PLACEHOLDERS)
    thousands = "," in number[:point]
    scaled = Decimal(repr(abs(value))) * (100 if "%" in bare else 1)
    rounded = scaled.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:{',' if thousands else ''}.{decimals}f}"
    return f"{sign}{_literal(tokens[:first])}{text}{_literal(tokens[last + 1 :])}".strip()
