"""Crafted bad force returns: each a copy of a good sample return with one thing broken.

`write_corpus(landing)` writes every case's return folder (manifest.yml + files) into `landing`,
plus the files that the symbolic-link cases point at into a sibling folder `<landing>.outside`.
Each case says where it is caught (`stage`) and the text its error must contain (`expect`):

- "parse": `parse_return(folder)` raises a ManifestError or ReadError containing `expect`; a refresh
  quarantines the return (and keeps publishing the others); `warehouse check` reports it.
- "landing": the folder parses on its own, but not beside the others: `check_landing` reports it
  and a refresh quarantines it (a return id already used by another folder).
- "dbt": the return parses and loads, and what is wrong shows only against the reference data or
  the other returns: `check_landing` reports it, and at refresh the dbt test named by `dbt_test`
  fails, so nothing is published. An unknown force is caught here, not at parse: the parser does
  not read the reference seeds (the forces are dbt seeds); `warehouse check` does, and at refresh
  the not_null_columns test on int_force_returns_resolved (force_code) refuses the publish.

The cross-return cases (duplicate id, overlapping returns, conflicting corrections) need the sample
returns beside them: `write_corpus(..., with_base=True)` copies those (gwent, kent and its
correction) in too, for a corpus checked on its own. The corpus files stay small: the zip bombs
are kilobytes that declare or inflate to megabytes, and the size and cell limits are exercised
through the manifest's max_bytes / max_cells rather than by writing gigabytes.
"""

from __future__ import annotations

import csv
import io
import shutil
import struct
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import yaml

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "landing"
GWENT = "gwent-fy2023-24"  # CSV, long layout
DURHAM = "durham-fy2023-24"  # XLSX, wide by nationality, title rows above the header
KENT = "kent-fy2023-24"  # ODS, one sheet per offence group
KENT_V2 = "kent-fy2023-24-v2"  # its correction (supersedes kent-fy2023-24)
BASE_RETURNS = (GWENT, KENT, KENT_V2)
GWENT_CSV = "arrests_by_nationality.csv"
DURHAM_XLSX = "foi_response_arrests.xlsx"
KENT_ODS = "arrests_by_offence.ods"
CITY_OF_LONDON = "E23000034"  # the one force with no sample return
FORMULA = '=HYPERLINK("http://x","y")'
SQL_TEXT = "'; drop table raw.return_cells; --"


@dataclass(frozen=True)
class Case:
    name: str  # the return folder's name
    category: str  # what the issue lists it as
    expect: str  # text the error must contain
    stage: str  # "parse", "landing" or "dbt" (see the module docstring)
    file: str | None  # the file the error names (manifest.yml for manifest problems)
    build: Callable[[Path, Path], None]  # (return folder, folder outside the landing folder)
    dbt_test: str | None = None  # for stage "dbt": the dbt test that fails at refresh


# -- helpers ---------------------------------------------------------------------------------


def _manifest(sample: str) -> dict:
    return yaml.safe_load((SAMPLE / sample / "manifest.yml").read_text(encoding="utf-8"))


