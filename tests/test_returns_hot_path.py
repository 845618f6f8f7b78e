"""The fast CSV reader (pyarrow.csv, in _read_csv_arrow) gives the same table as the reference
csv.reader path for every text it accepts, and hands the rest to it: quoted delimiters and line
ends, "" inside quotes, quotes csv.reader reads literally, CR / LF / CR LF, blank lines, whitespace,
non-ASCII text, block boundaries (a quoted CR LF split by one: apache/arrow#51368) go through
pyarrow; short or long rows, texts without a field, a second byte-order mark and fields over csv's
field size limit go to the reference. Also the parse path's other shortcuts: the count check
without a regex, each file hashed once."""

from __future__ import annotations

import csv
import io
import random
import shutil
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.parse import (
    parse_return,
    return_fingerprint,
    sha256_of,
)
from orchestration.lib.sources.force_returns.readers import (
    ReadError,
    csv_text,
    limits_for,
    read_grid,
)
from tests.conftest import SAMPLE_LANDING as SAMPLE

SPEC = SimpleNamespace(sheet=None, encoding=None, delimiter=None)
PATH = Path("test.csv")
DEFAULT_LIMITS = ReadLimits()


def reference(text: str, delimiter: str, base: ReadLimits = DEFAULT_LIMITS):
    limits = limits_for(SPEC, base)
    return csv_text._read_csv_rows(text, delimiter, limits, PATH, SPEC)


def fast(text: str, delimiter: str, base: ReadLimits = DEFAULT_LIMITS):
    return csv_text._read_csv_arrow(text, delimiter, limits_for(SPEC, base), PATH, SPEC)


def assert_same(text: str, delimiter: str = ",") -> bool:
    """True when the fast path took the text; its table must then equal the reference's."""
    got = fast(text, delimiter)
    if got is None:
        return False
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert got.shape == (len(rows), max(map(len, rows), default=0))
    expected = reference(text, delimiter)
    assert got.schema == expected.schema
    assert got.equals(expected), (text, got.to_pydict(), expected.to_pydict())
    return True


@pytest.mark.parametrize(
    "text",
    [
        "a,b\nc,d\n",
        "a,b\r\nc,d\r\n",
        "a,b\rc,d",
        "a,b\n\n\nc,d\n",  # blank lines are rows (they keep spreadsheet row numbers right)
        "a,b,c\n\r\n\r",
        "\n\na,b\n",  # a blank line before the first record
        "x\n\n\r\n\r",  # one column: blank lines are rows of ""
        '"x, y",z\n"multi\nline\r\n",w\n',
        '"say ""hi""",""""\n"",\n',
        " padded , \u00a0nbsp\u00a0 ,\t tab\t\n",
        '" quoted  ",x\n',
        "caf\u00e9,\u00fcber,\u4e2d\u6587,\U0001f600\n",
        "a,",
        "trailing\r\n\r\n",
        # quotes that do not open or close a field: csv.reader and pyarrow read them alike
        'a"b,c\n',
        '"ab"c,d\n',
        ' "a",b\n',
        '"a"x"\n',
        '"a" ,b\n',
        '"unclosed,a\nb\n',
        "\n" * 70_000 + "a,b\n",  # the first record lies past the first start read for width
        '"' + "x" * 100_000 + '",y\n1,2\n',  # the first record is longer than that start
    ],
)
def test_fast_path_reads_as_csv_reader_does(text):
    assert assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\nc\n",  # a short row: pyarrow cannot pad it
        "a\nb,c\n",  # a long one
        "a,b\n \n",  # a line of one space is a one-field row
        "\n\r\n\r",  # no field at all: csv.reader's table has no column
        '""\n\n',  # one column of "" only: no field, or an empty one? csv.reader knows
        "\ufeffa,b\n",  # a second byte-order mark: pyarrow would drop it
    ],
)
def test_what_pyarrow_cannot_read_the_same_way_goes_to_the_reference_path(text, tmp_path):
    assert fast(text, ",") is None
    path = tmp_path / "f.csv"
    path.write_text("\ufeff" + text, encoding="utf-8", newline="")  # read_grid drops one mark
    spec = SimpleNamespace(sheet=None, encoding="utf-8", delimiter=",")
    assert read_grid(path, spec).table.equals(reference(text, ","))


def test_quoted_cr_lf_split_by_a_block_boundary_keeps_its_lf(monkeypatch):
    """pyarrow.csv drops the LF of a CR LF that a block boundary splits, even inside quotes
    (apache/arrow#51368): the block size is chosen so that no boundary splits one."""
    text = 'a\r\n"x\r\ny"\r\nb\r\n' * 5
    for size in range(5, 40):
        monkeypatch.setattr(csv_text, "_CSV_BLOCK_BYTES", size)
        block = csv_text._block_size(text.encode())
        if block is not None:
            assert all(text[end - 1 : end + 1] != "\r\n" for end in range(block, len(text), block))
        assert fast(text, ",") is None or assert_same(text)
    monkeypatch.setattr(csv_text, "_CSV_BLOCK_BYTES", 6)
    assert assert_same(text)  # 6 splits 'a\r\n"x\r' | '\ny"...': 7 does not


