"""Read a Home Office dataset (manifest + file) into value cells as text, with lineage.

The file becomes a grid of text cells through the force returns' reader (CSV, XLSX, ODS), with
the text the spreadsheet shows beside the value it stores (shown.py: a nil stored as 0 and shown
as `-` stays a nil). This module finds the table in it (header rows joined with "|" as in force
returns, a header name found twice refused; rows from the first non-blank row under the header to
the next blank row), classifies its rows (rows.py: force, region sub-total, total, skipped), checks
the table's own totals (totals.py), maps offence group headings (the manifest's offence_mapping,
else the offence lookup seed), and gives one row per value cell of a force row: the open data's
Arrests cell, each offence-group cell of a summary table row, each rate cell of a rate table row.
Values stay text as shown (`..`, `-`, `12.3*` included) with their flag (nil, not available,
marked); staging types them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.fingerprint import folder_fingerprint, sha256_of
from orchestration.lib.settings import ReadLimits
from orchestration.lib.sources.force_returns.cells import combined_headers
from orchestration.lib.sources.force_returns.manifest import HEADER_JOIN, ManifestError
from orchestration.lib.sources.force_returns.readers import (
    DEFAULT_LIMITS,
    LINEAGE_FIELDS,
    Grid,
    ReadError,
    column_letter,
    read_grid,
    text_fields,
)
from orchestration.lib.sources.home_office.manifest import (
    MANIFEST_NAME,
    HomeOfficeManifest,
    financial_year_period,
    load_dataset_manifest,
)
from orchestration.lib.sources.home_office.reference import (
    OFFENCE_LOOKUP,
    TAXONOMY_SEED,
    Reference,
    name_key,
    reference,
    seed_name,
    seeds_fingerprint,
)
from orchestration.lib.sources.home_office.rows import Row, classify_rows
from orchestration.lib.sources.home_office.shown import shown_text
from orchestration.lib.sources.home_office.totals import Counts, check_totals

CELL_SCHEMA = pa.schema(
    [
        *LINEAGE_FIELDS,
        *text_fields("financial_year_raw", "period", "geocode_raw", "force_name_raw", "force_name"),
        *text_fields("force_code", "region_raw", "offence_group_raw", "offence_group"),
        ("is_offence_total", pa.bool_()),
        *text_fields("gender_raw", "ethnicity_raw", "age_group_raw"),
        *text_fields("measure", "value_raw", "stored_raw", "flag"),
    ]
)
ALL_OFFENCES = "All offences"
# A count: digits, optionally with thousands separators as published (1,234).
_COUNT = r"^([0-9]+|[0-9]{1,3}(,[0-9]{3})+)$"
# A rate: a count with an optional decimal part (12.3).
_RATE = r"^([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]+)?$"


@dataclass(frozen=True)
class ParsedDataset:
    manifest: HomeOfficeManifest
    content_sha256: str  # over the manifest, every file in the dataset folder and the seeds read
    file_sha256: str
    sheet: str | None
    cells: pa.Table  # CELL_SCHEMA with the lineage fields first


@dataclass(frozen=True)
class _GridSpec:
    """What read_grid and combined_headers need from a spec."""

    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_lines: list[int]
    source_name: str
    # force-return keys the shared readers consult; a Home Office table uses none of them
    table: None = None
    footnote_marks: None = None
    last_row: None = None
    skip_rows_after_blank: bool = False


def dataset_fingerprint(folder: Path) -> str:
    """What a dataset is read from: its folder and the seeds that classify and map its rows."""
    return f"{folder_fingerprint(folder)}:{seeds_fingerprint()}"


def strip_footnotes(values: pa.Array, pattern: str) -> pa.Array:
    """`Lancashire1` -> `Lancashire`: a value matching the pattern becomes its first group."""
    return pc.replace_substring_regex(values, pattern=pattern, replacement=r"\1")


def _strip_part(text: str, pattern: str) -> str:
    return strip_footnotes(pa.array([text], pa.string()), pattern)[0].as_py()


class _Table:
    """One dataset's table in a grid: its headers, its body rows and where its errors point."""

    def __init__(self, grid: Grid, shown: dict[tuple[int, int], str], m: HomeOfficeManifest):
        self.grid, self.m, self.sheet = grid, m, grid.sheet
        spec = _GridSpec(m.sheet, m.encoding, m.delimiter, m.header_lines, m.file)
        self.headers = combined_headers(grid, spec)  # type: ignore[arg-type]
        # Footnote digits are stripped from each part of a joined header ("Fraud offences4").
        self.clean = [
            HEADER_JOIN.join(_strip_part(p, m.footnote_pattern) for p in h.split(HEADER_JOIN))
            if h
            else ""
            for h in self.headers
        ]
        self.body = self._body()
        self.shown = shown

    def error(self, detail: str, row: int | None = None, column: str | None = None) -> ReadError:
        return ReadError.at(
            detail,
            file=self.m.file,
            sheet=self.sheet,
            row=row,
            column=column,
        )

    @property
    def header_row(self) -> int:
        return self.m.header_lines[-1]

    def index(self, name: str) -> int:
        """The one column whose header (as found, or with footnote digits stripped) is `name`."""
        found = [
            i
            for i, (h, c) in enumerate(zip(self.headers, self.clean, strict=True))
            if name in (h, c)
        ]
        if not found:
            present = [h for h in self.headers if h]
            raise self.error(
                f"expected header(s) [{name!r}] not found; headers present: {present}",
                row=self.header_row,
            )
        if len(found) > 1:
            letters = ", ".join(column_letter(i) for i in found)
            raise self.error(
                f"header {name!r} is in {len(found)} columns ({letters}): name one of them by "
                f"its full header, with the row above in header_rows (such as 'Males{HEADER_JOIN}"
                f"{name}' under header_rows: [{self.header_row - 1}, {self.header_row}])",
                row=self.header_row,
            )
        return found[0]

    def _body(self) -> pa.Table:
        """Rows from the first non-blank row under the header, with their 1-based row numbers in
        `source_row`; the table ends at the next blank row when notes follow it, otherwise blank
        rows are dropped."""
        columns = self.grid.table.cast(
            pa.schema([(n, pa.string()) for n in self.grid.table.column_names])
        )
        first = self.header_row
        body = columns.slice(first)
        body = body.add_column(
            0, "source_row", pa.array(range(first + 1, first + 1 + body.num_rows), pa.int32())
        )
        blank = pa.array([True] * body.num_rows, pa.bool_())
        for name in columns.column_names:
            blank = pc.and_(blank, pc.equal(pc.fill_null(body[name], ""), ""))
        start = pc.index(blank, False).as_py()
        if not columns.num_columns or start < 0:
            raise self.error(
                "no rows under the header (expected a row per force below it)", row=first
            )
        body, blank = body.slice(start), blank.slice(start)
        if self.m.notes_after_blank_row:
            end = pc.index(blank, True).as_py()
            if end >= 0:
                body, blank = body.slice(0, end), blank.slice(0, end)
        return body.filter(pc.invert(blank))

    def column(self, name: str | None) -> pa.Array:
        n = self.body.num_rows
        if name is None:
            return pa.nulls(n, pa.string())
        return self.body[f"c{self.index(name)}"].combine_chunks()

    def shown_column(self, j: int) -> pa.Array:
        """Column j as the spreadsheet shows it (stored text where it shows no other)."""
        stored = self.body[f"c{j}"].combine_chunks()
        if not any(c == j for _, c in self.shown):
            return stored
        rows = self.body["source_row"].to_pylist()
        values = stored.to_pylist()
        return pa.array(
            [self.shown.get((r - 1, j), v) for r, v in zip(rows, values, strict=True)], pa.string()
        )