def _write_manifest(folder: Path, manifest: dict | str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = manifest if isinstance(manifest, str) else yaml.safe_dump(manifest, sort_keys=False)
    (folder / "manifest.yml").write_text(text, encoding="utf-8")


def _gwent_rows() -> list[list[str]]:
    with (SAMPLE / GWENT / GWENT_CSV).open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _gwent(
    folder: Path,
    rows: list[list[str]] | None = None,
    *,
    data: bytes | None = None,
    **changes,
) -> None:
    """A copy of the Gwent return under the folder's name, with manifest keys changed (a key set
    to None is removed; `file` changes the first file entry) and the CSV replaced."""
    manifest = _manifest(GWENT) | {"return_id": folder.name}
    file_changes = changes.pop("file", {})
    manifest |= changes
    manifest["files"][0] |= file_changes
    manifest = {k: v for k, v in manifest.items() if v is not None}
    manifest["files"][0] = {k: v for k, v in manifest["files"][0].items() if v is not None}
    _write_manifest(folder, manifest)
    if data is None:
        data = _csv_text(rows if rows is not None else _gwent_rows()).encode("utf-8")
    (folder / GWENT_CSV).write_bytes(data)


def _gwent_with_cell(row: int, column: int, value: str) -> Callable[[Path, Path], None]:
    """Gwent with one cell (1-based row, 0-based column) replaced."""

    def build(folder: Path, _outside: Path) -> None:
        rows = _gwent_rows()
        rows[row - 1][column] = value
        _gwent(folder, rows)

    return build


def _durham(folder: Path, *, book: bytes | None = None, **file_changes) -> None:
    manifest = _manifest(DURHAM) | {"return_id": folder.name}
    manifest["files"][0] |= file_changes
    _write_manifest(folder, manifest)
    (folder / DURHAM_XLSX).write_bytes(
        book if book is not None else (SAMPLE / DURHAM / DURHAM_XLSX).read_bytes()
    )


def _durham_edited(edit: Callable[[openpyxl.worksheet.worksheet.Worksheet], None]):
    def build(folder: Path, _outside: Path) -> None:
        wb = openpyxl.load_workbook(SAMPLE / DURHAM / DURHAM_XLSX)
        edit(wb["Arrests"])
        out = io.BytesIO()
        wb.save(out)
        _durham(folder, book=out.getvalue())

    return build


def _header_cell(ws, text: str):
    return next(c for c in ws[3] if c.value == text)


def _rezip(
    source: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None
) -> bytes:
    """The zip archive `source` with some members' content replaced (and members added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = replace.get(info.filename, zin.read(info))
            zout.writestr(info, body, compress_type=info.compress_type, compresslevel=9)
        for name, body in (extra or {}).items():
            zout.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _understate(archive: bytes, member: str, declared: int) -> bytes:
    """Patch a member's uncompressed size, in its local header and the zip directory, to a lie."""
    data = bytearray(archive)
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        info = zf.getinfo(member)
        start_dir = zf.start_dir
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    pos = start_dir
    while data[pos : pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        if data[pos + 46 : pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", data, pos + 24, declared)
        pos += 46 + name_len + extra_len + comment_len
    return bytes(data)


def _sheet_xml(book: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        name = next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
        return name, zf.read(name)


# -- the cases -------------------------------------------------------------------------------


def _missing_column(folder: Path, _outside: Path) -> None:
    _gwent(folder, [[r[0], r[1], r[3]] for r in _gwent_rows()])


def _renamed_column(folder: Path, _outside: Path) -> None:
    rows = _gwent_rows()
    rows[0][3] = "Number of arrests"
    _gwent(folder, rows)


def _period_outside(folder: Path, _outside: Path) -> None:
    _gwent(folder, period={"start": "2023-04", "end": "2023-12"})


def _cp1252_declared_utf8(folder: Path, _outside: Path) -> None:
    rows = _gwent_rows()
    rows[2][2] = "Polish – Café"  # en dash and é: bytes 0x96 and 0xe9 in cp1252, invalid UTF-8
    _gwent(folder, data=_csv_text(rows).encode("cp1252"), file={"encoding": "utf-8"})


def _utf16_no_bom(folder: Path, _outside: Path) -> None:
    _gwent(folder, data=_csv_text(_gwent_rows()).encode("utf-16-le"), file={"encoding": "utf-8"})


def _unknown_encoding(folder: Path, _outside: Path) -> None:
    _gwent(folder, file={"encoding": "klingon"})


def _empty_file(folder: Path, _outside: Path) -> None:
    _gwent(folder, data=b"")


def _header_only(folder: Path, _outside: Path) -> None:
    _gwent(folder, _gwent_rows()[:1])


def _truncated_xlsx(folder: Path, _outside: Path) -> None:
    book = (SAMPLE / DURHAM / DURHAM_XLSX).read_bytes()
    _durham(folder, book=book[: len(book) // 2])


def _not_a_zip_xlsx(folder: Path, _outside: Path) -> None:
    _durham(folder, book=(SAMPLE / GWENT / GWENT_CSV).read_bytes())


def _zip_bomb(folder: Path, _outside: Path) -> None:
    """The sheet XML padded with 48 MiB of spaces between elements: valid XML, ~50 KB zipped."""
    book = (SAMPLE / DURHAM / DURHAM_XLSX).read_bytes()
    name, xml = _sheet_xml(book)
    padded = xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (48 << 20), 1)
    _durham(folder, book=_rezip(book, {name: padded}))


def _zip_bomb_understated(folder: Path, _outside: Path) -> None:
    """A member whose zip directory declares 4,000 bytes but which inflates to 8 MiB."""
    book = (SAMPLE / DURHAM / DURHAM_XLSX).read_bytes()
    name, xml = _sheet_xml(book)
    padded = xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20), 1)
    _durham(folder, book=_understate(_rezip(book, {name: padded}), name, 4000))


def _ods_cell_bomb(folder: Path, _outside: Path) -> None:
    """One value repeated over 16,000 columns and a million rows: 6 KB, 16 billion cells."""
    ods = (SAMPLE / KENT_V2 / KENT_ODS).read_bytes()
    with zipfile.ZipFile(io.BytesIO(ods)) as zf:
        content = zf.read("content.xml").decode("utf-8")
    bomb = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="16000" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )
    first_row = content.index("<table:table-row>", content.index("<table:table-row>") + 1)
    content = content[:first_row] + bomb + content[first_row:]
    manifest = _manifest(KENT_V2) | {"return_id": folder.name, "supersedes": []}
    _write_manifest(folder, manifest)
    (folder / KENT_ODS).write_bytes(_rezip(ods, {"content.xml": content.encode("utf-8")}))


def _sql_in_return_id(folder: Path, _outside: Path) -> None:
    _gwent(folder)
    manifest = _manifest(GWENT) | {"return_id": SQL_TEXT}
    _write_manifest(folder, manifest)


def _symlink_file_outside(folder: Path, outside: Path) -> None:
    outside.mkdir(parents=True, exist_ok=True)
    secret = outside / "secret.csv"
    shutil.copyfile(SAMPLE / GWENT / GWENT_CSV, secret)
    _gwent(folder)
    (folder / GWENT_CSV).unlink()
    (folder / GWENT_CSV).symlink_to(secret)


def _symlink_folder_outside(folder: Path, outside: Path) -> None:
    real = outside / folder.name
    _gwent(real)
    folder.symlink_to(real, target_is_directory=True)


def _symlink_manifest_outside(folder: Path, outside: Path) -> None:
    outside.mkdir(parents=True, exist_ok=True)
    _gwent(folder)
    real = outside / f"{folder.name}.yml"
    shutil.move(folder / "manifest.yml", real)
    (folder / "manifest.yml").symlink_to(real)


def _missing_manifest(folder: Path, _outside: Path) -> None:
    _gwent(folder)
    (folder / "manifest.yml").unlink()


def _yaml_alias_bomb(folder: Path, _outside: Path) -> None:
    """'Billion laughs' through YAML aliases: nine levels of nine references to the level below."""
    _gwent(folder)
    text = (folder / "manifest.yml").read_text(encoding="utf-8")
    levels = ['x0: &x0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        levels.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]")
    text = "\n".join(levels) + "\n" + text.replace("supersedes: []\n", "") + "supersedes: *x8\n"
    _write_manifest(folder, text)


def _duplicate_return(folder: Path, _outside: Path) -> None:
    _gwent(folder)
    _write_manifest(folder, _manifest(GWENT))  # same return_id as gwent-fy2023-24


def _overlapping_return(folder: Path, _outside: Path) -> None:
    _gwent(folder, reference="SYNTHETIC-FOI-GWENT-2024-RESENT")


def _conflicting_correction(folder: Path, _outside: Path) -> None:
    manifest = _manifest(KENT_V2) | {"return_id": folder.name, "received": "2024-07-01"}
    _write_manifest(folder, manifest)  # supersedes kent-fy2023-24, as kent-fy2023-24-v2 does
    shutil.copyfile(SAMPLE / KENT_V2 / KENT_ODS, folder / KENT_ODS)


def _city_of_london_month(month: str, column: int, value: str) -> Callable[[Path, Path], None]:
    """Gwent's figures for one month as if from City of London Police (the force with no sample
    return, so no other return covers it), with one cell of column `column` replaced."""

    def build(folder: Path, _outside: Path) -> None:
        rows = _gwent_rows()
        rows = rows[:1] + [r for r in rows[1:] if r[0] == month]
        rows[1][column] = value
        _gwent(folder, rows, force=CITY_OF_LONDON, period={"start": month, "end": month})

    return build


def _unknown_force(folder: Path, _outside: Path) -> None:
    _gwent(folder, force="Gotham City Police")


def _manifest_change(**changes) -> Callable[[Path, Path], None]:
    def build(folder: Path, _outside: Path) -> None:
        _gwent(folder, **changes)

    return build


def _manifest_text(edit: Callable[[str], str]) -> Callable[[Path, Path], None]:
    def build(folder: Path, _outside: Path) -> None:
        _gwent(folder)
        path = folder / "manifest.yml"
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")

    return build


def _durham_change(**file_changes) -> Callable[[Path, Path], None]:
    def build(folder: Path, _outside: Path) -> None:
        _durham(folder, **file_changes)

    return build


def _unsupported_type(folder: Path, _outside: Path) -> None:
    _gwent(folder, file={"path": "arrests.pdf"})
    (folder / "arrests.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def _xlsx_cell_bomb(ws) -> None:
    ws["XFD1048576"] = 1  # a 12 KB file whose grid calamine would make 17 billion cells


M = "manifest.yml"
C = GWENT_CSV
X = DURHAM_XLSX
_COUNT_AT = "row 5, column D: count"  # the fourth data row's Arrests cell

CASES: list[Case] = [
    # columns and headers
    Case("bad-missing-column", "missing column", "expected header(s) ['Nationality'] not found",
         "parse", C, _missing_column),
    Case("bad-renamed-column", "renamed column",
         "expected header(s) ['Arrests'] not found; headers present: "
         "['Month', 'Offence Group', 'Nationality', 'Number of arrests']",
         "parse", C, _renamed_column),
    Case("bad-blank-header", "blank header", "row 3: expected header(s) ['Polish'] not found",
         "parse", X, _durham_edited(lambda ws: setattr(_header_cell(ws, "Polish"), "value", None))),
    Case("bad-header-row-past-end", "header row past the end",
         "row 500: header row is past the end of the data", "parse", X,
         _durham_change(header_row=500)),
    Case("bad-header-only", "header-only file",
         "no count cells below the header (row 1)", "parse", C, _header_only),
    # counts
    Case("bad-negative-count", "negative count",
         f"{_COUNT_AT} '-3' is not a whole non-negative number", "parse", C,
         _gwent_with_cell(5, 3, "-3")),
    Case("bad-fractional-count", "fractional count", f"{_COUNT_AT} '2.5' is not", "parse", C,
         _gwent_with_cell(5, 3, "2.5")),
    Case("bad-fractional-count-xlsx", "fractional count", "count '7.5' is not a whole", "parse",
         X, _durham_edited(lambda ws: setattr(ws.cell(5, 3), "value", 7.5))),
    Case("bad-non-numeric-count", "non-numeric count", f"{_COUNT_AT} 'twelve' is not", "parse",
         C, _gwent_with_cell(5, 3, "twelve")),
    Case("bad-formula-in-count", "formula-injection text",
         f"{_COUNT_AT} {FORMULA!r} is not a whole non-negative number", "parse", C,
         _gwent_with_cell(5, 3, FORMULA)),
    # months and periods
    Case("bad-period-outside", "period outside the return",
         "month '2024-01' is not a month in '%Y-%m' within 2023-04..2023-12", "parse", C,
         _period_outside),
    Case("bad-month-not-a-date", "month not a date",
         "row 2, column Month: month '2023-13' is not a month in '%Y-%m'", "parse", C,
         _gwent_with_cell(2, 0, "2023-13")),
    # encodings and unreadable files
    Case("bad-cp1252-declared-utf8", "wrong encoding",
         "not readable as utf-8: 'utf-8' codec can't decode byte 0x96", "parse", C,
         _cp1252_declared_utf8),
    Case("bad-utf16-no-bom", "wrong encoding",
         "not readable as utf-8: it holds NUL characters (UTF-16 without a byte-order mark",
         "parse", C, _utf16_no_bom),
    Case("bad-unknown-encoding", "wrong encoding", "unknown encoding: klingon", "parse", C,
         _unknown_encoding),
    Case("bad-empty-file", "empty file", "file is empty (0 bytes)", "parse", C, _empty_file),
    Case("bad-truncated-xlsx", "truncated XLSX",
         "not a readable spreadsheet: the file is truncated or damaged", "parse", X,
         _truncated_xlsx),
    Case("bad-not-a-zip-xlsx", "truncated XLSX",
         "not a readable spreadsheet: the file is not a zip archive, as every XLSX file is",
         "parse", X, _not_a_zip_xlsx),
    Case("bad-unsupported-type", "unreadable file", "unsupported type '.pdf'", "parse",
         "arrests.pdf", _unsupported_type),
    Case("bad-file-not-found", "missing file", "file not found in the return folder", "parse",
         "arrests_2023.csv", _manifest_change(file={"path": "arrests_2023.csv"})),
    Case("bad-missing-sheet", "sheet that does not exist", "no sheet 'Arrest' (sheets: Arrests)",
         "parse", X, _durham_change(sheet="Arrest")),
    # limits and bombs
    Case("bad-xlsx-zip-bomb", "XLSX zip bomb", "above the limit of 200:1; a zip bomb?",
         "parse", X, _zip_bomb),
    Case("bad-xlsx-zip-bomb-understated", "XLSX zip bomb",
         "inflates to more than the 4,000 bytes its zip directory declares", "parse", X,
         _zip_bomb_understated),
    Case("bad-xlsx-cell-bomb", "XLSX zip bomb",
         "holds 1,048,576 rows x 16,384 columns = 17,179,869,184 cells, over the limit of",
         "parse", X, _durham_edited(_xlsx_cell_bomb)),
    Case("bad-ods-cell-bomb", "XLSX zip bomb", "x 16,000 columns = ", "parse", KENT_ODS,
         _ods_cell_bomb),
    Case("bad-file-over-size-limit", "huge file over the size limit",
         "bytes, over the size limit of 1,000 bytes (manifest key max_bytes)", "parse", C,
         _manifest_change(file={"max_bytes": 1000})),
    Case("bad-too-many-cells", "huge file over the size limit",
         "holds 1,009 rows x 4 columns = 4,036 cells, over the limit of 1,000 cells "
         "(manifest key max_cells)", "parse", C, _manifest_change(file={"max_cells": 1000})),
    # manifests
    Case("bad-sql-in-return-id", "SQL-looking text", "key return_id: String should match pattern",
         "parse", M, _sql_in_return_id),
    Case("bad-path-traversal", "path traversal in a manifest",
         "key files.0.path: expected a file name inside the return folder, got "
         "'../gwent-fy2023-24/arrests_by_nationality.csv'", "parse", M,
         _manifest_change(file={"path": f"../{GWENT}/{GWENT_CSV}"})),
    Case("bad-absolute-path", "absolute path in a manifest",
         "key files.0.path: expected a file name inside the return folder, got '/etc/passwd'",
         "parse", M, _manifest_change(file={"path": "/etc/passwd"})),
    Case("bad-unknown-manifest-key", "unknown manifest key", "key colour: unknown key", "parse",
         M, _manifest_change(colour="blue")),
    Case("bad-wrong-type-key", "wrong type for a key",
         "key files.0.header_row: Input should be a valid integer", "parse", M,
         _manifest_change(file={"header_row": "three"})),
    Case("bad-missing-manifest", "missing manifest", "no manifest.yml in the return folder",
         "parse", M, _missing_manifest),
    Case("bad-manifest-not-yaml", "manifest not YAML", "cannot read as YAML", "parse", M,
         _manifest_text(lambda t: t.replace("files:", "files: [unclosed\n  -"))),
    Case("bad-manifest-not-a-mapping", "manifest not YAML",
         "expected a mapping of keys at the top level", "parse", M,
         _manifest_text(lambda t: "- " + t.replace("\n", "\n  "))),
    Case("bad-yaml-alias-bomb", "manifest not YAML",
         "key supersedes.0: Input should be a valid string", "parse", M, _yaml_alias_bomb),
    # symbolic links out of the landing folder
    Case("bad-symlink-file-outside", "symlink out of the landing folder",
         "is a symbolic link to", "parse", C, _symlink_file_outside),
    Case("bad-symlink-manifest-outside", "symlink out of the landing folder",
         "is a symbolic link to", "parse", M, _symlink_manifest_outside),
    Case("bad-symlink-folder-outside", "symlink out of the landing folder",
         "return folder bad-symlink-folder-outside is a symbolic link to", "parse", None,
         _symlink_folder_outside),
    # across returns
    Case(f"{GWENT}-duplicate", "duplicate return",
         f"key return_id: '{GWENT}' is already used by folder '{GWENT}'", "landing", M,
         _duplicate_return),
    Case("bad-unknown-force", "unknown force",
         "key force: 'Gotham City Police' names no force in", "dbt", M, _unknown_force,
         dbt_test="not_null_columns_int_force_returns_resolved"),
    Case(f"{GWENT}-v2", "conflicting corrections (overlapping current returns)",
         f"returns {GWENT}, {GWENT}-v2 all cover force W15000002 in 12 month(s)", "dbt", M,
         _overlapping_return, dbt_test="returns_covering"),
    Case(f"{KENT}-v3", "conflicting corrections (two corrections of one return)",
         f"returns {KENT_V2}, {KENT}-v3 all cover force E23000032 in 12 month(s)", "dbt", M,
         _conflicting_correction, dbt_test="returns_covering"),
    Case("bad-formula-in-offence", "formula-injection text",
         f"offence {FORMULA!r} is not in dbt_project/seeds/lookups/offence_lookup.csv", "dbt", C,
         _city_of_london_month("2023-04", 1, FORMULA), dbt_test="unmapped_offence_descriptions"),
    Case("bad-sql-in-nationality", "SQL-looking text",
         f"nationality {SQL_TEXT!r} is not in dbt_project/seeds/lookups/nationality_lookup.csv",
         "dbt", C, _city_of_london_month("2023-05", 2, SQL_TEXT),
         dbt_test="unmapped_nationalities"),
]  # fmt: skip

STAGES = ("parse", "landing", "dbt")


def cases_at(*stages: str) -> list[Case]:
    """The cases caught at the given stages (see the module docstring)."""
    return [c for c in CASES if c.stage in stages]


def case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def outside_folder(landing: Path) -> Path:
    """Where the symbolic-link cases' targets go: beside the landing folder, not inside it."""
    return landing.parent / f"{landing.name}.outside"


def write_corpus(
    landing: Path, cases: Iterable[Case] | None = None, *, with_base: bool = False
) -> list[Case]:
    """Write the cases (all by default) into `landing`, created if need be; with_base also copies
    the sample returns the cross-return cases are measured against. Returns the cases written."""
    landing.mkdir(parents=True, exist_ok=True)
    outside = outside_folder(landing)
    if with_base:
        for name in BASE_RETURNS:
            shutil.copytree(SAMPLE / name, landing / name)
    cases = list(CASES if cases is None else cases)
    for c in cases:
        c.build(landing / c.name, outside)
    return cases


if __name__ == "__main__":  # python -m tests.bad_inputs.corpus DIR: write the corpus to look at
    import sys

    target = Path(sys.argv[1])
    for c in write_corpus(target, with_base=True):
        print(f"{c.name:38} {c.stage:8} {c.expect}")
