"""Read a return's file into a grid of text cells, keeping every cell's spreadsheet position.

CSV (encoding from the manifest, a byte-order mark or by trying UTF-8 then cp1252; delimiter from
the manifest or detected) through pyarrow.csv, or the standard library's csv.reader (the
reference) where pyarrow cannot be relied on to read it the same way; XLSX and ODS through
python-calamine. Every
value becomes text here, column by column with Arrow: typing is staging's job.

Limits, checked before a file is read (see `limits_for`): its size in bytes, the cells of one
sheet (or CSV) as a grid, and for XLSX/ODS (zip archives) the bytes it unzips to and each large
member's compression ratio. Every member is inflated once in bounded chunks to check that it holds
what its zip directory declares, and the sheet's extent is measured from its XML before calamine
builds the grid: a few-kilobyte file with one cell at XFD1048576 would otherwise make calamine
allocate half a terabyte and abort the process.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from python_calamine import CalamineError, CalamineWorkbook

from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.manifest import FileSpec

DEFAULT_LIMITS = ReadLimits()

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".ods", ".xls"}
# Byte-order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in order when the manifest names no encoding and there is no byte-order mark; cp1252
# accepts almost any byte, so it is last.
_FALLBACK_ENCODINGS = ("utf-8", "cp1252")
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_LINES = 60

# Limits (see limits_for): the warehouse's ReadLimits for every file; a manifest's max_bytes /
# max_cells can only lower them for one file.
# A zip member larger than ZIP_RATIO_FROM_BYTES unzipped may expand at most MAX_ZIP_RATIO times
# (spreadsheet XML compresses 5-30:1; deflate's ceiling is about 1030:1).
MAX_ZIP_RATIO = 200
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
_CHUNK = 1 << 20


class ReadError(ValueError):
    """A file that cannot be read as its manifest says, naming where: file, sheet, row, column."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        detail: str | None = None,
    ):
        super().__init__(message)
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.detail = detail if detail is not None else message

    @classmethod
    def at(
        cls,
        detail: str,
        *,
        file: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> ReadError:
        """An error at a place: the message reads 'file F, sheet 'S', row R, column C: detail'."""
        parts = [f"file {file}"]
        if sheet:
            parts.append(f"sheet {sheet!r}")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column {column}")
        return cls(
            f"{', '.join(parts)}: {detail}",
            file=file,
            sheet=sheet,
            row=row,
            column=column,
            detail=detail,
        )


@dataclass(frozen=True)
class Grid:
    """Cells as text. Column j of `table` (named c0, c1, ...) is spreadsheet column j + 1 and its
    item i is spreadsheet row i + 1. `merged` holds merged ranges as 0-based
    ((first_row, first_col), (last_row, last_col)) when the file format reports them."""

    sheet: str | None
    table: pa.Table
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return self.table.num_rows

    @property
    def width(self) -> int:
        return self.table.num_columns

    def row(self, number: int) -> list[str]:
        """Spreadsheet row `number` (1-based) as text, one item per column."""
        return [col[number - 1].as_py() for col in self.table.columns]

    @cached_property
    def rows(self) -> list[list[str]]:
        """Every row as a list of text (for small files and tests; not used on the hot path)."""
        return [list(r.values()) for r in self.table.to_pylist()]


def column_letter(index: int) -> str:
    """0-based column index to a spreadsheet letter: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _name(path: Path, spec: FileSpec) -> str:
    """How errors name the file: as the manifest does (spec.source_name), else its file name."""
    return getattr(spec, "source_name", None) or path.name


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


def _too_many_cells(
    rows: int, columns: int, limits: Limits, path: Path, spec: FileSpec, sheet: str | None
) -> ReadError | None:
    cells = rows * columns
    if cells <= limits.max_cells:
        return None
    return ReadError.at(
        f"holds {rows:,} rows x {columns:,} columns = {cells:,} cells, over the limit of "
        f"{limits.max_cells:,} cells ({limits.cells_from})",
        file=_name(path, spec),
        sheet=sheet,
    )


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
    name = _name(path, spec)
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
        return _read_spreadsheet(path, spec, {} if workbooks is None else workbooks, file_limits)
    table = _read_csv(path, spec, file_limits)
    return Grid(sheet=None, table=table)


def detect_encoding(data: bytes) -> str:
    """The encoding a byte-order mark declares, or the first fallback that decodes the bytes."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    for candidate in _FALLBACK_ENCODINGS:
        try:
            data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    raise UnicodeError(f"not readable as any of {_FALLBACK_ENCODINGS}")


def _decode(path: Path, spec: FileSpec) -> str:
    data = path.read_bytes()
    encoding = spec.encoding
    try:
        if encoding is None:
            encoding = detect_encoding(data)
        text = data.decode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise ReadError.at(
            f"not readable as {encoding or 'UTF-8 or cp1252'}: {exc}", file=_name(path, spec)
        ) from exc
    if "\x00" in text:
        raise ReadError.at(
            f"not readable as {encoding}: it holds NUL characters (UTF-16 without a byte-order "
            "mark, or not a text file); expected text, with encoding: in the manifest naming its "
            "encoding (such as utf-16-le)",
            file=_name(path, spec),
        )
    return text.removeprefix("\ufeff")


def detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits most of the first lines into the same number (> 1) of
    fields. Title or note lines above and below a table do not mislead it the way they can
    mislead csv.Sniffer."""
    head = "\n".join(_first_lines(text, _SNIFF_LINES))
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(head), delimiter=delimiter) if len(r) > 1]
        if not widths:
            continue
        width, lines = Counter(widths).most_common(1)[0]
        score = lines * 1000 + width
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_lines(text: str, count: int) -> list[str]:
    """text.splitlines()[:count] without splitting the whole text: once a prefix holds more than
    `count` lines, its first `count` lines are complete and the same as the whole text's."""
    size = 1 << 12
    while True:
        lines = text[:size].splitlines()
        if len(lines) > count or size >= len(text):
            return lines[:count]
        size *= 4


def _read_csv(path: Path, spec: FileSpec, limits: Limits) -> pa.Table:
    text = _decode(path, spec)
    delimiter = spec.delimiter or detect_delimiter(text)
    table = _read_csv_arrow(text, delimiter, limits, path, spec)
    if table is None:  # text pyarrow.csv might not read as csv.reader does
        return _read_csv_rows(text, delimiter, limits, path, spec)
    return table


def _read_csv_rows(
    text: str, delimiter: str, limits: Limits, path: Path, spec: FileSpec
) -> pa.Table:
    """The reference reader: csv.reader row by row. _read_csv_arrow must give the same table."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ReadError.at(f"not readable as CSV: {exc}", file=_name(path, spec)) from exc
    if rows:
        error = _too_many_cells(len(rows), max(map(len, rows)), limits, path, spec, None)
        if error is not None:
            raise error
    # Transposed in C (zip_longest), then trimmed column by column with Arrow.
    columns = list(itertools.zip_longest(*rows, fillvalue="")) if rows else []
    return pa.table(
        {
            f"c{j}": pc.utf8_trim_whitespace(pa.array(col, pa.string()))
            for j, col in enumerate(columns)
        }
    )


# pyarrow.csv reads about this many bytes at a time (see _block_size); a record longer than a block
# makes it fail, and the reference reader takes over.
_CSV_BLOCK_BYTES = 1 << 22


def _read_csv_arrow(
    text: str, delimiter: str, limits: Limits, path: Path, spec: FileSpec
) -> pa.Table | None:
    """The table _read_csv_rows gives, read by pyarrow.csv block by block; None when pyarrow.csv
    cannot be relied on to give it, and the reference reader must read the text.

    Both read csv's default dialect the same way (quotes open a field only at its start, "" is
    one quote, a quote elsewhere is literal, CR / LF / CR LF end a line, a final line end starts
    no row), and pyarrow gives an empty line as a row of "" in every column, as padding does.
    What it cannot give: short or long rows (pyarrow wants every row as wide as the first, and
    fails on one that is not), a text without any field (csv.reader's table then has no column),
    a field over csv.field_size_limit (csv.reader fails on it: let it say so), a byte-order mark
    left at the start (pyarrow drops it), a record longer than a block, an unusual delimiter,
    text not encodable as UTF-8. Blocks are sized so that pyarrow's CR LF bug cannot strike
    (see _block_size). The cell limit is checked as blocks arrive: past it, blocks are counted,
    not kept, so that the error can say how many cells the file holds."""
    if len(delimiter) != 1 or not delimiter.isascii() or delimiter in '"\r\n\0':
        return None
    if text.startswith("\ufeff"):  # a second byte-order mark: pyarrow would drop it, csv keeps it
        return None
    width = _first_width(text, delimiter)
    if not width:
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, from an unusual manifest encoding
        return None
    block_size = _block_size(data)
    if block_size is None:
        return None
    names = [f"c{j}" for j in range(width)]
    field_limit = csv.field_size_limit()
    batches: list[pa.RecordBatch] = []
    rows, any_value = 0, width > 1  # one column: are all its values "" (then maybe no column)?
    try:
        reader = pa_csv.open_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=block_size),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        for batch in reader:
            if len(data) > field_limit or not any_value:
                longest = _longest_field(batch, field_limit)
                if longest > field_limit:
                    return None
                any_value = any_value or longest > 0
            rows += batch.num_rows
            if rows * width <= limits.max_cells:
                batches.append(batch)
            else:  # over the limit: count the rest, to say how far over
                batches.clear()
    except pa.ArrowInvalid:  # a row not `width` fields wide, a record longer than a block
        return None
    if not any_value:
        return None
    error = _too_many_cells(rows, width, limits, path, spec, None)
    if error is not None:
        raise error
    table = pa.Table.from_batches(batches, reader.schema)
    return pa.table(
        {
            name: pc.utf8_trim_whitespace(column)
            for name, column in zip(names, table.columns, strict=True)
        }
    )


def _first_width(text: str, delimiter: str) -> int | None:
    """How many fields csv.reader finds in the text's first record that has any (0 if none has,
    None if csv.reader fails first), reading as short a start of the text as tells."""
    size = 1 << 16
    while True:
        found = None
        try:
            for row in csv.reader(io.StringIO(text[:size], newline=""), delimiter=delimiter):
                if found is not None:  # a record began after it: it was whole
                    return len(found)
                if row:
                    found = row
        except csv.Error:
            return None
        if size >= len(text):
            return len(found) if found else 0
        size *= 4


def _block_size(data: bytes) -> int | None:
    """A block size near _CSV_BLOCK_BYTES at which no block ends between the CR and the LF of a
    CR LF, or None if there is none. pyarrow.csv reads its input in blocks of exactly that many
    bytes and drops an LF that starts a block after a CR that ended one, even inside a quoted
    value, where csv.reader keeps it (https://github.com/apache/arrow/issues/51368)."""
    for size in range(_CSV_BLOCK_BYTES, _CSV_BLOCK_BYTES + 64):
        if all(data[end - 1 : end + 1] != b"\r\n" for end in range(size, len(data), size)):
            return size
    return None


def _longest_field(batch: pa.RecordBatch, limit: int) -> int:
    """The most characters any value of the batch holds, counted in bytes (never fewer) unless
    that is over `limit`."""
    longest = max(pc.max(pc.binary_length(column)).as_py() or 0 for column in batch.columns)
    if longest > limit:
        longest = max(pc.max(pc.utf8_length(column)).as_py() or 0 for column in batch.columns)
    return longest


def _text_columns(values: list[list[object]]) -> pa.Table:
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


def _read_spreadsheet(path: Path, spec: FileSpec, workbooks: dict, limits: Limits) -> Grid:
    name = _name(path, spec)
    try:
        workbook = workbooks.get(path)
        if isinstance(workbook, ReadError):  # refused when an earlier sheet was read
            raise workbook
        if workbook is None:
            try:
                if path.suffix.lower() in ZIP_SUFFIXES:
                    _check_zip(path, name, limits)
                if path.suffix.lower() == ".ods":
                    _check_ods_sheets(path, spec, limits)
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
            error = _too_many_cells(rows, columns, limits, path, spec, sheet_name)
            if error is not None:
                raise error
        sheet = workbook.get_sheet_by_name(sheet_name)
        end = sheet.end
        if end is not None:
            error = _too_many_cells(end[0] + 1, end[1] + 1, limits, path, spec, sheet_name)
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


def _check_ods_sheets(path: Path, spec: FileSpec, limits: Limits) -> None:
    """Calamine builds every sheet of an ODS file when it opens it: measure them all first."""
    name = _name(path, spec)
    try:
        with zipfile.ZipFile(path) as archive:
            extents = ods_extents(archive, limits.max_cells)
    except (ET.ParseError, zipfile.BadZipFile, KeyError) as exc:
        raise ReadError.at(
            f"not a readable spreadsheet: cannot measure its sheets: {exc}", file=name
        ) from exc
    for sheet, (rows, columns) in extents.items():
        error = _too_many_cells(rows, columns, limits, path, spec, sheet)
        if error is not None:
            raise error


def _zip_error(name: str, detail: str) -> ReadError:
    return ReadError.at(f"not a readable spreadsheet: {detail}", file=name)


def _check_zip(path: Path, name: str, limits: Limits) -> None:
    """An XLSX or ODS file is a zip archive: refuse one that is not, is truncated, declares more
    unzipped bytes than the limit, has a large member compressed beyond MAX_ZIP_RATIO, or has a
    member that inflates to more (or less) than its directory declares."""
    kind = path.suffix.lower().lstrip(".").upper()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head == b"PK\x03\x04":
            raise _zip_error(
                name,
                f"the file is truncated or damaged: it starts as a zip archive (as every {kind} "
                f"file is) but its zip directory is missing or broken ({exc})",
            ) from exc
        raise _zip_error(
            name,
            f"the file is not a zip archive, as every {kind} file is (is it another kind of file "
            "with the wrong extension?)",
        ) from exc
    with archive, path.open("rb") as fh:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_unzipped_bytes:
            raise _zip_error(
                name,
                f"it declares {declared:,} bytes unzipped, over the limit of "
                f"{limits.max_unzipped_bytes:,} bytes ({limits.unzipped_from}); a zip bomb?",
            )
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= ZIP_RATIO_FROM_BYTES and ratio > MAX_ZIP_RATIO:
                raise _zip_error(
                    name,
                    f"zip member {info.filename!r} expands {ratio:,.0f}:1 ({info.compress_size:,} "
                    f"to {info.file_size:,} bytes), above the limit of {MAX_ZIP_RATIO}:1; a zip bomb?",
                )
        for info in infos:
            _verify_member(fh, info, name)


def _verify_member(fh: io.BufferedReader, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate one member in bounded chunks, checking it holds exactly the bytes it declares."""
    member = repr(info.filename)
    if info.flag_bits & 0x1:
        raise _zip_error(name, f"zip member {member} is encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _zip_error(
            name,
            f"zip member {member} uses compression method {info.compress_type}; expected "
            "deflate or none, as spreadsheet programs write",
        )
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _zip_error(name, f"zip member {member} is damaged (no local header)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    remaining, produced = info.compress_size, 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    pending = b""
    try:
        while True:
            if not pending:
                if remaining <= 0:
                    break
                pending = fh.read(min(_CHUNK, remaining))
                if not pending:
                    break
                remaining -= len(pending)
            if inflater is None:
                produced += len(pending)
                pending = b""
            else:
                produced += len(inflater.decompress(pending, _CHUNK))
                pending = inflater.unconsumed_tail
            if produced > info.file_size:
                raise _zip_error(
                    name,
                    f"zip member {member} inflates to more than the {info.file_size:,} bytes its "
                    "zip directory declares; a zip bomb?",
                )
            if inflater is not None and inflater.eof:
                break
        if inflater is not None:
            produced += len(inflater.flush())
    except zlib.error as exc:
        raise _zip_error(name, f"zip member {member} is damaged ({exc})") from exc
    if produced != info.file_size or (inflater is not None and not inflater.eof):
        raise _zip_error(
            name,
            f"zip member {member} is damaged or truncated: it holds {produced:,} bytes, its zip "
            f"directory declares {info.file_size:,}",
        )


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


def sheet_extent(path: Path, sheet: str, max_cells: int) -> tuple[int, int]:
    """Rows and columns of the grid calamine would build for `sheet` (from A1 to its last cell
    with a value), measured from the sheet's XML without building it. Stops early once the grid
    is known to exceed `max_cells`. Call only on an archive _check_zip accepted."""
    with zipfile.ZipFile(path) as archive:
        if path.suffix.lower() == ".ods":
            return ods_extents(archive, max_cells).get(sheet, (0, 0))
        rows = columns = 0
        for member in _xlsx_sheet_members(archive, sheet):
            r, c = _xlsx_extent(archive, member)
            rows, columns = max(rows, r), max(columns, c)
        return rows, columns


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_members(archive: zipfile.ZipFile, sheet: str) -> list[str]:
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


def _xlsx_extent(archive: zipfile.ZipFile, member: str) -> tuple[int, int]:
    max_row = max_col = max_row_attr = unreffed = row_tags = 0
    carry = b""
    with archive.open(member) as fh:
        while True:
            chunk = fh.read(_CHUNK)
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