def _offence_group(m: HomeOfficeManifest, ref: Reference, heading: str) -> str | None:
    mapped = m.offence_mapping.get(heading)
    return mapped if mapped is not None else ref.offence_lookup.get(heading.strip().lower())


def _unmapped(t: _Table, heading: str, row: int, column: str) -> ReadError:
    return t.error(
        f"offence group heading {heading!r} is not in {seed_name(OFFENCE_LOOKUP)}: map it in the "
        f"manifest (offence_mapping: {{{heading!r}: <offence group>}}), the offence group one of "
        f"{sorted(reference().offence_groups)} ({seed_name(TAXONOMY_SEED)})",
        row=row,
        column=column,
    )


def _value_columns(t: _Table, ref: Reference) -> list[tuple[int, dict[str, str], bool]]:
    """Each value column: its index, the dimensions its header gives (offence group mapped), and
    whether it is the table's total over offence groups."""
    m = t.m
    if m.kind == "open_data_long":
        assert m.columns.arrests is not None
        return [(t.index(m.columns.arrests), {}, False)]
    if m.kind == "summary_table":
        targets = [(h, False) for h in m.offence_columns]
        targets += [(m.total_column, True)] if m.total_column else []
        found = []
        for heading, is_total in targets:
            j = t.index(heading)
            group = ALL_OFFENCES if is_total else _offence_group(m, ref, heading)
            if group is None:
                raise _unmapped(t, heading, t.header_row, column_letter(j))
            found.append((j, {"offence_group_raw": heading, "offence_group": group}, is_total))
        return found
    named = {t.index(n) for n in m.columns.mapped().values()}
    ignored = {t.index(n) for n in m.ignore_columns}
    found = []
    for j, header in enumerate(t.clean):
        if not header or j in named or j in ignored:
            continue
        parts = header.split(HEADER_JOIN)
        if len(parts) != len(m.value_columns_by):
            raise t.error(
                f"value column header {t.headers[j]!r} does not hold "
                f"{len(m.value_columns_by)} part(s) ({HEADER_JOIN.join(m.value_columns_by)}) for "
                "value_columns_by; list other columns under ignore_columns",
                row=t.header_row,
                column=column_letter(j),
            )
        dims = {f"{d}_raw": p for d, p in zip(m.value_columns_by, parts, strict=True)}
        if "offence_group" in m.value_columns_by:
            group = _offence_group(m, ref, dims["offence_group_raw"])
            if group is None:
                raise _unmapped(t, dims["offence_group_raw"], t.header_row, column_letter(j))
            dims["offence_group"] = group
        else:
            dims["offence_group"] = ALL_OFFENCES
        found.append((j, dims, "offence_group" not in m.value_columns_by))
    if not found:
        raise t.error("a rate_table found no value columns", row=t.header_row)
    return found