def regular_text(rnd: random.Random, delimiter: str) -> str:
    """A table as regular files hold one: every row equally wide (blank lines apart), fields
    quoted or not, quoted ones holding delimiters, line ends and quotes."""
    width, lines = rnd.randint(1, 5), []
    for _ in range(rnd.randint(1, 12)):
        if rnd.random() < 0.1:
            lines.append("")
            continue
        fields = []
        for _ in range(width):
            value = "".join(rnd.choice('ab \u00e9,;\t\n\r"') for _ in range(rnd.randint(0, 5)))
            if rnd.random() < 0.4:
                fields.append('"' + value.replace('"', '""') + '"')
            else:
                fields.append("".join(c for c in value if c not in ',;\t\n\r"'))
        lines.append(delimiter.join(fields))
    return rnd.choice(["\n", "\r\n", "\r"]).join(lines) + rnd.choice(["", "\n", "\r\n", "\r"])


@pytest.mark.parametrize("block", [16, csv_text._CSV_BLOCK_BYTES])
def test_random_texts_match_the_reference_wherever_the_fast_path_takes_them(block, monkeypatch):
    monkeypatch.setattr(csv_text, "_CSV_BLOCK_BYTES", block)  # 16: many block boundaries
    rnd = random.Random(20261125)
    pieces = ["a", "b", " ", ",", ";", '"', '""', "\r", "\n", "\r\n", "\u00e9", "\u2028", "\t"]
    pieces += ["\u00a0", "\x0b", "\x1c", "\x85", "\ufeff"]
    for _ in range(1000):  # anything: mostly malformed, many go to the reference
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        for delimiter in (",", ";", "\t", " "):
            try:
                assert_same(text, delimiter)
            except csv.Error:
                assert fast(text, delimiter) is None
    regular = taken = 0
    for _ in range(1000):
        for delimiter in (",", ";", "\t"):
            regular += 1
            taken += assert_same(regular_text(rnd, delimiter), delimiter)
    # The fast path is the common path: what it leaves are one-column texts of "" only and, at
    # 16-byte blocks, records longer than a block.
    assert taken / regular > (0.95 if block > 1000 else 0.6), taken / regular


def test_a_field_over_the_csv_field_limit_gets_the_reference_error(tmp_path):
    text = "a,b\n" + "x" * (csv.field_size_limit() + 1) + ",1\n"
    assert fast(text, ",") is None
    path = tmp_path / "long.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match="field larger than field limit"):
        read_grid(path, SimpleNamespace(sheet=None, encoding=None, delimiter=","))


def test_the_field_limit_counts_characters_not_bytes():
    limit = csv.field_size_limit()
    assert assert_same("a,b\n" + "\u00e9" * limit + ",1\n")  # 2 bytes each, `limit` characters


@pytest.mark.parametrize("block", [16, csv_text._CSV_BLOCK_BYTES])
def test_the_cell_limit_holds_on_the_fast_path(block, tmp_path, monkeypatch):
    monkeypatch.setattr(csv_text, "_CSV_BLOCK_BYTES", block)
    limits = ReadLimits(max_cells=50)
    path = tmp_path / "wide.csv"
    text = "a,b,c\n" + "1,2,3\n" * 19 + "\n"  # the blank line is a row: 21 x 3 = 63 cells
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match="holds 21 rows x 3 columns = 63 cells") as got:
        fast(text, ",", limits)
    with pytest.raises(ReadError) as expected:
        reference(text, ",", limits)
    assert str(got.value) == str(expected.value)
    with pytest.raises(ReadError, match="63 cells, over the limit of 50 cells"):
        read_grid(path, SPEC, None, limits)
    path.write_text("a,b,c\n" + "1,2,3\n" * 15, encoding="utf-8")  # 48 cells
    assert read_grid(path, SPEC, None, limits).height == 16


def test_sample_csv_files_read_the_same_on_both_paths():
    taken = 0
    for path in sorted(SAMPLE.glob("*/*.csv")):
        text = csv_text._decode(path, SPEC)
        delimiter = csv_text.detect_delimiter(text)
        taken += assert_same(text, delimiter)
    assert taken >= 10  # the rest have title or note lines above or below the table: ragged


def test_sniffed_head_is_the_first_lines_of_the_whole_text():
    rnd = random.Random(7)
    for _ in range(300):
        text = "".join(rnd.choice(["ab", "\n", "\r", "\r\n", "\u2028", "\x0c"]) for _ in range(200))
        for size in (1, 59, 60, 61):
            assert csv_text._first_lines(text, size) == text.splitlines()[:size]
    long_text = "x" * 100_000 + "\r\n" + "y\n" * 100
    assert csv_text._first_lines(long_text, 60) == long_text.splitlines()[:60]


def test_count_check_without_regex_accepts_exactly_what_the_pattern_does():
    values = ["0", "12", "", " 1", "1 ", "1\n", "\n1", "-1", "+1", "1.0", "\u0661", "\uff11", "1e3"]
    arr = pa.array(values + [None], pa.string())
    assert pc.ascii_is_decimal(arr).equals(pc.match_substring_regex(arr, r"^[0-9]+$"))


def test_each_file_is_hashed_once_with_the_same_digests(tmp_path):
    folder = shutil.copytree(SAMPLE / "gwent-fy2023-24", tmp_path / "gwent-fy2023-24")
    parsed = parse_return(folder)
    csv_file = folder / parsed.files[0]["source_file"]
    assert parsed.files[0]["file_sha256"] == sha256_of(csv_file)
    assert parsed.content_sha256 == return_fingerprint(folder)
    assert set(parsed.cells["file_sha256"].to_pylist()) == {sha256_of(csv_file)}
