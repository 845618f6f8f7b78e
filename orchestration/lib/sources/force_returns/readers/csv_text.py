"""CSV files (.csv, .txt, .tsv) read into text columns.

The encoding comes from the manifest, a byte-order mark, or trying UTF-8 then cp1252; the
delimiter from the manifest or `detect_delimiter`. Two readers give the same table: csv.reader
row by row is the reference, whose reading of a CSV is the one the warehouse promises; pyarrow.csv
reads it block by block in C, many times faster, and is used wherever it is known to read the text
exactly as the reference does. Where it might not (ragged rows, odd delimiters, oversized fields,
...) the reference reads it. tests/test_returns_hot_path.py holds the two to the same table.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from orchestration.lib.sources.force_returns.manifest import FileSpec
from orchestration.lib.sources.force_returns.readers.grid import ReadError, file_name
from orchestration.lib.sources.force_returns.readers.limits import Limits, too_many_cells

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
            f"not readable as {encoding or 'UTF-8 or cp1252'}: {exc}", file=file_name(path, spec)
        ) from exc
    if "\x00" in text:
        raise ReadError.at(
            f"not readable as {encoding}: it holds NUL characters (UTF-16 without a byte-order "
            "mark, or not a text file); expected text, with encoding: in the manifest naming its "
            "encoding (such as utf-16-le)",
            file=file_name(path, spec),
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


def read_csv(path: Path, spec: FileSpec, limits: Limits) -> pa.Table:
    """The CSV file as text columns: decoded, its delimiter detected when the manifest names
    none, read by pyarrow.csv where it reads the text as csv.reader does, else by csv.reader."""
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
        raise ReadError.at(f"not readable as CSV: {exc}", file=file_name(path, spec)) from exc
    if rows:
        error = too_many_cells(len(rows), max(map(len, rows)), limits, path, spec, None)
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
    error = too_many_cells(rows, width, limits, path, spec, None)
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