def _flags(m: HomeOfficeManifest, shown: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(the figure without marks, flag: nil, not_available, marked or null)."""
    bare, marked = shown, pa.array([False] * len(shown), pa.bool_())
    for mark in m.markers.marks:
        has = pc.and_(pc.ends_with(bare, mark), pc.greater(pc.utf8_length(bare), len(mark)))
        bare = pc.if_else(has, pc.utf8_slice_codeunits(bare, 0, -len(mark)), bare)
        marked = pc.or_(marked, has)
    nil = pc.is_in(shown, pa.array(m.markers.nil, pa.string()))
    not_available = pc.is_in(shown, pa.array(m.markers.not_available, pa.string()))
    flag = pc.case_when(
        pc.make_struct(pc.fill_null(nil, False), pc.fill_null(not_available, False), marked),
        "nil",
        "not_available",
        "marked",
    )
    return bare, flag


def _check_values(cells: pa.Table, bare: pa.Array, m: HomeOfficeManifest, t: _Table) -> None:
    """Every value is a figure (whole for counts) or a declared marker; report the first bad one."""
    pattern = _RATE if m.kind == "rate_table" else _COUNT
    ok = pc.or_(
        pc.match_substring_regex(bare, pattern),
        pc.is_in(
            cells["value_raw"], pa.array(m.markers.not_available + m.markers.nil, pa.string())
        ),
    )
    if pc.all(ok).as_py():
        return
    bad = pc.invert(ok)
    cell = cells.filter(bad).slice(0, 1).to_pylist()[0]
    what = "a number" if m.kind == "rate_table" else "a whole non-negative number"
    raise t.error(
        f"{cell['value_raw']!r} (under {cell['source_header']!r}) is not {what} or a marker "
        f"(not available {m.markers.not_available}, nil {m.markers.nil}, marks "
        f"{m.markers.marks}); {pc.sum(bad).as_py()} such cell(s)",
        row=cell["source_row"],
        column=cell["source_column"],
    )


def _force_codes(t: _Table, names: pa.Array, geocodes: pa.Array, ref: Reference) -> list[Row]:
    """The open data's rows: every one a force, by its geocode, else its name."""
    m = t.m
    aliases = {name_key(k): v for k, v in m.force_names.items()}
    identity = pc.if_else(pc.equal(pc.fill_null(geocodes, ""), ""), names, geocodes)
    distinct = pc.unique(identity).to_pylist()
    codes = {v: aliases.get(name_key(v or "")) or ref.force_code(v or "") for v in distinct}
    rows = t.body["source_row"].to_pylist()
    found = []
    for row, value in zip(rows, identity.to_pylist(), strict=True):
        code = codes[value]
        if code is None:
            raise t.error(
                f"{value!r} names no force in the seeds (expected an ONS code such as E23000013 "
                "or a force name); list it under force_names",
                row=row,
            )
        found.append(Row(row, value, "force", code))
    return found


def dataset_cells(grid: Grid, m: HomeOfficeManifest, shown: dict | None = None) -> pa.Table:
    """Value cells of one table's force rows as text, with their source row and column
    (CELL_SCHEMA); raises ReadError naming the cell, row or header at fault."""
    ref = reference()
    t = _Table(grid, shown or {}, m)
    cols = m.columns
    geocode = t.column(cols.geocode)
    name_raw = t.column(cols.force_name)
    name = strip_footnotes(name_raw, m.footnote_pattern) if cols.force_name else name_raw
    if m.is_table:
        rows = classify_rows(
            m,
            t.sheet,
            t.body["source_row"].to_pylist(),
            pc.fill_null(name, "").to_pylist(),
            pc.fill_null(geocode, "").to_pylist(),
            ref,
        )
    else:
        rows = _force_codes(t, name, geocode, ref)
    values = _value_columns(t, ref)
    n = t.body.num_rows
    if cols.financial_year:
        financial_year = t.column(cols.financial_year)
    else:
        financial_year = pa.array([m.financial_year_value] * n, pa.string())
    shared = {
        "financial_year_raw": financial_year,
        "geocode_raw": geocode,
        "force_name_raw": name_raw,
        "force_name": name,
        "force_code": pa.array([r.code if r.kind == "force" else None for r in rows], pa.string()),
        "region_raw": t.column(cols.region),
        "offence_group_raw": t.column(cols.offence_group),
        "offence_group": pa.nulls(n, pa.string()),
        "gender_raw": t.column(cols.gender),
        "ethnicity_raw": t.column(cols.ethnicity),
        "age_group_raw": t.column(cols.age_group),
    }
    if m.kind == "open_data_long":
        shared["offence_group"] = _open_data_offences(t, shared["offence_group_raw"], ref)
    measure = "rate" if m.kind == "rate_table" else "arrests"

    def piece(j: int, dims: dict[str, str], is_total: bool) -> pa.Table:
        fixed = {k: pa.array([v] * n, pa.string()) for k, v in dims.items()}
        return (
            pa.table(
                {
                    "source_row": t.body["source_row"],
                    "source_column": pa.array([column_letter(j)] * n, pa.string()),
                    "source_header": pa.array([t.headers[j]] * n, pa.string()),
                    **(shared | fixed),
                    "period": pa.nulls(n, pa.string()),
                    "is_offence_total": pa.array([is_total] * n, pa.bool_()),
                    "measure": pa.array([measure] * n, pa.string()),
                    "value_raw": t.shown_column(j),
                    "stored_raw": t.body[f"c{j}"],
                    "flag": pa.nulls(n, pa.string()),
                }
            )
            .select(CELL_SCHEMA.names)
            .cast(CELL_SCHEMA)
        )

    cells = pa.concat_tables([piece(j, dims, total) for j, dims, total in values])
    counted = pa.array([r.kind != "other" for r in rows] * len(values), pa.bool_())
    cells = cells.filter(counted)
    # A blank cell gives no figure; it is neither nil nor not available.
    blank = pc.equal(pc.fill_null(cells["value_raw"], ""), "")
    bare, flag = _flags(m, pc.fill_null(cells["value_raw"], ""))
    cells = cells.set_column(cells.schema.get_field_index("flag"), "flag", flag)
    present = pc.invert(blank)
    _check_values(cells.filter(present), bare.filter(present), m, t)
    if m.kind == "summary_table" and m.check_totals:
        _check_table_totals(t, rows, values, cells, bare, ref)
    loaded = {r.source_row for r in rows if r.loaded}
    keep = pc.and_(present, pc.is_in(cells["source_row"], pa.array(loaded, pa.int32())))
    return _with_periods(cells.filter(keep), t)


def _check_table_totals(
    t: _Table,
    rows: list[Row],
    values: list[tuple[int, dict[str, str], bool]],
    cells: pa.Table,
    bare: pa.Array,
    ref: Reference,
) -> None:
    """The table's count cells by column and row (rows other than `other`), then totals.py."""
    counted = [r for r in rows if r.kind != "other"]
    nil = set(t.m.markers.nil)
    texts = cells["value_raw"].to_pylist()
    figures = bare.to_pylist()

    def count(k: int) -> int | None:
        if texts[k] in nil:
            return 0
        if not texts[k] or texts[k] in t.m.markers.not_available:
            return None
        return int(figures[k].replace(",", ""))

    columns: list[Counts] = []
    for v, (j, _, _) in enumerate(values):
        base = v * len(counted)
        columns.append(
            (column_letter(j), t.headers[j], [count(base + i) for i in range(len(counted))])
        )
    totals = [c for c, (_, _, is_total) in zip(columns, values, strict=True) if is_total]
    offences = [c for c, (_, _, is_total) in zip(columns, values, strict=True) if not is_total]
    check_totals(t.m, t.sheet, counted, offences, totals[0] if totals else None, ref)


def _open_data_offences(t: _Table, raw: pa.Array, ref: Reference) -> pa.Array:
    """The open data's offence group values mapped (each distinct value once)."""
    distinct = pc.unique(raw)
    groups = []
    for value in distinct.to_pylist():
        group = _offence_group(t.m, ref, value or "")
        if group is None:
            k = pc.index(raw, value).as_py()
            column = column_letter(t.index(t.m.columns.offence_group or ""))
            raise _unmapped(t, value or "", t.body["source_row"][k].as_py(), column)
        groups.append(group)
    return pc.take(pa.array(groups, pa.string()), pc.index_in(raw, value_set=distinct))


def _with_periods(cells: pa.Table, t: _Table) -> pa.Table:
    """Fill `period` ('2023-24') from financial_year_raw; each distinct text is parsed once."""
    distinct = pc.unique(cells["financial_year_raw"])
    periods = []
    for raw in distinct.to_pylist():
        period = financial_year_period(raw)
        if period is None:
            cell = (
                cells.filter(pc.equal(cells["financial_year_raw"], raw)).slice(0, 1).to_pylist()[0]
            )
            where = t.m.columns.financial_year
            column = column_letter(t.index(where)) if where else cell["source_column"]
            raise t.error(
                f"financial year {raw!r} is not a financial year such as '2023/24'",
                row=t.header_row
                if "financial_year" in t.m.value_columns_by
                else cell["source_row"],
                column=column,
            )
        periods.append(period)
    filled = pc.take(
        pa.array(periods, pa.string()), pc.index_in(cells["financial_year_raw"], value_set=distinct)
    )
    return cells.set_column(cells.schema.get_field_index("period"), "period", filled)


def _check_manifest_mapping(folder: Path, m: HomeOfficeManifest) -> None:
    """offence_mapping maps to offence groups the taxonomy has."""
    groups = reference().offence_groups
    problems = [
        f"key offence_mapping.{heading}: {group!r} is not an offence group of "
        f"{seed_name(TAXONOMY_SEED)} (one of {sorted(groups)})"
        for heading, group in m.offence_mapping.items()
        if group not in groups
    ]
    if problems:
        raise ManifestError(folder / MANIFEST_NAME, problems)


def read_dataset(folder: Path, limits: ReadLimits = DEFAULT_LIMITS) -> ParsedDataset:
    """Read a dataset folder as its manifest says; raises ManifestError or ReadError naming the cell."""
    m = load_dataset_manifest(folder / MANIFEST_NAME)
    _check_manifest_mapping(folder, m)
    path = folder / m.file
    if not path.is_file():
        raise ReadError.at(f"file not found in {folder}", file=m.file)
    file_sha = sha256_of(path)
    spec = _GridSpec(m.sheet, m.encoding, m.delimiter, m.header_lines, m.file)
    grid = read_grid(path, spec, None, limits)  # type: ignore[arg-type]
    shown = shown_text(path, grid.sheet, grid.height, grid.width) if grid.sheet else {}
    cells = dataset_cells(grid, m, shown)
    n = cells.num_rows
    lineage = {
        "dataset_id": pa.array([m.dataset_id] * n, pa.string()),
        "source_file": pa.array([m.file] * n, pa.string()),
        "file_sha256": pa.array([file_sha] * n, pa.string()),
        "sheet": pa.array([grid.sheet] * n, pa.string()),
    }
    table = pa.table(lineage | {name: cells[name] for name in cells.column_names})
    return ParsedDataset(m, dataset_fingerprint(folder), file_sha, grid.sheet, table)


def guarded(read: Callable[[], ParsedDataset], folder: Path) -> Callable[[], ParsedDataset]:
    """A read whose unexpected failure (a bug, a file shape no check foresaw) is a ReadError, so
    the loader quarantines this dataset and goes on with the others instead of stopping."""

    def run() -> ParsedDataset:
        try:
            return read()
        except (ManifestError, ReadError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - one dataset must never stop the rest
            raise ReadError(
                f"dataset {folder.name}: could not be read ({type(exc).__name__}: {exc}); "
                "this is a fault of the reader, please report it with the file"
            ) from exc

    return run
